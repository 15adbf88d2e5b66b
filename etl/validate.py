"""Validation: every row is either loadable (possibly flagged) or has reasons for quarantine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from etl.mapping import TIME_FIELDS
from etl.taxonomy import Taxonomy
from etl.transform import Mapped, map_distinct, value_key

STATUSES = ("received", "assigned", "processing", "resolved", "closed", "rejected")
OPEN_STATUSES = ("received", "assigned", "processing")
CHANNELS = ("phone-1022", "app", "web", "zalo", "facebook", "email", "other")

# Vietnamese names understood without a value map (compared accent- and case-insensitively).
STATUS_NAMES = {
    "da tiep nhan": "received",
    "moi": "received",
    "da phan cong": "assigned",
    "dang xu ly": "processing",
    "da xu ly": "resolved",
    "da giai quyet": "resolved",
    "hoan thanh": "resolved",
    "da dong": "closed",
    "tu choi": "rejected",
    "khong tiep nhan": "rejected",
}
CHANNEL_NAMES = {
    "tong dai 1022": "phone-1022",
    "1022": "phone-1022",
    "dien thoai": "phone-1022",
    "ung dung": "app",
    "ung dung cong dan so": "app",
    "cong thong tin": "web",
    "website": "web",
    "zalo": "zalo",
    "facebook": "facebook",
    "email": "email",
    "thu dien tu": "email",
}

# Why a row goes to quarantine; shown by `phananh etl status` and in docs/etl.md.
REASONS = {
    "missing_source_id": "no source id",
    "missing_received_at": "no reception time",
    "bad_date": "a timestamp that cannot be parsed (or does not exist in the time zone)",
    "impossible_date": "a timestamp before the earliest allowed date or in the future",
    "closed_before_opened": "resolved, closed or rejected before it was received",
    "timestamp_before_received": "assigned or processing before it was received",
    "unknown_field": "a field (lĩnh vực) that is not in the taxonomy",
    "unknown_category": "a category (chuyên mục) that is not in the taxonomy",
    "category_field_mismatch": "the category belongs to another field",
    "unknown_status": "a status that is not one of the model's statuses",
    "bad_rating": "a satisfaction rating that is not a whole number 1..5",
    "bad_coordinates": "coordinates that are not numbers, or only one of the two",
    "coordinates_out_of_range": "latitude outside -90..90 or longitude outside -180..180",
    "conflicting_duplicate": "the same source id twice in the file with different content",
}

# Loaded rows may carry flags: what was fixed or is uncertain about them.
FLAGS = {
    "latlon_swapped": "latitude and longitude were swapped; fixed",
    "placeholder_coordinate": "a coordinate repeated implausibly often (a form default); ignored",
    "null_island": "coordinates 0,0; ignored",
    "outside_coverage": "coordinates outside every unit beyond the snap tolerance",
    "snapped": "just outside every unit; snapped to the nearest",
    "split_ward": "the ward was split; the unit is one of several candidates",
    "current_via_crosswalk": "in a unit on the reception date but in no unit of today's set: "
    "today's unit follows from the crosswalks",
    "no_current_unit": "in a unit on the reception date, none today (a split or no crosswalk)",
    "unlocated": "no unit could be found; kept with method 'none'",
    "unknown_channel": "channel not recognised; stored as 'other'",
    "status_derived": "no status given; derived from the timestamps",
    "duplicate_row": "an identical row appeared earlier in the file",
}


@dataclass
class Coverage:
    """Extent of the loaded boundary sets, to tell swapped or far-away coordinates."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Element-wise: inside the extent."""
        return (
            (lat >= self.min_lat)
            & (lat <= self.max_lat)
            & (lon >= self.min_lon)
            & (lon <= self.max_lon)
        )


@dataclass
class Validated:
    """Model rows with reasons (quarantine) and flags (loaded with a note)."""

    frame: pd.DataFrame
    reasons: dict[str, np.ndarray]
    flags: dict[str, np.ndarray] = field(default_factory=dict)

    def add(self, reason: str, mask: np.ndarray) -> None:
        """Rows that must go to quarantine for `reason`."""
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            prev = self.reasons.get(reason)
            self.reasons[reason] = mask if prev is None else prev | mask

    def flag(self, name: str, mask: np.ndarray) -> None:
        """Rows that load with flag `name`."""
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            prev = self.flags.get(name)
            self.flags[name] = mask if prev is None else prev | mask

    @property
    def rejected(self) -> np.ndarray:
        """Rows with at least one reason."""
        out = np.zeros(len(self.frame), dtype=bool)
        for mask in self.reasons.values():
            out |= mask
        return out

    def reasons_of(self, positions: np.ndarray) -> list[list[str]]:
        """Reason lists of the rows at `positions`."""
        return [[r for r, m in self.reasons.items() if m[i]] for i in positions]


