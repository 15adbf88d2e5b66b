-- Create a boundary set. Parameters: slug, name, level, valid_from, valid_to, source, licence,
-- sha256, metadata (jsonb). Returns the new id.
INSERT INTO boundary_set (slug, name, level, valid_from, valid_to, source, licence, sha256, metadata)
VALUES (
    %(slug)s, %(name)s, %(level)s, %(valid_from)s::date, %(valid_to)s::date,
    %(source)s, %(licence)s, %(sha256)s, %(metadata)s
)
RETURNING id
