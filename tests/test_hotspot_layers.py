"""The `hotspots` tile layer's three MVT layers (Gi*, emerging hot spots, recurring spots) over
stored runs, decoded and compared with references computed independently: h3-py and shapely
over the API's JSON, pyproj for outlines, the complaints themselves for counts."""

from __future__ import annotations

import gzip
from datetime import date, timedelta

import h3
import mapbox_vector_tile
import mercantile
import numpy as np
import psycopg
import pytest
import shapely
from fastapi.testclient import TestClient
from pyproj import Transformer
from scipy import stats
from test_hotspots import FLOOD, _ingested

from analytics.emerging import (
    PATTERNS,
    EmergingParams,
    cube_counts,
    emerging_spots,
    mann_kendall_rows,
    pattern_name,
    patterns_of,
    run_emerging,
)
from analytics.hotspots import HotspotParams, covering_cells, run_gistar
from analytics.recurring import RecurringParams, recurring_spots, run_recurring
from etl.demo import generate
from gis_api.main import create_app
from gis_db import migrate
from gis_db.settings import DbSettings
from tiles.errors import TileError
from tiles.filters import TileFilters
from tiles.service import TileService
from tiles.settings import TileSettings

SETTINGS = TileSettings(_env_file=None)
MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)
EMERGING_FIELDS = {
    "h3", "category", "name", "family", "tau", "p", "z", "n", "n_last", "hot_steps",
    "cold_steps", "run",
}  # fmt: skip
RECURRING_FIELDS = {
    "spot", "n", "days", "weeks", "first_day", "last_day", "area_m2", "wards", "run",
}  # fmt: skip


@pytest.fixture(scope="module")
def demo(catalog_clone, boundary_settings, tmp_path_factory):
    """20,000 demo complaints (2024-2025) with the generator's planted flood spots."""
    frame = generate(20_000, 11, date(2024, 1, 1), date(2025, 12, 31), boundary_settings)
    db, settings = _ingested(catalog_clone, frame, tmp_path_factory.mktemp("layers"))
    yield settings
    db.__exit__(None, None, None)


@pytest.fixture(scope="module")
def client(demo):
    app = create_app(db=DbSettings(_env_file=None, database_url=demo.url), tile_settings=SETTINGS)
    with TestClient(app) as test_client:
        yield test_client


def _last_day(demo) -> date:
    with psycopg.connect(demo.url) as conn:
        return conn.execute(
            "SELECT max((received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) FROM complaint "
            "WHERE h3_r8 IS NOT NULL"
        ).fetchone()[0]


def _decode(response) -> dict:
    assert response.status_code == 200, response.text
    return mapbox_vector_tile.decode(response.content)


def _buffered(tile: mercantile.Tile) -> shapely.Polygon:
    b = mercantile.xy_bounds(tile)
    grow = (b.right - b.left) * SETTINGS.buffer / SETTINGS.extent
    return shapely.box(b.left - grow, b.bottom - grow, b.right + grow, b.top + grow)


def _hexagon(index: str) -> shapely.Polygon:
    return shapely.Polygon([mercantile.xy(lng, lat) for lat, lng in h3.cell_to_boundary(index)])


def _to_mercator(geometry: dict, tile: mercantile.Tile) -> shapely.Geometry:
    """A decoded MVT geometry (tile units, y up) back in Web Mercator metres."""
    b = mercantile.xy_bounds(tile)
    scale = (b.right - b.left) / SETTINGS.extent
    shape = shapely.geometry.shape(geometry)
    return shapely.transform(shape, lambda xy: np.column_stack(
        [b.left + xy[:, 0] * scale, b.bottom + xy[:, 1] * scale]
    ))  # fmt: skip


def _cell_tile(index: str, z: int) -> mercantile.Tile:
    lat, lng = h3.cell_to_latlng(index)
    return mercantile.tile(lng, lat, z)


