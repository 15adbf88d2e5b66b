"""Connections for entry points (CLI, API lifespan, notebooks); library code receives one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool

from gis_db.settings import DbSettings


def _options(settings: DbSettings) -> str:
    return (
        f"-c statement_timeout={settings.statement_timeout_ms} -c timezone=Asia/Ho_Chi_Minh "
        "-c datestyle=ISO,YMD"
    )


def connect(settings: DbSettings, *, autocommit: bool = False) -> psycopg.Connection:
    """One connection with the project's session settings."""
    return psycopg.connect(settings.url, autocommit=autocommit, options=_options(settings))


async def connect_async(
    settings: DbSettings, *, autocommit: bool = False
) -> psycopg.AsyncConnection:
    """One asynchronous connection with the project's session settings."""
    return await psycopg.AsyncConnection.connect(
        settings.url, autocommit=autocommit, options=_options(settings)
    )


@contextmanager
def open_pool(settings: DbSettings, *, autocommit: bool = False) -> Iterator[ConnectionPool]:
    """Open a pool and fail fast when the database is unreachable."""
    with ConnectionPool(
        settings.url,
        min_size=settings.pool_min,
        max_size=settings.pool_max,
        kwargs={"options": _options(settings), "autocommit": autocommit},
        open=False,
    ) as pool:
        pool.wait(timeout=10)
        yield pool
