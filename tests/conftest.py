"""Test databases: a throwaway PostGIS cluster (or DATABASE_URL), a migrated template, clones.

Without DATABASE_URL the suite starts its own cluster on a free port in a temporary folder, so
a running demo or another clone's tests never collide with it. The database is required:
every fixture fails loudly when it cannot be had, none skips.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from boundaries.catalog import load_all
from boundaries.settings import BoundarySettings
from gis_db import migrate
from gis_db.embedded import SERVER_USER, EmbeddedCluster, free_port, is_root
from gis_db.settings import DbSettings

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = "phananh_test_template"
_counter = itertools.count()


@pytest.fixture(scope="session")
def server() -> Iterator[DbSettings]:
    """Settings of a PostGIS server for the session (DATABASE_URL or a throwaway cluster)."""
    if os.environ.get("DATABASE_URL"):
        yield DbSettings()
        return
    tmp = Path(tempfile.mkdtemp(prefix="phananh-test-"))
    if is_root():
        user = pwd.getpwnam(SERVER_USER)
        os.chown(tmp, user.pw_uid, user.pw_gid)
    settings = DbSettings(_env_file=None, dir=tmp / "postgres", port=free_port(), name=TEMPLATE)
    cluster = EmbeddedCluster(settings, fast=True)
    cluster.start()
    try:
        yield settings.with_database(TEMPLATE)
    finally:
        cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def template(server: DbSettings) -> DbSettings:
    """A database migrated to head, cloned by each test."""
    if os.environ.get("DATABASE_URL"):
        _create_database(server, TEMPLATE, template=None)
    tmpl = server.with_database(TEMPLATE)
    with psycopg.connect(tmpl.url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    migrate.upgrade(tmpl)
    return tmpl


def _create_database(server: DbSettings, name: str, template: str | None) -> DbSettings:
    with psycopg.connect(server.with_database("postgres").url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            stmt += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(stmt)
    return server.with_database(name)


def _drop_database(server: DbSettings, name: str) -> None:
    with psycopg.connect(server.with_database("postgres").url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def db(server: DbSettings, template: DbSettings) -> Iterator[DbSettings]:
    """A fresh migrated database for one test."""
    name = f"phananh_test_{os.getpid()}_{next(_counter)}"
    settings = _create_database(server, name, TEMPLATE)
    try:
        yield settings
    finally:
        _drop_database(server, name)


@pytest.fixture
def blank_db(server: DbSettings) -> Iterator[DbSettings]:
    """A database that exists but was never migrated."""
    name = f"phananh_blank_{uuid.uuid4().hex[:8]}"
    settings = _create_database(server, name, template=None)
    try:
        yield settings
    finally:
        _drop_database(server, name)


@pytest.fixture
def conn(db: DbSettings) -> Iterator[psycopg.Connection]:
    """A connection to the per-test database."""
    with psycopg.connect(db.url) as connection:
        yield connection


@pytest.fixture(scope="session")
def boundary_settings() -> BoundarySettings:
    """Catalog data from the mirror (PHANANH_DATA_DIR); the suite needs the real files."""
    settings = BoundarySettings()
    assert settings.data_dir is not None, (
        "PHANANH_DATA_DIR is not set: point it at the data mirror (make test sets ../shared/data)"
    )
    return settings


@pytest.fixture(scope="session")
def catalog_db(
    server: DbSettings, template: DbSettings, boundary_settings: BoundarySettings
) -> Iterator[DbSettings]:
    """A database with the whole built-in catalog loaded once; tests only read it."""
    name = f"phananh_catalog_{uuid.uuid4().hex[:8]}"
    settings = _create_database(server, name, TEMPLATE)
    with psycopg.connect(settings.url) as connection:
        load_all(connection, boundary_settings)
    try:
        yield settings
    finally:
        _drop_database(server, name)


@pytest.fixture
def catalog_conn(catalog_db: DbSettings) -> Iterator[psycopg.Connection]:
    """A connection to the catalog database (rolled back after the test)."""
    with psycopg.connect(catalog_db.url) as connection:
        yield connection
        connection.rollback()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test fails the run: the suite runs whole or not at all."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter:
            reporter.write_line(f"FAILED: {skipped} test(s) skipped; the suite must not skip")


@pytest.fixture(scope="session")
def catalog_clone(
    server: DbSettings, template: DbSettings, boundary_settings: BoundarySettings
) -> Iterator[Callable[[], AbstractContextManager[DbSettings]]]:
    """Writable databases with the whole catalog loaded: `with catalog_clone() as db: ...`.

    The catalog is loaded once into a private template; each clone is a fast copy of it,
    dropped when its `with` block ends. Unlike `catalog_db`, clones may be written to.
    """
    base = f"phananh_catclone_{uuid.uuid4().hex[:8]}"
    settings = _create_database(server, base, TEMPLATE)
    try:
        with psycopg.connect(settings.url) as connection:
            load_all(connection, boundary_settings)
        clones = itertools.count()

        @contextmanager
        def clone() -> Iterator[DbSettings]:
            name = f"{base}_{next(clones)}"
            made = _create_database(server, name, base)
            try:
                yield made
            finally:
                _drop_database(server, name)

        yield clone
    finally:
        _drop_database(server, base)
