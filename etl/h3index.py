"""H3 cells of points at the product's resolutions, as signed 64-bit integers (BIGINT)."""

from __future__ import annotations

import h3
import numpy as np
import shapely

RESOLUTIONS = (7, 8, 9, 10)


def cells(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cells (uint64, 0 where the point is missing) of valid WGS 84 points."""
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    ok = ~np.isnan(lat) & ~np.isnan(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    out = np.zeros(len(lat), dtype=np.uint64)
    to_cell = h3.api.basic_int.latlng_to_cell
    idx = np.flatnonzero(ok)
    out[idx] = np.fromiter(
        (
            to_cell(a, b, resolution)
            for a, b in zip(lat[idx].tolist(), lon[idx].tolist(), strict=True)
        ),
        dtype=np.uint64,
        count=len(idx),
    )
    return out


def index_points(lat: np.ndarray, lon: np.ndarray) -> dict[int, np.ndarray]:
    """Cells containing each point at every resolution in RESOLUTIONS, as int64 (0 = none).

    Each resolution is computed from the point, not as the parent of the finest cell: H3 is not
    strictly nested, and a parent can miss the point near cell edges.
    """
    return {res: cells(lat, lon, res).view(np.int64) for res in RESOLUTIONS}


def cell_polygons(cell_ids: np.ndarray) -> np.ndarray:
    """Hexagon (or pentagon) polygons of cells, as shapely geometries in lon/lat."""
    boundary = h3.api.basic_int.cell_to_boundary
    rings = [boundary(int(c)) for c in np.asarray(cell_ids, dtype=np.int64).view(np.uint64)]
    return np.array(
        [shapely.Polygon([(lng, lat) for lat, lng in ring]) for ring in rings], dtype=object
    )
