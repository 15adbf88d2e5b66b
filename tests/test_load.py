"""Loading a boundary set into PostGIS: stored columns, replacement, constraints, quality report.

The fixture is drawn on a 100 m grid in UTM 48N (EPSG:32648) near central HCMC, so that every
area has an exact planar reference computed with shapely:

    y=3000 +-----------------------+
           |  B (L-shape)          |
    y=2000 |      +-------+--------+
           |      | hole  |   C    |
    y=1000 +======+-------+--------+     A and B overlap on the strip 0..1000 x 900..1000
           |  A                    |
    y=0    +-----------------------+
           x=0   1000    2000    3000
"""

import hashlib
from datetime import date

import geopandas as gpd
import psycopg
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon

from boundaries.catalog import load_file
from boundaries.load import list_sets
from boundaries.read import FieldMap

TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)
TO_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
X0, Y0 = (round(v) for v in TO_UTM.transform(106.70, 10.77))
FIELDS = FieldMap(code="ma", name="ten", population="dan_so")
CORNERS = {
    "26734": [(0, 0), (3000, 0), (3000, 1000), (0, 1000)],
    "26737": [(0, 900), (1000, 900), (1000, 2000), (3000, 2000), (3000, 3000), (0, 3000)],
    "26740": [(2000, 1000), (3000, 1000), (3000, 2000), (2000, 2000)],
}
NAMES = ["Phường Bến Thành", "Phường Tân Định", "Xã Bình Chánh"]
POPULATION = [12000, 8500.4, None]


