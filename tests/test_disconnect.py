"""A tile query stops when its client goes away."""

from __future__ import annotations

import time
from types import SimpleNamespace

import anyio
import pytest
from psycopg.errors import QueryCanceled
from starlette.requests import Request

from gis_api.routers.tiles import with_connection
from gis_db.pool import open_pool


def _request(pool, gone: anyio.Event) -> Request:
    """A request whose client disconnects once `gone` is set."""

    async def receive() -> dict:  # as uvicorn's: no waiting once the client is gone
        if not gone.is_set():
            await gone.wait()
        return {"type": "http.disconnect"}

    app = SimpleNamespace(state=SimpleNamespace(pool=pool))
    return Request({"type": "http", "method": "GET", "app": app, "headers": []}, receive)


def test_query_is_cancelled_when_the_client_leaves(db):
    with open_pool(db.model_copy(update={"pool_min": 1, "pool_max": 1})) as pool:

        async def main() -> float:
            gone = anyio.Event()
            request = _request(pool, gone)
            started = time.monotonic()
            async with anyio.create_task_group() as group:
                group.start_soon(_leave_after, gone, 0.3)
                with pytest.raises(QueryCanceled):
                    await with_connection(
                        request, lambda conn: conn.execute("SELECT pg_sleep(20)").fetchone()
                    )
            return time.monotonic() - started

        assert anyio.run(main) < 5  # not the 20 s of the query
        with pool.connection() as conn:  # the connection is usable afterwards
            assert conn.execute("SELECT 1").fetchone() == (1,)


async def _leave_after(gone: anyio.Event, seconds: float) -> None:
    await anyio.sleep(seconds)
    gone.set()
