"""Handling units (đơn vị xử lý) with stable codes, and routing of complaints to them.

Codes: ``UBX-<ward>`` UBND phường/xã/thị trấn and ``CAX-<ward>`` Công an of the wards before
2025-07-01 (``-B``, ``-C`` when the same GSO code later carried another name), ``UBX25-``/``CAX25-``
for the 168 units from 2025-07-01, ``UBH-<district>`` UBND quận/huyện, ``TTYT-<district>``
Trung tâm Y tế, ``SO-*`` departments, ``DN-*`` companies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from etl.demo.places import Geo

WARD, DISTRICT, DEPARTMENT, COMPANY = "Phường/Xã", "Quận/Huyện", "Sở ngành", "Doanh nghiệp"
REFORM_2025_03 = date(2025, 3, 1)  # merger of departments (NQ 2025 on the city's apparatus)
REFORM_2025_07 = date(2025, 7, 1)  # two-tier local government, no more districts
OLD_CITY_ONLY = {"drainage", "lighting", "parks", "waste", "traffic_control"}

# role -> [(code, name, level, valid_from, valid_to)]; several valid units: one at random.
ROLES: dict[str, list[tuple[str, str, str, date | None, date | None]]] = {
    "construction": [("SO-XD", "Sở Xây dựng", DEPARTMENT, None, None)],
    "environment": [
        ("SO-TNMT", "Sở Tài nguyên và Môi trường", DEPARTMENT, None, REFORM_2025_03),
        ("SO-NNMT", "Sở Nông nghiệp và Môi trường", DEPARTMENT, REFORM_2025_03, None),
    ],
    "transport": [
        ("SO-GTVT", "Sở Giao thông vận tải", DEPARTMENT, None, REFORM_2025_03),
        ("SO-XD", "Sở Xây dựng", DEPARTMENT, REFORM_2025_03, None),
    ],
    "health_dept": [("SO-YT", "Sở Y tế", DEPARTMENT, None, None)],
    "education": [("SO-GDDT", "Sở Giáo dục và Đào tạo", DEPARTMENT, None, None)],
    "labour": [
        ("SO-LDTBXH", "Sở Lao động – Thương binh và Xã hội", DEPARTMENT, None, REFORM_2025_03),
        ("SO-NV", "Sở Nội vụ", DEPARTMENT, REFORM_2025_03, None),
    ],
    "home_affairs": [("SO-NV", "Sở Nội vụ", DEPARTMENT, None, None)],
    "culture": [("SO-VHTT", "Sở Văn hóa và Thể thao", DEPARTMENT, None, None)],
    "trade": [("SO-CT", "Sở Công Thương", DEPARTMENT, None, None)],
    "information": [
        ("SO-TTTT", "Sở Thông tin và Truyền thông", DEPARTMENT, None, REFORM_2025_03),
        ("SO-KHCN", "Sở Khoa học và Công nghệ", DEPARTMENT, REFORM_2025_03, None),
    ],
    "finance": [("SO-TC", "Sở Tài chính", DEPARTMENT, None, None)],
    "tax": [
        ("CT-HCM", "Cục Thuế TP.HCM", DEPARTMENT, None, REFORM_2025_03),
        ("THUE-HCM", "Thuế TP. Hồ Chí Minh", DEPARTMENT, REFORM_2025_03, None),
    ],
    "food_safety": [("BQL-ATTP", "Ban Quản lý An toàn thực phẩm TP.HCM", DEPARTMENT, None, None)],
    "traffic_police": [
        ("CA-PC08", "Phòng Cảnh sát giao thông – Công an TP.HCM", DEPARTMENT, None, None)
    ],
    "traffic_control": [
        ("TT-QLDHGT", "Trung tâm Quản lý điều hành giao thông đô thị", DEPARTMENT, None, None)
    ],
    "public_transport": [
        ("TT-QLGTCC", "Trung tâm Quản lý giao thông công cộng TP.HCM", DEPARTMENT, None, None)
    ],
    "drainage": [("DN-TNDT", "Công ty TNHH MTV Thoát nước đô thị TP.HCM", COMPANY, None, None)],
    "lighting": [("DN-CSCC", "Công ty TNHH MTV Chiếu sáng công cộng TP.HCM", COMPANY, None, None)],
    "parks": [("DN-CVCX", "Công ty TNHH MTV Công viên cây xanh TP.HCM", COMPANY, None, None)],
    "waste": [("DN-MTDT", "Công ty TNHH MTV Môi trường đô thị TP.HCM", COMPANY, None, None)],
    "telecom": [
        ("DN-VNPT", "VNPT TP. Hồ Chí Minh", COMPANY, None, None),
        ("DN-VIETTEL", "Viettel TP. Hồ Chí Minh", COMPANY, None, None),
        ("DN-FPT", "Công ty Cổ phần Viễn thông FPT – Chi nhánh TP.HCM", COMPANY, None, None),
    ],
}

# Area (2021 district code; "74", "77" former provinces) -> water company and power company.
WATER = {
    "DN-CN-BENTHANH": ("Công ty CP Cấp nước Bến Thành", ["760", "770", "773"]),
    "DN-CN-CHOLON": ("Công ty CP Cấp nước Chợ Lớn", ["774", "775", "776", "777", "785"]),
    "DN-CN-GIADINH": ("Công ty CP Cấp nước Gia Định", ["764", "765", "768"]),
    "DN-CN-THUDUC": ("Công ty CP Cấp nước Thủ Đức", ["769"]),
    "DN-CN-PHUHOATAN": ("Công ty CP Cấp nước Phú Hòa Tân", ["771", "772"]),
    "DN-CN-TANHOA": ("Công ty CP Cấp nước Tân Hòa", ["766", "767"]),
    "DN-CN-TRUNGAN": ("Công ty CP Cấp nước Trung An", ["761", "783", "784"]),
    "DN-CN-NHABE": ("Công ty CP Cấp nước Nhà Bè", ["778", "786", "787"]),
    "DN-BIWASE": ("Công ty CP Nước – Môi trường Bình Dương (BIWASE)", ["74"]),
    "DN-BWACO": ("Công ty CP Cấp nước Bà Rịa – Vũng Tàu (BWACO)", ["77"]),
}
POWER = {
    "DN-DL-SAIGON": ("Công ty Điện lực Sài Gòn", ["760", "770"]),
    "DN-DL-CHOLON": ("Công ty Điện lực Chợ Lớn", ["774", "775", "776"]),
    "DN-DL-GIADINH": ("Công ty Điện lực Gia Định", ["765", "768"]),
    "DN-DL-PHUTHO": ("Công ty Điện lực Phú Thọ", ["771", "772"]),
    "DN-DL-TANTHUAN": ("Công ty Điện lực Tân Thuận", ["773", "778", "786"]),
    "DN-DL-THUTHIEM": ("Công ty Điện lực Thủ Thiêm", ["769:769", "769:763"]),
    "DN-DL-THUDUC": ("Công ty Điện lực Thủ Đức", ["769"]),
    "DN-DL-BINHPHU": ("Công ty Điện lực Bình Phú", ["777"]),
    "DN-DL-TANBINH": ("Công ty Điện lực Tân Bình", ["766"]),
    "DN-DL-TANPHU": ("Công ty Điện lực Tân Phú", ["767"]),
    "DN-DL-ANPHUDONG": ("Công ty Điện lực An Phú Đông", ["761", "764"]),
    "DN-DL-HOCMON": ("Công ty Điện lực Hóc Môn", ["784"]),
    "DN-DL-CUCHI": ("Công ty Điện lực Củ Chi", ["783"]),
    "DN-DL-BINHCHANH": ("Công ty Điện lực Bình Chánh", ["785"]),
    "DN-DL-DUYENHAI": ("Công ty Điện lực Duyên Hải", ["787"]),
    "DN-PC-BINHDUONG": ("Công ty Điện lực Bình Dương", ["74"]),
    "DN-PC-BRVT": ("Công ty Điện lực Bà Rịa – Vũng Tàu", ["77"]),
}


@dataclass(frozen=True, eq=False)
class Units:
    """The registry of handling units and the per-ward lookups into it."""

    codes: np.ndarray
    names: np.ndarray
    levels: np.ndarray
    index: dict[str, int]
    # Per 2019 ward (old city), per ward set: unit index of UBND / Công an / UBND quận / TTYT.
    ward_19: np.ndarray
    ward_21: np.ndarray
    ward_2503: np.ndarray
    police_19: np.ndarray
    police_21: np.ndarray
    police_2503: np.ndarray
    district_19: np.ndarray
    district_21: np.ndarray
    health_19: np.ndarray
    health_21: np.ndarray
    # Per 168-unit ward: UBND and Công an.
    ward_new: np.ndarray
    police_new: np.ndarray
    # Area key -> water / power unit index.
    water: dict[str, int]
    power: dict[str, int]


def _lower_type(ward_name: str) -> str:
    for kind in ("Phường", "Xã", "Thị trấn", "Đặc khu"):
        if ward_name.startswith(kind):
            return kind.lower() + ward_name[len(kind) :]
    return ward_name


def build_units(geo: Geo) -> Units:
    """All handling units (700+), with stable codes independent of the date range."""
    codes: list[str] = []
    names: list[str] = []
    levels: list[str] = []
    index: dict[str, int] = {}
    by_name: dict[tuple[str, str], str] = {}
    variants: dict[str, int] = {}

    def add(code: str, name: str, level: str) -> int:
        if code not in index:
            index[code] = len(codes)
            codes.append(code)
            names.append(name)
            levels.append(level)
        return index[code]

    def versioned(prefix: str, gso: str, name: str, level: str) -> int:
        key = (f"{prefix}-{gso}", name)
        if key not in by_name:
            n = variants.get(key[0], 0)
            variants[key[0]] = n + 1
            by_name[key] = key[0] if n == 0 else f"{key[0]}-{chr(ord('A') + n)}"
        return add(by_name[key], name, level)

    b = geo.base
    out: dict[str, np.ndarray] = {}
    # The 2021 set first, so that the codes in force longest carry no suffix.
    for tag, code_col, name_col, dcode_col, dist_col in (
        ("21", "code_21", "name_21", "district_code_21", "district_21"),
        ("19", "code_19", "name_19", "district_code_19", "district_19"),
        ("2503", "code_2503", "name_2503", "district_code_2503", "district_2503"),
    ):
        ward_idx, police_idx, dist_idx, health_idx = [], [], [], []
        for code, name, dcode, dist in zip(
            b[code_col], b[name_col], b[dcode_col], b[dist_col], strict=True
        ):
            ward_idx.append(versioned("UBX", code, f"UBND {name}, {dist}", WARD))
            police_idx.append(versioned("CAX", code, f"Công an {_lower_type(name)}, {dist}", WARD))
            dist_idx.append(versioned("UBH", dcode, f"UBND {dist}", DISTRICT))
            health_idx.append(versioned("TTYT", dcode, f"Trung tâm Y tế {dist}", DISTRICT))
        out[f"ward_{tag}"] = np.array(ward_idx)
        out[f"police_{tag}"] = np.array(police_idx)
        out[f"district_{tag}"] = np.array(dist_idx)
        out[f"health_{tag}"] = np.array(health_idx)
    ward_new = [
        add(f"UBX25-{c}", f"UBND {n}", WARD)
        for c, n in zip(geo.new.code, geo.new.name, strict=True)
    ]
    police_new = [
        add(f"CAX25-{c}", f"Công an {_lower_type(n)}", WARD)
        for c, n in zip(geo.new.code, geo.new.name, strict=True)
    ]
    for entries in ROLES.values():
        for code, name, level, _, _ in entries:
            add(code, name, level)
    water: dict[str, int] = {}
    power: dict[str, int] = {}
    for table, target in ((WATER, water), (POWER, power)):
        for code, (name, areas) in table.items():
            i = add(code, name, COMPANY)
            for area in areas:
                target.setdefault(area, i)
    return Units(
        codes=np.array(codes, dtype=object),
        names=np.array(names, dtype=object),
        levels=np.array(levels, dtype=object),
        index=index,
        ward_19=out["ward_19"],
        ward_21=out["ward_21"],
        ward_2503=out["ward_2503"],
        police_19=out["police_19"],
        police_21=out["police_21"],
        police_2503=out["police_2503"],
        district_19=out["district_19"],
        district_21=out["district_21"],
        health_19=out["health_19"],
        health_21=out["health_21"],
        ward_new=np.array(ward_new),
        police_new=np.array(police_new),
        water=water,
        power=power,
    )


def route(
    units: Units,
    geo: Geo,
    routing: dict,
    category: np.ndarray,
    category_codes: list[str],
    period: np.ndarray,
    days: np.ndarray,
    base: np.ndarray,
    new: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Unit index handling each complaint, by category, date and place.

    ``period``: 0 (2019 wards), 1 (2021–2024), 2 (2025-01..06), 3 (from 2025-07-01); ``base``:
    2019 ward or -1 outside the old city; ``new``: 168-unit ward (periods 3) or -1; ``days``:
    dates as ``datetime64[D]``.
    """
    b = np.where(base >= 0, base, 0)
    nw = np.where(new >= 0, new, 0)
    after = period == 3
    in_old = base >= 0
    ward = np.select(
        [period == 0, period == 1, period == 2],
        [units.ward_19[b], units.ward_21[b], units.ward_2503[b]],
        units.ward_new[nw],
    )
    police = np.select(
        [period == 0, period == 1, period == 2],
        [units.police_19[b], units.police_21[b], units.police_2503[b]],
        units.police_new[nw],
    )
    district = np.where(period == 0, units.district_19[b], units.district_21[b])
    district = np.where(after, ward, district)
    health = np.where(period == 0, units.health_19[b], units.health_21[b])
    health = np.where(after, ward, health)
    area = geo.area_of(base, new)
    water = _by_area(geo, units.water)[area]
    power = _by_area(geo, units.power)[area]
    water = np.where(water >= 0, water, ward)
    power = np.where(power >= 0, power, ward)
    kinds = {"ward": ward, "police": police, "district": district, "health": health}
    kinds |= {"water": water, "power": power}

    out = ward.copy()
    default = routing.get("default") or {"ward": 1.0}
    for ci, code in enumerate(category_codes):
        rows = np.flatnonzero(category == ci)
        if len(rows) == 0:
            continue
        mix = routing.get(code) or default
        names = list(mix)
        weights = np.array([float(mix[k]) for k in names])
        pick = rng.choice(len(names), size=len(rows), p=weights / weights.sum())
        for ki, kind in enumerate(names):
            sel = rows[pick == ki]
            if kind in kinds:
                out[sel] = kinds[kind][sel]
            else:
                out[sel] = _role(units, kind, days[sel], in_old[sel], ward[sel], rng)
    return out


