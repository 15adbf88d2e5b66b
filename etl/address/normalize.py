"""Vietnamese address normalisation: fold, split into typed components, canonical unit keys.

Everything is lexical (no gazetteer): ``parse("123/4 Nguyễn Trãi, P.2, Q5, TP.HCM")`` gives a
street (house 123/4, alley 123, road ``nguyen trai``), a ward ``2``, a district ``5`` and the
city. Unit keys drop diacritics, case, spaces, the unit type and leading zeros, so
``Phường 07`` = ``P7`` = ``F.7`` = ``phuong 7`` (key ``7``) and ``Phường Bến Nghé`` = ``p ben
nghe`` (key ``bennghe``). Untyped components ("Bến Nghé", "Bình Thạnh") stay ``text`` for the
gazetteer to classify.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from boundaries.names import strip_diacritics
from boundaries.streets import street_key

WARD, DISTRICT, CITY, PROVINCE, STREET, TEXT = (
    "ward",
    "district",
    "city",
    "province",
    "street",
    "text",
)
HCM = "hcm"

# Unit type words as written (folded) -> canonical folded type.
WARD_TYPES = {
    "phuong": "phuong",
    "ph": "phuong",
    "p": "phuong",
    "f": "phuong",
    "ward": "phuong",
    "xa": "xa",
    "x": "xa",
    "commune": "xa",
    "thi tran": "thi tran",
    "tt": "thi tran",
    "town": "thi tran",
    "dac khu": "dac khu",
}
DISTRICT_TYPES = {
    "quan": "quan",
    "q": "quan",
    "district": "quan",
    "dist": "quan",
    "huyen": "huyen",
    "h": "huyen",
    "thi xa": "thi xa",
    "tx": "thi xa",
    "thanh pho": "thanh pho",
    "tp": "thanh pho",
}
# Official type prefixes of unit names (folded), longest first.
_OFFICIAL_TYPE = re.compile(
    r"^(thanh pho|thi tran|thi xa|dac khu|phuong|quan|huyen|tinh|xa)\s+(?=\S)"
)
# Informal district abbreviations, only read after a district marker ("Q.BT", "Q. Gò Vấp").
DISTRICT_ABBREVIATIONS = {
    "bt": "binhthanh",
    "gv": "govap",
    "pn": "phunhuan",
    "tb": "tanbinh",
    "tp": "tanphu",
    "btan": "binhtan",
    "td": "thuduc",
    "bc": "binhchanh",
    "cc": "cuchi",
    "hm": "hocmon",
    "nb": "nhabe",
    "cg": "cangio",
}
_CITY_NAMES = {"hochiminh", "hcm", "hcmc", "tphcm", "saigon", "sg", "hochiminhcity", "hcmcity"}
_CITY_PREFIX = re.compile(r"^(?:tp|thanh pho|t p|tinh)\s*")
MERGED_PROVINCES = {  # merged into HCMC on 2025-07-01, key -> GSO province code
    "binhduong": "74",
    "bariavungtau": "77",
    "brvt": "77",
    "bariavt": "77",
}
_OTHER_PROVINCES = frozenset(
    """hanoi haiphong danang cantho hue thuathienhue angiang baclieu bacgiang backan bacninh
    bentre binhdinh binhphuoc binhthuan camau caobang daklak daknong dienbien dongnai dongthap
    gialai hagiang hanam hatinh haiduong haugiang hoabinh hungyen khanhhoa kiengiang kontum
    laichau lamdong langson laocai longan namdinh nghean ninhbinh ninhthuan phutho phuyen
    quangbinh quangnam quangngai quangninh quangtri soctrang sonla tayninh thaibinh thainguyen
    thanhhoa tiengiang travinh tuyenquang vinhlong vinhphuc yenbai""".split()
)
_COUNTRY = frozenset({"vietnam", "vn", "nuocvietnam"})

_SEPARATORS = re.compile(r"[;|\n\r\t]+|\s+[-–—]+\s+|[–—]+|,")
_PUNCT = re.compile(r"[.:()\"'#*!?\[\]{}<>=_~`^+\\]+")
_SPACES = re.compile(r"\s+")
_GLUED = re.compile(r"\b(phuong|quan|ward|district|dist|ph|p|f|q)(\d{1,2}[a-z]?)\b")
_DASHED_MARKER = re.compile(r"(?<=[0-9a-z])-(?=(?:p|f|q|tp|h|x|tt|phuong|quan|huyen)\b)")
_NUMBER_THEN_NAME = re.compile(
    r"^(?P<unit>(?:phuong|ph|p|f|ward|quan|q|district|dist) \d{1,2}) (?P<rest>[a-z].*)$"
)
_NUMBERED_ONLY = re.compile(r"^(?:so nha|so|sn|nha so)?\s*\d[\w/-]*$")
_GLUED_KP = re.compile(r"\bkp(\d)")
_GLUED_CITY = re.compile(r"\b(?:tphcm|tp hcm|hcmc)\b")
_BRVT = re.compile(r"\bba ria\s*[-–]?\s*vung tau\b|\bbr\s*-\s*vt\b")
_Y_AS_I = re.compile(r"\b(k|l|m|t|s|h|v|qu)y\b")
_ALPHA = re.compile(r"[a-z]")
# Markers that start a component, longest first; two-word ones are matched on token pairs.
_MARKERS_2 = {"thi xa", "thi tran", "thanh pho", "dac khu"}
_MARKERS_1 = (set(WARD_TYPES) | set(DISTRICT_TYPES)) - {"town"}
# Parts below the ward (khu phố, ấp, tổ...) followed by a number: cut off and ignored.
# ("lo" is not cut there: "tinh lo 10", "quoc lo 13" are roads.)
_SUB_WARD = {"kp", "ap", "to", "khu", "khom", "lau", "tang", "block"}
_SUB_WARD_PART = re.compile(
    r"^(?:khu pho|to dan pho|kp|ap|to|khu|khom|lau|tang|block|lo|phong|can ho|chung cu|cc)"
    r"\s+\S*\d\S*$"
)
_TRAILING_HINT = re.compile(r"(?:minh|hcm|gon|nam|city|vungtau|duong)$")
_TRAILING_CITY = re.compile(
    r"^(?P<head>.+?)\s+(?P<tail>(?:(?:tp|thanh pho)\s+)?(?:ho chi minh|hcm|sai gon|saigon)"
    r"(?:\s+city)?|viet nam|vietnam|bariavungtau|(?:tinh\s+)?binh duong)$"
)
_SINGLE_LETTER = {"p", "f", "q", "h", "x"}
_ANY_MARKER = re.compile(
    r" (?:" + "|".join(sorted(_MARKERS_1 | _MARKERS_2 | _SUB_WARD, key=len, reverse=True)) + r") "
)
# (marker, next token) pairs that are words of a name, not unit types.
_NOT_MARKER = {("xa", "lo"), ("tinh", "lo"), ("huyen", "thanh")}

_HOUSE = re.compile(
    r"^(?:(?:so nha|nha so|so|sn|nha)\s+)?(?P<house>\d[\w/-]*)\s+(?P<rest>[a-z].*)$"
)
_ALLEY = re.compile(
    r"^(?:hem xe hoi|hem so|hem|hxh|ngo|ngach|kiet)\s+(?P<no>\d[\w/-]*)\s+(?P<rest>[a-z].*)$"
)
_STREET_WORD = re.compile(r"^(?:duong so|duong|pho|dg|d|street|st|con duong)\s+(?=\S)")
_WARD_SUFFIX = re.compile(r"^(?P<name>.+)\s+(?P<type>ward|commune|town)$")
_DISTRICT_SUFFIX = re.compile(r"^(?P<name>.+)\s+(?P<type>district)$")


@dataclass(frozen=True, slots=True)
class Component:
    """One typed part of an address.

    ``key`` is a unit key ('7', 'bennghe') for wards, districts and text, a province key for
    provinces, 'hcm' for the city, and the road key for streets (``keys`` adds variants and
    ``alleys`` the alley numbers to try, most specific first).
    """

    kind: str
    key: str
    raw: str
    unit_type: str | None = None
    number: bool = False
    keys: tuple[str, ...] = ()
    alleys: tuple[str, ...] = ()
    house: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """Typed components of one address, in written order (small to large)."""

    text: str
    folded: str
    components: tuple[Component, ...]

    def of(self, kind: str) -> tuple[Component, ...]:
        """Components of one kind."""
        return tuple(c for c in self.components if c.kind == kind)

    @property
    def street(self) -> Component | None:
        """The first street component, if any."""
        return next((c for c in self.components if c.kind == STREET), None)


def _fold_table() -> dict[int, str]:
    """strip_diacritics of every Latin letter, combining mark and punctuation, precomputed."""
    ranges = ((0x80, 0x250), (0x300, 0x370), (0x1E00, 0x1F00), (0x2000, 0x2070))
    return {c: strip_diacritics(chr(c)) for lo, hi in ranges for c in range(lo, hi)}


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower-case ASCII: 'Phường Bến Nghé' -> 'phuong ben nghe' (đ -> d, separators kept).

    Same result as ``boundaries.names.strip_diacritics`` (unidecode), through a table for
    the Vietnamese letters, so that composed and decomposed input fold alike, fast.
    """
    if not text.isascii():
        text = text.translate(_FOLD)
        if not text.isascii():
            text = strip_diacritics(text)
    return text.lower()


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def tone_words(text: str) -> tuple[str, ...]:
    """Words with diacritics, tone marks moved to the end of each word, so that 'Hoà' and
    'Hòa' are equal while 'Thạnh' and 'Thanh' differ."""
    words = []
    for word in unicodedata.normalize("NFD", text.lower()).split():
        letters = "".join(c for c in word if c.isalnum() or unicodedata.combining(c))
        if letters:
            tones = "".join(c for c in letters if c in _TONES)
            words.append("".join(c for c in letters if c not in _TONES) + tones)
    return tuple(words)


