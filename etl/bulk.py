"""Bulk mode: a batch that is large next to a table drops the table's indexes and rebuilds them.

Growing a B-tree or GiST row by row costs several times more than building it once from the
finished table. Rebuilding happens inside the batch transaction, so the table is never seen
without its indexes and constraints.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from gis_db.sqlfiles import load_sql

# Tables a batch may rebuild (identifiers come only from this list).
BULK_TABLES = (
    "complaint", "complaint_contact", "complaint_point", "rollup_cell_day", "rollup_cell_month",
    "rollup_unit_day",
)  # fmt: skip


def estimated_rows(conn: psycopg.Connection, table: str) -> int:
    """The planner's row estimate of `table` (cheap; exact enough to choose bulk mode)."""
    if table not in BULK_TABLES:
        raise ValueError(f"not a bulk table: {table}")
    row = conn.execute(load_sql("etl", "estimated_rows.sql"), {"table": table}).fetchone()
    return int(row[0]) if row else 0


def truncate_if_empty(conn: psycopg.Connection, table: str) -> bool:
    """TRUNCATE an empty `table`: its new file is written without WAL until commit when the
    server runs with wal_level=minimal (the embedded cluster does). Returns whether it did."""
    if table not in BULK_TABLES:
        raise ValueError(f"not a bulk table: {table}")
    ident = sql.Identifier(table)
    empty = conn.execute(sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(ident)).fetchone()
    if empty[0]:
        conn.execute(sql.SQL("TRUNCATE {}").format(ident))
    return bool(empty[0])


def drop_indexes(conn: psycopg.Connection, table: str) -> list[sql.Composable]:
    """Drop every index and key constraint of `table`; return the statements that rebuild them."""
    if table not in BULK_TABLES:
        raise ValueError(f"not a bulk table: {table}")
    rebuild: list[sql.Composable] = []
    constraints = conn.execute(load_sql("etl", "table_constraints.sql"), {"table": table})
    for name, definition in constraints.fetchall():
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
        rebuild.append(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                sql.Identifier(table), sql.Identifier(name)
            )
            + sql.SQL(definition)
        )
    for name, definition in conn.execute(
        load_sql("etl", "table_indexes.sql"), {"table": table}
    ).fetchall():
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        rebuild.append(sql.SQL(definition))
    return rebuild


def rebuild(conn: psycopg.Connection, statements: list[sql.Composable]) -> None:
    """Run the statements `drop_indexes` returned."""
    for statement in statements:
        conn.execute(statement)
