CREATE TEMP TABLE {fallback} (
    row_number integer PRIMARY KEY,
    geocode_method text NOT NULL,
    geocode_confidence float8 NOT NULL,
    geocode_candidates text[] NOT NULL,
    ward_set text,
    ward_code text,
    current_set text,
    current_ward_code text,
    lat float8,
    lon float8,
    h3_r7 bigint,
    h3_r8 bigint,
    h3_r9 bigint,
    h3_r10 bigint
) ON COMMIT DROP
