"""Vietnamese address -> HCMC ward, in the version in force on a date and in today's version.

Matching is hierarchical (ward with district or city), never fuzzy, and never guesses: a name
that fits several units is reported ambiguous with its candidates. Old names of every version
(2019, 2021, 2025-03, legacy aliases) go through the crosswalks to today's unit; a ward split
in 2025 yields its candidate units unless a known street decides.

Confidence scheme (``CONFIDENT`` = 0.8 and above means "use it"):

====  ==========================================================================================
0.95  old-style ward matched together with its district
0.90  a 2025 ward name (no district needed), or an old ward name unique in the whole city
0.85  indirect: a legacy alias, a 2025 ward with a consistent former district, a reading that
      only the date picks among versions, a unit decided by a street, a district that is one
      unit today (Côn Đảo); also the cap when the province or an unknown part contradicts
0.60  split ward: ``candidates`` lists today's units, ``current_code`` is None
0.30  ambiguous or contradictory: method 'none', ``candidates`` lists today's units
0.00  unresolved: junk, outside HCMC, unknown names
====  ==========================================================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import psycopg

from etl.address.gazetteer import Gazetteer, Segment, Unit
from etl.address.normalize import (
    CITY,
    DISTRICT,
    MERGED_PROVINCES,
    PROVINCE,
    STREET,
    TEXT,
    WARD,
    Component,
    ParsedAddress,
    contains_words,
    parse,
    tone_words,
    unit_key,
)

CONFIDENT = 0.8
CONF_WITH_DISTRICT = 0.95
CONF_UNIQUE = 0.9
CONF_INDIRECT = 0.85
CONF_SPLIT = 0.6
CONF_AMBIGUOUS = 0.3
CONF_NONE = 0.0
_CACHE_LIMIT = 500_000
_HCM_PROVINCE = "79"
_UNIT_MARKER = re.compile(r"^(?:thi tran|dac khu|phuong|ph|p|f|ward|xa|x|commune|tt|town)\s+")


@dataclass(frozen=True)
class AddressMatch:
    """The units an address designates; see the module docstring for ``confidence``."""

    method: str  # 'address-street' | 'address-ward' | 'none'
    confidence: float
    ward_set: str | None
    ward_code: str | None
    ward_name: str | None
    current_set: str | None
    current_code: str | None
    current_name: str | None
    candidates: tuple[str, ...]
    lat: float | None = None
    lon: float | None = None
    reason: str | None = None

    @property
    def confident(self) -> bool:
        """True when the current unit is known with confidence >= 0.8."""
        return self.current_code is not None and self.confidence >= CONFIDENT

    @property
    def outcome(self) -> str:
        """'resolved' (confident), 'split', 'ambiguous' (candidates) or 'unresolved'."""
        if self.confident:
            return "resolved"
        if self.method != "none" and self.candidates:
            return "split"
        return "ambiguous" if self.candidates else "unresolved"


Point = tuple[float | None, float | None, str | None]  # lat, lon, unit on the date
_NO_POINT: Point = (None, None, None)


@dataclass(frozen=True)
class _Placement:
    """Segments of a street inside an area, today's units they lie in, the unit they decide."""

    segments: tuple[Segment, ...]
    current: str
    codes: frozenset[str]
    decided: str | None
    area_version: str = ""
    area: frozenset[str] = frozenset()

    def point(self, code: str, version: str) -> Point:
        """The midpoint of the middle segment surely inside the area and today's unit `code`,
        and the unit of `version` those segments share (None when they do not)."""
        chosen = [
            s
            for s in self.segments
            if s.units.get(self.current) == code and s.units.get(self.area_version) in self.area
        ]
        if not chosen:
            return _NO_POINT
        mean_lon = sum(s.lon for s in chosen) / len(chosen)
        mean_lat = sum(s.lat for s in chosen) / len(chosen)
        middle = min(chosen, key=lambda s: (s.lon - mean_lon) ** 2 + (s.lat - mean_lat) ** 2)
        on_codes = {s.units.get(version) for s in chosen}
        return middle.lat, middle.lon, next(iter(on_codes)) if len(on_codes) == 1 else None


