"""Gi* hotspots and recurring spots: equal to esda and scikit-learn, FDR, the demo's planted
flood spots found, a uniform control without hot spots, runs stored and reused, served."""

from __future__ import annotations

import json
from collections import Counter
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
from pyproj import Transformer
from scipy import stats
from sklearn.cluster import DBSCAN
from typer.testing import CliRunner

from analytics.gistar import gi_star
from analytics.hotspots import HotspotParams, covering_cells, run_gistar, run_summary
from analytics.recurring import RecurringParams, recurring_spots
from analytics.smoothing import smooth_mean
from etl.demo import generate, write
from etl.demo.profile import load_profile
from etl.ingest import ingest
from etl.mapping import read_mapping, resolve_mapping
from gis_api.cli import app as cli
from gis_api.main import create_app
from gis_db.settings import DbSettings

MAPPING = read_mapping(resolve_mapping("phananh-1022"))
FLOOD = "ngap-nuoc"
UTM = Transformer.from_crs(4326, 32648, always_xy=True)


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


def test_recurring_spots_are_the_planted_flood_spots(demo):
    """DBSCAN in metres finds each planted flood spot as a recurring spot; the clusters equal
    scikit-learn's DBSCAN on the same points projected with pyproj."""
    params = RecurringParams()
    with psycopg.connect(demo.url) as conn:
        spots = recurring_spots(conn, params)
        rows = conn.execute(
            "SELECT id, received_day, ST_X(ST_Transform(geom, 4326)), "
            "ST_Y(ST_Transform(geom, 4326)) FROM complaint_point WHERE category_code = %s "
            "ORDER BY id",
            (FLOOD,),
        ).fetchall()
    points = pd.DataFrame(rows, columns=["id", "day", "lon", "lat"])
    x, y = UTM.transform(points["lon"].to_numpy(), points["lat"].to_numpy())
    labels = DBSCAN(eps=params.eps_m, min_samples=params.min_points).fit_predict(
        np.column_stack([x, y])
    )
    points["cluster"] = labels
    points["week"] = pd.to_datetime(points["day"]).dt.to_period("W-SUN")
    grouped = points[points["cluster"] >= 0].groupby("cluster")
    stats_ = pd.DataFrame(
        {"n": grouped.size(), "days": grouped["day"].nunique(), "weeks": grouped["week"].nunique()}
    )
    kept = stats_[(stats_["days"] >= params.min_days) & (stats_["weeks"] >= params.min_weeks)]
    ours = Counter((s["n"], s["days"], s["weeks"]) for s in spots)
    reference = Counter(zip(kept["n"], kept["days"], kept["weeks"], strict=True))
    same = sum((ours & reference).values())  # a border point may join either of two clusters
    assert len(spots) == len(kept) and same >= 0.8 * len(kept), (ours - reference, reference - ours)
    assert abs(sum(s["n"] for s in spots) - kept["n"].sum()) <= 0.01 * kept["n"].sum()
    limit = load_profile()["flooding"]["cluster_max_m"]  # how far the generator spreads a spot
    outlines = [shapely.transform(shapely.geometry.shape(s["outline"]), _utm) for s in spots]
    planted = load_profile()["flooding"]["hotspots"]
    found = []
    for spot in planted:
        where = shapely.Point(UTM.transform(spot["lon"], spot["lat"]))
        near = [s for s, o in zip(spots, outlines, strict=True) if o.distance(where) <= limit]
        if near:
            found.append(spot["street"])
            assert near[0]["units"] and near[0]["days"] >= params.min_days
    heavy = [s["street"] for s in planted if s.get("weight", 1.0) >= 1.5]
    assert set(heavy) <= set(found)  # 20,000 complaints: the lightest spots may be too sparse
    assert len(found) >= 0.8 * len(planted)


def _utm(coords: np.ndarray) -> np.ndarray:
    return np.column_stack(UTM.transform(coords[:, 0], coords[:, 1]))


def test_api_serves_recurring_spots(demo):
    app = create_app(db=DbSettings(_env_file=None, database_url=demo.url))
    with TestClient(app) as client:
        body = client.get("/analytics/recurring").json()
        geo = client.get("/analytics/recurring", params={"format": "geojson"}).json()
        assert len(body["spots"]) == len(geo["features"]) >= 15
        assert {f["geometry"]["type"] for f in geo["features"]} == {"Polygon"}
        for bad in ({"eps": 0}, {"category": "nope"}, {"min_days": 2, "min_weeks": 3}):
            response = client.get("/analytics/recurring", params=bad)
            assert response.status_code == 400, bad
            assert response.json()["detail"]


def test_api_serves_emerging_hot_spots(demo):
    app = create_app(db=DbSettings(_env_file=None, database_url=demo.url))
    query = {"category": FLOOD, "last_day": "2025-11-30", "steps": 26}
    with TestClient(app) as client:
        body = client.get("/analytics/emerging", params=query).json()
        assert sum(body["categories"].values()) == body["cells"] > 8_000
        assert len(body["categories"]) == 17
        assert len(body["spots"]) == body["cells"] - body["categories"]["no pattern"] > 0
        geo = client.get("/analytics/emerging", params={**query, "format": "geojson"}).json()
        assert {f["geometry"]["type"] for f in geo["features"]} == {"Polygon"}
        for bad in ({"steps": 2}, {"category": "nope"}, {"resolution": 10}):
            response = client.get("/analytics/emerging", params=bad)
            assert response.status_code == 400, bad
            assert response.json()["detail"]


