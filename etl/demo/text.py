"""Text of the synthetic complaints: addresses, titles, descriptions, contacts.

Every table is built once from a few hundred unique strings (with and without diacritics), and
rows pick entries by index, so that a million rows take seconds.
"""

from __future__ import annotations

import numpy as np
from unidecode import unidecode

from etl.demo.places import is_road_name

WARD_TYPES = {"Phường": "P.", "Xã": "X.", "Thị trấn": "TT.", "Đặc khu": "ĐK."}
DISTRICT_TYPES = {"Quận": "Q.", "Huyện": "H.", "Thành phố": "TP.", "Thị xã": "TX."}
N_STYLES = 5
STYLE_WEIGHTS = [0.28, 0.2, 0.27, 0.12, 0.13]
CITY = {
    "hcm": (
        ["TP.HCM", "TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "TPHCM", "Tp.HCM", "HCM", ""],
        [0.3, 0.2, 0.1, 0.1, 0.1, 0.05, 0.15],
    ),
    "74": (["Bình Dương", "tỉnh Bình Dương", "BD", ""], [0.5, 0.2, 0.1, 0.2]),
    "77": (["Bà Rịa - Vũng Tàu", "BR-VT", "tỉnh Bà Rịa – Vũng Tàu", ""], [0.4, 0.3, 0.1, 0.2]),
}


def _choose(mask: np.ndarray, yes: str, no: str) -> np.ndarray:
    return np.where(mask, yes, no).astype(object)


def split_type(name: str, types: dict[str, str]) -> tuple[str, str]:
    """('Phường', 'Bến Nghé') from 'Phường Bến Nghé'; ('', name) when no known type."""
    for kind in types:
        if name.startswith(kind + " "):
            return kind, name[len(kind) + 1 :]
    return "", name


def _num(rest: str) -> str | None:
    return str(int(rest)) if rest.isdigit() else None


def ward_styles(ward: str, district: str) -> list[str]:
    """Five ways people write a ward (and district), official first."""
    wt, wr = split_type(ward, WARD_TYPES)
    wn = _num(wr)
    wa = WARD_TYPES.get(wt, "")
    plain_w = f"{wt} {wn}" if wn else ward
    abbr_w = f"{wa}{wn}" if wn else f"{wa} {wr}".strip()
    compact_w = (f"F{wn}" if wt == "Phường" else f"{wa}{wn}") if wn else f"{wa}{wr}"
    lower_w = f"{wt.lower()} {wn or wr}".strip()
    if not district:
        return [ward, plain_w, abbr_w, compact_w if wn else f"{wa}{wr}", lower_w]
    dt, dr = split_type(district, DISTRICT_TYPES)
    dn = _num(dr)
    da = DISTRICT_TYPES.get(dt, "")
    plain_d = f"{dt} {dn}" if dn else district
    abbr_d = f"{da}{dn}" if dn else f"{da} {dr}".strip()
    compact_d = f"{da[:-1]}{dn}" if dn else ("Tp. " + dr if dt == "Thành phố" else dr)
    lower_d = f"{dt.lower()} {dn or dr}".strip() if dt != "Thành phố" else f"TP {dr}"
    return [
        f"{ward}, {district}",
        f"{plain_w}, {plain_d}",
        f"{abbr_w}, {abbr_d}",
        f"{compact_w}, {compact_d}",
        f"{lower_w}, {lower_d}",
    ]


def ward_phrase(ward: str) -> str:
    """'phường Bến Nghé', 'phường 7': the ward as written inside a sentence."""
    wt, wr = split_type(ward, WARD_TYPES)
    return f"{wt.lower()} {_num(wr) or wr}".strip()


class LabelTable:
    """Unique (ward, district, city kind) labels with their written styles."""

    def __init__(self) -> None:
        """An empty table."""
        self.keys: dict[tuple[str, str, str], int] = {}

    def add(self, ward: str, district: str, kind: str = "hcm") -> int:
        """Index of a label, added when new."""
        key = (ward, district, kind)
        if key not in self.keys:
            self.keys[key] = len(self.keys)
        return self.keys[key]

    def add_many(self, wards, districts, kind: str = "hcm") -> np.ndarray:
        """Indices of many labels."""
        return np.array([self.add(w, d, kind) for w, d in zip(wards, districts, strict=True)])

    def freeze(self) -> None:
        """Build the style tables (call after the last ``add``)."""
        keys = list(self.keys)
        self.styles = np.array([ward_styles(w, d) for w, d, _ in keys], dtype=object)
        self.styles_ascii = np.vectorize(unidecode, otypes=[object])(self.styles)
        self.phrase = np.array([ward_phrase(w) for w, _, _ in keys], dtype=object)
        self.phrase_ascii = np.array([unidecode(p) for p in self.phrase], dtype=object)
        self.kind = np.array([k for _, _, k in keys], dtype=object)


class StreetTable:
    """Unique street names, with their ASCII forms and how they read in a sentence."""

    def __init__(self) -> None:
        """An empty table."""
        self.keys: dict[str, int] = {}

    def add(self, name: str) -> int:
        """Index of a street, added when new."""
        if name not in self.keys:
            self.keys[name] = len(self.keys)
        return self.keys[name]

    def freeze(self) -> None:
        """Build the lookup arrays (call after the last ``add``)."""
        names = list(self.keys)
        self.name = np.array(names, dtype=object)
        self.ascii = np.array([unidecode(s) for s in names], dtype=object)
        self.is_road = np.array([is_road_name(s) for s in names])


def street_phrases(
    streets: StreetTable, idx: np.ndarray, alley: np.ndarray, ascii_: np.ndarray
) -> np.ndarray:
    """'đường Lê Lợi', 'Quốc lộ 13', 'hẻm 154 Nguyễn Biểu' for each row."""
    name = np.where(ascii_, streets.ascii[idx], streets.name[idx])
    road = streets.is_road[idx]
    prefix = _choose(ascii_, "duong ", "đường ")
    alley_prefix = _choose(ascii_, "hem ", "hẻm ")
    has_alley = alley != ""
    return np.where(
        has_alley, alley_prefix + alley + " " + name, np.where(road, name, prefix + name)
    )


# House-part formats: {0} number, {1} sub-number, {2} second sub-number, {3} street, {4} letter,
# {5} alley number. Key: (style, ascii, street already says its kind).
_HOUSE = [
    "{0} {3}",
    "{0}/{1} {3}",
    "{0}/{1}/{2} {3}",
    ("hẻm {0}/{1} {3}", "hem {0}/{1} {3}"),
    (("Số {0} đường {3}", "Số {0} {3}"), ("So {0} duong {3}", "So {0} {3}")),
    "{0}{4} {3}",
    "{5}/{1} {3}",  # in a known alley
    ("hẻm {5} {3}", "hem {5} {3}"),
    (("đường {3}", "{3}"), ("duong {3}", "{3}")),  # no house number
]
_HOUSE_WEIGHTS = [0.42, 0.24, 0.05, 0.07, 0.14, 0.08]


def _house_formats() -> list[str]:
    out = []
    for entry in _HOUSE:
        for asc in (0, 1):
            for road in (0, 1):
                value = entry if isinstance(entry, str) else entry[asc]
                out.append(value if isinstance(value, str) else value[road])
    return out


HOUSE_FORMATS = _house_formats()


def house_parts(
    streets: StreetTable,
    idx: np.ndarray,
    alley: np.ndarray,
    ascii_: np.ndarray,
    no_number: np.ndarray,
    rng: np.random.Generator,
) -> list[str]:
    """The house-and-street part of addresses ('45/12 Lê Văn Sỹ', 'Số 8 đường Tô Ký', ...)."""
    n = len(idx)
    name = np.where(ascii_, streets.ascii[idx], streets.name[idx])
    road = streets.is_road[idx]
    num = np.where(rng.random(n) < 0.5, rng.integers(1, 120, n), rng.integers(1, 600, n))
    sub = rng.integers(1, 80, n)
    sub2 = rng.integers(1, 30, n)
    letter = np.array(["A", "B", "C", "Bis"], dtype=object)[rng.integers(0, 4, n)]
    style = rng.choice(len(_HOUSE_WEIGHTS), n, p=_HOUSE_WEIGHTS)
    in_alley = alley != ""
    style = np.where(in_alley, np.where(rng.random(n) < 0.7, 6, 7), style)
    style = np.where(no_number, np.where(in_alley, 7, 8), style)
    code = style * 4 + ascii_.astype(np.int64) * 2 + road.astype(np.int64)
    fmt = [HOUSE_FORMATS[c].format for c in range(len(HOUSE_FORMATS))]
    return [
        fmt[c](a, b, d, s, e, f)
        for c, a, b, d, s, e, f in zip(
            code.tolist(),
            num.tolist(),
            sub.tolist(),
            sub2.tolist(),
            name.tolist(),
            letter.tolist(),
            alley.tolist(),
            strict=True,
        )
    ]


_ADDRESS = ["{1}", "{1}, {2}", "{0}, {1}", "{0}, {1}, {2}"]


def addresses(
    labels: LabelTable,
    label: np.ndarray,
    house: list[str],
    ascii_: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Full address text: house part, ward (and district) in one of five styles, city."""
    n = len(label)
    style = rng.choice(N_STYLES, n, p=STYLE_WEIGHTS)
    ward = np.where(ascii_, labels.styles_ascii[label, style], labels.styles[label, style])
    kind = labels.kind[label]
    city = np.full(n, "", dtype=object)
    for k, (names, weights) in CITY.items():
        rows = np.flatnonzero(kind == k)
        if len(rows) == 0:
            continue
        w = np.asarray(weights) / np.sum(weights)
        vi = np.array(names, dtype=object)
        asc = np.array([unidecode(s) for s in names], dtype=object)
        pick = rng.choice(len(names), len(rows), p=w)
        city[rows] = np.where(ascii_[rows], asc[pick], vi[pick])
    fmt = [f.format for f in _ADDRESS]
    return np.array(
        [
            fmt[(h != "") * 2 + (c != "")](h, w, c)
            for h, w, c in zip(house, ward.tolist(), city.tolist(), strict=True)
        ],
        dtype=object,
    )


class Templates:
    """Titles and descriptions per category, with ASCII twins."""

    def __init__(self, templates: dict, category_codes: list[str]) -> None:
        """Index the templates of the categories in ``category_codes`` order."""
        fallback = templates["khac"]
        titles: list[str] = []
        bodies: list[str] = []
        self.title_ranges = []
        self.body_ranges = []
        for code in category_codes:
            entry = templates.get(code) or fallback
            self.title_ranges.append((len(titles), len(entry["titles"])))
            titles.extend(entry["titles"])
            self.body_ranges.append((len(bodies), len(entry["bodies"])))
            bodies.extend(entry["bodies"])
        self.titles = np.array(titles, dtype=object)
        self.bodies = np.array(bodies, dtype=object)
        self.titles_ascii = np.array([unidecode(t) for t in titles], dtype=object)
        self.bodies_ascii = np.array([unidecode(b) for b in bodies], dtype=object)

    def pick(self, category: np.ndarray, rng: np.random.Generator, which: str) -> np.ndarray:
        """A template index per row for its category (``which``: 'title' or 'body')."""
        ranges = np.array(self.title_ranges if which == "title" else self.body_ranges)
        start, count = ranges[category, 0], ranges[category, 1]
        return start + (rng.random(len(category)) * count).astype(np.int64)


_FIELDS = {"{street}": "{0}", "{ward}": "{1}", "{n}": "{2}"}


def fill(
    templates: np.ndarray, idx: np.ndarray, street: np.ndarray, ward: np.ndarray, n: np.ndarray
) -> list[str]:
    """Templates filled with each row's street phrase, ward phrase and number."""
    formats = []
    for t in templates:
        for field, pos in _FIELDS.items():
            t = t.replace(field, pos)
        formats.append(t.format)
    return [
        formats[i](s, w, k)
        for i, s, w, k in zip(idx.tolist(), street.tolist(), ward.tolist(), n.tolist(), strict=True)
    ]


def capitalize_first(values: list[str]) -> np.ndarray:
    """Sentence case: the first letter upper-cased (phrases may start a title)."""
    return np.array([v[:1].upper() + v[1:] for v in values], dtype=object)


def people(names: dict, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Vietnamese full names (họ + tên đệm + tên) and an ASCII e-mail local part for each."""
    family = list(names["family"])
    fw = np.array([float(names["family"][f]) for f in family])
    fam_i = rng.choice(len(family), n, p=fw / fw.sum())
    female = rng.random(n) < 0.5
    mid_m, mid_f = names["middle_male"], names["middle_female"]
    giv_m, giv_f = names["given_male"], names["given_female"]
    mid_i = rng.integers(0, 1 << 30, n)
    giv_i = rng.integers(0, 1 << 30, n)
    fam = np.array(family, dtype=object)[fam_i]
    mid = np.where(
        female,
        np.array(mid_f, dtype=object)[mid_i % len(mid_f)],
        np.array(mid_m, dtype=object)[mid_i % len(mid_m)],
    )
    giv = np.where(
        female,
        np.array(giv_f, dtype=object)[giv_i % len(giv_f)],
        np.array(giv_m, dtype=object)[giv_i % len(giv_m)],
    )
    full = np.array(
        [f"{a} {b} {c}" for a, b, c in zip(fam.tolist(), mid.tolist(), giv.tolist(), strict=True)],
        dtype=object,
    )
    upper = rng.random(n) < 0.03
    full[upper] = np.array([s.upper() for s in full[upper]], dtype=object)
    words = sorted(set(family) | set(mid_m + mid_f + giv_m + giv_f))
    low = {s: unidecode(s).lower() for s in words}
    year = rng.integers(60, 105, n) % 100
    number = rng.integers(1, 999, n)
    style = rng.choice(4, n, p=[0.35, 0.3, 0.2, 0.15])
    formats = ["{2}{0}{3:02d}", "{0}{1}{2}", "{2}.{0}", "{0}{2}{4}"]
    local = np.array(
        [
            formats[s].format(low[a], low[b], low[c], y, k)
            for s, a, b, c, y, k in zip(
                style.tolist(),
                fam.tolist(),
                mid.tolist(),
                giv.tolist(),
                year.tolist(),
                number.tolist(),
                strict=True,
            )
        ],
        dtype=object,
    )
    return full, local


def phones(contacts: dict, prefixes: list[str], n: int, rng: np.random.Generator) -> np.ndarray:
    """Mobile numbers (09x, 03x, 07x, 08x) in the usual written styles."""
    pre = np.array(prefixes, dtype=object)[rng.integers(0, len(prefixes), n)]
    body = rng.integers(0, 10_000_000, n)
    styles = contacts["phone_styles"]
    names = list(styles)
    w = np.array([float(styles[k]) for k in names])
    style = np.array(names, dtype=object)[rng.choice(len(names), n, p=w / w.sum())]
    out = []
    for p, b, s in zip(pre.tolist(), body.tolist(), style.tolist(), strict=True):
        digits = f"{b:07d}"
        if s == "spaced":
            out.append(f"{p}{digits[0]} {digits[1:4]} {digits[4:]}")
        elif s == "intl":
            out.append(f"+84 {p[1:]}{digits}")
        else:
            out.append(p + digits)
    return np.array(out, dtype=object)
