"""Emerging hot spots: space-time Gi* over time steps of H3 cells, the Mann–Kendall trend of
each cell's z-scores, and the 17 pattern categories of ArcGIS's Emerging Hot Spot Analysis
(8 hot, 8 cold, no pattern), classified by the rules its documentation states.

A bin (cell i, step t) has as neighbours the cells within k grid steps of i (i included) in
step t and the `window` steps before it; the mean and spread are those of the whole cube.
Bins are significant after a Benjamini–Hochberg correction within each time step, at 90 %
confidence (ArcGIS counts a bin as a hot or cold spot at any of its three levels).

A run is stored (`hotspot_run` with method 'emerging', `emerging_cell`) per parameters, last
day and data version, and reused by the API, the CLI and the `hotspots` tile layer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import h3
import numpy as np
import psycopg
import pyarrow as pa
from psycopg import sql
from pydantic import Field
from scipy import stats

from analytics.gistar import ring_weights
from analytics.hotspots import (
    CELL_COLUMNS,
    Run,
    canonical_key,
    covering_cells,
    find_run,
    insert_run,
    run_key,
    run_summary,
)
from analytics.selection import Codes
from etl.copyio import copy_in
from etl.hexagons import hexagons, store_hexagons
from gis_db.sqlfiles import load_sql

ALPHA = 0.10  # a bin is a significant hot or cold spot at 90 % confidence or more
TREND_ALPHA = 0.05  # a trend is significant at 95 %
SHARE = 0.90  # "at least ninety percent of the time steps"

CATEGORIES = (
    "new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic",
    "oscillating", "historical",
)  # fmt: skip
NAMES_VI = {
    "new": "mới", "consecutive": "liên tiếp", "intensifying": "tăng cường",
    "persistent": "kéo dài", "diminishing": "suy giảm", "sporadic": "rải rác",
    "oscillating": "dao động", "historical": "trong quá khứ",
}  # fmt: skip
METHOD = "emerging"
NO_PATTERN = "no pattern"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Cube:
    """Space-time Gi* of a cube: z-scores and significant hot / cold bins (cells × steps)."""

    cells: np.ndarray
    z: np.ndarray
    hot: np.ndarray
    cold: np.ndarray


def space_time_gi(cells: np.ndarray, counts: np.ndarray, k: int = 1, window: int = 1) -> Cube:
    """Gi* of every bin of `counts` (cells × steps, cells sorted) with a neighbourhood of k
    grid steps and `window` earlier steps."""
    x = np.asarray(counts, dtype=float)
    n_cells, steps = x.shape
    w = ring_weights(np.asarray(cells, dtype=np.int64), k)
    spatial = w @ x  # neighbourhood sums within each step
    ring = np.asarray(w.sum(axis=1)).ravel()
    sums = np.zeros_like(spatial)
    weights = np.zeros_like(spatial)
    for back in range(window + 1):  # this step and `window` steps before it
        sums[:, back:] += spatial[:, : steps - back]
        weights[:, back:] += ring[:, None]
    total = x.size
    mean = x.mean()
    spread = np.sqrt((x**2).mean() - mean**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (sums - mean * weights) / (
            spread * np.sqrt((total * weights - weights**2) / (total - 1))
        )
    z = np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)
    p = 2 * stats.norm.sf(np.abs(z))
    significant = np.zeros_like(z, dtype=bool)
    for t in range(steps):  # FDR within each time step
        significant[:, t] = stats.false_discovery_control(p[:, t], method="bh") <= ALPHA
    return Cube(np.asarray(cells), z, significant & (z > 0), significant & (z < 0))


def mann_kendall(series: np.ndarray) -> tuple[float, float]:
    """Kendall's tau of a series against time and its two-sided p (the Mann–Kendall test)."""
    series = np.asarray(series, dtype=float)
    if len(series) < 3 or np.ptp(series) == 0:
        return 0.0, 1.0
    tau, p = stats.kendalltau(np.arange(len(series)), series)
    return float(tau), float(p)


