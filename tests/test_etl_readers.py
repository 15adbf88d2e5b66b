"""Readers: one small export written in every supported format gives identical model rows.

CSV (UTF-8, UTF-8 with BOM, Windows-1258 declared or detected, semicolons with decimal commas),
XLSX with typed cells, JSON Lines, GeoJSON and GeoParquet points; then the errors a user sees
for a broken mapping or file. No database needed.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from etl.demo import COLUMNS
from etl.ingest import ingest
from etl.mapping import Mapping, read_mapping, resolve_mapping
from etl.readers import detect_encoding, read_csv, read_export
from etl.transform import apply_mapping

TZ = "Asia/Ho_Chi_Minh"
SHIPPED = resolve_mapping("phananh-1022")
TIME_COLUMNS = [c for c in COLUMNS if c.startswith("Thời gian")]
COORDS = ("Vĩ độ", "Kinh độ")


def _row(**values: str) -> dict[str, str]:
    out = dict.fromkeys(COLUMNS, "")
    out.update({k.replace("_", " "): v for k, v in values.items()})
    return out


ROWS = [
    _row(
        Mã_phản_ánh="PA-2024-0000001",
        Thời_gian_tiếp_nhận="15/03/2024 08:30:00",
        Lĩnh_vực="Giao thông",
        Chuyên_mục="Ùn tắc giao thông",
        Tiêu_đề="Kẹt xe giờ cao điểm",
        Nội_dung='Ùn tắc kéo dài, xe "container" chạy sai giờ; đề nghị phân luồng.',
        Địa_chỉ="12 Nguyễn Huệ, Phường Bến Nghé, Quận 1",
        Vĩ_độ="10.7769",
        Kinh_độ="106.7009",
        Kênh_tiếp_nhận="Tổng đài 1022",
        Trạng_thái="Đã tiếp nhận",
        Họ_tên_người_phản_ánh="Nguyễn Văn An",
        Số_điện_thoại="0901234567",
    ),
    _row(
        Mã_phản_ánh="PA-2024-0000002",
        Thời_gian_tiếp_nhận="02/04/2024 21:05:10",
        Lĩnh_vực="Tài nguyên – Môi trường",
        Chuyên_mục="Rác thải, xả rác",
        Tiêu_đề="Rác ùn ứ",
        Nội_dung="Rác thải ùn ứ trên vỉa hè đường Lê Văn Sỹ,\nbốc mùi hôi thối nhiều ngày.",
        Địa_chỉ="Hẻm 45 Lê Văn Sỹ, Phường 13, Quận 3",
        Vĩ_độ="10.7890123",
        Kinh_độ="106.6801234",
        Kênh_tiếp_nhận="Ứng dụng Công dân số",
        Mã_đơn_vị_xử_lý="UBND-Q3-P13",
        Đơn_vị_xử_lý="UBND Phường 13, Quận 3",
        Cấp_đơn_vị="Phường",
        Trạng_thái="Đã xử lý",
        Thời_gian_phân_công="02/04/2024 22:00:00",
        Thời_gian_bắt_đầu_xử_lý="03/04/2024 07:15:00",
        Thời_gian_hoàn_thành="04/04/2024 16:45:00",
        Mức_độ_hài_lòng="Hài lòng",
        Email="an.nguyen@example.vn",
    ),
    _row(
        Mã_phản_ánh="PA-2025-0000003",
        Thời_gian_tiếp_nhận="20/08/2025 06:00:00",
        Lĩnh_vực="Hạ tầng đô thị – thoát nước, ngập nước",
        Chuyên_mục="Ngập nước",
        Tiêu_đề="Ngập sau mưa",
        Nội_dung="Đường Nguyễn Hữu Cảnh ngập sâu 40 cm sau cơn mưa lớn.",
        Địa_chỉ="Đường Nguyễn Hữu Cảnh, Phường Thạnh Mỹ Tây",
        Kênh_tiếp_nhận="Zalo",
        Trạng_thái="Đang xử lý",
        Thời_gian_phân_công="20/08/2025 07:00:00",
        Thời_gian_bắt_đầu_xử_lý="20/08/2025 09:30:00",
    ),  # address only: no coordinates
    _row(
        Mã_phản_ánh="PA-2025-0000004",
        Thời_gian_tiếp_nhận="01/09/2025 13:20:00",
        Lĩnh_vực="Xây dựng",
        Chuyên_mục="Xây dựng không phép, sai phép",
        Tiêu_đề="Xây dựng sai phép",
        Nội_dung="Công trình xây thêm tầng không phép, ảnh hưởng nhà bên cạnh.",
        Địa_chỉ="88 Phạm Văn Đồng, Phường Hiệp Bình, TP.HCM",
        Vĩ_độ="10.8412",
        Kinh_độ="106.7305",
        Kênh_tiếp_nhận="Cổng thông tin 1022",
        Trạng_thái="Từ chối",
        Thời_gian_từ_chối="02/09/2025 08:00:00",
        Mức_độ_hài_lòng="2",
    ),
    _row(
        Mã_phản_ánh="PA-2025-0000005",
        Thời_gian_tiếp_nhận="30/12/2025 23:59:59",
        Lĩnh_vực="Điện",
        Chuyên_mục="Mất điện",
        Tiêu_đề="Mất điện diện rộng",
        Nội_dung="Khu dân cư Bình Quới mất điện từ 22 giờ.",
        Địa_chỉ="Khu dân cư Bình Quới, Phường Bình Quới",
        Vĩ_độ="10.8165",
        Kinh_độ="106.7421",
        Kênh_tiếp_nhận="Facebook",
        Trạng_thái="Đã đóng",
        Thời_gian_hoàn_thành="31/12/2025 03:00:00",
        Thời_gian_đóng="31/12/2025 08:00:00",
        Mức_độ_hài_lòng="Rất hài lòng",
    ),
]


# --- Writers -----------------------------------------------------------------------------------


def _write_csv(path: Path, rows: list[dict], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258_text(text: str) -> str:
    """Vietnamese the way Windows-1258 holds it: base letters precomposed, tones combining."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + "".join(c for c in parts if c in _TONES))
    return "".join(out)


