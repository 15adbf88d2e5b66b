-- Complaints whose content changed since they were stored. Parameters: batch_id.
UPDATE complaint AS c
SET content_hash = s.content_hash, batch_id = %(batch_id)s, received_at = s.received_at,
    field_code = s.field_code, category_code = s.category_code, description = s.description,
    address = s.address, channel = s.channel, handling_unit_code = s.handling_unit_code,
    handling_unit_name = s.handling_unit_name, handling_unit_level = s.handling_unit_level,
    status = s.status, assigned_at = s.assigned_at, processing_at = s.processing_at,
    resolved_at = s.resolved_at, closed_at = s.closed_at, rejected_at = s.rejected_at,
    due_at = s.due_at, satisfaction = s.satisfaction, input_lat = s.input_lat,
    input_lon = s.input_lon,
    geom = CASE WHEN s.lat IS NOT NULL THEN ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) END,
    ward_set = l.ward_set, ward_code = l.ward_code, current_set = l.current_set,
    current_ward_code = l.current_ward_code, geocode_method = l.geocode_method,
    geocode_confidence = l.geocode_confidence, geocode_candidates = l.geocode_candidates,
    flags = l.flags, h3_r7 = s.h3_r7, h3_r8 = s.h3_r8, h3_r9 = s.h3_r9, h3_r10 = s.h3_r10,
    updated_at = now()
FROM {stage} AS s
JOIN {located} AS l ON l.row_number = s.row_number
JOIN {changes} AS ch ON ch.row_number = s.row_number
WHERE ch.change = 'update' AND c.id = ch.complaint_id
