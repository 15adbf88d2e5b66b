"""Legends of the tile layers (`/legends/{layer}`): classes with colours and labels, in
Vietnamese, with frozen breaks for the choropleth and the heat layer."""

from __future__ import annotations

import psycopg
from psycopg import sql

from analytics.emerging import PATTERNS, EmergingParams, pattern_name
from analytics.gistar import CLASSES
from analytics.recurring import RecurringParams
from gis_db.sqlfiles import load_sql
from tiles.breaks import NO_DATA, colours, frozen_breaks
from tiles.errors import TileError, TileNotFound
from tiles.layers import (
    LAYERS,
    Request,
    cell_count_params,
    cell_counts,
    hotspot_kinds,
    hotspot_params,
    wards_of,
)
from tiles.wards import DEFAULT_METRIC, WARD_METRICS

HEAT_LEGEND_RESOLUTION = 8  # densities of these cells set the heat classes
# Categorical colours of complaint fields (Tableau 20), in the fields' display order.
FIELD_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)  # fmt: skip
BOUNDARY_COLOUR = "#3f4a5a"
# Emerging hot spot patterns as ArcGIS draws them: the hot family in reds and oranges, the cold
# family in blues, strongest (intensifying, persistent, new) darkest; no pattern is not drawn.
PATTERN_COLOURS = {
    "new hot": "#7f0000", "consecutive hot": "#d7301f", "intensifying hot": "#b30000",
    "persistent hot": "#ef6548", "diminishing hot": "#fc8d59", "sporadic hot": "#fdbb84",
    "oscillating hot": "#e7298a", "historical hot": "#fdd49e",
    "new cold": "#08306b", "consecutive cold": "#2171b5", "intensifying cold": "#08519c",
    "persistent cold": "#4292c6", "diminishing cold": "#6baed6", "sporadic cold": "#9ecae1",
    "oscillating cold": "#807dba", "historical cold": "#c6dbef",
    "no pattern": "#d9d9d9",
}  # fmt: skip
RECURRING_COLOUR = "#4a1486"  # outlines of recurring spots: violet, apart from reds and blues
NO_DATA_LABEL = "Chưa có dữ liệu"


def legend(conn: psycopg.Connection, name: str, request: Request, metric: str | None) -> dict:
    """The legend of layer `name` for a request's filters and options."""
    if name not in LAYERS:
        raise TileNotFound(f"no layer '{name}' (layers: {', '.join(LAYERS)})")
    if metric is not None and name != "wards":
        raise TileError("metric= applies to the wards legend only")
    build = {
        "wards": _wards,
        "heat": _heat,
        "complaints": _complaints,
        "hotspots": _hotspots,
        "boundaries": _lines,
    }
    return {"layer": name, "title": LAYERS[name].title, **build[name](conn, request, metric)}


def _wards(conn: psycopg.Connection, request: Request, metric: str | None) -> dict:
    metric = metric or DEFAULT_METRIC
    if metric not in WARD_METRICS:
        raise TileError(f"unknown metric '{metric}' (metrics: {', '.join(WARD_METRICS)})")
    spec = WARD_METRICS[metric]
    found = wards_of(conn, request)
    if found is None:
        return {"metric": metric, "classes": [], "no_data": _no_data()}
    slug, metrics = found
    breaks = frozen_breaks(
        conn, "wards", metric, slug, request.filters.key(), metrics.columns[metric],
        request.version,
    )  # fmt: skip
    scale = 100 if spec.unit == "%" else 1
    return {
        "metric": metric,
        "metric_title": spec.title,
        "unit": spec.unit,
        "n_attribute": spec.n,
        "set": slug,
        "filters": request.filters.query(),
        "as_of": request.as_of.isoformat(),
        "metrics": {m.name: m.title for m in WARD_METRICS.values()},
        **_classes(breaks, spec.higher_is_better, spec.digits, scale),
    }


def _heat(conn: psycopg.Connection, request: Request, metric: str | None) -> dict:
    res = HEAT_LEGEND_RESOLUTION
    statement = sql.SQL(load_sql("tiles", "heat_densities.sql")).format(
        counts=cell_counts(res, request.filters)
    )
    params = cell_count_params(res, request.filters)
    values = [r[0] for r in conn.execute(statement, params, prepare=False)]  # see layers._cells
    breaks = frozen_breaks(
        conn, "heat", "per_km2", "", request.filters.key(), values, request.version
    )
    return {
        "metric": "per_km2",
        "metric_title": "Phản ánh trên km²",
        "unit": "phản ánh/km²",
        "filters": request.filters.query(),
        **_classes(breaks, False, 1, 1),
    }


