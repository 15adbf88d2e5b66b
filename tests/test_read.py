"""Reading boundary files: CRS checks and reprojection, geometry repair, field mapping.

Fixture files are built in tmp_path with geopandas from three 1 km squares near central HCMC
defined in UTM 48N metres; the reference coordinates come from an independent pyproj transform.
"""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Polygon, box

from boundaries.errors import CrsError, InvalidBoundaries
from boundaries.read import FieldMap, read_boundary_file, to_units

TO_WGS84 = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True)
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)
X0, Y0 = TO_UTM.transform(106.70, 10.77)  # near Bến Thành
NAMES = ["Phường Bến Thành", "Xã Bình Chánh", "Thị trấn Củ Chi"]
FIELDS = FieldMap(code="ma", name="ten")


def utm_squares() -> list[Polygon]:
    """Three adjacent 1 km squares (EPSG:32648)."""
    return [box(X0 + i * 1000, Y0, X0 + (i + 1) * 1000, Y0 + 1000) for i in range(3)]


def utm_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"ma": ["26734", "26737", "00123"], "ten": NAMES}, geometry=utm_squares(), crs=32648
    )


def wgs84_reference() -> list[MultiPolygon]:
    """The squares transformed by pyproj directly (not through geopandas)."""
    return [
        MultiPolygon([shapely.transform(p, TO_WGS84.transform, interleaved=False)])
        for p in utm_squares()
    ]


def write(gdf: gpd.GeoDataFrame, path, **kwargs):
    gdf.to_file(path, **kwargs)
    return path


def frame(columns: dict, geoms=None) -> gpd.GeoDataFrame:
    """An in-memory EPSG:4326 frame with one small square per row."""
    n = len(next(iter(columns.values())))
    geoms = geoms or [
        MultiPolygon([box(106.70 + i / 100, 10.77, 106.705 + i / 100, 10.775)]) for i in range(n)
    ]
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=4326)


def assert_same_shapes(actual, expected, tol=1e-7):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        assert shapely.normalize(a).equals_exact(shapely.normalize(e), tolerance=tol), (a, e)


# --- read_boundary_file ------------------------------------------------------------------------


def test_geojson_in_wgs84(tmp_path):
    ref = wgs84_reference()
    path = write(
        gpd.GeoDataFrame({"ma": ["1", "2", "3"], "ten": NAMES}, geometry=ref, crs=4326),
        tmp_path / "units.geojson",
    )
    gdf, report = read_boundary_file(path)
    assert gdf.crs.to_epsg() == 4326
    assert report.source_crs == "EPSG:4326"
    assert report.repaired == [] and report.dropped_parts == 0
    assert list(gdf["ten"]) == NAMES
    assert all(g.geom_type == "MultiPolygon" and g.is_valid for g in gdf.geometry)
    assert_same_shapes(gdf.geometry, ref)


@pytest.mark.parametrize("name", ["units.shp", "units.gpkg"])
def test_utm_file_is_reprojected_to_wgs84(tmp_path, name):
    path = write(utm_frame(), tmp_path / name)
    gdf, report = read_boundary_file(path)
    assert gdf.crs.to_epsg() == 4326
    assert report.source_crs == "EPSG:32648"
    assert_same_shapes(gdf.geometry, wgs84_reference())
    # the given CRS may repeat the declared one
    again, _ = read_boundary_file(path, crs="EPSG:32648")
    assert_same_shapes(again.geometry, wgs84_reference())


def test_shapefile_without_prj_needs_crs(tmp_path):
    path = write(utm_frame(), tmp_path / "noprj.shp")
    path.with_suffix(".prj").unlink()
    with pytest.raises(CrsError, match="--crs"):
        read_boundary_file(path)
    gdf, report = read_boundary_file(path, crs="EPSG:32648")
    assert report.source_crs == "EPSG:32648"
    assert gdf.crs.to_epsg() == 4326
    assert_same_shapes(gdf.geometry, wgs84_reference())


