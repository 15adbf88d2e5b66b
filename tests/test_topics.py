"""Weekly topics per ward: a phrase planted in one ward's week comes out first, counted with
its accent-free spelling; steady wards, stopwords and addresses yield nothing; CLI and API."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import psycopg
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from unidecode import unidecode

from analytics.topics import TopicParams, log_odds_z, text_terms, weekly_topics
from analytics.windows import week_window
from gis_api.cli import app as cli
from gis_api.main import create_app
from gis_db.settings import DbSettings

WEEK = week_window("2025-W23")
BASELINE_WEEKS = 8
STREETS = ["Lê Lợi", "Nguyễn Trãi", "Điện Biên Phủ", "Cách Mạng Tháng Tám", "Võ Văn Kiệt"]
STEADY = [
    "Rác thải tồn đọng trên đường {street}, bốc mùi hôi, đề nghị thu gom.",
    "Đèn đường trong hẻm {n} đường {street} không sáng nhiều ngày, buổi tối rất tối.",
    "Quán nhậu trên đường {street} mở loa lớn đến khuya, gây ồn ào.",
    "Xe tải đậu trên đường {street} chắn lối đi, đề nghị xử lý.",
    "Cây xanh trên đường {street} bị nghiêng, có nguy cơ ngã đổ.",
    "Nước thải chảy tràn trên đường {street}, bốc mùi hôi thối.",
]
PLANTED = [
    "Cháy nổ trạm biến áp trên đường Lê Văn Sỹ, phường {n}, quận 3, người dân hoang mang.",
    "Cháy nổ đường dây điện trong hẻm {n} Lê Văn Sỹ, khói bốc cao.",
    "Liên tiếp cháy nổ tại kho hàng gần đường Lê Văn Sỹ, đề nghị kiểm tra an toàn.",
]
ADDRESS = {"duong", "phuong", "quan", "hem", "le van sy", "le", "van", "sy", "nguoi dan"}


def _texts(rng: np.random.Generator, templates: list[str], k: int, plain: float) -> list[str]:
    """k texts from the templates with random streets and numbers, a share without accents."""
    out = []
    for _ in range(k):
        text = templates[rng.integers(len(templates))].format(
            street=STREETS[rng.integers(len(STREETS))], n=int(rng.integers(1, 200))
        )
        out.append(unidecode(text) if rng.random() < plain else text)
    return out


def _weeks() -> list:
    """The baseline weeks, oldest first, then the reporting week."""
    weeks = [WEEK]
    for _ in range(BASELINE_WEEKS):
        weeks.insert(0, weeks[0].previous())
    return weeks


@pytest.fixture(scope="module")
def planted(catalog_clone):
    """Two wards: A with "cháy nổ" in 16 complaints of the week (9 typed without accents) and
    once in its baseline; B steady. Every week has 40 steady complaints per ward."""
    rng = np.random.default_rng(23)
    with catalog_clone() as db:
        with psycopg.connect(db.url) as conn:
            a, b = [r[0] for r in conn.execute(
                "SELECT u.code FROM boundary_unit AS u JOIN boundary_set AS s ON s.id = u.set_id "
                "WHERE s.level = 'ward' AND s.valid_to IS NULL ORDER BY u.code LIMIT 2"
            )]  # fmt: skip
            conn.execute(
                "INSERT INTO complaint_field (code, name, sort_order) VALUES "
                "('moi-truong', 'Môi trường', 1), ('dien', 'Điện', 2)"
            )
            rows = []  # (ward, received_at, field, text)
            for w, week in enumerate(_weeks()):
                last = week == WEEK
                for ward in (a, b):
                    for text in _texts(rng, STEADY, 40, plain=0.3):
                        rows.append((ward, week.start + timedelta(hours=rng.uniform(0, 167)),
                                     "moi-truong", text))  # fmt: skip
                planted = _texts(rng, PLANTED, 1, 0.0) if w == 3 else []
                if last:
                    planted = [*_texts(rng, PLANTED, 7, 0.0), *_texts(rng, PLANTED, 9, 1.0)]
                for text in planted:
                    rows.append((a, week.start + timedelta(hours=rng.uniform(1, 166)), "dien",
                                 text))  # fmt: skip
            rows.append((a, WEEK.start, "dien", PLANTED[0].format(n=5)))  # first instant: in
            rows.append((a, WEEK.end, "dien", PLANTED[1].format(n=6)))  # cut-off: next week
            for i, (ward, received, field, text) in enumerate(rows):
                conn.execute(
                    "INSERT INTO complaint (source, source_id, content_hash, batch_id, "
                    "received_at, field_code, channel, status, geocode_method, "
                    "geocode_confidence, description, current_ward_code) VALUES "
                    "('test', %s, %s, 1, %s, %s, 'app', 'received', 'none', 0, %s, %s)",
                    (str(i), i, received, field, text, ward),
                )
        yield db, a, b, rows


def _docs(rows, ward, in_week: bool) -> list[str]:
    start = WEEK.start if in_week else _weeks()[0].start
    end = WEEK.end if in_week else WEEK.start
    return [t for w, r, _, t in rows if w == ward and start <= r < end]


def test_the_planted_phrase_comes_out_first(planted):
    db, a, b, rows = planted
    with psycopg.connect(db.url) as conn:
        result = weekly_topics(conn, TopicParams(week="2025-W23"))
    wards = {w["code"]: w for w in result["wards"]}
    week, base = _docs(rows, a, True), _docs(rows, a, False)
    assert wards[a]["week_complaints"] == len(week) == 40 + 16 + 1
    assert wards[a]["baseline_complaints"] == len(base) == 8 * 40 + 1
    top = wards[a]["terms"][0]
    with_phrase = [t for t in week if "chay no" in unidecode(t).lower()]
    plain = [t for t in with_phrase if unidecode(t) == t]
    assert len(plain) >= 9  # accent-free complaints counted with the accented ones
    assert top["term"] == "cháy nổ" and top["key"] == "chay no"  # the accented spelling
    assert top["week"] == len(with_phrase) == 17
    assert top["baseline"] == sum("chay no" in unidecode(t).lower() for t in base) == 1
    assert top["week_share"] == round(top["week"] / len(week), 4)
    assert top["baseline_share"] == round(1 / len(base), 4)
    n1, n0 = len(week), len(base)
    assert top["score"] == round(float(log_odds_z(17, n1, 1, n0, (n1 + n0) / 9)), 2) > 3
    terms = [t["key"] for w in result["wards"] for t in w["terms"]]
    terms += [t["key"] for t in result["city"]["terms"]]
    assert not set(terms) & ADDRESS
    assert "chay" not in terms and "no" not in terms  # only inside the phrase: not repeated
    assert wards[b]["terms"] == []  # a steady ward has nothing rising
    assert result["city"]["week_complaints"] == 2 * 40 + 17
    assert result["city"]["terms"][0]["key"] == "chay no"


def test_filters_by_ward_and_field(planted):
    db, a, b, _ = planted
    with psycopg.connect(db.url) as conn:
        one = weekly_topics(conn, TopicParams(week="2025-W23", ward=a))
        steady = weekly_topics(conn, TopicParams(week="2025-W23", field="moi-truong"))
        empty = weekly_topics(conn, TopicParams(week="2020-W10"))
        with pytest.raises(ValueError, match="unknown field"):
            weekly_topics(conn, TopicParams(week="2025-W23", field="nope"))
        with pytest.raises(ValueError, match="unknown ward"):
            weekly_topics(conn, TopicParams(week="2025-W23", ward="99999"))
    assert [w["code"] for w in one["wards"]] == [a] and one["city"] is None
    assert one["wards"][0]["terms"][0]["key"] == "chay no"
    assert all(w["terms"] == [] for w in steady["wards"])
    assert empty["wards"] == [] and empty["city"] is None
    assert empty["baseline_start"] == week_window("2020-W02").start.isoformat()


def test_terms_of_a_text():
    accented = text_terms(
        "Ngập nước sâu trên đường Nguyễn Hữu Cảnh, phường 22, quận Bình Thạnh. Đề nghị xử lý!"
    )
    plain = text_terms("ngap nuoc sau tren duong Nguyen Huu Canh, phuong 22. De nghi xu ly!")
    assert accented["ngap nuoc"] == "ngập nước" and plain["ngap nuoc"] == "ngap nuoc"
    for terms in (accented, plain):
        assert not set(terms) & {"duong", "phuong", "quan", "de nghi", "xu ly", "nguyen huu canh"}
        assert not any(c.isdigit() for key in terms for c in key)
    assert set(plain) <= set(accented)


def test_z_is_calibrated_under_no_change():
    rng = np.random.default_rng(5)
    n1, n0, share = 120, 960, rng.uniform(0.02, 0.4, 20_000)
    z = log_odds_z(rng.binomial(n1, share), n1, rng.binomial(n0, share), n0, (n1 + n0) / 9)
    assert abs(z.mean()) < 0.05
    assert 0.005 < (z > 1.645).mean() <= 0.05  # the prior makes it a little conservative
    assert (z > 3.09).mean() <= 0.001
    assert log_odds_z(30, 120, 30, 120, 30) == 0
    assert log_odds_z(30, 120, 120, 960, 120) > log_odds_z(20, 120, 120, 960, 120) > 0


def test_topics_cli(planted):
    db, a, _, _ = planted
    env = {"DATABASE_URL": db.url}
    runner = CliRunner()
    table = runner.invoke(
        cli, ["analytics", "topics", "--week", "2025-W23"], env=env, terminal_width=200
    )
    assert table.exit_code == 0, table.output
    assert "cháy nổ" in table.output
    raw = runner.invoke(
        cli, ["analytics", "topics", "--week", "2025-W23", "--ward", a, "--json"], env=env
    )
    assert raw.exit_code == 0, raw.output
    assert json.loads(raw.output)["wards"][0]["terms"][0]["term"] == "cháy nổ"
    bad = runner.invoke(cli, ["analytics", "topics", "--week", "2025-W99"], env=env)
    assert bad.exit_code == 2 and "week 99" in bad.output


def test_topics_api(planted):
    db, a, _, _ = planted
    app = create_app(db=DbSettings(_env_file=None, database_url=db.url))
    with TestClient(app) as client:
        body = client.get("/analytics/topics", params={"week": "2025-W23", "ward": a}).json()
        assert body["wards"][0]["terms"][0]["term"] == "cháy nổ"
        bad = client.get("/analytics/topics", params={"week": "2025-W99"})
        assert bad.status_code == 400 and "week 99" in bad.json()["detail"]
        assert client.get("/analytics/topics").status_code == 400
        unknown = client.get("/analytics/topics", params={"week": "2025-W23", "ward": "x"})
        assert unknown.status_code == 400 and "ward" in unknown.json()["detail"]
