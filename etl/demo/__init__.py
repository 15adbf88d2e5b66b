"""Synthetic HCMC complaints in the export format of the city's 1022 portal (demo data)."""

from __future__ import annotations

from etl.demo.export import write
from etl.demo.generate import COLUMNS, generate

__all__ = ["COLUMNS", "generate", "write"]
