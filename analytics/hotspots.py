"""Gi* hotspot runs: counts per H3 cell over a study area (the cells covering a boundary set,
zero counts included), Gi* with FDR, stored with their parameters and data version so that the
API and tiles reuse a run instead of computing it again. Emerging hot spots and recurring spots
store their runs in the same `hotspot_run` table (its `method` tells them apart)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import h3
import h3ronpy
import numpy as np
import psycopg
import pyarrow as pa
import shapely
from h3ronpy import ContainmentMode, vector
from psycopg import sql
from psycopg.types.json import Jsonb
from pydantic import BaseModel, Field

from analytics.gistar import GiStar, gi_star
from analytics.selection import Codes, Selection
from boundaries.errors import UnknownBoundarySet
from etl.copyio import copy_in
from etl.hexagons import hexagons, store_hexagons
from gis_db.sqlfiles import load_sql

METHOD = "gi*"
CELL_COLUMNS = {7: "h3_r7", 8: "h3_r8", 9: "h3_r9", 10: "h3_r10"}  # allow-list of identifiers
COARSE_RESOLUTION = 6  # study areas are covered at this resolution first
GRACE_MINUTES = 10  # a superseded run stays this long for tiles of the older data version


class HotspotParams(Selection):
    """What a Gi* run counts and how: resolution, ring size, fields, categories, a span of
    local reception days and the boundary set whose outline is the study area."""

    resolution: int = Field(8, ge=7, le=10, description="H3 resolution of the cells")
    k: int = Field(1, ge=1, le=3, description="Neighbours within k grid steps (binary weights)")
    set: str | None = Field(None, description="Boundary set of the study area (today's wards)")

    def key(self, boundary_set: str) -> str:
        """Canonical text of the parameters with the study area's set resolved."""
        return canonical_key(self, set=boundary_set)


def canonical_key(params: BaseModel, **resolved: object) -> str:
    """Canonical text of a run's parameters, with defaults that depend on the data (the study
    area's set, a last day) resolved: equal runs share it."""
    values = params.model_dump(mode="json", by_alias=True) | resolved
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Run:
    """A stored run: its id and whether this call computed it."""

    id: int
    computed: bool


@dataclass(frozen=True)
class RunKey:
    """What identifies a stored run: method, canonical parameters, data version."""

    method: str
    key: str
    version: int
    boundary_set: str


def data_version(conn: psycopg.Connection) -> int:
    """The data version every batch bumps (runs are stored per version)."""
    row = conn.execute(load_sql("tiles", "data_version.sql")).fetchone()
    return int(row[0]) if row else 0


def run_key(conn: psycopg.Connection, method: str, params: Codes) -> RunKey:
    """The key of the run of `method` for `params` at the current data version: codes
    checked, the study area's set resolved (`params` has field, category, set and key())."""
    check_codes(conn, params.field, params.category)
    boundary_set = study_set(conn, params.set)  # type: ignore[attr-defined]
    key = params.key(boundary_set)  # type: ignore[attr-defined]
    return RunKey(method, key, data_version(conn), boundary_set)


def find_run(conn: psycopg.Connection, run: RunKey) -> Run | None:
    """The stored run with this key, or None."""
    found = conn.execute(
        load_sql("analytics", "find_run.sql"),
        {"method": run.method, "key": run.key, "version": run.version},
    ).fetchone()
    return Run(int(found[0]), False) if found else None


def insert_run(
    conn: psycopg.Connection, run: RunKey, started: float, **figures: int | None
) -> int | None:
    """Store a finished run's summary (inside the caller's transaction); its id, or None when
    another worker stored the same run meanwhile. `figures`: resolution, n_cells,
    n_complaints, n_hot, n_cold, n_spots (missing ones NULL)."""
    names = ("resolution", "n_cells", "n_complaints", "n_hot", "n_cold", "n_spots")
    row = conn.execute(
        load_sql("analytics", "insert_run.sql"),
        {
            "method": run.method,
            "params": Jsonb(json.loads(run.key)),
            "key": run.key,
            "version": run.version,
            "set": run.boundary_set,
            **{name: figures.get(name) for name in names},
            "seconds": time.perf_counter() - started,
        },
    ).fetchone()
    if row:
        prune_runs(conn, run.method, run.key)
    return int(row[0]) if row else None


def prune_runs(
    conn: psycopg.Connection,
    method: str | None = None,
    key: str | None = None,
    days: int | None = None,
    grace_minutes: int = GRACE_MINUTES,
) -> int:
    """Delete runs superseded by a newer data version's run stored `grace_minutes` ago (and,
    with `days`, every run older than that); how many. Storing a run prunes its own
    parameters' superseded runs, so a live feed does not grow the tables."""
    cur = conn.execute(
        load_sql("analytics", "prune_runs.sql"),
        {"method": method, "key": key, "days": days, "grace_minutes": grace_minutes},
    )
    return len(cur.fetchall())


def run_gistar(conn: psycopg.Connection, params: HotspotParams) -> Run:
    """The stored Gi* run for `params` at the current data version, computed when missing."""
    run = run_key(conn, METHOD, params)
    found = find_run(conn, run)
    if found:
        return found
    started = time.perf_counter()
    cells, counts = study_counts(conn, params, run.boundary_set)
    result = gi_star(cells, counts, params.k)
    with conn.transaction():
        store_hexagons(conn, hexagons(result.cells))
        run_id = insert_run(
            conn, run, started,
            resolution=params.resolution,
            n_cells=len(result.cells),
            n_complaints=int(result.counts.sum()),
            n_hot=int((result.classes > 0).sum()),
            n_cold=int((result.classes < 0).sum()),
        )  # fmt: skip
        if run_id is None:  # stored meanwhile by another worker
            return find_run(conn, run)  # type: ignore[return-value]
        copy_in(conn, load_sql("analytics", "copy_cells.sql"), _cell_rows(run_id, result))
    return Run(run_id, True)


