-- Complaints seen for the first time: the staged row with its geocoding result.
-- Parameters: batch_id.
INSERT INTO complaint (
    source, source_id, content_hash, batch_id, received_at, field_code, category_code,
    description, address, channel, handling_unit_code, handling_unit_name, handling_unit_level,
    status, assigned_at, processing_at, resolved_at, closed_at, rejected_at, due_at,
    satisfaction, input_lat, input_lon, geom, ward_set, ward_code, current_set,
    current_ward_code, geocode_method, geocode_confidence, geocode_candidates, flags,
    h3_r7, h3_r8, h3_r9, h3_r10
)
SELECT s.source, s.source_id, s.content_hash, %(batch_id)s, s.received_at, s.field_code,
       s.category_code, s.description, s.address, s.channel, s.handling_unit_code,
       s.handling_unit_name, s.handling_unit_level, s.status, s.assigned_at, s.processing_at,
       s.resolved_at, s.closed_at, s.rejected_at, s.due_at, s.satisfaction, s.input_lat,
       s.input_lon,
       CASE WHEN s.lat IS NOT NULL THEN ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) END,
       l.ward_set, l.ward_code, l.current_set, l.current_ward_code,
       l.geocode_method, l.geocode_confidence, l.geocode_candidates, l.flags,
       s.h3_r7, s.h3_r8, s.h3_r9, s.h3_r10
FROM {stage} AS s
JOIN {located} AS l ON l.row_number = s.row_number
JOIN {changes} AS ch ON ch.row_number = s.row_number
WHERE ch.change = 'insert'
