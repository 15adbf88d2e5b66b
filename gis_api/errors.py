"""One map from domain errors to HTTP statuses; every error answer is JSON."""

from __future__ import annotations

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg.errors import QueryCanceled
from psycopg_pool import PoolTimeout

from boundaries.errors import BoundaryError, UnknownBoundarySet
from tiles.errors import TileError, TileNotFound

STATUS_CODES: dict[type[Exception], int] = {
    UnknownBoundarySet: 404,
    TileNotFound: 404,
    TileError: 400,
    QueryCanceled: 503,
    BoundaryError: 400,
    ValueError: 400,
    PoolTimeout: 503,
    psycopg.Error: 503,  # the database refused or failed; say so rather than a bare 500
}


def _invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    """Malformed parameters: 400 with what was wrong, where."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
        for e in errors
    )
    return JSONResponse({"detail": detail or str(exc)}, status_code=400)


def add_exception_handlers(app: FastAPI) -> None:
    """Register a JSON handler for each mapped exception (and 400 for malformed parameters)."""
    app.add_exception_handler(RequestValidationError, _invalid_request)
    for exc_type, status in STATUS_CODES.items():

        def handler(_request: Request, exc: Exception, status: int = status) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status)

        app.add_exception_handler(exc_type, handler)
