-- Every frozen class break, for `phananh tiles breaks`.
SELECT layer, metric, boundary_set, filters, method, breaks, computed_at
FROM legend_breaks
ORDER BY layer, metric, boundary_set, filters
