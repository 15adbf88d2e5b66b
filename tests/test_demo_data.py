"""`phananh demo-data`: synthetic complaints in the 1022 export format (no database needed)."""

from __future__ import annotations

import json
import re
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import typer
from typer.testing import CliRunner

from boundaries.data import resolve
from etl.demo import COLUMNS, generate, write
from etl.demo.cli import demo_data_command
from etl.demo.handlers import build_units
from etl.demo.places import load_geo
from etl.demo.profile import load_profile, load_taxonomy
from etl.mapping import read_mapping, resolve_mapping

FMT = "%d/%m/%Y %H:%M:%S"
JULY_2025 = pd.Timestamp("2025-07-01")
M_PER_DEG = 110_000.0


@pytest.fixture(scope="module")
def sample(boundary_settings) -> pd.DataFrame:
    return generate(20_000, 7, date(2024, 1, 1), date(2025, 12, 31), boundary_settings)


@pytest.fixture(scope="module")
def parsed(sample) -> pd.DataFrame:
    """Times and coordinates parsed the way a strict reader would (bad values -> NaT/NaN)."""
    out = pd.DataFrame(index=sample.index)
    for name, col in (
        ("received", "Thời gian tiếp nhận"),
        ("assigned", "Thời gian phân công"),
        ("processing", "Thời gian bắt đầu xử lý"),
        ("resolved", "Thời gian hoàn thành"),
        ("closed", "Thời gian đóng"),
        ("rejected", "Thời gian từ chối"),
    ):
        out[name] = pd.to_datetime(sample[col], format=FMT, errors="coerce")
    out["lat"] = pd.to_numeric(sample["Vĩ độ"], errors="coerce")
    out["lon"] = pd.to_numeric(sample["Kinh độ"], errors="coerce")
    sla = {c.name: c.sla_hours for c in load_taxonomy().categories.values()}
    out["due"] = out.received + pd.to_timedelta(sample["Chuyên mục"].map(sla), unit="h")
    return out


def test_same_seed_same_bytes_other_seed_other_file(tmp_path, boundary_settings):
    args = (2_000, 11, date(2024, 1, 1), date(2025, 12, 31), boundary_settings)
    a = write(generate(*args), tmp_path / "a.csv").read_bytes()
    b = write(generate(*args), tmp_path / "b.csv").read_bytes()
    c = write(generate(2_000, 12, *args[2:]), tmp_path / "c.csv").read_bytes()
    assert a == b
    assert a != c
    assert a.startswith(b"\xef\xbb\xbf")  # Excel's UTF-8 BOM
    assert b"\r\n" in a


def test_columns_in_order_all_text(sample):
    assert list(sample.columns) == COLUMNS
    assert len(COLUMNS) == 23 and "Hạn xử lý" not in COLUMNS
    for col in COLUMNS:
        assert all(isinstance(v, str) for v in sample[col]), col


def test_ids_numbered_per_year(sample, parsed):
    ids = sample["Mã phản ánh"]
    assert ids.str.fullmatch(r"PA-20\d\d-\d{7}").all()
    year = ids.str[3:7].astype(int)
    ok = parsed.received.notna()
    assert (year[ok] == parsed.received[ok].dt.year).mean() > 0.99


def test_field_mix_like_the_portal(sample):
    taxonomy = load_taxonomy()
    shares = sample["Lĩnh vực"].value_counts(normalize=True)
    assert set(taxonomy.fields.values()) <= set(shares.index)  # all 18 fields
    top_two = set(shares.index[:2])
    assert top_two == {taxonomy.fields["trat-tu-do-thi"], taxonomy.fields["tai-nguyen-moi-truong"]}
    assert shares[taxonomy.fields["hanh-chinh-cong"]] > 0.08
    assert shares[taxonomy.fields["ha-tang-do-thi"]] > 0.07
    categories = sample["Chuyên mục"].value_counts(normalize=True)
    assert categories["Ngập nước"] > 0.02
    assert categories["Cống, hố ga, thoát nước"] > 0.01