def _write_cp1258(path: Path, rows: list[dict]) -> Path:
    text_path = _write_csv(path.with_suffix(".utf8"), rows)
    text = text_path.read_text(encoding="utf-8")
    data = to_cp1258_text(text).encode("cp1258")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really a legacy encoding, not UTF-8 in disguise
    assert unicodedata.normalize("NFC", data.decode("cp1252")) != text  # nor Western European
    path.write_bytes(data)
    text_path.unlink()
    return path


def _write_semicolons(path: Path, rows: list[dict]) -> Path:
    """The European Excel dialect: semicolons and decimal commas."""
    comma = [{**r, **{c: r[c].replace(".", ",") for c in COORDS}} for r in rows]
    return _write_csv(path, comma, delimiter=";")


def _write_xlsx(path: Path, rows: list[dict]) -> Path:
    """Typed cells, as Excel users save them: dates as dates, coordinates as numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Phản ánh"
    sheet.append(COLUMNS)
    for r in rows:
        cells: list[object] = []
        for col in COLUMNS:
            value = r[col]
            if value and col in TIME_COLUMNS:
                cells.append(datetime.strptime(value, "%d/%m/%Y %H:%M:%S"))
            elif value and col in COORDS:
                cells.append(float(value))
            else:
                cells.append(value or None)
        sheet.append(cells)
    book.save(path)
    return path


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            record: dict[str, object] = dict(r)
            for col in COORDS:  # numbers as JSON numbers
                record[col] = float(r[col]) if r[col] else None
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _geo_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """Attributes without the coordinate columns; the point is the geometry (None if absent)."""
    frame = pd.DataFrame(rows).drop(columns=list(COORDS))
    points = [
        gpd.points_from_xy([float(r["Kinh độ"])], [float(r["Vĩ độ"])])[0] if r["Vĩ độ"] else None
        for r in rows
    ]
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")


def _write_geojson(path: Path, rows: list[dict]) -> Path:
    _geo_frame(rows).to_file(path, driver="GeoJSON")
    return path


def _write_geoparquet(path: Path, rows: list[dict]) -> Path:
    _geo_frame(rows).to_parquet(path, index=False)
    return path


def _mapping_file(tmp_path: Path, name: str, **changes) -> Mapping:
    """A copy of the shipped 1022 mapping with some keys changed (None removes a column)."""
    doc = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    columns = changes.pop("columns", {})
    doc.update(changes)
    for key, value in columns.items():
        if value is None:
            doc["columns"].pop(key)
        else:
            doc["columns"][key] = value
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return read_mapping(path)


# --- Same rows from every format ---------------------------------------------------------------


def _model(path: Path, mapping: Mapping) -> tuple[pd.DataFrame, dict]:
    raw = read_export(path, mapping)
    mapped = apply_mapping(raw, mapping, TZ)
    frame = mapped.frame.reset_index(drop=True)
    text = frame.select_dtypes(exclude=["number", "datetimetz"]).columns
    frame[text] = frame[text].astype(object)
    return frame, {k: np.flatnonzero(v).tolist() for k, v in mapped.problems.items()}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    path = _write_csv(tmp_path_factory.mktemp("ref") / "ref.csv", ROWS)
    frame, problems = _model(path, read_mapping(SHIPPED))
    assert problems == {}
    return frame


def test_reference_rows_parsed(reference):
    assert len(reference) == len(ROWS)
    assert reference["source_id"].tolist() == [r["Mã phản ánh"] for r in ROWS]
    first = reference.iloc[0]
    assert first["received_at"] == pd.Timestamp("2024-03-15 01:30:00", tz="UTC")
    assert (first["lat"], first["lon"]) == (10.7769, 106.7009)
    assert first["status"] == "received" and first["channel"] == "phone-1022"
    assert first["description"] == "Kẹt xe giờ cao điểm – " + ROWS[0]["Nội dung"]
    assert reference["satisfaction"].tolist()[1] == 4.0
    assert np.isnan(reference["lat"].iloc[2])  # the address-only row
    assert "\n" in reference["description"].iloc[1]


@pytest.mark.parametrize(
    ("name", "writer", "suffix", "mapping_changes"),
    [
        ("utf8-bom", lambda p, r: _write_csv(p, r, "utf-8-sig"), ".csv", {}),
        ("cp1258-declared", _write_cp1258, ".csv", {"encoding": "cp1258"}),
        ("cp1258-detected", _write_cp1258, ".csv", {}),
        ("semicolons-detected", _write_semicolons, ".csv", {}),
        ("semicolons-declared", _write_semicolons, ".txt", {"delimiter": ";"}),
        ("xlsx", _write_xlsx, ".xlsx", {}),
        ("jsonl", _write_jsonl, ".jsonl", {}),
        ("geojson", _write_geojson, ".geojson", {"columns": {"lat": None, "lon": None}}),
        ("geoparquet", _write_geoparquet, ".parquet", {"columns": {"lat": None, "lon": None}}),
    ],
)
def test_every_format_gives_the_same_rows(
    tmp_path, reference, name, writer, suffix, mapping_changes
):
    path = writer(tmp_path / f"export{suffix}", ROWS)
    mapping = _mapping_file(tmp_path, name, **mapping_changes)
    if name.startswith("cp1258"):
        header = list(read_csv(path, mapping.encoding).columns)
        assert header == COLUMNS, (
            "Windows-1258 stores Vietnamese tones as combining marks: the reader must return "
            f"NFC (composed) text, or no Vietnamese column name matches; got {header[:3]} "
            f"(lengths {[len(h) for h in header[:3]]} vs {[len(c) for c in COLUMNS[:3]]})"
        )
    frame, problems = _model(path, mapping)
    assert problems == {}, name
    pd.testing.assert_frame_equal(frame, reference, check_dtype=False, obj=name)


def test_detect_encoding(tmp_path):
    assert detect_encoding(_write_csv(tmp_path / "a.csv", ROWS)) == "utf-8"
    assert detect_encoding(_write_csv(tmp_path / "b.csv", ROWS, "utf-8-sig")) == "utf-8-sig"
    assert detect_encoding(_write_cp1258(tmp_path / "c.csv", ROWS)).lower() in {
        "cp1258",
        "windows-1258",
    }


def test_geo_formats_may_keep_coordinate_columns(tmp_path, reference):
    """A GeoParquet with both the text columns and a geometry (as `phananh demo-data` writes)."""
    frame = gpd.GeoDataFrame(
        pd.DataFrame(ROWS), geometry=_geo_frame(ROWS).geometry, crs="EPSG:4326"
    )
    path = tmp_path / "both.parquet"
    frame.to_parquet(path, index=False)
    model, problems = _model(path, read_mapping(SHIPPED))
    assert problems == {}
    pd.testing.assert_frame_equal(model, reference, check_dtype=False)


# --- Errors ------------------------------------------------------------------------------------


def test_missing_mapped_column_is_named(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "Kênh tiếp nhận"} for r in ROWS]
    path = tmp_path / "short.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[c for c in COLUMNS if c != "Kênh tiếp nhận"])
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ValueError, match="Kênh tiếp nhận") as err:
        read_export(path, read_mapping(SHIPPED))
    assert "phananh-1022" in str(err.value) and "short.csv" in str(err.value)


def test_unknown_model_field_in_mapping(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\ncolumns:\n  source_id: id\n  received_at: opened\n  field: kind\n"
        "  priority: Priority\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="unknown model field.*priority") as err:
        read_mapping(path)
    assert "bad.yaml" in str(err.value)


def test_mapping_without_required_fields(tmp_path):
    path = tmp_path / "thin.yaml"
    path.write_text("name: thin\ncolumns:\n  description: text\n", encoding="utf-8")
    with pytest.raises(ValueError, match="source_id, received_at"):
        read_mapping(path)


def test_unreadable_mapping(tmp_path):
    with pytest.raises(ValueError, match="cannot read mapping"):
        read_mapping(tmp_path / "nowhere.yaml")
    with pytest.raises(ValueError, match="no mapping file 'nowhere'.*phananh-1022"):
        resolve_mapping("nowhere")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "broken.xlsx: cannot read sheet"),
        ("broken.geojson", b'{"type": "FeatureCollection", "features": [', "cannot read"),
        ("broken.parquet", b"PAR1 garbage", "broken.parquet: cannot read geoparquet"),
        ("broken.jsonl", b'{"a": 1}\n{not json\n', "broken.jsonl: not valid JSON Lines"),
        ("export.pdf", b"%PDF-1.4", "cannot tell the format of export.pdf"),
    ],
)
def test_unreadable_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    error = _error_of(lambda: read_export(path, read_mapping(SHIPPED)))
    assert isinstance(error, ValueError), (
        f"a broken {name} must raise ValueError with a clear message, "
        f"not {type(error).__name__}: {error}"
    )
    assert re.search(message, str(error)), str(error)


def _error_of(call) -> BaseException | None:
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the type is what is checked
        return exc
    return None


def test_csv_in_the_wrong_declared_encoding(tmp_path):
    path = _write_cp1258(tmp_path / "legacy.csv", ROWS)
    mapping = _mapping_file(tmp_path, "utf8", encoding="utf-8")
    error = _error_of(lambda: read_export(path, mapping))
    assert isinstance(error, ValueError)
    assert "legacy.csv: not a readable CSV" in str(error), (
        f"a CSV that is not in its declared encoding must name the file: got {error!r}"
    )


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        read_export(tmp_path / "nothing.csv", read_mapping(SHIPPED))


def test_ingest_of_unreadable_file_fails_the_batch(conn, tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_bytes(b'{"type": "FeatureCollection", "features": [')
    with pytest.raises(ValueError, match="broken.geojson: cannot read geojson"):
        ingest(conn, path, read_mapping(SHIPPED))
    status, error = conn.execute("SELECT status, error FROM etl_batch").fetchone()
    assert status == "failed" and "cannot read geojson" in error
    assert conn.execute("SELECT count(*) FROM complaint").fetchone()[0] == 0
    conn.commit()
    with pytest.raises(ValueError, match="no such file"):
        ingest(conn, tmp_path / "nothing.csv", read_mapping(SHIPPED))
    assert conn.execute("SELECT count(*) FROM etl_batch").fetchone()[0] == 1
