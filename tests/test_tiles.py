"""Vector tiles on real PostGIS, decoded and compared with references computed independently
(h3-py for cells, mercantile and shapely for tile geometry) over the same complaints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import h3
import mapbox_vector_tile
import mercantile
import pandas as pd
import psycopg
import pytest
import shapely
from fastapi.testclient import TestClient

from etl.demo import generate, write
from etl.ingest import ingest
from etl.mapping import read_mapping, resolve_mapping
from gis_api.main import create_app
from gis_db.settings import DbSettings
from tiles.layers import heat_resolution
from tiles.settings import TileSettings

MAPPING = read_mapping(resolve_mapping("phananh-1022"))
SETTINGS = TileSettings(_env_file=None)
CENTRE = (106.70, 10.776)  # Bến Thành
EDGE_Z = 15
EDGE_TILE = mercantile.tile(*CENTRE, EDGE_Z)
EDGE_LON = mercantile.bounds(EDGE_TILE).west  # on the seam between two z15 tiles


@pytest.fixture(scope="module")
def tiled(catalog_clone, boundary_settings, tmp_path_factory) -> Iterator[tuple]:
    """A database with 3,000 demo complaints plus one on a tile seam, and a client."""
    frame = generate(3_000, 7, date(2024, 1, 1), date(2025, 12, 31), boundary_settings)
    seam = frame[frame["Vĩ độ"] != ""].iloc[[0]].copy()
    seam["Mã phản ánh"] = "SEAM-1"
    seam["Vĩ độ"], seam["Kinh độ"] = f"{CENTRE[1]:.6f}", f"{EDGE_LON:.9f}"
    path = write(
        pd.concat([frame, seam], ignore_index=True), tmp_path_factory.mktemp("t") / "d.csv"
    )
    with catalog_clone() as db:
        with psycopg.connect(db.url) as conn:
            ingest(conn, path, MAPPING)
        settings = DbSettings(_env_file=None, database_url=db.url)
        with TestClient(create_app(db=settings, tile_settings=SETTINGS)) as client:
            yield db, client, tmp_path_factory.mktemp("more")


def _complaints(db: DbSettings) -> pd.DataFrame:
    with psycopg.connect(db.url) as conn:
        rows = conn.execute(
            "SELECT id, source_id, field_code, status, channel, handling_unit_code, "
            "ST_Y(geom) AS lat, ST_X(geom) AS lon, "
            "to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS received "
            "FROM complaint WHERE geom IS NOT NULL"
        ).fetchall()
    return pd.DataFrame(
        rows,
        columns=["id", "source_id", "field", "status", "channel", "unit", "lat", "lon", "received"],
    )


def _buffered(tile: mercantile.Tile) -> shapely.Polygon:
    """The tile's Web Mercator square grown by the buffer."""
    b = mercantile.xy_bounds(tile)
    grow = (b.right - b.left) * SETTINGS.buffer / SETTINGS.extent
    return shapely.box(b.left - grow, b.bottom - grow, b.right + grow, b.top + grow)


def _hexagon(cell: str) -> shapely.Polygon:
    return shapely.Polygon([mercantile.xy(lon, lat) for lat, lon in h3.cell_to_boundary(cell)])


def _decode(response) -> dict:
    assert response.status_code == 200, response.text
    return mapbox_vector_tile.decode(response.content)


def _heat_reference(
    rows: pd.DataFrame, tile: mercantile.Tile, centres: bool = False
) -> dict[int, int]:
    """Counts per H3 cell (from h3-py) of the cells whose hexagon (or its centre, for clusters)
    meets the buffered tile."""
    res = heat_resolution(tile.z)
    points = zip(rows.lat, rows.lon, strict=True)
    counts = Counter(h3.latlng_to_cell(lat, lon, res) for lat, lon in points)
    area = _buffered(tile)
    shape = (lambda c: _hexagon(c).centroid) if centres else _hexagon
    return {int(c, 16): n for c, n in counts.items() if shape(c).intersects(area)}


