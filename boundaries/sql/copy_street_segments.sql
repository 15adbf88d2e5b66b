-- COPY target for street segments (geom as hex EWKB, SRID 4326).
COPY street_segment (dataset, name, name_key, street_type, district_name, length_m, geom) FROM STDIN
