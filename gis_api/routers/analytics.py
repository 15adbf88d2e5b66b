"""Analytics: hotspots, emerging hot spots, recurring spots, timeliness, satisfaction, alerts and
weekly topics (JSON; spots also as GeoJSON)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from analytics.alerts import AlertParams, spike_alerts
from analytics.emerging import EmergingParams, emerging_spots
from analytics.hotspots import HotspotParams, run_cells, run_gistar, run_summary
from analytics.recurring import RecurringParams, recurring_spots
from analytics.satisfaction import SatisfactionParams, satisfaction
from analytics.timeliness import TimelinessParams, timeliness
from analytics.topics import TopicParams, weekly_topics
from gis_api.routers.tiles import with_connection
from tiles.errors import TileError

router = APIRouter(tags=["analytics"])
M = TypeVar("M", bound=BaseModel)

FieldQ = Annotated[str | None, Query(description="Field codes, comma-separated")]
CategoryQ = Annotated[str | None, Query(description="Category codes, comma-separated")]
FromQ = Annotated[date | None, Query(alias="from", description="First reception day")]
ToQ = Annotated[date | None, Query(description="Last reception day, inclusive")]


def _parse(model: type[M], values: dict) -> M:
    """Validated parameters, or a 400 naming what is wrong."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise TileError("; ".join(e["msg"] for e in exc.errors())) from None


@router.get("/analytics/hotspots")
async def hotspots(
    request: Request,
    resolution: Annotated[int, Query(ge=7, le=10, description="H3 resolution")] = 8,
    k: Annotated[int, Query(ge=1, le=3, description="Ring size of the neighbourhood")] = 1,
    field: FieldQ = None,
    category: CategoryQ = None,
    from_: FromQ = None,
    to: ToQ = None,
    set: Annotated[str | None, Query(description="Study area boundary set")] = None,  # noqa: A002
    everything: Annotated[
        bool, Query(alias="all", description="Every cell, not only significant ones")
    ] = False,
    format: Annotated[  # noqa: A002
        Literal["json", "geojson"], Query(description="json or geojson")
    ] = "json",
) -> JSONResponse:
    """Getis-Ord Gi* hot and cold spots on H3 cells (binary k-ring weights, zero-count cells
    of the study area included, two-sided p, Benjamini-Hochberg FDR; classes ±3/±2/±1 at
    99/95/90 % confidence). A run is stored per parameters and data version and reused."""
    params = _parse(
        HotspotParams,
        {"resolution": resolution, "k": k, "field": field, "category": category,
         "from": from_, "to": to, "set": set}
    )  # fmt: skip

    def work(conn) -> tuple[dict, list[dict]]:  # noqa: ANN001
        run = run_gistar(conn, params)
        return {**run_summary(conn, run.id), "computed": run.computed}, run_cells(
            conn, run.id, everything
        )

    summary, cells = await with_connection(request, work)
    if format == "geojson":
        features = [
            {"type": "Feature", "id": c["cell"], "geometry": c.pop("geometry"), "properties": c}
            for c in cells
        ]
        return JSONResponse({"type": "FeatureCollection", "run": summary, "features": features})
    return JSONResponse({"run": summary, "cells": cells})


@router.get("/analytics/recurring")
async def recurring(
    request: Request,
    category: Annotated[str, Query(description="Category codes (flooding by default)")] = (
        "ngap-nuoc"
    ),
    field: FieldQ = None,
    from_: FromQ = None,
    to: ToQ = None,
    eps: Annotated[float, Query(gt=0, le=1000, description="DBSCAN radius, metres")] = 50.0,
    min_points: Annotated[int, Query(ge=2, le=1000, description="DBSCAN core size")] = 5,
    min_days: Annotated[int, Query(ge=1, description="Distinct days, at least")] = 4,
    min_weeks: Annotated[int, Query(ge=1, description="Distinct weeks, at least")] = 3,
    set: Annotated[str | None, Query(description="Set of the units touched")] = None,  # noqa: A002
    format: Annotated[  # noqa: A002
        Literal["json", "geojson"], Query(description="json or geojson")
    ] = "json",
) -> JSONResponse:
    """Recurring spots: DBSCAN clusters in metres (EPSG:32648) of the complaints asked for,
    kept when they fall on at least `min_days` distinct days and `min_weeks` distinct weeks;
    each with its outline, counts, first and last day and the units it touches."""
    params = _parse(
        RecurringParams,
        {"category": category, "field": field, "from": from_, "to": to, "eps_m": eps,
         "min_points": min_points, "min_days": min_days, "min_weeks": min_weeks,
         "set": set}
    )  # fmt: skip
    spots = await with_connection(request, lambda conn: recurring_spots(conn, params))
    if format == "geojson":
        features = [
            {"type": "Feature", "geometry": s.pop("outline"), "properties": s} for s in spots
        ]
        return JSONResponse({"type": "FeatureCollection", "features": features})
    return JSONResponse({"spots": spots})