@pytest.mark.parametrize("z", [10, 12, 14])
def test_heat_counts_match_h3(tiled, z):
    db, client, _ = tiled
    tile = mercantile.tile(*CENTRE, z)
    got = _decode(client.get(f"/tiles/heat/{z}/{tile.x}/{tile.y}.mvt"))["heat"]["features"]
    want = _heat_reference(_complaints(db), tile)
    assert len(want) > 3
    assert {f["id"]: f["properties"]["n"] for f in got} == want
    for f in got:
        assert f["properties"]["resolution"] == heat_resolution(z)
        assert int(f["properties"]["h3"], 16) == f["id"]
        area = h3.cell_area(f["properties"]["h3"], unit="km^2")  # densities on H3's sphere
        assert f["properties"]["per_km2"] == pytest.approx(f["properties"]["n"] / area, abs=0.006)


def test_heat_filters_match_h3(tiled):
    db, client, _ = tiled
    rows = _complaints(db)
    field = rows["field"].value_counts().index[0]
    tile = mercantile.tile(*CENTRE, 11)
    got = _decode(client.get(f"/tiles/heat/11/{tile.x}/{tile.y}.mvt?field={field}"))
    want = _heat_reference(rows[rows["field"] == field], tile)
    assert {f["id"]: f["properties"]["n"] for f in got["heat"]["features"]} == want


@pytest.mark.parametrize("z", [9, 12, 14])
def test_heat_channel_and_unit_filters_match_h3(tiled, z):
    """Filters the rollups do not keep are counted from the complaints themselves."""
    db, client, _ = tiled
    rows = _complaints(db)
    unit = rows["unit"].value_counts().index[0]
    tile = mercantile.tile(*CENTRE, z)
    resolved = rows["status"].isin(["resolved", "closed"])
    for query, chosen in (
        ("channel=app,zalo", rows["channel"].isin(["app", "zalo"])),
        (
            f"unit={unit}&from=2024-06-01",
            (rows["unit"] == unit) & (rows["received"] >= "2024-06-01"),
        ),
        ("channel=web&status=resolved", (rows["channel"] == "web") & resolved),
    ):
        response = client.get(f"/tiles/heat/{z}/{tile.x}/{tile.y}.mvt?{query}")
        got = _decode(response)["heat"]["features"] if response.status_code == 200 else []
        want = _heat_reference(rows[chosen], tile)
        assert {f["id"]: f["properties"]["n"] for f in got} == want, query
        assert want, query
    assert client.get(f"/tiles/heat/{z}/{tile.x}/{tile.y}.mvt?unit=NOPE").status_code == 400


@pytest.mark.parametrize(
    ("z", "query"),
    [
        (11, "from=2024-03-17&to=2025-02-09"),  # whole months and days at both ends
        (11, "from=2024-05-01&to=2024-08-31"),  # whole months only
        (12, "from=2024-06-03&to=2024-06-20"),  # within one month
        (10, "to=2024-12-14"),
        (14, "from=2024-03-17&to=2025-02-09"),  # resolution 10: days only
    ],
)
def test_heat_spans_of_days_match_h3(tiled, z, query):
    db, client, _ = tiled
    rows = _complaints(db)
    tile = mercantile.tile(*CENTRE, z)
    got = _decode(client.get(f"/tiles/heat/{z}/{tile.x}/{tile.y}.mvt?{query}"))
    bounds = dict(part.split("=") for part in query.split("&"))
    keep = (rows["received"] >= bounds.get("from", "0000")) & (
        rows["received"] <= bounds.get("to", "9999")
    )
    want = _heat_reference(rows[keep], tile)
    assert {f["id"]: f["properties"]["n"] for f in got["heat"]["features"]} == want


