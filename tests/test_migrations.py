"""Migrations and the schema definition agree; they go down and up cleanly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine

from gis_db import migrate
from gis_db.schema import metadata


def test_migrations_match_schema(db):
    engine = create_engine(db.sqlalchemy_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": alembic_helpers.include_object}
        )
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_database_is_at_head(db):
    assert migrate.is_current(db)


def test_downgrade_and_upgrade_round_trip(db, conn):
    conn.close()
    migrate.downgrade(db, "base")
    assert not migrate.is_current(db)
    migrate.upgrade(db)
    assert migrate.is_current(db)


def test_0004_rebuilds_the_rollups_of_stored_complaints(catalog_clone, boundary_settings, tmp_path):
    """Down to 0003 and up again with complaints stored: the rollups that 0004 rebuilds
    (cells by channel, months by category and channel, the unit rollup's new measures) equal
    those the ETL writes."""
    from datetime import date

    import psycopg
    from test_etl_ingest import MAPPING, assert_rollups_match_complaints

    from etl.demo import generate, write
    from etl.ingest import ingest

    frame = generate(1_500, 3, date(2024, 1, 1), date(2025, 12, 31), boundary_settings)
    with catalog_clone() as db:
        with psycopg.connect(db.url) as conn:
            ingest(conn, write(frame, tmp_path / "d.csv"), MAPPING)
        migrate.downgrade(db, "0003")
        migrate.upgrade(db)
        with psycopg.connect(db.url) as conn:
            assert conn.execute("SELECT count(*) FROM rollup_cell_month").fetchone()[0] > 0
            assert_rollups_match_complaints(conn)
