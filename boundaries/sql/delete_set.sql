-- Remove a boundary set and (by cascade) its units. Parameters: slug.
DELETE FROM boundary_set WHERE slug = %(slug)s
