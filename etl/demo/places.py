"""Geography of the synthetic complaints: ward sets, point sampling, snapping, hotspots.

All places are read from the catalog datasets through :func:`boundaries.data.resolve`. The
sampling unit of the old city is the 2019 ward (322 polygons with a 2019 population); each one
maps to exactly one 2021 ward and one ward of the 273-ward list of 2025-01..06. Units of the
168-ward city of 2025-07 are found by point in polygon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from boundaries.data import resolve
from boundaries.settings import BoundarySettings

M_PER_DEG_LAT = 110_600.0
M_PER_DEG_LON = 109_300.0  # at 10.8° N
ROAD_WORDS = ("quốc lộ", "tỉnh lộ", "đại lộ", "xa lộ", "đường", "hẻm", "đt", "vành đai")


@dataclass(frozen=True, eq=False)
class Geo:
    """Everything about places the generator needs, as arrays."""

    # Old city, one entry per 2019 ward (the sampling unit).
    base_geoms: np.ndarray
    base_bounds: np.ndarray
    base_weight: np.ndarray
    base_tree: shapely.STRtree
    base: pd.DataFrame  # code/name/district per ward set: *_19, *_21, *_2503
    old_union: shapely.Geometry
    old_boundary: shapely.Geometry
    # City of 2025-07 (168 units).
    new_geoms: np.ndarray
    new_bounds: np.ndarray
    new_tree: shapely.STRtree
    new: pd.DataFrame  # code, name, type, province ("79", "74", "77"), weight, legacy names
    city_union: shapely.Geometry
    city_boundary: shapely.Geometry
    # Central road network (usable named segments only).
    road_geoms: np.ndarray
    road_tree: shapely.STRtree
    road_street: np.ndarray  # street name as people write it (diacritics where known)
    road_alley: np.ndarray  # alley number ("154", "122/5") or ""
    road_bbox: tuple[float, float, float, float]
    # Areas: 2021 district code ("769:<2019 district>" inside Thủ Đức) or former province.
    areas: tuple[str, ...]
    base_area: np.ndarray
    new_area: np.ndarray

    def base_of(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """2019 ward of each point (the nearest one outside the city)."""
        return locate(self.base_geoms, self.base_bounds, self.base_tree, xs, ys)

    def area_of(self, base: np.ndarray, new: np.ndarray) -> np.ndarray:
        """Index into ``areas`` of each place (``base`` 2019 ward or -1, ``new`` unit or -1)."""
        return np.where(
            base >= 0, self.base_area[np.maximum(base, 0)], self.new_area[np.maximum(new, 0)]
        )

    def new_of(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Unit of the 2025-07 city holding each point (the nearest one outside)."""
        return locate(self.new_geoms, self.new_bounds, self.new_tree, xs, ys)


def _csv(key: str, settings: BoundarySettings) -> pd.DataFrame:
    return pd.read_csv(resolve(key, settings), dtype=str, keep_default_na=False)


def _geo(key: str, settings: BoundarySettings) -> gpd.GeoDataFrame:
    frame = gpd.read_file(resolve(key, settings))
    return frame.sort_values("ward_code", kind="stable").reset_index(drop=True)