def test_default_tile_carries_three_layers_with_their_attributes(demo, client):
    """No parameters at all (a wall display): Gi* of every complaint, emerging patterns of 52
    weeks to the last day with complaints, recurring flooding spots, each with its fields."""
    last = _last_day(demo)
    emerging = client.get(
        "/analytics/emerging", params={"last_day": last.isoformat(), "steps": 52}
    ).json()
    spots = client.get("/analytics/recurring").json()["spots"]
    hot = [c for c in client.get("/analytics/hotspots").json()["cells"] if c["class"] > 0]
    assert emerging["spots"] and spots and hot
    seen = set()
    recurring = h3.latlng_to_cell(spots[0]["lat"], spots[0]["lon"], 8)
    for index in (emerging["spots"][0]["cell"], recurring, hot[0]["cell"]):
        tile = _cell_tile(index, 12)
        layers = _decode(client.get(f"/tiles/hotspots/12/{tile.x}/{tile.y}.mvt"))
        assert set(layers) <= {"hotspots", "emerging", "recurring"}
        seen |= set(layers)
        for feature in layers.get("emerging", {"features": []})["features"]:
            props = feature["properties"]
            assert set(props) == EMERGING_FIELDS
            assert props["category"] in PATTERNS and props["category"] != "no pattern"
            assert props["name"] == pattern_name(props["category"])
            assert props["family"] == props["category"].split()[-1]
            assert int(props["h3"], 16) == feature["id"]
            assert -1 <= props["tau"] <= 1 and 0 <= props["p"] <= 1
        for feature in layers.get("recurring", {"features": []})["features"]:
            props = feature["properties"]
            assert set(props) <= RECURRING_FIELDS and set(props) >= RECURRING_FIELDS - {"wards"}
            assert props["spot"] == feature["id"] and props["days"] >= 4 and props["weeks"] >= 3
            assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        for feature in layers.get("hotspots", {"features": []})["features"]:
            assert set(feature["properties"]) == {"h3", "class", "z", "p_fdr", "n", "run"}
    assert seen == {"hotspots", "emerging", "recurring"}
    spec = client.get("/tiles/hotspots.json").json()
    assert [v["id"] for v in spec["vector_layers"]] == ["hotspots", "emerging", "recurring"]
    assert set(spec["vector_layers"][1]["fields"]) == EMERGING_FIELDS