def test_about_thirty_percent_address_only(sample):
    no_coords = (sample["Vĩ độ"] == "") & (sample["Kinh độ"] == "")
    assert 0.27 < no_coords.mean() < 0.33
    assert (sample.loc[no_coords, "Địa chỉ"] != "").all()
    with_coords = ~no_coords
    assert 0.6 < (sample.loc[with_coords, "Địa chỉ"] != "").mean() < 0.95
    channels = sample["Kênh tiếp nhận"].value_counts(normalize=True)
    # Exactly the channels the shipped 1022 mapping understands.
    assert set(channels.index) == set(
        read_mapping(resolve_mapping("phananh-1022")).values["channel"]
    )
    assert channels.min() > 0.02


def test_lifecycle_consistent_and_late_rate(sample, parsed):
    p = parsed
    clean = p.received.notna() & ~(p.resolved < p.received)
    chain = ["received", "assigned", "processing", "resolved", "closed"]
    for earlier, later in zip(chain, chain[1:], strict=False):
        both = clean & p[earlier].notna() & p[later].notna()
        assert (p.loc[both, earlier] <= p.loc[both, later]).all(), (earlier, later)
    status = sample["Trạng thái"]
    assert set(status) <= {
        "Đã tiếp nhận",
        "Đã phân công",
        "Đang xử lý",
        "Đã xử lý",
        "Đã đóng",
        "Từ chối",
    }
    assert p.closed[status == "Đã đóng"].notna().all()
    assert p.resolved[status.isin(["Đã xử lý", "Đã đóng"])].notna().all()
    assert p.rejected[status == "Từ chối"].notna().all()
    assert (sample.loc[status == "Đã tiếp nhận", "Mã đơn vị xử lý"] == "").all()
    resolved = clean & p.resolved.notna()
    late = (p.resolved[resolved] > p.due[resolved]).mean()
    assert 0.01 <= late <= 0.03
    # recent complaints are more often still open
    open_ = ~status.isin(["Đã xử lý", "Đã đóng", "Từ chối"])
    last_month = p.received >= pd.Timestamp("2025-12-01")
    first_year = p.received < pd.Timestamp("2025-01-01")
    assert open_[last_month].mean() > 3 * open_[first_year].mean()


def test_satisfaction_for_part_of_resolved(sample):
    resolved = sample["Trạng thái"].isin(["Đã xử lý", "Đã đóng"])
    rated = sample["Mức độ hài lòng"] != ""
    assert not (rated & ~resolved).any()
    assert 0.3 <= rated[resolved].mean() <= 0.4
    assert set(sample.loc[rated, "Mức độ hài lòng"]) <= {"1", "2", "3", "4", "5"}


def test_satisfaction_differs_between_wards_and_persists(boundary_settings):
    frame = generate(80_000, 9, date(2024, 1, 1), date(2025, 6, 30), boundary_settings)
    rated = frame[
        (frame["Mức độ hài lòng"] != "") & frame["Mã đơn vị xử lý"].str.startswith("UBX-")
    ]
    score = rated["Mức độ hài lòng"].astype(int)
    year = rated["Mã phản ánh"].str[3:7]
    means = score.groupby([rated["Mã đơn vị xử lý"], year]).agg(["mean", "count"]).unstack()
    means = means[(means["count"] >= 8).all(axis=1)]
    assert len(means) > 30
    assert np.corrcoef(means["mean"]["2024"], means["mean"]["2025"])[0, 1] > 0.5


