"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gis_db.migrate import head_revision

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the revision this code expects."""
    settings = request.app.state.db_settings
    expected = head_revision(settings)
    try:
        with request.app.state.pool.connection(timeout=2) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except Exception as exc:  # any failure means not ready; say why
        return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
    current = row[0] if row else None
    if current != expected:
        detail = f"schema at {current}, code expects {expected}: run `phananh db migrate`"
        return JSONResponse({"status": "unavailable", "detail": detail}, status_code=503)
    return JSONResponse({"status": "ready", "revision": current})
