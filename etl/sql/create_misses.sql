-- Points that fell in no unit of a set they need.
CREATE UNLOGGED TABLE {misses} (
    row_number integer NOT NULL,
    set_id integer NOT NULL,
    geom geometry(Point, 4326) NOT NULL
)