def contains_words(text_words: tuple[str, ...], name_words: tuple[str, ...]) -> bool:
    """True when `name_words` occur as consecutive words of `text_words`."""
    size = len(name_words)
    return size > 0 and any(
        text_words[i : i + size] == name_words for i in range(len(text_words) - size + 1)
    )


def unit_key(name: str) -> str:
    """Key of a unit name without its type: 'Tân Định' -> 'tandinh', '07' -> '7'."""
    return _key(_SPACES.sub(" ", _PUNCT.sub(" ", fold(name))).strip())


def _key(folded: str) -> str:
    """unit_key of text already folded, without punctuation and with single spaces."""
    if "y" in folded:
        folded = _Y_AS_I.sub(r"\1i", folded)
    key = folded.replace(" ", "")
    if key[:1] == "0" and key.isdigit():
        return key.lstrip("0") or "0"
    return key


def official_key(name: str) -> tuple[str | None, str]:
    """Folded type and key of an official name: 'Phường 07' -> ('phuong', '7')."""
    folded = _SPACES.sub(" ", _PUNCT.sub(" ", fold(name))).strip()
    match = _OFFICIAL_TYPE.match(folded)
    if not match:
        return None, _key(folded)
    return match.group(1), _key(folded[match.end() :])


@lru_cache(maxsize=262_144)
def parse(text: str | None) -> ParsedAddress:
    """Split an address into typed components (cached by the exact input string)."""
    if not text:
        return ParsedAddress("", "", ())
    folded = _prepare(fold(text))
    chunks = [c.strip() for c in _SEPARATORS.split(folded)]
    parts: list[str] = []
    for chunk in chunks:
        if chunk:
            parts.extend(_split_markers(chunk))
    components = [c for c in (_classify(p) for p in parts) if c is not None]
    _mark_trailing_province(components)
    return ParsedAddress(text, folded, tuple(components))


