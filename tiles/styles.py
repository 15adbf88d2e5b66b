"""MapLibre styles (`/styles/{name}.json`) over the tile layers, coloured by their legends.

No basemap and no text labels by default: the server ships no fonts and city operations
networks are often closed. Set PHANANH_TILES_GLYPHS to a glyphs URL to get ward labels.
"""

from __future__ import annotations

from urllib.parse import urlencode

from tiles.breaks import NO_DATA
from tiles.layers import HOTSPOT_OPTIONS

# Style name -> the layers it shows (the overview shows all, the choropleth first).
STYLES: dict[str, tuple[str, ...]] = {
    "phananh": ("wards", "heat", "hotspots", "complaints", "boundaries"),
    "wards": ("wards", "boundaries"),
    "heat": ("heat", "boundaries"),
    "complaints": ("complaints", "boundaries"),
    "hotspots": ("hotspots", "boundaries"),
    "boundaries": ("boundaries",),
}
BACKGROUND = "#f2efe9"
HOTSPOT_FILTERS = ("field", "category", "from", "to")  # channel, unit, status, late: no runs


def style(
    name: str,
    base_url: str,
    query: dict[str, str],
    legends: dict[str, dict],
    glyphs: str | None = None,
) -> dict:
    """The style `name`: one vector source per layer (its TileJSON, with the filters), one or
    two style layers each. `legends` holds the legend of each layer that needs colours."""
    layers: list[dict] = [
        {"id": "background", "type": "background", "paint": {"background-color": BACKGROUND}}
    ]
    sources = {}
    filters = {
        k: v for k, v in query.items() if k not in ("set", "metric") and k not in HOTSPOT_OPTIONS
    }
    boundary_set = {"set": query["set"]} if "set" in query else {}
    hotspots = {k: v for k, v in query.items() if k in HOTSPOT_OPTIONS}  # kind=, set=, runs'
    for layer in STYLES[name]:
        own = {
            "wards": {
                **{k: v for k, v in filters.items() if k not in ("status", "late")},
                **boundary_set,
            },
            "boundaries": boundary_set,
            "hotspots": {
                **{k: v for k, v in filters.items() if k in HOTSPOT_FILTERS},
                **hotspots,
            },
        }.get(layer, filters)
        suffix = f"?{urlencode(own)}" if own else ""
        sources[layer] = {"type": "vector", "url": f"{base_url}/tiles/{layer}.json{suffix}"}
        drawn = _LAYERS[layer](legends.get(layer, {}))
        if layer == "hotspots" and name != "hotspots":  # in an overview, shown on demand
            for item in drawn:
                item["layout"] = {**item.get("layout", {}), "visibility": "none"}
        layers += drawn
    if glyphs and "boundaries" in STYLES[name]:
        layers.append(_labels())
    out = {
        "version": 8,
        "name": f"phananh · {name}",
        "metadata": {"phananh:layers": list(STYLES[name])},
        "sources": sources,
        "layers": layers,
        "center": [106.7009, 10.7769],
        "zoom": 11,
    }
    if glyphs:
        out["glyphs"] = glyphs
    return out


def _steps(legend: dict, attribute: str) -> list:
    """A colour expression: the legend's classes as steps, grey where the value is missing."""
    classes = legend.get("classes") or []
    if not classes:
        return NO_DATA  # type: ignore[return-value]
    step: list = ["step", ["to-number", ["get", attribute]], classes[0]["color"]]
    for row, upper in zip(classes[1:], [c["max"] for c in classes[:-1]], strict=True):
        step += [upper, row["color"]]
    return ["case", ["has", attribute], step, NO_DATA]


def _wards(legend: dict) -> list[dict]:
    metric = legend.get("metric", "per_10k")
    return [
        {
            "id": "wards-fill",
            "type": "fill",
            "source": "wards",
            "source-layer": "wards",
            "metadata": {"phananh:metric": metric},
            "paint": {"fill-color": _steps(legend, metric), "fill-opacity": 0.75},
        },
        {
            "id": "wards-line",
            "type": "line",
            "source": "wards",
            "source-layer": "wards",
            "paint": {"line-color": "#ffffff", "line-width": 0.6},
        },
    ]


