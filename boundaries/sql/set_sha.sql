-- Input checksum and unit count of a boundary set. Parameters: slug.
SELECT sha256, unit_count FROM boundary_set WHERE slug = %(slug)s
