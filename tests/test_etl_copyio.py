"""Arrow tables through binary COPY into PostgreSQL and back, and the numpy EWKB points."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import psycopg
import pyarrow as pa
import shapely

from etl.batchrows import _points_wkb
from etl.copyio import copy_in, copy_out


def test_binary_copy_keeps_every_type(conn: psycopg.Connection):
    conn.execute(
        "CREATE TEMP TABLE t (n integer, s smallint, b bigint, f float8, t text, "
        "at timestamptz, tags text[], geom geometry(Point, 4326))"
    )
    when = datetime(2025, 7, 1, 1, 2, 3, 456789, tzinfo=UTC)
    table = pa.table(
        {
            "n": pa.array([1, 2, None], pa.int32()),
            "s": pa.array([5, None, 1], pa.int16()),
            "b": pa.array([623286023437025279, -1, None], pa.int64()),
            "f": pa.array([0.7, None, 1e-9]),
            "t": pa.array(["Phường Bến Thành", "", None]),
            "at": pa.array([when, None, when], pa.timestamp("us", tz="UTC")),
            "tags": pa.array([["snapped", "split_ward"], [], None], pa.list_(pa.string())),
            "geom": _points_wkb(np.array([10.7769, np.nan, 10.0]), np.array([106.7, 1.0, 106.0])),
        }
    )
    copy_in(conn, "COPY t FROM STDIN (FORMAT binary)", table)
    rows = conn.execute(
        "SELECT n, s, b, f, t, at, tags, ST_AsText(geom), ST_SRID(geom) FROM t ORDER BY n"
    ).fetchall()
    assert rows[0] == (
        1, 5, 623286023437025279, 0.7, "Phường Bến Thành", when, ["snapped", "split_ward"],
        "POINT(106.7 10.7769)", 4326,
    )  # fmt: skip
    assert rows[1] == (2, None, -1, None, "", None, [], None, None)
    assert rows[2][:2] == (None, 1) and rows[2][7] == "POINT(106 10)"


def test_copy_out_tells_null_from_empty(conn: psycopg.Connection):
    schema = pa.schema([("code", pa.string()), ("n", pa.int32())])
    got = copy_out(
        conn,
        "COPY (SELECT * FROM (VALUES ('a', 1), ('', 2), (NULL, NULL)) AS v) TO STDOUT (FORMAT csv)",
        schema,
    )
    assert got.to_pylist() == [
        {"code": "a", "n": 1},
        {"code": "", "n": 2},
        {"code": None, "n": None},
    ]


def test_points_wkb_matches_shapely():
    lat, lon = np.array([10.5, -33.9, np.nan]), np.array([106.7, 151.2, 106.0])
    wkb = _points_wkb(lat, lon).to_pylist()
    for i in range(2):
        point = shapely.from_wkb(wkb[i])
        assert (point.x, point.y, shapely.get_srid(point)) == (lon[i], lat[i], 4326)
    assert wkb[2] is None
