"""The data version: one counter bumped in the same transaction as any change that tiles,
legends or caches show (complaint batches, boundary sets, populations). Caches key on it."""

from __future__ import annotations

import psycopg

from gis_db.sqlfiles import load_sql


def bump_data_version(conn: psycopg.Connection) -> int:
    """Increment the data version (inside the caller's transaction); the new value."""
    return conn.execute(load_sql("gis_db", "bump_data_version.sql")).fetchone()[0]
