"""The wards choropleth layer, its frozen legends and the map styles, against references
computed with pandas, shapely and mapclassify from the complaint rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import mapbox_vector_tile
import mapclassify
import mercantile
import numpy as np
import pandas as pd
import psycopg
import pytest
import shapely
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from analytics.smoothing import smooth_mean
from etl.demo import generate, write
from etl.ingest import ingest
from etl.mapping import read_mapping, resolve_mapping
from gis_api.cli import app as cli
from gis_api.main import create_app
from gis_db.settings import DbSettings
from tiles.settings import TileSettings

MAPPING = read_mapping(resolve_mapping("phananh-1022"))
SETTINGS = TileSettings(_env_file=None)
CENTRE = (106.70, 10.776)
OPEN = ("received", "assigned", "processing")
EDGES = [0, 1, 2, 3, 5, 7, 10, 15, 30, 60, np.inf]


@pytest.fixture(scope="module")
def wards(catalog_clone, boundary_settings, tmp_path_factory) -> Iterator[tuple]:
    """A database with 3,000 demo complaints, a client, and a folder for more batches."""
    frame = generate(3_000, 11, date(2024, 1, 1), date(2025, 12, 31), boundary_settings)
    path = write(frame, tmp_path_factory.mktemp("w") / "d.csv")
    with catalog_clone() as db:
        with psycopg.connect(db.url) as conn:
            ingest(conn, path, MAPPING)
        settings = DbSettings(_env_file=None, database_url=db.url)
        with TestClient(create_app(db=settings, tile_settings=SETTINGS)) as client:
            yield db, client, tmp_path_factory.mktemp("more")


def _reference(db: DbSettings, slug: str, as_of: datetime) -> pd.DataFrame:
    """Per unit of `slug`, the choropleth figures from the complaint rows (pandas)."""
    with psycopg.connect(db.url) as conn:
        rows = conn.execute(
            "SELECT ward_set, ward_code, current_set, current_ward_code, status, received_at, "
            "coalesce(resolved_at, closed_at) AS ended, due_at, satisfaction FROM complaint"
        ).fetchall()
        units = conn.execute(
            "SELECT u.code, u.population FROM boundary_unit u JOIN boundary_set s "
            "ON s.id = u.set_id WHERE s.slug = %s",
            (slug,),
        ).fetchall()
    c = pd.DataFrame(
        rows,
        columns=["ward_set", "ward_code", "current_set", "current_ward_code", "status",
                 "received", "ended", "due", "rating"],
    )  # fmt: skip
    dated = c[c.ward_set == slug].assign(unit=lambda f: f.ward_code)
    today = c[(c.current_set == slug) & (c.ward_set != c.current_set)]
    c = pd.concat([dated, today.assign(unit=today.current_ward_code)])
    done = c.status.isin(["resolved", "closed"])
    late = (c.ended > c.due).fillna(False)
    days = (c.ended - c.received).dt.total_seconds() / 86400
    c = c.assign(
        rated=c.rating.notna(),
        rating=c.rating.fillna(0),
        squares=c.rating.fillna(0) ** 2,
        on_time=done & ~late,
        late=done & late,
        overdue=c.status.isin(OPEN) & (c.due < pd.Timestamp(as_of)),
        days=days.where(done & c.ended.notna()),
    )
    g = c.groupby("unit")
    out = pd.DataFrame(
        {
            "n": g.size(),
            "rated": g.rated.sum(),
            "rating_sum": g.rating.sum(),
            "squares": g.squares.sum(),
            "on_time": g.on_time.sum(),
            "late": g.late.sum(),
            "overdue": g.overdue.sum(),
            "median": g.days.median(),
            "closed": g.days.count(),
        }
    )
    population = pd.Series(dict(units), dtype="float")
    out = out.reindex(population.index, fill_value=0)
    out["median"] = out["median"].replace(0, np.nan).where(out.closed > 0)
    out["per_10k"] = out.n / population * 10_000
    timed = out.on_time + out.late + out.overdue
    out["on_time_rate"] = (out.on_time / timed).where(timed > 0)
    out["timed"] = timed
    out["satisfaction"] = smooth_mean(out.rating_sum, out.squares, out.rated)
    return out


def _tile(client: TestClient, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return mapbox_vector_tile.decode(response.content)["wards"]["features"]


def test_ward_metrics_match_the_complaints(wards):
    db, client, _ = wards
    legend = client.get("/legends/wards").json()
    slug, as_of = legend["set"], datetime.fromisoformat(legend["as_of"])
    want = _reference(db, slug, as_of)
    tile = mercantile.tile(*CENTRE, 11)
    features = _tile(client, f"/tiles/wards/11/{tile.x}/{tile.y}.mvt")
    assert len(features) > 10
    for f in features:
        p, w = f["properties"], want.loc[f["properties"]["code"]]
        assert p["n"] == w.n and p["rated"] == w.rated and p["overdue"] == w.overdue
        assert p["timed"] == w.timed and p["closed"] == w.closed
        assert p.get("per_10k") == pytest.approx(w.per_10k, abs=1e-3)
        if w.timed:
            assert p["on_time_rate"] == pytest.approx(w.on_time_rate, abs=1e-4)
        if w.rated:
            assert p["satisfaction"] == pytest.approx(w.satisfaction, abs=1e-4)
        if w.closed:  # interpolated in the bin that holds the true median
            b = np.searchsorted(EDGES, w["median"], side="right") - 1
            assert EDGES[b] <= p["median_days"] <= min(EDGES[b + 1], 60)


def test_wards_in_a_tile_are_those_meeting_its_buffered_square(wards):
    db, client, _ = wards
    tile = mercantile.tile(*CENTRE, 13)
    codes = {
        f["properties"]["code"] for f in _tile(client, f"/tiles/wards/13/{tile.x}/{tile.y}.mvt")
    }
    b = mercantile.xy_bounds(tile)
    grow = (b.right - b.left) * SETTINGS.buffer / SETTINGS.extent
    square = shapely.box(b.left - grow, b.bottom - grow, b.right + grow, b.top + grow)
    with psycopg.connect(db.url) as conn:
        shapes = conn.execute(
            "SELECT u.code, ST_AsBinary(u.geom_3857) FROM boundary_unit u "
            "JOIN boundary_set s ON s.id = u.set_id WHERE s.level = 'ward' AND s.valid_to IS NULL"
        ).fetchall()
    want = {code for code, wkb in shapes if shapely.from_wkb(wkb).intersects(square)}
    assert codes == want and len(want) > 1


def test_filters_apply_and_status_is_refused(wards):
    db, client, _ = wards
    tile = mercantile.tile(*CENTRE, 11)
    url = f"/tiles/wards/11/{tile.x}/{tile.y}.mvt"
    everything = {f["properties"]["code"]: f["properties"]["n"] for f in _tile(client, url)}
    spring = _tile(client, url + "?from=2025-03-01&to=2025-05-31")
    assert sum(f["properties"]["n"] for f in spring) < sum(everything.values())
    with psycopg.connect(db.url) as conn:
        code = spring[0]["properties"]["code"]
        (n,) = conn.execute(
            "SELECT count(*) FROM complaint WHERE current_ward_code = %s AND "
            "(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN '2025-03-01' AND "
            "'2025-05-31'",
            (code,),
        ).fetchone()
    assert spring[0]["properties"]["n"] == n
    response = client.get(url + "?status=open")
    assert response.status_code == 400 and "status" in response.json()["detail"]


def test_legend_breaks_are_frozen_until_cleared(wards, boundary_settings, monkeypatch):
    db, client, more = wards
    first = client.get("/legends/wards?metric=n").json()
    values = _reference(db, first["set"], datetime.fromisoformat(first["as_of"])).n.to_numpy()
    want = mapclassify.FisherJenks(values.astype(float), k=5).bins
    assert first["breaks"] == pytest.approx(list(want))
    assert first["method"] == "Fisher-Jenks" and len(first["classes"]) == 5
    assert [c["max"] for c in first["classes"]] == first["breaks"]

    batch = generate(1_500, 12, date(2025, 1, 1), date(2025, 12, 31), boundary_settings)
    batch["Mã phản ánh"] = "B2-" + batch["Mã phản ánh"]
    with psycopg.connect(db.url) as conn:
        ingest(conn, write(batch, more / "b2.csv"), MAPPING)
    again = client.get("/legends/wards?metric=n").json()
    assert again["data_version"] > first["data_version"]
    assert again["breaks"] == first["breaks"]  # frozen: colours do not jump
    assert again["frozen_data_version"] == first["data_version"]

    other = client.get("/legends/wards?metric=n&from=2025-01-01").json()  # another period
    assert other["frozen_data_version"] == again["data_version"]

    monkeypatch.setenv("DATABASE_URL", db.url)
    result = CliRunner().invoke(cli, ["tiles", "breaks", "--clear"])
    assert result.exit_code == 0, result.output
    fresh = client.get("/legends/wards?metric=n").json()
    assert fresh["frozen_data_version"] == again["data_version"]
    assert fresh["breaks"] != first["breaks"]


def test_styles_use_the_legends(wards):
    _, client, _ = wards
    style = client.get("/styles/phananh.json?metric=on_time_rate&field=giao-thong&status=open")
    assert style.status_code == 200, style.text
    body = style.json()
    assert body["version"] == 8 and set(body["sources"]) == {
        "wards", "heat", "hotspots", "complaints", "boundaries"
    }  # fmt: skip
    assert "status=open" in body["sources"]["heat"]["url"]
    # hotspot runs count by field, category and days; shown on demand in the overview
    assert "status" not in body["sources"]["hotspots"]["url"]
    assert "field=giao-thong" in body["sources"]["hotspots"]["url"]
    hot = [layer for layer in body["layers"] if layer.get("source") == "hotspots"]
    assert hot and all(layer["layout"]["visibility"] == "none" for layer in hot)
    assert "status" not in body["sources"]["wards"]["url"]
    assert "field=giao-thong" in body["sources"]["wards"]["url"]
    legend = client.get("/legends/wards?metric=on_time_rate&field=giao-thong").json()
    fill = next(layer for layer in body["layers"] if layer["id"] == "wards-fill")
    step = fill["paint"]["fill-color"][2]
    assert step[0] == "step" and step[3::2] == legend["breaks"][:-1]
    assert not any(layer["type"] == "symbol" for layer in body["layers"])  # no fonts served
    for name in ("heat", "wards", "complaints", "boundaries"):
        assert client.get(f"/styles/{name}.json").status_code == 200
    assert client.get("/styles/nope.json").status_code == 404
    assert client.get("/legends/wards?metric=nope").status_code == 400
    assert client.get("/legends/heat?metric=n").status_code == 400
    heat = client.get("/legends/heat").json()
    assert heat["method"] == "Fisher-Jenks" and heat["classes"]
    fields = client.get("/legends/complaints").json()["classes"]
    assert len(fields) == len({f["color"] for f in fields}) >= 10


def test_boundary_loads_bump_the_data_version(catalog_clone):
    """Cached boundary and ward tiles must not outlive the shapes or populations they show."""
    with catalog_clone() as db, psycopg.connect(db.url) as conn:
        version = conn.execute("SELECT version FROM data_version").fetchone()[0]
        sets = conn.execute("SELECT count(*) FROM boundary_set").fetchone()[0]
    assert version >= sets + 1  # every set, and the 2025 population
