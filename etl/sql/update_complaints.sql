-- Complaints whose content changed since they were stored. Parameters: batch_id.
UPDATE complaint AS c
SET content_hash = l.content_hash, batch_id = %(batch_id)s, received_at = l.received_at,
    field_code = l.field_code, category_code = l.category_code, description = l.description,
    address = l.address, channel = l.channel, handling_unit_code = l.handling_unit_code,
    handling_unit_name = l.handling_unit_name, handling_unit_level = l.handling_unit_level,
    status = l.status, assigned_at = l.assigned_at, processing_at = l.processing_at,
    resolved_at = l.resolved_at, closed_at = l.closed_at, rejected_at = l.rejected_at,
    due_at = l.due_at, satisfaction = l.satisfaction, input_lat = l.input_lat,
    input_lon = l.input_lon, geom = l.geom, ward_set = l.ward_set, ward_code = l.ward_code,
    current_set = l.current_set, current_ward_code = l.current_ward_code,
    geocode_method = l.geocode_method, geocode_confidence = l.geocode_confidence,
    geocode_candidates = l.geocode_candidates, flags = l.flags, h3_r7 = l.h3_r7,
    h3_r8 = l.h3_r8, h3_r9 = l.h3_r9, h3_r10 = l.h3_r10, updated_at = now()
FROM {located} AS l
JOIN {changes} AS ch ON ch.row_number = l.row_number
WHERE ch.change = 'update' AND c.id = ch.complaint_id
