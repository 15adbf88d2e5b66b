-- Every crosswalk row between successive ward versions.
SELECT from_version, to_version, from_code, from_name, from_parent_code, from_parent_name,
       to_code, to_name, relation, partial, note
FROM boundary_crosswalk
ORDER BY from_version, from_code, to_code
