-- Store the unit count of an official list. Parameters: list_id.
UPDATE admin_unit_list
SET unit_count = (SELECT count(*) FROM admin_unit WHERE list_id = %(list_id)s::int)
WHERE id = %(list_id)s::int
RETURNING unit_count
