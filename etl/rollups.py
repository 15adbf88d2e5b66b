"""Rollup deltas of a batch, summed with Arrow: new versions of complaints count +1, the stored
versions they replace count -1.

`rollup_cell_day` is keyed by H3 cells (resolutions 7-10), day, field, category and channel;
`rollup_unit_day` by unit (of the set in force on the reception day and, when it differs, of
today's set), day, field and category. Days are local days of reception.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gis_db.schema import CLOSE_DAY_BINS, close_bin_columns

CELL_KEY = [
    "h3_r7", "h3_r8", "h3_r9", "h3_r10", "day", "field_code", "category_code", "channel"
]  # fmt: skip
UNIT_KEY = ["boundary_set", "unit_code", "day", "field_code", "category_code"]
MONTH_KEY = ["resolution", "cell", "month", "field_code", "category_code", "channel"]
MONTH_RESOLUTIONS = (7, 8, 9)
MONTH_FIELD_RESOLUTIONS = (7,)  # finer cells by field would be nearly one row per complaint
MONTH_CHANNEL_RESOLUTIONS = (7, 8)  # by channel (finer tiles read the days of a few cells)
ALL = "*"  # the field (and category) code of monthly rows that count all of them
MEASURES = [
    "n", "n_open", "n_resolved", "n_rejected", "n_late", "n_rated", "rating_sum",
    "resolve_hours_sum",
]  # fmt: skip
# Kept by the unit rollup only: satisfied ratings (4-5), squared ratings, days-to-close bins.
UNIT_MEASURES = [*MEASURES, "n_satisfied", "rating_sq_sum", *close_bin_columns()]
OPEN = pa.array(["received", "assigned", "processing"])
DONE = pa.array(["resolved", "closed"])
TIMESTAMP = pa.timestamp("us", tz="UTC")
# The columns of a complaint version the rollups read.
VERSION = pa.schema(
    [
        ("received_at", TIMESTAMP),
        ("field_code", pa.string()),
        ("category_code", pa.string()),
        ("channel", pa.string()),
        ("status", pa.string()),
        ("resolved_at", TIMESTAMP),
        ("closed_at", TIMESTAMP),
        ("due_at", TIMESTAMP),
        ("satisfaction", pa.int16()),
        ("ward_set", pa.string()),
        ("ward_code", pa.string()),
        ("current_set", pa.string()),
        ("current_ward_code", pa.string()),
        ("h3_r7", pa.int64()),
        ("h3_r8", pa.int64()),
        ("h3_r9", pa.int64()),
        ("h3_r10", pa.int64()),
    ]
)


def local_days(times: pa.Array | pa.ChunkedArray, tz: str) -> pa.Array | pa.ChunkedArray:
    """Local days (date32) in zone `tz` of UTC timestamps."""
    local = pc.local_timestamp(times.cast(pa.timestamp("us", tz=tz)))
    return pc.floor_temporal(local, unit="day").cast(pa.date32())


def contributions(versions: pa.Table, sign: int, tz: str) -> pa.Table:
    """What each complaint version adds to the rollups (`sign` +1) or takes away (-1)."""
    v = versions
    received = v["received_at"]
    status = v["status"]
    done = pc.is_in(status, value_set=DONE)
    end = pc.coalesce(v["resolved_at"], v["closed_at"])
    hours = pc.divide(pc.subtract(end, received).cast(pa.int64()).cast(pa.float64()), 3.6e9)
    rating = v["satisfaction"].cast(pa.int32())

    def signed(flag: pa.ChunkedArray) -> pa.ChunkedArray:
        return pc.multiply(flag.cast(pa.int32()), sign)

    rows = len(v)
    closed = pc.and_(done, pc.is_valid(end))
    days = pc.divide(pc.subtract(end, received).cast(pa.int64()).cast(pa.float64()), 8.64e10)
    which = np.searchsorted(
        CLOSE_DAY_BINS, pc.fill_null(days, 0.0).to_numpy(zero_copy_only=False), side="right"
    )
    closed_np = pc.fill_null(closed, False).to_numpy(zero_copy_only=False)
    bins = {
        name: pa.array(((which == i) & closed_np).astype(np.int32) * sign)
        for i, name in enumerate(close_bin_columns())
    }
    columns = {
        "day": local_days(received, tz),
        "field_code": v["field_code"],
        "category_code": pc.fill_null(v["category_code"], ""),
        "channel": v["channel"],
        "ward_set": v["ward_set"],
        "ward_code": v["ward_code"],
        "current_set": v["current_set"],
        "current_ward_code": v["current_ward_code"],
        **{f"h3_r{res}": v[f"h3_r{res}"] for res in (7, 8, 9, 10)},
        "n": pa.array(np.full(rows, sign, dtype=np.int32)),
        "n_open": signed(pc.is_in(status, value_set=OPEN)),
        "n_resolved": signed(done),
        "n_rejected": signed(pc.equal(status, "rejected")),
        "n_late": signed(pc.fill_null(pc.greater(end, v["due_at"]), False)),
        "n_rated": signed(pc.is_valid(rating)),
        "rating_sum": pc.multiply(pc.fill_null(rating, 0), sign),
        "resolve_hours_sum": pc.multiply(
            pc.if_else(closed, pc.fill_null(hours, 0.0), 0.0), float(sign)
        ),
        "n_satisfied": signed(pc.fill_null(pc.greater_equal(rating, 4), False)),
        "rating_sq_sum": pc.multiply(pc.fill_null(pc.multiply(rating, rating), 0), sign),
        **bins,
        "removal": pa.array(np.full(rows, sign < 0)),
    }
    return pa.table(columns)


def cell_rollup(delta: pa.Table) -> pa.Table:
    """The delta summed by CELL_KEY (rows without a cell left out)."""
    return _sum(delta.filter(pc.is_valid(delta["h3_r10"])), CELL_KEY)


def unit_rollup(delta: pa.Table) -> pa.Table:
    """The delta summed by UNIT_KEY: once for the unit on the reception day, and once more for
    today's unit when today's set is another set."""
    rest = ["day", "field_code", "category_code", *UNIT_MEASURES, "removal"]
    dated = delta.filter(pc.and_(pc.is_valid(delta["ward_set"]), pc.is_valid(delta["ward_code"])))
    dated = dated.select(["ward_set", "ward_code", *rest]).rename_columns(UNIT_KEY[:2] + rest)
    other_set = pc.or_kleene(
        pc.is_null(delta["ward_set"]), pc.not_equal(delta["ward_set"], delta["current_set"])
    )
    today = delta.filter(
        pc.and_kleene(
            pc.and_(pc.is_valid(delta["current_set"]), pc.is_valid(delta["current_ward_code"])),
            other_set,
        )
    )
    today = today.select(["current_set", "current_ward_code", *rest]).rename_columns(
        UNIT_KEY[:2] + rest
    )
    return _sum(pa.concat_tables([dated, today]), UNIT_KEY, UNIT_MEASURES)


def month_rollup(cells: pa.Table) -> pa.Table:
    """A summed cell delta (CELL_KEY) summed again by MONTH_KEY: for resolutions 7-9 for all
    fields, categories and channels together ('*', '*', '*'), at 7-8 per channel, and at 7 per
    field and per field and category: the monthly rollup that heat tiles read."""
    month = pc.floor_temporal(cells["day"], unit="month")
    every = pa.array(np.full(cells.num_rows, ALL, dtype=object), type=pa.string())
    parts = []
    for res in MONTH_RESOLUTIONS:
        splits = [(every, every, every)]
        if res in MONTH_CHANNEL_RESOLUTIONS:
            splits.append((every, every, cells["channel"]))
        if res in MONTH_FIELD_RESOLUTIONS:
            splits += [
                (cells["field_code"], every, every),
                (cells["field_code"], cells["category_code"], every),
            ]
        for field, category, channel in splits:
            columns = {
                "resolution": pa.array(np.full(cells.num_rows, res, dtype=np.int16)),
                "cell": cells[f"h3_r{res}"],
                "month": month,
                "field_code": field,
                "category_code": category,
                "channel": channel,
                **{m: cells[m] for m in MEASURES},
                "removal": cells["removal"],
            }
            parts.append(pa.table(columns))
    return _sum(pa.concat_tables(parts), MONTH_KEY)


def merge(first: pa.Table, second: pa.Table, key: list[str]) -> pa.Table:
    """Two summed deltas of the same rollup as one."""
    return _sum(
        pa.concat_tables([first, second]), key, UNIT_MEASURES if key == UNIT_KEY else MEASURES
    )


def _sum(rows: pa.Table, key: list[str], measures: list[str] = MEASURES) -> pa.Table:
    """Measures summed per key (deterministic order of addition) and whether any row of the key
    was a removal, in the rollup table's column order followed by `removal`."""
    grouped = rows.group_by(key, use_threads=False).aggregate(
        [(m, "sum") for m in measures] + [("removal", "max")]
    )
    columns = {k: grouped[k] for k in key}
    for m in measures:
        kind = pa.float64() if m == "resolve_hours_sum" else pa.int32()
        columns[m] = grouped[f"{m}_sum"].cast(kind)
    columns["removal"] = grouped["removal_max"]
    # In the order of the rollup's primary key: the index over the rows builds in one pass.
    table = pa.table(columns)
    return table.take(_order(table, _primary_key(key)))


def _order(table: pa.Table, key: list[str]) -> np.ndarray:
    """Row order sorting `table` by the `key` columns (strings byte-wise, as the "C"
    collation): each column is turned into order-preserving integers and sorted with numpy,
    several times faster than Arrow's multi-column sort on strings."""
    ranks = []
    for name in key:
        column = table[name].combine_chunks() if table.num_rows else table[name]
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            values = pc.unique(column)
            ordered = values.take(pc.sort_indices(values))
            ranks.append(pc.index_in(column, value_set=ordered).to_numpy(zero_copy_only=False))
        else:
            ranks.append(column.to_numpy(zero_copy_only=False))
    return np.lexsort(ranks[::-1]) if ranks and table.num_rows else np.arange(table.num_rows)


def _primary_key(key: list[str]) -> list[str]:
    """The rollup table's primary key columns, in order."""
    return ["h3_r10", "h3_r9", "h3_r8", "h3_r7", *key[4:]] if key == CELL_KEY else key
