"""ETL validation: every quarantine reason and every flag, on small hand-made 1022 exports.

Each file is written by the test (phananh-1022 mapping: Vietnamese headers, day-first local
times) and loaded with `etl.ingest.ingest` into a real PostGIS database.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import psycopg
import pytest
import shapely
from pyproj import Transformer

from boundaries.data import resolve
from etl.demo import COLUMNS
from etl.ingest import ingest
from etl.mapping import read_mapping, resolve_mapping
from etl.validate import FLAGS, REASONS

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
MAPPING = read_mapping(resolve_mapping("phananh-1022"))
BASE = {
    "Mã phản ánh": "T-0000",
    "Thời gian tiếp nhận": "15/03/2024 08:30:00",
    "Lĩnh vực": "Giao thông",
    "Chuyên mục": "Ùn tắc giao thông",
    "Tiêu đề": "Kẹt xe giờ cao điểm",
    "Nội dung": "Ùn tắc kéo dài trên đường Nguyễn Huệ, đề nghị phân luồng.",
    "Địa chỉ": "",
    "Vĩ độ": "10.7769",
    "Kinh độ": "106.7009",
    "Kênh tiếp nhận": "Tổng đài 1022",
    "Mã đơn vị xử lý": "",
    "Đơn vị xử lý": "",
    "Cấp đơn vị": "",
    "Trạng thái": "Đã tiếp nhận",
    "Thời gian phân công": "",
    "Thời gian bắt đầu xử lý": "",
    "Thời gian hoàn thành": "",
    "Thời gian đóng": "",
    "Thời gian từ chối": "",
    "Mức độ hài lòng": "",
    "Họ tên người phản ánh": "Nguyễn Văn An",
    "Số điện thoại": "0901234567",
    "Email": "",
}
assert list(BASE) == COLUMNS


def row(source_id: str, **changes: str) -> dict[str, str]:
    """A valid export row with some columns changed (keys: column names, '_' for spaces)."""
    out = dict(BASE, **{"Mã phản ánh": source_id})
    for key, value in changes.items():
        column = key.replace("_", " ")
        assert column in out, column
        out[column] = value
    return out


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- Quarantine reasons ------------------------------------------------------------------------

# (row, expected reasons); one row per reason (several for reasons with several causes).
REASON_ROWS = [
    (row("Q-OK-1"), []),
    (
        row(
            "Q-OK-2",
            Trạng_thái="Đã xử lý",
            Thời_gian_phân_công="15/03/2024 09:00:00",
            Thời_gian_hoàn_thành="16/03/2024 10:00:00",
            Mức_độ_hài_lòng="Hài lòng",
        ),
        [],
    ),
    (row("Q-DATE-1", Thời_gian_tiếp_nhận="31/02/2024 25:61"), ["bad_date"]),
    (row("Q-DATE-2", Thời_gian_phân_công="không rõ"), ["bad_date"]),
    (row("Q-PAST", Thời_gian_tiếp_nhận="01/01/1999 08:00:00"), ["impossible_date"]),
    (row("Q-FUTURE", Thời_gian_tiếp_nhận="01/06/2026 08:00:00"), ["impossible_date"]),
    (
        row("Q-CLOSED", Trạng_thái="Đã xử lý", Thời_gian_hoàn_thành="14/03/2024 08:00:00"),
        ["closed_before_opened"],
    ),
    (
        row("Q-ASSIGNED", Trạng_thái="Đã phân công", Thời_gian_phân_công="15/03/2024 07:00:00"),
        ["timestamp_before_received"],
    ),
    (row("Q-FIELD", Lĩnh_vực="Lĩnh vực không tồn tại", Chuyên_mục=""), ["unknown_field"]),
    (row("Q-CATEGORY", Chuyên_mục="Chuyên mục lạ"), ["unknown_category"]),
    (row("Q-MISMATCH", Chuyên_mục="Ngập nước"), ["category_field_mismatch"]),
    (row("Q-STATUS", Trạng_thái="Chờ duyệt"), ["unknown_status"]),
    (row("Q-RATING-0", Mức_độ_hài_lòng="0"), ["bad_rating"]),
    (row("Q-RATING-6", Mức_độ_hài_lòng="6"), ["bad_rating"]),
    (row("Q-RATING-ABC", Mức_độ_hài_lòng="abc"), ["bad_rating"]),
    (row("Q-COORD-ABC", Vĩ_độ="abc"), ["bad_coordinates"]),
    (row("Q-COORD-HALF", Kinh_độ=""), ["bad_coordinates"]),
    (row("Q-RANGE", Vĩ_độ="1076.5"), ["coordinates_out_of_range"]),
    (row("Q-DUP", Nội_dung="Phiên bản thứ nhất"), ["conflicting_duplicate"]),
    (row("Q-DUP", Nội_dung="Phiên bản thứ hai, khác nội dung"), ["conflicting_duplicate"]),
    (row(""), ["missing_source_id"]),
    (row("Q-NO-TIME", Thời_gian_tiếp_nhận=""), ["missing_received_at"]),
]


@pytest.fixture
def quarantined(conn: psycopg.Connection, tmp_path: Path):
    path = write_csv(tmp_path / "reasons.csv", [r for r, _ in REASON_ROWS])
    result = ingest(conn, path, MAPPING, now=NOW)
    return conn, result


def test_every_reason_is_exercised():
    used = {reason for _, reasons in REASON_ROWS for reason in reasons}
    assert used == set(REASONS), f"untested reasons: {set(REASONS) - used}"


def test_each_row_quarantined_for_its_reason(quarantined):
    conn, result = quarantined
    expected = {n: reasons for n, (_, reasons) in enumerate(REASON_ROWS, start=1) if reasons}
    stored = {
        n: sorted(reasons)
        for n, reasons in conn.execute("SELECT row_number, reasons FROM quarantine")
    }
    assert stored == {n: sorted(r) for n, r in expected.items()}
    assert result.rows_in == len(REASON_ROWS)
    assert result.rows_quarantined == len(expected)
    assert result.rows_loaded == 2
    assert result.rows_in == result.rows_loaded + result.rows_quarantined
    assert result.reasons == dict(Counter(r for rs in expected.values() for r in rs))
    loaded = {r[0] for r in conn.execute("SELECT source_id FROM complaint")}
    assert loaded == {"Q-OK-1", "Q-OK-2"}


def test_quarantine_keeps_the_raw_row(quarantined):
    conn, result = quarantined
    rows = conn.execute(
        "SELECT row_number, source_id, raw, details, batch_id, source FROM quarantine"
    ).fetchall()
    assert rows
    for number, source_id, raw, details, batch_id, source in rows:
        original = REASON_ROWS[number - 1][0]
        assert raw == original  # the original column names and text, blanks as ''
        assert source_id == (original["Mã phản ánh"] or None)
        assert details and batch_id == result.batch_id and source == "hcmc-1022"
        for reason in REASON_ROWS[number - 1][1]:
            assert REASONS[reason] in details
    by_id = {r[1]: r[2] for r in rows}
    assert by_id["Q-RANGE"]["Vĩ độ"] == "1076.5"
    assert by_id["Q-DATE-1"]["Thời gian tiếp nhận"] == "31/02/2024 25:61"
    assert by_id["Q-RATING-ABC"]["Mức độ hài lòng"] == "abc"


def test_batch_ledger_done_with_counts(quarantined):
    conn, result = quarantined
    status, rows_in, loaded, quarantined_n, inserted, stats, error = conn.execute(
        "SELECT status, rows_in, rows_loaded, rows_quarantined, rows_inserted, stats, error "
        "FROM etl_batch WHERE id = %s",
        (result.batch_id,),
    ).fetchone()
    assert status == "done" and error is None
    assert (rows_in, loaded, quarantined_n, inserted) == (
        result.rows_in,
        result.rows_loaded,
        result.rows_quarantined,
        result.rows_inserted,
    )
    assert inserted == 2
    assert stats["reasons"] == result.reasons


def test_loaded_rows_typed(quarantined):
    conn, _ = quarantined
    status, satisfaction, resolved, due, received = conn.execute(
        "SELECT status, satisfaction, resolved_at, due_at, received_at "
        "FROM complaint WHERE source_id = 'Q-OK-2'"
    ).fetchone()
    assert (status, satisfaction) == ("resolved", 4)
    assert received == datetime(2024, 3, 15, 1, 30, tzinfo=UTC)  # 08:30 in Asia/Ho_Chi_Minh
    assert resolved == datetime(2024, 3, 16, 3, 0, tzinfo=UTC)
    assert (due - received).total_seconds() == 24 * 3600  # SLA of "Ùn tắc giao thông"


# --- Flags (on a database with the whole boundary catalog) -------------------------------------

PLACEHOLDER = ("10.762622", "106.660172")
HANOI = ("21.028511", "105.854167")
AUG = "15/08/2025 09:00:00"
UTM = "EPSG:32648"


def _snap_target(settings) -> tuple[float, float, str, float]:
    """A point 100 m north of the northernmost vertex of today's city; its nearest unit."""
    wards = gpd.read_file(resolve("hcmc_wards_2025_168", settings)).to_crs(UTM)
    coords = shapely.get_coordinates(wards.geometry.to_numpy())
    x, y = coords[np.argmax(coords[:, 1])]
    point = shapely.Point(x, y + 100.0)
    distances = wards.geometry.distance(point).to_numpy()
    order = np.argsort(distances)
    assert 99.0 < distances[order[0]] < 101.0
    assert distances[order[1]] > distances[order[0]] + 5.0  # one unit is clearly the nearest
    lon, lat = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True).transform(x, y + 100.0)
    return lat, lon, str(wards["ward_code"].iloc[order[0]]), float(distances[order[0]])