def _role(
    units: Units,
    role: str,
    days: np.ndarray,
    in_old: np.ndarray,
    fallback: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    entries = ROLES.get(role)
    if not entries:
        raise ValueError(f"profile routing names an unknown unit kind '{role}'")
    out = fallback.copy()
    pick = rng.integers(0, 1 << 30, len(days))
    valid = []
    for code, _, _, start, end in entries:
        ok = np.ones(len(days), dtype=bool)
        if start is not None:
            ok &= days >= np.datetime64(start)
        if end is not None:
            ok &= days < np.datetime64(end)
        valid.append((units.index[code], ok))
    n_valid = sum(ok.astype(int) for _, ok in valid)
    nth = np.where(n_valid > 0, pick % np.maximum(n_valid, 1), -1)
    seen = np.zeros(len(days), dtype=int)
    for unit, ok in valid:
        out[ok & (seen == nth)] = unit
        seen += ok
    if role in OLD_CITY_ONLY:
        out[~in_old] = fallback[~in_old]
    return out


def _by_area(geo: Geo, table: dict[str, int]) -> np.ndarray:
    """Unit of each area of ``geo.areas`` ("769:762" falls back to "769")."""
    return np.array([table.get(a, table.get(a.split(":")[0], -1)) for a in geo.areas])


def units_frame(units: Units) -> pd.DataFrame:
    """The registry as a table (code, name, level)."""
    return pd.DataFrame({"code": units.codes, "name": units.names, "level": units.levels})
