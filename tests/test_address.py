"""Address normalisation and geocoding, and the labelled evaluation set.

The evaluation labels in fixtures/geocode_eval.csv were derived from the official lists and
crosswalk files (and, for street rows, a shapely check on the source GeoJSON), not from the
geocoder. Outcomes: resolved (expected_code = the hcmc-2025-07 unit), split (an old ward divided
in 2025: candidates, never a confident answer), ambiguous (several units fit), unresolved.
"""

from __future__ import annotations

import csv
import json
import random
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import psycopg
import pytest
import typer
from typer.testing import CliRunner

from etl.address import AddressGeocoder, parse
from etl.address.cli import geocode_command
from etl.address.normalize import CITY, DISTRICT, PROVINCE, STREET, TEXT, WARD, fold, unit_key

EVAL = Path(__file__).parent / "fixtures" / "geocode_eval.csv"
runner = CliRunner()


def kinds(text: str) -> list[tuple[str, str]]:
    return [(c.kind, c.key) for c in parse(text).components]


def ward_district(text: str) -> tuple[str | None, str | None]:
    parsed = parse(text)
    ward = next((c.key for c in parsed.components if c.kind == WARD), None)
    district = next((c.key for c in parsed.components if c.kind == DISTRICT), None)
    return ward, district


# --- normalisation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Phường 7", "P7", "P.7", "P. 7", "F7", "F.7", "f 7", "P.07", "phuong 07", "PHƯỜNG 07",
     "Ph. 7", "Ph.07", "phường7", "Ward 7"],
)  # fmt: skip
def test_ward_number_spellings(text):
    assert kinds(text) == [(WARD, "7")]


@pytest.mark.parametrize(
    "text", ["Quận 1", "Q1", "Q.1", "Q. 1", "Q.01", "quan 01", "quận1", "District 1", "Dist. 1"]
)
def test_district_number_spellings(text):
    assert kinds(text) == [(DISTRICT, "1")]


@pytest.mark.parametrize(
    ("text", "kind", "key", "unit_type"),
    [
        ("H. Bình Chánh", DISTRICT, "binhchanh", "huyen"),
        ("Huyện Củ Chi", DISTRICT, "cuchi", "huyen"),
        ("TX Thuận An", DISTRICT, "thuanan", "thi xa"),
        ("TP Thủ Đức", DISTRICT, "thuduc", "thanh pho"),
        ("TP. Thủ Đức", DISTRICT, "thuduc", "thanh pho"),
        ("Thành phố Thủ Đức", DISTRICT, "thuduc", "thanh pho"),
        ("Q.BT", DISTRICT, "binhthanh", "quan"),
        ("Q. Gò Vấp", DISTRICT, "govap", "quan"),
        ("Binh Thanh District", DISTRICT, "binhthanh", "quan"),
        ("TT Củ Chi", WARD, "cuchi", "thi tran"),
        ("Thị trấn Tân Túc", WARD, "tantuc", "thi tran"),
        ("X. Tân Nhựt", WARD, "tannhut", "xa"),
        ("Xã Bình Chánh", WARD, "binhchanh", "xa"),
        ("P.Bến Nghé", WARD, "bennghe", "phuong"),
        ("Ph. Bến Nghé", WARD, "bennghe", "phuong"),
        ("Tan Dinh Ward", WARD, "tandinh", "phuong"),
        ("Đặc khu Côn Đảo", WARD, "condao", "dac khu"),
    ],
)
def test_unit_abbreviations(text, kind, key, unit_type):
    (component,) = parse(text).components
    assert (component.kind, component.key, component.unit_type) == (kind, key, unit_type)


@pytest.mark.parametrize(
    "text",
    ["TPHCM", "TP.HCM", "TP. HCM", "tp hcm", "TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh",
     "Hồ Chí Minh", "HCM", "HCMC", "Sài Gòn", "Saigon", "SAI GON", "Ho Chi Minh City"],
)  # fmt: skip
def test_city_spellings(text):
    assert kinds(text) == [(CITY, "hcm")]