def flag_lists(flags: dict[str, np.ndarray], rows: int) -> pa.ListArray:
    """Each row's flags as an Arrow list of names in FLAGS order (empty when none)."""
    names = sorted(flags, key=lambda n: (list(FLAGS).index(n) if n in FLAGS else len(FLAGS), n))
    if not names:
        offsets = np.zeros(rows + 1, dtype=np.int32)
        return pa.ListArray.from_arrays(pa.array(offsets), pa.array([], pa.string()))
    matrix = np.column_stack([np.asarray(flags[n], dtype=bool) for n in names])
    offsets = np.concatenate([[0], np.cumsum(matrix.sum(axis=1))]).astype(np.int32)
    _, columns = np.nonzero(matrix)  # row-major: each row's flags in the order of `names`
    values = pa.array(np.asarray(names, dtype=object)[columns], type=pa.string())
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _normalise_codes(
    series: pd.Series, known: dict[str, str], names: dict[str, str] | None = None
) -> tuple[pd.Series, np.ndarray]:
    """Map values to codes (codes, then names, accent-insensitive); mask of unknown non-blanks."""
    lookup: dict[str, str | None] = {value_key(code): code for code in known}
    lookup.update({value_key(name): code for code, name in known.items()})
    if names:
        lookup.update(names)
    mapped = map_distinct(series, lambda u: lookup.get(value_key(u)) if u else "")
    unknown = pd.isna(mapped)
    mapped[unknown] = ""
    return pd.Series(mapped, index=series.index, dtype=object), unknown


def validate(
    mapped: Mapped,
    taxonomy: Taxonomy,
    *,
    now: datetime,
    earliest: datetime,
    future_tolerance: timedelta,
    coverage: Coverage | None,
) -> Validated:
    """Check every row; fill derived values (field from category, status, due_at)."""
    frame = mapped.frame
    out = Validated(frame, {})
    for problem, mask in mapped.problems.items():
        out.add(problem.split(":")[0], mask)

    out.add("missing_source_id", (frame["source_id"] == "").to_numpy())
    received = frame["received_at"]
    out.add("missing_received_at", received.isna().to_numpy() & ~_has(mapped, "bad_date"))

    latest = pd.Timestamp(now + future_tolerance)
    first = pd.Timestamp(earliest)
    for name in TIME_FIELDS:
        if name == "due_at":  # a deadline may lie in the future
            continue
        ts = frame[name]
        out.add("impossible_date", ((ts < first) | (ts > latest)).fillna(False).to_numpy())
    for name in ("resolved_at", "closed_at", "rejected_at"):
        out.add("closed_before_opened", (frame[name] < received).fillna(False).to_numpy())
    for name in ("assigned_at", "processing_at"):
        out.add("timestamp_before_received", (frame[name] < received).fillna(False).to_numpy())

    # Field and category: codes or names; the field may come from the category alone.
    categories = {c.code: c.name for c in taxonomy.categories.values()}
    category, unknown_cat = _normalise_codes(frame["category"], categories)
    out.add("unknown_category", unknown_cat)
    field_code, unknown_field = _normalise_codes(frame["field"], taxonomy.fields)
    out.add("unknown_field", unknown_field)
    from_category = _lookup(category, {c: taxonomy.field_of(c) for c in taxonomy.categories}, "")
    mismatch = (field_code != "") & (from_category != "") & (field_code != from_category)
    out.add("category_field_mismatch", mismatch.to_numpy())
    field_code = field_code.where(field_code != "", from_category)
    out.add("unknown_field", ((field_code == "") & ~unknown_cat).to_numpy())
    frame["field"] = field_code
    frame["category"] = category

    # Status: given, or derived from the timestamps.
    status, unknown_status = _normalise_codes(
        frame["status"], {s: s for s in STATUSES}, STATUS_NAMES
    )
    out.add("unknown_status", unknown_status)
    derived = np.select(
        [
            frame["rejected_at"].notna(),
            frame["closed_at"].notna(),
            frame["resolved_at"].notna(),
            frame["processing_at"].notna(),
            frame["assigned_at"].notna(),
        ],
        ["rejected", "closed", "resolved", "processing", "assigned"],
        default="received",
    )
    blank_status = (status == "").to_numpy() & ~unknown_status
    out.flag("status_derived", blank_status)
    frame["status"] = status.where(~blank_status, derived)

    channel, unknown_channel = _normalise_codes(
        frame["channel"], {c: c for c in CHANNELS}, CHANNEL_NAMES
    )
    out.flag("unknown_channel", unknown_channel)
    frame["channel"] = channel.where((channel != "") & ~unknown_channel, "other")

    rating = frame["satisfaction"]
    bad_rating = rating.notna() & ~rating.isin([1, 2, 3, 4, 5])
    out.add("bad_rating", bad_rating.to_numpy())

    # Deadline: given, or received + the category's SLA.
    sla = _lookup(category, {c.code: c.sla_hours for c in taxonomy.categories.values()}, np.nan)
    computed = received + pd.to_timedelta(sla.astype("float64"), unit="h")
    frame["due_at"] = frame["due_at"].fillna(computed)

    _check_coordinates(out, coverage)
    return out


