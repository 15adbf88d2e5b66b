"""Boundary sets and point location."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

import psycopg
from fastapi import APIRouter, Query

from boundaries.load import list_sets
from boundaries.locate import locate
from gis_api.dependencies import ConnDep

router = APIRouter(prefix="/boundaries", tags=["boundaries"])


@router.get("/sets")
def sets(conn: ConnDep) -> list[dict]:
    """Loaded boundary sets with validity, unit count, source, licence and quality report."""
    return list_sets(conn)


@router.get("/locate")
def locate_point(
    conn: ConnDep,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    on: Annotated[date | None, Query(alias="date")] = None,
) -> dict:
    """The unit of every boundary set valid on `date` (default today) containing the point."""
    return located_payload(conn, lat, lon, on)


def located_payload(conn: psycopg.Connection, lat: float, lon: float, on: date | None) -> dict:
    """The JSON answer of a point location (shared with /geocode/reverse)."""
    found = locate(conn, lat, lon, on)
    return {
        "lat": lat,
        "lon": lon,
        "date": (on or date.today()).isoformat(),
        "units": [asdict(f) for f in found],
    }