def test_flooding_in_the_rainy_season_on_storm_days_at_hotspots(sample, parsed):
    flood = (sample["Chuyên mục"] == "Ngập nước") & parsed.received.notna()
    when = parsed.received[flood]
    assert when.dt.month.between(5, 11).mean() > 0.85
    per_day = when.dt.date.value_counts()
    rainy_days = 2 * 214
    busiest = per_day.iloc[: rainy_days // 8]  # the busiest eighth of rainy days
    assert busiest.sum() / flood.sum() > 0.6
    spots = load_profile()["flooding"]["hotspots"]
    hx = np.array([h["lon"] for h in spots])
    hy = np.array([h["lat"] for h in spots])
    has = flood & parsed.lat.between(8, 12)
    dx = (parsed.lon[has].to_numpy()[:, None] - hx) * 109_300
    dy = (parsed.lat[has].to_numpy()[:, None] - hy) * 110_600
    near = np.hypot(dx, dy).min(axis=1) <= 160
    assert near.mean() > 0.5


def test_hotspots_fall_in_the_2021_wards(boundary_settings):
    wards = gpd.read_file(resolve("hcmc_wards_2021_312", boundary_settings))
    union = shapely.union_all(wards.geometry.to_numpy())
    for spot in load_profile()["flooding"]["hotspots"]:
        assert shapely.contains_xy(union, spot["lon"], spot["lat"]), spot["street"]


def test_points_inside_the_old_city_before_july_2025(sample, parsed, boundary_settings):
    wards = gpd.read_file(resolve("hcmc_wards_2019_322", boundary_settings))
    city = shapely.union_all(wards.geometry.to_numpy())
    shapely.prepare(city)
    plausible = parsed.lat.between(8, 12) & parsed.lon.between(104, 108)
    placeholder = (sample["Vĩ độ"] == "10.776530") & (sample["Kinh độ"] == "106.700980")
    before = plausible & ~placeholder & (parsed.received < JULY_2025)
    x, y = parsed.lon[before].to_numpy(), parsed.lat[before].to_numpy()
    inside = shapely.contains_xy(city, x, y)
    assert 0 < (~inside).sum() <= 0.005 * len(x)  # a few deliberate edge points
    outside = shapely.points(x[~inside], y[~inside])
    assert (shapely.distance(city, outside) * M_PER_DEG <= 220).all()
    # the former Bình Dương / Bà Rịa–Vũng Tàu only from 2025-07-01, at a lower density
    after = plausible & ~placeholder & (parsed.received >= JULY_2025)
    x, y = parsed.lon[after].to_numpy(), parsed.lat[after].to_numpy()
    far = shapely.distance(city, shapely.points(x, y)) * M_PER_DEG > 500
    assert 0.05 < far.mean() < 0.3


def test_central_points_snapped_to_roads(sample, parsed, boundary_settings):
    roads = gpd.read_file(resolve("hcmc_central_roads", boundary_settings))
    x0, y0, x1, y1 = shapely.total_bounds(roads.geometry.to_numpy())
    central = parsed.lon.between(x0, x1) & parsed.lat.between(y0, y1)
    points = shapely.points(parsed.lon[central].to_numpy(), parsed.lat[central].to_numpy())
    _, dist = shapely.STRtree(roads.geometry.to_numpy()).query_nearest(points, return_distance=True)
    assert (dist * M_PER_DEG < 15).mean() > 0.5  # on the road, give or take GPS noise
    addresses = sample.loc[central, "Địa chỉ"]
    assert addresses.str.contains("Trần Hưng Đạo|Tran Hung Dao|Võ Văn Kiệt|Đoàn Văn Bơ").any()


def test_address_styles_follow_the_ward_set_in_force(sample, parsed):
    address = sample["Địa chỉ"]
    unit = sample["Mã đơn vị xử lý"]
    before_2025 = parsed.received < pd.Timestamp("2025-01-01")
    after = parsed.received >= JULY_2025
    district = address.str.contains(r"(?i)Quận|Quan |Q\.|Q\d|Huyện|Huyen|H\.|Thủ Đức|Thu Duc")
    assert district[before_2025 & (address != "")].mean() > 0.85
    assert 0.03 < district[after & (address != "")].mean() < 0.3  # old names linger
    assert address.str.contains("Tp. Thủ Đức").any()
    assert address.str.contains(r"\bF\d+,").any()
    assert address.str.contains(r"\d+/\d+").any()
    assert address.str.contains("hẻm").any()
    assert address.str.contains("TP.HCM").any()
    ascii_only = address.map(lambda s: s.isascii() and s != "")
    assert 0.05 < ascii_only.mean() < 0.2
    assert not unit[after].str.match(r"(UBX|CAX|UBH|TTYT)-").any()
    assert not unit[before_2025].str.match(r"(UBX25|CAX25)-").any()
    assert unit[after].str.startswith("UBX25-").any()


def test_contacts(sample):
    phone = sample["Số điện thoại"]
    plain = phone.str.fullmatch(r"0[35789]\d{8}")
    assert plain.mean() > 0.6
    assert (phone == "").mean() > 0.05
    names = sample["Họ tên người phản ánh"]
    assert names.str.startswith("Nguyễn ").mean() > 0.25
    email = sample["Email"]
    assert 0.1 < (email != "").mean() < 0.35
    assert email[email != ""].str.fullmatch(r"[a-z0-9.]+@[a-z.]+").all()


def test_every_kind_of_bad_row(sample, parsed):
    received = sample["Thời gian tiếp nhận"]
    assert received.isin(["không rõ"]).any() or received.str.contains("25:61").any()
    assert (parsed.received.isna()).sum() >= 2
    assert ((parsed.resolved < parsed.received) | (parsed.closed < parsed.received)).any()
    assert (parsed.lat.abs() > 90).any()
    swapped = parsed.lat.between(100, 110) & parsed.lon.between(8, 12)
    assert swapped.any()
    placeholder = (sample["Vĩ độ"] == "10.776530") & (sample["Kinh độ"] == "106.700980")
    assert placeholder.sum() >= 25  # a form default, far more often than any real place
    assert (sample.loc[placeholder, "Địa chỉ"] != "").all()
    assert (sample["Lĩnh vực"] == "Lĩnh vực XYZ").any()
    dup = sample[sample["Mã phản ánh"].duplicated(keep=False)]
    assert len(dup)
    assert (
        dup.groupby("Mã phản ánh")["Nội dung"].nunique().max() > 1
        or dup.groupby("Mã phản ánh")["Thời gian tiếp nhận"].nunique().max() > 1
    )
    bad = sample.attrs["demo"]["bad_rows"]
    assert all(count > 0 for count in bad.values())
    assert 0.003 < sum(bad.values()) / len(sample) < 0.008


def test_units_registry_and_routing(sample, boundary_settings):
    units = build_units(load_geo(boundary_settings))
    assert len(units.codes) >= 700
    assert len(set(units.codes)) == len(units.codes)
    levels = set(units.levels)
    assert levels == {"Phường/Xã", "Quận/Huyện", "Sở ngành", "Doanh nghiệp"}
    cat, code = sample["Chuyên mục"], sample["Mã đơn vị xử lý"]
    assigned = code != ""
    assert code[assigned & (cat == "Mất điện")].str.match(r"DN-(DL|PC)-").all()
    assert code[assigned & (cat == "Mất nước, nước yếu")].str.match(r"DN-(CN-|BIWASE|BWACO)").all()
    flood_units = code[assigned & (cat == "Ngập nước")]
    assert flood_units.str.match(r"DN-TNDT|UBX").mean() > 0.8
    assert code[assigned & cat.str.contains("xe buýt")].eq("TT-QLGTCC").all()
    assert sample.loc[assigned, "Cấp đơn vị"].isin(levels).all()
    assert code[assigned].nunique() > 400


def test_write_jsonl_and_parquet(tmp_path, boundary_settings):
    frame = generate(500, 3, date(2025, 6, 1), date(2025, 8, 31), boundary_settings)
    lines = write(frame, tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == frame.to_dict(orient="records")
    pytest.importorskip("pyarrow")
    back = gpd.read_parquet(write(frame, tmp_path / "x.parquet"))
    assert list(back.columns[:-1]) == COLUMNS
    has = frame["Vĩ độ"] != ""
    assert back.geometry[has.to_numpy()].notna().all()
    assert back.geometry[~has.to_numpy()].isna().all()
    with pytest.raises(ValueError, match="cannot write"):
        write(frame, tmp_path / "x.xls")


def test_cli_writes_a_file_and_a_summary(tmp_path):
    app = typer.Typer()
    app.command("demo-data")(demo_data_command)
    app.command("noop")(lambda: None)
    out = tmp_path / "demo.csv"
    args = ["demo-data", "--n", "1500", "--seed", "5", "--from", "2025-05-01"]
    result = CliRunner().invoke(app, [*args, "--to", "2025-09-30", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert re.search(r"Wrote 1,500 complaints .* rows/s", result.output)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns) == COLUMNS and len(frame) == 1500
    bad = CliRunner().invoke(app, ["demo-data", "--from", "2025-13-01", "--output", str(out)])
    assert bad.exit_code != 0