@pytest.mark.parametrize(
    ("query", "api"),
    [
        ({}, {}),  # defaults: all complaints, 52 weeks to the last day with complaints
        ({"category": FLOOD, "to": "2025-11-30"}, {"category": FLOOD, "last_day": "2025-11-30"}),
        (  # from= and to= make the span: the 14 whole weeks ending on `to`
            {"from": "2025-06-01", "to": "2025-09-07"},
            {"last_day": "2025-09-07", "steps": 14},
        ),
    ],
)
def test_emerging_cells_in_tiles_equal_emerging_spots(demo, client, query, api):
    """The tile's emerging cells and categories are the API's spots whose hexagon (h3-py)
    meets the buffered tile, for the same parameters."""
    api = {"steps": 52, "last_day": _last_day(demo).isoformat()} | api
    if "from" in query:
        days = (date.fromisoformat(query["to"]) - date.fromisoformat(query["from"])).days + 1
        api["steps"] = days // 7
    body = client.get("/analytics/emerging", params=api).json()
    assert body["spots"], body["categories"]
    spots = {s["cell"]: s for s in body["spots"]}
    centre = body["spots"][len(body["spots"]) // 2]["cell"]
    for z in (10, 13):
        tile = _cell_tile(centre, z)
        layers = _decode(client.get(f"/tiles/hotspots/{z}/{tile.x}/{tile.y}.mvt", params=query))
        got = {f["properties"]["h3"]: f for f in layers["emerging"]["features"]}
        area = _buffered(tile)
        want = {c: s for c, s in spots.items() if _hexagon(c).intersects(area)}
        assert want and set(got) == set(want), z
        for cell, feature in got.items():
            props = feature["properties"]
            assert props["category"] == want[cell]["pattern"]
            assert props["n"] == want[cell]["n"] and props["n_last"] == want[cell]["n_last_step"]


def test_emerging_counts_match_the_complaints(demo, client):
    """n and n_last of tile cells equal counts of the complaints in the cell's span of days."""
    last = _last_day(demo)
    first = last - timedelta(days=52 * 7 - 1)
    body = client.get("/analytics/emerging", params={"last_day": last.isoformat()}).json()
    cell = max(body["spots"], key=lambda s: s["n"])["cell"]
    tile = _cell_tile(cell, 14)
    layers = _decode(client.get(f"/tiles/hotspots/14/{tile.x}/{tile.y}.mvt"))
    props = next(f["properties"] for f in layers["emerging"]["features"] if f["properties"]["h3"]
                 == cell)  # fmt: skip
    with psycopg.connect(demo.url) as conn:
        n, n_last = conn.execute(
            "SELECT count(*) FILTER (WHERE d >= %(first)s), count(*) FILTER (WHERE d > %(week)s) "
            "FROM (SELECT (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS d FROM complaint "
            "WHERE h3_r8 = %(cell)s) AS c WHERE d <= %(last)s",
            {"first": first, "week": last - timedelta(days=7), "last": last,
             "cell": h3.str_to_int(cell)},
        ).fetchone()  # fmt: skip
    assert (props["n"], props["n_last"]) == (n, n_last) and n > 0


def test_recurring_outlines_match_the_api(demo, client):
    """Each recurring spot in a tile is the API's outline projected with pyproj, clipped to
    the buffered tile, within a tile unit or two of quantisation; same counts and days."""
    spots = client.get("/analytics/recurring", params={"format": "geojson"}).json()["features"]
    assert len(spots) >= 10
    checked = 0
    for rank in (1, 2, len(spots)):
        spot = spots[rank - 1]
        outline = shapely.transform(
            shapely.geometry.shape(spot["geometry"]),
            lambda xy: np.column_stack(MERCATOR.transform(xy[:, 0], xy[:, 1])),
        )
        centre = shapely.Point(spot["properties"]["lon"], spot["properties"]["lat"])
        for z in (13, 15):
            tile = mercantile.tile(centre.x, centre.y, z)
            layers = _decode(client.get(f"/tiles/hotspots/{z}/{tile.x}/{tile.y}.mvt"))
            found = [f for f in layers["recurring"]["features"] if f["id"] == rank]
            assert len(found) == 1, (rank, z)
            got = _to_mercator(found[0]["geometry"], tile)
            want = outline.intersection(_buffered(tile))
            unit = (mercantile.xy_bounds(tile).right - mercantile.xy_bounds(tile).left) / 4096
            assert shapely.hausdorff_distance(got, want) <= 2 * unit, (rank, z)
            props, api = found[0]["properties"], spot["properties"]
            for name in ("n", "days", "weeks", "first_day", "last_day", "area_m2"):
                assert props[name] == api[name], name
            assert props.get("wards", "") == ", ".join(u["name"] for u in api["units"])
            checked += 1
    assert checked == 6
    # every spot whose outline meets a tile is in it, and no other
    tile = mercantile.tile(spots[0]["properties"]["lon"], spots[0]["properties"]["lat"], 11)
    layers = _decode(client.get(f"/tiles/hotspots/11/{tile.x}/{tile.y}.mvt"))
    area = _buffered(tile)
    want = {
        rank
        for rank, s in enumerate(spots, 1)
        if shapely.transform(
            shapely.geometry.shape(s["geometry"]),
            lambda xy: np.column_stack(MERCATOR.transform(xy[:, 0], xy[:, 1])),
        ).intersects(area)
    }
    assert {f["id"] for f in layers["recurring"]["features"]} == want


def test_runs_are_stored_once_and_reused(demo):
    """The first tile computes one run of each kind; a new worker (no memo) drawing tiles
    again finds them stored; the API and library calls for the same parameters reuse them."""
    query = {"from": "2024-03-01"}  # parameters no other test uses
    last = _last_day(demo)
    steps = ((last - date(2024, 3, 1)).days + 1) // 7
    listing = "SELECT method, id, created_at, seconds FROM hotspot_run ORDER BY id"
    with psycopg.connect(demo.url) as conn:
        before = conn.execute(listing).fetchall()
    url = DbSettings(_env_file=None, database_url=demo.url)
    tile = mercantile.tile(106.70, 10.776, 11)
    east = mercantile.Tile(tile.x + 1, tile.y, tile.z)
    with TestClient(create_app(db=url, tile_settings=SETTINGS)) as first:
        _decode(first.get(f"/tiles/hotspots/11/{tile.x}/{tile.y}.mvt", params=query))
        first.get(f"/tiles/hotspots/11/{east.x}/{east.y}.mvt", params=query)
    with psycopg.connect(demo.url) as conn:
        runs = conn.execute(listing).fetchall()
    new = runs[len(before) :]
    assert runs[: len(before)] == before
    assert sorted(r[0] for r in new) == ["emerging", "gi*", "recurring"]
    with TestClient(create_app(db=url, tile_settings=SETTINGS)) as second:
        for t in (east, tile, mercantile.Tile(tile.x, tile.y + 1, 11)):
            response = second.get(f"/tiles/hotspots/11/{t.x}/{t.y}.mvt", params=query)
            assert response.status_code in (200, 204)
        emerging = second.get(
            "/analytics/emerging", params={"last_day": last.isoformat(), "steps": steps}
        ).json()
        recurring = second.get("/analytics/recurring", params=query).json()["spots"]
        gi = second.get("/analytics/hotspots", params=query).json()
    with psycopg.connect(demo.url) as conn:
        assert conn.execute(listing).fetchall() == runs  # nothing computed: the same rows
        ids = {method: run_id for method, run_id, *_ in new}
        assert run_emerging(conn, EmergingParams(last_day=last, steps=steps)).id == ids["emerging"]
        assert not run_emerging(conn, EmergingParams(last_day=last, steps=steps)).computed
        assert not run_recurring(conn, RecurringParams(**query)).computed
        assert run_gistar(conn, HotspotParams(**query)).id == ids["gi*"] == gi["run"]["id"]
        n_spots, n_cells = conn.execute(
            "SELECT (SELECT n_spots FROM hotspot_run WHERE id = %(r)s), "
            "(SELECT n_cells FROM hotspot_run WHERE id = %(e)s)",
            {"r": ids["recurring"], "e": ids["emerging"]},
        ).fetchone()
    assert not gi["run"]["computed"]
    assert len(recurring) == n_spots and sum(emerging["categories"].values()) == n_cells


def test_stored_emerging_run_equals_a_fresh_computation(demo):
    """The stored cells of an emerging run (pattern, trend, last z, counts) equal the cube
    computed again in memory; the API's output is read from them."""
    params = EmergingParams(category=FLOOD, last_day=date(2025, 10, 31), steps=30, k=2)
    with psycopg.connect(demo.url) as conn:
        run = run_emerging(conn, params)
        conn.commit()
        rows = conn.execute(
            "SELECT cell, pattern, tau, p_trend, z_last, n, n_last_step, hot_steps, cold_steps "
            "FROM emerging_cell WHERE run_id = %s ORDER BY cell",
            (run.id,),
        ).fetchall()
        summary = conn.execute(
            "SELECT boundary_set, n_cells, n_hot, n_cold FROM hotspot_run WHERE id = %s",
            (run.id,),
        ).fetchone()
        area = covering_cells(conn, summary[0], 8)
        cells, counts = cube_counts(
            conn, area, 8, params.last_day, 30, 7, params.field, params.category
        )
        result = emerging_spots(conn, params)
    fresh = patterns_of(cells, counts, k=2, window=1)
    assert [r[0] for r in rows] == cells.tolist()
    assert [r[1] for r in rows] == fresh.patterns
    assert np.allclose([r[2] for r in rows], fresh.tau)
    assert np.allclose([r[3] for r in rows], fresh.p)
    assert np.allclose([r[4] for r in rows], fresh.z_last)
    assert [r[5] for r in rows] == counts.sum(axis=1).tolist()
    assert [r[6] for r in rows] == counts[:, -1].tolist()
    assert [r[7] for r in rows] == fresh.hot_steps.tolist()
    assert summary[1] == len(cells)
    assert summary[2] == sum(p.endswith(" hot") for p in fresh.patterns) > 0
    assert summary[3] == sum(p.endswith(" cold") for p in fresh.patterns)
    assert result["cells"] == len(cells) and result["first_day"] == "2025-04-05"
    assert [s["cell"] for s in result["spots"]] == [
        h3.int_to_str(int(c)) for c, p in zip(cells, fresh.patterns, strict=True)
        if p != "no pattern"
    ]  # fmt: skip


@pytest.mark.parametrize("steps", [4, 12, 33, 34, 52, 130])
def test_mann_kendall_of_many_rows_equals_scipy(steps):
    """The vectorised trend test equals scipy's kendalltau row by row: ties (z-scores of
    quiet cells repeat), constant rows, monotone rows, tie-free rows tested exactly."""
    rng = np.random.default_rng(steps)
    z = np.round(rng.normal(size=(600, steps)), 1)
    z[:40] = 0.0
    z[40:80] = np.arange(steps)
    z[80:120] = rng.normal(size=(40, steps))
    z[120:160] = np.sort(rng.normal(size=(40, steps)), axis=1)
    z[120:160, [0, 1]] = z[120:160, [1, 0]]  # one discordant pair
    tau, p = mann_kendall_rows(z)
    for row, t, q in zip(z, tau, p, strict=True):
        if np.ptp(row) == 0:
            assert (t, q) == (0.0, 1.0)
            continue
        want = stats.kendalltau(np.arange(steps), row)
        assert t == pytest.approx(want.statistic, abs=1e-12)
        assert q == pytest.approx(want.pvalue, rel=1e-9, abs=1e-15)


def test_layer_options_pick_kinds_and_parameters(demo):
    """kind= and the runs' parameters, as layer options of the tile service: one MVT layer
    per kind asked for, another stored run for other parameters, cache keys apart."""
    service = TileService(SETTINGS)
    with psycopg.connect(demo.url, autocommit=True) as conn:
        spots = recurring_spots(conn, RecurringParams(eps_m=80, min_days=5))
        assert spots
        tile = mercantile.tile(spots[0]["lon"], spots[0]["lat"], 12)

        def layers(tile: mercantile.Tile, options: dict) -> dict:
            spec = service.spec("hotspots", tile.z, tile.x, tile.y, TileFilters(), options)
            rendered = service.render(conn, spec)
            return mapbox_vector_tile.decode(_gunzip(rendered.gzipped)) if rendered.gzipped else {}

        wide = layers(tile, {"kind": "recurring", "eps": "80", "min_days": "5"})
        assert set(wide) == {"recurring"}
        assert {f["properties"]["n"] for f in wide["recurring"]["features"]} >= {spots[0]["n"]}
        narrow = layers(tile, {"kind": "recurring"})
        wide_run = {f["properties"]["run"] for f in wide["recurring"]["features"]}
        narrow_features = narrow.get("recurring", {"features": []})["features"]
        other = {f["properties"]["run"] for f in narrow_features}
        assert len(wide_run) == 1 and not wide_run & other  # another stored run
        coarse = layers(mercantile.tile(106.70, 10.776, 9), {"kind": "hotspots,emerging",
                                                             "resolution": "7"})  # fmt: skip
        assert set(coarse) == {"hotspots", "emerging"}
        for layer in coarse.values():
            assert {h3.get_resolution(f["properties"]["h3"]) for f in layer["features"]} == {7}
        keys = {
            service.spec("hotspots", 12, 1, 1, TileFilters(), o).key(1)
            for o in ({}, {"kind": "recurring"}, {"eps": "80"}, {"steps": "30"}, {"k": "2"})
        }
        assert len(keys) == 5
        legend = service.legend(conn, "hotspots", TileFilters(), {"kind": "emerging,recurring"})
        assert [p["source_layer"] for p in legend["sublayers"]] == ["emerging", "recurring"]


def _gunzip(data: bytes) -> bytes:
    return gzip.decompress(data)


@pytest.mark.parametrize(
    "options",
    [
        {"kind": "gistar"},
        {"kind": ""},
        {"resolution": "10"},  # emerging cells go up to resolution 9
        {"resolution": "ten", "kind": "hotspots"},
        {"eps": "80", "kind": "hotspots"},  # eps= is the recurring spots'
        {"eps": "0"},
        {"steps": "2"},
        {"min_days": "2", "min_weeks": "3"},
        {"window": "9"},
        {"metric": "n"},
    ],
)
def test_bad_layer_options_are_tile_errors(demo, options):
    service = TileService(SETTINGS)
    with psycopg.connect(demo.url, autocommit=True) as conn, pytest.raises(TileError):
        spec = service.spec("hotspots", 12, 3263, 1923, TileFilters(), options)
        service.render(conn, spec)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("channel=app", 400),
        ("unit=X", 400),
        ("status=open", 400),
        ("category=nope", 400),
        ("from=2025-12-20", 400),  # too short for emerging hot spots (4 steps at least)
        ("from=2025-02-01&to=2025-01-01", 400),
        ("to=someday", 400),
        ("set=nowhere", 404),
    ],
)
def test_bad_requests_get_json_errors(client, query, status):
    tile = mercantile.tile(106.70, 10.776, 12)
    response = client.get(f"/tiles/hotspots/12/{tile.x}/{tile.y}.mvt?{query}")
    assert response.status_code == status, response.text
    assert response.json()["detail"]


