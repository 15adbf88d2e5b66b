-- COPY target for staged units (columns in the order the loader writes them).
COPY boundary_unit_stage (
    code, name, name_ascii, unit_type, parent_code, parent_name, population, properties, wkb
) FROM STDIN
