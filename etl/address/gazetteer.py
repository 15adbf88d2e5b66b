"""In-memory gazetteer of HCMC units in every version, read once from the database.

Versions are the ward-level boundary sets plus the list-only 273-ward period
(``boundaries.locate.LIST_ONLY_VERSIONS``), chained by ``boundary_crosswalk``. Each official
list joins the version in force on its effective date. Units are keyed by (version, code):
GSO reused codes (legacy 25750 = Phú Hòa, 2025-07 25750 = Phú Lợi), so a code alone is never
an identity.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import psycopg

from boundaries.locate import LIST_ONLY_VERSIONS
from etl.address.normalize import official_key, tone_words, unit_key
from gis_db.sqlfiles import load_sql

PACKAGE = "etl.address"
# A street end closer than this to the edge of its dataset's coverage was cut there.
EDGE_M = 15.0
# A segment whose midpoint is this close to two units runs along their boundary (~11 m).
NEAR_DEG = 0.0001
# A unit this much inside a street dataset's coverage has all its streets in the dataset.
COVERED_SHARE = 0.995
_ALIAS_NUMBER = re.compile(r"^(?:phuong|ward|p|f)0*(\d+)$")
_ALIAS_NAMED = re.compile(r"^(?:phuong|xa|thitran|dackhu)(?=[a-z])")
_RECEIVES = re.compile(r"receives part of former (?P<name>.+?) \((?P<district>.+?)\)", re.I)
_ALLEY = re.compile(r"^hem (?P<no>\S+) (?P<road>.+)$")
# Numbered roads ('Đường số 7', 'D1', 'N15') repeat across housing estates: only a fully
# covered area proves where they are.
_GENERIC_ROAD = re.compile(r"^(?:so \d+[a-z]?|[a-z]\d+[a-z]?)$")


@dataclass(frozen=True, slots=True)
class Version:
    """One version of the ward map and the days it was in force (None = open)."""

    slug: str
    valid_from: date | None
    valid_to: date | None

    def covers(self, day: date) -> bool:
        """True when the version was in force on `day`."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class Unit:
    """A commune-level unit of one version (or a district without communes, e.g. Côn Đảo)."""

    version: str
    code: str
    name: str
    unit_type: str
    key: str
    district_code: str | None
    district_name: str | None
    district_key: str | None
    province_code: str | None
    tones: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Segment:
    """A named street segment: its midpoint and the units near it in each version.

    ``units`` holds the unit of a version when only one is near the midpoint; ``near`` holds
    every unit near it (two or more: the segment runs along a boundary).
    """

    key: str
    lon: float
    lat: float
    near_edge: bool
    units: dict[str, str]
    near: dict[str, frozenset[str]]


@dataclass
class StreetIndex:
    """Street segments by road key and by alley key, with what their dataset covers."""

    segments: list[Segment] = field(default_factory=list)
    roads: dict[str, list[int]] = field(default_factory=dict)
    alleys: dict[str, list[int]] = field(default_factory=dict)
    complete: dict[str, bool] = field(default_factory=dict)
    covered: set[tuple[str, str]] = field(default_factory=set)


