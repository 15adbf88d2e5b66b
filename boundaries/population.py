"""Derive the population of newer units from an older census through the crosswalks.

Each census unit is followed through the chain of crosswalks to the units it became. When it
became one unit its whole population goes there (full merges sum up); when it was split, its
population is shared in proportion to the area it shares with each target (areal weighting).
A target that received any land without census figures (for HCMC 2025: former Bình Dương and
Bà Rịa–Vũng Tàu units) gets no population rather than an undercount.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import psycopg

from gis_db.sqlfiles import load_sql
from gis_db.versioning import bump_data_version


@dataclass(frozen=True)
class PopulationSummary:
    """What the derivation did, for the set's metadata."""

    method: str
    census_set: str
    census_year: int | None
    chain: list[str]
    units_with_population: int
    units_without_population: int
    area_weighted_sources: int
    population_total: int

    def as_metadata(self) -> dict:
        """JSON-ready dictionary."""
        return dict(self.__dict__)


def _pairs(conn: psycopg.Connection, a: str, b: str) -> dict[str, set[str]]:
    rows = conn.execute(
        load_sql("boundaries", "crosswalk_pairs.sql"), {"from_version": a, "to_version": b}
    ).fetchall()
    out: dict[str, set[str]] = defaultdict(set)
    for from_code, to_code, _partial in rows:
        out[from_code].add(to_code)
    return out


def _follow(codes: set[str], steps: list[dict[str, set[str]]]) -> set[str]:
    """The units `codes` became after each crosswalk step in turn."""
    for step in steps:
        codes = {t for c in codes for t in step.get(c, ())}
    return codes


def derive_population(
    conn: psycopg.Connection, target: str, census: str, chain: list[str]
) -> PopulationSummary:
    """Fill `population` of set `target` from set `census` along `chain` of versions.

    `chain` starts with `census` and ends with `target`, e.g.
    ``["hcmc-2019", "hcmc-2021", "hcmc-2025-03", "hcmc-2025-07"]``.
    """
    if chain[0] != census or chain[-1] != target:
        raise ValueError("chain must start at the census set and end at the target set")
    steps = [_pairs(conn, a, b) for a, b in zip(chain, chain[1:], strict=False)]
    census_rows = conn.execute(load_sql("boundaries", "census_units.sql"), {"slug": census})
    census_pop: dict[str, int | None] = {}
    year = None
    for code, population, pop_year in census_rows.fetchall():
        census_pop[code] = population
        year = year or pop_year

    # Follow every census unit to the version before the target, then one step more.
    before_last = {code: _follow({code}, steps[:-1]) for code in census_pop}
    reached = {code: _follow(units, steps[-1:]) for code, units in before_last.items()}
    # Targets fed by a last-step source with no census ancestor are incomplete.
    traced = set().union(*before_last.values())
    incomplete = {t for src, targets in steps[-1].items() if src not in traced for t in targets}

    split = [(c, t) for c, ts in reached.items() if len(ts) > 1 for t in sorted(ts)]
    weights: dict[tuple[str, str], float] = {}
    if split:
        rows = conn.execute(
            load_sql("boundaries", "overlap_areas.sql"),
            {
                "from_slug": census,
                "to_slug": target,
                "from_codes": [c for c, _ in split],
                "to_codes": [t for _, t in split],
            },
        ).fetchall()
        area = {(c, t): a for c, t, a in rows}
        for code in {c for c, _ in split}:
            targets = sorted(reached[code])
            total = sum(area.get((code, t), 0.0) for t in targets)
            for t in targets:
                share = area.get((code, t), 0.0)
                weights[(code, t)] = share / total if total > 0 else 1 / len(targets)

    population: dict[str, float] = defaultdict(float)
    unknown: set[str] = set(incomplete)
    weighted_targets: set[str] = set()
    for code, targets in reached.items():
        pop = census_pop[code]
        for t in targets:
            if pop is None:
                unknown.add(t)
                continue
            w = weights.get((code, t), 1.0)
            if len(targets) > 1:
                weighted_targets.add(t)
            population[t] += pop * w

    codes = sorted(set(population) | unknown)
    values = [None if c in unknown else round(population[c]) for c in codes]
    methods = [
        None
        if c in unknown
        else (
            f"derived from {census}: areal-weighted"
            if c in weighted_targets
            else f"derived from {census}: sum of merged units"
        )
        for c in codes
    ]
    conn.execute(
        load_sql("boundaries", "update_population.sql"),
        {"slug": target, "codes": codes, "populations": values, "methods": methods, "year": year},
    )
    bump_data_version(conn)  # per-10,000 figures change
    known = [v for v in values if v is not None]
    header = conn.execute(load_sql("boundaries", "set_by_slug.sql"), {"slug": target}).fetchone()
    total_units = header[1]
    return PopulationSummary(
        method="census units followed through crosswalks; merges summed, splits areal-weighted",
        census_set=census,
        census_year=year,
        chain=chain,
        units_with_population=len(known),
        units_without_population=total_units - len(known),
        area_weighted_sources=len({c for c, _ in split}),
        population_total=int(sum(known)),
    )
