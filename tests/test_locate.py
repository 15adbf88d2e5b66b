"""boundaries.locate against an independent shapely point-in-polygon test on the source files.

For every unit of every set a point well inside it (100 m inward buffer in UTM 48N) is located
in PostGIS and compared with a geopandas sjoin of the same point on the source GeoJSON.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import geopandas as gpd
import pandas as pd
import pytest

from boundaries.data import resolve
from boundaries.locate import locate
from boundaries.settings import BoundarySettings

# slug -> (dataset, code column, a date inside its validity)
SETS = {
    "hcmc-2019": ("hcmc_wards_2019_322", "ward_code", date(2020, 6, 15)),
    "hcmc-2021": ("hcmc_wards_2021_312", "ward_code", date(2022, 6, 15)),
    "hcmc-districts-2019": ("hcmc_districts_2019_24", "district_code", date(2020, 6, 15)),
    "hcmc-districts-2021": ("hcmc_districts_2021_22", "district_code", date(2022, 6, 15)),
    "hcmc-2025-07": ("hcmc_wards_2025_168", "ward_code", date(2025, 8, 1)),
}
# The three 2024 wards split rather than merged whole by NQ 1278 (SOURCES.md).
SPLIT_2024 = {"27361", "26932", "26872"}  # Quận 6 P5, Bình Thạnh P6, Gò Vấp P13
OUTSIDE = [(9.8, 107.3), (21.0285, 105.8542), (10.35, 106.36)]  # sea, Hà Nội, Tiền Giang


@cache
def source(dataset: str) -> gpd.GeoDataFrame:
    return gpd.read_file(resolve(dataset, BoundarySettings()))


@cache
def inner_points(dataset: str, code_col: str) -> pd.DataFrame:
    """One point 100 m inside each unit, with the unit(s) the source file puts it in."""
    src = source(dataset)
    shrunk = src.to_crs(32648).buffer(-100)
    keep = ~shrunk.is_empty
    pts = gpd.GeoDataFrame(
        {"unit": src.loc[keep, code_col].to_numpy()},
        geometry=shrunk[keep].representative_point().to_crs(4326).to_numpy(),
        crs=4326,
    )
    hits = gpd.sjoin(pts, src[[code_col, "geometry"]], predicate="within")
    found = hits.groupby(level=0)[code_col].agg(lambda s: sorted(s))
    pts["expected"] = found.reindex(pts.index)
    return pts


def codes(found, slug: str) -> list[str]:
    return [f.code for f in found if f.set == slug]


def point_in(slug: str, code: str) -> tuple[float, float]:
    dataset, col, _ = SETS[slug]
    pts = inner_points(dataset, col)
    geom = pts.loc[pts["unit"] == code, "geometry"].iloc[0]
    return geom.y, geom.x


@pytest.mark.parametrize("slug", SETS)
def test_every_unit_located_like_shapely(catalog_conn, slug):
    dataset, col, on = SETS[slug]
    pts = inner_points(dataset, col)
    assert len(pts) >= 0.95 * len(source(dataset))  # only very thin units lack a point
    wrong = []
    for unit, expected, geom in zip(pts["unit"], pts["expected"], pts.geometry, strict=True):
        assert expected == [unit]  # the reference itself: the point lies in its unit only
        got = codes(locate(catalog_conn, geom.y, geom.x, on=on), slug)
        if got != expected:
            wrong.append((unit, got))
    assert wrong == []


def test_2025_03_through_crosswalk_for_every_2021_unit(catalog_conn, boundary_settings):
    xw = pd.read_csv(resolve("crosswalk_2021_to_2025_03", boundary_settings), dtype=str)
    target = dict(zip(xw["ward_code_2024"], xw["ward_code_2025_03"], strict=True))
    pts = inner_points("hcmc_wards_2021_312", "ward_code")
    wrong = []
    for unit, geom in zip(pts["unit"], pts.geometry, strict=True):
        found = [
            f
            for f in locate(catalog_conn, geom.y, geom.x, on=date(2025, 3, 15))
            if f.set == "hcmc-2025-03"
        ]
        got = [(f.code, f.certain, "crosswalk" in f.method) for f in found]
        if got != [(target[unit], unit not in SPLIT_2024, True)]:
            wrong.append((unit, got))
    assert wrong == []


def test_split_ward_is_uncertain(catalog_conn):
    lat, lon = point_in("hcmc-2021", "26872")  # Phường 13, Gò Vấp
    found = {f.set: f for f in locate(catalog_conn, lat, lon, on=date(2025, 3, 1))}
    assert set(found) == {"hcmc-2025-03", "hcmc-districts-2021"}
    ward = found["hcmc-2025-03"]
    assert (ward.code, ward.certain, ward.level) == ("26872", False, "ward")
    assert "crosswalk" in ward.method and ward.name == "Phường 15"
    assert found["hcmc-districts-2021"].certain is True


@pytest.mark.parametrize("lat, lon", OUTSIDE)
def test_outside_hcmc_finds_nothing(catalog_conn, lat, lon):
    point = gpd.points_from_xy([lon], [lat])[0]
    assert not any(source(dataset).intersects(point).any() for dataset, _, _ in SETS.values())
    for on in (date(2020, 1, 1), date(2023, 1, 1), date(2025, 3, 1), date(2025, 8, 1)):
        assert locate(catalog_conn, lat, lon, on=on) == []


@pytest.mark.parametrize(
    "lat, lon", [(95, 106.7), (10.7, 200), (-91, 0), (0, -181), (float("nan"), 106.7)]
)
def test_impossible_coordinates(catalog_conn, lat, lon):
    with pytest.raises(ValueError):
        locate(catalog_conn, lat, lon, on=date(2025, 8, 1))


@pytest.mark.parametrize(
    "on, sets",
    [
        (date(2020, 12, 31), {"hcmc-2019", "hcmc-districts-2019"}),
        (date(2021, 1, 1), {"hcmc-2021", "hcmc-districts-2021"}),
        (date(2024, 12, 31), {"hcmc-2021", "hcmc-districts-2021"}),
        (date(2025, 1, 1), {"hcmc-2025-03", "hcmc-districts-2021"}),
        (date(2025, 6, 30), {"hcmc-2025-03", "hcmc-districts-2021"}),
        (date(2025, 7, 1), {"hcmc-2025-07"}),
    ],
)
def test_validity_boundaries_switch_sets(catalog_conn, on, sets):
    lat, lon = point_in("hcmc-2019", "26734")  # Phường Tân Định, Quận 1
    found = {f.set: f.code for f in locate(catalog_conn, lat, lon, on=on)}
    assert set(found) == sets
    expected = {
        "hcmc-2019": "26734",
        "hcmc-2021": "26734",
        "hcmc-2025-03": "26734",
        "hcmc-districts-2019": "760",
        "hcmc-districts-2021": "760",
    }
    for slug, code in found.items():
        if slug == "hcmc-2025-07":
            src = source("hcmc_wards_2025_168")
            inside = src.contains(gpd.points_from_xy([lon], [lat])[0])
            assert [code] == src.loc[inside, "ward_code"].tolist()
        else:
            assert code == expected[slug]
