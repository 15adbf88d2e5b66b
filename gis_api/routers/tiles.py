"""Vector tiles (MVT) and their TileJSON."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

import anyio
import psycopg
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from tiles.cache import CachedTile
from tiles.errors import TileError, TileNotFound
from tiles.filters import TileFilters
from tiles.layers import LAYERS
from tiles.service import TileService

router = APIRouter(tags=["tiles"])
MVT = "application/vnd.mapbox-vector-tile"
T = TypeVar("T")

FieldQ = Annotated[str | None, Query(description="Field codes (lĩnh vực), comma-separated")]
CategoryQ = Annotated[str | None, Query(description="Category codes, comma-separated")]
ChannelQ = Annotated[str | None, Query(description="Channels of reception, comma-separated")]
UnitQ = Annotated[str | None, Query(description="Handling unit codes, comma-separated")]
FromQ = Annotated[date | None, Query(alias="from", description="First reception day")]
ToQ = Annotated[date | None, Query(description="Last reception day, inclusive")]
StatusQ = Annotated[str | None, Query(description="open, resolved or rejected")]
LateQ = Annotated[bool, Query(description="Only complaints resolved after their due date")]
SetQ = Annotated[str | None, Query(description="Boundary set (wards and boundaries layers)")]
VersionQ = Annotated[int | None, Query(description="Data version (from TileJSON; cache buster)")]


def tile_filters(
    field: FieldQ = None,
    category: CategoryQ = None,
    channel: ChannelQ = None,
    unit: UnitQ = None,
    from_: FromQ = None,
    to: ToQ = None,
    status: StatusQ = None,
    late: LateQ = False,
) -> TileFilters:
    """The complaint filters of a request, from its query parameters."""
    values = {
        "field": field,
        "category": category,
        "channel": channel,
        "unit": unit,
        "from": from_,
        "to": to,
        "status": status,
    }
    try:
        return TileFilters.model_validate(
            {**{k: v for k, v in values.items() if v is not None}, "late": late}
        )
    except ValidationError as exc:
        message = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise TileError(f"invalid filters: {message}") from None


FiltersDep = Annotated[TileFilters, Depends(tile_filters)]


async def with_connection(request: Request, work: Callable[[psycopg.Connection], T]) -> T:
    """Run `work` on a pooled connection in a worker thread; cancel its query if the client
    goes away meanwhile."""
    pool = request.app.state.pool
    lent: list[psycopg.Connection] = []

    def job() -> T:
        with pool.connection() as conn:
            lent.append(conn)
            return work(conn)

    async def watch(scope: anyio.CancelScope) -> None:
        while not await request.is_disconnected():
            await anyio.sleep(0.1)
        if lent:
            lent[0].cancel_safe()
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
    return Response(gzip.decompress(tile.gzipped), media_type=MVT, headers=headers)


@router.get(
    "/tiles/{layers}/{z}/{x}/{y}.mvt",
    response_class=Response,
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
    spec = service.spec(layers, z, x, y, filters, {"set": set})
    result = service.cached(spec, v)
    if result is None:
        result = await with_connection(request, lambda conn: service.render(conn, spec, v))
    return _tile_response(request, result, service.settings.max_age)


@router.get("/tiles/{layer}.json")
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
    query = {**filters.query(), **({"set": set} if set else {}), "v": str(version)}
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
