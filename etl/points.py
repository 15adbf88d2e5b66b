"""Units of a batch's points: point in polygon in PostGIS, the bookkeeping around it in numpy.

Each point gets the unit of the boundary set in force on its reception day ('dated') and the
unit of today's set ('current'). Points just outside every unit of a set snap to the nearest
one within the tolerance. The units of a list-only version (no polygons of its own) come from
the polygons it was drawn from, through the crosswalk; a point in a unit on its reception day
but in no unit of today's set (coastlines drawn differently) gets today's unit by following
the crosswalks forward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
from psycopg.types.json import Jsonb

from boundaries.locate import LIST_ONLY_VERSIONS
from etl.copyio import copy_in, copy_out
from gis_db.sqlfiles import load_sql

UNITS = ("ward_set", "ward_code", "current_set", "current_ward_code")
_GROUPS = pa.schema([("set_id", pa.int32()), ("code", pa.string()), ("rows", pa.string())])
_SNAPS = pa.schema([("row_number", pa.int32()), ("set_id", pa.int32()), ("code", pa.string())])


@dataclass
class Period:
    """A boundary set answering a role over a span of reception days (None = open)."""

    role: str
    set_id: int
    target: str
    via: str | None
    valid_from: date | None
    valid_to: date | None

    def covers(self, days: np.ndarray) -> np.ndarray:
        """Which of `days` (datetime64[D]) fall in the period."""
        inside = np.ones(len(days), dtype=bool)
        if self.valid_from is not None:
            inside &= days >= np.datetime64(self.valid_from, "D")
        if self.valid_to is not None:
            inside &= days <= np.datetime64(self.valid_to, "D")
        return inside


@dataclass
class Located:
    """Geocoding of the points, aligned with them."""

    units: dict[str, np.ndarray]
    method: np.ndarray
    confidence: np.ndarray
    candidates: np.ndarray
    flags: dict[str, np.ndarray] = field(default_factory=dict)


def locate(
    conn: psycopg.Connection,
    statement: Callable[[str], object],
    points: pa.Table,
    tolerance_m: float,
) -> Located:
    """Units of `points` (row_number, day, geom as EWKB) inside the open transaction;
    `statement` composes a statement of etl/sql on the batch's tables."""
    row_numbers = points["row_number"].to_numpy()
    days = points["day"].to_numpy(zero_copy_only=False).astype("datetime64[D]")
    conn.execute(statement("create_points.sql"))
    copy_in(conn, statement("copy_points.sql"), points)
    conn.execute(statement("index_points.sql"))

    periods = _periods(conn)
    dated = _choose(periods, "dated", days)
    current = _choose(periods, "current", days)
    used = sorted(
        {periods[i].set_id for i in np.unique(np.concatenate([dated, current])) if i >= 0}
    )
    codes = _point_in_polygon(conn, statement, row_numbers, used)
    snapped = _snap(conn, statement, points, periods, dated, current, codes, tolerance_m)

    def hits(chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        code = np.full(len(row_numbers), None, dtype=object)
        snap = np.zeros(len(row_numbers), dtype=bool)
        for i in np.unique(chosen[chosen >= 0]):
            at = chosen == i
            set_id = periods[i].set_id
            code[at] = codes[set_id][row_numbers[at]]
            snap[at] = snapped[set_id][row_numbers[at]]
        return code, snap

    d_code, d_snap = hits(dated)
    c_code, c_snap = hits(current)
    return _resolve(conn, periods, dated, d_code, d_snap, current, c_code, c_snap)


def _periods(conn: psycopg.Connection) -> list[Period]:
    list_only = [
        {"version": v, "via": via, "valid_from": str(a), "valid_to": str(b)}
        for v, (a, b, via) in LIST_ONLY_VERSIONS.items()
    ]
    rows = conn.execute(_sql("periods.sql"), {"list_only": Jsonb(list_only)}).fetchall()
    return [Period(*row) for row in rows]


def _choose(periods: list[Period], role: str, days: np.ndarray) -> np.ndarray:
    """Index of the period of `role` that answers each day (-1 when none); where several do,
    the lowest target wins (periods come sorted by role and target)."""
    chosen = np.full(len(days), -1, dtype=np.int64)
    for i in reversed(range(len(periods))):
        if periods[i].role == role:
            chosen[periods[i].covers(days)] = i
    return chosen


def _point_in_polygon(
    conn: psycopg.Connection,
    statement: Callable[[str], object],
    row_numbers: np.ndarray,
    set_ids: list[int],
) -> dict[int, np.ndarray]:
    """Per set: the unit code of every row number (None outside every unit). Where two pieces
    claim a point (slivers), the lowest code wins."""
    size = int(row_numbers.max()) + 1
    codes = {s: np.full(size, None, dtype=object) for s in set_ids}
    groups = copy_out(conn, statement("point_units.sql"), _GROUPS, {"set_ids": set_ids})
    order = sorted(
        zip(groups["set_id"].to_pylist(), groups["code"].to_pylist(), groups["rows"].to_pylist(),
            strict=True),
        key=lambda g: g[1],
        reverse=True,
    )  # fmt: skip
    for set_id, code, rows in order:
        codes[set_id][np.array(rows.split(), dtype=np.int64)] = code
    return codes


def _snap(
    conn: psycopg.Connection,
    statement: Callable[[str], object],
    points: pa.Table,
    periods: list[Period],
    dated: np.ndarray,
    current: np.ndarray,
    codes: dict[int, np.ndarray],
    tolerance_m: float,
) -> dict[int, np.ndarray]:
    """Fill in the codes of points just outside every unit of a set they need; return, per
    set, which row numbers were snapped."""
    row_numbers = points["row_number"].to_numpy()
    size = len(next(iter(codes.values()))) if codes else 0
    snapped = {s: np.zeros(size, dtype=bool) for s in codes}
    positions, set_ids = [], []
    for chosen in (dated, current):
        for i in np.unique(chosen[chosen >= 0]):
            at = np.flatnonzero(chosen == i)
            at = at[pd.isna(codes[periods[i].set_id][row_numbers[at]])]
            positions.append(at)
            set_ids.append(np.full(len(at), periods[i].set_id, dtype=np.int32))
    if not positions or not sum(len(p) for p in positions):
        return snapped
    misses = pa.table(
        {
            "position": pa.array(np.concatenate(positions)),
            "set_id": pa.array(np.concatenate(set_ids)),
        }
    )
    misses = misses.group_by(["position", "set_id"], use_threads=False).aggregate([])
    take = misses["position"]
    misses = pa.table(
        {
            "row_number": points["row_number"].take(take),
            "set_id": misses["set_id"],
            "geom": points["geom"].take(take),
        }
    )
    conn.execute(statement("create_misses.sql"))
    copy_in(conn, statement("copy_misses.sql"), misses)
    params = {"tolerance_m": tolerance_m, "tolerance_deg": tolerance_m / 100_000.0}
    found = copy_out(conn, statement("snap_points.sql"), _SNAPS, params)
    for row, set_id, code in zip(*(found[c].to_pylist() for c in _SNAPS.names), strict=True):
        codes[set_id][row] = code
        snapped[set_id][row] = True
    return snapped


def _resolve(
    conn: psycopg.Connection,
    periods: list[Period],
    dated: np.ndarray,
    d_code: np.ndarray,
    d_snap: np.ndarray,
    current: np.ndarray,
    c_code: np.ndarray,
    c_snap: np.ndarray,
) -> Located:
    """Units, method, confidence, candidates and flags from the dated and current hits; worked
    out once per distinct combination (a few thousand), then spread to the points."""
    steps = {
        (a, b, c): (to, split, tuple(cands))
        for a, b, c, to, split, cands in conn.execute(_sql("crosswalk_steps.sql"))
    }
    targets = sorted({p.target for p in periods if p.role == "current"})
    forward = {
        (start, code): (to_version, to_code, split, tuple(cands))
        for start, code, to_version, to_code, split, cands in conn.execute(
            _sql("crosswalk_forward.sql"), {"targets": targets}
        )
    }  # later rows (lower to_version) win, like the lowest target elsewhere
    keys = pd.DataFrame(
        {
            "dated": np.where(pd.isna(d_code), -1, dated),
            "d_code": d_code,
            "d_snap": d_snap,
            "current": np.where(pd.isna(c_code), -1, current),
            "c_code": c_code,
            "c_snap": c_snap,
        }
    )
    combo, uniques = pd.MultiIndex.from_frame(keys.fillna("")).factorize()
    rows = len(uniques)
    out = {
        **{u: np.full(rows, None, dtype=object) for u in UNITS},
        "method": np.full(rows, None, dtype=object),
        "confidence": np.zeros(rows),
        "candidates": np.full(rows, None, dtype=object),
    }
    flags: dict[str, np.ndarray] = {}

    def flag(name: str, k: int) -> None:
        flags.setdefault(name, np.zeros(rows, dtype=bool))[k] = True

    for k, (di, dc, ds, ci, cc, cs) in enumerate(uniques):
        d = periods[di] if di >= 0 else None
        c = periods[ci] if ci >= 0 else None
        x = steps.get((d.via, d.target, dc)) if d is not None and d.via else None
        ward_code = (x[0] if x else dc) if d is not None else None
        f = forward.get((d.target, ward_code)) if c is None and d is not None else None
        split = bool((x and x[1]) or (f and f[1]))
        out["ward_set"][k] = d.target if d is not None else None
        out["ward_code"][k] = ward_code
        out["current_set"][k] = c.target if c is not None else (f[0] if f else None)
        out["current_ward_code"][k] = cc if c is not None else (f[1] if f and not f[2] else None)
        if c is None and d is None:
            out["method"][k], out["confidence"][k] = "none", 0.0
            flag("outside_coverage", k)
            flag("unlocated", k)
            continue
        snapped = bool((c is not None and cs) or (d is not None and ds))
        out["method"][k] = "snapped" if snapped else "coordinates"
        out["confidence"][k] = 0.8 if snapped else 0.7 if split else 0.8 if c is None else 1.0
        if x and x[1]:
            out["candidates"][k] = x[2]
        elif c is None and f and f[2]:
            out["candidates"][k] = f[3]
        if snapped:
            flag("snapped", k)
        if split:
            flag("split_ward", k)
        if c is None:
            flag("current_via_crosswalk" if f and f[1] is not None else "no_current_unit", k)
    return Located(
        units={u: out[u][combo] for u in UNITS},
        method=out["method"][combo],
        confidence=out["confidence"][combo],
        candidates=out["candidates"][combo],
        flags={name: mask[combo] for name, mask in flags.items()},
    )


def _sql(name: str) -> str:
    return load_sql("etl", name)