@router.get("/analytics/timeliness")
async def timeliness_report(
    request: Request,
    by: Annotated[Literal["unit", "field", "ward"], Query(description="Grouping")] = "unit",
    as_of: Annotated[
        datetime | None, Query(description="Cut-off instant with its zone (default now)")
    ] = None,
    field: FieldQ = None,
    category: CategoryQ = None,
    from_: FromQ = None,
    to: ToQ = None,
    min_count: Annotated[int, Query(ge=1, description="Judged complaints to be ranked")] = 30,
) -> JSONResponse:
    """Closed on time, closed late, open not yet due and open overdue at the cut-off, per
    handling unit, field or today's ward; on-time rate = on time / (on time + late + overdue);
    median days to close; ranks among groups with at least `min_count` judged complaints."""
    params = _parse(
        TimelinessParams,
        {"by": by, "as_of": as_of, "field": field, "category": category, "from": from_,
         "to": to, "min_count": min_count}
    )  # fmt: skip
    result = await with_connection(request, lambda conn: timeliness(conn, params))
    return JSONResponse(result)


@router.get("/analytics/emerging")
async def emerging_report(
    request: Request,
    resolution: Annotated[int, Query(ge=7, le=9, description="H3 resolution")] = 8,
    k: Annotated[int, Query(ge=1, le=3, description="Ring size")] = 1,
    window: Annotated[
        int, Query(ge=0, le=4, description="Earlier steps in a bin's neighbourhood")
    ] = 1,
    steps: Annotated[int, Query(ge=4, le=260, description="Time steps")] = 52,
    step_days: Annotated[int, Query(ge=1, le=92, description="Days per step")] = 7,
    last_day: Annotated[date | None, Query(description="Last day of the last step")] = None,
    field: FieldQ = None,
    category: CategoryQ = None,
    set: Annotated[str | None, Query(description="Study area boundary set")] = None,  # noqa: A002
    format: Annotated[  # noqa: A002
        Literal["json", "geojson"], Query(description="json or geojson")
    ] = "json",
) -> JSONResponse:
    """Emerging hot spots: space-time Gi* over `steps` steps of `step_days` days (FDR within
    each step), the Mann-Kendall trend of each cell's z-scores, and ArcGIS's 17 categories."""
    params = _parse(
        EmergingParams,
        {"resolution": resolution, "k": k, "window": window, "steps": steps,
         "step_days": step_days, "last_day": last_day, "field": field,
         "category": category, "set": set}
    )  # fmt: skip
    result = await with_connection(request, lambda conn: emerging_spots(conn, params))
    if format == "geojson":
        features = [
            {"type": "Feature", "id": s["cell"], "geometry": s.pop("geometry"), "properties": s}
            for s in result.pop("spots")
        ]
        return JSONResponse({"type": "FeatureCollection", **result, "features": features})
    return JSONResponse(result)


@router.get("/analytics/satisfaction")
async def satisfaction_report(
    request: Request,
    field: FieldQ = None,
    category: CategoryQ = None,
    from_: FromQ = None,
    to: ToQ = None,
    set: Annotated[str | None, Query(description="Boundary set (today's wards)")] = None,  # noqa: A002
) -> JSONResponse:
    """Mean rating and share satisfied per ward, raw and empirical-Bayes smoothed, with n."""
    params = _parse(
        SatisfactionParams,
        {"field": field, "category": category, "from": from_, "to": to, "set": set},
    )
    return JSONResponse(await with_connection(request, lambda conn: satisfaction(conn, params)))


@router.get("/analytics/alerts")
async def alerts(
    request: Request,
    last_day: Annotated[date, Query(description="Last day of the week tested")],
    baseline_weeks: Annotated[int, Query(ge=2, le=104, description="Weeks of baseline")] = 12,
    alpha: Annotated[float, Query(gt=0, lt=0.5, description="Tail probability")] = 0.001,
    min_count: Annotated[int, Query(ge=1, description="Complaints in the week")] = 5,
    set: Annotated[str | None, Query(description="Boundary set (today's wards)")] = None,  # noqa: A002
) -> JSONResponse:
    """Spike alerts per ward × field: the week's count against the ward's own baseline
    (Poisson, or negative binomial when the baseline weeks are overdispersed)."""
    params = _parse(
        AlertParams,
        {"last_day": last_day, "baseline_weeks": baseline_weeks, "alpha": alpha,
         "min_count": min_count, "set": set}
    )  # fmt: skip
    return JSONResponse(await with_connection(request, lambda conn: spike_alerts(conn, params)))


@router.get("/analytics/topics")
async def topics(
    request: Request,
    week: Annotated[str, Query(description="ISO week, e.g. 2025-W23 (to its Friday 15:00)")],
    ward: Annotated[str | None, Query(description="Ward code (all wards by default)")] = None,
    field: FieldQ = None,
    category: CategoryQ = None,
    baseline_weeks: Annotated[int, Query(ge=1, le=52, description="Weeks of baseline")] = 8,
    min_count: Annotated[int, Query(ge=1, description="Complaints of the week, at least")] = 3,
    limit: Annotated[int, Query(ge=1, le=100, description="Terms per ward")] = 10,
) -> JSONResponse:
    """Weekly topics: per ward (and city-wide), the words and two-word phrases whose share of
    complaints rises in the week against the ward's baseline weeks (log-odds z with an
    informative prior, Benjamini-Hochberg within each ward)."""
    params = _parse(
        TopicParams,
        {"week": week, "ward": ward, "field": field, "category": category,
         "baseline_weeks": baseline_weeks, "min_count": min_count, "limit": limit}
    )  # fmt: skip
    return JSONResponse(await with_connection(request, lambda conn: weekly_topics(conn, params)))