def grid_polygon(corners, step=100) -> Polygon:
    """Axis-parallel polygon with a vertex every `step` m, so neighbours share their vertices."""
    ring = []
    for (xa, ya), (xb, yb) in zip(corners, corners[1:] + corners[:1], strict=True):
        n = max(abs(xb - xa), abs(yb - ya)) // step
        ring += [(X0 + xa + (xb - xa) * k // n, Y0 + ya + (yb - ya) * k // n) for k in range(n)]
    return Polygon(ring)


def utm_units() -> dict[str, Polygon]:
    return {code: grid_polygon(c) for code, c in CORNERS.items()}


def write_fixture(tmp_path) -> object:
    """The three units as a GeoPackage in EPSG:32648 (the loader reprojects them)."""
    path = tmp_path / "three_wards.gpkg"
    gpd.GeoDataFrame(
        {"ma": list(CORNERS), "ten": NAMES, "dan_so": POPULATION, "ghi_chu": ["x", "y", "z"]},
        geometry=list(utm_units().values()),
        crs=32648,
    ).to_file(path)
    return path


def load(conn, path, slug="test-wards", **kwargs):
    args = dict(
        slug=slug,
        name="Ba phường thử",
        level="ward",
        fields=FIELDS,
        population_year=2019,
        licence="CC0",
    )
    return load_file(conn, path, **(args | kwargs))


def stored(conn, slug="test-wards"):
    """Units of a set as {code: (wkb geom 4326, area_km2)}."""
    rows = conn.execute(
        "SELECT u.code, ST_AsBinary(u.geom), u.area_km2 FROM boundary_unit u "
        "JOIN boundary_set s ON s.id = u.set_id WHERE s.slug = %s",
        [slug],
    ).fetchall()
    return {code: (shapely.from_wkb(bytes(wkb)), area) for code, wkb, area in rows}


def to_utm(geom):
    return shapely.transform(geom, TO_UTM.transform, interleaved=False)


@pytest.fixture
def loaded(conn, tmp_path):
    path = write_fixture(tmp_path)
    set_id, report = load(conn, path)
    return path, set_id, report


def test_quality_report_counts_one_overlap_and_one_gap(conn, loaded):
    _, set_id, report = loaded
    a, b, c = utm_units().values()
    overlap_ref = a.intersection(b).area
    hole_ref = shapely.Polygon(a.union(b).union(c).interiors[0]).area
    assert overlap_ref == pytest.approx(1000 * 100) and hole_ref == pytest.approx(1000 * 1000)

    assert report["overlaps"] == 1 and report["gaps"] == 1
    assert report["overlap_m2"] == pytest.approx(overlap_ref, rel=0.01)
    assert report["gap_m2"] == pytest.approx(hole_ref, rel=0.01)
    assert report["largest_overlaps"][0]["codes"] == ["26734", "26737"]
    assert report["largest_overlaps"][0]["area_m2"] == pytest.approx(overlap_ref, rel=0.01)
    gap = report["largest_gaps"][0]
    assert gap["area_m2"] == pytest.approx(hole_ref, rel=0.01)
    x, y = TO_UTM.transform(gap["lon"], gap["lat"])
    assert X0 + 1000 < x < X0 + 2000 and Y0 + 1000 < y < Y0 + 2000  # inside the hole
    assert report["repaired_geometries"] == 0 and report["dropped_non_polygon_parts"] == 0

    metadata = conn.execute("SELECT metadata FROM boundary_set WHERE id = %s", [set_id]).fetchone()
    assert metadata[0]["quality"] == report


def test_units_area_and_unit_count(conn, loaded):
    units = stored(conn)
    assert set(units) == set(CORNERS)
    for code, utm in utm_units().items():
        geom, area_km2 = units[code]
        assert area_km2 == pytest.approx(utm.area / 1e6, rel=0.01)
        assert area_km2 == pytest.approx(to_utm(geom).area / 1e6, rel=0.01)
    count = conn.execute("SELECT unit_count FROM boundary_set WHERE slug = 'test-wards'")
    assert count.fetchone()[0] == 3


def test_geometry_columns(conn, loaded):
    rows = conn.execute(
        "SELECT code, ST_GeometryType(geom), ST_SRID(geom), ST_SRID(geom_3857), "
        "ST_OrderingEquals(geom_3857, ST_Transform(geom, 3857)), ST_Within(label_point, geom), "
        "ST_AsBinary(geom), ST_AsBinary(geom_3857) FROM boundary_unit"
    ).fetchall()
    assert len(rows) == 3
    for code, gtype, srid, srid_3857, same_3857, label_inside, wkb, wkb_3857 in rows:
        assert (gtype, srid, srid_3857) == ("ST_MultiPolygon", 4326, 3857), code
        assert same_3857 and label_inside, code
        expected = shapely.transform(
            shapely.from_wkb(bytes(wkb)), TO_3857.transform, interleaved=False
        )
        assert shapely.from_wkb(bytes(wkb_3857)).equals_exact(expected, tolerance=1e-3), code


def test_population_and_properties(conn, loaded):
    rows = conn.execute(
        "SELECT code, name, name_ascii, unit_type, population, population_year, "
        "population_method, properties FROM boundary_unit ORDER BY code"
    ).fetchall()
    assert rows == [
        (
            "26734",
            "Phường Bến Thành",
            "Phuong Ben Thanh",
            "Phường",
            12000,
            2019,
            "source column dan_so",
            {"ghi_chu": "x"},
        ),
        (
            "26737",
            "Phường Tân Định",
            "Phuong Tan Dinh",
            "Phường",
            8500,
            2019,
            "source column dan_so",
            {"ghi_chu": "y"},
        ),
        ("26740", "Xã Bình Chánh", "Xa Binh Chanh", "Xã", None, None, None, {"ghi_chu": "z"}),
    ]


def test_set_row_and_metadata(conn, loaded):
    path, set_id, _ = loaded
    (row,) = [s for s in list_sets(conn) if s["slug"] == "test-wards"]
    assert row["name"] == "Ba phường thử" and row["level"] == "ward"
    assert row["source"] == "three_wards.gpkg" and row["licence"] == "CC0"
    assert row["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert row["valid_from"] is None and row["valid_to"] is None
    assert row["metadata"]["source_crs"] == "EPSG:32648"
    assert row["metadata"]["fields"] == {"code": "ma", "name": "ten", "population": "dan_so"}


def test_loading_the_same_slug_again_replaces_the_set(conn, loaded):
    path, first_id, _ = loaded
    second_id, report = load(conn, path, name="Lần hai", valid_from=date(2025, 7, 1))
    assert second_id != first_id
    sets = conn.execute("SELECT id, name, unit_count, valid_from FROM boundary_set").fetchall()
    assert sets == [(second_id, "Lần hai", 3, date(2025, 7, 1))]
    assert conn.execute("SELECT count(*), min(set_id) FROM boundary_unit").fetchone() == (
        3,
        second_id,
    )
    assert report["overlaps"] == 1 and report["gaps"] == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"valid_from": date(2025, 7, 1), "valid_to": date(2025, 6, 30)},
        {"level": "county"},
    ],
)
def test_invalid_set_is_rejected_by_the_database(conn, tmp_path, bad):
    path = write_fixture(tmp_path)
    with pytest.raises(psycopg.errors.CheckViolation):
        load(conn, path, slug="bad-set", **bad)
    assert conn.execute("SELECT count(*) FROM boundary_set").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM boundary_unit").fetchone()[0] == 0
