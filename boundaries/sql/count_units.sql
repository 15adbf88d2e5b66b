-- Store the unit count of a set. Parameters: set_id.
UPDATE boundary_set
SET unit_count = (SELECT count(*) FROM boundary_unit WHERE set_id = %(set_id)s::int)
WHERE id = %(set_id)s::int
RETURNING unit_count
