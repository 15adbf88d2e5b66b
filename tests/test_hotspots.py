"""Gi* hotspots: equal to esda, FDR without a Bonferroni fallback, the demo's planted flood spots
found, a uniform control without hot spots, runs stored and reused, served."""

from __future__ import annotations

from datetime import date

import esda
import h3
import mapbox_vector_tile
import mercantile
import numpy as np
import pandas as pd
import psycopg
import pytest
import shapely
from fastapi.testclient import TestClient
from libpysal.graph import Graph
from scipy import stats

from analytics.gistar import gi_star
from analytics.hotspots import HotspotParams, covering_cells, run_gistar, run_summary
from etl.demo import generate, write
from etl.demo.profile import load_profile
from etl.ingest import ingest
from etl.mapping import read_mapping, resolve_mapping
from gis_api.main import create_app
from gis_db.settings import DbSettings

MAPPING = read_mapping(resolve_mapping("phananh-1022"))
FLOOD = "ngap-nuoc"


def _disk(lat: float, lon: float, res: int, k: int) -> np.ndarray:
    centre = h3.latlng_to_cell(lat, lon, res)
    return np.array(sorted(h3.str_to_int(c) for c in h3.grid_disk(centre, k)), dtype=np.int64)


@pytest.mark.parametrize("k", [1, 2])
def test_z_scores_equal_esda(k):
    cells = _disk(10.77, 106.70, 8, 9)  # the study area's edge has cells with fewer neighbours
    rng = np.random.default_rng(k)
    counts = rng.poisson(2, len(cells))
    counts[rng.choice(len(cells), 12, replace=False)] += 25
    ours = gi_star(cells, counts, k)
    ids = [h3.int_to_str(int(c)) for c in cells]
    graph = Graph.build_h3(ids, order=k, weight="binary")
    y = pd.Series(counts, index=ids).loc[graph.unique_ids].to_numpy()
    reference = esda.G_Local(y, graph, transform="B", star=True, permutations=0)
    z = pd.Series(reference.Zs, index=graph.unique_ids).loc[ids].to_numpy()
    assert np.abs(ours.z - z).max() <= 1e-6
    assert np.allclose(ours.p, 2 * stats.norm.sf(np.abs(z)))


def test_classes_follow_benjamini_hochberg():
    cells = _disk(10.77, 106.70, 8, 12)
    rng = np.random.default_rng(3)
    flat = gi_star(cells, np.full(len(cells), 3), 1)
    assert (flat.classes == 0).all() and (flat.z == 0).all()  # no spread: nothing stands out
    counts = rng.poisson(3, len(cells))
    counts[:30] += 40
    result = gi_star(cells, counts, 1)
    ranked = np.sort(result.p)
    for level, alpha in ((3, 0.01), (2, 0.05), (1, 0.10)):
        passing = np.flatnonzero(ranked <= alpha * np.arange(1, len(ranked) + 1) / len(ranked))
        cut = ranked[passing[-1]] if len(passing) else -1.0
        at_least = np.abs(result.classes) >= level
        assert (at_least == (result.p <= cut)).all(), level
    assert (
        np.sign(result.classes[result.classes != 0]) == np.sign(result.z[result.classes != 0])
    ).all()
    assert (result.classes > 0).sum() >= 30


def _ingested(catalog_clone, frame: pd.DataFrame, folder):
    path = write(frame, folder / "c.csv")
    db = catalog_clone()
    settings = db.__enter__()
    with psycopg.connect(settings.url) as conn:
        ingest(conn, path, MAPPING)
    return db, settings


@pytest.fixture(scope="module")
def demo(catalog_clone, boundary_settings, tmp_path_factory):
    frame = generate(20_000, 11, date(2024, 1, 1), date(2025, 12, 31), boundary_settings)
    db, settings = _ingested(catalog_clone, frame, tmp_path_factory.mktemp("hot"))
    yield settings
    db.__exit__(None, None, None)


def test_planted_flood_spots_are_hot(demo):
    with psycopg.connect(demo.url) as conn:
        run = run_gistar(conn, HotspotParams(category=FLOOD))
        conn.commit()
        classes = dict(
            conn.execute("SELECT cell, class FROM hotspot_cell WHERE run_id = %s", (run.id,))
        )
    spots = load_profile()["flooding"]["hotspots"]
    found = 0
    for spot in spots:
        centre = h3.latlng_to_cell(spot["lat"], spot["lon"], 8)
        ring = [h3.str_to_int(c) for c in h3.grid_disk(centre, 1)]
        found += any(classes.get(c, 0) > 0 for c in ring)
    heavy = [s for s in spots if s.get("weight", 1.0) >= 1.5]
    assert found >= len(heavy)  # every heavy spot and most of the others
    assert found >= 0.8 * len(spots)


