"""Weekly and monthly digests, new hotspots and overdue reminders on hand-built complaints
around the Friday 15:00 cut-off, and their SMS, HTML and JSON forms (CLI and API)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import h3
import numpy as np
import pandas as pd
import psycopg
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from analytics.digest import DigestParams, digest
from analytics.newspots import new_hotspots
from analytics.overdue import OverdueParams, overdue
from analytics.sms import LIMITS, units
from gis_api.cli import app as cli
from gis_api.main import create_app
from gis_db.settings import DbSettings

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CUT = datetime(2025, 6, 6, 15, 0, tzinfo=TZ)  # the cut-off of 2025-W23
START = CUT - timedelta(days=7)
D, H = timedelta(days=1), timedelta(hours=1)
TRAFFIC, DRAINAGE = "giao-thong", "ha-tang-do-thi"

# source id, unit, ward (0/1), field, received, due, resolved, rejected
CASES = [
    ("on-time", "A", 0, TRAFFIC, CUT - 5 * D, CUT - 2 * D, CUT - 3 * D, None),
    ("late", "A", 0, TRAFFIC, CUT - 5 * D, CUT - 4 * D, CUT - 3 * D, None),
    ("not-due", "A", 1, DRAINAGE, CUT - D, CUT + D, None, None),
    ("overdue", "B", 1, DRAINAGE, CUT - 6 * D, CUT - D, None, None),
    ("closed-after", "B", 0, TRAFFIC, CUT - 6 * D, CUT - D, CUT + H, None),
    ("rejected", "A", 0, TRAFFIC, CUT - 2 * D, CUT + 3 * D, None, CUT - D),
    ("at-start", "A", 0, DRAINAGE, START, START + 5 * D, START + D, None),
    ("at-end", "A", 0, TRAFFIC, CUT, CUT + 2 * D, None, None),
    ("prev", "A", 0, TRAFFIC, CUT - 10 * D, CUT - 8 * D, CUT - 9 * D, None),
    ("prev-open", "B", 1, DRAINAGE, CUT - 10 * D, CUT - 9 * D, None, None),
    ("old-overdue", "A", 1, DRAINAGE, CUT - 40 * D, CUT - 30 * D, None, None),
    ("old-closed", "A", 1, DRAINAGE, CUT - 40 * D, CUT - 30 * D, CUT - 35 * D, None),
]


def _judge(case: tuple, start: datetime, end: datetime) -> set[str]:
    """The buckets a case counts in for the window [start, end), judged at end (written out
    independently of the SQL)."""
    _, _, _, _, received, due, resolved, rejected = case
    out = set()
    if received >= end:
        return out
    done = resolved is not None and resolved <= end
    refused = rejected is not None and rejected <= end
    open_ = not done and not refused
    late = (resolved > due) if done else (due < end)
    if start <= received:
        out.add("received")
        if refused:
            out.add("rejected")
        elif done:
            out.add("closed_late" if late else "closed_on_time")
        else:
            out.add("open_overdue" if late else "open_not_due")
    if open_:
        out.add("backlog")
        if late:
            out.add("backlog_overdue")
    return out


def _expected(cases: list[tuple], start: datetime, end: datetime) -> dict[str, int]:
    keys = ("received", "closed_on_time", "closed_late", "open_not_due", "open_overdue",
            "rejected", "backlog", "backlog_overdue")  # fmt: skip
    counts = dict.fromkeys(keys, 0)
    for case in cases:
        for bucket in _judge(case, start, end):
            counts[bucket] += 1
    return counts


@pytest.fixture(scope="module")
def built(catalog_clone):
    """A catalog database with the hand-built complaints; yields (settings, ward codes)."""
    with catalog_clone() as db:
        with psycopg.connect(db.url) as conn:
            wards = [
                r[0]
                for r in conn.execute(
                    "SELECT u.code FROM boundary_unit AS u JOIN boundary_set AS s "
                    "ON s.id = u.set_id WHERE s.level = 'ward' AND s.valid_to IS NULL "
                    "ORDER BY u.code LIMIT 2"
                )
            ]
            conn.execute(
                "INSERT INTO handling_unit (code, name) VALUES ('A', 'Đơn vị A'), ('B', 'Đơn vị B')"
            )
            for i, (sid, unit, ward, field, received, due, resolved, rejected) in enumerate(CASES):
                _insert(conn, i, sid, unit, wards[ward], field, received, due, resolved,
                        rejected)  # fmt: skip
            # statuses as they were: 'overdue' went to processing before the cut-off,
            # 'prev-open' was assigned before it and went to processing after it
            conn.execute(
                "UPDATE complaint SET processing_at = %s WHERE source_id = 'overdue'",
                (CUT - 2 * D,),
            )
            conn.execute(
                "UPDATE complaint SET assigned_at = %s, processing_at = %s "
                "WHERE source_id = 'prev-open'",
                (CUT - 9 * D, CUT + D),
            )
        yield db, wards


def _insert(conn, i, sid, unit, ward, field, received, due, resolved, rejected, cell=None):
    status = "rejected" if rejected else "resolved" if resolved else "received"
    conn.execute(
        "INSERT INTO complaint (source, source_id, content_hash, batch_id, received_at, "
        "field_code, channel, handling_unit_code, status, due_at, resolved_at, rejected_at, "
        "current_ward_code, h3_r8, geocode_method, geocode_confidence) VALUES "
        "('test', %s, %s, 1, %s, %s, 'app', %s, %s, %s, %s, %s, %s, %s, 'none', 0)",
        (sid, i, received, field, unit, status, due, resolved, rejected, ward, cell),
    )


def test_weekly_figures_at_the_cut_off(built):
    db, wards = built
    with psycopg.connect(db.url) as conn:
        d = digest(conn, DigestParams(window="2025-W23", min_count=1))
    assert (d["start"], d["end"]) == (START.isoformat(), CUT.isoformat())
    prev_start = START - 7 * D
    city = d["city"]
    want = _expected(CASES, START, CUT)
    assert {k: city[k] for k in want} == want
    # the same by hand: 7 received (at-start in, at-end out), on time 2, late 1, not due 1,
    # overdue 2 (closed-after was still open), rejected 1; backlog adds prev-open, old-overdue
    assert want == {
        "received": 7, "closed_on_time": 2, "closed_late": 1, "open_not_due": 1,
        "open_overdue": 2, "rejected": 1, "backlog": 5, "backlog_overdue": 4,
    }  # fmt: skip
    assert city["on_time_rate"] == pytest.approx(2 / 5)
    assert city["received_previous"] == 2
    assert [(f["code"], f["received"]) for f in city["top_fields"]] == [(TRAFFIC, 4), (DRAINAGE, 3)]
    for scope, key, codes in (("unit", 1, ["A", "B"]), ("ward", 2, wards)):
        items = {i["code"]: i for i in d[f"{scope}s"]}
        assert sorted(items) == sorted(codes)
        for code in codes:
            mine = [c for c in CASES if (c[key] if scope == "unit" else wards[c[key]]) == code]
            want = _expected(mine, START, CUT)
            assert {k: items[code][k] for k in want} == want, (scope, code)
            assert (
                items[code]["received_previous"] == _expected(mine, prev_start, START)["received"]
            )
    units_ = {u["code"]: u for u in d["units"]}
    # A: 2 on time of 3 judged; B: 0 of 2 (both overdue) -> A first, this week and last
    assert (units_["A"]["rank"], units_["B"]["rank"]) == (1, 2)
    assert (units_["A"]["rank_previous"], units_["B"]["rank_previous"]) == (1, 2)
    assert units_["A"]["name"] == "Đơn vị A"


def test_units_below_the_minimum_are_not_ranked(built):
    db, _ = built
    with psycopg.connect(db.url) as conn:
        d = digest(conn, DigestParams(window="2025-W23", min_count=3, unit=["A", "B"]))
    assert {u["code"]: u["rank"] for u in d["units"]} == {"A": 1, "B": None}
    assert d["ranked_units"] == 1


def test_monthly_report_uses_the_25th_at_noon(built):
    db, _ = built
    with psycopg.connect(db.url) as conn:
        d = digest(conn, DigestParams(window="2025-06", kind="month"))
    start = datetime(2025, 5, 25, 12, tzinfo=TZ)
    end = datetime(2025, 6, 25, 12, tzinfo=TZ)
    assert d["label"] == "25/05 12:00 – 25/06/2025 12:00"
    want = _expected(CASES, start, end)
    assert {k: d["city"][k] for k in want} == want


def test_unknown_codes_and_windows_are_refused(built):
    db, _ = built
    with psycopg.connect(db.url) as conn:
        with pytest.raises(ValueError, match="unknown unit"):
            digest(conn, DigestParams(window="2025-W23", unit="NOPE"))
        with pytest.raises(ValueError, match="unknown field"):
            digest(conn, DigestParams(window="2025-W23", field="nope"))
        with pytest.raises(ValueError, match="no ISO week"):
            digest(conn, DigestParams(window="2025-W54"))


def test_overdue_lists_per_unit(built):
    db, wards = built
    with psycopg.connect(db.url) as conn:
        report = overdue(conn, OverdueParams(as_of=CUT))
        limited = overdue(conn, OverdueParams(as_of=CUT, unit="B", limit=1))
    # open and past due at the cut-off: B has prev-open, overdue, closed-after; A old-overdue
    got = [(u["code"], u["overdue"], [c["source_id"] for c in u["complaints"]])
           for u in report["units"]]  # fmt: skip
    assert got == [("B", 3, ["prev-open", "overdue", "closed-after"]), ("A", 1, ["old-overdue"])]
    assert report["total"] == 4
    b = {c["source_id"]: c for c in report["units"][0]["complaints"]}
    assert b["prev-open"]["status"] == "assigned"  # processing only after the cut-off
    assert b["overdue"]["status"] == "processing"
    assert b["closed-after"]["status"] == "received"
    assert b["prev-open"]["days_overdue"] == 9
    assert report["units"][1]["complaints"][0]["ward"] == wards[1]
    assert [len(u["complaints"]) for u in limited["units"]] == [1]
    assert limited["units"][0]["overdue"] == 3


def test_sms_html_and_json_through_the_api(built):
    db, _ = built
    app = create_app(db=DbSettings(_env_file=None, database_url=db.url))
    with TestClient(app) as client:
        body = client.get("/digest/weekly", params={"week": "2025-W23"}).json()
        assert body["city"]["received"] == 7
        sms = client.get("/digest/weekly", params={"week": "2025-W23", "format": "sms"}).json()
        (message,) = sms["messages"]
        assert "tiep nhan 7 (tuan truoc 2)" in message["text"]
        assert "ty le dung han 40,0%" in message["text"]
        assert message["encoding"] == "gsm7"
        assert all(n <= LIMITS["gsm7"][1] for n in message["lengths"])
        accented = client.get(
            "/digest/weekly",
            params={"week": "2025-W23", "format": "sms", "diacritics": "true", "unit": "A,B"},
        ).json()["messages"]
        assert [m["code"] for m in accented] == ["A", "B"]
        for m in accented:
            assert m["encoding"] == "ucs2" and "Tuần 2025-W23" in m["text"]
            assert all(units(s, "ucs2") <= LIMITS["ucs2"][1] for s in m["segments"])
        html = client.get("/digest/weekly", params={"week": "2025-W23", "format": "html"})
        assert html.headers["content-type"].startswith("text/html")
        assert "Tổng hợp phản ánh, kiến nghị – Tuần 2025-W23" in html.text
        assert "Đơn vị A" in html.text
        month = client.get("/digest/monthly", params={"month": "2025-06"}).json()
        assert month["kind"] == "month" and month["city"]["received"] == 10
        reminder = client.get("/digest/overdue", params={"week": "2025-W23"}).json()
        assert reminder["total"] == 4
        for params in (
            {"week": "2025-W99"},
            {"week": "2025-W23", "unit": "NOPE"},
            {"week": "2025-W23", "format": "pdf"},
            {"week": "2025-W23", "field": "nope"},
        ):
            response = client.get("/digest/weekly", params=params)
            assert response.status_code in (400, 422), params
            assert "detail" in response.json()
        bad = client.get("/digest/overdue", params={"week": "2025-W23", "as_of": CUT.isoformat()})
        assert bad.status_code == 400


def test_digest_commands(built, tmp_path):
    db, _ = built
    env = {"DATABASE_URL": db.url, "PHANANH_ANALYTICS_OUTBOX": str(tmp_path / "out")}
    runner = CliRunner()
    result = runner.invoke(cli, ["digest", "weekly", "--week", "2025-W23"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("[1/") and "tiep nhan 7" in result.output
    result = runner.invoke(
        cli, ["digest", "weekly", "--week", "2025-W23", "--format", "json"], env=env
    )
    assert json.loads(result.output)["city"]["received"] == 7
    result = runner.invoke(
        cli,
        ["digest", "monthly", "--month", "2025-06", "--each", "unit", "--format", "html",
         "--send", "file"],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["2025-06-unit-A.html", "2025-06-unit-A.txt", "2025-06-unit-B.html",
                       "2025-06-unit-B.txt"]  # fmt: skip
    result = runner.invoke(cli, ["digest", "overdue", "--week", "2025-W23"], env=env)
    assert result.exit_code == 0 and "Don vi B co 3 phan anh qua han" in result.output
    for args in (["weekly", "--week", "2025-W99"], ["weekly", "--unit", "NOPE"],
                 ["weekly", "--send", "smtp"], ["overdue", "--unit", "NOPE"]):  # fmt: skip
        result = runner.invoke(cli, ["digest", *args], env=env)
        assert result.exit_code == 2, (args, result.output)


def _cell(lat: float, lon: float) -> int:
    return int(np.uint64(h3.str_to_int(h3.latlng_to_cell(lat, lon, 8))).view(np.int64))


def test_new_hotspots_are_hot_now_and_never_before():
    rng = np.random.default_rng(3)
    base = h3.latlng_to_cell(10.78, 106.70, 8)
    area = np.sort([_cell(*h3.cell_to_latlng(c)) for c in h3.grid_disk(base, 12)])
    new, steady, few = area[100], area[300], area[200]
    rows = []
    for step in range(1, 6):
        for cell in rng.choice(area, 40, replace=False):  # background: one here and there
            rows.append((step, cell, TRAFFIC, 1))
        rows.append((step, steady, TRAFFIC, 30))  # hot every week: persistent, not new
    rows += [(5, new, TRAFFIC, 30), (5, few, DRAINAGE, 3), (5, new, DRAINAGE, 1)]
    counts = pd.DataFrame(rows, columns=["step", "cell", "field", "n"])
    found = new_hotspots(area, counts, steps=5, min_count=5)
    assert [(s.cell, s.field, s.n) for s in found] == [(int(new), TRAFFIC, 30)]
    assert found[0].level >= 2 and found[0].z > 3
    # with a lower minimum the isolated drainage cell (3 complaints, a field otherwise
    # empty) comes out too: it is the reason for the minimum
    low = new_hotspots(area, counts, steps=5, min_count=2, alpha=0.05)
    assert (int(few), DRAINAGE) in {(s.cell, s.field) for s in low}


def test_new_hotspots_in_the_digest(catalog_clone):
    with catalog_clone() as db, psycopg.connect(db.url) as conn:
        ward, lat, lon = conn.execute(
            "SELECT u.code, ST_Y(ST_PointOnSurface(u.geom)), ST_X(ST_PointOnSurface(u.geom)) "
            "FROM boundary_unit AS u JOIN boundary_set AS s ON s.id = u.set_id "
            "WHERE s.level = 'ward' AND s.valid_to IS NULL ORDER BY u.code LIMIT 1"
        ).fetchone()
        conn.execute("INSERT INTO handling_unit (code, name) VALUES ('A', 'Đơn vị A')")
        spot = _cell(lat, lon)
        rng = np.random.default_rng(5)
        ring = [_cell(*h3.cell_to_latlng(c)) for c in h3.grid_disk(h3.int_to_str(
            int(np.int64(spot).view(np.uint64))), 6)]  # fmt: skip
        i = 0
        for week in range(5):
            for cell in rng.choice(ring, 20):
                at = START - (4 - week) * 7 * D + 2 * D
                _insert(conn, i, f"bg-{i}", "A", ward, DRAINAGE, at, at + D, None, None, cell)
                i += 1
        for _ in range(25):  # a flood of complaints in one cell, this week only
            at = CUT - 2 * D
            _insert(conn, i, f"spot-{i}", "A", ward, DRAINAGE, at, at + D, None, None, spot)
            i += 1
        conn.commit()
        d = digest(conn, DigestParams(window="2025-W23"))
    spots = d["city"]["new_hotspots"]
    assert [(s["h3"], s["field"], s["ward"]) for s in spots][:1] == [
        (format(spot & (2**64 - 1), "x"), DRAINAGE, ward)
    ]
    assert spots[0]["n"] >= 25
    assert d["units"][0]["new_hotspots"] == spots
    assert {s["h3"] for s in d["wards"][0]["new_hotspots"]} == {s["h3"] for s in spots}
