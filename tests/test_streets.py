"""Street centrelines in street_segment, and street-placed points checked with shapely.

References are independent of the loader and the geocoder: the source GeoJSON read with
geopandas, and unit polygons of the source files tested with shapely.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
import shapely

from boundaries import streets
from boundaries.data import resolve
from boundaries.streets import load_catalog_streets, segment_key, street_key
from etl.address import AddressGeocoder

DATASET = "hcmc_central_roads"
EVAL = Path(__file__).parent / "fixtures" / "geocode_eval.csv"


def count(conn, dataset: str = DATASET) -> int:
    query = "SELECT count(*) FROM street_segment WHERE dataset = %(d)s"
    return conn.execute(query, {"d": dataset}).fetchone()[0]


@pytest.fixture(scope="module")
def source(boundary_settings) -> gpd.GeoDataFrame:
    return gpd.read_file(resolve(DATASET, boundary_settings))


def test_load_counts_every_source_feature_and_reruns_as_noop(conn, boundary_settings, source):
    assert len(source) == 10_057
    assert load_catalog_streets(conn, boundary_settings) == {DATASET: 10_057}
    assert count(conn) == len(source)
    ids = conn.execute("SELECT min(id), max(id) FROM street_segment").fetchone()
    messages: list[str] = []
    assert load_catalog_streets(conn, boundary_settings, progress=messages.append) == {
        DATASET: 10_057
    }
    assert messages == []  # nothing read, nothing written
    assert conn.execute("SELECT min(id), max(id) FROM street_segment").fetchone() == ids
    load_catalog_streets(conn, boundary_settings, force=True, progress=messages.append)
    assert count(conn) == 10_057 and messages == [f"streets {DATASET}: 10057 segments"]
    new_ids = conn.execute("SELECT min(id) FROM street_segment").fetchone()[0]
    assert new_ids > ids[1]  # replaced, not appended


def test_rows_match_the_source(conn, boundary_settings, source):
    load_catalog_streets(conn, boundary_settings)
    rows = conn.execute(
        "SELECT name, street_type, district_name, round(length_m::numeric, 3), "
        "ST_GeometryType(geom), ST_SRID(geom), ST_IsValid(geom) FROM street_segment"
    ).fetchall()
    assert {r[4] for r in rows} == {"ST_LineString"} and {r[5] for r in rows} == {4326}
    assert all(r[6] for r in rows)
    names = sorted(r[0] for r in rows)
    expected = sorted((n or "").strip() for n in source["name"].where(source["name"].notna(), ""))
    assert names == expected
    assert sum(r[0] == "" for r in rows) == source["name"].isna().sum() == 526
    total = conn.execute("SELECT sum(ST_Length(geom::geography)) FROM street_segment").fetchone()
    reference = source.to_crs(32648).length.sum()
    assert abs(total[0] - reference) / reference < 0.005


def test_catalog_load_includes_streets(catalog_conn):
    assert count(catalog_conn) == 10_057


def test_a_changed_file_needs_a_new_pin(conn, boundary_settings, monkeypatch):
    fields = {"name": "name", "length": "length_m"}
    entry = {"dataset": DATASET, "segments": 10_057, "length_m": 304_000.0, "fields": fields}
    monkeypatch.setattr(streets, "catalog", lambda: {"streets": [entry]})
    with pytest.raises(ValueError, match="yields 10057 segments, 304108.3 m; the catalog pins"):
        load_catalog_streets(conn, boundary_settings)
    assert count(conn) == 0


def test_stale_rows_are_replaced(conn, boundary_settings):
    load_catalog_streets(conn, boundary_settings)
    conn.execute("UPDATE street_segment SET length_m = length_m + 1 WHERE id IN "
                 "(SELECT id FROM street_segment LIMIT 1)")  # fmt: skip
    conn.commit()
    messages: list[str] = []
    load_catalog_streets(conn, boundary_settings, progress=messages.append)
    assert messages == [f"streets {DATASET}: 10057 segments"]
    assert streets.stored_fingerprint(conn, DATASET) == (10_057, 304_108.3)


@pytest.mark.parametrize(
    ("name", "street_type", "key"),
    [
        ("Nguyen Hue", "Road", "nguyen hue"),
        ("154 Nguyen Bieu Alley", "Alley", "hem 154 nguyen bieu"),
        ("122/27/16 Ton Dan Alley", "Alley", "hem 122/27/16 ton dan"),
        ("129F Ben Van Don Alley", "Alley", "hem 129f ben van don"),
        ("183 Ben Von Don Alley", "Alley", "hem 183 ben van don"),
        ("137 Ngyen Cu Trinh Alley", "Alley", "hem 137 nguyen cu trinh"),
        ("Alley 43 Street 14", "Alley", "hem 43 so 14"),
        ("Street 7", "Road", "so 7"),
        ("No.10", "Road", "so 10"),
        ("Calmette Bridge", "Bridge", "cau calmette"),
        ("Thu Thiem Tunnel", "Tunnel", "ham thu thiem"),
        ("Cach Mang Thang Tam", "Road", "cach mang thang 8"),
        ("Pham Ngu Lao Street", "Road", "pham ngu lao"),
        ("Duong Ba Trac", "Road", "duong ba trac"),
        ("22 Hoàng Dieu Alley", "Alley", "hem 22 hoang dieu"),
        (None, "Road", ""),
    ],
)
def test_segment_keys(name, street_type, key):
    assert segment_key(name, street_type) == key


def test_address_spellings_meet_the_source_keys():
    assert street_key("Nguyễn Huệ") == street_key("Nguyen Hue") == "nguyen hue"
    assert street_key("Đường số 07") == street_key("Street 7") == "so 7"
    assert street_key("CMT8") == street_key("Cách Mạng Tháng Tám") == "cach mang thang 8"
    assert street_key("Cầu Calmette") == street_key("Calmette Bridge")


# --- street-placed points against the source polygons ------------------------------------


@pytest.fixture(scope="module")
def geocoder(catalog_db) -> AddressGeocoder:
    with psycopg.connect(catalog_db.url) as conn:
        return AddressGeocoder.from_connection(conn)


@pytest.fixture(scope="module")
def polygons(boundary_settings) -> dict[str, dict[str, shapely.Geometry]]:
    """Unit polygons of the source files, by set and code."""
    found = {}
    for slug, dataset in (("hcmc-2025-07", "hcmc_wards_2025_168"),
                          ("hcmc-2021", "hcmc_wards_2021_312"),
                          ("hcmc-2019", "hcmc_wards_2019_322")):  # fmt: skip
        frame = gpd.read_file(resolve(dataset, boundary_settings))
        found[slug] = dict(zip(frame["ward_code"], frame.geometry, strict=True))
    return found


def test_street_point_lies_in_the_unit_it_names(geocoder, polygons):
    match = geocoder.geocode("25 Nguyễn Thái Bình, P. Nguyễn Thái Bình, Q.1", date(2023, 6, 1))
    point = shapely.Point(match.lon, match.lat)
    assert match.method == "address-street" and match.current_code == "26743"
    assert polygons["hcmc-2025-07"]["26743"].covers(point)
    assert polygons["hcmc-2021"]["26746"].covers(point)
    # and the street really runs there: the point is on a Nguyễn Thái Bình segment
    assert not polygons["hcmc-2025-07"]["26740"].covers(point)


def test_every_street_placed_point_of_the_evaluation_set(geocoder, polygons):
    with EVAL.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    placed = 0
    for row in rows:
        day = date.fromisoformat(row["date"]) if row["date"] else None
        match = geocoder.geocode(row["address"], day)
        if match.method != "address-street":
            continue
        placed += 1
        point = shapely.Point(match.lon, match.lat)
        assert polygons["hcmc-2025-07"][match.current_code].covers(point), row["address"]
        if match.ward_code and match.ward_set in polygons:
            assert polygons[match.ward_set][match.ward_code].covers(point), row["address"]
    assert placed >= 40
