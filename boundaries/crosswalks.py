"""Crosswalks between successive versions of the ward map, kept whole (full and partial)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import psycopg

from gis_db.sqlfiles import load_sql

COLUMNS = (
    "from_code",
    "from_name",
    "from_parent_code",
    "from_parent_name",
    "to_code",
    "to_name",
    "relation",
    "note",
    "legal_basis",
)


def read_crosswalk(
    path: Path, columns: dict[str, str], legal_basis: str | None = None
) -> pd.DataFrame:
    """Read a crosswalk CSV and rename its columns to the model (codes stay text)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = pd.DataFrame({key: raw[src].str.strip() for key, src in columns.items()})
    for key in COLUMNS:
        if key not in frame:
            frame[key] = ""
    # A district with no commune-level units (Huyện Côn Đảo) maps by its own code.
    frame["from_code"] = frame["from_code"].where(
        frame["from_code"] != "", frame["from_parent_code"]
    )
    if legal_basis:
        frame["legal_basis"] = frame["legal_basis"].where(frame["legal_basis"] != "", legal_basis)
    frame["partial"] = frame.apply(_is_partial, axis=1)
    return frame.replace({"": None})


def _is_partial(row: pd.Series) -> bool:
    """Only part of the old unit went to this target (a split, or a partial merge)."""
    relation = (row["relation"] or "").lower()
    note = (row["note"] or "").lower()
    # "boundary_changed_partial_gain" marks the unit that *received* part of a split one: the
    # old unit itself went there whole.
    return relation == "partial" or note.startswith("partial")


def load_crosswalk(
    conn: psycopg.Connection, frame: pd.DataFrame, from_version: str, to_version: str
) -> int:
    """Replace the crosswalk from_version -> to_version; return the row count."""
    keys = {"from_version": from_version, "to_version": to_version}
    with conn.transaction():
        conn.execute(load_sql("boundaries", "delete_crosswalk.sql"), keys)
        with conn.cursor().copy(load_sql("boundaries", "copy_crosswalk.sql")) as copy:
            for r in frame.itertuples(index=False):
                copy.write_row(
                    (
                        from_version,
                        to_version,
                        r.from_code,
                        r.from_name,
                        r.from_parent_code,
                        r.from_parent_name,
                        r.to_code,
                        r.to_name,
                        r.relation,
                        bool(r.partial),
                        r.note,
                        r.legal_basis,
                    )
                )
    return len(frame)
