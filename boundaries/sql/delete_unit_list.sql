-- Remove an official unit list and (by cascade) its units. Parameters: slug.
DELETE FROM admin_unit_list WHERE slug = %(slug)s
