"""Satisfaction per ward: mean rating (1–5) and share satisfied (4–5), raw and empirical-Bayes
smoothed toward the city (the negative between-ward variance case gives every ward the pooled
value), always with n, the number of ratings."""

from __future__ import annotations

import numpy as np
import psycopg
from pydantic import Field

from analytics.hotspots import check_codes, study_set
from analytics.selection import Selection
from analytics.smoothing import smooth_mean, smooth_share
from gis_db.sqlfiles import load_sql


class SatisfactionParams(Selection):
    """Which complaints' ratings, for the units of which set."""

    set: str | None = Field(None, description="Boundary set (today's wards by default)")


def satisfaction(conn: psycopg.Connection, params: SatisfactionParams) -> dict:
    """Per unit: n, ratings, raw and smoothed mean rating and share satisfied."""
    check_codes(conn, params.field, params.category)
    boundary_set = study_set(conn, params.set)
    rows = conn.execute(
        load_sql("analytics", "satisfaction.sql"),
        {"set": boundary_set, **params.selection_params()},
    ).fetchall()  # fmt: skip
    rated, rating_sum, rating_sq, satisfied = (
        np.array([r[i] for r in rows], dtype=np.int64) for i in (3, 4, 5, 6)
    )
    mean = smooth_mean(rating_sum, rating_sq, rated)
    share = smooth_share(satisfied, rated)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw_mean = np.where(rated > 0, rating_sum / np.maximum(rated, 1), np.nan)
        raw_share = np.where(rated > 0, satisfied / np.maximum(rated, 1), np.nan)
    units = [
        {
            "code": r[0],
            "name": r[1],
            "n": int(r[2]),
            "rated": int(rated[i]),
            "mean_rating": _num(raw_mean[i]),
            "mean_rating_smoothed": _num(mean[i]),
            "satisfied_share": _num(raw_share[i]),
            "satisfied_share_smoothed": _num(share[i]),
        }
        for i, r in enumerate(rows)
    ]
    total = int(rated.sum())
    return {
        "set": boundary_set,
        "rated": total,
        "city_mean_rating": _num(rating_sum.sum() / total) if total else None,
        "city_satisfied_share": _num(satisfied.sum() / total) if total else None,
        "units": units,
    }


def _num(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 4)