def _heat(legend: dict) -> list[dict]:
    return [
        {
            "id": "heat-fill",
            "type": "fill",
            "source": "heat",
            "source-layer": "heat",
            "paint": {"fill-color": _steps(legend, "per_km2"), "fill-opacity": 0.7},
        }
    ]


def _hotspots(legend: dict) -> list[dict]:
    """Gi* cells filled by class; emerging cells filled by pattern (hidden: they cover the same
    cells, a client shows one or the other); recurring spots outlined on top."""
    match: list = ["match", ["get", "class"]]
    for row in legend.get("classes", []):
        match += [row["value"], row["color"]]
    parts = {p["source_layer"]: p for p in legend.get("sublayers", [])}
    patterns: list = ["match", ["get", "category"]]
    for row in parts.get("emerging", {}).get("classes", []):
        patterns += [row["value"], row["color"]]
    outline = next(iter(parts.get("recurring", {}).get("classes", [])), {}).get("color", "#4a1486")
    return [
        {
            "id": "hotspots-fill",
            "type": "fill",
            "source": "hotspots",
            "source-layer": "hotspots",
            "paint": {"fill-color": match + ["#cccccc"], "fill-opacity": 0.75},
        },
        {
            "id": "emerging-fill",
            "type": "fill",
            "source": "hotspots",
            "source-layer": "emerging",
            "metadata": {"phananh:alternative-to": "hotspots-fill"},
            "layout": {"visibility": "none"},
            "paint": {
                "fill-color": patterns + ["#cccccc"] if len(patterns) > 2 else "#cccccc",
                "fill-opacity": 0.75,
            },
        },
        {
            "id": "recurring-fill",
            "type": "fill",
            "source": "hotspots",
            "source-layer": "recurring",
            "paint": {"fill-color": outline, "fill-opacity": 0.15},
        },
        {
            "id": "recurring-line",
            "type": "line",
            "source": "hotspots",
            "source-layer": "recurring",
            "paint": {"line-color": outline, "line-width": 2},
        },
    ]


def _complaints(legend: dict) -> list[dict]:
    match: list = ["match", ["get", "field"]]
    for row in legend.get("classes", []):
        match += [row["value"], row["color"]]
    colour = match + ["#555555"] if len(match) > 2 else "#555555"
    return [
        {
            "id": "complaints-clusters",
            "type": "circle",
            "source": "complaints",
            "source-layer": "complaints",
            "filter": ["has", "n"],
            "paint": {
                "circle-color": "#c0392b",
                "circle-opacity": 0.45,
                "circle-radius": ["interpolate", ["linear"], ["sqrt", ["get", "n"]], 1, 2, 40, 12],
                "circle-stroke-color": "#ffffff",
                "circle-stroke-width": 0.5,
            },
        },
        {
            "id": "complaints-points",
            "type": "circle",
            "source": "complaints",
            "source-layer": "complaints",
            "filter": ["!", ["has", "n"]],
            "paint": {
                "circle-color": colour,
                "circle-radius": 4,
                "circle-stroke-color": "#ffffff",
                "circle-stroke-width": 1,
            },
        },
    ]


def _boundaries(legend: dict) -> list[dict]:
    return [
        {
            "id": "boundaries-line",
            "type": "line",
            "source": "boundaries",
            "source-layer": "boundaries",
            "paint": {"line-color": "#3f4a5a", "line-width": 0.8, "line-opacity": 0.8},
        }
    ]


def _labels() -> dict:
    return {
        "id": "boundaries-labels",
        "type": "symbol",
        "source": "boundaries",
        "source-layer": "boundary_labels",
        "minzoom": 12,
        "layout": {"text-field": ["get", "name"], "text-size": 11},
        "paint": {"text-color": "#222222", "text-halo-color": "#ffffff", "text-halo-width": 1},
    }


_LAYERS = {
    "wards": _wards,
    "heat": _heat,
    "complaints": _complaints,
    "hotspots": _hotspots,
    "boundaries": _boundaries,
}