def test_declared_crs_conflicting_with_given_crs(tmp_path):
    path = write(
        gpd.GeoDataFrame(
            {"ma": ["1", "2", "3"], "ten": NAMES}, geometry=wgs84_reference(), crs=4326
        ),
        tmp_path / "u.geojson",
    )
    with pytest.raises(CrsError, match="EPSG:32648"):
        read_boundary_file(path, crs="EPSG:32648")


@pytest.mark.parametrize("given", ["EPSG:4326", "epsg:4326", "OGC:CRS84"])
def test_given_crs_equivalent_to_declared_is_accepted(tmp_path, given):
    """EPSG:4326 and OGC:CRS84 (GeoJSON's own CRS) differ only in axis order: same file."""
    path = write(
        gpd.GeoDataFrame(
            {"ma": ["1"], "ten": ["Quận 1"]}, geometry=wgs84_reference()[:1], crs=4326
        ),
        tmp_path / "u.geojson",
    )
    gdf, _ = read_boundary_file(path, crs=given)
    assert_same_shapes(gdf.geometry, wgs84_reference()[:1])


def test_unreadable_crs_and_missing_file(tmp_path):
    path = write(utm_frame(), tmp_path / "u.gpkg")
    with pytest.raises(CrsError, match="cannot understand"):
        read_boundary_file(path, crs="EPSG:not-a-code")
    with pytest.raises(FileNotFoundError):
        read_boundary_file(tmp_path / "absent.geojson")


def test_bow_tie_is_repaired_into_valid_multipolygon(tmp_path):
    bow_tie = Polygon([(106.70, 10.77), (106.71, 10.78), (106.71, 10.77), (106.70, 10.78)])
    assert not bow_tie.is_valid
    good = box(106.72, 10.77, 106.73, 10.78)
    path = write(
        gpd.GeoDataFrame({"ma": ["1", "2"], "ten": NAMES[:2]}, geometry=[good, bow_tie], crs=4326),
        tmp_path / "bow.geojson",
    )
    gdf, report = read_boundary_file(path)
    assert report.repaired == ["1"]
    assert report.dropped_parts == 0
    fixed = gdf.geometry.iloc[1]
    assert fixed.geom_type == "MultiPolygon" and fixed.is_valid
    assert len(fixed.geoms) == 2  # two triangles meeting at the crossing (106.705, 10.775)
    assert fixed.area == pytest.approx(0.5 * 0.01 * 0.01, rel=1e-9)
    assert fixed.equals(shapely.make_valid(bow_tie))


def test_non_polygon_parts_are_dropped_and_counted(tmp_path):
    square = box(106.70, 10.77, 106.71, 10.78)
    mixed = GeometryCollection([square, LineString([(106.72, 10.77), (106.73, 10.78)])])
    line_only = LineString([(106.74, 10.77), (106.75, 10.78)])
    path = write(
        gpd.GeoDataFrame(
            {"ma": ["1", "2"], "ten": NAMES[:2]}, geometry=[mixed, line_only], crs=4326
        ),
        tmp_path / "mix.geojson",
    )
    gdf, report = read_boundary_file(path)
    assert report.dropped_parts == 2 and report.repaired == []
    assert gdf.geometry.iloc[0].equals(MultiPolygon([square]))
    assert gdf.geometry.iloc[1] is None
    with pytest.raises(InvalidBoundaries, match="without polygon geometry: 2"):
        to_units(gdf, FIELDS, "ward")


# --- to_units ----------------------------------------------------------------------------------


def test_float_codes_become_integer_text_and_leading_zeros_stay():
    gdf = frame({"ma": [26734.0, 26737.0], "ten": NAMES[:2], "cha": [760.0, 760.0]})
    units = to_units(gdf, FieldMap(code="ma", name="ten", parent_code="cha"), "ward")
    assert list(units["code"]) == ["26734", "26737"]
    assert list(units["parent_code"]) == ["760", "760"]
    units = to_units(frame({"ma": ["00123", " 00456 "], "ten": NAMES[:2]}), FIELDS, "ward")
    assert list(units["code"]) == ["00123", "00456"]


def test_float_codes_from_a_shapefile(tmp_path):
    gdf = utm_frame().assign(ma=[26734.0, 26737.0, 123.0])
    path = write(gdf, tmp_path / "float.shp")
    read, _ = read_boundary_file(path)
    assert read["ma"].dtype.kind == "f"
    assert list(to_units(read, FIELDS, "ward")["code"]) == ["26734", "26737", "123"]


