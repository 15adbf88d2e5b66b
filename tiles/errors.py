"""Errors of the tile service; the API maps them to HTTP statuses."""

from __future__ import annotations


class TileError(ValueError):
    """A request that cannot be answered as asked (400)."""


class TileNotFound(LookupError):
    """A tile, layer or style that does not exist (404)."""
