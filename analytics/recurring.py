"""Recurring spots: places where complaints of a kind (flooding by default) come back on many
days, found with DBSCAN in metres (`ST_ClusterDBSCAN` on UTM 48N, EPSG:32648)."""

from __future__ import annotations

import json

import psycopg
from pydantic import Field, model_validator

from analytics.hotspots import check_codes, study_set
from analytics.selection import Selection
from gis_db.sqlfiles import load_sql

FLOODING = "ngap-nuoc"


class RecurringParams(Selection):
    """Which complaints, how close, and how often a spot must come back to count."""

    category: tuple[str, ...] = Field((FLOODING,), description="Category codes (flooding)")
    eps_m: float = Field(50.0, gt=0, le=1000, description="DBSCAN radius in metres")
    min_points: int = Field(5, ge=2, le=1000, description="DBSCAN core size")
    min_days: int = Field(4, ge=1, description="Distinct days with complaints, at least")
    min_weeks: int = Field(3, ge=1, description="Distinct weeks with complaints, at least")
    set: str | None = Field(None, description="Boundary set of the units touched (today's)")

    @model_validator(mode="after")
    def _weeks(self) -> RecurringParams:
        if self.min_weeks > self.min_days:
            raise ValueError("min_weeks cannot exceed min_days (a week counts once a day)")
        return self


def recurring_spots(conn: psycopg.Connection, params: RecurringParams) -> list[dict]:
    """The recurring spots for `params`, most persistent first."""
    check_codes(conn, params.field, params.category)
    boundary_set = study_set(conn, params.set)
    cur = conn.execute(
        load_sql("analytics", "recurring.sql"),
        {
            **params.selection_params(),
            "eps": params.eps_m,
            "min_points": params.min_points,
            "min_days": params.min_days,
            "min_weeks": params.min_weeks,
            "set": boundary_set,
        },
    )
    names = [d.name for d in cur.description]
    spots = []
    for row in cur:
        spot = dict(zip(names, row, strict=True))
        spot["outline"] = json.loads(spot["outline"])
        spot["first_day"] = spot["first_day"].isoformat()
        spot["last_day"] = spot["last_day"].isoformat()
        spot["set"] = boundary_set
        spots.append(spot)
    return spots
