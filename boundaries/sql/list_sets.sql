-- Every boundary set with its validity and unit count.
SELECT slug, name, level, valid_from, valid_to, unit_count, source, licence, sha256,
       metadata, loaded_at
FROM boundary_set
ORDER BY level DESC, valid_from NULLS FIRST, slug
