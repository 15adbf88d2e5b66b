-- A run's summary. Parameters: id.
SELECT id, method, params, data_version, boundary_set, resolution, n_cells, n_complaints, n_hot,
       n_cold, seconds, created_at
FROM hotspot_run WHERE id = %(id)s