def _lookup(series: pd.Series, table: dict, default: object) -> pd.Series:
    """Exact dictionary lookup of every value, through its distinct values."""
    return pd.Series(map_distinct(series, lambda u: table.get(u, default)), index=series.index)


def _has(mapped: Mapped, reason: str) -> np.ndarray:
    n = len(mapped.frame)
    return mapped.problems.get(f"{reason}:received_at", np.zeros(n, dtype=bool))


def _check_coordinates(out: Validated, coverage: Coverage | None) -> None:
    frame = out.frame
    lat = frame["lat"].to_numpy(dtype="float64", copy=True)
    lon = frame["lon"].to_numpy(dtype="float64", copy=True)
    half = np.isnan(lat) ^ np.isnan(lon)
    out.add("bad_coordinates", half)
    given = ~np.isnan(lat) & ~np.isnan(lon)
    in_range = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    swapped_in_range = (np.abs(lon) <= 90) & (np.abs(lat) <= 180)
    if coverage is not None:
        inside = coverage.contains(lat, lon)
        inside_swapped = coverage.contains(lon, lat)
        swap = given & ~inside & inside_swapped
    else:
        swap = given & ~in_range & swapped_in_range
    lat[swap], lon[swap] = lon[swap], lat[swap]
    out.flag("latlon_swapped", swap)
    in_range = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    out.add("coordinates_out_of_range", given & ~in_range)
    null_island = given & (lat == 0) & (lon == 0)
    out.flag("null_island", null_island)
    frame["lat"], frame["lon"] = lat, lon
    frame["input_lat"], frame["input_lon"] = lat.copy(), lon.copy()
    usable = given & in_range & ~null_island
    frame["lat"] = np.where(usable, lat, np.nan)
    frame["lon"] = np.where(usable, lon, np.nan)


def mark_placeholders(
    out: Validated, min_repeats: int, known: set[tuple[float, float]]
) -> list[tuple[float, float, int]]:
    """Flag coordinates repeated at least `min_repeats` times (or known defaults).

    Their rows lose the coordinates and are geocoded from the address instead. Returns the
    newly seen placeholders with their repeat counts.
    """
    frame = out.frame
    lat, lon = frame["lat"].to_numpy(), frame["lon"].to_numpy()
    has = ~np.isnan(lat) & ~np.isnan(lon)
    keys = pd.DataFrame(
        {"lat": np.round(np.where(has, lat, 0), 6), "lon": np.round(np.where(has, lon, 0), 6)}
    )
    counts = keys[has].value_counts()
    repeated = {(float(a), float(b)): int(n) for (a, b), n in counts[counts >= min_repeats].items()}
    bad = set(repeated) | known
    if not bad:
        return []
    bad_frame = pd.DataFrame(list(bad), columns=["lat", "lon"])
    hit = keys.merge(bad_frame.assign(_hit=True), how="left", on=["lat", "lon"])["_hit"]
    mask = has & hit.fillna(False).to_numpy(dtype=bool)
    out.flag("placeholder_coordinate", mask)
    frame.loc[mask, ["lat", "lon"]] = np.nan
    return [(a, b, n) for (a, b), n in repeated.items() if (a, b) not in known]


def content_hash(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """A hash of each row's model content, to tell an unchanged re-run from an update."""
    hashed = pd.util.hash_pandas_object(frame[columns], index=False)
    return pd.Series(hashed.to_numpy(dtype="uint64").view("int64"), index=frame.index)


def mark_duplicates(out: Validated, hashes: pd.Series) -> np.ndarray:
    """Same source id twice: identical rows keep the first, differing ones all go to quarantine.

    Returns a mask of rows to skip as exact duplicates of an earlier row.
    """
    ids = out.frame["source_id"]
    dup_id = ids.duplicated(keep=False).to_numpy() & (ids != "").to_numpy()
    if not dup_id.any():
        return np.zeros(len(ids), dtype=bool)
    sub = pd.DataFrame({"id": ids[dup_id], "h": hashes[dup_id]})
    variants = sub.groupby("id")["h"].nunique()
    conflicting = set(variants[variants > 1].index)
    conflict = dup_id & ids.isin(conflicting).to_numpy()
    out.add("conflicting_duplicate", conflict)
    exact = dup_id & ~conflict & ids.duplicated(keep="first").to_numpy()
    out.flag("duplicate_row", exact)
    return exact