def _complaints(conn: psycopg.Connection, request: Request, metric: str | None) -> dict:
    fields = conn.execute(load_sql("tiles", "field_names.sql")).fetchall()
    return {
        "attribute": "field",
        "classes": [
            {"value": code, "label": label, "color": FIELD_COLOURS[i % len(FIELD_COLOURS)]}
            for i, (code, label) in enumerate(fields)
        ],
        "clusters": "Dưới mức thu phóng 14: tâm ô H3 với số phản ánh (n)",
    }


def _hotspots(conn: psycopg.Connection, request: Request, metric: str | None) -> dict:
    """Gi* classes (also at the top, as before), emerging patterns and recurring outlines,
    one part per MVT layer the request's kind= asks for."""
    chosen = hotspot_params(conn, request)
    gi = chosen.get("hotspots")
    gi_star = {
        "attribute": "class",
        "classes": [{"value": v, "label": label, "color": colour} for v, label, colour in CLASSES],
        "method": f"Getis-Ord Gi*, H3 r{gi.resolution if gi else 8}, k = {gi.k if gi else 1}, "
        "Benjamini-Hochberg FDR",
    }
    parts = []
    if "hotspots" in chosen:
        parts.append({"source_layer": "hotspots", "title": "Điểm nóng, điểm lạnh (Gi*)", **gi_star})
    if "emerging" in chosen:
        parts.append({"source_layer": "emerging", **_emerging(chosen["emerging"])})
    if "recurring" in chosen:
        names = dict(conn.execute(load_sql("tiles", "taxonomy_names.sql")).fetchall())
        parts.append({"source_layer": "recurring", **_recurring(chosen["recurring"], names)})
    return {**gi_star, "kinds": list(hotspot_kinds(request)), "sublayers": parts}


def _emerging(params: EmergingParams) -> dict:
    return {
        "title": "Xu hướng điểm nóng (điểm nóng mới nổi)",
        "attribute": "category",
        "classes": [
            {
                "value": pattern,
                "label": pattern_name(pattern),
                "label_en": pattern.capitalize() + (" spot" if pattern != "no pattern" else ""),
                "color": PATTERN_COLOURS[pattern],
                "family": pattern.rpartition(" ")[2] if pattern != "no pattern" else None,
                "drawn": pattern != "no pattern",
            }
            for pattern in PATTERNS
        ],
        "method": f"Space-time Gi* (H3 r{params.resolution}, k = {params.k}, window "
        f"{params.window}), {params.steps} steps of {params.step_days} day(s) to "
        f"{params.last_day}, Mann-Kendall trend; ArcGIS's Emerging Hot Spot categories",
    }


def _recurring(params: RecurringParams, names: dict[str, str]) -> dict:
    codes = params.category or params.field
    what = ", ".join(names.get(c, c).lower() for c in codes) or "mọi phản ánh"
    return {
        "title": "Điểm lặp lại",
        "classes": [
            {
                "label": f"Điểm lặp lại ({what}): ít nhất {params.min_days} ngày, "
                f"{params.min_weeks} tuần",
                "label_en": "Recurring spot (outline)",
                "color": RECURRING_COLOUR,
                "outline": True,
            }
        ],
        "method": f"DBSCAN in metres (EPSG:32648), eps {params.eps_m:g} m, at least "
        f"{params.min_points} complaints; kept on {params.min_days}+ days and "
        f"{params.min_weeks}+ weeks",
    }


def _lines(conn: psycopg.Connection, request: Request, metric: str | None) -> dict:
    return {"classes": [{"label": "Ranh giới đơn vị hành chính", "color": BOUNDARY_COLOUR}]}


def _classes(breaks, higher_is_better: bool, digits: int, scale: float) -> dict:  # noqa: ANN001
    if breaks is None:
        return {"classes": [], "no_data": _no_data()}
    rows = breaks.classes(colours(higher_is_better), digits)
    if scale != 1:  # shares shown as percentages in labels; min/max stay shares
        for row in rows:
            low, high = row["min"] * scale, row["max"] * scale
            row["label"] = f"{low:.1f} – {high:.1f} %".replace(".", ",")
    return {
        "method": breaks.method,
        "breaks": list(breaks.upper),
        "classes": rows,
        "no_data": _no_data(),
        "frozen_at": breaks.computed_at,
        "frozen_data_version": breaks.data_version,
        "values": breaks.units,
    }


def _no_data() -> dict:
    return {"label": NO_DATA_LABEL, "color": NO_DATA}
