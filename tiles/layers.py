"""The one registry of tile layers: what each layer is, its zooms, attributes and renderer.

A renderer takes a connection and returns the layer's MVT bytes for one tile (empty bytes when
the tile has nothing). Every statement is constant SQL text with bound values; the only
identifiers composed into it come from the allow-lists below.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from pydantic import BaseModel, ValidationError

from analytics.emerging import PATTERNS, EmergingParams, pattern_name, run_emerging
from analytics.hotspots import HotspotParams, run_gistar
from analytics.recurring import FLOODING, RecurringParams, run_recurring
from gis_db.sqlfiles import load_sql
from tiles.errors import TileError, TileNotFound, invalid
from tiles.filters import TileFilters
from tiles.settings import TileSettings
from tiles.tile import Tile
from tiles.wards import WARD_METRICS, WardMetrics, ward_metrics

# Zoom -> H3 resolution of the heat layer (and of clusters below the points zoom).
HEAT_RESOLUTIONS = ((10, 7), (12, 8), (14, 9), (99, 10))  # up to zoom -> resolution
CELL_COLUMNS = {7: "h3_r7", 8: "h3_r8", 9: "h3_r9", 10: "h3_r10"}
MONTHLY_RESOLUTIONS = (7, 8, 9)  # kept by rollup_cell_month, for everything together
MONTHLY_FIELD_RESOLUTIONS = (7,)  # ... and per field, and per field and category
MONTHLY_CHANNEL_RESOLUTIONS = (7, 8)  # ... and per channel
MEASURES = ("n", "n_open", "n_resolved", "n_rejected", "n_late")
_RUNS = threading.Lock()  # runs of the hotspots layer, computed once per worker
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The MVT layers of the hotspots tile layer (kind=), each drawn from a stored run.
HOTSPOT_KINDS = ("hotspots", "emerging", "recurring")
# Options of the hotspots layer -> the kinds they apply to.
HOTSPOT_OPTIONS: dict[str, tuple[str, ...]] = {
    "kind": HOTSPOT_KINDS,
    "set": HOTSPOT_KINDS,
    "resolution": ("hotspots", "emerging"),
    "k": ("hotspots", "emerging"),
    "window": ("emerging",),
    "steps": ("emerging",),
    "step_days": ("emerging",),
    "eps": ("recurring",),
    "min_points": ("recurring",),
    "min_days": ("recurring",),
    "min_weeks": ("recurring",),
}
_HOTSPOT_SQL = {
    "hotspots": "hotspots.sql",
    "emerging": "hotspots_emerging.sql",
    "recurring": "hotspots_recurring.sql",
}
_RUNNERS = {"hotspots": run_gistar, "emerging": run_emerging, "recurring": run_recurring}
_PATTERN_NAMES = {pattern: pattern_name(pattern) for pattern in PATTERNS}


@dataclass(frozen=True)
class Request:
    """One layer of one tile, as asked."""

    tile: Tile
    filters: TileFilters
    options: dict[str, str] = field(default_factory=dict)  # layer options such as set=
    version: int = 0  # data version the tile is rendered for
    as_of: datetime = field(default_factory=lambda: datetime.now(UTC))  # cut-off (backlogs)
    memo: MutableMapping = field(default_factory=dict)  # values shared by tiles (per version)


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
    statuses: bool = True  # whether status= and late= apply
    clock: bool = False  # whether the layer changes with time alone (backlogs at the cut-off)
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
        counts=cell_counts(resolution, request.filters)
    )
    params = {
        **request.tile.params(settings.extent, settings.buffer),
        **cell_count_params(resolution, request.filters),
        "layer": layer,
        "centroids": centroids,
    }
    # Never prepared: a generic plan cannot pick the resolution's partial index on h3_cell
    # and reads every cell (a z15 tile at 10 million complaints: 84 ms instead of 10).
    row = conn.execute(statement, params, prepare=False).fetchone()
    return bytes(row[0]) if row and row[0] else b""


def cell_counts(resolution: int, filters: TileFilters) -> sql.Composed:
    """The statement fragment counting complaints per cell for the filters: from the rollups,
    or from the complaints when a filter is one the rollups do not keep."""
    name = "cell_counts.sql" if filters.in_rollups else "cell_counts_raw.sql"
    return sql.SQL(load_sql("tiles", name)).format(
        cell=sql.Identifier(CELL_COLUMNS[resolution]),
        measure=sql.Identifier(filters.measure),
    )


def cell_count_params(resolution: int, filters: TileFilters) -> dict[str, object]:
    """Bound parameters of `cell_counts`."""
    return {
        **filters.params(),
        **_spans(filters, monthly=_monthly(resolution, filters)),
        **_month_rows(filters),
        "resolution": resolution,
    }


def _monthly(resolution: int, filters: TileFilters) -> bool:
    """Whether the monthly rollup can answer (whole months of) these filters."""
    if resolution not in MONTHLY_RESOLUTIONS:
        return False
    if filters.channel:  # by channel for everything together, at resolutions 7-8
        return not (filters.field or filters.category) and resolution in MONTHLY_CHANNEL_RESOLUTIONS
    return not (filters.field or filters.category) or resolution in MONTHLY_FIELD_RESOLUTIONS


def _month_rows(filters: TileFilters) -> dict[str, object]:
    """Which rows of the monthly rollup count the filters: all together ('*', '*', '*'),
    channels' ('*', '*', channels), a field's (field, '*', '*'), or categories' (any field or
    the given ones, the categories, '*')."""
    if filters.channel:
        return {
            "month_fields": ["*"],
            "month_categories": ["*"],
            "month_channels": list(filters.channel),
        }
    if filters.category:
        return {
            "month_fields": list(filters.field) or None,
            "month_categories": list(filters.category),
            "month_channels": ["*"],
        }
    return {
        "month_fields": list(filters.field) or ["*"],
        "month_categories": ["*"],
        "month_channels": ["*"],
    }


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
    }
    data, count = conn.execute(load_sql("tiles", "complaint_points.sql"), params).fetchone()
    if count > settings.max_points:  # never a truncated sample: aggregate instead
        return _cells(conn, request, settings, "complaints", 10, True)
    return bytes(data) if data else b""


def hotspot_kinds(request: Request) -> tuple[str, ...]:
    """The kinds a request of the hotspots layer asks for (kind=, comma-separated; all three
    by default), in their canonical order."""
    given = request.options.get("kind")
    if given is None:
        return HOTSPOT_KINDS
    wanted = {k.strip() for k in given.split(",") if k.strip()}
    unknown = sorted(wanted - set(HOTSPOT_KINDS))
    if unknown or not wanted:
        raise TileError(
            f"unknown kind(s) {', '.join(unknown) or '(none)'} (kinds: {', '.join(HOTSPOT_KINDS)})"
        )
    return tuple(k for k in HOTSPOT_KINDS if k in wanted)


def hotspot_params(conn: psycopg.Connection, request: Request) -> dict[str, BaseModel]:
    """The run parameters of each kind a request of the hotspots layer asks for, from its
    filters and options, with defaults (resolution 8, k = 1; 52 weekly steps ending on `to` or
    on the last day with complaints, window 1; flooding unless fields or categories are
    given, eps 50 m, 5 points, 4 days, 3 weeks). TileError when something does not apply."""
    f = request.filters
    if f.channel or f.unit:
        raise TileError("channel= and unit= do not apply to hotspots")
    kinds = hotspot_kinds(request)
    options = {k: v for k, v in request.options.items() if k != "kind"}
    for name in options:  # the tile service let only the layer's options through
        if not set(HOTSPOT_OPTIONS[name]) & set(kinds):
            applies = ", ".join(HOTSPOT_OPTIONS[name])
            raise TileError(f"{name}= applies to kind {applies}, not to {', '.join(kinds)}")
    shared = {"field": f.field, "category": f.category, **_pick(options, "set")}
    span = {"from": f.from_, "to": f.to}
    out: dict[str, BaseModel] = {}
    if "hotspots" in kinds:
        values = {**shared, **span, **_pick(options, "resolution", "k")}
        out["hotspots"] = _validated("hotspots", HotspotParams, values)
    if "emerging" in kinds:
        values = {**shared, **_emerging_span(conn, request, options)}
        values |= _pick(options, "resolution", "k", "window", "step_days")
        out["emerging"] = _validated("emerging", EmergingParams, values)
    if "recurring" in kinds:
        category = f.category if f.field or f.category else (FLOODING,)
        values = {**shared, **span, "category": category}
        values |= _pick(options, "min_points", "min_days", "min_weeks")
        if "eps" in options:
            values["eps_m"] = options["eps"]
        out["recurring"] = _validated("recurring", RecurringParams, values)
    return out


def _pick(options: dict[str, str], *names: str) -> dict[str, str]:
    return {name: options[name] for name in names if name in options}


def _validated(kind: str, model: type[BaseModel], values: dict) -> BaseModel:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise invalid(f"{kind} parameters", exc, whole=kind) from None


def _emerging_span(
    conn: psycopg.Connection, request: Request, options: dict[str, str]
) -> dict[str, object]:
    """The last day of the emerging cube (`to`, else the last day with complaints) and, when
    `from` is given, the whole steps between it and the last day."""
    f = request.filters
    last_day = f.to or last_data_day(conn, request)
    if f.from_ is None:
        return {"last_day": last_day, **_pick(options, "steps")}
    if "steps" in options:
        raise TileError("steps= and from= both set the span of the emerging hot spots; give one")
    try:
        step_days = int(options.get("step_days", EmergingParams.model_fields["step_days"].default))
    except ValueError:
        raise TileError("step_days= must be a whole number of days") from None
    if step_days < 1:
        raise TileError("step_days= must be at least 1")
    steps = ((last_day - f.from_).days + 1) // step_days
    limits = EmergingParams.model_fields["steps"].metadata
    low = next(m.ge for m in limits if hasattr(m, "ge"))
    high = next(m.le for m in limits if hasattr(m, "le"))
    if not low <= steps <= high:
        raise TileError(
            f"from {f.from_} to {last_day} holds {max(steps, 0)} whole steps of {step_days} "
            f"day(s); emerging hot spots need {low} to {high}"
        )
    return {"last_day": last_day, "steps": steps}


def last_data_day(conn: psycopg.Connection, request: Request) -> date:
    """The last local day with complaints (today when there are none), once per version."""
    key = ("last_day", request.version)
    found = request.memo.get(key)
    if found is None:
        row = conn.execute(load_sql("tiles", "last_day.sql")).fetchone()
        found = (row[0] if row and row[0] else request.as_of.astimezone(TZ).date(),)
        request.memo[key] = found
    return found[0]


def stored_run(conn: psycopg.Connection, request: Request, kind: str, params: BaseModel) -> int:
    """The id of the stored run of `kind` for `params`: looked up (or computed) by the first
    tile of a data version, then kept in the request's memo."""
    key = (kind, params, request.version)
    found = request.memo.get(key)
    if found is None:
        with _RUNS:  # one thread computes a run; the tiles asked meanwhile wait and reuse it
            found = request.memo.get(key)
            if found is None:
                found = (_RUNNERS[kind](conn, params).id,)
                request.memo[key] = found
    return found[0]