@cache
def _load(data_dir: str | None, data_url: str | None, cache_dir: str) -> Geo:
    from etl.demo.profile import load_profile, load_texts

    settings = BoundarySettings(data_dir=data_dir, data_url=data_url, cache_dir=cache_dir)
    profile = load_profile()
    w19 = _geo("hcmc_wards_2019_322", settings)
    cw19 = _csv("crosswalk_2019_to_2021", settings).set_index("ward_code_2019")
    g20 = _csv("gso_hcmc_2020_11_01", settings).set_index("ward_code")
    g24 = _csv("gso_hcmc_2024_11_01", settings).set_index("ward_code")
    cw21 = _csv("crosswalk_2021_to_2025_03", settings).set_index("ward_code_2024")
    g25 = _csv("gso_hcmc_2025_03_01", settings).set_index("ward_code")

    base = pd.DataFrame({"code_19": w19["ward_code"].astype(str)})
    # Each 2019 ward followed to 2021 and 2025-03, with the names of the list of each time.
    steps = (("19", None, None, g20), ("21", cw19, "ward_code_2021", g24),
             ("2503", cw21, "ward_code_2025_03", g25))  # fmt: skip
    previous = "19"
    for tag, crosswalk, target, names in steps:
        if crosswalk is not None:
            base[f"code_{tag}"] = crosswalk.loc[base[f"code_{previous}"], target].to_numpy()
        codes = base[f"code_{tag}"]
        base[f"name_{tag}"] = names.loc[codes, "ward_name"].to_numpy()
        base[f"district_code_{tag}"] = names.loc[codes, "district_code"].to_numpy()
        base[f"district_{tag}"] = names.loc[codes, "district_name"].to_numpy()
        previous = tag
    base["type_19"] = g20.loc[base.code_19, "ward_type"].to_numpy()
    for col in ("name_19", "district_19", "name_21", "district_21", "name_2503", "district_2503"):
        base[col] = base[col].map(_tidy)

    density = profile["density"]
    dmult = {str(k): float(v) for k, v in (density.get("district_multiplier") or {}).items()}
    wmult = {str(k): float(v) for k, v in (density.get("ward_multiplier") or {}).items()}
    weight = w19["pop_2019"].fillna(0).to_numpy(dtype=float)
    weight = weight * base.district_code_21.map(lambda c: dmult.get(c, 1.0)).to_numpy(float)
    weight = weight * base.code_21.map(lambda c: wmult.get(c, 1.0)).to_numpy(float)

    base_geoms = w19.geometry.to_numpy()
    shapely.prepare(base_geoms)
    old_union = shapely.union_all(base_geoms)
    shapely.prepare(old_union)

    w25 = _geo("hcmc_wards_2025_168", settings)
    cw25 = _csv("crosswalk_2025_03_to_2025_07", settings)
    provinces = cw25.groupby("new_ward_code")["old_province_code"].agg(lambda s: sorted(set(s))[0])
    legacy = (
        cw25.sort_values(["new_ward_code", "merge_type", "old_ward_code"], kind="stable")
        .groupby("new_ward_code")
        .first()
    )
    new = pd.DataFrame(
        {
            "code": w25["ward_code"].astype(str),
            "name": w25["ward_name"].astype(str).map(_tidy),
            "type": w25["ward_type"].astype(str),
        }
    )
    new["province"] = new.code.map(provinces).fillna("79").to_numpy()
    new["legacy_name"] = new.code.map(legacy["old_ward_name"]).fillna("").map(_tidy).to_numpy()
    new["legacy_district"] = new.code.map(legacy["old_district_name"]).fillna("").to_numpy()
    people = {str(k): float(v) for k, v in density["new_territory_people_per_km2"].items()}
    area = w25["area_km2"].to_numpy(dtype=float)
    new["weight"] = np.where(
        new.province == "79",
        0.0,
        area * new.province.map(lambda p: people.get(p, 0.0)).to_numpy(float),
    ) * float(density["new_territory_rate"])
    new_geoms = w25.geometry.to_numpy()
    shapely.prepare(new_geoms)

    city = gpd.read_file(resolve("hcmc_city_2025_boundary", settings)).geometry.iloc[0]
    shapely.prepare(city)

    roads = gpd.read_file(resolve("hcmc_central_roads", settings))
    road_names = load_texts()["road_names"]
    parsed = [parse_road_name(n, road_names) for n in roads["name"].fillna("")]
    keep = np.array([p is not None for p in parsed])
    road_geoms = roads.geometry.to_numpy()[keep]
    kept = [p for p in parsed if p is not None]

    base_area_key = np.where(
        base.district_code_21 == "769",
        "769:" + base.district_code_19,
        base.district_code_21,
    )
    areas = tuple(sorted(set(base_area_key) | set(new.province)))
    area_index = {a: i for i, a in enumerate(areas)}
    return Geo(
        areas=areas,
        base_area=np.array([area_index[a] for a in base_area_key]),
        new_area=np.array([area_index[a] for a in new.province]),
        base_geoms=base_geoms,
        base_bounds=shapely.bounds(base_geoms),
        base_weight=weight,
        base_tree=shapely.STRtree(base_geoms),
        base=base,
        old_union=old_union,
        old_boundary=shapely.boundary(old_union),
        new_geoms=new_geoms,
        new_bounds=shapely.bounds(new_geoms),
        new_tree=shapely.STRtree(new_geoms),
        new=new,
        city_union=city,
        city_boundary=shapely.boundary(city),
        road_geoms=road_geoms,
        road_tree=shapely.STRtree(road_geoms),
        road_street=np.array([p[0] for p in kept], dtype=object),
        road_alley=np.array([p[1] for p in kept], dtype=object),
        road_bbox=tuple(shapely.total_bounds(road_geoms)),
    )


