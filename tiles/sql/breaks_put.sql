-- Freeze the class breaks of one legend (the first request to get here wins).
INSERT INTO legend_breaks (layer, metric, boundary_set, filters, method, breaks, lowest, units,
                           data_version)
VALUES (%(layer)s, %(metric)s, %(set)s, %(filters)s, %(method)s, %(breaks)s, %(lowest)s,
        %(units)s, %(version)s)
ON CONFLICT (layer, metric, boundary_set, filters) DO NOTHING
