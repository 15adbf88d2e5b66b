"""Apply Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from gis_db.settings import DbSettings


def alembic_config(settings: DbSettings) -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", "gis_db:migrations")
    cfg.set_main_option("sqlalchemy.url", settings.sqlalchemy_url.replace("%", "%%"))
    return cfg


def head_revision(settings: DbSettings) -> str | None:
    """Newest revision shipped with the code."""
    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """Revision the database is at (None when never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def _run(settings: DbSettings, action: str, target: str) -> None:
    cfg = alembic_config(settings)
    engine = create_engine(settings.sqlalchemy_url)
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            getattr(command, action)(cfg, target)
    finally:
        engine.dispose()


def upgrade(settings: DbSettings, target: str = "head") -> None:
    """Migrate the database up to `target`."""
    _run(settings, "upgrade", target)


def downgrade(settings: DbSettings, target: str = "base") -> None:
    """Migrate the database down to `target`."""
    _run(settings, "downgrade", target)


def is_current(settings: DbSettings) -> bool:
    """True when the database is at the shipped head revision."""
    engine = create_engine(settings.sqlalchemy_url)
    try:
        with engine.connect() as connection:
            return current_revision(connection) == head_revision(settings)
    finally:
        engine.dispose()
