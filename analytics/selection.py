"""The complaints an analysis reads: fields, categories and a span of local reception days
(the parameters every analytics run shares)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


def code_list(value: object) -> tuple[str, ...]:
    """Codes from comma-separated text or a list of such texts: trimmed, without blanks and
    repeats, in the order given."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return tuple(dict.fromkeys(c.strip() for i in items for c in str(i).split(",") if c.strip()))


class Codes(BaseModel):
    """Fields and categories (codes; comma-separated text or lists)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    field: tuple[str, ...] = Field((), description="Field codes, comma-separated")
    category: tuple[str, ...] = Field((), description="Category codes, comma-separated")

    @field_validator("field", "category", mode="before")
    @classmethod
    def _split(cls, value: object) -> tuple[str, ...]:
        return tuple(sorted(code_list(value)))


class Selection(Codes):
    """Fields, categories and a span of local reception days."""

    from_: date | None = Field(None, alias="from", description="First reception day (local)")
    to: date | None = Field(None, description="Last reception day (local), inclusive")

    @model_validator(mode="after")
    def _span(self) -> Selection:
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError(f"'from' ({self.from_}) is after 'to' ({self.to})")
        return self

    def selection_params(self) -> dict[str, object]:
        """Bound parameters of the analytics statements: fields, categories, from/to day."""
        return {
            "fields": list(self.field) or None,
            "categories": list(self.category) or None,
            "from_day": self.from_,
            "to_day": self.to,
        }