def study_counts(
    conn: psycopg.Connection, params: HotspotParams, boundary_set: str
) -> tuple[np.ndarray, np.ndarray]:
    """Every cell covering the set's outline (and any cell with complaints) with its count."""
    statement = sql.SQL(load_sql("analytics", "cell_counts.sql")).format(
        cell=sql.Identifier(CELL_COLUMNS[params.resolution])
    )
    rows = conn.execute(statement, params.selection_params()).fetchall()
    counted = np.array([r[0] for r in rows], dtype=np.int64)
    values = np.array([r[1] for r in rows], dtype=np.int64)
    area = covering_cells(conn, boundary_set, params.resolution)
    cells = np.union1d(area, counted)
    counts = np.zeros(len(cells), dtype=np.int64)
    counts[np.searchsorted(cells, counted)] = values
    return cells, counts


def covering_cells(conn: psycopg.Connection, boundary_set: str, resolution: int) -> np.ndarray:
    """Sorted int64 ids of the H3 cells that overlap the outline of a boundary set.

    Filling a detailed outline at resolution 9 takes h3 seconds; instead the outline is covered
    at resolution 6 (plus a ring, since a child may stick out of its parent), and the children
    of those cells that intersect the outline are kept (shapely, vectorised)."""
    wkb = conn.execute(load_sql("analytics", "study_area.sql"), {"set": boundary_set}).fetchone()
    if not wkb or wkb[0] is None:
        raise UnknownBoundarySet(f"boundary set '{boundary_set}' has no units")
    outline = shapely.from_wkb(bytes(wkb[0]))
    coarse = pa.array(
        vector.geometry_to_cells(
            outline, COARSE_RESOLUTION, containment_mode=ContainmentMode.IntersectsBoundary
        )
    )
    coarse = pa.array(h3ronpy.grid_disk(coarse, 1, flatten=True))
    children = pa.array(h3ronpy.change_resolution(coarse, resolution)).to_numpy()
    children = np.unique(children)
    shapes = pa.array(vector.cells_to_wkb_polygons(pa.array(children, type=pa.uint64())))
    shapely.prepare(outline)
    keep = shapely.intersects(outline, shapely.from_wkb(shapes.to_numpy(zero_copy_only=False)))
    return np.sort(children[keep].view(np.int64))


def check_codes(
    conn: psycopg.Connection, fields: tuple[str, ...], categories: tuple[str, ...]
) -> None:
    """ValueError for field or category codes the taxonomy does not have."""
    known: dict[str, set[str]] = {"field": set(), "category": set(), "unit": set()}
    for kind, code in conn.execute(load_sql("tiles", "taxonomy_codes.sql")):
        known[kind].add(code)
    for kind, wanted in (("field", fields), ("category", categories)):
        unknown = sorted(set(wanted) - known[kind])
        if unknown:
            raise ValueError(f"unknown {kind} code(s): {', '.join(unknown)}")


def study_set(conn: psycopg.Connection, slug: str | None) -> str:
    """The slug of a boundary set (today's ward set when None); UnknownBoundarySet if none."""
    if slug is None:
        row = conn.execute(load_sql("tiles", "current_set.sql")).fetchone()
        if not row:
            raise UnknownBoundarySet("no ward set is loaded (phananh boundaries load)")
        return row[0]
    if not conn.execute(load_sql("tiles", "set_exists.sql"), {"slug": slug}).fetchone()[0]:
        raise UnknownBoundarySet(f"no boundary set '{slug}' (see /boundaries/sets)")
    return slug


def _cell_rows(run_id: int, result: GiStar) -> pa.Table:
    return pa.table(
        {
            "run_id": pa.array(np.full(len(result.cells), run_id, dtype=np.int64)),
            "cell": pa.array(result.cells, type=pa.int64()),
            "n": pa.array(result.counts.astype(np.int32)),
            "z": pa.array(result.z, type=pa.float64()),
            "p": pa.array(result.p, type=pa.float64()),
            "p_fdr": pa.array(result.p_fdr, type=pa.float64()),
            "class": pa.array(result.classes.astype(np.int16)),
        }
    )


def run_summary(conn: psycopg.Connection, run_id: int) -> dict:
    """A stored run's parameters and figures."""
    cur = conn.execute(load_sql("analytics", "run_summary.sql"), {"id": run_id})
    names = [d.name for d in cur.description]
    row = cur.fetchone()
    out = dict(zip(names, row, strict=True))
    out["created_at"] = out["created_at"].isoformat()
    return out


def run_cells(conn: psycopg.Connection, run_id: int, everything: bool = False) -> list[dict]:
    """A run's cells (significant ones unless `everything`) with their hexagon as GeoJSON."""
    cur = conn.execute(load_sql("analytics", "run_cells.sql"), {"id": run_id, "all": everything})
    return [
        {
            "cell": h3.int_to_str(cell & ((1 << 64) - 1)),
            "n": n,
            "z": z,
            "p": p,
            "p_fdr": p_fdr,
            "class": klass,
            "geometry": json.loads(geometry),
        }
        for cell, n, z, p, p_fdr, klass, geometry in cur
    ]
