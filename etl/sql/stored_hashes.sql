-- Ids and content hashes of stored complaints among a batch's source ids.
-- Parameters: source, ids.
SELECT c.source_id, c.id, c.content_hash
FROM complaint AS c
WHERE c.source = %(source)s AND c.source_id = ANY(%(ids)s::text[])
