"""Mapping files: how the columns and values of an export become the complaint model.

A mapping is a YAML file, so another city's or agency's export loads with no code change::

    name: my-city-311
    format: csv                  # csv | xlsx | jsonl | geojson | geoparquet (default: by suffix)
    encoding: auto               # csv: auto-detected unless given (utf-8, utf-8-sig, cp1258, ...)
    timezone: America/Chicago    # zone of timestamps without an offset
    date_formats: ["%m/%d/%Y %I:%M:%S %p"]   # tried in order, then ISO 8601
    columns:                     # model field: source column (or a list, joined with " – ")
      source_id: case_id
      received_at: open_date
    values:                      # per field: source value -> model value (case/accents ignored)
      status: {Open: received, Closed: closed}
    defaults:                    # constants for fields the export lacks
      channel: web
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

TEXT_FIELDS = (
    "source_id",
    "field",
    "category",
    "description",
    "address",
    "channel",
    "handling_unit_code",
    "handling_unit_name",
    "handling_unit_level",
    "status",
    "contact_name",
    "contact_phone",
    "contact_email",
)
TIME_FIELDS = (
    "received_at",
    "assigned_at",
    "processing_at",
    "resolved_at",
    "closed_at",
    "rejected_at",
    "due_at",
)
NUMBER_FIELDS = ("lat", "lon", "satisfaction")
MODEL_FIELDS = TEXT_FIELDS + TIME_FIELDS + NUMBER_FIELDS
REQUIRED_FIELDS = ("source_id", "received_at")
VALUE_MAPPED = ("field", "category", "channel", "status", "handling_unit_level", "satisfaction")

FORMATS = ("csv", "xlsx", "jsonl", "geojson", "geoparquet")
SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".geojson": "geojson",
    ".json": "geojson",
    ".parquet": "geoparquet",
    ".geoparquet": "geoparquet",
}
# Geometry formats give point coordinates in these columns when the mapping names none.
GEOMETRY_LAT, GEOMETRY_LON = "_geometry_lat", "_geometry_lon"


class Mapping(BaseModel):
    """A parsed mapping file."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    source: str | None = Field(default=None, description="Default source name for the ledger.")
    format: Literal["csv", "xlsx", "jsonl", "geojson", "geoparquet"] | None = None
    encoding: str | None = Field(default=None, description="CSV encoding; None/auto = detect.")
    delimiter: str | None = Field(default=None, description="CSV delimiter; None = detect.")
    sheet: str | int = 0
    timezone: str | None = None
    date_formats: list[str] = Field(default_factory=list)
    dayfirst: bool = Field(default=True, description="Ambiguous fallback dates are day-first.")
    columns: dict[str, str | list[str]]
    values: dict[str, dict[str, str | int]] = Field(default_factory=dict)
    defaults: dict[str, str | int | float] = Field(default_factory=dict)
    sha256: str = ""

    @field_validator("encoding")
    @classmethod
    def _auto_encoding(cls, value: str | None) -> str | None:
        return None if value in (None, "", "auto") else value

    @field_validator("columns", "values", "defaults")
    @classmethod
    def _known_fields(cls, value: dict) -> dict:
        unknown = sorted(set(value) - set(MODEL_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown model field(s) {', '.join(unknown)}; known: {', '.join(MODEL_FIELDS)}"
            )
        return value

    def check_required(self) -> None:
        """Every required model field has a column or a default."""
        missing = [f for f in REQUIRED_FIELDS if f not in self.columns and f not in self.defaults]
        if "field" not in self.columns and "category" not in self.columns:
            if "field" not in self.defaults:
                missing.append("field (or category)")
        if missing:
            raise ValueError(f"mapping '{self.name}' maps no column to: {', '.join(missing)}")

    def format_for(self, path: Path) -> str:
        """The reader to use for `path`."""
        if self.format:
            return self.format
        fmt = SUFFIXES.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(
                f"cannot tell the format of {path.name}; set `format:` in the mapping "
                f"({', '.join(FORMATS)})"
            )
        return fmt

    def source_columns(self) -> set[str]:
        """Every source column the mapping reads."""
        cols: set[str] = set()
        for value in self.columns.values():
            cols.update([value] if isinstance(value, str) else value)
        return cols


def read_mapping(path: Path) -> Mapping:
    """Read a mapping YAML file; errors name the file and the problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
        doc = yaml.safe_load(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read mapping {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise ValueError(f"mapping {path} is not a YAML mapping of keys")
    try:
        mapping = Mapping(**doc, sha256=hashlib.sha256(data).hexdigest())
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(f"mapping {path} is invalid: {problems}") from exc
    mapping.check_required()
    return mapping


def builtin_mapping(name: str) -> Path:
    """Path of a mapping shipped with phananh (etl/mappings/NAME.yaml)."""
    return Path(__file__).resolve().parent / "mappings" / f"{name}.yaml"


def resolve_mapping(value: str | Path) -> Path:
    """A mapping path, or the name of a built-in one."""
    path = Path(value)
    if path.is_file():
        return path
    builtin = builtin_mapping(str(value))
    if builtin.is_file():
        return builtin
    shipped = sorted(p.stem for p in builtin.parent.glob("*.yaml"))
    raise ValueError(f"no mapping file '{value}' (built-in mappings: {', '.join(shipped)})")
