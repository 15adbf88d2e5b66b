"""Hexagon geometry of H3 cells in `h3_cell` (lon/lat and Web Mercator shapes, areas), for
the cells complaints use and for the study areas of the analytics."""

from __future__ import annotations

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc

from etl import h3index
from etl.copyio import copy_in
from gis_db.sqlfiles import load_sql


def hexagons(cells: np.ndarray) -> pa.Table:
    """Cell, resolution, hexagon (WKB, lon/lat and Web Mercator) and area of `cells` (unique
    int64 ids), computed here rather than per cell in PostGIS."""
    cells = np.unique(np.asarray(cells, dtype=np.int64))
    polygons = h3index.cell_polygons_wkb(cells)
    return pa.table(
        {
            "cell": pa.array(cells, type=pa.int64()),
            "resolution": pa.array(h3index.resolution_of(cells)),
            "wkb": pa.array(polygons, type=pa.binary()),
            "wkb_3857": pa.array(h3index.cell_polygons_mercator_wkb(polygons), type=pa.binary()),
            "area_km2": pa.array(h3index.cell_areas_km2(cells), type=pa.float64()),
        }
    )


def store_hexagons(conn: psycopg.Connection, table: pa.Table) -> int:
    """Insert the hexagons of `table` (from `hexagons`) that `h3_cell` lacks; how many."""
    if table.num_rows == 0:
        return 0
    cells = table["cell"].to_numpy()
    found = conn.execute(load_sql("etl", "missing_cells.sql"), {"cells": cells.tolist()})
    missing = [r[0] for r in found]
    if not missing:
        return 0
    conn.execute(load_sql("etl", "create_cell_stage.sql"))
    new = table.filter(pc.is_in(table["cell"], value_set=pa.array(missing, pa.int64())))
    copy_in(conn, load_sql("etl", "copy_cells.sql"), new)
    conn.execute(load_sql("etl", "insert_cells.sql"))
    return len(missing)
