"""Which unit of each boundary set in force on a date contains a point."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import psycopg

from gis_db.sqlfiles import load_sql

# 2025-01-01..2025-06-30 had 273 wards but no polygons exist for them: a point is placed in
# the 2021 ward and followed through the crosswalk.
LIST_ONLY_VERSIONS = {
    "hcmc-2025-03": (date(2025, 1, 1), date(2025, 6, 30), "hcmc-2021"),
}


@dataclass(frozen=True)
class Located:
    """A unit that contains the point, in one boundary set."""

    set: str
    level: str
    code: str
    name: str
    unit_type: str
    parent_code: str | None
    parent_name: str | None
    method: str = "polygon"
    certain: bool = True


def check_coordinates(lat: float, lon: float) -> None:
    """Refuse coordinates that cannot exist (and NaN)."""
    if not (-90.0 <= lat <= 90.0):
        raise ValueError(
            f"latitude {lat} is outside -90..90 (were latitude and longitude swapped?)"
        )
    if not (-180.0 <= lon <= 180.0):
        raise ValueError(f"longitude {lon} is outside -180..180")


def locate(
    conn: psycopg.Connection, lat: float, lon: float, on: date | None = None
) -> list[Located]:
    """Units containing (lat, lon) in every set valid on `on` (today by default)."""
    check_coordinates(lat, lon)
    on = on or date.today()
    rows = conn.execute(load_sql("boundaries", "locate.sql"), {"lat": lat, "lon": lon, "on": on})
    found = [
        Located(
            set=r[0],
            level=r[1],
            code=r[4],
            name=r[5],
            unit_type=r[6],
            parent_code=r[7],
            parent_name=r[8],
        )
        for r in rows.fetchall()
    ]
    for version, (start, end, via) in LIST_ONLY_VERSIONS.items():
        if start <= on <= end:
            found.extend(_through_crosswalk(conn, lat, lon, via, version))
    return found


def _through_crosswalk(
    conn: psycopg.Connection, lat: float, lon: float, via: str, version: str
) -> list[Located]:
    unit = conn.execute(
        load_sql("boundaries", "unit_at.sql"), {"slug": via, "lat": lat, "lon": lon}
    ).fetchone()
    if unit is None:
        return []
    targets = conn.execute(
        load_sql("boundaries", "crosswalk_targets.sql"),
        {"from_version": via, "to_version": version, "code": unit[0]},
    ).fetchall()
    certain = len(targets) == 1 and not targets[0][3]
    return [
        Located(
            set=version,
            level="ward",
            code=t[0],
            name=t[1],
            unit_type=unit[2],
            parent_code=unit[3],
            parent_name=unit[4],
            method=f"crosswalk from {via}",
            certain=certain,
        )
        for t in targets
    ]
