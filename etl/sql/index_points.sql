CREATE INDEX ON {points} USING gist (geom)
