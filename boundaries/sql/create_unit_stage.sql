-- Staging table for COPY of one set's units (dropped at commit).
CREATE TEMP TABLE boundary_unit_stage (
    code text NOT NULL,
    name text NOT NULL,
    name_ascii text NOT NULL,
    unit_type text NOT NULL,
    parent_code text,
    parent_name text,
    population bigint,
    properties jsonb NOT NULL,
    wkb bytea NOT NULL
) ON COMMIT DROP
