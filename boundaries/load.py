"""Load a validated boundary set into PostGIS and report overlaps and gaps."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

import geopandas as gpd
import pandas as pd
import psycopg
import shapely
from psycopg.types.json import Jsonb

from gis_db.sqlfiles import load_sql
from gis_db.versioning import bump_data_version

# Overlaps and gaps smaller than this are digitising noise, counted but not listed one by one.
SLIVER_M2 = 1.0
LISTED = 10


@dataclass(frozen=True)
class SetMeta:
    """What describes a boundary set besides its units."""

    slug: str
    name: str
    level: str
    source: str
    licence: str
    sha256: str
    valid_from: date | None = None
    valid_to: date | None = None
    population_year: int | None = None
    population_method: str | None = None
    metadata: dict = field(default_factory=dict)


@dataclass
class QualityReport:
    """Topology of a set: overlapping neighbours and uncovered holes."""

    overlaps: int = 0
    overlap_m2: float = 0.0
    gaps: int = 0
    gap_m2: float = 0.0
    slivers_below_m2: float = SLIVER_M2
    largest_overlaps: list[dict] = field(default_factory=list)
    largest_gaps: list[dict] = field(default_factory=list)
    repaired_geometries: int = 0
    dropped_non_polygon_parts: int = 0


def _sql(name: str) -> str:
    return load_sql("boundaries", name)


def load_boundary_set(conn: psycopg.Connection, units: gpd.GeoDataFrame, meta: SetMeta) -> int:
    """Replace the set `meta.slug` with `units` in one transaction; return the set id."""
    with conn.transaction():
        conn.execute(_sql("delete_set.sql"), {"slug": meta.slug})
        params = asdict(meta)
        params["metadata"] = Jsonb(meta.metadata)
        set_id = conn.execute(_sql("insert_set.sql"), params).fetchone()[0]
        conn.execute(_sql("create_unit_stage.sql"))
        wkbs = shapely.to_wkb(units.geometry.to_numpy())
        with conn.cursor().copy(_sql("copy_unit_stage.sql")) as copy:
            for row, wkb in zip(units.itertuples(index=False), wkbs, strict=True):
                copy.write_row(
                    (
                        row.code,
                        row.name,
                        row.name_ascii,
                        row.unit_type,
                        _none(row.parent_code),
                        _none(row.parent_name),
                        None if _none(row.population) is None else int(row.population),
                        Jsonb(row.properties),
                        wkb,
                    )
                )
        conn.execute(
            _sql("insert_units.sql"),
            {
                "set_id": set_id,
                "population_year": meta.population_year,
                "population_method": meta.population_method,
            },
        )
        conn.execute(_sql("insert_unit_parts.sql"), {"set_id": set_id})
        conn.execute(_sql("count_units.sql"), {"set_id": set_id})
        bump_data_version(conn)  # cached boundary and ward tiles of the old shapes expire
    return set_id


def quality_report(conn: psycopg.Connection, set_id: int) -> QualityReport:
    """Overlaps between units and holes in their union, stored in the set's metadata."""
    report = QualityReport()
    overlaps = conn.execute(_sql("overlaps.sql"), {"set_id": set_id}).fetchall()
    report.overlaps = len(overlaps)
    report.overlap_m2 = round(sum(r[2] for r in overlaps), 1)
    report.largest_overlaps = [
        {"codes": [a, b], "area_m2": round(area, 1)}
        for a, b, area in overlaps[:LISTED]
        if area >= SLIVER_M2
    ]
    gaps = conn.execute(_sql("gaps.sql"), {"set_id": set_id}).fetchall()
    report.gaps = len(gaps)
    report.gap_m2 = round(sum(r[0] for r in gaps), 1)
    report.largest_gaps = [
        {"area_m2": round(area, 1), "lon": round(lon, 6), "lat": round(lat, 6)}
        for area, lon, lat in gaps[:LISTED]
        if area >= SLIVER_M2
    ]
    return report


def save_metadata(conn: psycopg.Connection, set_id: int, patch: dict) -> None:
    """Merge keys into a set's metadata."""
    conn.execute(_sql("save_quality.sql"), {"set_id": set_id, "patch": Jsonb(patch)})


def list_sets(conn: psycopg.Connection) -> list[dict]:
    """Every loaded boundary set, as dictionaries."""
    cur = conn.execute(_sql("list_sets.sql"))
    cols = [c.name for c in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def _none(value: object) -> object:
    """pandas missing values (NA, NaN, None) become None."""
    return None if pd.isna(value) else value