def render_hotspots(conn: psycopg.Connection, request: Request, settings: TileSettings) -> bytes:
    """Up to three MVT layers from stored runs (computed on the first tile of a data version,
    then reused): `hotspots`, the significant cells of the Gi* run; `emerging`, the cells of
    the emerging run with a pattern; `recurring`, the outlines of the recurring spots."""
    # A caller's access scope (TileSpec.scope, part of the tile cache key) would filter the
    # features here, in the statements; the runs themselves are shared by every scope.
    tile = request.tile.params(settings.extent, settings.buffer)
    parts = []
    for kind, params in hotspot_params(conn, request).items():
        values: dict[str, object] = {
            **tile,
            "layer": kind,
            "run": stored_run(conn, request, kind, params),
        }
        if kind != "recurring":
            values["resolution"] = params.resolution  # type: ignore[attr-defined]
        if kind == "emerging":
            values["names"] = Jsonb(_PATTERN_NAMES)
        row = conn.execute(load_sql("tiles", _HOTSPOT_SQL[kind]), values).fetchone()
        parts.append(bytes(row[0]) if row and row[0] else b"")
    return b"".join(parts)


def boundary_set(conn: psycopg.Connection, request: Request) -> str | None:
    """The slug of the request's boundary set (TileNotFound when there is none such), or of
    today's ward set when it names none (None when no set is loaded); looked up once per data
    version."""
    slug = request.options.get("set")
    key = ("set", slug, request.version)
    found = request.memo.get(key)
    if found is not None:
        return found[0]
    if slug is None:
        row = conn.execute(load_sql("tiles", "current_set.sql")).fetchone()
        slug = row[0] if row else None
    elif not conn.execute(load_sql("tiles", "set_exists.sql"), {"slug": slug}).fetchone()[0]:
        raise TileNotFound(f"no boundary set '{slug}' (see /boundaries/sets)")
    request.memo[key] = (slug,)
    return slug


