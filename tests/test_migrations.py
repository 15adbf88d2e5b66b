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
