-- One boundary set's id and unit count. Parameters: slug.
SELECT id, unit_count, level, valid_from, valid_to FROM boundary_set WHERE slug = %(slug)s