def test_layer_options_over_http(client):
    """kind= and the runs' options reach the layer through the tile, TileJSON and legend
    routes; an option of another kind or a misspelt one is a 400 with JSON."""
    tile = mercantile.tile(106.70, 10.776, 11)
    only = _decode(client.get(f"/tiles/hotspots/11/{tile.x}/{tile.y}.mvt?kind=recurring&eps=80"))
    assert set(only) <= {"recurring"}
    spec = client.get("/tiles/hotspots.json", params={"kind": "recurring", "eps": "80"}).json()
    assert "kind=recurring" in spec["tiles"][0] and "eps=80" in spec["tiles"][0]
    legend = client.get("/legends/hotspots", params={"kind": "emerging"}).json()
    assert [s["source_layer"] for s in legend["sublayers"]] == ["emerging"]
    for query in ("kind=recurring&k=2", "kinds=recurring", "eps=0"):
        response = client.get(f"/tiles/hotspots/11/{tile.x}/{tile.y}.mvt?{query}")
        assert response.status_code == 400, query
        assert "detail" in response.json()


def test_one_legend_and_style_for_the_three_kinds(client):
    """Gi* classes (as before), the 17 emerging patterns in Vietnamese with hot reds and cold
    blues, recurring outlines; the style draws each MVT layer from the legend's colours."""
    legend = client.get("/legends/hotspots").json()
    assert [c["value"] for c in legend["classes"]] == [3, 2, 1, -1, -2, -3]
    parts = {p["source_layer"]: p for p in legend["sublayers"]}
    assert list(parts) == ["hotspots", "emerging", "recurring"]
    patterns = parts["emerging"]["classes"]
    assert [c["value"] for c in patterns] == list(PATTERNS) and len(patterns) == 17
    for row in patterns:
        red, green, blue = (int(row["color"][i : i + 2], 16) for i in (1, 3, 5))
        if row["value"].endswith(" hot"):
            assert row["label"].startswith("Điểm nóng") and red > blue
        elif row["value"].endswith(" cold"):
            assert row["label"].startswith("Điểm lạnh") and blue > red
        else:
            assert not row["drawn"]
    assert len({c["color"] for c in patterns}) == 17
    assert parts["recurring"]["classes"][0]["outline"]
    assert "(ngập nước)" in parts["recurring"]["classes"][0]["label"]  # names, not codes
    style = client.get("/styles/hotspots.json").json()
    layers = {layer["id"]: layer for layer in style["layers"]}
    assert layers["emerging-fill"]["source-layer"] == "emerging"
    assert layers["recurring-line"]["source-layer"] == "recurring"
    assert (
        layers["recurring-line"]["paint"]["line-color"] == parts["recurring"]["classes"][0]["color"]
    )
    match = layers["emerging-fill"]["paint"]["fill-color"]
    assert dict(zip(match[2:-1:2], match[3:-1:2], strict=True)) == {
        c["value"]: c["color"] for c in patterns
    }


