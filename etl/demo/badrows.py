"""Deliberately bad rows, each kind present, for the ETL's validation and quarantine."""

from __future__ import annotations

import numpy as np

from etl.demo.timeline import HOUR, NEVER

KINDS = (
    "placeholder_coordinate",
    "coordinates_out_of_range",
    "lat_lon_swapped",
    "closed_before_received",
    "unparseable_date",
    "unknown_field",
    "duplicate_id",
)
COORDINATE_KINDS = {"placeholder_coordinate", "coordinates_out_of_range", "lat_lon_swapped"}
MIN_ROWS_FOR_EACH = 1_000  # from this size on, every kind appears at least once


def count(rate: float, n: int) -> int:
    """How many rows of a kind: ``rate × n``, at least one in frames of 1,000 rows or more."""
    k = int(round(rate * n))
    return max(k, 1) if n >= MIN_ROWS_FOR_EACH else k


def choose(
    n: int,
    with_coords: np.ndarray,
    life: dict[str, np.ndarray],
    rates: dict,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Disjoint row masks, one per kind of bad row."""
    used = np.zeros(n, dtype=bool)
    out: dict[str, np.ndarray] = {}
    for kind in KINDS:
        eligible = ~used
        if kind in COORDINATE_KINDS:
            eligible &= with_coords
        elif kind == "closed_before_received":
            eligible &= life["resolved"] != NEVER
        pool = np.flatnonzero(eligible)
        k = min(count(float(rates[kind]), n), len(pool))
        mask = np.zeros(n, dtype=bool)
        if k:
            mask[rng.choice(pool, size=k, replace=False)] = True
        used |= mask
        out[kind] = mask
    return out


def break_times(
    received: np.ndarray,
    life: dict[str, np.ndarray],
    bad: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> None:
    """Resolution (and closing) before reception, in place."""
    rows = np.flatnonzero(bad["closed_before_received"])
    before = (rng.uniform(1.0, 72.0, len(rows)) * HOUR).astype(np.int64)
    life["resolved"][rows] = received[rows] - before
    closed = life["closed"][rows]
    later = (rng.uniform(0.0, 0.5, len(rows)) * HOUR).astype(np.int64)
    life["closed"][rows] = np.where(closed != NEVER, received[rows] - before + later, NEVER)


def break_columns(
    columns: dict[str, np.ndarray],
    received: np.ndarray,
    bad: dict[str, np.ndarray],
    params: dict,
    rng: np.random.Generator,
) -> None:
    """Unparseable dates, impossible or swapped coordinates, a placeholder point, unknown fields."""
    rows = np.flatnonzero(bad["unparseable_date"])
    years = (received[rows] // 86_400).astype("datetime64[D]").astype("datetime64[Y]")
    years = years.astype(np.int64) + 1970
    styles = rng.integers(0, 4, len(rows))
    columns["Thời gian tiếp nhận"][rows] = [
        (f"31/02/{y} 25:61", "không rõ", "00/00/0000 00:00:00", f"{y}/15/40 08:00")[s]
        for y, s in zip(years.tolist(), styles.tolist(), strict=True)
    ]
    lat, lon = columns["Vĩ độ"], columns["Kinh độ"]
    rows = np.flatnonzero(bad["coordinates_out_of_range"])
    lat[rows] = [f"{float(v) * 100:.4f}" for v in lat[rows]]
    rows = np.flatnonzero(bad["lat_lon_swapped"])
    lat[rows], lon[rows] = lon[rows].copy(), lat[rows].copy()
    rows = np.flatnonzero(bad["placeholder_coordinate"])
    lat[rows] = f"{float(params['placeholder']['lat']):.6f}"
    lon[rows] = f"{float(params['placeholder']['lon']):.6f}"
    columns["Lĩnh vực"][bad["unknown_field"]] = str(params["unknown_field_name"])


def duplicate_ids(
    columns: dict[str, np.ndarray], mask: np.ndarray, rng: np.random.Generator
) -> None:
    """Give the masked rows the Mã phản ánh of other rows (same code, other content)."""
    ids = columns["Mã phản ánh"]
    rows = np.flatnonzero(mask)
    n = len(ids)
    if n < 2:
        return
    others = rng.integers(0, n - 1, len(rows))
    others = np.where(others >= rows, others + 1, others)  # never the row itself
    ids[rows] = ids[others]