def test_thu_duc_city_is_a_district_not_the_city():
    assert kinds("Phường Linh Trung, TP Thủ Đức, TP HCM") == [
        (WARD, "linhtrung"),
        (DISTRICT, "thuduc"),
        (CITY, "hcm"),
    ]
    assert kinds("Phường Sài Gòn, TP Hồ Chí Minh") == [(WARD, "saigon"), (CITY, "hcm")]


def test_diacritics_case_and_unicode_forms_fold_alike():
    variants = [
        "Phường Bến Nghé, Quận 1",
        "phuong ben nghe, quan 1",
        "PHƯỜNG BẾN NGHÉ, QUẬN 1",
        unicodedata.normalize("NFD", "Phường Bến Nghé, Quận 1"),
        "  phường   bến   nghé ,, quận 1 ;  ",
    ]
    assert {tuple(kinds(v)) for v in variants} == {((WARD, "bennghe"), (DISTRICT, "1"))}
    assert fold("Đường Đồng Khởi") == "duong dong khoi"
    assert unit_key("Hoà Hưng") == unit_key("Hòa Hưng") == "hoahung"


def test_components_without_commas_are_split_at_unit_markers():
    assert ward_district("123 nguyen trai p2 q5 tphcm") == ("2", "5")
    assert ward_district("Phường Bến Nghé Quận 1 Hồ Chí Minh Việt Nam") == ("bennghe", "1")
    assert ward_district("F.07-Q.Gò Vấp") == ("7", "govap")
    assert ward_district("P.Tân Định.Q.1") == ("tandinh", "1")
    assert ward_district("Ward 7 District 3 Ho Chi Minh City") == ("7", "3")
    # name words that look like markers are not cut: Lạc Long Quân, Bà Huyện Thanh Quan
    assert kinds("Lạc Long Quân P.10 Q.11")[1:] == [(WARD, "10"), (DISTRICT, "11")]
    assert kinds("Bà Huyện Thanh Quan, Q3")[0][0] == TEXT


def test_house_numbers_alleys_and_numbered_streets():
    street = parse("123/4 Nguyễn Trãi, P.2, Q5").street
    assert (street.key, street.house, street.alleys) == ("nguyen trai", "123/4", ("123",))
    alley = parse("Hẻm 45/12 Tôn Đản, P10, Q4").street
    assert (alley.key, alley.alleys) == ("ton dan", ("45/12", "45"))
    assert parse("122/27/16/3 Tôn Đản").street.alleys == ("122/27/16", "122/27", "122")
    assert parse("đường số 7, P. Tân Quy, Q.7").street.key == "so 7"
    assert parse("Số 12 đường Nguyễn Huệ").street.keys == ("duong nguyen hue", "nguyen hue")
    assert parse("Xa lộ Hà Nội, P. Hiệp Phú")  # not a commune 'lo ha noi'
    assert kinds("Xa lộ Hà Nội, P. Hiệp Phú")[0][0] == TEXT
    assert kinds("123 tinh lo 10, binh tri dong")[0] == (STREET, "tinh lo 10")


def test_sub_ward_parts_and_country_are_dropped():
    assert kinds("KP3, P. Linh Trung, TP. Thủ Đức, Việt Nam") == [
        (WARD, "linhtrung"),
        (DISTRICT, "thuduc"),
    ]
    assert kinds("Ấp 3, xã Tân Nhựt")[-1] == (WARD, "tannhut")


def test_provinces():
    assert kinds("Phường Phú Cường, TP Thủ Dầu Một, Bình Dương")[-1] == (PROVINCE, "binhduong")
    assert kinds("Bà Rịa - Vũng Tàu") == [(PROVINCE, "bariavungtau")]
    assert kinds("12 Lê Lợi, Hà Nội")[-1] == (PROVINCE, "hanoi")


@pytest.mark.parametrize("text", ["", None, "   ", "0909123456", "không rõ", "abc", "???"])
def test_junk_has_no_unit(text):
    assert not any(c.kind in (WARD, DISTRICT) for c in parse(text).components)


