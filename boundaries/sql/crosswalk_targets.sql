-- Units an old unit became in the next version. Parameters: from_version, to_version, code.
SELECT to_code, to_name, relation, partial, note
FROM boundary_crosswalk
WHERE from_version = %(from_version)s AND to_version = %(to_version)s AND from_code = %(code)s
ORDER BY partial, to_code
