"""Ward choropleth metrics: computed once per boundary set, filters, data version and cut-off
for every unit of the set, then joined to the unit shapes of each tile.

Definitions (used everywhere these figures appear):
- `n`: complaints received in the span; `per_10k`: n per 10,000 residents (where known).
- `satisfaction`: mean rating (1-5) and `satisfied_share`: share of ratings of 4 or 5, both
  empirical-Bayes smoothed toward the set's pooled value; `rated` is their n.
- `on_time_rate`: closed on time / (closed on time + closed late + open overdue) at the
  cut-off; `timed` is that denominator. Closed late means closed after its due date.
- `overdue`: open complaints past their due date at the cut-off (the overdue backlog).
- `median_days`: median days from reception to closing, interpolated in the unit rollup's
  histogram bins; `closed` is its n. Beyond the last edge (60 days) it is reported as 60.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import psycopg

from analytics.smoothing import smooth_mean, smooth_share
from analytics.timeliness import on_time_rate
from gis_db.schema import CLOSE_DAY_BINS
from gis_db.sqlfiles import load_sql
from tiles.filters import TileFilters


@dataclass(frozen=True)
class Metric:
    """A choropleth metric: its Vietnamese title, unit, the count it rests on, its colours."""

    name: str
    title: str
    unit: str
    n: str  # the attribute that counts what the metric rests on
    higher_is_better: bool
    digits: int


WARD_METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("n", "Số phản ánh", "phản ánh", "n", False, 0),
        Metric("per_10k", "Phản ánh trên 10.000 dân", "phản ánh/10.000 dân", "n", False, 1),
        Metric("satisfaction", "Mức hài lòng trung bình (1–5)", "điểm", "rated", True, 2),
        Metric("satisfied_share", "Tỷ lệ hài lòng (4–5 điểm)", "%", "rated", True, 3),
        Metric("on_time_rate", "Tỷ lệ giải quyết đúng hạn", "%", "timed", True, 3),
        Metric("overdue", "Tồn đọng quá hạn", "phản ánh", "overdue", False, 0),
        Metric("median_days", "Số ngày giải quyết (trung vị)", "ngày", "closed", False, 1),
    )
}
DEFAULT_METRIC = "per_10k"


@dataclass(frozen=True)
class WardMetrics:
    """Metrics of every unit of a set, as arrays in the order of `codes`."""

    codes: list[str]
    columns: dict[str, np.ndarray]

    def params(self) -> dict[str, list]:
        """The arrays as bound parameters of wards.sql (NaN as NULL)."""
        out: dict[str, list] = {"codes": self.codes}
        for name, values in self.columns.items():
            if values.dtype.kind == "f":
                out[name] = [None if np.isnan(v) else round(float(v), 4) for v in values]
            else:
                out[name] = [int(v) for v in values]
        return out


def ward_metrics(
    conn: psycopg.Connection, set_slug: str, filters: TileFilters, as_of: datetime
) -> WardMetrics:
    """The choropleth metrics of every unit of `set_slug` for the filters at cut-off `as_of`."""
    params = {
        "set": set_slug,
        "from_day": filters.from_,
        "to_day": filters.to,
        "fields": list(filters.field) or None,
        "categories": list(filters.category) or None,
        "as_of": as_of,
    }
    rows = conn.execute(load_sql("tiles", "ward_metrics.sql"), params).fetchall()
    codes = [r[0] for r in rows]
    population = np.array([np.nan if r[1] is None else r[1] for r in rows], dtype=float)
    n, closed, late, rated, rating_sum, rating_sq, satisfied = (
        np.array([r[i] for r in rows], dtype=np.int64) for i in range(2, 9)
    )
    histogram = np.array([r[9] for r in rows], dtype=np.int64).reshape(len(rows), -1)
    overdue = np.array([r[10] for r in rows], dtype=np.int64)
    on_time = closed - late
    timed = on_time + late + overdue
    with np.errstate(invalid="ignore", divide="ignore"):
        per_10k = np.where(population > 0, n / population * 10_000, np.nan)
        on_time_share = on_time_rate(on_time, late, overdue)
    columns = {
        "n": n,
        "per_10k": per_10k,
        "satisfaction": smooth_mean(rating_sum, rating_sq, rated),
        "satisfied_share": smooth_share(satisfied, rated),
        "rated": rated,
        "on_time_rate": on_time_share,
        "timed": timed,
        "overdue": overdue,
        "median_days": binned_median(histogram, CLOSE_DAY_BINS),
        "closed": histogram.sum(axis=1),
    }
    return WardMetrics(codes, columns)


def binned_median(histogram: np.ndarray, edges: tuple[float, ...]) -> np.ndarray:
    """Medians of rows of bin counts (bins [0, e1), [e1, e2) ... [e_last, inf)), linearly
    interpolated inside the bin holding the middle; the open last bin reports its lower edge."""
    lower = np.array((0.0, *edges))
    upper = np.array((*edges, edges[-1]))
    out = np.full(len(histogram), np.nan)
    for i, counts in enumerate(histogram):
        total = counts.sum()
        if total == 0:
            continue
        half = total / 2
        cumulative = np.cumsum(counts)
        b = int(np.searchsorted(cumulative, half, side="left"))
        before = cumulative[b - 1] if b else 0
        share = (half - before) / counts[b] if counts[b] else 0.0
        out[i] = lower[b] + share * (upper[b] - lower[b])
    return out