COMPLAINT_COLS = {
    "source_id": "source_id",
    "status": "status",
    "channel": "channel",
    "flags": "flags",
    "geocode_method": "geocode_method",
    "geocode_confidence": "geocode_confidence",
    "ward_set": "ward_set",
    "ward_code": "ward_code",
    "current_set": "current_set",
    "current_ward_code": "current_ward_code",
    "input_lat": "input_lat",
    "input_lon": "input_lon",
    "lat": "ST_Y(geom)",
    "lon": "ST_X(geom)",
    "h3_r10": "h3_r10",
}


@pytest.fixture(scope="module")
def flagged(catalog_clone, boundary_settings, tmp_path_factory):
    snap_lat, snap_lon, snap_code, _ = _snap_target(boundary_settings)
    rows = [
        row("F-OK", Thời_gian_tiếp_nhận=AUG),
        row("F-SWAP", Thời_gian_tiếp_nhận=AUG, Vĩ_độ="106.7009", Kinh_độ="10.7769"),
        row("F-SNAP", Thời_gian_tiếp_nhận=AUG, Vĩ_độ=f"{snap_lat:.7f}", Kinh_độ=f"{snap_lon:.7f}"),
        row("F-FAR", Thời_gian_tiếp_nhận=AUG, Vĩ_độ=HANOI[0], Kinh_độ=HANOI[1]),
        row(
            "F-FAR-ADDR",
            Thời_gian_tiếp_nhận=AUG,
            Vĩ_độ=HANOI[0],
            Kinh_độ=HANOI[1],
            Địa_chỉ="Phường Bến Nghé, Quận 1",
        ),
        row("F-NULL", Thời_gian_tiếp_nhận=AUG, Vĩ_độ="0", Kinh_độ="0"),
        row("F-EXACT", Thời_gian_tiếp_nhận=AUG),
        row("F-EXACT", Thời_gian_tiếp_nhận=AUG),
        row(
            "F-DERIVED-1",
            Thời_gian_tiếp_nhận=AUG,
            Trạng_thái="",
            Thời_gian_phân_công="15/08/2025 10:00:00",
        ),
        row("F-DERIVED-2", Thời_gian_tiếp_nhận=AUG, Trạng_thái=""),
        row("F-CHANNEL", Thời_gian_tiếp_nhận=AUG, Kênh_tiếp_nhận="Bồ câu đưa thư"),
    ]
    for i in range(25):  # a form's default point, 25 times: a placeholder
        address = "Phường Bến Nghé, Quận 1" if i % 2 else ""
        rows.append(
            row(
                f"F-PH-{i:02d}",
                Thời_gian_tiếp_nhận=AUG,
                Vĩ_độ=PLACEHOLDER[0],
                Kinh_độ=PLACEHOLDER[1],
                Địa_chỉ=address,
            )
        )
    path = write_csv(tmp_path_factory.mktemp("flags") / "flags.csv", rows)
    with catalog_clone() as db, psycopg.connect(db.url) as conn:
        result = ingest(conn, path, MAPPING, now=NOW)
        stored = {
            r[0]: dict(zip(COMPLAINT_COLS, r, strict=True))
            for r in conn.execute(
                f"SELECT {', '.join(COMPLAINT_COLS.values())} FROM complaint ORDER BY source_id"
            )
        }
        placeholders = conn.execute(
            "SELECT lat, lon, repeats, first_batch_id FROM placeholder_coordinate"
        ).fetchall()
        yield result, stored, placeholders, snap_code


