"""H3 cells of points at the product's resolutions, as signed 64-bit integers (BIGINT).

Vectorised with h3ronpy (the H3 C library over Arrow arrays).
"""

from __future__ import annotations

import h3ronpy
import numpy as np
import pyarrow as pa
import shapely
from h3ronpy import vector

RESOLUTIONS = (7, 8, 9, 10)


def cells(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cells (uint64, 0 where the point is missing or invalid) of WGS 84 points."""
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    ok = ~np.isnan(lat) & ~np.isnan(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    out = np.zeros(len(lat), dtype=np.uint64)
    idx = np.flatnonzero(ok)
    if len(idx):
        found = pa.array(vector.coordinates_to_cells(lat[idx], lon[idx], resolution))
        out[idx] = found.to_numpy(zero_copy_only=False)
    return out


def index_points(lat: np.ndarray, lon: np.ndarray) -> dict[int, np.ndarray]:
    """Cells containing each point at every resolution in RESOLUTIONS, as int64 (0 = none).

    Each resolution is computed from the point, not as the parent of the finest cell: H3 is not
    strictly nested, and a parent can miss the point near cell edges.
    """
    return {res: cells(lat, lon, res).view(np.int64) for res in RESOLUTIONS}


def cell_polygons_wkb(cell_ids: np.ndarray) -> np.ndarray:
    """WKB of the hexagon (or pentagon) of each cell, in lon/lat."""
    ids = pa.array(np.asarray(cell_ids, dtype=np.int64).view(np.uint64), type=pa.uint64())
    return pa.array(vector.cells_to_wkb_polygons(ids)).to_numpy(zero_copy_only=False)


def cell_polygons_mercator_wkb(polygons_wkb: np.ndarray) -> np.ndarray:
    """The same polygons in spherical Web Mercator (EPSG:3857), as WKB."""
    shapes = shapely.from_wkb(polygons_wkb)
    radius = 6378137.0

    def mercator(coords: np.ndarray) -> np.ndarray:
        lon, lat = np.radians(coords[:, 0]), np.radians(coords[:, 1])
        return np.column_stack([radius * lon, radius * np.log(np.tan(np.pi / 4 + lat / 2))])

    return shapely.to_wkb(shapely.transform(shapes, mercator))


def cell_areas_km2(cell_ids: np.ndarray) -> np.ndarray:
    """Area of each cell in km² (H3's exact spherical areas)."""
    ids = pa.array(np.asarray(cell_ids, dtype=np.int64).view(np.uint64), type=pa.uint64())
    return np.asarray(h3ronpy.cells_area_km2(ids))


def resolution_of(cell_ids: np.ndarray) -> np.ndarray:
    """Resolution of each cell (bits 52-55 of the index)."""
    return (
        (np.asarray(cell_ids, dtype=np.int64).view(np.uint64) >> np.uint64(52)) & np.uint64(15)
    ).astype(np.int16)
