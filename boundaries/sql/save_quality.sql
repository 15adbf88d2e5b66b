-- Merge a JSON object into a set's metadata. Parameters: set_id, patch (jsonb).
UPDATE boundary_set SET metadata = metadata || %(patch)s WHERE id = %(set_id)s::int