def test_flags_all_known(flagged):
    result, stored, _, _ = flagged
    seen = {f for r in stored.values() for f in r["flags"]}
    assert seen <= set(FLAGS)
    assert result.rows_quarantined == 0
    assert result.rows_in == result.rows_loaded == 36
    assert result.rows_duplicate == 1
    assert set(result.flags) <= set(FLAGS)


def test_latlon_swapped_fixed_and_flagged(flagged):
    _, stored, _, _ = flagged
    ok, swapped = stored["F-OK"], stored["F-SWAP"]
    assert "latlon_swapped" in swapped["flags"] and "latlon_swapped" not in ok["flags"]
    assert (swapped["lat"], swapped["lon"]) == (10.7769, 106.7009)
    assert (swapped["input_lat"], swapped["input_lon"]) == (10.7769, 106.7009)
    assert swapped["geocode_method"] == ok["geocode_method"] == "coordinates"
    assert swapped["current_ward_code"] == ok["current_ward_code"] == "26740"  # Phường Sài Gòn
    assert swapped["ward_set"] == swapped["current_set"] == "hcmc-2025-07"


def test_placeholder_coordinate_ignored_address_used(flagged):
    result, stored, placeholders, _ = flagged
    assert placeholders == [(10.762622, 106.660172, 25, result.batch_id)]
    lat, lon = float(PLACEHOLDER[0]), float(PLACEHOLDER[1])
    rows = [stored[f"F-PH-{i:02d}"] for i in range(25)]
    for i, r in enumerate(rows):
        assert "placeholder_coordinate" in r["flags"], r
        assert (r["input_lat"], r["input_lon"]) == (lat, lon)  # kept as given
        assert (r["lat"], r["lon"]) != (lat, lon)
        if i % 2:  # with an address: geocoded from it
            assert r["geocode_method"] in ("address-ward", "address-street"), r
            assert r["current_ward_code"] == "26740", r
        else:
            assert r["lat"] is None and r["h3_r10"] is None, r
            assert r["geocode_method"] == "none" and r["current_ward_code"] is None, r
            assert "unlocated" in r["flags"]
    assert result.flags["placeholder_coordinate"] == 25


