"""Official administrative unit lists (the gazetteer for address geocoding)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import psycopg

from boundaries.names import strip_diacritics
from gis_db.sqlfiles import load_sql

FIELDS = (
    "code",
    "name",
    "unit_type",
    "district_code",
    "district_name",
    "province_code",
    "province_name",
    "aliases",
    "lat",
    "lon",
)


def read_unit_list(path: Path, fmt: str) -> pd.DataFrame:
    """Read one official list into the model's columns; `fmt` names the source layout."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    if fmt == "gso":
        frame = pd.DataFrame(
            {
                "code": raw["ward_code"],
                "name": raw["ward_name"],
                "unit_type": raw["ward_type"],
                "district_code": raw["district_code"],
                "district_name": raw["district_name"],
                "province_code": raw["province_code"],
                "province_name": raw["province_name"],
            }
        )
        frame["aliases"] = [[] for _ in range(len(frame))]
        frame["lat"] = frame["lon"] = None
    elif fmt in {"vietnamadminunits-legacy", "vietnamadminunits-new"}:
        legacy = fmt.endswith("legacy")
        frame = pd.DataFrame(
            {
                "code": raw["wardCode"],
                "name": raw["ward"],
                "unit_type": raw["wardType"],
                "district_code": raw["districtCode"] if legacy else "",
                "district_name": raw["district"] if legacy else "",
                "province_code": raw["provinceCode"],
                "province_name": raw["province"],
                "lat": pd.to_numeric(raw["wardLat"], errors="coerce"),
                "lon": pd.to_numeric(raw["wardLon"], errors="coerce"),
            }
        )
        frame["aliases"] = [
            sorted(set(_json_list(a)) | set(_json_list(k)))
            for a, k in zip(raw["wardAlias"], raw["wardKeywords"], strict=True)
        ]
        frame = frame[frame["code"] != ""]
    else:
        raise ValueError(f"unknown unit list format '{fmt}'")
    frame["name_ascii"] = frame["name"].map(strip_diacritics)
    return frame.replace({"": None}).astype(object).where(frame.notna(), None)


def _json_list(text: str) -> list[str]:
    if not text:
        return []
    value = json.loads(text)
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def load_unit_list(conn: psycopg.Connection, frame: pd.DataFrame, header: dict) -> int:
    """Replace the list `header['slug']` with `frame`; return its unit count."""
    with conn.transaction():
        conn.execute(load_sql("boundaries", "delete_unit_list.sql"), {"slug": header["slug"]})
        list_id = conn.execute(load_sql("boundaries", "insert_unit_list.sql"), header).fetchone()[0]
        with conn.cursor().copy(load_sql("boundaries", "copy_admin_units.sql")) as copy:
            for r in frame.itertuples(index=False):
                copy.write_row(
                    (
                        list_id,
                        r.code,
                        r.name,
                        r.name_ascii,
                        r.unit_type,
                        r.district_code,
                        r.district_name,
                        r.province_code,
                        r.province_name,
                        list(r.aliases),
                        r.lat,
                        r.lon,
                    )
                )
        count = conn.execute(load_sql("boundaries", "count_admin_units.sql"), {"list_id": list_id})
        return count.fetchone()[0]
