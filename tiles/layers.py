"""The one registry of tile layers: what each layer is, its zooms, attributes and renderer.

A renderer takes a connection and returns the layer's MVT bytes for one tile (empty bytes when
the tile has nothing). Every statement is constant SQL text with bound values; the only
identifiers composed into it come from the allow-lists below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import psycopg
from psycopg import sql

from gis_db.sqlfiles import load_sql
from tiles.errors import TileError, TileNotFound
from tiles.filters import TileFilters
from tiles.settings import TileSettings
from tiles.tile import Tile

# Zoom -> H3 resolution of the heat layer (and of clusters below the points zoom).
HEAT_RESOLUTIONS = ((9, 7), (11, 8), (13, 9), (99, 10))  # up to zoom -> resolution
CELL_COLUMNS = {7: "h3_r7", 8: "h3_r8", 9: "h3_r9", 10: "h3_r10"}
MONTHLY_RESOLUTIONS = (7, 8, 9)  # kept by rollup_cell_month, for all fields together
MONTHLY_FIELD_RESOLUTIONS = (7,)  # ... and per field
MEASURES = ("n", "n_open", "n_resolved", "n_rejected", "n_late")
TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Request:
    """One layer of one tile, as asked."""

    tile: Tile
    filters: TileFilters
    options: dict[str, str] = field(default_factory=dict)  # layer options such as set=


Renderer = Callable[[psycopg.Connection, Request, TileSettings], bytes]


@dataclass(frozen=True)
class Layer:
    """A tile layer: name, zoom range, the MVT layers it writes and their attributes."""

    name: str
    title: str
    description: str
    minzoom: int
    maxzoom: int
    vector_layers: dict[str, dict[str, str]]  # MVT layer -> attribute -> description
    render: Renderer
    filters: bool = True  # whether complaint filters apply
    options: tuple[str, ...] = ()


def heat_resolution(z: int) -> int:
    """H3 resolution of heat cells at zoom `z`."""
    return next(res for up_to, res in HEAT_RESOLUTIONS if z <= up_to)


def _cells(
    conn: psycopg.Connection,
    request: Request,
    settings: TileSettings,
    layer: str,
    resolution: int,
    centroids: bool,
) -> bytes:
    statement = sql.SQL(load_sql("tiles", "heat.sql")).format(
        cell=sql.Identifier(CELL_COLUMNS[resolution]),
        measure=sql.Identifier(request.filters.measure),
    )
    filters = request.filters
    params = {
        **request.tile.params(settings.extent, settings.buffer),
        **filters.params(),
        **_spans(filters, monthly=_monthly(resolution, filters)),
        "layer": layer,
        "resolution": resolution,
        "centroids": centroids,
    }
    row = conn.execute(statement, params).fetchone()
    return bytes(row[0]) if row and row[0] else b""


def _monthly(resolution: int, filters: TileFilters) -> bool:
    """Whether the monthly rollup can answer (whole months of) these filters."""
    if resolution not in MONTHLY_RESOLUTIONS or filters.category:
        return False
    return not filters.field or resolution in MONTHLY_FIELD_RESOLUTIONS


def _spans(filters: TileFilters, monthly: bool) -> dict[str, object]:
    """Which rows of the monthly and the daily rollups make up the filters' span of days:
    whole months from the monthly one (when `monthly`), the days left over at either end from
    the daily one."""
    first, last = filters.from_, filters.to
    spans: list[tuple[date, date]] = []
    month_from = month_to = None
    if monthly:
        if first is not None:
            month_from = first if first.day == 1 else _next_month(first)
            if first < month_from:
                spans.append((first, month_from - timedelta(days=1)))
        if last is not None:
            after = last + timedelta(days=1)
            month_to = after if after.day == 1 else last.replace(day=1)
            if month_to <= last:
                spans.append((month_to, last))
        if month_from and month_to and month_from >= month_to:  # no whole month in the span
            monthly, spans = False, [(first, last)]  # type: ignore[list-item]
    else:
        spans = [(first or date.min, last or date.max)]
    spans += [(None, None)] * (2 - len(spans))  # type: ignore[list-item]
    return {
        "use_months": monthly,
        "month_from": month_from,
        "month_to": month_to,
        "use_days": spans[0][0] is not None,
        "day_from_1": spans[0][0],
        "day_to_1": spans[0][1],
        "day_from_2": spans[1][0],
        "day_to_2": spans[1][1],
    }


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def render_heat(conn: psycopg.Connection, request: Request, settings: TileSettings) -> bytes:
    """H3 hexagons with counts, at the resolution of the zoom."""
    return _cells(conn, request, settings, "heat", heat_resolution(request.tile.z), False)


def render_complaints(conn: psycopg.Connection, request: Request, settings: TileSettings) -> bytes:
    """Points from the points zoom on (aggregated when a tile holds too many); below it,
    clusters: the centres of H3 cells with their counts."""
    z = request.tile.z
    if z < settings.point_min_zoom:
        return _cells(conn, request, settings, "complaints", heat_resolution(z), True)
    params = {
        **request.tile.params(settings.extent, settings.buffer),
        **request.filters.params(),
        "layer": "complaints",
        "limit": settings.max_points + 1,
        "tz": TIMEZONE,
    }
    data, count = conn.execute(load_sql("tiles", "complaint_points.sql"), params).fetchone()
    if count > settings.max_points:  # never a truncated sample: aggregate instead
        return _cells(conn, request, settings, "complaints", 10, True)
    return bytes(data) if data else b""


def render_boundaries(conn: psycopg.Connection, request: Request, settings: TileSettings) -> bytes:
    """Unit outlines and label points of a boundary set (today's ward set by default)."""
    slug = request.options.get("set")
    if slug is None:
        row = conn.execute(load_sql("tiles", "current_set.sql")).fetchone()
        if row is None:
            return b""
        slug = row[0]
    elif not conn.execute(load_sql("tiles", "set_exists.sql"), {"slug": slug}).fetchone()[0]:
        raise TileNotFound(f"no boundary set '{slug}' (see /boundaries/sets)")
    params = {**request.tile.params(settings.extent, settings.buffer), "set": slug}
    row = conn.execute(load_sql("tiles", "boundaries.sql"), params).fetchone()
    return bytes(row[0]) if row and row[0] else b""


_CELL_FIELDS = {
    "h3": "H3 cell index (hex)",
    "resolution": "H3 resolution",
    "n": "complaints counted for the filters",
    "per_km2": "complaints per km²",
}
LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer(
            name="heat",
            title="Mật độ phản ánh (H3)",
            description="Complaints per H3 cell for the filters; resolution 7 up to zoom 9, "
            "8 at 10-11, 9 at 12-13, 10 from 14.",
            minzoom=0,
            maxzoom=22,
            vector_layers={"heat": _CELL_FIELDS},
            render=render_heat,
        ),
        Layer(
            name="complaints",
            title="Phản ánh",
            description="Complaints as points from zoom 14 (no personal data); below, or when "
            "a tile holds too many, H3 cell centres with counts.",
            minzoom=0,
            maxzoom=22,
            vector_layers={
                "complaints": {
                    "field": "lĩnh vực (field code)",
                    "category": "category code",
                    "status": "status",
                    "received": "local reception day",
                    **_CELL_FIELDS,
                }
            },
            render=render_complaints,
        ),
        Layer(
            name="boundaries",
            title="Ranh giới hành chính",
            description="Unit outlines and label points of a boundary set (set=, today's ward "
            "set by default).",
            minzoom=0,
            maxzoom=22,
            vector_layers={
                "boundaries": {
                    "code": "official code",
                    "name": "name",
                    "type": "unit type",
                    "parent": "parent unit (district) where known",
                    "set": "boundary set",
                    "population": "residents where known",
                    "area_km2": "area in km²",
                },
                "boundary_labels": {"code": "official code", "name": "name", "type": "unit type"},
            },
            render=render_boundaries,
            filters=False,
            options=("set",),
        ),
    )
}


def resolve(names: str) -> list[Layer]:
    """Layers of a comma-separated list (a composite tile), each once, in the given order."""
    layers: list[Layer] = []
    for name in names.split(","):
        if name not in LAYERS:
            known = ", ".join(LAYERS)
            raise TileNotFound(f"no layer '{name}' (layers: {known})")
        if LAYERS[name] in layers:
            raise TileError(f"layer '{name}' is listed twice")
        layers.append(LAYERS[name])
    return layers