def mann_kendall_rows(series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`mann_kendall` of every row of a matrix (cells × steps) at once: tau-b and the two-sided
    p of its normal approximation with the tie correction, as scipy computes them; rows that
    scipy tests exactly (no ties and at most 33 steps, or one discordant pair at most) and
    constant rows go through `mann_kendall`."""
    series = np.asarray(series, dtype=float)
    rows, steps = series.shape
    tau, p = np.zeros(rows), np.ones(rows)
    if steps < 3:
        return tau, p
    later = np.triu(np.ones((steps, steps), dtype=np.int8), 1)  # pairs i < j
    pairs = steps * (steps - 1) // 2
    m = steps * (steps - 1.0)
    chunk = max(1, 2_000_000 // (steps * steps))  # rows per block: ~16 MB of differences
    for start in range(0, rows, chunk):
        block = series[start : start + chunk]
        diff = block[:, None, :] - block[:, :, None]  # [r, i, j] = y_j - y_i
        s = (np.sign(diff) * later).sum(axis=(1, 2))  # concordant - discordant pairs
        equal = diff == 0
        same = equal.sum(axis=2)  # values equal to each, itself included
        ties = (same - 1).sum(axis=1) // 2  # tied pairs
        triples = ((same - 1) * (same - 2)).sum(axis=1)  # sum of t(t-1)(t-2) over tie groups
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.clip(s / np.sqrt(pairs) / np.sqrt(pairs - ties), -1.0, 1.0)
            var = (m * (2 * steps + 5) - (2 * triples + 18 * ties)) / 18
            z = s / np.sqrt(var)
        tau[start : start + chunk] = t
        p[start : start + chunk] = 2 * stats.norm.sf(np.abs(z))
        discordant = (pairs - ties - s) // 2
        exact = (ties == 0) & ((steps <= 33) | (np.minimum(discordant, pairs - discordant) <= 1))
        for i in np.flatnonzero(exact | (ties == pairs)):
            tau[start + i], p[start + i] = mann_kendall(block[i])
    return tau, p


def classify(hot: np.ndarray, cold: np.ndarray, tau: float, p: float) -> str:
    """The pattern of one location from its significant hot and cold steps (oldest first) and
    the trend of its z-scores: '<category> hot', '<category> cold' or 'no pattern'."""
    hot, cold = np.asarray(hot, dtype=bool), np.asarray(cold, dtype=bool)
    if hot[-1]:
        return _pattern(hot, cold, tau, p) + " hot"
    if cold[-1]:
        return _pattern(cold, hot, -tau, p) + " cold"
    if hot.sum() >= SHARE * len(hot):
        return "historical hot"
    if cold.sum() >= SHARE * len(cold):
        return "historical cold"
    return "no pattern"


def _pattern(spot: np.ndarray, other: np.ndarray, tau: float, p: float) -> str:
    """The category of a location that is a spot (hot, or cold with roles swapped) in the
    final step; `tau` is oriented so that positive means intensifying."""
    steps = len(spot)
    before = spot[:-1]
    if not before.any():
        return "new"
    share = spot.sum() / steps
    if share >= SHARE:
        if p <= TREND_ALPHA and tau > 0:
            return "intensifying"
        if p <= TREND_ALPHA and tau < 0:
            return "diminishing"
        return "persistent"
    run = steps - np.flatnonzero(~spot)[-1] - 1 if (~spot).any() else steps  # final run length
    if run >= 2 and not spot[: steps - run].any():
        return "consecutive"
    if other[:-1].any():
        return "oscillating"
    return "sporadic"


@dataclass(frozen=True)
class Patterns:
    """The pattern of every cell of a cube with what decided it: the trend of its z-scores,
    the last step's z and its counts of significant steps."""

    patterns: list[str]
    tau: np.ndarray
    p: np.ndarray
    z_last: np.ndarray
    hot_steps: np.ndarray
    cold_steps: np.ndarray


def patterns_of(cells: np.ndarray, counts: np.ndarray, k: int = 1, window: int = 1) -> Patterns:
    """Patterns of the cells of a cube (cells × steps), with their trends."""
    cube = space_time_gi(cells, counts, k, window)
    tau, p = mann_kendall_rows(cube.z)
    found = [
        classify(cube.hot[i], cube.cold[i], float(tau[i]), float(p[i])) for i in range(len(cells))
    ]
    return Patterns(found, tau, p, cube.z[:, -1], cube.hot.sum(axis=1), cube.cold.sum(axis=1))


def emerging(cells: np.ndarray, counts: np.ndarray, k: int = 1, window: int = 1) -> list[str]:
    """The pattern of every cell of a cube (cells × steps)."""
    return patterns_of(cells, counts, k, window).patterns


def cube_counts(
    conn: psycopg.Connection,
    cells_of_area: np.ndarray,
    resolution: int,
    last_day: date,
    steps: int,
    step_days: int,
    fields: tuple[str, ...],
    categories: tuple[str, ...],
) -> tuple[np.ndarray, np.ndarray]:
    """The cube: every study cell (and any cell with complaints) × `steps` steps of
    `step_days` days ending on `last_day` (oldest step first)."""
    statement = sql.SQL(load_sql("analytics", "cell_steps.sql")).format(
        cell=sql.Identifier(CELL_COLUMNS[resolution])
    )
    rows = conn.execute(
        statement,
        {"last_day": last_day, "step_days": step_days, "steps": steps,
         "fields": list(fields) or None, "categories": list(categories) or None},
    ).fetchall()  # fmt: skip
    found = np.array([r[0] for r in rows], dtype=np.int64)
    cells = np.union1d(cells_of_area, found)
    counts = np.zeros((len(cells), steps), dtype=np.int64)
    if rows:
        step = np.array([r[1] for r in rows], dtype=np.int64)
        counts[np.searchsorted(cells, found), step] = np.array([r[2] for r in rows])
    return cells, counts


class EmergingParams(Codes):
    """A cube of `steps` steps of `step_days` days ending on `last_day`, at a resolution."""

    resolution: int = Field(8, ge=7, le=9, description="H3 resolution of the cells")
    k: int = Field(1, ge=1, le=3, description="Neighbours within k grid steps")
    window: int = Field(1, ge=0, le=4, description="Earlier steps in a bin's neighbourhood")
    steps: int = Field(52, ge=4, le=260, description="Time steps")
    step_days: int = Field(7, ge=1, le=92, description="Days per step")
    last_day: date | None = Field(None, description="Last day of the last step (today)")
    set: str | None = Field(None, description="Boundary set of the study area (today's wards)")

    def last(self) -> date:
        """The last day of the cube: `last_day`, or today (local)."""
        return self.last_day or datetime.now(TZ).date()

    def key(self, boundary_set: str) -> str:
        """Canonical text of the parameters with the study area's set and last day resolved."""
        return canonical_key(self, set=boundary_set, last_day=self.last().isoformat())


def run_emerging(conn: psycopg.Connection, params: EmergingParams) -> Run:
    """The stored emerging run for `params` (last day resolved) at the current data version,
    computed when missing."""
    last_day = params.last()
    run = run_key(conn, METHOD, params)
    found = find_run(conn, run)
    if found:
        return found
    started = time.perf_counter()
    area = covering_cells(conn, run.boundary_set, params.resolution)
    cells, counts = cube_counts(
        conn, area, params.resolution, last_day, params.steps, params.step_days,
        params.field, params.category,
    )  # fmt: skip
    found_patterns = patterns_of(cells, counts, params.k, params.window)
    families = [p.rpartition(" ")[2] for p in found_patterns.patterns]
    with conn.transaction():
        store_hexagons(conn, hexagons(cells))
        run_id = insert_run(
            conn, run, started,
            resolution=params.resolution,
            n_cells=len(cells),
            n_complaints=int(counts.sum()),
            n_hot=families.count("hot"),
            n_cold=families.count("cold"),
        )  # fmt: skip
        if run_id is None:  # stored meanwhile by another worker
            return find_run(conn, run)  # type: ignore[return-value]
        rows = _cell_rows(run_id, cells, counts, found_patterns)
        copy_in(conn, load_sql("analytics", "copy_emerging.sql"), rows)
    return Run(run_id, True)


def _cell_rows(run_id: int, cells: np.ndarray, counts: np.ndarray, found: Patterns) -> pa.Table:
    n = len(cells)
    return pa.table(
        {
            "run_id": pa.array(np.full(n, run_id, dtype=np.int64)),
            "cell": pa.array(np.asarray(cells, dtype=np.int64)),
            "pattern": pa.array(found.patterns, type=pa.string()),
            "n": pa.array(counts.sum(axis=1).astype(np.int32)),
            "n_last_step": pa.array(counts[:, -1].astype(np.int32)),
            "z_last": pa.array(found.z_last, type=pa.float64()),
            "tau": pa.array(found.tau, type=pa.float64()),
            "p_trend": pa.array(found.p, type=pa.float64()),
            "hot_steps": pa.array(found.hot_steps.astype(np.int16)),
            "cold_steps": pa.array(found.cold_steps.astype(np.int16)),
        }
    )


def emerging_spots(conn: psycopg.Connection, params: EmergingParams) -> dict:
    """Patterns of the study cells: counts per category and the cells with a pattern (from
    the stored run, computed when missing)."""
    run = run_emerging(conn, params)
    summary = run_summary(conn, run.id)
    last_day = date.fromisoformat(summary["params"]["last_day"])
    first_day = last_day - timedelta(days=params.steps * params.step_days - 1)
    tally = dict(conn.execute(load_sql("analytics", "emerging_tally.sql"), {"id": run.id}))
    found = []
    for cell, pattern, n, n_last in conn.execute(
        load_sql("analytics", "emerging_cells.sql"), {"id": run.id}
    ):
        index = h3.int_to_str(int(cell) & ((1 << 64) - 1))
        found.append(
            {
                "cell": index,
                "pattern": pattern,
                "n": n,
                "n_last_step": n_last,
                "geometry": {"type": "Polygon", "coordinates": [_ring(index)]},
            }
        )
    return {
        "params": params.model_dump(mode="json") | {"set": summary["boundary_set"]},
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        "cells": summary["n_cells"],
        "complaints": summary["n_complaints"],
        "categories": {name: tally.get(name, 0) for name in _ALL},
        "spots": found,
    }


def pattern_name(pattern: str) -> str:
    """The Vietnamese name of a pattern ('new hot' → 'Điểm nóng mới')."""
    if pattern == NO_PATTERN:
        return "Không có xu hướng"
    category, _, family = pattern.rpartition(" ")
    return f"Điểm {'nóng' if family == 'hot' else 'lạnh'} {NAMES_VI[category]}"


_ALL = tuple(f"{c} {kind}" for kind in ("hot", "cold") for c in CATEGORIES) + (NO_PATTERN,)
PATTERNS = _ALL  # the 17 patterns: 8 hot, 8 cold, no pattern


def _ring(index: str) -> list[list[float]]:
    ring = [[round(lng, 7), round(lat, 7)] for lat, lng in h3.cell_to_boundary(index)]
    return ring + [ring[0]]
