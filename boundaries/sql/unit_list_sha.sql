-- Input checksum and unit count of an official unit list. Parameters: slug.
SELECT sha256, unit_count FROM admin_unit_list WHERE slug = %(slug)s
