"""Read boundary files into validated units: CRS checked, geometry repaired, fields mapped."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import MultiPolygon, Polygon

from boundaries.errors import CrsError, InvalidBoundaries
from boundaries.names import strip_diacritics, unit_type_of

WGS84 = CRS.from_epsg(4326)
UNIT_COLUMNS = [
    "code",
    "name",
    "name_ascii",
    "unit_type",
    "parent_code",
    "parent_name",
    "population",
    "properties",
    "geometry",
]
DEFAULT_TYPE = {"ward": "Phường", "district": "Quận", "city": "Thành phố"}


@dataclass(frozen=True)
class FieldMap:
    """Which source columns hold what; only `code` and `name` are required."""

    code: str
    name: str
    type: str | None = None
    parent_code: str | None = None
    parent_name: str | None = None
    population: str | None = None

    @classmethod
    def from_dict(cls, mapping: dict[str, str]) -> FieldMap:
        """Build from a catalog ``fields`` mapping."""
        return cls(**mapping)

    def columns(self) -> list[str]:
        """The source columns named by this map."""
        return [
            c
            for c in (
                self.code,
                self.name,
                self.type,
                self.parent_code,
                self.parent_name,
                self.population,
            )
            if c
        ]


@dataclass
class ReadReport:
    """What reading changed or noticed."""

    source_crs: str
    repaired: list[str] = field(default_factory=list)
    dropped_parts: int = 0


def read_boundary_file(
    path: Path, *, crs: str | None = None, layer: str | None = None
) -> tuple[gpd.GeoDataFrame, ReadReport]:
    """Read GeoJSON/GeoPackage/Shapefile polygons into EPSG:4326 with valid MultiPolygons.

    The file's CRS is read, never assumed: a file without one needs `crs` ("EPSG:32648").
    A file that declares a CRS different from `crs` is an error.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such boundary file: {path}")
    gdf = gpd.read_file(path, layer=layer)
    declared = gdf.crs
    if crs is not None:
        try:
            wanted = CRS.from_user_input(crs)
        except CRSError as exc:
            raise CrsError(f"cannot understand CRS '{crs}': {exc}") from exc
        if declared is not None and not CRS.from_user_input(declared).equals(
            wanted, ignore_axis_order=True
        ):
            raise CrsError(
                f"{path.name} declares {declared.to_string()}, but {crs} was given; "
                "drop the option or fix the file"
            )
        gdf = gdf.set_crs(wanted, allow_override=True)
    elif declared is None:
        raise CrsError(
            f"{path.name} has no coordinate reference system; give it with --crs (e.g. EPSG:4326)"
        )
    report = ReadReport(source_crs=gdf.crs.to_string())
    if not gdf.crs.equals(WGS84):
        gdf = gdf.to_crs(WGS84)
    geoms, repaired, dropped = _valid_multipolygons(gdf.geometry.to_numpy())
    report.repaired = [str(i) for i in repaired]
    report.dropped_parts = dropped
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=WGS84))
    return gdf, report


def _valid_multipolygons(geoms: np.ndarray) -> tuple[list, list[int], int]:
    """Make every geometry a valid MultiPolygon; keep only polygonal parts."""
    out, repaired, dropped = [], [], 0
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            out.append(None)
            continue
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
            repaired.append(i)
        members = shapely.get_parts(geom)
        parts = [p for p in members if isinstance(p, Polygon | MultiPolygon)]
        dropped += len(members) - len(parts)
        polys = [q for p in parts for q in shapely.get_parts(p) if not q.is_empty]
        out.append(MultiPolygon(polys) if polys else None)
    return out, repaired, dropped


def to_units(gdf: gpd.GeoDataFrame, fields: FieldMap, level: str) -> gpd.GeoDataFrame:
    """Map source columns onto the unit model and check codes, names and geometry."""
    missing = [c for c in fields.columns() if c not in gdf.columns]
    if missing:
        raise InvalidBoundaries(
            f"column(s) {', '.join(missing)} not in the file; it has: "
            f"{', '.join(c for c in gdf.columns if c != gdf.geometry.name)}"
        )
    codes = gdf[fields.code].map(_code_text)
    names = gdf[fields.name].astype("string").str.strip()
    bad = codes.isna() | names.isna() | (names == "")
    if bad.any():
        raise InvalidBoundaries(
            f"{int(bad.sum())} unit(s) without a code or name "
            f"(rows {list(np.flatnonzero(bad))[:10]})"
        )
    dup = codes[codes.duplicated()].unique().tolist()
    if dup:
        raise InvalidBoundaries(f"duplicated unit codes: {', '.join(dup[:10])}")
    empty = gdf.geometry.isna()
    if empty.any():
        raise InvalidBoundaries(
            f"units without polygon geometry: {', '.join(codes[empty].tolist()[:10])}"
        )
    if fields.type:
        types = gdf[fields.type].astype("string")
    else:
        types = names.map(lambda n: unit_type_of(n) or DEFAULT_TYPE[level])
    used = set(fields.columns())
    extra = gdf.drop(columns=[*used, gdf.geometry.name])
    units = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": names,
            "name_ascii": names.map(strip_diacritics),
            "unit_type": types,
            "parent_code": gdf[fields.parent_code].map(_code_text) if fields.parent_code else None,
            "parent_name": gdf[fields.parent_name].astype("string") if fields.parent_name else None,
            "population": (
                pd.to_numeric(gdf[fields.population], errors="coerce").round().astype("Int64")
                if fields.population
                else pd.array([pd.NA] * len(gdf), dtype="Int64")
            ),
            "properties": [_jsonable(r) for r in extra.to_dict("records")],
        },
        geometry=gdf.geometry.to_numpy(),
        crs=WGS84,
    )
    return units[UNIT_COLUMNS]


def _code_text(value: object) -> str | None:
    """Codes are text: 26734.0 (from a shapefile float) -> '26734'; keeps leading zeros."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _jsonable(record: dict) -> dict:
    out = {}
    for key, value in record.items():
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            continue
        out[key] = (
            value.item()
            if isinstance(value, np.generic)
            else (value.isoformat() if hasattr(value, "isoformat") else value)
        )
    return out
