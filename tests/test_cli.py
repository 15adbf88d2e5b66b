"""The `phananh` command line (gis_api.cli:app) against real PostGIS databases."""

from __future__ import annotations

import json

import psycopg
import pytest
from typer.testing import CliRunner

from gis_api.cli import app
from gis_db.migrate import head_revision
from gis_db.settings import DbSettings

runner = CliRunner()


def run(db: DbSettings, settings, *args: str, input: str | None = None):
    env = {"DATABASE_URL": db.url, "PHANANH_DATA_DIR": str(settings.data_dir)}
    return runner.invoke(app, list(args), env=env, input=input)


def assert_one_line_error(result) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr


def square(x: float, y: float, d: float = 0.01) -> list:
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def revision(db: DbSettings) -> str | None:
    with psycopg.connect(db.url) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_list_json_shows_catalog(catalog_db, boundary_settings):
    result = run(catalog_db, boundary_settings, "boundaries", "list", "--json")
    assert result.exit_code == 0, result.output
    counts = {s["slug"]: s["unit_count"] for s in json.loads(result.stdout)}
    assert counts == {
        "hcmc-2019": 322,
        "hcmc-2021": 312,
        "hcmc-districts-2019": 24,
        "hcmc-districts-2021": 22,
        "hcmc-2025-07": 168,
    }


def test_locate_json(catalog_db, boundary_settings):
    result = run(
        catalog_db,
        boundary_settings,
        "boundaries",
        "locate",
        "10.7769",
        "106.7009",
        "--date",
        "2025-08-01",
        "--json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["date"] == "2025-08-01"
    assert [(u["set"], u["code"], u["name"]) for u in payload["units"]] == [
        ("hcmc-2025-07", "26740", "Phường Sài Gòn")
    ]


def test_locate_outside_and_impossible(catalog_db, boundary_settings):
    outside = run(
        catalog_db,
        boundary_settings,
        "boundaries",
        "locate",
        "21.0285",
        "105.8542",
        "--date",
        "2025-08-01",
    )
    assert outside.exit_code == 2 and "No unit" in outside.stdout
    assert_one_line_error(run(catalog_db, boundary_settings, "boundaries", "locate", "95", "106"))


@pytest.mark.parametrize("slug", ["no-such-set", "[/no-such-set]"])  # the second is rich markup
def test_load_unknown_slug_fails_cleanly(db, boundary_settings, slug):
    result = run(db, boundary_settings, "boundaries", "load", slug)
    assert_one_line_error(result)
    assert f"'{slug}'" in result.stderr and "hcmc-2025-07" in result.stderr


def test_load_any_geojson_file(db, boundary_settings, tmp_path):
    # Two adjacent squares in Đà Nẵng; codes with leading zeros stay text.
    features = [
        {
            "type": "Feature",
            "properties": {"NAME": name, "ID": code},
            "geometry": {"type": "Polygon", "coordinates": square(108.20 + 0.01 * i, 16.04)},
        }
        for i, (name, code) in enumerate([("Khu A", "001"), ("Khu B", "002")])
    ]
    path = tmp_path / "demo.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    args = [
        "boundaries",
        "load",
        str(path),
        "--slug",
        "demo-city",
        "--name-field",
        "NAME",
        "--code-field",
        "ID",
        "--level",
        "ward",
        "--valid-from",
        "2020-01-01",
    ]
    result = run(db, boundary_settings, *args)
    assert result.exit_code == 0, result.output
    listed = json.loads(run(db, boundary_settings, "boundaries", "list", "--json").stdout)
    assert [
        (s["slug"], s["level"], s["unit_count"], s["valid_from"], s["valid_to"]) for s in listed
    ] == [("demo-city", "ward", 2, "2020-01-01", None)]
    assert listed[0]["metadata"]["quality"]["overlaps"] == 0
    found = run(
        db,
        boundary_settings,
        "boundaries",
        "locate",
        "16.045",
        "108.215",
        "--date",
        "2024-01-01",
        "--json",
    )
    assert [(u["set"], u["code"], u["name"]) for u in json.loads(found.stdout)["units"]] == [
        ("demo-city", "002", "Khu B")
    ]
    bad = run(db, boundary_settings, *args[:-4], "--level", "planet")
    assert_one_line_error(bad)
    assert "planet" in bad.stderr


def test_db_url_and_start(db, boundary_settings):
    result = run(db, boundary_settings, "db", "url")
    assert result.exit_code == 0 and result.stdout.strip() == db.url
    start = run(db, boundary_settings, "db", "start")
    assert start.exit_code == 0, start.output
    assert "DATABASE_URL is set" in start.stdout and "nothing" in start.stdout


def test_db_migrate_and_reset(blank_db, boundary_settings):
    result = run(blank_db, boundary_settings, "db", "migrate")
    assert result.exit_code == 0, result.output
    head = head_revision(blank_db)
    assert revision(blank_db) == head and head in result.stdout
    with psycopg.connect(blank_db.url) as conn:
        conn.execute(
            "INSERT INTO admin_unit_list (slug, name, effective_date, source, licence,"
            " sha256) VALUES ('x', 'x', '2020-01-01', 'x', 'x', 'x')"
        )
    aborted = run(blank_db, boundary_settings, "db", "reset", input="n\n")
    assert aborted.exit_code == 1
    with psycopg.connect(blank_db.url) as conn:
        assert conn.execute("SELECT count(*) FROM admin_unit_list").fetchone()[0] == 1
    reset = run(blank_db, boundary_settings, "db", "reset", "--yes")
    assert reset.exit_code == 0, reset.output
    assert revision(blank_db) == head
    with psycopg.connect(blank_db.url) as conn:
        assert conn.execute("SELECT count(*) FROM admin_unit_list").fetchone()[0] == 0