def test_duplicated_codes_are_named():
    gdf = frame({"ma": ["26734", "26737", "26734"], "ten": NAMES})
    with pytest.raises(InvalidBoundaries, match="26734") as err:
        to_units(gdf, FIELDS, "ward")
    assert "26737" not in str(err.value)
    # 26734.0 and "26734" are the same code once normalised
    with pytest.raises(InvalidBoundaries, match="duplicated.*26734"):
        to_units(frame({"ma": [26734.0, 26734.0], "ten": NAMES[:2]}), FIELDS, "ward")


def test_missing_column_lists_available_columns():
    gdf = frame({"ma": ["1"], "ten": ["Quận 1"], "dan_so": [10]})
    with pytest.raises(InvalidBoundaries) as err:
        to_units(gdf, FieldMap(code="ma", name="ten", population="pop_2019"), "ward")
    message = str(err.value)
    assert "pop_2019" in message
    assert all(col in message for col in ("ma", "ten", "dan_so"))
    assert "geometry" not in message


def test_missing_code_or_name_is_rejected():
    with pytest.raises(InvalidBoundaries, match="without a code or name"):
        to_units(frame({"ma": ["1", None], "ten": NAMES[:2]}), FIELDS, "ward")
    with pytest.raises(InvalidBoundaries, match="without a code or name"):
        to_units(frame({"ma": ["1", "2"], "ten": ["Quận 1", "  "]}), FIELDS, "ward")


def test_types_inferred_from_names_or_level_default():
    gdf = frame({"ma": ["1", "2", "3", "4"], "ten": [*NAMES, "Bến Nghé"]})
    assert list(to_units(gdf, FIELDS, "ward")["unit_type"]) == [
        "Phường",
        "Xã",
        "Thị trấn",
        "Phường",
    ]
    gdf = frame({"ma": ["1", "2"], "ten": ["Thành phố Thủ Đức", "Gò Vấp"]})
    assert list(to_units(gdf, FIELDS, "district")["unit_type"]) == ["Thành phố", "Quận"]


def test_type_column_wins_over_name():
    gdf = frame({"ma": ["1"], "ten": ["Phường 1"], "loai": ["Xã"]})
    units = to_units(gdf, FieldMap(code="ma", name="ten", type="loai"), "ward")
    assert units["unit_type"].iloc[0] == "Xã"


def test_unit_columns_name_ascii_population_and_properties():
    gdf = frame(
        {
            "ma": ["26734", "26737"],
            "ten": [" Phường Tân Định ", "Đặc khu Côn Đảo"],
            "ten_cha": ["Quận 1", "Huyện Côn Đảo"],
            "pop": [12345.6, np.nan],
            "dien_tich_ha": [62.5, 7580.0],
            "ghi_chu": ["a", None],
            "so_to": np.array([3, 7], dtype=np.int64),
        }
    )
    fields = FieldMap(code="ma", name="ten", parent_name="ten_cha", population="pop")
    units = to_units(gdf, fields, "ward")
    assert list(units.columns) == [
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
    assert units.crs.to_epsg() == 4326
    assert list(units["name"]) == ["Phường Tân Định", "Đặc khu Côn Đảo"]
    assert list(units["name_ascii"]) == ["Phuong Tan Dinh", "Dac khu Con Dao"]
    assert list(units["unit_type"]) == ["Phường", "Đặc khu"]
    assert list(units["parent_name"]) == ["Quận 1", "Huyện Côn Đảo"]
    assert units["parent_code"].isna().all()
    assert units["population"].iloc[0] == 12346 and units["population"].isna().iloc[1]
    assert units["properties"].iloc[0] == {"dien_tich_ha": 62.5, "ghi_chu": "a", "so_to": 3}
    assert units["properties"].iloc[1] == {"dien_tich_ha": 7580.0, "so_to": 7}
    assert type(units["properties"].iloc[0]["so_to"]) is int  # JSON-ready, not numpy
    assert units.geometry.equals(gdf.geometry)