# --- geocoding ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def geocoder(catalog_db) -> AddressGeocoder:
    """One geocoder over the catalog database (loading takes a few seconds)."""
    with psycopg.connect(catalog_db.url) as conn:
        return AddressGeocoder.from_connection(conn)


def test_from_catalog_conn(catalog_conn):
    match = AddressGeocoder.from_connection(catalog_conn).geocode("P.Tân Định, Q1")
    assert (match.current_set, match.current_code) == ("hcmc-2025-07", "26737")


def test_old_names_resolve_on_the_date_and_today(geocoder):
    before = geocoder.geocode("Phường 7, Quận 3", date(2020, 5, 1))
    assert (before.ward_set, before.ward_code) == ("hcmc-2019", "27124")
    assert before.ward_name == "Phường 07"
    assert (before.current_code, before.current_name) == ("27139", "Phường Xuân Hòa")
    later = geocoder.geocode("Phường 7, Quận 3", date(2023, 5, 1))
    assert (later.ward_set, later.ward_code, later.ward_name) == (
        "hcmc-2021",
        "27139",
        "Phường Võ Thị Sáu",
    )
    assert later.method == "address-ward" and later.confidence == 0.95


def test_codes_kept_and_renamed_are_matched_by_code(geocoder):
    # Quận 4: the new Phường 9 (2025) keeps the code 27265 of the old Phường 6.
    assert geocoder.geocode("Phường 9, Quận 4", date(2022, 1, 1)).ward_code == "27262"
    assert geocoder.geocode("Phường 9, Quận 4", date(2025, 2, 1)).ward_code == "27265"
    assert geocoder.geocode("Phường 6, Quận 4", date(2022, 1, 1)).ward_code == "27265"
    assert geocoder.geocode("Phường 6, Quận 4", date(2025, 2, 1)).ward_code == "27265"


def test_2025_names_match_without_district(geocoder):
    match = geocoder.geocode("Phường Sài Gòn, TP Hồ Chí Minh", date(2025, 9, 1))
    assert (match.ward_set, match.ward_code, match.current_code) == (
        "hcmc-2025-07",
        "26740",
        "26740",
    )
    assert match.confident and match.candidates == ()
    assert geocoder.geocode("Phường Bình Thạnh, TPHCM").current_code == "26929"
    assert geocoder.geocode("Đặc khu Côn Đảo").current_code == "26732"


def test_today_by_default(geocoder):
    assert geocoder.geocode("Phường Sài Gòn").ward_set == "hcmc-2025-07"


def test_ambiguous_ward_is_never_guessed(geocoder):
    match = geocoder.geocode("Phường 7", date(2023, 5, 1))
    assert match.method == "none" and match.current_code is None and match.ward_code is None
    assert len(match.candidates) > 5 and match.confidence < 0.8
    assert "give the district" in match.reason
    district_only = geocoder.geocode("Quận 1, TP.HCM")
    assert district_only.outcome == "ambiguous" and "26740" in district_only.candidates


def test_split_ward_gives_candidates(geocoder):
    match = geocoder.geocode("Phường Đa Kao, Quận 1", date(2024, 3, 3))
    assert (match.method, match.confidence, match.outcome) == ("address-ward", 0.6, "split")
    assert match.ward_code == "26737" and match.current_code is None
    assert match.candidates == ("26737", "26740") and match.reason.startswith("split")


def test_split_in_2025_january_is_not_decidable_for_that_version(geocoder):
    # Gò Vấp Phường 13 was divided between Phường 14 and Phường 15 on 2025-01-01.
    match = geocoder.geocode("Phường 13, Gò Vấp", date(2025, 2, 1))
    assert (match.ward_set, match.ward_code) == ("hcmc-2025-03", None)
    assert match.outcome == "split" and set(match.candidates) == {"26878", "26882"}


