"""Digests and reminders: the weekly digest (Friday 15:00 cut-off), the monthly report (the
25th at 12:00) and overdue lists per unit, as JSON, HTML or SMS segments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from analytics.digest import DigestParams, digest
from analytics.digest_text import digest_html, digest_sms, overdue_html
from analytics.overdue import OverdueParams, overdue, overdue_sms
from analytics.windows import last_month, last_week, week_window
from gis_api.routers.analytics import FieldQ, _parse
from gis_api.routers.tiles import with_connection
from tiles.errors import TileError

router = APIRouter(tags=["digest"])

ScopeQ = Annotated[list[str] | None, Query(description="Codes, repeated or comma-separated")]
FormatQ = Annotated[Literal["json", "html", "sms"], Query(description="json, html or sms")]
DiacriticsQ = Annotated[bool, Query(description="SMS with diacritics (UCS-2)")]


async def _digest(
    request: Request,
    params: DigestParams,
    fmt: str,
    diacritics: bool,
) -> Response:
    d = await with_connection(request, lambda conn: digest(conn, params))
    if fmt == "html":
        return HTMLResponse(digest_html(d))
    if fmt == "sms":
        asked = [*d["units"], *d["wards"]]
        items = asked if params.unit or params.ward else [d["city"]]
        return JSONResponse(
            {
                "window": d["window"],
                "messages": [
                    {
                        "scope": i["scope"],
                        "code": i["code"],
                        "name": i["name"],
                        **digest_sms(d, i, diacritics).as_dict(),
                    }  # fmt: skip
                    for i in items
                ],
            }
        )
    return JSONResponse(d)


@router.get("/digest/weekly")
async def weekly(
    request: Request,
    week: Annotated[str | None, Query(description="ISO week, e.g. 2025-W23")] = None,
    unit: ScopeQ = None,
    ward: ScopeQ = None,
    field: FieldQ = None,
    format: FormatQ = "json",  # noqa: A002
    diacritics: DiacriticsQ = False,
) -> Response:
    """The weekly digest, Friday 15:00 to Friday 15:00 (Asia/Ho_Chi_Minh; the last complete
    week by default): for the city, each unit and each ward (or those asked for), received,
    closed on time and late, open and overdue at the cut-off, overdue backlog, on-time rate,
    top fields, unit ranks and new hotspots."""
    week = week or last_week(datetime.now(UTC)).name
    params = _parse(DigestParams, {"window": week, "kind": "week", "unit": unit, "ward": ward,
                                   "field": field})  # fmt: skip
    _resolve(params)
    return await _digest(request, params, format, diacritics)


@router.get("/digest/monthly")
async def monthly(
    request: Request,
    month: Annotated[str | None, Query(description="Month, e.g. 2025-10")] = None,
    unit: ScopeQ = None,
    ward: ScopeQ = None,
    field: FieldQ = None,
    format: FormatQ = "json",  # noqa: A002
    diacritics: DiacriticsQ = False,
) -> Response:
    """The monthly report, the 25th at 12:00 to the 25th at 12:00 (Asia/Ho_Chi_Minh; the last
    complete month by default), with the same figures as the weekly digest."""
    month = month or last_month(datetime.now(UTC)).name
    params = _parse(DigestParams, {"window": month, "kind": "month", "unit": unit, "ward": ward,
                                   "field": field})  # fmt: skip
    _resolve(params)
    return await _digest(request, params, format, diacritics)


@router.get("/digest/overdue")
async def overdue_list(
    request: Request,
    unit: ScopeQ = None,
    field: FieldQ = None,
    week: Annotated[str | None, Query(description="Judge at this week's cut-off")] = None,
    as_of: Annotated[datetime | None, Query(description="Cut-off instant, with zone")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Complaints per unit")] = 20,
    format: FormatQ = "json",  # noqa: A002
    diacritics: DiacriticsQ = False,
) -> Response:
    """Overdue reminders: per handling unit, the complaints open and past due at the cut-off
    (now by default), most overdue first, with each unit's total."""
    if week and as_of:
        raise TileError("give week= or as_of=, not both")
    if week:
        try:
            as_of = week_window(week).end
        except ValueError as exc:
            raise TileError(str(exc)) from None
    params = _parse(OverdueParams, {"unit": unit, "field": field, "as_of": as_of,
                                    "limit": limit})  # fmt: skip
    report = await with_connection(request, lambda conn: overdue(conn, params))
    if format == "html":
        return HTMLResponse(overdue_html(report))
    if format == "sms":
        return JSONResponse(
            {
                "as_of": report["as_of"],
                "messages": [
                    {
                        "code": u["code"],
                        "name": u["name"],
                        **overdue_sms(report, u, diacritics).as_dict(),
                    }  # fmt: skip
                    for u in report["units"]
                ],
            }
        )
    return JSONResponse(report)


def _resolve(params: DigestParams) -> None:
    """A 400 for a malformed week or month, before touching the database."""
    try:
        params.resolve()
    except ValueError as exc:
        raise TileError(str(exc)) from None
