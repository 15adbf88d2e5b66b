"""Tile settings (env prefix ``PHANANH_TILES_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class TileSettings(BaseSettings):
    """How tiles are cut, bounded and cached."""

    model_config = SettingsConfigDict(env_prefix="PHANANH_TILES_", env_file=".env", extra="ignore")

    extent: int = 4096  # tile coordinate space
    buffer: int = 64  # pixels (in extent units) kept around the tile: no cut symbols at seams
    max_zoom: int = 22
    point_min_zoom: int = 14  # below it the complaints layer aggregates
    max_points: int = 20_000  # a points tile with more aggregates instead of truncating
    version_ttl_ms: int = 1_000  # how long a read data version serves cache lookups
    cache_mb: int = 256  # in-process cache of compressed tiles
    max_age: int = 60  # Cache-Control max-age (tile URLs carry the data version)
    gzip_level: int = Field(1, ge=0, le=3)  # ISA-L level: 5x zlib's level 1, same size
    backlog_minutes: int = 5  # cut-off of backlogs (wards): now, floored to these minutes
    glyphs: str | None = None  # style glyphs URL template; labels only when fonts are served
    center: tuple[float, float, int] = (106.7009, 10.7769, 11)  # TileJSON: lon, lat, zoom
