"""Ingest one export: read, validate, geocode, index in H3, load, roll up — all or nothing.

The batch ledger entry is committed first; everything else happens in one transaction, so an
interrupted batch leaves no partial state and running the file again completes it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
from psycopg import sql
from psycopg.types.json import Jsonb

from etl import bulk, points, rollups
from etl.batchrows import BatchRows
from etl.copyio import copy_in, copy_out
from etl.hexagons import hexagons, store_hexagons
from etl.mapping import Mapping
from etl.readers import read_export
from etl.settings import EtlSettings
from etl.taxonomy import Taxonomy, read_taxonomy, sync_taxonomy
from etl.transform import apply_mapping
from etl.validate import (
    REASONS,
    Coverage,
    Validated,
    content_hash,
    mark_duplicates,
    mark_placeholders,
    validate,
)
from gis_db.sqlfiles import load_sql
from gis_db.versioning import bump_data_version

if TYPE_CHECKING:
    from etl.address.geocoder import AddressGeocoder

Progress = Callable[[str], None]

STAGES = (
    "read",
    "validate",
    "geocode addresses",
    "h3",
    "locate points",
    "load",
    "rollups",
    "commit",
)
HASHED = [
    "source_id", "field", "category", "description", "address", "channel",
    "handling_unit_code", "handling_unit_name", "handling_unit_level", "status",
    "contact_name", "contact_phone", "contact_email", "received_at", "assigned_at",
    "processing_at", "resolved_at", "closed_at", "rejected_at", "due_at", "satisfaction",
    "input_lat", "input_lon",
]  # fmt: skip
TEMP_TABLES = ("points", "misses", "updates", "units", "agg_cells", "agg_units", "agg_months")


@dataclass
class BatchResult:
    """What a batch did; `rows_in == rows_loaded + rows_quarantined` always holds."""

    batch_id: int
    source: str
    file: str
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_duplicate: int = 0
    data_version: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    methods: dict[str, int] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        """Wall time of the batch."""
        return sum(self.timings.values())


class _Clock:
    """Times named stages and reports them to a progress callback."""

    def __init__(self, progress: Progress | None, crash_at: str | None) -> None:
        self.timings: dict[str, float] = {}
        self._progress = progress
        self._crash_at = crash_at
        self._name: str | None = None
        self._t0 = 0.0

    def stage(self, name: str) -> None:
        self.stop()
        if name == self._crash_at:  # crash-safety tests stop the process here, like a kill -9
            os.kill(os.getpid(), signal.SIGKILL)
        self._name, self._t0 = name, time.perf_counter()
        if self._progress:
            self._progress(name)

    def stop(self) -> None:
        if self._name is not None:
            elapsed = time.perf_counter() - self._t0
            self.timings[self._name] = self.timings.get(self._name, 0.0) + elapsed
            self._name = None


def file_sha256(path: Path) -> str:
    """Checksum of the input file, recorded in the ledger and the quarantine."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sql(name: str, **identifiers: str) -> sql.Composed | str:
    """A statement of etl/sql; `{name}` placeholders become the batch's table identifiers."""
    text = load_sql("etl", name)
    if "{" not in text:
        return text
    return sql.SQL(text).format(**{k: sql.Identifier(v) for k, v in identifiers.items()})


