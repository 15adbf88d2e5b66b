"""Request-scoped dependencies: a pooled connection per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import psycopg
from fastapi import Depends, Request


def get_conn(request: Request) -> Iterator[psycopg.Connection]:
    """Lend one pooled connection for the duration of a request."""
    with request.app.state.pool.connection() as conn:
        yield conn


ConnDep = Annotated[psycopg.Connection, Depends(get_conn)]