def test_downgrade_keeps_gi_star_runs(catalog_clone, boundary_settings, tmp_path):
    """Down to 0006 with stored runs of every kind: the Gi* runs stay, the others go; up
    again, runs of every kind can be stored."""
    frame = generate(3_000, 5, date(2025, 1, 1), date(2025, 12, 31), boundary_settings)
    db, settings = _ingested(catalog_clone, frame, tmp_path)
    try:
        small = RecurringParams(category=(), min_points=3, min_days=2, min_weeks=1, eps_m=200)
        with psycopg.connect(settings.url) as conn:
            run_gistar(conn, HotspotParams())
            run_emerging(conn, EmergingParams(last_day=date(2025, 12, 31), steps=8))
            run_recurring(conn, small)
            conn.commit()
            assert conn.execute("SELECT count(*) FROM recurring_spot").fetchone()[0] > 0
        migrate.downgrade(settings, "0006")
        with psycopg.connect(settings.url) as conn:
            assert conn.execute("SELECT method FROM hotspot_run").fetchall() == [("gi*",)]
        migrate.upgrade(settings)
        with psycopg.connect(settings.url) as conn:
            assert run_recurring(conn, small).computed
            assert not run_gistar(conn, HotspotParams()).computed
    finally:
        db.__exit__(None, None, None)
