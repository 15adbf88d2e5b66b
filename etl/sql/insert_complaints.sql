-- Complaints seen for the first time. Parameters: batch_id.
INSERT INTO complaint (
    source, source_id, content_hash, batch_id, received_at, field_code, category_code,
    description, address, channel, handling_unit_code, handling_unit_name, handling_unit_level,
    status, assigned_at, processing_at, resolved_at, closed_at, rejected_at, due_at,
    satisfaction, input_lat, input_lon, geom, ward_set, ward_code, current_set,
    current_ward_code, geocode_method, geocode_confidence, geocode_candidates, flags,
    h3_r7, h3_r8, h3_r9, h3_r10
)
SELECT l.source, l.source_id, l.content_hash, %(batch_id)s, l.received_at, l.field_code,
       l.category_code, l.description, l.address, l.channel, l.handling_unit_code,
       l.handling_unit_name, l.handling_unit_level, l.status, l.assigned_at, l.processing_at,
       l.resolved_at, l.closed_at, l.rejected_at, l.due_at, l.satisfaction, l.input_lat,
       l.input_lon, l.geom, l.ward_set, l.ward_code, l.current_set, l.current_ward_code,
       l.geocode_method, l.geocode_confidence, l.geocode_candidates, l.flags,
       l.h3_r7, l.h3_r8, l.h3_r9, l.h3_r10
FROM {located} AS l
JOIN {changes} AS ch ON ch.row_number = l.row_number
WHERE ch.change = 'insert'
