"""Recurring spots: places where complaints of a kind (flooding by default) come back on many
days, found with DBSCAN in metres (`ST_ClusterDBSCAN` on UTM 48N, EPSG:32648)."""

from __future__ import annotations

import json
from datetime import date

import psycopg
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from analytics.hotspots import check_codes, study_set
from gis_db.sqlfiles import load_sql

FLOODING = "ngap-nuoc"


class RecurringParams(BaseModel):
    """Which complaints, how close, and how often a spot must come back to count."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    field: tuple[str, ...] = Field((), description="Field codes, comma-separated")
    category: tuple[str, ...] = Field((FLOODING,), description="Category codes (flooding)")
    from_: date | None = Field(None, alias="from", description="First reception day (local)")
    to: date | None = Field(None, description="Last reception day (local), inclusive")
    eps_m: float = Field(50.0, gt=0, le=1000, description="DBSCAN radius in metres")
    min_points: int = Field(5, ge=2, le=1000, description="DBSCAN core size")
    min_days: int = Field(4, ge=1, description="Distinct days with complaints, at least")
    min_weeks: int = Field(3, ge=1, description="Distinct weeks with complaints, at least")
    set: str | None = Field(None, description="Boundary set of the units touched (today's)")

    @field_validator("field", "category", mode="before")
    @classmethod
    def _split(cls, value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else list(value)
        return tuple(sorted({c.strip() for i in items for c in str(i).split(",") if c.strip()}))

    @model_validator(mode="after")
    def _check(self) -> RecurringParams:
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError(f"'from' ({self.from_}) is after 'to' ({self.to})")
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
            "fields": list(params.field) or None,
            "categories": list(params.category) or None,
            "from_day": params.from_,
            "to_day": params.to,
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
