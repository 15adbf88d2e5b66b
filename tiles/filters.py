"""Filters of the tile layers, parsed from query parameters.

A filter set has one canonical text form (`key`), used in cache keys and tile URLs, so equal
filters written differently share cached tiles.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Status = Literal["open", "resolved", "rejected"]
CHANNELS = ("phone-1022", "app", "web", "zalo", "facebook", "email", "other")


class TileFilters(BaseModel):
    """What to count: fields, categories, channels, handling units, a span of reception days,
    a status, late only."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)

    field: tuple[str, ...] = Field((), description="Lĩnh vực (field codes), comma-separated")
    category: tuple[str, ...] = Field((), description="Category codes, comma-separated")
    channel: tuple[str, ...] = Field((), description="Channels of reception, comma-separated")
    unit: tuple[str, ...] = Field((), description="Handling unit codes, comma-separated")
    from_: date | None = Field(None, alias="from", description="First reception day (local)")
    to: date | None = Field(None, description="Last reception day (local), inclusive")
    status: Status | None = Field(None, description="open, resolved or rejected")
    late: bool = Field(False, description="Only complaints resolved after their due date")

    @field_validator("field", "category", "channel", "unit", mode="before")
    @classmethod
    def _split(cls, value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else list(value)
        codes = {c.strip() for item in items for c in str(item).split(",") if c.strip()}
        return tuple(sorted(codes))

    @field_validator("channel")
    @classmethod
    def _channels(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(CHANNELS))
        if unknown:
            raise ValueError(f"unknown channel(s) {', '.join(unknown)} (of {', '.join(CHANNELS)})")
        return value

    @model_validator(mode="after")
    def _span(self) -> TileFilters:
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError(f"'from' ({self.from_}) is after 'to' ({self.to})")
        if self.late and self.status in ("open", "rejected"):
            raise ValueError("late=true counts resolved complaints; it cannot go with status")
        return self

    def query(self) -> dict[str, str]:
        """The filters as query parameters, canonical (sorted codes, ISO dates)."""
        out: dict[str, str] = {}
        if self.field:
            out["field"] = ",".join(self.field)
        if self.category:
            out["category"] = ",".join(self.category)
        if self.channel:
            out["channel"] = ",".join(self.channel)
        if self.unit:
            out["unit"] = ",".join(self.unit)
        if self.from_:
            out["from"] = self.from_.isoformat()
        if self.to:
            out["to"] = self.to.isoformat()
        if self.status:
            out["status"] = self.status
        if self.late:
            out["late"] = "true"
        return out

    def key(self) -> str:
        """Canonical text of the filters (cache keys, tile URLs)."""
        return urlencode(self.query())

    def params(self) -> dict[str, object]:
        """Bound parameters of the layer statements."""
        return {
            "fields": list(self.field) or None,
            "categories": list(self.category) or None,
            "channels": list(self.channel) or None,
            "units": list(self.unit) or None,
            "from_day": self.from_,
            "to_day": self.to,
            "status": self.status,
            "late": self.late,
        }

    @property
    def in_rollups(self) -> bool:
        """Whether the cell rollups can count these filters (they keep no handling unit)."""
        return not self.unit

    @property
    def measure(self) -> str:
        """The rollup measure that counts what the filters ask for."""
        if self.late:
            return "n_late"
        return {"open": "n_open", "resolved": "n_resolved", "rejected": "n_rejected"}.get(
            self.status or "", "n"
        )
