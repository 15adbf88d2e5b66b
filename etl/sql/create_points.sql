-- Points of the batch's rows that have coordinates (copied in spatial order).
CREATE UNLOGGED TABLE {points} (
    row_number integer NOT NULL,
    day date NOT NULL,
    geom geometry(Point, 4326) NOT NULL
)