def test_satisfaction_per_ward_matches_the_complaints(demo):
    """Ratings per ward of today's set equal pandas over the complaint rows; the smoothed
    figures are the method-of-moments estimates of those sums."""
    app = create_app(db=DbSettings(_env_file=None, database_url=demo.url))
    with TestClient(app) as client:
        body = client.get("/analytics/satisfaction", params={"from": "2025-01-01"}).json()
        assert client.get("/analytics/satisfaction", params={"set": "nowhere"}).status_code == 404
    with psycopg.connect(demo.url) as conn:
        rows = pd.DataFrame(
            conn.execute(
                "SELECT current_ward_code, satisfaction FROM complaint "
                "WHERE satisfaction IS NOT NULL AND current_ward_code IS NOT NULL "
                "AND (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= '2025-01-01'"
            ).fetchall(),
            columns=["code", "rating"],
        )
    want = rows.groupby("code")["rating"].agg(["count", "sum", "mean"])
    want["sq"] = rows.assign(sq=rows["rating"] ** 2).groupby("code")["sq"].sum()
    want["satisfied"] = rows.assign(ok=rows["rating"] >= 4).groupby("code")["ok"].sum()
    units = pd.DataFrame(body["units"]).set_index("code")
    rated = units[units["rated"] > 0]
    assert rated["rated"].to_dict() == want["count"].to_dict()
    assert np.allclose(rated["mean_rating"], want.loc[rated.index, "mean"], atol=1e-4)
    full = want.reindex(units.index, fill_value=0)
    smoothed = smooth_mean(full["sum"].to_numpy(), full["sq"].to_numpy(), full["count"].to_numpy())
    got = units["mean_rating_smoothed"].to_numpy(dtype=float)
    assert np.allclose(got, smoothed, atol=1e-4, equal_nan=True)
    assert body["rated"] == len(rows)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["hotspots", "--category", FLOOD], "hot"),
        (["recurring", "--min-days", "4"], "Phường"),
        (["emerging", "--last-day", "2025-11-30", "--steps", "26"], "no pattern"),
        (["timeliness", "--by", "ward", "--as-of", "2025-06-06 15:00", "--min-count", "5"], "1"),
        (["satisfaction", "--from", "2025-01-01"], "Phường"),
        (["alerts", "--last-day", "2025-09-30", "--alpha", "0.2", "--min-count", "2"], "alert"),
    ],
)
def test_analytics_commands(demo, args, expected):
    result = CliRunner().invoke(
        cli, ["analytics", *args], env={"DATABASE_URL": demo.url}, terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert expected in result.output


def test_analytics_commands_refuse_bad_input(demo):
    for args in (["hotspots", "--category", "nope"], ["timeliness", "--by", "team"]):
        result = CliRunner().invoke(cli, ["analytics", *args], env={"DATABASE_URL": demo.url})
        assert result.exit_code == 2, (args, result.output)


def test_geojson_output_of_the_commands(demo):
    result = CliRunner().invoke(
        cli, ["analytics", "recurring", "--geojson"], env={"DATABASE_URL": demo.url}
    )
    assert result.exit_code == 0
    body = json.loads(result.output)
    assert body["type"] == "FeatureCollection" and body["features"]


def test_alert_counts_match_the_complaints(demo):
    app = create_app(db=DbSettings(_env_file=None, database_url=demo.url))
    with TestClient(app) as client:
        body = client.get(
            "/analytics/alerts", params={"last_day": "2025-09-30", "alpha": 0.2, "min_count": 2}
        ).json()
        assert client.get("/analytics/alerts").status_code == 400  # last_day is required
    assert body["series"] > 0 and body["alerts"]
    with psycopg.connect(demo.url) as conn:
        for alert in body["alerts"][:5]:
            n = conn.execute(
                "SELECT count(*) FROM complaint WHERE current_ward_code = %s AND field_code = %s "
                "AND (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date "
                "BETWEEN '2025-09-24' AND '2025-09-30'",
                (alert["unit"], alert["field"]),
            ).fetchone()[0]
            assert n == alert["count"]


def test_superseded_runs_are_pruned(catalog_clone):
    """Storing a run deletes the runs of the same parameters superseded by a newer data
    version's run stored over ten minutes ago; `analytics prune --days` deletes old ones."""
    params = HotspotParams(resolution=7)

    def new_version(conn) -> int:  # noqa: ANN001
        conn.execute("UPDATE data_version SET version = version + 1")
        return run_gistar(conn, params).id

    def age(conn, run: int, minutes: int) -> None:  # noqa: ANN001
        conn.execute(
            "UPDATE hotspot_run SET created_at = now() - make_interval(mins => %s) WHERE id = %s",
            (minutes, run),
        )

    def runs(conn) -> set[int]:  # noqa: ANN001
        return {r[0] for r in conn.execute("SELECT id FROM hotspot_run")}

    with catalog_clone() as db, psycopg.connect(db.url, autocommit=True) as conn:
        a = run_gistar(conn, params).id
        b = new_version(conn)
        assert runs(conn) == {a, b}  # b is too recent: tiles of a's version may still read a
        age(conn, b, 11)
        c = new_version(conn)
        assert runs(conn) == {b, c}
        assert conn.execute(
            "SELECT count(*) FROM hotspot_cell WHERE run_id = %s", (a,)
        ).fetchone()[0] == 0  # fmt: skip
        age(conn, c, 2 * 24 * 60)
        result = CliRunner().invoke(cli, ["analytics", "prune", "--days", "1"],
                                    env={"DATABASE_URL": db.url})  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "2" in result.output and runs(conn) == set()
