"""The batch ledger and the quarantine, for `phananh etl status` and notebooks."""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from gis_db.sqlfiles import load_sql


def batches(conn: psycopg.Connection, limit: int = 10) -> list[dict]:
    """The most recent batches, newest first (interrupted ones shown as failed)."""
    with conn.transaction():
        conn.execute(load_sql("etl", "close_interrupted.sql"))
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(load_sql("etl", "list_batches.sql"), {"limit": limit}).fetchall()
    for row in rows:
        row["seconds"] = None if row["seconds"] is None else float(row["seconds"])
    return rows


def quarantine_reasons(conn: psycopg.Connection) -> dict[str, int]:
    """Quarantined rows by reason (a row with two reasons counts under both)."""
    return dict(conn.execute(load_sql("etl", "quarantine_summary.sql")).fetchall())


def data_version(conn: psycopg.Connection) -> int:
    """The current data version (bumped by every batch that changes complaints)."""
    return conn.execute(load_sql("etl", "data_version.sql")).fetchone()[0]
