-- All (from_code, to_code) pairs of one crosswalk. Parameters: from_version, to_version.
SELECT from_code, to_code, partial
FROM boundary_crosswalk
WHERE from_version = %(from_version)s AND to_version = %(to_version)s
