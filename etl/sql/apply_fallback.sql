-- Rows placed from their address after their coordinates fell outside every unit.
UPDATE {stage} AS s
SET geocode_method = f.geocode_method,
    geocode_confidence = f.geocode_confidence,
    geocode_candidates = f.geocode_candidates,
    ward_set = f.ward_set,
    ward_code = f.ward_code,
    current_set = f.current_set,
    current_ward_code = f.current_ward_code,
    lat = f.lat,
    lon = f.lon,
    h3_r7 = f.h3_r7,
    h3_r8 = f.h3_r8,
    h3_r9 = f.h3_r9,
    h3_r10 = f.h3_r10,
    flags = s.flags || ARRAY['outside_coverage']
FROM {fallback} AS f
WHERE f.row_number = s.row_number