def render_boundaries(conn: psycopg.Connection, request: Request, settings: TileSettings) -> bytes:
    """Unit outlines and label points of a boundary set (today's ward set by default)."""
    slug = boundary_set(conn, request)
    if slug is None:
        return b""
    params = {**request.tile.params(settings.extent, settings.buffer), "set": slug}
    row = conn.execute(load_sql("tiles", "boundaries.sql"), params).fetchone()
    return bytes(row[0]) if row and row[0] else b""


def wards_of(conn: psycopg.Connection, request: Request) -> tuple[str, WardMetrics] | None:
    """The set and the ward metrics of a request, computed once per set, filters, data version
    and cut-off (kept in the request's memo)."""
    slug = boundary_set(conn, request)
    if slug is None:
        return None
    key = ("wards", slug, request.filters.key(), request.version, request.as_of)
    found = request.memo.get(key)
    if found is None:
        found = ward_metrics(conn, slug, request.filters, request.as_of)
        request.memo[key] = found
    return slug, found


def render_wards(conn: psycopg.Connection, request: Request, settings: TileSettings) -> bytes:
    """Units of a boundary set with their choropleth metrics (tiles.wards)."""
    found = wards_of(conn, request)
    if found is None:
        return b""
    slug, metrics = found
    params = {
        **request.tile.params(settings.extent, settings.buffer),
        **metrics.params(),
        "set": slug,
    }
    row = conn.execute(load_sql("tiles", "wards.sql"), params).fetchone()
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
            description="Complaints per H3 cell for the filters; resolution 7 up to zoom 10, "
            "8 at 11-12, 9 at 13-14, 10 from 15.",
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
            name="wards",
            title="Chỉ số theo phường, xã",
            description="Units of a boundary set (set=, today's ward set by default) with "
            "complaints, per 10,000 residents, satisfaction, on-time rate, overdue backlog and "
            "median days to close, for the filters (see /legends/wards).",
            minzoom=0,
            maxzoom=22,
            vector_layers={
                "wards": {
                    "code": "official code",
                    "name": "name",
                    "population": "residents where known",
                    "rated": "ratings (n of the satisfaction figures)",
                    "timed": "n of the on-time rate",
                    "closed": "closed complaints (n of the median)",
                    **{m.name: m.title for m in WARD_METRICS.values()},
                }
            },
            render=render_wards,
            statuses=False,
            clock=True,
            options=("set",),
        ),
        Layer(
            name="hotspots",
            title="Điểm nóng: Gi*, xu hướng và điểm lặp lại",
            description="Three MVT layers from stored runs for the field, category and days "
            "given: `hotspots`, Getis-Ord Gi* hot and cold spots on H3 cells (resolution 8, "
            "k = 1, FDR-corrected; class +3/+2/+1 hot at 99/95/90 % confidence, negative cold); "
            "`emerging`, emerging hot spot patterns (52 weekly steps ending on `to` or the last "
            "day with complaints; ArcGIS's categories); `recurring`, outlines of recurring spots "
            "(DBSCAN in metres; flooding unless fields or categories are given). kind= picks "
            "some; set= chooses the study area; see /legends/hotspots.",
            minzoom=0,
            maxzoom=22,
            vector_layers={
                "hotspots": {
                    "h3": "H3 cell index (hex)",
                    "class": "+3/+2/+1 hot, -1/-2/-3 cold (99/95/90 % confidence)",
                    "z": "Gi* z-score",
                    "p_fdr": "p-value after the false-discovery-rate correction",
                    "n": "complaints in the cell",
                    "run": "id of the stored run (GET /analytics/hotspots)",
                },
                "emerging": {
                    "h3": "H3 cell index (hex)",
                    "category": "pattern: 'new hot' ... 'historical cold' (ArcGIS's categories)",
                    "name": "the pattern in Vietnamese",
                    "family": "hot or cold",
                    "tau": "Mann-Kendall tau of the cell's z-scores over the steps",
                    "p": "two-sided p of the trend",
                    "z": "space-time Gi* z-score of the last step",
                    "n": "complaints over all steps",
                    "n_last": "complaints in the last step",
                    "hot_steps": "steps significantly hot",
                    "cold_steps": "steps significantly cold",
                    "run": "id of the stored run",
                },
                "recurring": {
                    "spot": "rank in the run (most days first); also the feature id",
                    "n": "complaints in the cluster",
                    "days": "distinct days with complaints",
                    "weeks": "distinct weeks with complaints",
                    "first_day": "first local day",
                    "last_day": "last local day",
                    "area_m2": "area of the outline in m²",
                    "wards": "names of the units the outline touches",
                    "run": "id of the stored run",
                },
            },
            render=render_hotspots,
            statuses=False,
            options=tuple(HOTSPOT_OPTIONS),
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
