"""The built-in HCMC catalog: boundary sets, crosswalks and unit lists, loaded in order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path

import psycopg

from boundaries import crosswalks, unit_lists
from boundaries.data import catalog, dataset, resolve, sha256_of
from boundaries.errors import UnknownBoundarySet
from boundaries.load import SetMeta, load_boundary_set, quality_report, save_metadata
from boundaries.population import derive_population
from boundaries.read import FieldMap, read_boundary_file, to_units
from boundaries.settings import BoundarySettings
from boundaries.streets import load_catalog_streets
from gis_db.sqlfiles import load_sql

Progress = Callable[[str], None]
# Versions a census population follows to reach the 2025 units.
WARD_CHAIN = ["hcmc-2019", "hcmc-2021", "hcmc-2025-03", "hcmc-2025-07"]


def set_entries() -> list[dict]:
    """Catalog boundary-set entries in load order."""
    return list(catalog()["boundary_sets"])


def set_entry(slug: str) -> dict:
    """One catalog boundary-set entry."""
    for entry in set_entries():
        if entry["slug"] == slug:
            return entry
    known = ", ".join(e["slug"] for e in set_entries())
    raise UnknownBoundarySet(f"no built-in boundary set '{slug}'; the catalog has: {known}")


def load_file(
    conn: psycopg.Connection,
    path: Path,
    *,
    slug: str,
    name: str,
    level: str,
    fields: FieldMap,
    valid_from: date | None = None,
    valid_to: date | None = None,
    crs: str | None = None,
    source: str | None = None,
    licence: str = "unknown",
    population_year: int | None = None,
    extra_metadata: dict | None = None,
    sha256: str | None = None,
) -> tuple[int, dict]:
    """Read, validate and load any polygon file as boundary set `slug`; returns (id, quality).

    `sha256` is the file's checksum when the caller already verified it.
    """
    gdf, read_report = read_boundary_file(path, crs=crs)
    units = to_units(gdf, fields, level)
    meta = SetMeta(
        slug=slug,
        name=name,
        level=level,
        source=source or Path(path).name,
        licence=licence,
        sha256=sha256 or sha256_of(Path(path)),
        valid_from=valid_from,
        valid_to=valid_to,
        population_year=population_year,
        population_method=f"source column {fields.population}" if fields.population else None,
        metadata={
            "source_crs": read_report.source_crs,
            "fields": {k: v for k, v in asdict(fields).items() if v},
            **(extra_metadata or {}),
        },
    )
    set_id = load_boundary_set(conn, units, meta)
    quality = quality_report(conn, set_id)
    quality.repaired_geometries = len(read_report.repaired)
    quality.dropped_non_polygon_parts = read_report.dropped_parts
    report = asdict(quality)
    save_metadata(conn, set_id, {"quality": report})
    return set_id, report


def is_loaded(conn: psycopg.Connection, table_sql: str, slug: str, sha256: str) -> bool:
    """True when the entry is in the database from the same input file."""
    row = conn.execute(load_sql("boundaries", table_sql), {"slug": slug}).fetchone()
    return bool(row and row[0] == sha256 and row[1] > 0)


def load_catalog_set(
    conn: psycopg.Connection,
    slug: str,
    settings: BoundarySettings | None = None,
    *,
    force: bool = False,
    progress: Progress = lambda _msg: None,
) -> dict:
    """Load one built-in set (and what its population needs); returns its summary."""
    settings = settings or BoundarySettings()
    entry = set_entry(slug)
    pinned = dataset(entry["dataset"]).sha256
    if not force and is_loaded(conn, "set_sha.sql", slug, pinned):
        progress(f"{slug}: already loaded")
        return {"slug": slug, "skipped": True}
    census = entry.get("population_from")
    if census:
        load_catalog_set(conn, census, settings, progress=progress)
        load_crosswalks(conn, settings, progress=progress)
    set_id, quality = load_file(
        conn,
        resolve(entry["dataset"], settings),
        slug=slug,
        name=entry["name"],
        level=entry["level"],
        fields=FieldMap.from_dict(entry["fields"]),
        valid_from=entry.get("valid_from"),
        valid_to=entry.get("valid_to"),
        source=entry["source"],
        licence=entry["licence"],
        population_year=entry.get("population_year"),
        extra_metadata={"dataset": entry["dataset"]},
        sha256=pinned,
    )
    summary: dict = {"slug": slug, "quality": quality}
    if census:
        chain = WARD_CHAIN[WARD_CHAIN.index(census) : WARD_CHAIN.index(slug) + 1]
        pop = derive_population(conn, target=slug, census=census, chain=chain)
        save_metadata(conn, set_id, {"population": pop.as_metadata()})
        summary["population"] = pop.as_metadata()
    conn.commit()
    progress(
        f"{slug}: loaded; overlaps {quality['overlaps']} ({quality['overlap_m2']} m²), "
        f"gaps {quality['gaps']} ({quality['gap_m2']} m²)"
    )
    return summary


def load_crosswalks(
    conn: psycopg.Connection,
    settings: BoundarySettings | None = None,
    *,
    force: bool = False,
    progress: Progress = lambda _msg: None,
) -> int:
    """Load every catalog crosswalk; returns the number of rows in them."""
    settings = settings or BoundarySettings()
    total = 0
    for entry in catalog()["crosswalks"]:
        keys = {"from_version": entry["from_version"], "to_version": entry["to_version"]}
        name = f"crosswalk {keys['from_version']} → {keys['to_version']}"
        # Each crosswalk is replaced in one transaction, so any rows mean a complete one.
        stored = conn.execute(load_sql("boundaries", "count_crosswalk.sql"), keys).fetchone()[0]
        if not force and stored:
            progress(f"{name}: already loaded")
            total += stored
            continue
        frame = crosswalks.read_crosswalk(
            resolve(entry["dataset"], settings), entry["columns"], entry.get("legal_basis")
        )
        total += len(frame)
        crosswalks.load_crosswalk(conn, frame, keys["from_version"], keys["to_version"])
        progress(f"{name}: {len(frame)} rows")
    conn.commit()
    return total


def load_unit_lists(
    conn: psycopg.Connection,
    settings: BoundarySettings | None = None,
    *,
    force: bool = False,
    progress: Progress = lambda _msg: None,
) -> dict[str, int]:
    """Load every official unit list; returns unit counts by list slug."""
    settings = settings or BoundarySettings()
    counts = {}
    for entry in catalog()["unit_lists"]:
        sha = dataset(entry["dataset"]).sha256
        if not force and is_loaded(conn, "unit_list_sha.sql", entry["slug"], sha):
            progress(f"unit list {entry['slug']}: already loaded")
            continue
        frame = unit_lists.read_unit_list(resolve(entry["dataset"], settings), entry["format"])
        header = {k: entry[k] for k in ("slug", "name", "effective_date", "source", "licence")}
        counts[entry["slug"]] = unit_lists.load_unit_list(conn, frame, {**header, "sha256": sha})
        progress(f"unit list {entry['slug']}: {counts[entry['slug']]} units")
    conn.commit()
    return counts


def load_all(
    conn: psycopg.Connection,
    settings: BoundarySettings | None = None,
    *,
    force: bool = False,
    progress: Progress = lambda _msg: None,
) -> list[dict]:
    """Load the whole built-in catalog: sets, crosswalks, unit lists, street networks."""
    settings = settings or BoundarySettings()
    load_crosswalks(conn, settings, force=force, progress=progress)
    load_unit_lists(conn, settings, force=force, progress=progress)
    load_catalog_streets(conn, settings, force=force, progress=progress)
    return [
        load_catalog_set(conn, e["slug"], settings, force=force, progress=progress)
        for e in set_entries()
    ]
