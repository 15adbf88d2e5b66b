"""Timeliness at a cut-off instant: the four-way split per handling unit, field or ward, the
on-time rate, the median time to close, and a ranking of units with a minimum count.

The on-time rate is defined once, here, and the ward choropleths use the same definition:

    on-time rate = closed on time / (closed on time + closed late + open overdue)

at the cut-off: open complaints not yet due are left out (they can still be on time), and
rejected complaints are counted apart. "Closed" is the first of resolved and closed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

import psycopg
from psycopg import sql
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from analytics.hotspots import check_codes
from gis_db.sqlfiles import load_sql

Dimension = Literal["unit", "field", "ward"]
COLUMNS = {"unit": "handling_unit_code", "field": "field_code", "ward": "current_ward_code"}


def on_time_rate(on_time: int, late: int, overdue: int) -> float | None:
    """Closed on time over those whose outcome is known at the cut-off (None when none)."""
    judged = on_time + late + overdue
    return on_time / judged if judged else None


class TimelinessParams(BaseModel):
    """Which complaints, grouped how, judged at which instant."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    by: Dimension = Field("unit", description="unit, field or ward (today's wards)")
    as_of: datetime | None = Field(None, description="Cut-off instant (now by default)")
    field: tuple[str, ...] = Field((), description="Field codes, comma-separated")
    category: tuple[str, ...] = Field((), description="Category codes, comma-separated")
    from_: date | None = Field(None, alias="from", description="First reception day (local)")
    to: date | None = Field(None, description="Last reception day (local), inclusive")
    min_count: int = Field(30, ge=1, description="Judged complaints a unit needs to be ranked")

    @field_validator("field", "category", mode="before")
    @classmethod
    def _split(cls, value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else list(value)
        return tuple(sorted({c.strip() for i in items for c in str(i).split(",") if c.strip()}))

    @model_validator(mode="after")
    def _span(self) -> TimelinessParams:
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError(f"'from' ({self.from_}) is after 'to' ({self.to})")
        if self.as_of is not None and self.as_of.tzinfo is None:
            raise ValueError("as_of needs a time zone (for example 2025-06-06T15:00+07:00)")
        return self


def timeliness(conn: psycopg.Connection, params: TimelinessParams) -> dict:
    """The split, rate and median per group, with ranks among groups of `min_count`."""
    check_codes(conn, params.field, params.category)
    as_of = params.as_of or datetime.now(UTC)
    statement = sql.SQL(load_sql("analytics", "timeliness.sql")).format(
        dimension=sql.Identifier(COLUMNS[params.by])
    )
    cur = conn.execute(
        statement,
        {
            "as_of": as_of,
            "from_day": params.from_,
            "to_day": params.to,
            "fields": list(params.field) or None,
            "categories": list(params.category) or None,
        },
    )
    names = dict(conn.execute(load_sql("analytics", f"names_{params.by}.sql")).fetchall())
    columns = [d.name for d in cur.description]
    groups = []
    for row in cur.fetchall():
        g = dict(zip(columns, row, strict=True))
        g["name"] = names.get(g["code"])
        g["judged"] = g["closed_on_time"] + g["closed_late"] + g["open_overdue"]
        g["on_time_rate"] = on_time_rate(g["closed_on_time"], g["closed_late"], g["open_overdue"])
        groups.append(g)
    ranked = sorted(
        (g for g in groups if g["code"] is not None and g["judged"] >= params.min_count),
        key=lambda g: (-g["on_time_rate"], -g["judged"], g["code"]),
    )
    for rank, g in enumerate(ranked, 1):
        g["rank"] = rank
    for g in groups:
        g.setdefault("rank", None)
    return {"as_of": as_of.isoformat(), "by": params.by, "min_count": params.min_count,
            "groups": groups}  # fmt: skip
