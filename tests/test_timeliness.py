"""The four-way timeliness split at a cut-off, on hand-built complaints."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from fastapi.testclient import TestClient

from analytics.timeliness import TimelinessParams, on_time_rate, timeliness
from gis_api.main import create_app
from gis_db.settings import DbSettings

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CUT = datetime(2025, 6, 6, 15, 0, tzinfo=TZ)  # a Friday 15:00, the digest's cut-off
DAY = timedelta(days=1)

# (source id, unit, received, due, resolved, closed, rejected) -> expected bucket at CUT
CASES = [
    ("on-time", "A", CUT - 5 * DAY, CUT - 2 * DAY, CUT - 3 * DAY, None, None, "closed_on_time"),
    ("on-due", "A", CUT - 5 * DAY, CUT - 2 * DAY, CUT - 2 * DAY, None, None, "closed_on_time"),
    ("late", "A", CUT - 5 * DAY, CUT - 4 * DAY, CUT - 3 * DAY, None, None, "closed_late"),
    ("closed-only", "A", CUT - 5 * DAY, CUT - 4 * DAY, None, CUT - DAY, None, "closed_late"),
    ("not-due", "A", CUT - DAY, CUT + DAY, None, None, None, "open_not_due"),
    ("overdue", "A", CUT - 5 * DAY, CUT - DAY, None, None, None, "open_overdue"),
    # closed after the cut-off: open at the cut-off, judged by its due time
    ("later-late", "A", CUT - 5 * DAY, CUT - DAY, CUT + DAY, None, None, "open_overdue"),
    ("later-ok", "A", CUT - DAY, CUT + 2 * DAY, CUT + DAY, None, None, "open_not_due"),
    ("rejected", "A", CUT - 5 * DAY, CUT - DAY, None, None, CUT - 2 * DAY, "rejected"),
    ("no-due", "A", CUT - 5 * DAY, None, None, None, None, "open_not_due"),
    ("after-cut", "A", CUT + DAY, CUT + 2 * DAY, None, None, None, None),  # not received yet
    ("b-late", "B", CUT - 9 * DAY, CUT - 8 * DAY, CUT - 7 * DAY, None, None, "closed_late"),
]
BUCKETS = ("closed_on_time", "closed_late", "open_not_due", "open_overdue", "rejected")


@pytest.fixture
def hand_built(db):
    with psycopg.connect(db.url) as conn:
        conn.execute(
            "INSERT INTO handling_unit (code, name) VALUES ('A', 'Đơn vị A'), ('B', 'Đơn vị B')"
        )
        for i, (sid, unit, received, due, resolved, closed, rejected, _) in enumerate(CASES):
            status = "rejected" if rejected else "resolved" if resolved or closed else "received"
            conn.execute(
                "INSERT INTO complaint (source, source_id, content_hash, batch_id, received_at, "
                "field_code, channel, handling_unit_code, status, due_at, resolved_at, closed_at, "
                "rejected_at, geocode_method, geocode_confidence) VALUES "
                "('test', %s, %s, 1, %s, 'giao-thong', 'app', %s, %s, %s, %s, %s, %s, 'none', 0)",
                (sid, i, received, unit, status, due, resolved, closed, rejected),
            )
    return db


def test_four_way_split_at_the_cut_off(hand_built):
    with psycopg.connect(hand_built.url) as conn:
        result = timeliness(conn, TimelinessParams(by="unit", as_of=CUT, min_count=1))
    groups = {g["code"]: g for g in result["groups"]}
    for unit in ("A", "B"):
        want = {b: 0 for b in BUCKETS}
        for case in CASES:
            if case[1] == unit and case[-1] is not None:
                want[case[-1]] += 1
        got = {b: groups[unit][b] for b in BUCKETS}
        assert got == want, unit
        assert groups[unit]["received"] == sum(want.values())
    a = groups["A"]
    assert a["on_time_rate"] == pytest.approx(2 / (2 + 2 + 2))
    assert a["on_time_rate"] == on_time_rate(2, 2, 2)
    # median days to close over the 4 closed by the cut-off: 2, 3, 2, 4 days -> 2.5
    assert a["median_days_to_close"] == pytest.approx(2.5)
    assert a["name"] == "Đơn vị A"


def test_small_units_are_not_ranked(hand_built):
    with psycopg.connect(hand_built.url) as conn:
        ranked = timeliness(conn, TimelinessParams(as_of=CUT, min_count=2))
        alone = timeliness(conn, TimelinessParams(as_of=CUT, min_count=1))
    by_code = {g["code"]: g["rank"] for g in ranked["groups"]}
    assert by_code == {"A": 1, "B": None}  # B has one judged complaint, below the minimum
    assert {g["code"]: g["rank"] for g in alone["groups"]} == {"A": 1, "B": 2}


def test_timeliness_api(hand_built):
    app = create_app(db=DbSettings(_env_file=None, database_url=hand_built.url))
    with TestClient(app) as client:
        body = client.get(
            "/analytics/timeliness", params={"as_of": CUT.isoformat(), "min_count": 1}
        ).json()
        assert {g["code"] for g in body["groups"]} == {"A", "B"}
        assert client.get("/analytics/timeliness", params={"by": "team"}).status_code == 400
        naive = client.get("/analytics/timeliness", params={"as_of": "2025-06-06T15:00"})
        assert naive.status_code == 400 and "zone" in naive.json()["detail"]
