"""Realistic synthetic HCMC complaints in the export format of the city's 1022 portal."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from boundaries.settings import BoundarySettings
from etl.demo import badrows, places, text, timeline
from etl.demo.handlers import route
from etl.demo.places import Geo, load_geo
from etl.demo.profile import load_profile, load_taxonomy, load_texts
from etl.demo.timeline import DAY, HOUR, NEVER
from etl.demo.vocabulary import Vocabulary, vocabulary

COLUMNS = [
    "Mã phản ánh",
    "Thời gian tiếp nhận",
    "Lĩnh vực",
    "Chuyên mục",
    "Tiêu đề",
    "Nội dung",
    "Địa chỉ",
    "Vĩ độ",
    "Kinh độ",
    "Kênh tiếp nhận",
    "Mã đơn vị xử lý",
    "Đơn vị xử lý",
    "Cấp đơn vị",
    "Trạng thái",
    "Thời gian phân công",
    "Thời gian bắt đầu xử lý",
    "Thời gian hoàn thành",
    "Thời gian đóng",
    "Thời gian từ chối",
    "Mức độ hài lòng",
    "Họ tên người phản ánh",
    "Số điện thoại",
    "Email",
]
CHANNELS = [
    "Tổng đài 1022",
    "Ứng dụng Công dân số",
    "Cổng thông tin 1022",
    "Zalo",
    "Facebook",
    "Email",
]
WARDS_2021 = date(2021, 1, 1)
WARDS_2025_03 = date(2025, 1, 1)
WARDS_2025_07 = date(2025, 7, 1)

Progress = Callable[[str], None]


class Streams:
    """Independent seeded random streams, one per concern (adding one moves no other)."""

    def __init__(self, seed: int) -> None:
        """Streams derived from ``seed``."""
        self.seed = seed

    def __call__(self, name: str) -> np.random.Generator:
        """The generator of one concern."""
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])


@dataclass
class Rows:
    """Per-row arrays while the frame is being built."""

    category: np.ndarray
    received: np.ndarray
    period: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    base: np.ndarray  # 2019 ward, -1 outside the old city
    new: np.ndarray  # 168-unit ward (period 3), else -1
    hotspot: np.ndarray  # hotspot index, -1
    road: np.ndarray  # road segment, -1
    edge: np.ndarray  # bool: pushed outside the city edge
    with_coords: np.ndarray  # bool


def generate(
    n: int,
    seed: int,
    start: date,
    end: date,
    settings: BoundarySettings | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """``n`` synthetic complaints received from ``start`` to ``end`` (inclusive), as text columns.

    Same arguments, same frame. Columns are :data:`COLUMNS` (object dtype, every value a
    ``str``, '' when blank); ``frame.attrs["demo"]`` counts the deliberately bad rows.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if n < 0:
        raise ValueError("n must be >= 0")
    say = progress or (lambda _: None)
    profile = load_profile()
    taxonomy = load_taxonomy()
    rand = Streams(seed)
    say("boundaries")
    geo = load_geo(settings)
    vocab = vocabulary(geo)

    cats = list(taxonomy.categories.values())
    field_codes = list(taxonomy.fields)
    say("times")
    category = _categories(cats, profile, n, rand("category"))
    received = _received(geo, profile, cats, category, start, end, rand)
    order = np.argsort(received, kind="stable")  # rows in reception order from here on
    category, received = category[order], received[order]
    day = (received // DAY).astype("datetime64[D]")
    period = np.select(
        [
            day < np.datetime64(WARDS_2021),
            day < np.datetime64(WARDS_2025_03),
            day < np.datetime64(WARDS_2025_07),
        ],
        [0, 1, 2],
        3,
    ).astype(np.int8)
    say("places")
    rows = _locate(geo, profile, category, cats, received, period, rand)
    say("lifecycle")
    export_at = int(np.datetime64(end).astype(np.int64)) * DAY
    export_at += int(profile["time"]["export_hour"]) * HOUR + HOUR - 1
    sla = np.array([c.sla_hours for c in cats])[category]
    life = timeline.lifecycle(received, sla, export_at, profile["lifecycle"], rand("lifecycle"))
    bad = badrows.choose(n, rows.with_coords & ~rows.edge, life, profile["bad_rows"], rand("bad"))
    badrows.break_times(received, life, bad, rand("bad-times"))
    cat_codes = [c.code for c in cats]
    unit = _units(vocab, geo, profile, rows, cat_codes, day, rand)
    assigned = life["assigned"] != NEVER
    unit = np.where(assigned, unit, -1)

    say("text")
    columns = _text_columns(vocab, geo, profile, rows, rand, bad)
    columns["Lĩnh vực"] = np.array([taxonomy.fields[f] for f in field_codes], dtype=object)[
        np.array([field_codes.index(c.field_code) for c in cats])[category]
    ]
    columns["Chuyên mục"] = np.array([c.name for c in cats], dtype=object)[category]
    columns["Kênh tiếp nhận"] = _channels(profile, rows.with_coords, rand("channel"))
    codes = np.append(vocab.units.codes, "")
    names = np.append(vocab.units.names, "")
    levels = np.append(vocab.units.levels, "")
    columns["Mã đơn vị xử lý"] = codes[unit]
    columns["Đơn vị xử lý"] = names[unit]
    columns["Cấp đơn vị"] = levels[unit]
    columns["Trạng thái"] = np.array(timeline.STATUS_NAMES, dtype=object)[life["status"]]
    columns["Thời gian tiếp nhận"] = timeline.format_times(received)
    for col, step in (
        ("Thời gian phân công", "assigned"),
        ("Thời gian bắt đầu xử lý", "processing"),
        ("Thời gian hoàn thành", "resolved"),
        ("Thời gian đóng", "closed"),
        ("Thời gian từ chối", "rejected"),
    ):
        columns[col] = timeline.format_times(life[step])
    columns["Mức độ hài lòng"] = _satisfaction(geo, profile, rows, life, rand("satisfaction"))
    columns["Vĩ độ"], columns["Kinh độ"] = _coordinates(rows)
    badrows.break_columns(columns, received, bad, profile["bad_rows"], rand("bad-columns"))

    say("ids")
    columns["Mã phản ánh"] = _ids(received)
    badrows.duplicate_ids(columns, bad["duplicate_id"], rand("bad-ids"))
    frame = pd.DataFrame({col: columns[col] for col in COLUMNS}, dtype=object)
    frame.attrs["demo"] = {
        "seed": seed,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "address_only": int((~rows.with_coords).sum()),
        "bad_rows": {kind: int(mask.sum()) for kind, mask in bad.items()},
    }
    return frame


def _categories(cats: list, profile: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    default = float(profile.get("default_weight", 0.01))
    fields = profile.get("fields") or {}
    within = profile.get("categories") or {}
    cat_w = np.array([float(within.get(c.code, 1.0)) for c in cats])
    field_of = np.array([c.field_code for c in cats], dtype=object)
    total = {f: cat_w[field_of == f].sum() for f in set(field_of)}
    p = np.array(
        [
            float(fields.get(c.field_code, default)) * w / total[c.field_code]
            for c, w in zip(cats, cat_w, strict=True)
        ]
    )
    return rng.choice(len(cats), size=n, p=p / p.sum())


def _received(
    geo: Geo,
    profile: dict,
    cats: list,
    category: np.ndarray,
    start: date,
    end: date,
    rand: Streams,
) -> np.ndarray:
    days = timeline.day_range(start, end)
    old, new = geo.base_weight.sum(), geo.new.weight.sum()
    boost = np.where(days >= np.datetime64(WARDS_2025_07), (old + new) / old, 1.0)
    tp = profile["time"]
    weights = timeline.day_weights(days, tp, boost)
    received = timeline.draw_times(len(category), days, weights, tp["hours"], rand("received"))
    flooding = profile["flooding"]
    flood = _flood_mask(cats, category, flooding)
    if flood.any():
        storms = timeline.storm_days(days, flooding, rand("storms"))
        fw = timeline.flood_day_weights(days, storms, flooding) * boost
        received[flood] = timeline.draw_times(
            int(flood.sum()), days, fw, flooding["storm_hours"], rand("flood-times")
        )
    return received


def _flood_mask(cats: list, category: np.ndarray, flooding: dict) -> np.ndarray:
    codes = [c.code for c in cats]
    if flooding["category"] not in codes:
        return np.zeros(len(category), dtype=bool)
    return category == codes.index(flooding["category"])


def _locate(
    geo: Geo,
    profile: dict,
    category: np.ndarray,
    cats: list,
    received: np.ndarray,
    period: np.ndarray,
    rand: Streams,
) -> Rows:
    n = len(category)
    ch = profile["channels"]
    flooding = profile["flooding"]
    rng = rand("where")
    old_w, new_w = geo.base_weight.sum(), geo.new.weight.sum()
    territory = (period == 3) & (rng.random(n) < new_w / (old_w + new_w))
    flood = _flood_mask(cats, category, flooding)
    hot = flood & ~territory & (rng.random(n) < float(flooding["hotspot_share"]))
    with_coords = rng.random(n) >= float(ch["address_only_share"])

    xs, ys = np.zeros(n), np.zeros(n)
    base = np.full(n, -1, dtype=np.int64)
    new = np.full(n, -1, dtype=np.int64)
    hotspot = np.full(n, -1, dtype=np.int64)

    rows = np.flatnonzero(~territory & ~hot)
    p = geo.base_weight / old_w
    base[rows] = rng.choice(len(p), size=len(rows), p=p)
    xs[rows], ys[rows] = places.sample_in(geo.base_geoms, geo.base_bounds, base[rows], rng)

    rows = np.flatnonzero(territory)
    if len(rows):
        p = geo.new.weight.to_numpy() / new_w
        new[rows] = rng.choice(len(p), size=len(rows), p=p)
        xs[rows], ys[rows] = places.sample_in(geo.new_geoms, geo.new_bounds, new[rows], rng)

    rows = np.flatnonzero(hot)
    if len(rows):
        spots = flooding["hotspots"]
        hw = np.array([float(h.get("weight", 1.0)) for h in spots])
        hotspot[rows] = rng.choice(len(spots), size=len(rows), p=hw / hw.sum())
        lon = np.array([float(h["lon"]) for h in spots])[hotspot[rows]]
        lat = np.array([float(h["lat"]) for h in spots])[hotspot[rows]]
        hx, hy = lon.copy(), lat.copy()
        todo = np.arange(len(rows))
        for _ in range(20):
            cx, cy = places.cluster_around(
                lon[todo], lat[todo], flooding["cluster_sd_m"], flooding["cluster_max_m"], rng
            )
            inside = places.shapely.contains_xy(geo.old_union, cx, cy)
            hx[todo[inside]], hy[todo[inside]] = cx[inside], cy[inside]
            todo = todo[~inside]
            if len(todo) == 0:
                break
        xs[rows], ys[rows] = hx, hy
        base[rows] = geo.base_of(hx, hy)

    edge = np.zeros(n, dtype=bool)
    k = int(round(float(ch["edge_share"]) * n))
    pool = np.flatnonzero(with_coords & ~hot)
    if k and len(pool):
        rows = np.sort(rng.choice(pool, size=min(k, len(pool)), replace=False))
        edge[rows] = True
        pre = rows[period[rows] < 3]
        ex, ey = places.edge_points(geo.old_boundary, geo.old_union, len(pre), rng)
        xs[pre], ys[pre] = ex, ey
        base[pre] = geo.base_of(ex, ey)
        post = rows[period[rows] == 3]
        ex, ey = places.edge_points(geo.city_boundary, geo.city_union, len(post), rng)
        xs[post], ys[post] = ex, ey
        new[post] = geo.new_of(ex, ey)
        in_old = geo.new.province.to_numpy()[new[post]] == "79"
        base[post] = np.where(in_old, geo.base_of(ex, ey), -1)
        territory[post] = ~in_old

    road = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(~territory & ~hot & ~edge)
    hit, snapped = places.nearest_roads(geo, xs[rows], ys[rows], float(ch["snap_max_m"]))
    road[rows] = hit
    snap = rows[(hit >= 0) & with_coords[rows] & (rng.random(len(rows)) < ch["central_snap_share"])]
    if len(snap):
        pos = np.searchsorted(rows, snap)
        # GPS noise (about 4 m): phones never report the exact same point on a street twice.
        noise = rng.normal(0.0, 4.0 / 111_000.0, size=(len(snap), 2))
        xs[snap], ys[snap] = snapped[pos, 0] + noise[:, 0], snapped[pos, 1] + noise[:, 1]
        base[snap] = geo.base_of(xs[snap], ys[snap])

    rows = np.flatnonzero((period == 3) & ~territory & ~edge)
    new[rows] = geo.new_of(xs[rows], ys[rows])
    return Rows(
        category=category,
        received=received,
        period=period,
        xs=xs,
        ys=ys,
        base=base,
        new=new,
        hotspot=hotspot,
        road=road,
        edge=edge,
        with_coords=with_coords,
    )


def _units(
    vocab: Vocabulary,
    geo: Geo,
    profile: dict,
    rows: Rows,
    cat_codes: list[str],
    day: np.ndarray,
    rand: Streams,
) -> np.ndarray:
    return route(
        vocab.units,
        geo,
        profile["routing"],
        rows.category,
        cat_codes,
        rows.period,
        day,
        rows.base,
        rows.new,
        rand("routing"),
    )


def _labels(vocab: Vocabulary, geo: Geo, profile: dict, rows: Rows, rng) -> np.ndarray:
    """Which ward label each address uses: the set in force, sometimes an older one."""
    addr = profile["address"]
    n = len(rows.period)
    b = np.where(rows.base >= 0, rows.base, 0)
    nw = np.where(rows.new >= 0, rows.new, 0)
    u = rng.random(n)
    p = rows.period
    thu_duc = geo.base.district_code_21.to_numpy() == "769"
    label = np.select(
        [p == 0, p == 1, p == 2],
        [vocab.label_19[b], vocab.label_21[b], vocab.label_2503[b]],
        vocab.label_new[nw],
    )
    old_td = (p == 1) & thu_duc[b] & (u < float(addr["old_district_thu_duc"]))
    label[old_td] = vocab.label_19[b[old_td]]
    old_h1 = (p == 2) & (u < float(addr["old_names_2025_h1"]))
    label[old_h1] = vocab.label_21[b[old_h1]]
    old_after = (p == 3) & (u < float(addr["old_names_after_2025_07"]))
    in_old = old_after & (rows.base >= 0)
    label[in_old] = np.where(
        rng.random(int(in_old.sum())) < 0.8, vocab.label_2503[b[in_old]], vocab.label_21[b[in_old]]
    )
    legacy = old_after & (rows.base < 0) & (vocab.label_legacy[nw] >= 0)
    label[legacy] = vocab.label_legacy[nw[legacy]]
    return label


def _streets(vocab: Vocabulary, geo: Geo, rows: Rows, rng) -> tuple[np.ndarray, np.ndarray]:
    n = len(rows.base)
    area = geo.area_of(rows.base, rows.new)
    street = np.zeros(n, dtype=np.int64)
    pick = rng.integers(0, 1 << 30, n)
    for key, options in enumerate(vocab.area_streets):
        sel = area == key
        street[sel] = options[pick[sel] % len(options)]
    alley = np.full(n, "", dtype=object)
    on_road = rows.road >= 0
    street[on_road] = vocab.road_street[rows.road[on_road]]
    alley[on_road] = geo.road_alley[rows.road[on_road]]
    hot = rows.hotspot >= 0
    street[hot] = vocab.hotspot_street[rows.hotspot[hot]]
    alley[hot] = ""
    return street, alley


def _text_columns(
    vocab: Vocabulary,
    geo: Geo,
    profile: dict,
    rows: Rows,
    rand: Streams,
    bad: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    addr = profile["address"]
    n = len(rows.base)
    rng = rand("address")
    label = _labels(vocab, geo, profile, rows, rng)
    street, alley = _streets(vocab, geo, rows, rng)
    ascii_ = rng.random(n) < float(addr["no_diacritics"])
    no_number = rng.random(n) < float(addr["no_house_number"])
    house = text.house_parts(vocab.streets, street, alley, ascii_, no_number, rng)
    address = text.addresses(vocab.labels, label, house, ascii_, rng)
    keep = ~rows.with_coords | (
        rng.random(n) < float(profile["channels"]["address_with_coordinates"])
    )
    keep |= bad["placeholder_coordinate"]
    address = np.where(keep, address, "").astype(object)

    rng = rand("wording")
    texts = load_texts()
    templates = text.Templates(texts["templates"], _category_codes())
    phrase = text.street_phrases(vocab.streets, street, alley, ascii_)
    ward = np.where(ascii_, vocab.labels.phrase_ascii[label], vocab.labels.phrase[label])
    number = np.array([str(k) for k in range(10)], dtype=object)[rng.integers(2, 8, n)]
    t_idx = templates.pick(rows.category, rng, "title")
    b_idx = templates.pick(rows.category, rng, "body")
    t_idx_a = np.where(ascii_, t_idx + len(templates.titles), t_idx)
    b_idx_a = np.where(ascii_, b_idx + len(templates.bodies), b_idx)
    all_titles = np.concatenate([templates.titles, templates.titles_ascii])
    all_bodies = np.concatenate([templates.bodies, templates.bodies_ascii])
    title = text.capitalize_first(text.fill(all_titles, t_idx_a, phrase, ward, number))
    body = np.array(text.fill(all_bodies, b_idx_a, phrase, ward, number), dtype=object)

    rng = rand("contacts")
    c = profile["contacts"]
    names = texts["names"]
    full, local = text.people(names, n, rng)
    full[rng.random(n) < float(c["blank_name"])] = ""
    phone = text.phones(c, names["phone_prefixes"], n, rng)
    phone[rng.random(n) < float(c["blank_phone"])] = ""
    domains = list(names["email_domains"])
    dw = np.array([float(names["email_domains"][d]) for d in domains])
    domain = np.array(domains, dtype=object)[rng.choice(len(domains), n, p=dw / dw.sum())]
    email = np.where(rng.random(n) < float(c["email"]), local + "@" + domain, "").astype(object)
    return {
        "Tiêu đề": title,
        "Nội dung": body,
        "Địa chỉ": address,
        "Họ tên người phản ánh": full,
        "Số điện thoại": phone,
        "Email": email,
    }


def _category_codes() -> list[str]:
    return list(load_taxonomy().categories)


def _channels(profile: dict, with_coords: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    ch = profile["channels"]
    out = np.empty(len(with_coords), dtype=object)
    for mask, mix in ((with_coords, ch["with_coordinates"]), (~with_coords, ch["address_only"])):
        names = list(mix)
        w = np.array([float(mix[k]) for k in names])
        out[mask] = np.array(names, dtype=object)[
            rng.choice(len(names), int(mask.sum()), p=w / w.sum())
        ]
    return out


def _satisfaction(
    geo: Geo, profile: dict, rows: Rows, life: dict, rng: np.random.Generator
) -> np.ndarray:
    s = profile["satisfaction"]
    n = len(rows.base)
    means = np.random.default_rng([rng.integers(1 << 31), 1]).normal(
        float(s["ward_mean"]), float(s["ward_sd"]), len(geo.base) + len(geo.new)
    )
    means = np.clip(means, 1.8, 4.8)
    key = np.where(rows.base >= 0, rows.base, len(geo.base) + np.maximum(rows.new, 0))
    resolved = np.isin(life["status"], [timeline.RESOLVED, timeline.CLOSED])
    rated = resolved & (rng.random(n) < float(s["rated_share"]))
    score = (
        means[key]
        + rng.normal(0.0, float(s["row_sd"]), n)
        - life["late"] * float(s["late_penalty"])
    )
    score = np.clip(np.rint(score), 1, 5).astype(np.int64)
    return np.where(rated, np.array(["", "1", "2", "3", "4", "5"], dtype=object)[score], "").astype(
        object
    )


def _coordinates(rows: Rows) -> tuple[np.ndarray, np.ndarray]:
    lat = np.full(len(rows.ys), "", dtype=object)
    lon = np.full(len(rows.xs), "", dtype=object)
    ok = np.flatnonzero(rows.with_coords)
    lat[ok] = [f"{v:.6f}" for v in rows.ys[ok].tolist()]
    lon[ok] = [f"{v:.6f}" for v in rows.xs[ok].tolist()]
    return lat, lon


def _ids(received: np.ndarray) -> np.ndarray:
    """PA-YYYY-NNNNNNN, numbered per year in reception order (``received`` sorted)."""
    year = (received // DAY).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    first = np.searchsorted(year, year, side="left")
    seq = np.arange(len(year)) - first + 1
    return np.array(
        [f"PA-{y}-{s:07d}" for y, s in zip(year.tolist(), seq.tolist(), strict=True)], dtype=object
    )