def test_a_street_decides_a_split_ward(geocoder):
    match = geocoder.geocode("25 Nguyễn Thái Bình, P. Nguyễn Thái Bình, Q.1", date(2023, 6, 1))
    assert (match.method, match.current_code, match.ward_code) == (
        "address-street",
        "26743",
        "26746",
    )
    assert match.confident and match.lat is not None and match.lon is not None
    boundary_street = geocoder.geocode("120 Võ Văn Kiệt, P.Nguyễn Thái Bình, Q1")
    assert boundary_street.outcome == "split"


def test_alley_from_house_number_places_a_point(geocoder):
    match = geocoder.geocode("154/3 Nguyễn Biểu, Phường 2, Quận 5", date(2022, 2, 2))
    assert match.method == "address-street" and match.current_code == "27301"
    assert 10.75 < match.lat < 10.76 and 106.68 < match.lon < 106.69


def test_street_alone_is_not_enough(geocoder):
    match = geocoder.geocode("12 Nguyễn Huệ, TP.HCM")
    assert match.method == "none" and match.current_code is None


def test_diacritics_tell_names_apart(geocoder):
    assert geocoder.geocode("Xã Thạnh An").current_code == "27676"
    assert geocoder.geocode("Xã Thanh An, TP.HCM").current_code == "25807"
    assert geocoder.geocode("Xa Thanh An").outcome == "ambiguous"


def test_merged_provinces(geocoder):
    match = geocoder.geocode("Phường Phú Cường, Thủ Dầu Một, Bình Dương", date(2024, 6, 6))
    assert (match.ward_set, match.ward_code, match.current_code) == ("hcmc-2021", None, "25747")
    assert geocoder.geocode("Huyện Côn Đảo, Bà Rịa - Vũng Tàu").current_code == "26732"


@pytest.mark.parametrize(
    "text",
    ["", None, "không rõ", "abc", "0909123456", "N/A", "12 Lê Lợi, Quận Hoàn Kiếm, Hà Nội",
     "Phường Xyz, Quận 1", "TP.HCM"],
)  # fmt: skip
def test_junk_is_unresolved(geocoder, text):
    match = geocoder.geocode(text)
    assert (match.method, match.confidence, match.current_code) == ("none", 0.0, None)
    assert match.candidates == () and match.reason


def test_contradictions_are_not_answered(geocoder):
    match = geocoder.geocode("Phường Sài Gòn, Quận 7")
    assert match.outcome == "ambiguous" and match.reason.startswith("contradiction")


def test_arbitrary_input_never_raises(geocoder):
    rng = random.Random(7)
    alphabet = "abcdpqfhx0123456789/,.-–;|  ăâđêôơưàáảãạĐ\u0300\u0323\u00a0😀中"
    words = "p q f tp phuong quan hem so duong 1 07 kp ben tinh xa ward district hcm br-vt /1/"
    words = [*words.split(), "ben nghe", "thu duc"]
    for i in range(3000):
        if i % 2:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        else:
            text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        match = geocoder.geocode(text)
        assert match.outcome in {"resolved", "split", "ambiguous", "unresolved"}
    assert geocoder.geocode(float("nan")).method == "none"  # a missing value from pandas


def test_geocode_many_aligns_dates_and_caches(geocoder):
    texts = ["Phường 7, Quận 3", "Phường 7, Quận 3", None]
    days = [date(2020, 1, 1), None, None]
    first, second, third = geocoder.geocode_many(texts, days)
    assert (first.ward_set, second.ward_set, third.method) == ("hcmc-2019", "hcmc-2025-07", "none")
    assert geocoder.geocode("Phường 7, Quận 3", date(2020, 1, 1)) is first
    with pytest.raises(ValueError, match="dates"):
        geocoder.geocode_many(["a", "b"], [None])


# --- the evaluation set -------------------------------------------------------------------


def evaluation_rows() -> list[dict]:
    with EVAL.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_evaluation_set_is_big_and_varied():
    rows = evaluation_rows()
    assert len(rows) >= 550
    assert sum(r["style"] == "hand-written" for r in rows) >= 80
    outcomes = Counter(r["expected_outcome"] for r in rows)
    assert set(outcomes) == {"resolved", "ambiguous", "split", "unresolved"}
    assert all(bool(r["expected_code"]) == (r["expected_outcome"] == "resolved") for r in rows)