@pytest.mark.parametrize(
    ("z", "span"),
    [(11, "&from=2024-02-10"), (10, "&from=2024-02-10"), (9, "&to=2025-09-14"), (10, "")],
)
def test_heat_category_filter_matches_h3(tiled, z, span):
    """Categories from the daily rollup (z11, resolution 8) and from the monthly rollup's
    rows by field and category (resolution 7), with and without their field."""
    db, client, _ = tiled
    with psycopg.connect(db.url) as conn:
        category, field = conn.execute(
            "SELECT category_code, field_code FROM complaint WHERE geom IS NOT NULL "
            "GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        ids = {r[0] for r in conn.execute(
            "SELECT id FROM complaint WHERE category_code = %s", (category,)
        )}  # fmt: skip
    rows = _complaints(db)
    chosen = rows["id"].isin(ids)
    if "from=" in span:
        chosen &= rows["received"] >= span.split("=")[1]
    if "to=" in span:
        chosen &= rows["received"] <= span.split("=")[1]
    tile = mercantile.tile(*CENTRE, z)
    want = _heat_reference(rows[chosen], tile)
    assert want
    for query in (f"category={category}", f"category={category}&field={field}"):
        got = _decode(client.get(f"/tiles/heat/{z}/{tile.x}/{tile.y}.mvt?{query}{span}"))
        assert {f["id"]: f["properties"]["n"] for f in got["heat"]["features"]} == want, query
    other = next(f for f in rows["field"].unique() if f != field)  # the category is not in it
    empty = client.get(f"/tiles/heat/{z}/{tile.x}/{tile.y}.mvt?category={category}&field={other}")
    assert empty.status_code == 204
    by_field = _decode(client.get(f"/tiles/heat/{z}/{tile.x}/{tile.y}.mvt?field={field}{span}"))
    fields = rows["field"] == field
    if "from=" in span:
        fields &= rows["received"] >= span.split("=")[1]
    if "to=" in span:
        fields &= rows["received"] <= span.split("=")[1]
    assert {f["id"]: f["properties"]["n"] for f in by_field["heat"]["features"]} == (
        _heat_reference(rows[fields], tile)
    )


def test_hexagon_crossing_tiles_is_in_both(tiled):
    db, client, _ = tiled
    tile = mercantile.tile(*CENTRE, 12)
    east = mercantile.Tile(tile.x + 1, tile.y, tile.z)
    here = _decode(client.get(f"/tiles/heat/12/{tile.x}/{tile.y}.mvt"))["heat"]["features"]
    there = _decode(client.get(f"/tiles/heat/12/{east.x}/{east.y}.mvt"))["heat"]["features"]
    edge = mercantile.xy_bounds(east).left
    seam = shapely.LineString([(edge, -2e7), (edge, 2e7)])  # the shared edge, extended
    crossing = {f["id"] for f in there if _hexagon(format(f["id"], "x")).intersects(seam)}
    assert crossing, "no hexagon crosses the seam in this data"
    assert crossing <= {f["id"] for f in here}


def test_mercator_points_of_the_etl_match_postgis(tiled):
    db, _, _ = tiled
    with psycopg.connect(db.url) as conn:
        worst, missing = conn.execute(
            "SELECT max(ST_Distance(geom_3857, ST_Transform(geom, 3857))), "
            "count(*) FILTER (WHERE (geom IS NULL) <> (geom_3857 IS NULL)) FROM complaint"
        ).fetchone()
    assert worst < 1e-6 and missing == 0


def test_points_match_the_database(tiled):
    db, client, _ = tiled
    rows = _complaints(db)
    tile = EDGE_TILE
    got = _decode(client.get(f"/tiles/complaints/{tile.z}/{tile.x}/{tile.y}.mvt"))
    features = got["complaints"]["features"]
    area = _buffered(tile)
    points = [shapely.Point(mercantile.xy(x, y)) for x, y in zip(rows.lon, rows.lat, strict=True)]
    inside = rows[[area.intersects(p) for p in points]]
    assert {f["id"] for f in features} == set(inside["id"])
    by_id = inside.set_index("id")
    for f in features:
        props = f["properties"]
        assert set(props) <= {"field", "category", "status", "received"}  # no personal data
        assert props["field"] == by_id.loc[f["id"], "field"]
        assert props["received"] == by_id.loc[f["id"], "received"]