def clear_caches() -> None:
    """Forget every cached parse (benchmarks measure cold runs with it)."""
    parse.cache_clear()
    _classify.cache_clear()
    _street_variants.cache_clear()


def _prepare(folded: str) -> str:
    # Each substitution only where its trigger occurs: this runs once per address.
    text = _BRVT.sub("bariavungtau", folded) if "vt" in folded or "vung" in folded else folded
    text = _PUNCT.sub(" ", text)
    if "-" in text:
        text = _DASHED_MARKER.sub(", ", text)
    if "hcm" in text:
        text = _GLUED_CITY.sub(", hcm,", text)
    if "kp" in text:
        text = _GLUED_KP.sub(r"kp \1", text)
    return _SPACES.sub(" ", _GLUED.sub(r"\1 \2", text)).strip()


def _is_marker(tokens: list[str], i: int) -> int:
    """Length (0, 1 or 2 tokens) of a unit-type marker starting at tokens[i]."""
    pair = " ".join(tokens[i : i + 2])
    if pair in _MARKERS_2 and i + 2 < len(tokens):
        return 2
    token = tokens[i]
    if token in _SUB_WARD and i + 1 < len(tokens) and tokens[i + 1][0].isdigit():
        return 1
    if token not in _MARKERS_1 or i + 1 >= len(tokens):
        return 0
    nxt = tokens[i + 1]
    if (token, nxt) in _NOT_MARKER or nxt in _MARKERS_1:
        return 0
    if token in {"h", "x", "tt", "tx", "huyen", "xa"} and not nxt[0].isalpha():
        return 0
    return 1