def test_point_just_outside_the_city_snaps(flagged):
    _, stored, _, snap_code = flagged
    r = stored["F-SNAP"]
    assert r["geocode_method"] == "snapped", r
    assert "snapped" in r["flags"] and "outside_coverage" not in r["flags"]
    assert r["current_ward_code"] == r["ward_code"] == snap_code
    assert r["current_set"] == r["ward_set"] == "hcmc-2025-07"
    assert 0 < r["geocode_confidence"] < 1


def test_far_point_outside_coverage(flagged):
    _, stored, _, _ = flagged
    far = stored["F-FAR"]
    assert far["geocode_method"] == "none"
    assert {"outside_coverage", "unlocated"} <= set(far["flags"])
    assert far["ward_code"] is None and far["current_ward_code"] is None
    assert "latlon_swapped" not in far["flags"]
    with_address = stored["F-FAR-ADDR"]
    assert with_address["geocode_method"] == "address-ward"  # the address is tried instead
    assert "outside_coverage" in with_address["flags"]
    assert with_address["current_ward_code"] == "26740"


def test_null_island_ignored(flagged):
    _, stored, _, _ = flagged
    r = stored["F-NULL"]
    assert "null_island" in r["flags"] and r["lat"] is None
    assert r["geocode_method"] == "none"
    assert (r["input_lat"], r["input_lon"]) == (0.0, 0.0)


def test_exact_duplicate_loaded_once(flagged):
    result, stored, _, _ = flagged
    assert "F-EXACT" in stored and result.rows_duplicate == 1
    assert result.rows_inserted == len(stored) == 35


def test_status_derived_when_blank(flagged):
    _, stored, _, _ = flagged
    assigned, received = stored["F-DERIVED-1"], stored["F-DERIVED-2"]
    assert assigned["status"] == "assigned" and "status_derived" in assigned["flags"]
    assert received["status"] == "received" and "status_derived" in received["flags"]
    assert "status_derived" not in stored["F-OK"]["flags"]


def test_unknown_channel_is_other(flagged):
    _, stored, _, _ = flagged
    r = stored["F-CHANNEL"]
    assert r["channel"] == "other" and "unknown_channel" in r["flags"]
    assert stored["F-OK"]["channel"] == "phone-1022"
