-- COPY target for crosswalk rows.
COPY boundary_crosswalk (
    from_version, to_version, from_code, from_name, from_parent_code, from_parent_name,
    to_code, to_name, relation, partial, note, legal_basis
) FROM STDIN
