"""Address geocoding and reverse geocoding (the ETL's geocoders, over HTTP)."""

from __future__ import annotations

import threading
from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from etl.address.geocoder import AddressGeocoder
from gis_api.dependencies import ConnDep
from gis_api.routers.boundaries import located_payload

router = APIRouter(prefix="/geocode", tags=["geocode"])
_lock = threading.Lock()


def _geocoder(request: Request, conn: ConnDep) -> AddressGeocoder:
    """The gazetteer is read once per process, on the first request that needs it."""
    state = request.app.state
    with _lock:
        if getattr(state, "geocoder", None) is None:
            state.geocoder = AddressGeocoder.from_connection(conn)
    return state.geocoder


@router.get("")
def geocode_address(
    request: Request,
    conn: ConnDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Vietnamese address")],
    on: Annotated[date | None, Query(alias="date", description="Default: today")] = None,
) -> dict:
    """The ward of an address on `date` and today, with method, confidence and candidates."""
    match = _geocoder(request, conn).geocode(q, on)
    return {
        "q": q,
        "date": (on or date.today()).isoformat(),
        "outcome": match.outcome,
        **asdict(match),
        "candidates": list(match.candidates),
    }


@router.get("/reverse")
def reverse(
    conn: ConnDep,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    on: Annotated[date | None, Query(alias="date")] = None,
) -> dict:
    """The unit of every boundary set in force on `date` (default today) at the point."""
    return located_payload(conn, lat, lon, on)
