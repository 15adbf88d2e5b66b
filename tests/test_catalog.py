"""The built-in catalog as loaded in PostGIS, checked against catalog.yaml and the source files.

References are independent of the loader: catalog.yaml parsed here, source files read with
hashlib/pandas/geopandas, the chain of crosswalk CSVs followed here in plain Python.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import yaml

import boundaries
from boundaries.catalog import load_all
from boundaries.data import resolve

CATALOG = yaml.safe_load((Path(boundaries.__file__).parent / "catalog.yaml").read_text("utf-8"))
SETS = {e["slug"]: e for e in CATALOG["boundary_sets"]}
EXPECTED_UNITS = {
    "hcmc-2025-07": 168,
    "hcmc-2021": 312,
    "hcmc-2019": 322,
    "hcmc-districts-2021": 22,
    "hcmc-districts-2019": 24,
}
CROSSWALK_ROWS = {
    ("hcmc-2019", "hcmc-2021"): 322,
    ("hcmc-2021", "hcmc-2025-03"): 312,
    ("hcmc-2025-03", "hcmc-2025-07"): 493,
}


def rows(conn, query: str, params: dict | None = None) -> list[tuple]:
    return conn.execute(query, params or {}).fetchall()


def units(conn, slug: str, columns: str) -> list[tuple]:
    """Columns of the units of one set."""
    return rows(
        conn,
        f"SELECT {columns} FROM boundary_unit u JOIN boundary_set s"
        " ON s.id = u.set_id WHERE s.slug = %(s)s",
        {"s": slug},
    )


def set_meta(conn, slug: str) -> dict:
    return rows(conn, "SELECT metadata FROM boundary_set WHERE slug = %(s)s", {"s": slug})[0][0]


def csv(key: str, settings) -> pd.DataFrame:
    return pd.read_csv(resolve(key, settings), dtype=str, keep_default_na=False)


def as_date(value) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def test_five_sets_with_catalog_attributes(catalog_conn):
    got = {
        r[0]: r[1:]
        for r in rows(
            catalog_conn,
            "SELECT slug, level, valid_from, valid_to, unit_count, name FROM boundary_set",
        )
    }
    assert set(got) == set(EXPECTED_UNITS) == set(SETS)
    for slug, (level, valid_from, valid_to, unit_count, name) in got.items():
        entry = SETS[slug]
        assert (level, name) == (entry["level"], entry["name"])
        assert (valid_from, valid_to) == (as_date(entry["valid_from"]), as_date(entry["valid_to"]))
        assert unit_count == EXPECTED_UNITS[slug]
        assert len(units(catalog_conn, slug, "u.id")) == unit_count


def test_codes_are_text_and_match_source(catalog_conn, boundary_settings):
    types = rows(catalog_conn, "SELECT DISTINCT pg_typeof(code)::text FROM boundary_unit")
    assert types == [("text",)]
    tan_dinh = [
        r[1:]
        for r in units(catalog_conn, "hcmc-2019", "u.code, u.name, u.parent_name")
        if r[0] == "26734"
    ]
    assert tan_dinh == [("Phường Tân Định", "Quận 1")]
    for slug, entry in SETS.items():
        src = gpd.read_file(resolve(entry["dataset"], boundary_settings))
        code_col, name_col = entry["fields"]["code"], entry["fields"]["name"]
        expected = dict(zip(src[code_col].astype(str), src[name_col], strict=True))
        got = dict(units(catalog_conn, slug, "u.code, u.name"))
        assert got == expected, slug


def test_sha256_is_the_files(catalog_conn, boundary_settings):
    for slug, entry in SETS.items():
        path = resolve(entry["dataset"], boundary_settings)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        stored = rows(
            catalog_conn, "SELECT sha256 FROM boundary_set WHERE slug = %(s)s", {"s": slug}
        )
        assert stored == [(digest,)], slug
        assert digest == CATALOG["datasets"][entry["dataset"]]["sha256"]


def test_geometries_valid_multipolygons(catalog_conn):
    bad = rows(
        catalog_conn,
        """
        SELECT code, ST_IsValidReason(geom) FROM boundary_unit
        WHERE NOT ST_IsValid(geom) OR NOT ST_IsValid(geom_3857) OR ST_IsEmpty(geom)
           OR GeometryType(geom) <> 'MULTIPOLYGON' OR GeometryType(geom_3857) <> 'MULTIPOLYGON'
           OR ST_SRID(geom) <> 4326 OR ST_SRID(geom_3857) <> 3857
           OR NOT ST_Covers(geom, label_point) OR area_km2 <= 0""",
    )
    assert bad == []
    total = rows(catalog_conn, "SELECT count(*) FROM boundary_unit")[0][0]
    assert total == sum(EXPECTED_UNITS.values())


def test_quality_report_in_metadata(catalog_conn):
    for slug in SETS:
        quality = set_meta(catalog_conn, slug)["quality"]
        assert {"overlaps", "overlap_m2", "gaps", "gap_m2"} <= set(quality), slug
    q2019 = set_meta(catalog_conn, "hcmc-2019")["quality"]
    assert (q2019["overlaps"], q2019["gaps"]) == (0, 0)


def test_crosswalk_rows_and_partial_flags(catalog_conn, boundary_settings):
    counts = {
        (a, b): n
        for a, b, n in rows(
            catalog_conn,
            "SELECT from_version, to_version, count(*) FROM boundary_crosswalk GROUP BY 1, 2",
        )
    }
    assert counts == CROSSWALK_ROWS
    flag = rows(
        catalog_conn,
        "SELECT to_code, partial FROM boundary_crosswalk WHERE from_version ="
        " 'hcmc-2021' AND from_code = '26932'",
    )
    assert flag == [("26926", True)]  # Bình Thạnh Phường 06, split between Phường 5 and 7
    assert rows(
        catalog_conn,
        "SELECT partial FROM boundary_crosswalk WHERE from_version ="
        " 'hcmc-2021' AND from_code = '26734'",
    ) == [(False,)]
    src = csv("crosswalk_2025_03_to_2025_07", boundary_settings)
    # Huyện Côn Đảo had no communes: its row maps by the district code.
    old = src["old_ward_code"]
    src["from_code"] = old.mask(old == "", src["old_district_code"])
    expected = {
        (f, t): m == "partial"
        for f, t, m in zip(src["from_code"], src["new_ward_code"], src["merge_type"], strict=True)
    }
    got = {
        (f, t): p
        for f, t, p in rows(
            catalog_conn,
            "SELECT from_code, to_code, partial FROM boundary_crosswalk"
            " WHERE from_version = 'hcmc-2025-03' AND to_version = 'hcmc-2025-07'",
        )
    }
    assert got == expected
    assert sum(got.values()) == (src["merge_type"] == "partial").sum() > 0


def test_official_unit_lists(catalog_conn, boundary_settings):
    legacy = csv("legacy_units_2025_03", boundary_settings)
    expected = {
        "gso-2020-11-01": 322,
        "gso-2024-11-01": 312,
        "gso-2025-03-01": 273,
        "hcmc-2025-07": 168,
        "legacy-2025-03-79-74-77": int((legacy["wardCode"] != "").sum()),
    }
    assert expected["legacy-2025-03-79-74-77"] == 441
    got = {
        slug: (n, stored)
        for slug, n, stored in rows(
            catalog_conn,
            "SELECT l.slug, l.unit_count, (SELECT count(*) FROM admin_unit a"
            " WHERE a.list_id = l.id) FROM admin_unit_list l",
        )
    }
    assert got == {slug: (n, n) for slug, n in expected.items()}
    gso = csv("gso_hcmc_2025_03_01", boundary_settings)
    codes = {
        r[0]
        for r in rows(
            catalog_conn,
            "SELECT a.code FROM admin_unit a JOIN"
            " admin_unit_list l ON l.id = a.list_id"
            " WHERE l.slug = 'gso-2025-03-01'",
        )
    }
    assert codes == set(gso["ward_code"])


def _census_reach(settings) -> tuple[dict[str, int], dict[str, set[str]], set[str]]:
    """2019 populations, 2025-07 units each 2019 ward reached, 2025-07 units with outside land."""
    census = gpd.read_file(resolve("hcmc_wards_2019_322", settings))
    pop = dict(zip(census["ward_code"], census["pop_2019"].round().astype(int), strict=True))
    a = csv("crosswalk_2019_to_2021", settings)
    b = csv("crosswalk_2021_to_2025_03", settings)
    c = csv("crosswalk_2025_03_to_2025_07", settings)
    step1 = dict(zip(a["ward_code_2019"], a["ward_code_2021"], strict=True))
    step2 = dict(zip(b["ward_code_2024"], b["ward_code_2025_03"], strict=True))
    step3: dict[str, set[str]] = defaultdict(set)
    for old, new in zip(c["old_ward_code"], c["new_ward_code"], strict=True):
        step3[old].add(new)
    reach = {code: step3[step2[step1[code]]] for code in pop}
    outside = set(c.loc[c["old_province_code"] != "79", "new_ward_code"])
    return pop, reach, outside


def test_population_derived_for_2025(catalog_conn, boundary_settings):
    pop, reach, outside = _census_reach(boundary_settings)
    got = dict(units(catalog_conn, "hcmc-2025-07", "u.code, u.population"))
    fed = {t for ts in reach.values() for t in ts}
    assert len(got) == 168 and fed | outside == set(got)
    # Units made only of former Bình Dương / Bà Rịa–Vũng Tàu land (incl. Côn Đảo) have no figure.
    only_outside = outside - fed
    assert "26732" in only_outside and len(only_outside) == 66
    assert {c for c in only_outside if got[c] is not None} == set()
    stray = rows(
        catalog_conn,
        "SELECT count(*) FROM boundary_unit WHERE population IS NULL AND"
        " (population_year IS NOT NULL OR population_method IS NOT NULL)",
    )
    assert stray == [(0,)]
    assert all(got[c] is not None and got[c] > 0 for c in fed - outside)
    # Conservation: every 2019 resident lands in exactly one 2025 unit.
    census_total = sum(pop.values())
    assert census_total == 8_993_082
    derived = sum(v for v in got.values() if v is not None)
    assert abs(derived - census_total) <= len(got)
    # Units fed only by whole 2019 wards get their exact sum; split-fed ones lie in bounds.
    whole, split = defaultdict(int), defaultdict(int)
    for code, targets in reach.items():
        for t in targets:
            (whole if len(targets) == 1 else split)[t] += pop[code]
    for t in fed - outside:
        if split[t] == 0:
            assert got[t] == whole[t], t
        else:
            assert whole[t] <= got[t] <= whole[t] + split[t], t


def test_population_metadata(catalog_conn):
    meta = set_meta(catalog_conn, "hcmc-2025-07")["population"]
    assert meta["census_set"] == "hcmc-2019" and meta["census_year"] == 2019
    assert meta["chain"] == ["hcmc-2019", "hcmc-2021", "hcmc-2025-03", "hcmc-2025-07"]
    assert "crosswalk" in meta["method"]
    assert (meta["units_with_population"], meta["units_without_population"]) == (102, 66)
    total, year, methods = rows(
        catalog_conn,
        """
        SELECT sum(u.population), min(u.population_year), array_agg(DISTINCT u.population_method)
        FROM boundary_unit u JOIN boundary_set s ON s.id = u.set_id
        WHERE s.slug = 'hcmc-2025-07' AND u.population IS NOT NULL""",
    )[0]
    assert meta["population_total"] == total and year == 2019
    assert all(m.startswith("derived from hcmc-2019") for m in methods)


def test_census_population_from_source(catalog_conn, boundary_settings):
    census = gpd.read_file(resolve("hcmc_wards_2019_322", boundary_settings))
    expected = dict(zip(census["ward_code"], census["pop_2019"].round().astype(int), strict=True))
    got = dict(units(catalog_conn, "hcmc-2019", "u.code, u.population"))
    assert got == expected


def test_load_all_again_is_a_noop(db, boundary_settings):
    with psycopg.connect(db.url) as conn:
        first = load_all(conn, boundary_settings)
        assert [s["slug"] for s in first] == list(SETS)
        assert not any(s.get("skipped") for s in first)
        before = rows(conn, "SELECT slug, id, loaded_at FROM boundary_set ORDER BY slug")
        lists_before = rows(conn, "SELECT slug, id FROM admin_unit_list ORDER BY slug")
        messages: list[str] = []
        assert load_all(conn, boundary_settings, progress=messages.append) == [
            {"slug": s, "skipped": True} for s in SETS
        ]
        assert len(messages) == 3 + 5 + 5 and all("already loaded" in m for m in messages)
        assert rows(conn, "SELECT slug, id, loaded_at FROM boundary_set ORDER BY slug") == before
        assert rows(conn, "SELECT slug, id FROM admin_unit_list ORDER BY slug") == lists_before
        assert rows(conn, "SELECT count(*) FROM boundary_crosswalk")[0][0] == 322 + 312 + 493
