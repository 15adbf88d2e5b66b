-- Units of every official list, with the list's effective date (it picks the version).
SELECT l.slug, l.effective_date, a.code, a.name, a.unit_type, a.district_code,
       a.district_name, a.province_code, a.aliases
FROM admin_unit AS a
JOIN admin_unit_list AS l ON l.id = a.list_id
ORDER BY l.effective_date, l.slug, a.code