def _tidy(name: str) -> str:
    return " ".join(str(name).split())


def load_geo(settings: BoundarySettings | None = None) -> Geo:
    """The places of the generator, read once per data location."""
    settings = settings or BoundarySettings()
    return _load(
        str(settings.data_dir) if settings.data_dir else None,
        settings.data_url,
        str(settings.cache_dir),
    )


_ALLEY = re.compile(r"^([0-9][0-9A-Za-z/]*)\s+(.+?)\s+Alley$")
_NUMBERED = re.compile(r"^(?:Street|No\.?)\s*([0-9]+[A-Z]?)$")
_CODED = re.compile(r"^[A-Z][0-9]{1,2}$")
_SKIP = ("Bridge", "Tunnel", "Apartment", "Housing", "internal", "Market", "way", "Estate")


def parse_road_name(raw: str, diacritics: dict[str, str]) -> tuple[str, str] | None:
    """(street, alley number) of a road-network name, or None when it is no street address."""
    name = " ".join(str(raw).split())
    if not name or name.startswith(("-", "Alley", "Start", "TK", "Cu xa", "B ")):
        return None
    alley = ""
    match = _ALLEY.match(name)
    if match:
        alley, name = match.group(1), match.group(2)
    elif name.endswith("Alley"):
        return None
    if any(word in name for word in _SKIP):
        return None
    name = re.sub(r"\s+Street$", "", name)
    numbered = _NUMBERED.match(name)
    if numbered:
        return f"Đường số {numbered.group(1)}", alley
    if _CODED.match(name):
        return f"Đường {name}", alley
    if not re.match(r"^[A-Za-zÀ-ỹĐđ]", name):
        return None
    return diacritics.get(name, name), alley