def test_point_on_a_seam_is_in_both_tiles(tiled):
    db, client, _ = tiled
    seam_id = int(_complaints(db).set_index("source_id").loc["SEAM-1", "id"])
    west = mercantile.Tile(EDGE_TILE.x - 1, EDGE_TILE.y, EDGE_Z)
    xs = {}
    for tile in (EDGE_TILE, west):
        got = _decode(client.get(f"/tiles/complaints/{EDGE_Z}/{tile.x}/{tile.y}.mvt"))
        match = [f for f in got["complaints"]["features"] if f["id"] == seam_id]
        assert len(match) == 1
        xs[tile.x] = match[0]["geometry"]["coordinates"][0]
    assert xs == {EDGE_TILE.x: 0, west.x: SETTINGS.extent}


def test_clusters_below_the_points_zoom_add_up(tiled):
    db, client, _ = tiled
    tile = mercantile.tile(*CENTRE, 12)
    got = _decode(client.get(f"/tiles/complaints/12/{tile.x}/{tile.y}.mvt"))
    features = got["complaints"]["features"]
    assert all(f["geometry"]["type"] == "Point" for f in features)
    want = _heat_reference(_complaints(db), tile, centres=True)
    assert {f["id"]: f["properties"]["n"] for f in features} == want


def test_a_full_points_tile_aggregates_instead_of_truncating(tiled):
    """More complaints in the buffered tile than max_points: H3 clusters holding all of them,
    never a sample; exactly max_points: the points themselves."""
    db, _, _ = tiled
    rows = _complaints(db)
    tile = mercantile.tile(*CENTRE, 14)
    area = _buffered(tile)
    inside = [
        shapely.Point(mercantile.xy(lon, lat)).intersects(area)
        for lat, lon in zip(rows.lat, rows.lon, strict=True)
    ]
    count = sum(inside)
    assert count > 20
    url = f"/tiles/complaints/14/{tile.x}/{tile.y}.mvt"
    settings = DbSettings(_env_file=None, database_url=db.url)
    for cap, clustered in ((count - 1, True), (count, False)):
        tiles = TileSettings(_env_file=None, max_points=cap)
        with TestClient(create_app(db=settings, tile_settings=tiles)) as client:
            features = _decode(client.get(url))["complaints"]["features"]
        if clustered:
            assert all("n" in f["properties"] for f in features)
            assert {f["id"]: f["properties"]["n"] for f in features} == _cluster_reference(
                rows, tile
            )
        else:
            assert len(features) == count and not any("n" in f["properties"] for f in features)


def _cluster_reference(rows: pd.DataFrame, tile: mercantile.Tile) -> dict[int, int]:
    """Counts per resolution-10 cell whose centre meets the buffered tile (h3-py)."""
    counts = Counter(
        h3.latlng_to_cell(lat, lon, 10) for lat, lon in zip(rows.lat, rows.lon, strict=True)
    )
    area = _buffered(tile)
    return {int(c, 16): n for c, n in counts.items() if _hexagon(c).centroid.intersects(area)}


