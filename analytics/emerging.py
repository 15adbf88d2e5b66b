"""Emerging hot spots: space-time Gi* over time steps of H3 cells, the Mann–Kendall trend of
each cell's z-scores, and the 17 pattern categories of ArcGIS's Emerging Hot Spot Analysis
(8 hot, 8 cold, no pattern), classified by the rules its documentation states.

A bin (cell i, step t) has as neighbours the cells within k grid steps of i (i included) in
step t and the `window` steps before it; the mean and spread are those of the whole cube.
Bins are significant after a Benjamini–Hochberg correction within each time step, at 90 %
confidence (ArcGIS counts a bin as a hot or cold spot at any of its three levels).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import h3
import numpy as np
import psycopg
from psycopg import sql
from pydantic import Field
from scipy import stats

from analytics.gistar import ring_weights
from analytics.hotspots import CELL_COLUMNS, check_codes, covering_cells, study_set
from analytics.selection import Codes
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


def emerging(cells: np.ndarray, counts: np.ndarray, k: int = 1, window: int = 1) -> list[str]:
    """The pattern of every cell of a cube (cells × steps)."""
    cube = space_time_gi(cells, counts, k, window)
    out = []
    for i in range(len(cells)):
        tau, p = mann_kendall(cube.z[i])
        out.append(classify(cube.hot[i], cube.cold[i], tau, p))
    return out


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


def emerging_spots(conn: psycopg.Connection, params: EmergingParams) -> dict:
    """Patterns of the study cells: counts per category and the cells with a pattern."""
    check_codes(conn, params.field, params.category)
    boundary_set = study_set(conn, params.set)
    last_day = params.last_day or datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    area = covering_cells(conn, boundary_set, params.resolution)
    cells, counts = cube_counts(
        conn, area, params.resolution, last_day, params.steps, params.step_days,
        params.field, params.category,
    )  # fmt: skip
    patterns = emerging(cells, counts, params.k, params.window)
    first_day = last_day - timedelta(days=params.steps * params.step_days - 1)
    found = [
        {
            "cell": h3.int_to_str(int(cell) & ((1 << 64) - 1)),
            "pattern": pattern,
            "n": int(row.sum()),
            "n_last_step": int(row[-1]),
            "geometry": {
                "type": "Polygon",
                "coordinates": [_ring(h3.int_to_str(int(cell) & ((1 << 64) - 1)))],
            },
        }
        for cell, pattern, row in zip(cells, patterns, counts, strict=True)
        if pattern != "no pattern"
    ]
    tally = Counter(patterns)
    return {
        "params": params.model_dump(mode="json") | {"set": boundary_set},
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        "cells": len(cells),
        "complaints": int(counts.sum()),
        "categories": {name: tally.get(name, 0) for name in _ALL},
        "spots": found,
    }


_ALL = tuple(f"{c} {kind}" for kind in ("hot", "cold") for c in CATEGORIES) + ("no pattern",)


def _ring(index: str) -> list[list[float]]:
    ring = [[round(lng, 7), round(lat, 7)] for lat, lng in h3.cell_to_boundary(index)]
    return ring + [ring[0]]
