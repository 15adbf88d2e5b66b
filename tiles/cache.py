"""In-process cache of encoded tiles, bounded by bytes (an LRU).

Keys carry the data version, so a new batch makes every older entry unreachable; they age out.
Several API replicas would share a Redis instead (a later milestone).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass

from cachetools import LRUCache


@dataclass(frozen=True)
class CachedTile:
    """A finished tile: gzip-compressed MVT (empty when the tile has nothing) and its ETag."""

    gzipped: bytes
    etag: str
    data_version: int

    @property
    def empty(self) -> bool:
        """Whether the tile has no features (served as 204)."""
        return not self.gzipped


class TileCache:
    """A thread-safe LRU of CachedTile, at most `max_bytes` of tile bytes (0: no caching)."""

    def __init__(self, max_bytes: int) -> None:
        self._lru: LRUCache[Hashable, CachedTile] = LRUCache(
            maxsize=max(max_bytes, 1), getsizeof=lambda t: len(t.gzipped) + 200
        )
        self._lock = threading.Lock()
        self.disabled = max_bytes <= 0
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> CachedTile | None:
        """The cached tile under `key`, or None."""
        with self._lock:
            found = self._lru.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
            return found

    def put(self, key: Hashable, tile: CachedTile) -> None:
        """Keep `tile` under `key` (the least recently used go first when full)."""
        if self.disabled:
            return
        with self._lock:
            self._lru[key] = tile

    def clear(self) -> None:
        """Forget every tile."""
        with self._lock:
            self._lru.clear()
