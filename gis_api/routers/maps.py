"""Map styles, legends and the map viewer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse

from gis_api.routers.tiles import (
    FILTERS_OPENAPI,
    FiltersDep,
    SetQ,
    layer_options,
    with_connection,
)
from tiles.errors import TileNotFound
from tiles.service import TileService
from tiles.styles import STYLES, style
from tiles.wards import DEFAULT_METRIC

router = APIRouter(tags=["maps"])
STATIC = Path(__file__).resolve().parent.parent / "static"
MetricQ = Annotated[str | None, Query(description="Metric of the wards choropleth")]
NO_CACHE = {"Cache-Control": "no-cache"}


@router.get("/legends/{layer}", openapi_extra=FILTERS_OPENAPI)
async def legend(
    request: Request,
    layer: str,
    filters: FiltersDep,
    set: SetQ = None,  # noqa: A002 - the query parameter's name
    metric: MetricQ = None,
) -> JSONResponse:
    """Classes, colours and labels of a layer; choropleth and heat breaks are frozen per
    period and filters."""
    service: TileService = request.app.state.tiles
    options = {"set": set} if layer in ("wards", "boundaries") else layer_options(request)
    found = await with_connection(
        request, lambda conn: service.legend(conn, layer, filters, options, metric)
    )
    return JSONResponse(found, headers=NO_CACHE)


@router.get("/styles/{name}.json", openapi_extra=FILTERS_OPENAPI)
async def map_style(
    request: Request,
    name: str,
    filters: FiltersDep,
    set: SetQ = None,  # noqa: A002
    metric: MetricQ = None,
) -> JSONResponse:
    """A MapLibre style over the layers (`phananh`: all of them), coloured by their legends."""
    if name not in STYLES:
        raise TileNotFound(f"no style '{name}' (styles: {', '.join(STYLES)})")
    service: TileService = request.app.state.tiles
    layers = [layer for layer in STYLES[name] if layer != "boundaries"]

    by_unit = filters.model_copy(update={"status": None, "late": False})  # not for wards
    # runs count by field, category and days only
    by_run = by_unit.model_copy(update={"channel": (), "unit": ()})

    def legends(conn) -> dict[str, dict]:  # noqa: ANN001
        return {
            layer: service.legend(
                conn, layer, by_unit, {"set": set}, metric or DEFAULT_METRIC
            ) if layer == "wards" else service.legend(
                conn, layer, by_run, {"set": set, **layer_options(request)}
            ) if layer == "hotspots" else service.legend(conn, layer, filters, {})
            for layer in layers
        }  # fmt: skip

    found = await with_connection(request, legends)
    query = {**filters.query(), **({"set": set} if set else {}), **layer_options(request)}
    if metric:
        query["metric"] = metric
    base = str(request.base_url).rstrip("/")
    body = style(name, base, query, found, service.settings.glyphs)
    return JSONResponse(body, headers=NO_CACHE)


@router.get("/", include_in_schema=False)
async def viewer() -> FileResponse:
    """The map viewer."""
    return FileResponse(STATIC / "index.html", headers=NO_CACHE)
