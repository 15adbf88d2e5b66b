"""One map from domain errors to HTTP statuses; every error answer is JSON."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout

from boundaries.errors import BoundaryError, UnknownBoundarySet

STATUS_CODES: dict[type[Exception], int] = {
    UnknownBoundarySet: 404,
    BoundaryError: 400,
    ValueError: 400,
    PoolTimeout: 503,
}


def add_exception_handlers(app: FastAPI) -> None:
    """Register a JSON handler for each mapped exception."""
    for exc_type, status in STATUS_CODES.items():

        def handler(_request: Request, exc: Exception, status: int = status) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status)

        app.add_exception_handler(exc_type, handler)
