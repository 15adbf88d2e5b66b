"""Errors of the tile service; the API maps them to HTTP statuses."""

from __future__ import annotations

from pydantic import ValidationError


class TileError(ValueError):
    """A request that cannot be answered as asked (400)."""


class TileNotFound(LookupError):
    """A tile, layer or style that does not exist (404)."""


def invalid(what: str, exc: ValidationError, whole: str | None = None) -> TileError:
    """A TileError naming each invalid parameter of `what` ("filters", …); an error of the
    whole model is named `whole` (`what` by default)."""
    message = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or whole or what}: "
        + e["msg"].removeprefix("Value error, ")
        for e in exc.errors()
    )
    return TileError(f"invalid {what}: {message}")