def test_runs_are_stored_and_reused(demo):
    params = HotspotParams(category=FLOOD, resolution=9, **{"from": date(2025, 1, 1)})
    with psycopg.connect(demo.url) as conn:
        first = run_gistar(conn, params)
        conn.commit()
        again = run_gistar(conn, params)
        summary = run_summary(conn, first.id)
        stored = conn.execute(
            "SELECT count(*), sum(n) FROM hotspot_cell WHERE run_id = %s", (first.id,)
        ).fetchone()
        want = conn.execute(
            "SELECT count(*) FROM complaint WHERE category_code = %s AND h3_r9 IS NOT NULL "
            "AND (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= '2025-01-01'",
            (FLOOD,),
        ).fetchone()[0]
        area = covering_cells(conn, summary["boundary_set"], 9)
        missing = conn.execute(
            "SELECT count(*) FROM hotspot_cell AS c LEFT JOIN h3_cell AS h USING (cell) "
            "WHERE c.run_id = %s AND h.cell IS NULL",
            (first.id,),
        ).fetchone()[0]
    assert first.computed and not again.computed and again.id == first.id
    assert summary["n_complaints"] == want == stored[1]
    assert stored[0] == summary["n_cells"] >= len(area)  # every covering cell, zeros included
    assert missing == 0  # every cell has its hexagon for maps


def test_uniform_control_has_no_hot_spots(catalog_clone, boundary_settings, tmp_path):
    """Complaints spread uniformly over the city: (almost) no cell is significant after FDR."""
    frame = generate(6_000, 5, date(2025, 8, 1), date(2025, 12, 31), boundary_settings)
    frame = frame[frame["Vĩ độ"] != ""].reset_index(drop=True)
    with catalog_clone() as db, psycopg.connect(db.url) as conn:
        wkb = conn.execute(
            "SELECT ST_AsBinary(ST_Union(u.geom)) FROM boundary_unit u "
            "JOIN boundary_set s ON s.id = u.set_id "
            "WHERE s.level = 'ward' AND s.valid_to IS NULL"
        ).fetchone()[0]
        outline = shapely.from_wkb(bytes(wkb))
        conn.commit()
        rng = np.random.default_rng(5)
        lons: list[float] = []
        lats: list[float] = []
        west, south, east, north = outline.bounds
        while len(lons) < len(frame):
            x, y = rng.uniform(west, east, 4096), rng.uniform(south, north, 4096)
            inside = shapely.contains_xy(outline, x, y)
            lons.extend(x[inside])
            lats.extend(y[inside])
        frame["Kinh độ"] = [f"{v:.6f}" for v in lons[: len(frame)]]
        frame["Vĩ độ"] = [f"{v:.6f}" for v in lats[: len(frame)]]
        ingest(conn, write(frame, tmp_path / "uniform.csv"), MAPPING)
        summary = run_summary(conn, run_gistar(conn, HotspotParams(resolution=8)).id)
    assert summary["n_complaints"] >= 0.95 * len(frame)  # the uniform points were loaded
    assert summary["n_hot"] + summary["n_cold"] <= 0.002 * summary["n_cells"]


def test_api_serves_runs_as_json_and_geojson(demo):
    app = create_app(db=DbSettings(_env_file=None, database_url=demo.url))
    with TestClient(app) as client:
        body = client.get("/analytics/hotspots", params={"category": FLOOD}).json()
        assert body["run"]["n_hot"] == len([c for c in body["cells"] if c["class"] > 0]) > 0
        geo = client.get(
            "/analytics/hotspots", params={"category": FLOOD, "format": "geojson"}
        ).json()
        assert geo["type"] == "FeatureCollection" and geo["run"]["id"] == body["run"]["id"]
        assert {f["geometry"]["type"] for f in geo["features"]} == {"Polygon"}
        for bad in ({"resolution": 12}, {"category": "nope"}, {"set": "nowhere"},
                    {"from": "2025-02-01", "to": "2025-01-01"}):  # fmt: skip
            response = client.get("/analytics/hotspots", params=bad)
            assert response.status_code in (400, 404), bad
            assert response.json()["detail"]


def test_hotspots_tile_layer_matches_the_run(demo):
    """The `hotspots` layer draws the run's significant cells: those whose hexagon meets the
    tile's buffered envelope (shapely over h3's boundaries), with their class."""
    spot = load_profile()["flooding"]["hotspots"][0]
    tile = mercantile.tile(spot["lon"], spot["lat"], 12)
    app = create_app(db=DbSettings(_env_file=None, database_url=demo.url))
    with TestClient(app) as client:
        response = client.get(
            f"/tiles/hotspots/12/{tile.x}/{tile.y}.mvt", params={"category": FLOOD}
        )
        assert response.status_code == 200
        layer = mapbox_vector_tile.decode(response.content)["hotspots"]
        got = {f["properties"]["h3"]: f["properties"]["class"] for f in layer["features"]}
        run = {f["properties"]["run"] for f in layer["features"]}.pop()
        legend = client.get("/legends/hotspots").json()
        assert [c["value"] for c in legend["classes"]] == [3, 2, 1, -1, -2, -3]
        style = client.get("/styles/hotspots.json", params={"category": FLOOD}).json()
        assert "hotspots" in style["sources"]
        assert client.get("/tiles/hotspots/12/0/0.mvt?channel=app").status_code == 400
    with psycopg.connect(demo.url) as conn:
        rows = conn.execute(
            "SELECT cell, class FROM hotspot_cell WHERE run_id = %s AND class <> 0", (run,)
        ).fetchall()
    west, south, east, north = mercantile.xy_bounds(tile)
    margin = (east - west) * 64 / 4096
    area = shapely.box(west - margin, south - margin, east + margin, north + margin)
    want = {}
    for cell, klass in rows:
        index = h3.int_to_str(cell)
        ring = [mercantile.xy(lng, lat) for lat, lng in h3.cell_to_boundary(index)]
        if shapely.Polygon(ring).intersects(area):
            want[f"{cell:x}"] = klass
    assert want and got == want