class Gazetteer:
    """Units, names, crosswalk chains and streets of every version, for address matching."""

    def __init__(self, versions: list[Version]) -> None:
        """An empty gazetteer over `versions` (oldest first); see :meth:`from_connection`."""
        self.versions = tuple(versions)
        self.chain = tuple(v.slug for v in versions)
        self.current_version = self.chain[-1]
        self.units: dict[tuple[str, str], Unit] = {}
        self.by_key: dict[str, list[Unit]] = defaultdict(list)
        self.aliases: dict[str, list[Unit]] = defaultdict(list)
        self.districts: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.district_units: dict[tuple[str, str], list[Unit]] = defaultdict(list)
        self.district_names: dict[tuple[str, str], str] = {}
        self.edges: dict[tuple[str, str], set[tuple[str, bool]]] = defaultdict(set)
        self.back: dict[tuple[str, str], set[tuple[str, bool]]] = defaultdict(set)
        self.streets = StreetIndex()
        self.polygon_versions: set[str] = set()
        self.tone_keys: set[str] = set()
        self._notes: list[tuple[str, str, str, str]] = []
        self._forward: dict[tuple[str, str, str], tuple[frozenset[str], bool]] = {}
        self._former_districts: dict[tuple[str, str], frozenset[str]] = {}

    # --- loading ---------------------------------------------------------------------------

    @classmethod
    def from_connection(cls, conn: psycopg.Connection) -> Gazetteer:
        """Read lists, sets, crosswalks and streets once and index them in memory."""
        versions, with_polygons = _versions(conn)
        gaz = cls(versions)
        gaz.polygon_versions = with_polygons
        for row in conn.execute(_sql("address_list_units.sql")).fetchall():
            gaz._add_list_unit(*row)
        for row in conn.execute(_sql("address_set_units.sql")).fetchall():
            gaz._add_set_unit(*row)
        for row in conn.execute(_sql("address_crosswalk.sql")).fetchall():
            gaz._add_crosswalk_row(*row)
        gaz._add_received_parts()
        for (dataset,) in conn.execute(_sql("address_street_datasets.sql")).fetchall():
            gaz._add_streets(conn, dataset)
        gaz._finish()
        return gaz

    def version_on(self, day: date) -> str:
        """Slug of the version in force on `day` (the newest for days after all of them)."""
        for version in self.versions:
            if version.covers(day):
                return version.slug
        return self.chain[-1]

    def _version_of_list(self, effective: date) -> str | None:
        return next((v.slug for v in self.versions if v.covers(effective)), None)

    def _add_unit(self, unit: Unit) -> None:
        ident = (unit.version, unit.code)
        if ident in self.units:
            return
        self.units[ident] = unit
        self.by_key[unit.key].append(unit)
        if unit.district_code and unit.district_key is not None:
            self.districts[unit.district_key].add((unit.version, unit.district_code))
            self.district_units[(unit.version, unit.district_code)].append(unit)
            self.district_names[(unit.version, unit.district_code)] = unit.district_name or ""

    def _make_unit(
        self,
        version: str,
        code: str,
        name: str,
        unit_type: str | None,
        district_code: str | None,
        district_name: str | None,
        province_code: str | None,
    ) -> Unit:
        typ, key = official_key(name)
        folded_type = official_key(f"{unit_type} x")[0] if unit_type else typ
        district_key = official_key(district_name)[1] if district_name else None
        bare = name.split(" ", len(typ.split())) if typ else [name]
        return Unit(
            version=version,
            code=code,
            name=name,
            unit_type=folded_type or typ or "phuong",
            key=key,
            district_code=district_code or None,
            district_name=district_name or None,
            district_key=district_key,
            province_code=province_code or None,
            tones=() if key.isdigit() else tone_words(bare[-1]),
        )

    def _add_list_unit(
        self,
        slug: str,
        effective: date,
        code: str,
        name: str,
        unit_type: str,
        district_code: str | None,
        district_name: str | None,
        province_code: str | None,
        aliases: list[str],
    ) -> None:
        version = self._version_of_list(effective)
        if version is None:
            return
        unit = self._make_unit(
            version, code, name, unit_type, district_code, district_name, province_code
        )
        self._add_unit(unit)
        stored = self.units[(version, code)]
        for alias in aliases or ():
            key = _alias_key(alias)
            if key and key != stored.key and stored not in self.aliases[key]:
                self.aliases[key].append(stored)

    def _add_set_unit(
        self,
        slug: str,
        code: str,
        name: str,
        unit_type: str,
        parent_code: str | None,
        parent_name: str | None,
    ) -> None:
        if slug not in self.chain or (slug, code) in self.units:
            return
        has_districts = parent_name and official_key(parent_name)[0] in {
            "quan",
            "huyen",
            "thanh pho",
            "thi xa",
        }
        district_code, district_name = (parent_code, parent_name) if has_districts else (None, None)
        self._add_unit(
            self._make_unit(slug, code, name, unit_type, district_code, district_name, None)
        )

    def _add_crosswalk_row(
        self,
        from_version: str,
        to_version: str,
        from_code: str,
        from_name: str,
        from_parent_code: str | None,
        from_parent_name: str | None,
        to_code: str,
        to_name: str,
        relation: str,
        partial: bool,
        note: str | None,
    ) -> None:
        if (from_version, from_code) not in self.units and from_code == from_parent_code:
            # A district without communes (Huyện Côn Đảo): the district is the unit.
            self._add_unit(
                self._make_unit(
                    from_version,
                    from_code,
                    from_parent_name or from_name,
                    "huyen",
                    from_parent_code,
                    from_parent_name,
                    None,
                )
            )
        self.edges[(from_version, from_code)].add((to_code, bool(partial)))
        self.back[(to_version, to_code)].add((from_code, bool(partial)))
        if note:
            self._notes.append((from_version, to_version, to_code, note))

    def _add_received_parts(self) -> None:
        """Split wards list one target; the note 'receives part of former X (D)' adds the rest."""
        for from_version, to_version, to_code, note in self._notes:
            match = _RECEIVES.search(note)
            if not match:
                continue
            _, name_key = official_key(match.group("name"))
            district_key = official_key(match.group("district"))[1]
            for unit in self.by_key.get(name_key, ()):
                if unit.version == from_version and (unit.district_key or "") == district_key:
                    self.edges[(from_version, unit.code)].add((to_code, True))
                    self.back[(to_version, to_code)].add((unit.code, True))

    def _add_streets(self, conn: psycopg.Connection, dataset: str) -> None:
        index = self.streets
        params = {"dataset": dataset, "edge_m": EDGE_M, "near_deg": NEAR_DEG}
        rows = conn.execute(_sql("address_street_segments.sql"), params).fetchall()
        for _id, key, street_type, lon, lat, near_edge, units in rows:
            by_set: dict[str, set[str]] = defaultdict(set)
            for item in units:
                slug, _, code = item.partition(":")
                by_set[slug].add(code)
            near = {slug: frozenset(codes) for slug, codes in by_set.items()}
            sure = {slug: next(iter(c)) for slug, c in near.items() if len(c) == 1}
            index.segments.append(Segment(key, lon, lat, bool(near_edge), sure, near))
            position = len(index.segments) - 1
            alley = _ALLEY.match(key) if (street_type or "").lower() == "alley" else None
            (index.alleys if alley else index.roads).setdefault(key, []).append(position)
            generic = bool(_GENERIC_ROAD.match(key))
            index.complete[key] = index.complete.get(key, True) and not near_edge and not generic
        for slug, code, share in conn.execute(
            _sql("address_street_coverage.sql"), {"dataset": dataset}
        ).fetchall():
            if share is not None and share >= COVERED_SHARE:
                index.covered.add((slug, code))

    def _finish(self) -> None:
        """Derive what list-only versions lack (their segments' units and coverage), the
        names that only diacritics tell apart, and former districts."""
        for key, units in self.by_key.items():
            if len({u.tones for u in units}) > 1:
                self.tone_keys.add(key)
        self.former_districts(next(iter(self.units.values())))
        index = self.streets
        for i, version in enumerate(self.chain):
            if i == 0 or version in self.polygon_versions:
                continue
            previous = self.chain[i - 1]
            for seg in index.segments:
                if previous not in seg.near or version in seg.near:
                    continue
                targets: set[str] = set()
                whole = True
                for code in seg.near[previous]:
                    found, split = self.forward(previous, code, version)
                    targets |= found
                    whole = whole and not split
                seg.near[version] = frozenset(targets)
                if len(targets) == 1 and whole:
                    seg.units[version] = next(iter(targets))
            for (v, code), _unit in list(self.units.items()):
                if v != version:
                    continue
                sources = self.back.get((version, code), set())
                if sources and all(
                    not partial and (previous, src) in index.covered for src, partial in sources
                ):
                    index.covered.add((version, code))

    # --- crosswalk chains ------------------------------------------------------------------

    def forward(self, version: str, code: str, target: str) -> tuple[frozenset[str], bool]:
        """Codes in `target` that unit (version, code) became, and whether it was split."""
        memo = (version, code, target)
        if memo in self._forward:
            return self._forward[memo]
        start, stop = self.chain.index(version), self.chain.index(target)
        codes, split = frozenset({code}), False
        for step in range(start, stop):
            nxt: set[str] = set()
            for c in codes:
                for to_code, partial in self.edges.get((self.chain[step], c), ()):
                    nxt.add(to_code)
                    split = split or partial
            codes = frozenset(nxt)
        split = split or len(codes) > 1
        self._forward[memo] = (codes, split)
        return codes, split

    def current(self, unit: Unit) -> tuple[frozenset[str], bool]:
        """Current-version codes of a unit and whether it was split on the way."""
        return self.forward(unit.version, unit.code, self.current_version)

    def at_version(self, unit: Unit, target: str) -> str | None:
        """The unit of `target` that is the same place as `unit`, when one is (else None)."""
        if unit.version == target:
            return unit.code
        start, stop = self.chain.index(unit.version), self.chain.index(target)
        if start < stop:
            codes, split = self.forward(unit.version, unit.code, target)
            return next(iter(codes)) if len(codes) == 1 and not split else None
        # Going back: the newer unit must come whole from exactly one older unit, and that
        # unit must have gone whole into it.
        code = unit.code
        for step in range(start, stop, -1):
            sources = self.back.get((self.chain[step], code), set())
            if len(sources) != 1:
                return None
            src, partial = next(iter(sources))
            targets, split = self.forward(self.chain[step - 1], src, self.chain[step])
            if partial or split or targets != {code}:
                return None
            code = src
        return code

    def former_districts(self, unit: Unit) -> frozenset[str]:
        """District keys of every older unit that went (wholly or partly) into `unit`."""
        if not self._former_districts:
            found: dict[tuple[str, str], set[str]] = defaultdict(set)
            for old in self.units.values():
                if old.district_key is None:
                    continue
                start = self.chain.index(old.version)
                for later in self.chain[start + 1 :]:
                    for target in self.forward(old.version, old.code, later)[0]:
                        found[(later, target)].add(old.district_key)
            self._former_districts = {k: frozenset(v) for k, v in found.items()}
        return self._former_districts.get((unit.version, unit.code), frozenset())

    def name(self, version: str, code: str | None) -> str | None:
        """Official name of a unit, or None."""
        unit = self.units.get((version, code)) if code else None
        return unit.name if unit else None


def _sql(name: str) -> str:
    return load_sql(PACKAGE, name)


def _versions(conn: psycopg.Connection) -> tuple[list[Version], set[str]]:
    found = [Version(*row) for row in conn.execute(_sql("address_versions.sql")).fetchall()]
    if not found:
        raise LookupError("no ward-level boundary set loaded: run `phananh boundaries load --all`")
    with_polygons = {v.slug for v in found}
    found += [Version(slug, start, end) for slug, (start, end, _via) in LIST_ONLY_VERSIONS.items()]
    return sorted(found, key=lambda v: (v.valid_from or date.min, v.slug)), with_polygons


def _alias_key(alias: str) -> str | None:
    text = alias.strip().lower()
    number = _ALIAS_NUMBER.match(text)
    if number:
        return str(int(number.group(1)))
    return unit_key(_ALIAS_NAMED.sub("", text)) or None