def _split_markers(chunk: str) -> list[str]:
    """Cut a chunk before unit-type markers: '12 le loi p ben nghe q 1' -> 3 parts."""
    if not _ANY_MARKER.search(chunk) and not _NUMBER_THEN_NAME.match(chunk):
        return _trailing_city(chunk)
    tokens = chunk.split(" ")
    parts: list[list[str]] = [[]]
    i = 0
    while i < len(tokens):
        size = _is_marker(tokens, i) if i > 0 else 0
        if size and parts[-1] and not _inside_name(tokens, i):
            parts.append([])
        take = max(size, 1)
        parts[-1].extend(tokens[i : i + take])
        i += take
    out: list[str] = []
    for words in parts:
        part = " ".join(words)
        numbered = _NUMBER_THEN_NAME.match(part)  # "phuong 25 binh thanh"
        if numbered:
            out.append(numbered.group("unit"))
            part = numbered.group("rest")
        out.extend(_trailing_city(part))
    return out


def _trailing_city(part: str) -> list[str]:
    """'quan 1 ho chi minh' -> ['quan 1', 'ho chi minh'] (not 'phuong sai gon')."""
    if not _TRAILING_HINT.search(part):
        return [part]
    trailing: list[str] = []
    while (match := _TRAILING_CITY.match(part)) and not _only_marker(match.group("head")):
        part, tail = match.group("head"), match.group("tail")
        trailing.insert(0, tail)
    return [part, *trailing]


def _only_marker(text: str) -> bool:
    return text in _MARKERS_1 or text in _MARKERS_2


def _inside_name(tokens: list[str], i: int) -> bool:
    # "ba huyen thanh quan" (a street) and a lone letter after a house-number token.
    if tokens[i] == "huyen" and i > 0 and tokens[i - 1] == "ba":
        return True
    return tokens[i] in _SINGLE_LETTER and i == 1 and tokens[0][0].isdigit()


@lru_cache(maxsize=131_072)
def _classify(part: str) -> Component | None:
    """The typed component of one part (cached: ward, district and city parts repeat)."""
    part = part.strip(" -/")
    if not part or not _ALPHA.search(part) and not part.isdigit():
        return None
    compact = part.replace(" ", "")
    if compact in _COUNTRY or _SUB_WARD_PART.match(part):
        return None
    if compact in _CITY_NAMES or _city_name(part):
        return Component(CITY, HCM, part)
    for classify in (_unit_component, _street_component):
        found = classify(part)
        if found is not None:
            return found
    keys = () if _NUMBERED_ONLY.match(part) else _street_variants(part)
    return Component(TEXT, _key(part), part, keys=keys)


