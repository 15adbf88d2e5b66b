-- Parameters: slug.
SELECT EXISTS (SELECT 1 FROM boundary_set WHERE slug = %(slug)s)