def test_boundaries_and_composite(tiled):
    _, client, _ = tiled
    tile = mercantile.tile(*CENTRE, 13)
    path = f"{tile.z}/{tile.x}/{tile.y}.mvt"
    alone = _decode(client.get(f"/tiles/boundaries/{path}"))
    assert {f["properties"]["set"] for f in alone["boundaries"]["features"]} == {"hcmc-2025-07"}
    old = _decode(client.get(f"/tiles/boundaries/{path}?set=hcmc-2019"))
    assert {f["properties"]["set"] for f in old["boundaries"]["features"]} == {"hcmc-2019"}
    both = _decode(client.get(f"/tiles/heat,boundaries/{path}"))
    heat = _decode(client.get(f"/tiles/heat/{path}"))
    assert both["heat"] == heat["heat"] and both["boundaries"] == alone["boundaries"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/tiles/heat/23/0/0.mvt", 404),
        ("/tiles/heat/3/8/0.mvt", 404),
        ("/tiles/nothing/3/1/1.mvt", 404),
        ("/tiles/heat/x/1/1.mvt", 400),
        ("/tiles/heat/3/1/1.mvt?field=unknown", 400),
        ("/tiles/heat/3/1/1.mvt?status=lost", 400),
        ("/tiles/heat/3/1/1.mvt?from=2025-02-01&to=2025-01-01", 400),
        ("/tiles/heat/3/1/1.mvt?from=yesterday", 400),
        ("/tiles/boundaries/3/1/1.mvt?set=nowhere", 404),
        ("/tiles/boundaries/3/1/1.mvt?field=x", 400),
        ("/tiles/heat,heat/3/1/1.mvt", 400),
        ("/tiles/heat/3/1/1.mvt?fields=ngap-nuoc", 400),  # a typo must not show everything
        ("/tiles/heat/3/1/1.mvt?late=maybe", 400),
        ("/legends/heat?channel=fax", 400),
    ],
)
def test_bad_requests_get_json_errors(tiled, path, status):
    _, client, _ = tiled
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["detail"]


def test_empty_tile_etag_and_encoding(tiled):
    _, client, _ = tiled
    assert client.get("/tiles/heat/12/0/0.mvt").status_code == 204
    tile = mercantile.tile(*CENTRE, 12)
    url = f"/tiles/heat/12/{tile.x}/{tile.y}.mvt"
    first = client.get(url)
    assert first.headers["content-encoding"] == "gzip"
    assert "max-age" in first.headers["cache-control"]
    assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert mapbox_vector_tile.decode(plain.content) == mapbox_vector_tile.decode(first.content)


def test_filters_written_differently_share_one_url(tiled):
    _, client, _ = tiled
    urls = [
        client.get(f"/tiles/heat.json?{query}").json()["tiles"][0]
        for query in ("field=giao-thong,ha-tang-do-thi", "field=ha-tang-do-thi&field=giao-thong")
    ]
    assert urls[0] == urls[1] and "field=giao-thong,ha-tang-do-thi" in urls[0]


def test_tilejson_and_a_new_batch_change_the_version(tiled, boundary_settings):
    db, client, folder = tiled
    spec = client.get("/tiles/heat.json?field=ha-tang-do-thi").json()
    assert spec["tilejson"] == "3.0.0"
    assert [v["id"] for v in spec["vector_layers"]] == ["heat"]
    version = spec["data_version"]
    assert f"v={version}" in spec["tiles"][0] and "field=ha-tang-do-thi" in spec["tiles"][0]
    tile = mercantile.tile(*CENTRE, 12)
    url = f"/tiles/heat/12/{tile.x}/{tile.y}.mvt"
    before = client.get(url)
    assert before.headers["x-data-version"] == str(version)

    more = generate(400, 99, date(2025, 1, 1), date(2025, 3, 31), boundary_settings)
    more["Mã phản ánh"] = "NEW-" + more["Mã phản ánh"]
    with psycopg.connect(db.url) as conn:
        ingest(conn, write(more, Path(folder) / "more.csv"), MAPPING)

    spec = client.get("/tiles/heat.json").json()
    assert spec["data_version"] == version + 1 and f"v={version + 1}" in spec["tiles"][0]
    after = client.get(f"{url}?v={version + 1}")  # as the new TileJSON's URL asks
    assert after.headers["x-data-version"] == str(version + 1)
    got = {f["id"]: f["properties"]["n"] for f in _decode(after)["heat"]["features"]}
    assert got == _heat_reference(_complaints(db), tile)  # never the cached old tile
