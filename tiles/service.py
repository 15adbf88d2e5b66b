"""Tiles as the API serves them: validated before any query, rendered once, compressed once
and cached under the data version.

A cache hit needs no database: the data version read last (the API reads it on its event loop
every half `version_ttl_ms`) serves for `version_ttl_ms`, and a request that names a newer
version (TileJSON URLs carry it) reads it again at once. A tile is rendered after its version
was read, and the ETL bumps the version in the same transaction as the data, so a tile is
never stored under a version newer than its data.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from cachetools import LRUCache
from isal import igzip

from gis_db.sqlfiles import load_sql
from tiles.cache import CachedTile, TileCache
from tiles.errors import TileError
from tiles.filters import TileFilters
from tiles.layers import Layer, Request, resolve
from tiles.legends import legend
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
    as_of: datetime | None  # cut-off of layers that change with time alone, else None

    def key(self, version: int) -> tuple:
        """Cache key of the tile at data version `version` (and cut-off)."""
        t = self.tile
        return (
            self.names, t.z, t.x, t.y, self.filters.key(), self.options, self.scope, version,
            self.as_of,
        )  # fmt: skip


class TileService:
    """Renders and caches tiles; one per application (per worker process)."""

    def __init__(self, settings: TileSettings | None = None) -> None:
        self.settings = settings or TileSettings()
        self.cache = TileCache(self.settings.cache_mb * 1_000_000)
        self._codes: tuple[int, dict[str, set[str]]] | None = None
        self._version: tuple[int, float] | None = None  # value, valid until (monotonic)
        self._lock = threading.Lock()
        self.memo: LRUCache = LRUCache(maxsize=64)  # per-version values shared by tiles

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
        if (filters.status or filters.late) and any(not layer.statuses for layer in layers):
            names_ = ", ".join(layer.name for layer in layers if not layer.statuses)
            raise TileError(f"status= and late= do not apply to {names_}")
        as_of = self.cut_off() if any(layer.clock for layer in layers) else None
        return TileSpec(names, layers, tile, filters, tuple(sorted(given.items())), scope, as_of)

    def cut_off(self) -> datetime:
        """The cut-off instant of backlogs: now, floored to `backlog_minutes`."""
        step = max(self.settings.backlog_minutes, 1) * 60
        return datetime.fromtimestamp(time.time() // step * step, UTC)

    def known_version(self, wanted: int | None = None) -> int | None:
        """The data version read last, when it is fresh and not older than `wanted`."""
        with self._lock:
            known = self._version
        if known is None or time.monotonic() > known[1]:
            return None
        if wanted is not None and wanted > known[0]:
            return None
        return known[0]

    def cached(self, spec: TileSpec, wanted: int | None = None) -> CachedTile | None:
        """The tile from the cache, without the database, when the version read last is fresh."""
        version = self.known_version(wanted)
        return None if version is None else self.cache.get(spec.key(version))

    def render(
        self, conn: psycopg.Connection, spec: TileSpec, wanted: int | None = None
    ) -> CachedTile:
        """Serve the tile from the cache or render it, at the data version read last when
        fresh (else read now)."""
        version = self.known_version(wanted)
        if version is None:
            version = self.data_version(conn)
        found = self.cache.get(spec.key(version))
        if found is not None:
            return found
        if any(layer.filters for layer in spec.layers):
            self.check_filters(conn, spec.filters, version)
        request = Request(
            spec.tile, spec.filters, dict(spec.options), version,
            spec.as_of or datetime.now(UTC), _Locked(self.memo, self._lock),
        )  # fmt: skip
        raw = b"".join(layer.render(conn, request, self.settings) for layer in spec.layers)
        gzipped = igzip.compress(raw, self.settings.gzip_level, mtime=0) if raw else b""
        etag = '"' + hashlib.blake2b(raw, digest_size=16).hexdigest() + '"'
        result = CachedTile(gzipped, etag, version)
        self.cache.put(spec.key(version), result)
        return result

    def legend(
        self,
        conn: psycopg.Connection,
        name: str,
        filters: TileFilters,
        options: dict[str, str | None],
        metric: str | None = None,
    ) -> dict:
        """The legend of a layer for the filters, at the current data version and cut-off."""
        spec = self.spec(name, 0, 0, 0, filters, options)
        version = self.data_version(conn)
        if spec.layers[0].filters:
            self.check_filters(conn, filters, version)
        request = Request(
            spec.tile, filters, dict(spec.options), version, spec.as_of or self.cut_off(),
            _Locked(self.memo, self._lock),
        )  # fmt: skip
        return {**legend(conn, name, request, metric), "data_version": version}

    def data_version(self, conn: psycopg.Connection) -> int:
        """The version every batch bumps (read now, and remembered for cache lookups)."""
        row = conn.execute(load_sql("tiles", "data_version.sql")).fetchone()
        return self.remember_version(int(row[0]) if row else 0)

    def remember_version(self, version: int, valid_s: float | None = None) -> int:
        """Note the data version just read; cache lookups use it for `valid_s` seconds
        (`version_ttl_ms` by default)."""
        valid = self.settings.version_ttl_ms / 1000 if valid_s is None else valid_s
        with self._lock:
            self._version = (version, time.monotonic() + valid)
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
            codes: dict[str, set[str]] = {"field": set(), "category": set(), "unit": set()}
            for kind, code in conn.execute(load_sql("tiles", "taxonomy_codes.sql")):
                codes[kind].add(code)
            cached = (version, codes)
            with self._lock:
                self._codes = cached
        wanted_codes = (
            ("field", filters.field),
            ("category", filters.category),
            ("unit", filters.unit),
        )
        for kind, wanted in wanted_codes:
            unknown = sorted(set(wanted) - cached[1][kind])
            if unknown:
                raise TileError(f"unknown {kind} code(s): {', '.join(unknown)}")


class _Locked:
    """A mapping guarded by a lock (the memo is shared by the worker threads)."""

    def __init__(self, mapping: LRUCache, lock: threading.Lock) -> None:
        self._mapping, self._lock = mapping, lock

    def get(self, key: object) -> object:
        with self._lock:
            return self._mapping.get(key)

    def __setitem__(self, key: object, value: object) -> None:
        with self._lock:
            self._mapping[key] = value
