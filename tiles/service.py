"""Tiles as the API serves them: validated before any query, rendered once, compressed once
and cached under the data version.

A cache hit needs no database: the data version is remembered for `version_ttl_ms`, and a
request that names a newer version (TileJSON URLs carry it) refreshes it at once. A miss
reads the version first and renders after it; the ETL bumps the version in the same
transaction as the data, so a tile is never stored under a version newer than its data.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from dataclasses import dataclass

import psycopg

from gis_db.sqlfiles import load_sql
from tiles.cache import CachedTile, TileCache
from tiles.errors import TileError
from tiles.filters import TileFilters
from tiles.layers import Layer, Request, resolve
from tiles.settings import TileSettings
from tiles.tile import Tile

ALL = "all"  # the scope of an unrestricted caller; role x wards x fields scopes come later


@dataclass(frozen=True)
class TileSpec:
    """A validated tile request: layers, address, filters, layer options and caller scope."""

    names: str
    layers: tuple[Layer, ...]
    tile: Tile
    filters: TileFilters
    options: tuple[tuple[str, str], ...]
    scope: str

    def key(self, version: int) -> tuple:
        """Cache key of the tile at data version `version`."""
        t = self.tile
        return (self.names, t.z, t.x, t.y, self.filters.key(), self.options, self.scope, version)


class TileService:
    """Renders and caches tiles; one per application (per worker process)."""

    def __init__(self, settings: TileSettings | None = None) -> None:
        self.settings = settings or TileSettings()
        self.cache = TileCache(self.settings.cache_mb * 1_000_000)
        self._codes: tuple[int, dict[str, set[str]]] | None = None
        self._version: tuple[int, float] | None = None  # value, when read (monotonic)
        self._lock = threading.Lock()

    def spec(
        self,
        names: str,
        z: int,
        x: int,
        y: int,
        filters: TileFilters,
        options: dict[str, str | None] | None = None,
        scope: str = ALL,
    ) -> TileSpec:
        """Check a request without the database: layers, tile address, options."""
        layers = tuple(resolve(names))
        tile = Tile.checked(z, x, y, self.settings.max_zoom)
        given = {k: v for k, v in (options or {}).items() if v is not None}
        accepted = {o for layer in layers for o in layer.options}
        unknown = sorted(set(given) - accepted)
        if unknown:
            raise TileError(f"option(s) {', '.join(unknown)} do not apply to these layers")
        if filters.query() and not any(layer.filters for layer in layers):
            raise TileError("complaint filters do not apply to these layers")
        return TileSpec(names, layers, tile, filters, tuple(sorted(given.items())), scope)

    def cached(self, spec: TileSpec, wanted: int | None = None) -> CachedTile | None:
        """The tile from the cache when the remembered data version is fresh enough."""
        with self._lock:
            known = self._version
        if known is None or time.monotonic() - known[1] > self.settings.version_ttl_ms / 1000:
            return None
        if wanted is not None and wanted > known[0]:
            return None
        return self.cache.get(spec.key(known[0]))

    def render(self, conn: psycopg.Connection, spec: TileSpec) -> CachedTile:
        """Read the data version, then serve the tile from the cache or render it."""
        version = self.data_version(conn)
        found = self.cache.get(spec.key(version))
        if found is not None:
            return found
        if any(layer.filters for layer in spec.layers):
            self.check_filters(conn, spec.filters, version)
        request = Request(spec.tile, spec.filters, dict(spec.options))
        raw = b"".join(layer.render(conn, request, self.settings) for layer in spec.layers)
        gzipped = gzip.compress(raw, self.settings.gzip_level, mtime=0) if raw else b""
        etag = '"' + hashlib.blake2b(raw, digest_size=16).hexdigest() + '"'
        result = CachedTile(gzipped, etag, version)
        self.cache.put(spec.key(version), result)
        return result

    def data_version(self, conn: psycopg.Connection) -> int:
        """The version every batch bumps (read now, and remembered for cache lookups)."""
        row = conn.execute(load_sql("tiles", "data_version.sql")).fetchone()
        version = int(row[0]) if row else 0
        with self._lock:
            self._version = (version, time.monotonic())
        return version

    def describe(self, conn: psycopg.Connection) -> tuple[int, tuple[float, float, float, float]]:
        """The data version and the bounds (lon/lat) of today's ward set, for TileJSON."""
        version = self.data_version(conn)
        row = conn.execute(load_sql("tiles", "extent.sql")).fetchone()
        bounds = tuple(row) if row and row[0] is not None else (-180.0, -85.0511, 180.0, 85.0511)
        return version, bounds  # type: ignore[return-value]

    def check_filters(self, conn: psycopg.Connection, filters: TileFilters, version: int) -> None:
        """TileError for field or category codes the taxonomy does not have."""
        with self._lock:
            cached = self._codes
        if cached is None or cached[0] != version:
            codes: dict[str, set[str]] = {"field": set(), "category": set()}
            for kind, code in conn.execute(load_sql("tiles", "taxonomy_codes.sql")):
                codes[kind].add(code)
            cached = (version, codes)
            with self._lock:
                self._codes = cached
        for kind, wanted in (("field", filters.field), ("category", filters.category)):
            unknown = sorted(set(wanted) - cached[1][kind])
            if unknown:
                raise TileError(f"unknown {kind} code(s): {', '.join(unknown)}")
