"""The FastAPI application (lifespan included) against real PostGIS databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gis_api.main import create_app
from gis_db.migrate import head_revision
from gis_db.settings import DbSettings


def client(db: DbSettings) -> TestClient:
    return TestClient(create_app(db=DbSettings(_env_file=None, database_url=db.url)))


@pytest.fixture(scope="module")
def catalog_api(catalog_db: DbSettings) -> Iterator[TestClient]:
    with client(catalog_db) as c:
        yield c


def test_health_and_ready(db):
    with client(db) as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        ready = c.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "revision": head_revision(db)}


def test_not_ready_without_schema(blank_db):
    with client(blank_db) as c:
        assert c.get("/healthz").status_code == 200
        ready = c.get("/readyz")
        assert ready.status_code == 503
        assert ready.headers["content-type"] == "application/json"
        assert ready.json()["status"] == "unavailable" and ready.json()["detail"]


def test_sets(catalog_api):
    response = catalog_api.get("/boundaries/sets")
    assert response.status_code == 200
    sets = {s["slug"]: s for s in response.json()}
    assert {slug: s["unit_count"] for slug, s in sets.items()} == {
        "hcmc-2019": 322,
        "hcmc-2021": 312,
        "hcmc-districts-2019": 24,
        "hcmc-districts-2021": 22,
        "hcmc-2025-07": 168,
    }
    assert sets["hcmc-2025-07"]["valid_from"] == "2025-07-01"
    assert sets["hcmc-2019"]["metadata"]["quality"]["gaps"] == 0


def test_locate(catalog_api):
    response = catalog_api.get(
        "/boundaries/locate", params={"lat": 10.7769, "lon": 106.7009, "date": "2025-08-01"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == "2025-08-01"
    assert [(u["set"], u["code"], u["name"]) for u in body["units"]] == [
        ("hcmc-2025-07", "26740", "Phường Sài Gòn")
    ]


def test_locate_2025_03_via_crosswalk(catalog_api):
    response = catalog_api.get(
        "/boundaries/locate", params={"lat": 10.7769, "lon": 106.7009, "date": "2025-03-01"}
    )
    units = {u["set"]: u for u in response.json()["units"]}
    assert set(units) == {"hcmc-2025-03", "hcmc-districts-2021"}
    assert "crosswalk" in units["hcmc-2025-03"]["method"]
    assert units["hcmc-districts-2021"]["code"] == "760"  # Quận 1


@pytest.mark.parametrize(
    "params",
    [
        {"lat": 95, "lon": 106.7},
        {"lat": 10.7, "lon": 200},
        {"lat": 10.7769, "lon": 106.7009, "date": "notadate"},
        {"lon": 106.7},
        {"lat": "nan", "lon": 106.7},
    ],
)
def test_locate_rejects_bad_input(catalog_api, params):
    response = catalog_api.get("/boundaries/locate", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"]


def test_docs(catalog_api):
    assert catalog_api.get("/docs").status_code == 200
    spec = catalog_api.get("/openapi.json")
    assert spec.status_code == 200
    paths = {"/healthz", "/readyz", "/boundaries/sets", "/boundaries/locate"}
    assert paths <= set(spec.json()["paths"])
    tile = spec.json()["paths"]["/tiles/{layers}/{z}/{x}/{y}.mvt"]["get"]
    names = {p["name"] for p in tile["parameters"]}
    filters = {"field", "category", "channel", "unit", "from", "to", "status", "late"}
    assert filters | {"layers", "z", "x", "y", "set", "v"} <= names
    assert all(p["description"] for p in tile["parameters"] if p["name"] in filters)


def test_geocode_address(catalog_api):
    response = catalog_api.get(
        "/geocode", params={"q": "12 Lê Lợi, P. Bến Nghé, Q.1, TP.HCM", "date": "2024-05-01"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "resolved"
    assert (body["ward_set"], body["ward_code"]) == ("hcmc-2021", "26740")
    assert (body["current_set"], body["current_code"]) == ("hcmc-2025-07", "26740")
    assert body["confidence"] >= 0.8


def test_geocode_ambiguous_is_not_guessed(catalog_api):
    body = catalog_api.get("/geocode", params={"q": "Phường 7", "date": "2024-05-01"}).json()
    assert body["current_code"] is None
    assert body["confidence"] < 0.8
    assert len(body["candidates"]) > 1


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "x" * 501}, {"q": "Phường 7", "date": "2024-13-01"}],
)
def test_geocode_rejects_bad_input(catalog_api, params):
    response = catalog_api.get("/geocode", params=params)
    assert response.status_code == 400
    assert "detail" in response.json()


def test_reverse_geocode(catalog_api):
    response = catalog_api.get(
        "/geocode/reverse", params={"lat": 10.7769, "lon": 106.7009, "date": "2020-06-01"}
    )
    assert response.status_code == 200
    units = {u["set"]: u["code"] for u in response.json()["units"]}
    assert units["hcmc-2019"] == "26740"
    assert catalog_api.get("/geocode/reverse", params={"lat": 91, "lon": 0}).status_code == 400