def ingest(
    conn: psycopg.Connection,
    path: Path,
    mapping: Mapping,
    *,
    source: str | None = None,
    settings: EtlSettings | None = None,
    geocoder: AddressGeocoder | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> BatchResult:
    """Load the export at `path` as described by `mapping`; return the batch's figures."""
    settings = settings or EtlSettings()
    path = Path(path)
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise ValueError("ingest needs a connection with no transaction open (commit first)")
    source = source or mapping.source or mapping.name
    now = now or datetime.now(UTC)
    clock = _Clock(progress, settings.crash_at)
    clock.stage("read")
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    sha = file_sha256(path)
    with conn.transaction():
        conn.execute(_sql("close_interrupted.sql"))
        batch_id = conn.execute(
            _sql("create_batch.sql"),
            {
                "source": source,
                "file_name": path.name,
                "file_sha256": sha,
                "mapping": mapping.name,
                "mapping_sha256": mapping.sha256,
            },
        ).fetchone()[0]
    result = BatchResult(batch_id=batch_id, source=source, file=path.name)
    try:
        _run(conn, path, sha, mapping, settings, geocoder, clock, result, now)
    except BaseException as exc:
        clock.stop()
        if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
            conn.rollback()
        if not conn.closed:
            with conn.transaction():
                conn.execute(_sql("fail_batch.sql"), {"id": batch_id, "error": str(exc)[:2000]})
        raise
    return result


def _run(
    conn: psycopg.Connection,
    path: Path,
    sha: str,
    mapping: Mapping,
    settings: EtlSettings,
    geocoder: AddressGeocoder | None,
    clock: _Clock,
    result: BatchResult,
    now: datetime,
) -> None:
    raw = read_export(path, mapping)
    result.rows_in = len(raw)
    taxonomy = read_taxonomy(settings.taxonomy)

    clock.stage("validate")
    mapped = apply_mapping(raw, mapping, settings.timezone)
    coverage = _coverage(conn)
    checked = validate(
        mapped,
        taxonomy,
        now=now,
        earliest=datetime.fromisoformat(settings.earliest_date).replace(tzinfo=UTC),
        future_tolerance=timedelta(hours=settings.future_tolerance_hours),
        coverage=coverage,
    )
    frame = checked.frame
    frame["source"] = result.source
    frame["row_number"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    known = {(float(a), float(b)) for a, b in conn.execute(_sql("known_placeholders.sql"))}
    new_placeholders = mark_placeholders(checked, settings.placeholder_min_repeats, known)
    hashes = content_hash(frame, HASHED)
    frame["content_hash"] = hashes
    duplicate = mark_duplicates(checked, hashes)
    rejected = checked.rejected
    keep = ~rejected & ~duplicate
    # Rows stored before with the same content need no further work (re-runs are cheap).
    stored_id, unchanged = _stored(conn, result.source, frame, keep)
    keep &= ~unchanged
    result.rows_unchanged = int(unchanged.sum())
    result.rows_quarantined = int(rejected.sum())
    result.rows_duplicate = int(duplicate.sum())
    result.rows_loaded = result.rows_in - result.rows_quarantined
    result.reasons = {r: int(m.sum()) for r, m in checked.reasons.items()}
    rows = BatchRows.from_frame(
        frame if keep.all() else frame.loc[keep],
        {name: mask[keep] for name, mask in checked.flags.items()},
        stored_id[keep],
    )

    clock.stage("geocode addresses")
    need = np.flatnonzero((rows.method == "none") & (rows.frame["address"] != "").to_numpy())
    if len(need):
        geocoder = geocoder or _geocoder(conn)
        dates = rows.address_dates(need, settings.timezone)
        rows.apply_addresses(need, geocoder.geocode_many(rows.frame["address"].iloc[need], dates))

    clock.stage("h3")
    rows.index_cells()
    _load(
        conn,
        rows,
        raw,
        checked,
        rejected,
        new_placeholders,
        taxonomy,
        settings,
        geocoder,
        clock,
        result,
        sha,
    )


def _load(
    conn: psycopg.Connection,
    rows: BatchRows,
    raw: pd.DataFrame,
    checked: Validated,
    rejected: np.ndarray,
    new_placeholders: list[tuple[float, float, int]],
    taxonomy: Taxonomy,
    settings: EtlSettings,
    geocoder: AddressGeocoder | None,
    clock: _Clock,
    result: BatchResult,
    sha: str,
) -> None:
    """The database half of a batch, in one transaction."""
    names = {k: f"etl_{k}_{result.batch_id}" for k in TEMP_TABLES}

    def statement(file: str) -> sql.Composed | str:
        return _sql(file, **names)

    def run(file: str, params: dict | None = None) -> psycopg.Cursor:
        return conn.execute(statement(file), params)

    tz = settings.timezone
    if conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
        conn.rollback()  # end the read-only queries so that the batch is its own transaction
    with conn.transaction():
        conn.execute("SET LOCAL statement_timeout = 0")
        conn.execute(sql.SQL("SET LOCAL work_mem = {}").format(sql.Literal(settings.work_mem)))
        run("lock_source.sql", {"source": result.source})
        sync_taxonomy(conn, taxonomy)

        clock.stage("locate points")
        if (rows.method == "pending").any():
            located = points.locate(conn, statement, rows.points(tz), settings.snap_tolerance_m)
            _apply_located(rows, located, geocoder, conn, tz)
        unlocated = np.flatnonzero(rows.method == "none")
        rows.flag("unlocated", unlocated)

        clock.stage("load")
        # Rollup sums and hexagons need only the rows: a thread works them out meanwhile.
        background = ThreadPoolExecutor(max_workers=1)
        summed = background.submit(lambda: _sum_versions(rows.versions(), 1, tz))
        hexagon_table = background.submit(_hexagons, rows)
        background.shutdown(wait=False)
        inserts = np.flatnonzero(rows.stored_id < 0)
        updates = np.flatnonzero(rows.stored_id >= 0)
        result.rows_inserted, result.rows_updated = len(inserts), len(updates)
        old = None
        if len(updates):
            run("create_updates.sql")
            table = rows.complaints(updates, result.batch_id)
            ids = pa.array(rows.stored_id[updates], type=pa.int64())
            copy_in(conn, statement("copy_updates.sql"), table.add_column(0, "id", ids))
            old = _old_versions(conn, statement("old_versions.sql"))
            run("update_complaints.sql")
            run("delete_contacts.sql")
        after = run("last_complaint_id.sql").fetchone()[0]  # new rows are numbered after it
        with _bulk(conn, "complaint", len(inserts), settings):
            copy_in(conn, _sql("copy_complaints.sql"), rows.complaints(inserts, result.batch_id))
        clock.stage("points")
        if len(updates):
            run("delete_points.sql")
        with _bulk(conn, "complaint_point", len(inserts), settings):
            points_params = {"batch": result.batch_id, "after": after, "tz": tz}
            run("insert_points.sql", points_params)
            if len(updates):
                run("insert_updated_points.sql", points_params)
        clock.stage("load")
        with _bulk(conn, "complaint_contact", len(inserts), settings):
            copy_in(conn, _sql("copy_contacts.sql"), rows.contacts(np.arange(len(rows))))
        run("create_units.sql")
        copy_in(conn, statement("copy_units.sql"), rows.handling_units())
        run("upsert_handling_units.sql")

        clock.stage("rollups")
        run("lock_rollups.sql")
        cells, units, months = summed.result()
        removals = old is not None and old.num_rows > 0
        if removals:
            old_cells, old_units, old_months = _sum_versions(old, -1, tz)
            cells = rollups.merge(cells, old_cells, rollups.CELL_KEY)
            units = rollups.merge(units, old_units, rollups.UNIT_KEY)
            months = rollups.merge(months, old_months, rollups.MONTH_KEY)
        empty = run("rollups_empty.sql").fetchone()
        for kind, table, aggregate, first in (
            ("cells", "rollup_cell_day", cells, empty[0]),
            ("units", "rollup_unit_day", units, empty[1]),
            ("months", "rollup_cell_month", months, empty[2]),
        ):
            first = first and not removals
            _add_rollup(conn, run, statement, kind, table, aggregate, first, settings)
        if removals:
            run("prune_rollups.sql")
        store_hexagons(conn, hexagon_table.result())
        _quarantine(conn, raw, checked, rejected, result, sha)
        for lat, lon, repeats in new_placeholders:
            run(
                "insert_placeholder.sql",
                {"lat": lat, "lon": lon, "repeats": repeats, "batch_id": result.batch_id},
            )
        methods, counts = np.unique(rows.method.astype(str), return_counts=True)
        result.methods = dict(zip(methods.tolist(), counts.tolist(), strict=True))
        result.flags = {k: int(v.sum()) for k, v in rows.flags.items() if v.any()}
        changed = result.rows_inserted + result.rows_updated > 0
        result.data_version = (
            bump_data_version(conn) if changed else run("data_version.sql").fetchone()[0]
        )
        for key in TEMP_TABLES:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(names[key])))

        clock.stage("commit")
        clock.stop()
        result.timings = dict(clock.timings)
        run(
            "finish_batch.sql",
            {
                "id": result.batch_id,
                "rows_in": result.rows_in,
                "rows_loaded": result.rows_loaded,
                "rows_quarantined": result.rows_quarantined,
                "rows_inserted": result.rows_inserted,
                "rows_updated": result.rows_updated,
                "rows_unchanged": result.rows_unchanged,
                "data_version": result.data_version,
                "timings": Jsonb({k: round(v, 3) for k, v in result.timings.items()}),
                "stats": Jsonb(
                    {
                        "reasons": result.reasons,
                        "flags": result.flags,
                        "methods": result.methods,
                        "rows_duplicate": result.rows_duplicate,
                    }
                ),
            },
        )
        clock.stage("commit")
    clock.stop()
    result.timings = dict(clock.timings)


