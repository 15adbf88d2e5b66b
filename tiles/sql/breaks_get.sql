-- The frozen class breaks of one legend. Parameters: layer, metric, set, filters.
SELECT lowest, breaks, method, units, data_version, computed_at
FROM legend_breaks
WHERE layer = %(layer)s AND metric = %(metric)s AND boundary_set = %(set)s
  AND filters = %(filters)s
