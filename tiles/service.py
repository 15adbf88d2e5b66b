"""Tiles as the API serves them: validated, rendered in one short transaction, compressed
once and cached under the data version."""

from __future__ import annotations

import gzip
import hashlib
import threading

import psycopg
from psycopg import sql

from gis_db.sqlfiles import load_sql
from tiles.cache import CachedTile, TileCache
from tiles.errors import TileError
from tiles.filters import TileFilters
from tiles.layers import Layer, Request, resolve
from tiles.settings import TileSettings
from tiles.tile import Tile

ALL = "all"  # the scope of an unrestricted caller; role x wards x fields scopes come later


class TileService:
    """Renders and caches tiles; one per application."""

    def __init__(self, settings: TileSettings | None = None) -> None:
        self.settings = settings or TileSettings()
        self.cache = TileCache(self.settings.cache_mb * 1_000_000)
        self._codes: tuple[int, dict[str, set[str]]] | None = None
        self._lock = threading.Lock()

    def data_version(self, conn: psycopg.Connection) -> int:
        """The version every batch bumps; part of cache keys and tile URLs."""
        row = conn.execute(load_sql("tiles", "data_version.sql")).fetchone()
        return int(row[0]) if row else 0

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

    def tile(
        self,
        conn: psycopg.Connection,
        names: str,
        z: int,
        x: int,
        y: int,
        filters: TileFilters,
        options: dict[str, str] | None = None,
        scope: str = ALL,
    ) -> CachedTile:
        """The tile of the layers `names` (comma-separated), from the cache when it can."""
        layers = resolve(names)
        tile = Tile.checked(z, x, y, self.settings.max_zoom)
        options = {k: v for k, v in (options or {}).items() if v is not None}
        _check_options(layers, filters, options)
        version = self.data_version(conn)
        if any(layer.filters for layer in layers):
            self.check_filters(conn, filters, version)
        if conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
            conn.rollback()  # the tile renders in a transaction of its own
        key = (names, z, x, y, filters.key(), tuple(sorted(options.items())), scope, version)
        found = self.cache.get(key)
        if found is not None:
            return found
        raw = self._render(conn, layers, Request(tile, filters, options))
        gzipped = gzip.compress(raw, self.settings.gzip_level, mtime=0) if raw else b""
        etag = '"' + hashlib.blake2b(raw, digest_size=16).hexdigest() + '"'
        result = CachedTile(gzipped, etag, version)
        self.cache.put(key, result)
        return result

    def _render(self, conn: psycopg.Connection, layers: list[Layer], request: Request) -> bytes:
        timeout = sql.SQL("SET LOCAL statement_timeout = {}").format(
            sql.Literal(self.settings.statement_timeout_ms)
        )
        with conn.transaction():
            conn.execute(timeout)
            return b"".join(layer.render(conn, request, self.settings) for layer in layers)


def _check_options(layers: list[Layer], filters: TileFilters, options: dict[str, str]) -> None:
    accepted = {o for layer in layers for o in layer.options}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise TileError(f"option(s) {', '.join(unknown)} do not apply to these layers")
    if filters.query() and not any(layer.filters for layer in layers):
        raise TileError("complaint filters do not apply to these layers")