@contextmanager
def _bulk(conn: psycopg.Connection, table: str, rows: int, settings: EtlSettings) -> Iterator[None]:
    """Drop `table`'s indexes around a large insert and rebuild them after it."""
    stored = bulk.estimated_rows(conn, table)
    if rows < settings.bulk_min_rows or rows < stored * settings.bulk_ratio:
        yield
        return
    bulk.truncate_if_empty(conn, table)
    statements = bulk.drop_indexes(conn, table)
    yield
    bulk.rebuild(conn, statements)


def _stored(
    conn: psycopg.Connection, source: str, frame: pd.DataFrame, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each row: the id of the stored complaint with its source id (-1 when none), and
    whether that complaint is stored with the same content already."""
    ids = np.full(len(frame), -1, dtype=np.int64)
    unchanged = np.zeros(len(frame), dtype=bool)
    if (
        not keep.any()
        or not conn.execute(_sql("source_exists.sql"), {"source": source}).fetchone()[0]
    ):
        return ids, unchanged
    wanted = frame.loc[keep, "source_id"].astype(object).tolist()
    stored = conn.execute(_sql("stored_hashes.sql"), {"source": source, "ids": wanted}).fetchall()
    if not stored:
        return ids, unchanged
    at = pd.Index([sid for sid, _, _ in stored], dtype=object).get_indexer(frame["source_id"])
    found = np.array([i for _, i, _ in stored], dtype=np.int64)
    hashes = np.array([h for _, _, h in stored], dtype=np.int64)
    present = keep & (at >= 0)
    ids[present] = found[at[present]]
    unchanged[present] = hashes[at[present]] == frame["content_hash"].to_numpy()[present]
    return ids, unchanged


def _coverage(conn: psycopg.Connection) -> Coverage | None:
    row = conn.execute(_sql("coverage.sql")).fetchone()
    return Coverage(*row) if row else None


def _geocoder(conn: psycopg.Connection) -> AddressGeocoder:
    from etl.address.geocoder import AddressGeocoder

    return AddressGeocoder.from_connection(conn)


def _apply_located(
    rows: BatchRows,
    located: points.Located,
    geocoder: AddressGeocoder | None,
    conn: psycopg.Connection,
    tz: str,
) -> None:
    """Point-in-polygon results into the rows; points in no unit try their address instead."""
    at = np.flatnonzero(rows.method == "pending")  # the order of rows.points()
    at = at[np.argsort(rows.cells[10][at], kind="stable")]
    rows.method[at] = located.method
    rows.confidence[at] = located.confidence
    rows.candidates[at] = located.candidates
    for unit, values in located.units.items():
        rows.units[unit][at] = values
    for name, mask in located.flags.items():
        rows.flag(name, at[mask])
    outside = np.flatnonzero(
        (rows.method == "none") & ~np.isnan(rows.lat) & (rows.frame["address"] != "").to_numpy()
    )
    if not len(outside):
        return
    geocoder = geocoder or _geocoder(conn)
    dates = rows.address_dates(outside, tz)
    matches = geocoder.geocode_many(rows.frame["address"].iloc[outside], dates)
    placed = np.array([m.method != "none" for m in matches], dtype=bool)
    if not placed.any():
        return
    at = outside[placed]
    rows.apply_addresses(at, [m for m, ok in zip(matches, placed, strict=True) if ok])
    rows.flags["unlocated"][at] = False
    rows.index_cells(at)


def _old_versions(conn: psycopg.Connection, statement: sql.Composed | str) -> pa.Table:
    """Stored versions replaced by the batch's updates, typed as rollups.VERSION."""
    wire = pa.schema(
        [
            pa.field(f.name, pa.int64()) if pa.types.is_timestamp(f.type) else f
            for f in rollups.VERSION
        ]
    )
    table = copy_out(conn, statement, wire)
    return pa.table(
        [
            table[f.name].cast(f.type) if pa.types.is_timestamp(f.type) else table[f.name]
            for f in rollups.VERSION
        ],
        schema=rollups.VERSION,
    )


def _add_rollup(
    conn: psycopg.Connection,
    run: Callable[..., psycopg.Cursor],
    statement: Callable[[str], sql.Composed | str],
    kind: str,
    table: str,
    aggregate: pa.Table,
    first: bool,
    settings: EtlSettings,
) -> None:
    """Add a batch's summed delta to a rollup: straight in when the rollup is empty, else
    added to the rows with the same key and inserted for the new keys."""
    if first:
        with _bulk(conn, table, aggregate.num_rows, settings):
            copy_in(conn, _sql(f"copy_rollup_{kind}.sql"), aggregate.drop_columns(["removal"]))
        return
    run(f"create_agg_{kind}.sql")
    copy_in(conn, statement(f"copy_agg_{kind}.sql"), aggregate)
    run(f"rollup_{kind}_update.sql")
    with _bulk(conn, table, aggregate.num_rows, settings):
        run(f"rollup_{kind}.sql")


def _sum_versions(versions: pa.Table, sign: int, tz: str) -> tuple[pa.Table, ...]:
    """Complaint versions summed for the rollups (cells, units, months), counted with `sign`."""
    delta = rollups.contributions(versions, sign, tz)
    cells = rollups.cell_rollup(delta)
    return cells, rollups.unit_rollup(delta), rollups.month_rollup(cells)


def _hexagons(rows: BatchRows) -> pa.Table:
    """Hexagons of every cell the rows use (computed in the background)."""
    return hexagons(np.concatenate([values[values != 0] for values in rows.cells.values()]))


def _quarantine(
    conn: psycopg.Connection,
    raw: pd.DataFrame,
    checked: Validated,
    rejected: np.ndarray,
    result: BatchResult,
    sha: str,
) -> None:
    positions = np.flatnonzero(rejected)
    if len(positions) == 0:
        return
    reasons = checked.reasons_of(positions)
    records = raw.iloc[positions].astype(object).where(raw.iloc[positions].notna(), None)
    ids = checked.frame["source_id"].to_numpy()
    conn.execute(_sql("create_quarantine_stage.sql"))
    with conn.cursor().copy(_sql("copy_quarantine.sql")) as copy:
        for pos, why, rec in zip(positions, reasons, records.to_dict("records"), strict=True):
            copy.write_row((int(pos) + 1, ids[pos], why, _details(checked, pos), Jsonb(rec)))
    conn.execute(
        _sql("insert_quarantine.sql"),
        {"batch_id": result.batch_id, "source": result.source, "file_sha256": sha},
    )


def _details(checked: Validated, pos: int) -> str:
    return "; ".join(REASONS.get(r, r) for r, m in checked.reasons.items() if m[pos])
