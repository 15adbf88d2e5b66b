-- COPY target for official units.
COPY admin_unit (
    list_id, code, name, name_ascii, unit_type, district_code, district_name,
    province_code, province_name, aliases, lat, lon
) FROM STDIN