def test_evaluation(geocoder):
    rows = evaluation_rows()
    confident = right = wrong = 0
    expected_resolved = covered = 0
    agree = Counter()
    ambiguous_confident = []
    for row in rows:
        day = date.fromisoformat(row["date"]) if row["date"] else None
        match = geocoder.geocode(row["address"], day)
        expected = row["expected_outcome"]
        expected_resolved += expected == "resolved"
        agree[(expected, match.outcome)] += 1
        if match.confident:
            confident += 1
            if expected == "resolved" and match.current_code == row["expected_code"]:
                right += 1
                covered += 1
            else:
                wrong += 1
                if expected != "resolved":
                    ambiguous_confident.append(row["address"])
    precision = right / confident
    coverage = covered / expected_resolved
    same_outcome = sum(n for (e, g), n in agree.items() if e == g) / len(rows)
    expected_counts = dict(Counter(r["expected_outcome"] for r in rows))
    print(
        f"\nevaluation: {len(rows)} rows; expected {expected_counts}"
        f"\n  confident answers {confident}, right {right}, confident wrong {wrong}"
        f"\n  precision {precision:.4f}, coverage {coverage:.4f}, same outcome {same_outcome:.4f}"
        f"\n  outcomes (expected, got): {dict(agree)}"
    )
    assert wrong == 0
    assert not ambiguous_confident
    assert precision >= 0.98
    assert coverage >= 0.9
    assert same_outcome >= 0.9


# --- command line -------------------------------------------------------------------------


def cli_app() -> typer.Typer:
    app = typer.Typer()
    app.command("geocode")(geocode_command)
    app.command("other")(lambda: None)  # keep 'geocode' a subcommand
    return app


def run_cli(catalog_db, *args: str):
    return runner.invoke(cli_app(), ["geocode", *args], env={"DATABASE_URL": catalog_db.url})


def test_cli_single_address_json(catalog_db):
    result = run_cli(catalog_db, "Phường 7, Quận 3", "--date", "2020-05-01", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["ward_code"], payload["current_code"]) == ("27124", "27139")
    assert payload["date"] == "2020-05-01"


def test_cli_single_address_rich(catalog_db):
    result = run_cli(catalog_db, "12 Nguyễn Huệ, P. Bến Nghé, Q.1")
    assert result.exit_code == 0, result.output
    assert "Phường Sài Gòn" in result.stdout and "address-street" in result.stdout


def test_cli_batch(catalog_db, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "id,dia_chi,ngay\n"
        '1,"12 Nguyễn Huệ, P. Bến Nghé, Q.1",2022-01-05\n'
        "2,Phường 7,\n"
        "3,không rõ,not-a-date\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = run_cli(
        catalog_db, "--input", str(source), "--column", "dia_chi", "--date-column", "ngay",
        "--output", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert (rows[0]["ward_code"], rows[0]["boundary_set"], rows[0]["method"]) == (
        "26740",
        "hcmc-2021",
        "address-street",
    )
    assert rows[1]["ward_code"] == "" and len(rows[1]["candidates"].split(";")) > 5
    assert rows[2]["method"] == "none" and rows[2]["confidence"] == "0.00"
    assert "3 rows" in result.stderr and "unreadable date" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--input", "/nonexistent/in.csv"),
        ("--input", "{empty}"),
        ("--input", "{csv}", "--column", "missing"),
        ("--input", "{csv}", "--date-column", "missing"),
        (),
        ("x", "--input", "{csv}"),
    ],
)
def test_cli_bad_input_is_one_clear_line(catalog_db, tmp_path, args):
    good = tmp_path / "good.csv"
    good.write_text("address\nPhường 7, Quận 3\n", encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    args = [a.format(csv=good, empty=empty) for a in args]
    result = run_cli(catalog_db, *args)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr


def test_cli_unreachable_database(tmp_path):
    result = runner.invoke(
        cli_app(), ["geocode", "P7 Q3"], env={"DATABASE_URL": "postgresql://x@127.0.0.1:1/x"}
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
