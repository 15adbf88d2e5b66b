-- A finished run's summary; its cells follow (copy_cells.sql). ON CONFLICT: another worker
-- stored the same run meanwhile, and its id is returned instead.
INSERT INTO hotspot_run (
    method, params, params_key, data_version, boundary_set, resolution, n_cells, n_complaints,
    n_hot, n_cold, seconds
) VALUES (
    %(method)s, %(params)s, %(key)s, %(version)s, %(set)s, %(resolution)s, %(n_cells)s,
    %(n_complaints)s, %(n_hot)s, %(n_cold)s, %(seconds)s
)
ON CONFLICT (method, params_key, data_version) DO NOTHING
RETURNING id
