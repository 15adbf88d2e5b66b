"""Spike alerts per ward × field: the last week's count against the ward's own baseline (the
weeks before it), flagged when a count that high is improbable.

From `baseline_weeks` weeks, the week's count x is a spike when P(X ≥ x) ≤ `alpha` and
x ≥ `min_count`, with X Poisson at the baseline mean, or negative binomial with the baseline's
mean and variance when those weeks are overdispersed. A ward with no history gets a mean of
0.5 per week, so a first complaint alone is never an alert."""

from __future__ import annotations

from datetime import date

import numpy as np
import psycopg
from pydantic import BaseModel, ConfigDict, Field
from scipy import stats

from analytics.hotspots import study_set
from analytics.names import code_names
from gis_db.sqlfiles import load_sql

FLOOR = 0.5  # baseline of a ward and field without history, per week


class AlertParams(BaseModel):
    """The week to test (ending on `last_day`) and how unusual a count must be."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    last_day: date = Field(description="Last day of the week tested")
    baseline_weeks: int = Field(12, ge=2, le=104, description="Weeks before it, for the baseline")
    alpha: float = Field(0.001, gt=0, lt=0.5, description="Poisson tail probability to alert")
    min_count: int = Field(5, ge=1, description="Complaints in the week, at least")
    set: str | None = Field(None, description="Boundary set (today's wards)")


def spikes(counts: np.ndarray, alpha: float, min_count: int) -> tuple[np.ndarray, np.ndarray]:
    """For series (rows) of weekly counts, oldest first: whether the last week is a spike
    against the others, and its tail probability P(X ≥ last week's count).

    X is Poisson with the baseline mean, or negative binomial with the baseline's mean and
    variance when the weeks vary more than Poisson counts do (storms, seasons, growth)."""
    counts = np.asarray(counts, dtype=float)
    before = counts[:, :-1]
    mean = np.maximum(before.mean(axis=1), FLOOR)
    var = before.var(axis=1, ddof=1)
    last = counts[:, -1]
    tail = stats.poisson.sf(last - 1, mean)
    wide = var > mean
    size = mean[wide] ** 2 / (var[wide] - mean[wide])  # NB with this mean and variance
    tail[wide] = stats.nbinom.sf(last[wide] - 1, size, size / (size + mean[wide]))
    return (tail <= alpha) & (last >= min_count), tail


def spike_alerts(conn: psycopg.Connection, params: AlertParams) -> dict:
    """The ward × field spikes of the week ending on `last_day`."""
    boundary_set = study_set(conn, params.set)
    weeks = params.baseline_weeks + 1
    rows = conn.execute(
        load_sql("analytics", "ward_field_weeks.sql"),
        {"set": boundary_set, "last_day": params.last_day, "weeks": weeks},
    ).fetchall()
    keys = sorted({(r[0], r[1]) for r in rows})
    index = {k: i for i, k in enumerate(keys)}
    counts = np.zeros((len(keys), weeks), dtype=np.int64)
    for unit, field, week, n in rows:
        counts[index[(unit, field)], week] = n
    flagged, tail = spikes(counts, params.alpha, params.min_count) if keys else ([], [])
    names = code_names(conn, "ward")
    alerts = [
        {
            "unit": unit,
            "name": names.get(unit),
            "field": field,
            "count": int(counts[i, -1]),
            "baseline": round(float(max(counts[i, :-1].mean(), FLOOR)), 2),
            "p": float(tail[i]),
        }
        for i, (unit, field) in enumerate(keys)
        if flagged[i]
    ]
    alerts.sort(key=lambda a: a["p"])
    return {
        "set": boundary_set,
        "last_day": params.last_day.isoformat(),
        "series": len(keys),
        "alerts": alerts,
    }