def _city_name(part: str) -> bool:
    rest = _CITY_PREFIX.sub("", part, count=1).replace(" ", "")
    return rest != part.replace(" ", "") and rest in _CITY_NAMES


def _unit_component(part: str) -> Component | None:
    tokens = part.split(" ")
    if len(tokens) > 1 and (tokens[0], tokens[1]) in _NOT_MARKER:
        return None
    if tokens[0] == "tinh" and len(tokens) > 1:
        return _province(" ".join(tokens[1:]), part)
    head2 = " ".join(tokens[:2])
    if head2 in _MARKERS_2 and len(tokens) > 2:
        marker, rest = head2, " ".join(tokens[2:])
    elif len(tokens) > 1 and (tokens[0] in _MARKERS_1 or tokens[0] in {"ward", "district"}):
        marker, rest = tokens[0], " ".join(tokens[1:])
    else:
        suffix = _WARD_SUFFIX.match(part) or _DISTRICT_SUFFIX.match(part)
        if not suffix:
            return None
        marker, rest = suffix.group("type"), suffix.group("name")
    if marker in ("tp", "thanh pho"):
        compact = rest.replace(" ", "")
        if compact in _CITY_NAMES:
            return Component(CITY, HCM, part)
        if compact in _OTHER_PROVINCES or compact in MERGED_PROVINCES:
            return _province(rest, part)
    kind = WARD if marker in WARD_TYPES else DISTRICT
    unit_type = (WARD_TYPES if kind == WARD else DISTRICT_TYPES)[marker]
    key = _key(rest)
    if kind == DISTRICT and key in DISTRICT_ABBREVIATIONS:
        key = DISTRICT_ABBREVIATIONS[key]
    return Component(kind, key, part, unit_type=unit_type, number=key.isdigit())


def _province(name: str, part: str) -> Component | None:
    key = _key(name)
    if key in MERGED_PROVINCES or key in _OTHER_PROVINCES:
        return Component(PROVINCE, key, part)
    return None


def _street_component(part: str) -> Component | None:
    alley = _ALLEY.match(part)
    if alley:
        number = alley.group("no")
        return _street(alley.group("rest"), part, _alley_numbers(number, own=True), number)
    house = _HOUSE.match(part)
    if house:
        number = house.group("house")
        return _street(house.group("rest"), part, _alley_numbers(number, own=False), number)
    if _STREET_WORD.match(part):
        return _street(part, part, (), None)
    return None


def _street(road: str, part: str, alleys: tuple[str, ...], house: str | None) -> Component:
    nested = _ALLEY.match(road)  # "12 hem 45 ton dan": house in a named alley
    if nested:
        alleys = _alley_numbers(nested.group("no"), own=True)
        road = nested.group("rest")
    keys = _street_variants(road)
    return Component(STREET, keys[0], part, keys=keys, alleys=alleys, house=house)


@lru_cache(maxsize=65_536)
def _street_variants(road: str) -> tuple[str, ...]:
    """Road keys to try: as written, then without a leading 'duong'/'pho'."""
    first = street_key(road)
    bare = _STREET_WORD.sub("", road, count=1)
    second = street_key(bare) if bare != road else first
    return (first,) if second == first else (first, second)


def _alley_numbers(number: str, *, own: bool) -> tuple[str, ...]:
    """Alleys a house number lies in: '122/27/16' -> ('122/27', '122'); own=True adds itself."""
    pieces = number.lower().split("/")
    stop = len(pieces) if own else len(pieces) - 1
    return tuple("/".join(pieces[:n]) for n in range(stop, 0, -1))


def _mark_trailing_province(components: list[Component]) -> None:
    """A bare province name at the end ('..., Bình Dương') is the province, not a ward."""
    if components and components[-1].kind == TEXT:
        last = components[-1]
        if last.key in MERGED_PROVINCES or last.key in _OTHER_PROVINCES:
            components[-1] = Component(PROVINCE, last.key, last.raw)
