"""Display names of handling units, today's wards and fields, by code."""

from __future__ import annotations

from typing import Literal

import psycopg

from gis_db.sqlfiles import load_sql

Kind = Literal["unit", "ward", "field"]
KINDS = ("unit", "ward", "field")  # allow-list of the names_<kind>.sql files


def code_names(conn: psycopg.Connection, kind: Kind) -> dict[str, str]:
    """Code → name of every unit, ward of today's set, or field."""
    if kind not in KINDS:
        raise ValueError(f"no names of {kind!r}")
    return dict(conn.execute(load_sql("analytics", f"names_{kind}.sql")).fetchall())
