"""Apply a mapping: raw text columns -> typed model columns, noting what could not be parsed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from boundaries.names import strip_diacritics
from etl.mapping import (
    GEOMETRY_LAT,
    GEOMETRY_LON,
    NUMBER_FIELDS,
    TEXT_FIELDS,
    TIME_FIELDS,
    VALUE_MAPPED,
    Mapping,
)

_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_COMMA_DECIMAL = re.compile(r"^-?\d+,\d+$")
_SPACES = re.compile(r"\s+")


@dataclass
class Mapped:
    """Model columns of one batch plus the rows each parse problem touches."""

    frame: pd.DataFrame
    problems: dict[str, np.ndarray] = field(default_factory=dict)  # reason -> boolean mask

    def flag(self, reason: str, mask: np.ndarray) -> None:
        """Add rows to a problem."""
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            prev = self.problems.get(reason)
            self.problems[reason] = mask if prev is None else (prev | mask)


def value_key(value: str) -> str:
    """How values are compared with a value map: no accents, lower case, single spaces."""
    return _SPACES.sub(" ", strip_diacritics(value).lower()).strip()


def as_text(series: pd.Series) -> pd.Series:
    """Text values with blanks as '' and surrounding spaces removed."""
    if series.dtype != "str":
        series = series.astype(object).where(series.notna(), "").map(str).astype("str")
    return series.fillna("").str.strip()


def _column(raw: pd.DataFrame, spec: str | list[str]) -> pd.Series:
    if isinstance(spec, str):
        return as_text(raw[spec])
    joined = as_text(raw[spec[0]])
    for name in spec[1:]:
        part = as_text(raw[name])
        sep = pd.Series(np.where((joined != "") & (part != ""), " – ", ""), index=joined.index)
        joined = joined + sep + part
    return joined


def map_distinct(series: pd.Series, fn: Callable[[object], object]) -> np.ndarray:
    """`fn` of every value, computed once per distinct value (exports repeat values a lot)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return np.array([fn(u) for u in uniques], dtype=object)[codes]


def translate(series: pd.Series, lookup: dict[str, str | None]) -> pd.Series:
    """Replace each distinct value through `lookup` (keys compared with value_key).

    Values missing from `lookup` stay as they are.
    """
    values = map_distinct(series, lambda u: lookup.get(value_key(u), u) if u else u)
    return pd.Series(values, index=series.index, dtype=object)


def _map_values(series: pd.Series, table: dict[str, str | int]) -> pd.Series:
    if not table:
        return series
    return translate(series, {value_key(str(k)): str(v) for k, v in table.items()}).astype("str")


# Formats tried after the mapping's own, before pandas' ISO 8601 parser.
_ISO_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


def parse_times(
    text: pd.Series, formats: list[str], tz: str, dayfirst: bool
) -> tuple[pd.Series, np.ndarray]:
    """Parse timestamps (formats in order, then ISO 8601); naive ones are in `tz`.

    Returns UTC-aware timestamps and a mask of non-blank values that could not be parsed or
    do not exist in `tz` (a skipped hour).
    """
    text = as_text(text)
    blank = (text == "").to_numpy()
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
    if blank.all():
        return result, blank & False
    has_offset = text.str.contains(_OFFSET, regex=True).to_numpy() & ~blank
    if has_offset.any():
        parsed = pd.to_datetime(text[has_offset], errors="coerce", utc=True, format="ISO8601")
        result[has_offset] = parsed.astype("datetime64[us, UTC]")
    naive = ~blank & ~has_offset
    if naive.any():
        todo = pa.array(text[naive].astype(object), type=pa.string())
        parsed = None
        for fmt in [*formats, *_ISO_FORMATS]:
            attempt = pc.strptime(todo, format=fmt, unit="us", error_is_null=True)
            parsed = attempt if parsed is None else pc.coalesce(parsed, attempt)
            if parsed.null_count == 0:
                break
        values = parsed.to_numpy(zero_copy_only=False).astype("datetime64[us]")
        local = pd.Series(values, index=text.index[naive])
        missing = local.isna().to_numpy()
        if missing.any():
            rest = text[naive][missing]
            local[missing] = pd.to_datetime(rest, format="ISO8601", errors="coerce")
            still = local.isna().to_numpy() & missing
            if still.any() and not formats:
                local[still] = pd.to_datetime(
                    text[naive][still], format="mixed", dayfirst=dayfirst, errors="coerce"
                )
        aware = local.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
        result[naive] = aware.astype("datetime64[us, UTC]")
    bad = ~blank & result.isna().to_numpy()
    return result, bad


def parse_numbers(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Decimal numbers (a decimal comma is accepted); mask of non-blank unparseable values."""
    text = as_text(text)
    blank = (text == "").to_numpy()
    comma = text.str.match(_COMMA_DECIMAL).to_numpy()
    if comma.any():
        text = text.where(~comma, text.str.replace(",", ".", regex=False))
    numbers = pd.to_numeric(text.where(~blank, None), errors="coerce").astype("float64")
    bad = ~blank & numbers.isna().to_numpy()
    return numbers, bad


def apply_mapping(raw: pd.DataFrame, mapping: Mapping, default_tz: str) -> Mapped:
    """Model columns for every raw row (same order and length)."""
    n = len(raw)
    columns = dict(mapping.columns)
    if "lat" not in columns and GEOMETRY_LAT in raw.columns:
        columns["lat"], columns["lon"] = GEOMETRY_LAT, GEOMETRY_LON
    text: dict[str, pd.Series] = {}
    for name in TEXT_FIELDS + TIME_FIELDS + NUMBER_FIELDS:
        if name in columns:
            series = _column(raw, columns[name])
        else:
            series = pd.Series([""] * n, index=raw.index, dtype="str")
        if name in mapping.defaults:
            series = series.where(series != "", str(mapping.defaults[name]))
        if name in VALUE_MAPPED or name in mapping.values:
            series = _map_values(series, mapping.values.get(name, {}))
        text[name] = series
    out = pd.DataFrame({name: text[name] for name in TEXT_FIELDS}, index=raw.index)
    mapped = Mapped(out)
    tz = mapping.timezone or default_tz
    for name in TIME_FIELDS:
        out[name], bad = parse_times(text[name], mapping.date_formats, tz, mapping.dayfirst)
        mapped.flag(f"bad_date:{name}", bad)
    for name in NUMBER_FIELDS:
        out[name], bad = parse_numbers(text[name])
        mapped.flag("bad_rating" if name == "satisfaction" else "bad_coordinates", bad)
    return mapped
