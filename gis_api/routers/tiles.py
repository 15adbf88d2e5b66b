"""Vector tiles (MVT) and their TileJSON."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio
import psycopg
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from isal import igzip
from pydantic import ValidationError

from tiles.cache import CachedTile
from tiles.errors import TileError, TileNotFound, invalid
from tiles.filters import TileFilters
from tiles.layers import LAYERS
from tiles.service import TileService

router = APIRouter(tags=["tiles"])
MVT = "application/vnd.mapbox-vector-tile"
T = TypeVar("T")

SetQ = Annotated[str | None, Query(description="Boundary set (wards and boundaries layers)")]
VersionQ = Annotated[int | None, Query(description="Data version (from TileJSON; cache buster)")]
ROUTE_PARAMS = {"set", "v", "metric"}  # declared by the routes themselves
LAYER_OPTIONS = sorted({o for layer in LAYERS.values() for o in layer.options} - {"set"})
CODE_LISTS = ("field", "category", "channel", "unit")


def layer_options(request: Request) -> dict[str, str]:
    """The layer options of a request (the layers' own parameters, checked by the service)."""
    return {k: request.query_params[k] for k in LAYER_OPTIONS if k in request.query_params}


async def tile_filters(request: Request) -> TileFilters:
    """The complaint filters of a request, from its query parameters (parsed here rather than
    declared one by one: FastAPI's per-parameter resolution cost more than a small tile)."""
    params = request.query_params
    unknown = sorted(set(params) - set(FILTER_NAMES) - ROUTE_PARAMS - set(LAYER_OPTIONS))
    if unknown:
        known = ", ".join(sorted(FILTER_NAMES + tuple(ROUTE_PARAMS) + tuple(LAYER_OPTIONS)))
        raise TileError(f"unknown query parameter(s) {', '.join(unknown)} (known: {known})")
    values: dict[str, object] = {
        name: params.getlist(name) if name in CODE_LISTS else params[name]
        for name in FILTER_NAMES
        if name in params
    }
    try:
        return TileFilters.model_validate(values)
    except ValidationError as exc:
        raise invalid("filters", exc) from None


def _filter_parameters() -> list[dict]:
    """OpenAPI entries of the filters, from TileFilters' own fields."""
    day = {"type": "string", "format": "date"}
    kinds = {
        "from": day,
        "to": day,
        "status": {"type": "string", "enum": ["open", "resolved", "rejected"]},
        "late": {"type": "boolean", "default": False},
    }
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": TileFilters.model_fields[attr].description,
            "schema": kinds.get(name, {"type": "string"}),
        }
        for name, attr in zip(FILTER_NAMES, FILTER_FIELDS, strict=True)
    ]


FILTER_FIELDS = tuple(TileFilters.model_fields)
FILTER_NAMES = tuple(TileFilters.model_fields[f].alias or f for f in FILTER_FIELDS)
FILTERS_OPENAPI = {"parameters": _filter_parameters()}
FiltersDep = Annotated[TileFilters, Depends(tile_filters)]


async def with_connection(request: Request, work: Callable[[psycopg.Connection], T]) -> T:
    """Run `work` on a pooled connection in a worker thread; cancel its query if the client
    goes away meanwhile (never once the connection is back in the pool, where another request
    may be using it)."""
    pool = request.app.state.pool
    lent: list[psycopg.Connection] = []
    guard = threading.Lock()

    def job() -> T:
        with pool.connection() as conn:
            with guard:
                lent.append(conn)
            try:
                return work(conn)
            finally:
                with guard:
                    lent.clear()

    def cancel() -> None:
        with guard:
            if lent:
                lent[0].cancel_safe()

    async def watch(scope: anyio.CancelScope) -> None:
        while not await request.is_disconnected():
            await anyio.sleep(0.1)
        await anyio.to_thread.run_sync(cancel)
        scope.cancel()

    failure: list[Exception] = []
    async with anyio.create_task_group() as group:
        group.start_soon(watch, group.cancel_scope)
        try:
            result = await anyio.to_thread.run_sync(job)
        except Exception as exc:  # raised after the group, not wrapped in an ExceptionGroup
            failure.append(exc)
        group.cancel_scope.cancel()
    if failure:
        raise failure[0]
    return result


def _tile_response(request: Request, tile: CachedTile, max_age: int) -> Response:
    headers = {
        "ETag": tile.etag,
        "Cache-Control": f"public, max-age={max_age}",
        "Vary": "Accept-Encoding",
        "X-Data-Version": str(tile.data_version),
    }
    if tile.empty:
        return Response(status_code=204, headers=headers)
    if tile.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(
            tile.gzipped, media_type=MVT, headers={**headers, "Content-Encoding": "gzip"}
        )
    return Response(igzip.decompress(tile.gzipped), media_type=MVT, headers=headers)


@router.get(
    "/tiles/{layers}/{z}/{x}/{y}.mvt",
    response_class=Response,
    openapi_extra=FILTERS_OPENAPI,
    responses={
        200: {"content": {MVT: {}}, "description": "The tile (gzip when accepted)"},
        204: {"description": "Nothing in this tile"},
        304: {"description": "Not modified (If-None-Match)"},
    },
)
async def tile(
    request: Request,
    layers: str,
    z: int,
    x: int,
    y: int,
    filters: FiltersDep,
    set: SetQ = None,  # noqa: A002 - the query parameter's name
    v: VersionQ = None,
) -> Response:
    """One tile of a layer, or of several (`heat,boundaries`) in one response."""
    service: TileService = request.app.state.tiles
    spec = service.spec(layers, z, x, y, filters, {"set": set, **layer_options(request)})
    result = service.cached(spec, v)
    if result is None:
        result = await with_connection(request, lambda conn: service.render(conn, spec, v))
    return _tile_response(request, result, service.settings.max_age)


@router.get("/tiles/{layer}.json", openapi_extra=FILTERS_OPENAPI)
async def tilejson(
    request: Request,
    layer: str,
    filters: FiltersDep,
    set: SetQ = None,  # noqa: A002
) -> JSONResponse:
    """TileJSON 3.0 of a layer; its tile URL carries the filters and the data version."""
    if layer not in LAYERS:
        raise TileNotFound(f"no layer '{layer}' (layers: {', '.join(LAYERS)})")
    spec = LAYERS[layer]
    service: TileService = request.app.state.tiles
    version, bounds = await with_connection(request, lambda conn: service.describe(conn))
    options = layer_options(request)
    if options:  # checked now, so that TileJSON never hands out a failing URL
        service.spec(layer, 0, 0, 0, filters, options)
    query = {**filters.query(), **({"set": set} if set else {}), **options, "v": str(version)}
    base = str(request.base_url).rstrip("/")
    url = f"{base}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt?" + "&".join(
        f"{k}={val}" for k, val in query.items()
    )
    west, south, east, north = bounds
    return JSONResponse(
        {
            "tilejson": "3.0.0",
            "name": spec.title,
            "description": spec.description,
            "version": "1.0.0",
            "attribution": "phananh · boundaries: see /boundaries/sets",
            "scheme": "xyz",
            "tiles": [url],
            "minzoom": spec.minzoom,
            "maxzoom": spec.maxzoom,
            "bounds": [west, south, east, north],
            "center": list(service.settings.center),
            "vector_layers": [
                {
                    "id": name,
                    "fields": fields,
                    "minzoom": spec.minzoom,
                    "maxzoom": spec.maxzoom,
                }
                for name, fields in spec.vector_layers.items()
            ],
            "data_version": version,
        },
        headers={"Cache-Control": "no-cache"},
    )
