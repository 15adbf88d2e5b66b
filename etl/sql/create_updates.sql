-- New versions of stored complaints whose content changed, keyed by the stored id.
CREATE UNLOGGED TABLE {updates} AS
SELECT id,
    source, source_id, content_hash, batch_id, received_at, field_code, category_code,
    description, address, channel, handling_unit_code, handling_unit_name, handling_unit_level,
    status, assigned_at, processing_at, resolved_at, closed_at, rejected_at, due_at,
    satisfaction, input_lat, input_lon, geom, geom_3857, ward_set, ward_code, current_set,
    current_ward_code, geocode_method, geocode_confidence, geocode_candidates, flags,
    h3_r7, h3_r8, h3_r9, h3_r10
FROM complaint
WITH NO DATA
