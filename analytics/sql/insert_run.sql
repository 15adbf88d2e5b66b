-- A finished run's summary; its cells or spots follow (copy_cells.sql, copy_emerging.sql,
-- insert_spot.sql). ON CONFLICT: another worker stored the same run meanwhile, and nothing is
-- returned. Figures that do not apply to a method are NULL (recurring spots have no cells).
INSERT INTO hotspot_run (
    method, params, params_key, data_version, boundary_set, resolution, n_cells, n_complaints,
    n_hot, n_cold, n_spots, seconds
) VALUES (
    %(method)s, %(params)s, %(key)s, %(version)s, %(set)s, %(resolution)s, %(n_cells)s,
    %(n_complaints)s, %(n_hot)s, %(n_cold)s, %(n_spots)s, %(seconds)s
)
ON CONFLICT (method, params_key, data_version) DO NOTHING
RETURNING id
