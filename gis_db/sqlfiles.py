"""Load the ``.sql`` files that live beside the code that owns them."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def load_sql(package: str, name: str) -> str:
    """Text of ``<package>/sql/<name>``, read once."""
    return (files(package) / "sql" / name).read_text(encoding="utf-8")
