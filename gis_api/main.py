"""Application factory: nothing connects until the lifespan starts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from gis_api.errors import add_exception_handlers
from gis_api.routers import analytics, boundaries, digest, geocode, health, maps, tiles
from gis_api.settings import ApiSettings
from gis_api.version_watch import watch_data_version
from gis_db.pool import open_pool
from gis_db.settings import DbSettings
from tiles.service import TileService
from tiles.settings import TileSettings


def create_app(
    api: ApiSettings | None = None,
    db: DbSettings | None = None,
    tile_settings: TileSettings | None = None,
) -> FastAPI:
    """Build the FastAPI application (served by `phananh serve`)."""
    api = api or ApiSettings()
    db = db or DbSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Requests only read: autocommit saves a round trip, the timeout bounds every query.
        limited = db.model_copy(update={"statement_timeout_ms": api.statement_timeout_ms})
        with open_pool(limited, autocommit=True) as pool:
            app.state.pool = pool
            async with watch_data_version(limited, app.state.tiles):
                yield

    app = FastAPI(title=api.title, lifespan=lifespan)
    app.state.api_settings = api
    app.state.db_settings = db
    app.state.tiles = TileService(tile_settings)
    if api.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=api.cors_origins, allow_methods=["GET"])
    routers = (health, boundaries, geocode, tiles, maps, analytics, digest)
    for router in (module.router for module in routers):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=maps.STATIC, check_dir=False), name="static")
    add_exception_handlers(app)
    return app