def sample_in(
    geoms: np.ndarray, bounds: np.ndarray, which: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random points inside ``geoms[which[i]]`` (vectorised rejection sampling)."""
    xs = np.empty(len(which))
    ys = np.empty(len(which))
    order = np.argsort(which, kind="stable")
    uniq, starts, counts = np.unique(which[order], return_index=True, return_counts=True)
    for poly, start, count in zip(uniq, starts, counts, strict=True):
        x0, y0, x1, y1 = bounds[poly]
        got_x: list[np.ndarray] = []
        got_y: list[np.ndarray] = []
        need, rate = int(count), 0.5
        for _ in range(200):
            m = int(need / rate * 1.15) + 8
            cx = rng.uniform(x0, x1, m)
            cy = rng.uniform(y0, y1, m)
            inside = shapely.contains_xy(geoms[poly], cx, cy)
            rate = max(inside.mean(), 0.01)
            got_x.append(cx[inside][:need])
            got_y.append(cy[inside][:need])
            need -= len(got_x[-1])
            if need <= 0:
                break
        else:  # pragma: no cover - a degenerate polygon: use a point on its surface
            point = shapely.point_on_surface(geoms[poly])
            got_x.append(np.full(need, point.x))
            got_y.append(np.full(need, point.y))
        rows = order[start : start + count]
        xs[rows] = np.concatenate(got_x)
        ys[rows] = np.concatenate(got_y)
    return xs, ys


def locate(
    geoms: np.ndarray,
    bounds: np.ndarray,
    tree: shapely.STRtree,
    xs: np.ndarray,
    ys: np.ndarray,
) -> np.ndarray:
    """Index of the polygon holding each point; the nearest one for points in none.

    Points are sorted by longitude once; each (prepared) polygon then tests only the points
    inside its bounding box, which is much faster than a tree query on detailed polygons.
    """
    out = np.full(len(xs), -1, dtype=np.int64)
    if len(xs) == 0:
        return out
    order = np.argsort(xs, kind="stable")
    sx = xs[order]
    for i, (x0, y0, x1, y1) in enumerate(bounds):
        lo, hi = np.searchsorted(sx, [x0, x1], side="left")
        if lo == hi:
            continue
        cand = order[lo:hi]
        cand = cand[(ys[cand] >= y0) & (ys[cand] <= y1) & (out[cand] < 0)]
        if len(cand):
            cand = cand[shapely.contains_xy(geoms[i], xs[cand], ys[cand])]
            out[cand] = i
    missing = np.flatnonzero(out < 0)
    if len(missing):
        src, hit = tree.query_nearest(shapely.points(xs[missing], ys[missing]), all_matches=False)
        out[missing[src]] = hit
    return out


def offset(
    xs: np.ndarray, ys: np.ndarray, east_m: np.ndarray, north_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points moved by metres east and north."""
    return xs + east_m / M_PER_DEG_LON, ys + north_m / M_PER_DEG_LAT


def cluster_around(
    lon: np.ndarray, lat: np.ndarray, sd_m: float, max_m: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around centres (Gaussian, clipped to ``max_m``)."""
    east = rng.normal(0.0, sd_m, len(lon))
    north = rng.normal(0.0, sd_m, len(lon))
    dist = np.hypot(east, north)
    scale = np.where(dist > max_m, rng.uniform(0.2, 1.0, len(lon)) * max_m / dist, 1.0)
    return offset(lon, lat, east * scale, north * scale)


def edge_points(
    boundary: shapely.Geometry,
    area: shapely.Geometry,
    n: int,
    rng: np.random.Generator,
    min_m: float = 20.0,
    max_m: float = 200.0,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points outside ``area`` but within ``max_m`` of its ``boundary``."""
    xs: list[np.ndarray] = [np.empty(0)]
    ys: list[np.ndarray] = [np.empty(0)]
    need = n
    while need > 0:
        m = need * 3 + 8
        at = shapely.line_interpolate_point(boundary, rng.random(m), normalized=True)
        angle = rng.uniform(0.0, 2 * np.pi, m)
        dist = rng.uniform(min_m, max_m, m)
        x, y = offset(
            shapely.get_x(at), shapely.get_y(at), dist * np.cos(angle), dist * np.sin(angle)
        )
        outside = ~shapely.contains_xy(area, x, y)
        xs.append(x[outside][:need])
        ys.append(y[outside][:need])
        need -= len(xs[-1])
    return np.concatenate(xs), np.concatenate(ys)


def nearest_roads(
    geo: Geo, xs: np.ndarray, ys: np.ndarray, max_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest usable road segment of each point within ``max_m`` (-1: none) and snapped points.

    Only points inside the bounding box of the central road network are looked at.
    """
    road = np.full(len(xs), -1, dtype=np.int64)
    x0, y0, x1, y1 = geo.road_bbox
    pad = max_m / M_PER_DEG_LAT
    near = np.flatnonzero((xs > x0 - pad) & (xs < x1 + pad) & (ys > y0 - pad) & (ys < y1 + pad))
    snapped_x, snapped_y = xs.copy(), ys.copy()
    if len(near) == 0:
        return road, np.column_stack([snapped_x, snapped_y])
    points = shapely.points(xs[near], ys[near])
    src, hit = geo.road_tree.query_nearest(points, max_distance=pad, all_matches=False)
    rows = near[src]
    road[rows] = hit
    segs = geo.road_geoms[hit]
    at = shapely.line_interpolate_point(segs, shapely.line_locate_point(segs, points[src]))
    snapped_x[rows] = shapely.get_x(at)
    snapped_y[rows] = shapely.get_y(at)
    return road, np.column_stack([snapped_x, snapped_y])


def is_road_name(name: str) -> bool:
    """Whether a street name already says what kind of road it is (Quốc lộ 13, Đường số 5)."""
    return name.lower().startswith(ROAD_WORDS)
