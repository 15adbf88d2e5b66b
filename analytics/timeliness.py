"""Timeliness at a cut-off instant: the four-way split per handling unit, field or ward, the
on-time rate, the median time to close, and a ranking of units with a minimum count.

The on-time rate is defined once, here, and the ward choropleths use the same definition:

    on-time rate = closed on time / (closed on time + closed late + open overdue)

at the cut-off: open complaints not yet due are left out (they can still be on time), and
rejected complaints are counted apart. "Closed" is the first of resolved and closed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import numpy as np
import psycopg
from numpy.typing import ArrayLike
from psycopg import sql
from pydantic import Field, model_validator

from analytics.hotspots import check_codes
from analytics.names import code_names
from analytics.selection import Selection
from gis_db.sqlfiles import load_sql

Dimension = Literal["unit", "field", "ward"]
COLUMNS = {"unit": "handling_unit_code", "field": "field_code", "ward": "current_ward_code"}


def on_time_rate(on_time: ArrayLike, late: ArrayLike, overdue: ArrayLike) -> np.ndarray:
    """Closed on time over those whose outcome is known at the cut-off, NaN where none is
    (numbers or arrays)."""
    on_time = np.asarray(on_time, dtype=float)
    judged = on_time + np.asarray(late) + np.asarray(overdue)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(judged > 0, on_time / judged, np.nan)


class TimelinessParams(Selection):
    """Which complaints, grouped how, judged at which instant."""

    by: Dimension = Field("unit", description="unit, field or ward (today's wards)")
    as_of: datetime | None = Field(None, description="Cut-off instant (now by default)")
    min_count: int = Field(30, ge=1, description="Judged complaints a unit needs to be ranked")

    @model_validator(mode="after")
    def _zone(self) -> TimelinessParams:
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
        {"as_of": as_of, **params.selection_params()},
    )
    names = code_names(conn, params.by)
    columns = [d.name for d in cur.description]
    groups = []
    for row in cur.fetchall():
        g = dict(zip(columns, row, strict=True))
        g["name"] = names.get(g["code"])
        g["judged"] = g["closed_on_time"] + g["closed_late"] + g["open_overdue"]
        rate = float(on_time_rate(g["closed_on_time"], g["closed_late"], g["open_overdue"]))
        g["on_time_rate"] = None if np.isnan(rate) else rate
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