class AddressGeocoder:
    """Geocode addresses against a :class:`Gazetteer` held in memory (no per-row queries)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        """Wrap a loaded gazetteer."""
        self.gaz = gazetteer
        self._by_text: dict[tuple[str, str], AddressMatch] = {}
        self._by_form: dict[tuple, AddressMatch] = {}
        self._versions_on: dict[date, str] = {}

    @classmethod
    def from_connection(cls, conn: psycopg.Connection) -> AddressGeocoder:
        """Load the gazetteer from the database once."""
        return cls(Gazetteer.from_connection(conn))

    # --- public API -------------------------------------------------------------------------

    def geocode(self, text: str | None, on: date | str | None = None) -> AddressMatch:
        """Units of one address on date `on` (today when None; ISO strings accepted)."""
        version = self._version_on(on)
        key = (text if isinstance(text, str) else "", version)
        found = self._by_text.get(key)
        if found is None:
            if len(self._by_text) >= _CACHE_LIMIT:
                self._by_text.clear()
            found = self._by_text[key] = self._geocode(parse(key[0]), version)
        return found

    def geocode_many(
        self, texts: Iterable[str | None], dates: Sequence[date | str | None] | None = None
    ) -> list[AddressMatch]:
        """Geocode many addresses (dates aligned with texts, or None for today); cached."""
        texts = list(texts)
        if dates is not None and len(dates) != len(texts):
            raise ValueError(f"{len(texts)} addresses but {len(dates)} dates")
        days = dates if dates is not None else [None] * len(texts)
        return [self.geocode(t, d) for t, d in zip(texts, days, strict=True)]

    # --- dispatch ---------------------------------------------------------------------------

    def _version_on(self, on: date | str | None) -> str:
        if isinstance(on, str):
            on = date.fromisoformat(on[:10]) if on.strip() else None
        day = on.date() if isinstance(on, datetime) else (on or date.today())
        version = self._versions_on.get(day)
        if version is None:
            version = self._versions_on[day] = self.gaz.version_on(day)
        return version

    def _geocode(self, parsed: ParsedAddress, version: str) -> AddressMatch:
        form = self._form(parsed)
        memo = (form, version)
        found = self._by_form.get(memo)
        if found is None:
            if len(self._by_form) >= _CACHE_LIMIT:
                self._by_form.clear()
            found = self._by_form[memo] = self._resolve(parsed, version)
        return found

    def _form(self, parsed: ParsedAddress) -> tuple:
        """What the answer depends on: components without house numbers, the alley found,
        and the diacritics when they alone tell two names apart ('Tân Quy' / 'Tân Quý')."""
        parts: list[tuple] = [(self._tones(parsed),)]
        for c in parsed.components:
            if c.kind == STREET or c.kind == TEXT:
                parts.append((c.kind, c.key, c.unit_type, c.keys, self._alley_of(c)))
            else:
                parts.append((c.kind, c.key, c.unit_type, c.raw))
        return tuple(parts)

    def _tones(self, parsed: ParsedAddress) -> tuple[str, ...] | None:
        if parsed.text.isascii() or not any(
            c.key in self.gaz.tone_keys for c in parsed.components if c.kind in (WARD, TEXT)
        ):
            return None
        return tone_words(parsed.text)

    def _alley_of(self, street: Component) -> str | None:
        alleys = self.gaz.streets.alleys
        for key in street.keys:
            for number in street.alleys:
                candidate = f"hem {number} {key}"
                if candidate in alleys:
                    return candidate
        return None

    def _resolve(self, parsed: ParsedAddress, version: str) -> AddressMatch:
        if not parsed.components:
            return self._none(version, "empty address")
        outside = [
            c for c in parsed.of(PROVINCE) if c.key not in MERGED_PROVINCES and c.key != "hcm"
        ]
        if outside:
            return self._none(version, f"outside Ho Chi Minh City: {outside[0].raw}")
        ward, district, street, province, unknown = self._slots(parsed)
        if ward is not None and not self._known_ward(ward):
            return self._none(version, f"unknown ward '{ward.raw}'")
        if ward is not None:
            tones = self._tones(parsed)
            return self._by_ward(ward, district, street, province, version, unknown, tones)
        if district is not None:
            if district.key not in self.gaz.districts:
                return self._none(version, f"unknown district '{district.raw}'")
            return self._by_district(district, street, province, version)
        if street is not None:
            return self._by_street_only(street, version)
        return self._none(version, "no ward, district or known street")

    def _slots(self, parsed: ParsedAddress) -> tuple:
        """Pick the ward, district, street and province; classify untyped parts by name."""
        gaz = self.gaz
        wards = [c for c in parsed.of(WARD)]
        districts = [c for c in parsed.of(DISTRICT)]
        known_wards = [c for c in wards if self._known_ward(c)]
        if wards and not known_wards and not districts:
            glued = self._split_glued(wards[0])  # "phuong linh trung thu duc"
            if glued is not None:
                known_wards, districts = [glued[0]], [glued[1]]
        ward = known_wards[0] if known_wards else (wards[0] if wards else None)
        known_districts = [c for c in districts if c.key in gaz.districts]
        district = known_districts[0] if known_districts else (districts[0] if districts else None)
        unknown = bool(districts and not known_districts and ward is not None)
        if unknown:
            district = None
        street = parsed.street
        texts = parsed.of(TEXT)
        for i, text in enumerate(texts):
            if text.key.isdigit():
                continue
            is_ward = text.key in gaz.by_key
            is_district = text.key in gaz.districts
            later_district = district is not None or any(
                t.key in gaz.districts for t in texts[i + 1 :]
            )
            no_ward = ward is None or not self._known_ward(ward)  # "P.302": a room, not a ward
            if is_ward and no_ward and (not is_district or later_district):
                ward = text
            elif is_district and district is None:
                district = text
            elif street is None and self._known_street(text):
                street = text
        provinces = parsed.of(PROVINCE)
        if provinces:
            province = MERGED_PROVINCES.get(provinces[0].key)
        else:
            province = _HCM_PROVINCE if parsed.of(CITY) else None
        return ward, district, street, province, unknown

    def _split_glued(self, ward: Component) -> tuple[Component, Component] | None:
        """An unknown ward name ending with a district name: both parts, when exactly one
        cut gives a known ward and a known district."""
        words = _UNIT_MARKER.sub("", ward.raw, count=1).split()
        cuts = []
        for i in range(1, len(words)):
            name, rest = unit_key(" ".join(words[:i])), unit_key(" ".join(words[i:]))
            if name in self.gaz.by_key and rest in self.gaz.districts:
                cuts.append((name, rest, " ".join(words[i:])))
        if len(cuts) != 1:
            return None
        name, rest, raw = cuts[0]
        glued_ward = Component(WARD, name, ward.raw, unit_type=ward.unit_type)
        return glued_ward, Component(DISTRICT, rest, raw)

    def _known_ward(self, comp: Component) -> bool:
        return comp.key in self.gaz.by_key or comp.key in self.gaz.aliases

    def _known_street(self, comp: Component) -> bool:
        streets = self.gaz.streets
        return any(k in streets.roads for k in comp.keys) or self._alley_of(comp) is not None

    # --- by ward ----------------------------------------------------------------------------

    def _readings(
        self,
        ward: Component,
        district: Component | None,
        province: str | None,
        tones: tuple[str, ...] | None = None,
    ) -> tuple[list[Unit], float, list[Unit]]:
        """Units the ward (with its district) can mean.

        Returns the best kind of match (exact before mixed), its confidence, and every
        plausible reading (exact and mixed) to detect disagreement. Exact: the ward named in
        that district in its own version. Mixed: a later ward whose former units include the
        district (a 2025 ward with its old district, a 2021 ward with its 2019 district). A
        typed ward ('Xã ...') drops readings of another type when any of its type exist.
        """
        gaz = self.gaz
        for source, base in ((gaz.by_key, None), (gaz.aliases, CONF_INDIRECT)):
            units = source.get(ward.key, [])
            for strict in (True, False):
                pool = [u for u in units if not strict or _province_ok(u, province)]
                exact, mixed = [], []
                for unit in pool:
                    if district is None or unit.district_key == district.key:
                        exact.append(unit)
                    elif district.key in gaz.former_districts(unit):
                        mixed.append(unit)
                type_ok = True
                if ward.unit_type:
                    typed_exact = [u for u in exact if u.unit_type == ward.unit_type]
                    typed_mixed = [u for u in mixed if u.unit_type == ward.unit_type]
                    if typed_exact or typed_mixed:
                        exact, mixed = typed_exact, typed_mixed
                    else:
                        type_ok = False
                if tones:
                    exact, mixed = _by_tones(exact, tones), _by_tones(mixed, tones)
                plausible = exact + mixed
                if exact:
                    conf = base or (CONF_WITH_DISTRICT if district else CONF_UNIQUE)
                elif mixed:
                    conf = CONF_INDIRECT
                else:
                    continue
                if not strict or not type_ok:
                    conf = min(conf, CONF_INDIRECT)
                return (exact or mixed), conf, plausible
        return [], CONF_NONE, []

    def _by_ward(
        self,
        ward: Component,
        district: Component | None,
        street: Component | None,
        province: str | None,
        version: str,
        unknown: bool,
        tones: tuple[str, ...] | None = None,
    ) -> AddressMatch:
        gaz = self.gaz
        readings, conf, plausible = self._readings(ward, district, province, tones)
        if unknown:
            conf = min(conf, CONF_INDIRECT)
        if not readings:
            elsewhere = gaz.by_key.get(ward.key, []) or gaz.aliases.get(ward.key, [])
            codes = self._union(elsewhere)
            name = elsewhere[0].name if elsewhere else ward.raw
            where = self._district_label(district) if district else "Ho Chi Minh City"
            return self._ambiguous(version, codes, f"contradiction: {name} is not in {where}")
        chosen_version = self._preferred(readings, version)
        chosen = [u for u in readings if u.version == chosen_version]
        if len(chosen) > 1 and street is not None:
            narrowed = self._narrow_by_street(chosen, street)
            if narrowed is not None:
                return self._from_unit(narrowed, CONF_INDIRECT, street, version)
        if len(chosen) > 1:
            codes, split = self._outcome(chosen)
            if len(codes) == 1 and not split:
                return self._resolved(version, next(iter(codes)), None, CONF_INDIRECT)
            districts = {u.district_name or "?" for u in chosen}
            reason = (
                f"ambiguous: {chosen[0].name} exists in {len(districts)} districts; "
                "give the district"
                if len(districts) > 1
                else f"ambiguous: {chosen[0].name} names {len(chosen)} units"
            )
            return self._ambiguous(version, codes, reason)
        unit = chosen[0]
        outcome = gaz.current(unit)
        codes, split = outcome
        others = [
            u
            for u in plausible
            if u.version != unit.version
            and gaz.current(u) != outcome
            and not (split and gaz.current(u)[0] <= codes)  # a split's candidates already
        ]
        if others:
            if chosen_version != version:
                codes = self._union([unit, *others])
                years = ", ".join(sorted({u.version for u in (unit, *others)}))
                reason = f"ambiguous: {_label(unit)} meant different units in {years}"
                return self._ambiguous(version, codes, f"{reason}; give the date")
            conf = min(conf, CONF_INDIRECT)
        ward_code = gaz.at_version(unit, version)
        agreeing = [u for u in plausible if gaz.current(u) == outcome]
        rivals = {gaz.at_version(u, version) for u in agreeing} - {None, ward_code}
        return self._from_unit(unit, conf, street, version, None if rivals else ward_code)

    def _preferred(self, readings: list[Unit], version: str) -> str:
        """The version of the reading to take: the one in force, then older, then newer."""
        chain = self.gaz.chain
        here = chain.index(version)
        order = [chain[here], *reversed(chain[:here]), *chain[here + 1 :]]
        present = {u.version for u in readings}
        return next(v for v in order if v in present)

    def _from_unit(
        self,
        unit: Unit,
        conf: float,
        street: Component | None,
        version: str,
        ward_code: str | None = "",
    ) -> AddressMatch:
        """Answer for one unit: resolved, or split unless a street decides."""
        gaz = self.gaz
        codes, split = gaz.current(unit)
        if not codes:
            return self._none(version, f"{_label(unit)} has no successor in the crosswalks")
        if ward_code == "":
            ward_code = gaz.at_version(unit, version)
        placement = self._place(street, unit.version, {unit.code})
        if split or len(codes) > 1:
            if placement.decided in codes:
                code = placement.decided
                point = placement.point(code, version)
                on_code = ward_code or point[2]
                return self._resolved(version, code, on_code, CONF_INDIRECT, point)
            names = ", ".join(gaz.name(gaz.current_version, c) or c for c in sorted(codes))
            reason = f"split: {_label(unit)} was divided between {names}; give the street"
            return AddressMatch(
                method="address-ward",
                confidence=CONF_SPLIT,
                ward_set=version,
                ward_code=ward_code,
                ward_name=gaz.name(version, ward_code),
                current_set=gaz.current_version,
                current_code=None,
                current_name=None,
                candidates=tuple(sorted(codes)),
                reason=reason,
            )
        code = next(iter(codes))
        point = placement.point(code, version)
        return self._resolved(version, code, ward_code or point[2], conf, point)

    def _narrow_by_street(self, units: list[Unit], street: Component) -> Unit | None:
        """The one unit the street runs through, when the others are known not to have it."""
        covered = self.gaz.streets.covered
        segments, _key, _alley = self._segments(street)
        if not segments:
            return None
        segs = self.gaz.streets.segments
        with_street = [
            u for u in units if any(u.code in segs[i].near.get(u.version, ()) for i in segments)
        ]
        without = [u for u in units if u not in with_street]
        if len(with_street) == 1 and all((u.version, u.code) in covered for u in without):
            return with_street[0]
        return None

    # --- by district, by street -------------------------------------------------------------

    def _by_district(
        self,
        district: Component,
        street: Component | None,
        province: str | None,
        version: str,
    ) -> AddressMatch:
        gaz = self.gaz
        entries = gaz.districts[district.key]
        units = [u for entry in entries for u in gaz.district_units[entry]]
        strict = [u for u in units if _province_ok(u, province)]
        units = strict or units
        chosen_version = self._preferred(units, version)
        chosen = [u for u in units if u.version == chosen_version]
        codes, split = self._outcome(chosen)
        name = gaz.district_names.get((chosen_version, chosen[0].district_code or ""), "")
        name = name or self._district_label(district)
        place = self._place(street, chosen_version, {u.code for u in chosen})
        if place.decided in codes:
            point = place.point(place.decided, version)
            return self._resolved(version, place.decided, point[2], CONF_INDIRECT, point)
        if len(codes) == 1 and not split:
            code = next(iter(codes))
            ward_code = gaz.at_version(chosen[0], version) if len(chosen) == 1 else None
            return self._resolved(version, code, ward_code, CONF_INDIRECT)
        if place.codes:
            reason = (
                f"no ward: the street runs through {len(place.codes)} current unit(s) in {name} "
                "as far as the street data covers; give the ward"
            )
            return self._ambiguous(version, place.codes, reason)
        reason = f"no ward: {name} covers {len(codes)} current units; give the ward"
        return self._ambiguous(version, codes, reason)

    def _by_street_only(self, street: Component, version: str) -> AddressMatch:
        segments, _key, _alley = self._segments(street)
        if not segments:
            return self._none(version, "no ward, district or known street")
        return self._none(
            version,
            "street only: the street data covers central HCMC and the same name may exist "
            "elsewhere; give the ward or district",
        )

    def _segments(self, street: Component) -> tuple[list[int], str | None, bool]:
        """Segments of the alley the house number lies in, else of the road."""
        index = self.gaz.streets
        alley = self._alley_of(street)
        if alley is not None:
            return index.alleys[alley], alley, True
        for key in street.keys:
            if key in index.roads:
                return index.roads[key], key, False
        return [], None, False

    def _place(self, street: Component | None, area_version: str, area: set[str]) -> _Placement:
        """Segments of the street inside the area, and today's units they lie in.

        ``decided`` needs every segment of the street in the area: the street (or alley) ends
        inside the dataset's coverage, or every unit of the area lies inside it.
        """
        current = self.gaz.current_version
        if street is None:
            return _Placement((), current, frozenset(), None)
        index = self.gaz.streets
        positions, key, _alley = self._segments(street)
        empty: frozenset[str] = frozenset()
        inside = tuple(
            seg
            for i in positions
            if (seg := index.segments[i]).near.get(area_version, empty) & area
        )
        codes = frozenset().union(*(seg.near.get(current, empty) for seg in inside))
        exhaustive = index.complete.get(key or "", False) or all(
            (area_version, code) in index.covered for code in area
        )
        decided = next(iter(codes)) if len(codes) == 1 and exhaustive else None
        return _Placement(inside, current, codes, decided, area_version, frozenset(area))

    # --- answers ----------------------------------------------------------------------------

    def _district_label(self, district: Component) -> str:
        """Official name of a district component ('Quận 1'), else its text."""
        for entry in sorted(self.gaz.districts.get(district.key, ())):
            name = self.gaz.district_names.get(entry)
            if name:
                return name
        return district.raw

    def _outcome(self, units: list[Unit]) -> tuple[frozenset[str], bool]:
        codes: set[str] = set()
        split = False
        for unit in units:
            found, was_split = self.gaz.current(unit)
            codes |= found
            split = split or was_split
        return frozenset(codes), split

    def _union(self, units: list[Unit]) -> frozenset[str]:
        return self._outcome(units)[0]

    def _resolved(
        self,
        version: str,
        code: str,
        ward_code: str | None,
        conf: float,
        point: Point = _NO_POINT,
    ) -> AddressMatch:
        gaz = self.gaz
        lat, lon, _on = point
        placed = lat is not None
        return AddressMatch(
            method="address-street" if placed else "address-ward",
            confidence=conf,
            ward_set=version,
            ward_code=ward_code,
            ward_name=gaz.name(version, ward_code),
            current_set=gaz.current_version,
            current_code=code,
            current_name=gaz.name(gaz.current_version, code),
            candidates=(),
            lat=lat,
            lon=lon,
        )

    def _ambiguous(self, version: str, codes: Iterable[str], reason: str) -> AddressMatch:
        candidates = tuple(sorted(codes))
        if not candidates:
            return self._none(version, reason)
        return self._none(version, reason, candidates, CONF_AMBIGUOUS)

    def _none(
        self,
        version: str,
        reason: str,
        candidates: tuple[str, ...] = (),
        confidence: float = CONF_NONE,
    ) -> AddressMatch:
        """No unit decided: unresolved, or ambiguous between `candidates`."""
        return AddressMatch(
            method="none",
            confidence=confidence,
            ward_set=version,
            ward_code=None,
            ward_name=None,
            current_set=self.gaz.current_version,
            current_code=None,
            current_name=None,
            candidates=candidates,
            reason=reason,
        )


def _province_ok(unit: Unit, province: str | None) -> bool:
    """An old unit must be in the province named (today's units have no district)."""
    if province is None or unit.province_code is None or unit.district_key is None:
        return True
    return unit.province_code == province


def _by_tones(units: list[Unit], tones: tuple[str, ...]) -> list[Unit]:
    """Units whose name, with its diacritics, is written in the text (when that narrows)."""
    if len({u.tones for u in units}) < 2:
        return units
    written = [u for u in units if contains_words(tones, u.tones)]
    return written or units


def _label(unit: Unit) -> str:
    return f"{unit.name} ({unit.district_name})" if unit.district_name else unit.name
