-- A spatial index, so that the point-in-polygon join can walk the polygons and reuse each
-- prepared polygon; statistics, for the plans of the joins that follow.
CREATE INDEX ON {points} USING gist (geom);
ANALYZE {points}
