-- Complaints whose content changed since they were stored.
UPDATE complaint AS c
SET content_hash = u.content_hash, batch_id = u.batch_id, received_at = u.received_at,
    field_code = u.field_code, category_code = u.category_code, description = u.description,
    address = u.address, channel = u.channel, handling_unit_code = u.handling_unit_code,
    handling_unit_name = u.handling_unit_name, handling_unit_level = u.handling_unit_level,
    status = u.status, assigned_at = u.assigned_at, processing_at = u.processing_at,
    resolved_at = u.resolved_at, closed_at = u.closed_at, rejected_at = u.rejected_at,
    due_at = u.due_at, satisfaction = u.satisfaction, input_lat = u.input_lat,
    input_lon = u.input_lon, geom = u.geom, geom_3857 = u.geom_3857, ward_set = u.ward_set,
    ward_code = u.ward_code, current_set = u.current_set,
    current_ward_code = u.current_ward_code,
    geocode_method = u.geocode_method, geocode_confidence = u.geocode_confidence,
    geocode_candidates = u.geocode_candidates, flags = u.flags, h3_r7 = u.h3_r7,
    h3_r8 = u.h3_r8, h3_r9 = u.h3_r9, h3_r10 = u.h3_r10, updated_at = now()
FROM {updates} AS u
WHERE c.id = u.id
