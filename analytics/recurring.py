"""Recurring spots: places where complaints of a kind (flooding by default) come back on many
days, found with DBSCAN in metres (`ST_ClusterDBSCAN` on UTM 48N, EPSG:32648).

A run is stored (`hotspot_run` with method 'recurring', `recurring_spot` with each cluster's
outline) per parameters and data version, and reused by the API, the CLI and the `hotspots`
tile layer."""

from __future__ import annotations

import json
import time

import psycopg
from psycopg.types.json import Jsonb
from pydantic import Field, model_validator

from analytics.hotspots import (
    Run,
    canonical_key,
    find_run,
    insert_run,
    run_key,
    study_set,
)
from analytics.selection import Selection
from gis_db.sqlfiles import load_sql

FLOODING = "ngap-nuoc"
METHOD = "recurring"


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

    def key(self, boundary_set: str) -> str:
        """Canonical text of the parameters with the set of the units resolved."""
        return canonical_key(self, set=boundary_set)


def run_recurring(conn: psycopg.Connection, params: RecurringParams) -> Run:
    """The stored recurring run for `params` at the current data version, computed when
    missing."""
    run = run_key(conn, METHOD, params)
    found = find_run(conn, run)
    if found:
        return found
    started = time.perf_counter()
    cur = conn.execute(
        load_sql("analytics", "recurring.sql"),
        {
            **params.selection_params(),
            "eps": params.eps_m,
            "min_points": params.min_points,
            "min_days": params.min_days,
            "min_weeks": params.min_weeks,
            "set": run.boundary_set,
        },
    )
    names = [d.name for d in cur.description]
    spots = [dict(zip(names, row, strict=True)) for row in cur]
    with conn.transaction():
        run_id = insert_run(
            conn, run, started,
            n_complaints=sum(s["n"] for s in spots),
            n_spots=len(spots),
        )  # fmt: skip
        if run_id is None:  # stored meanwhile by another worker
            return find_run(conn, run)  # type: ignore[return-value]
        with conn.cursor() as insert:
            insert.executemany(
                load_sql("analytics", "insert_spot.sql"),
                [s | {"run": run_id, "units": Jsonb(s["units"])} for s in spots],
            )
    return Run(run_id, True)


def recurring_spots(conn: psycopg.Connection, params: RecurringParams) -> list[dict]:
    """The recurring spots for `params`, most persistent first (from the stored run, computed
    when missing)."""
    run = run_recurring(conn, params)
    boundary_set = study_set(conn, params.set)
    cur = conn.execute(load_sql("analytics", "recurring_spots.sql"), {"id": run.id})
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
