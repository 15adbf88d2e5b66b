-- Rows stored for one crosswalk. Parameters: from_version, to_version.
SELECT count(*) FROM boundary_crosswalk
WHERE from_version = %(from_version)s AND to_version = %(to_version)s
