"""Ingest one export: read, validate, geocode, index in H3, load, roll up — all or nothing.

The batch ledger entry is committed first; everything else happens in one transaction, so an
interrupted batch leaves no partial state and running the file again completes it.
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from psycopg import sql
from psycopg.types.json import Jsonb

from boundaries.locate import LIST_ONLY_VERSIONS
from etl import bulk, h3index
from etl.mapping import TIME_FIELDS, Mapping
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

if TYPE_CHECKING:
    from etl.address.geocoder import AddressGeocoder

Progress = Callable[[str], None]

STAGES = (
    "read",
    "validate",
    "geocode addresses",
    "h3",
    "copy",
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
STAGE_COLUMNS = [
    "row_number", "source", "source_id", "content_hash", "received_at", "field_code",
    "category_code", "description", "address", "channel", "handling_unit_code",
    "handling_unit_name", "handling_unit_level", "status", "assigned_at", "processing_at",
    "resolved_at", "closed_at", "rejected_at", "due_at", "satisfaction", "input_lat",
    "input_lon", "lat", "lon", "geocode_method", "geocode_confidence", "geocode_candidates",
    "ward_set", "ward_code", "current_set", "current_ward_code", "flags", "h3_r7", "h3_r8",
    "h3_r9", "h3_r10", "contact_name", "contact_phone", "contact_email",
]  # fmt: skip
TEMP_TABLES = (
    "stage", "periods", "points", "pip", "hits", "forward", "located", "changes", "delta",
    "agg_cells",
    "agg_units", "fallback",
)  # fmt: skip


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
    unchanged = keep & _stored_unchanged(conn, result.source, frame, keep)
    keep &= ~unchanged
    result.rows_unchanged = int(unchanged.sum())
    result.rows_quarantined = int(rejected.sum())
    result.rows_duplicate = int(duplicate.sum())
    result.rows_loaded = result.rows_in - result.rows_quarantined
    result.reasons = {r: int(m.sum()) for r, m in checked.reasons.items()}

    clock.stage("geocode addresses")
    frame["geocode_method"] = np.where(frame["lat"].notna(), "pending", "none")
    frame["geocode_confidence"] = 0.0
    frame["geocode_candidates"] = "{}"
    for col in ("ward_set", "ward_code", "current_set", "current_ward_code"):
        frame[col] = None
    need = keep & frame["lat"].isna().to_numpy() & (frame["address"] != "").to_numpy()
    if need.any():
        geocoder = geocoder or _geocoder(conn)
        _apply_addresses(frame, np.flatnonzero(need), geocoder, settings.timezone)

    clock.stage("h3")
    cells = h3index.index_points(
        np.where(keep, frame["lat"].to_numpy(), np.nan),
        np.where(keep, frame["lon"].to_numpy(), np.nan),
    )
    for res, values in cells.items():
        frame[f"h3_r{res}"] = pd.arrays.IntegerArray(values, mask=values == 0)

    frame["flags"] = checked.flags_literal()
    staged = frame if keep.all() else frame.loc[keep]
    _load(
        conn,
        staged,
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
    staged: pd.DataFrame,
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

    def run(file: str, params: dict | None = None) -> psycopg.Cursor:
        return conn.execute(_sql(file, **names), params)

    tz = {"tz": settings.timezone}
    if conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
        conn.rollback()  # end the read-only queries so that the batch is its own transaction
    with conn.transaction():
        conn.execute("SET LOCAL statement_timeout = 0")
        conn.execute(sql.SQL("SET LOCAL work_mem = {}").format(sql.Literal(settings.work_mem)))
        run("lock_source.sql", {"source": result.source})
        sync_taxonomy(conn, taxonomy)

        clock.stage("copy")
        run("create_stage.sql")
        _copy_csv(conn, _sql("copy_stage.sql", **names), _stage_table(staged))

        clock.stage("locate points")
        list_only = [
            {"version": v, "via": via, "valid_from": str(a), "valid_to": str(b)}
            for v, (a, b, via) in LIST_ONLY_VERSIONS.items()
        ]
        run("create_periods.sql", {"list_only": Jsonb(list_only)})
        run("create_points.sql", tz)
        run("index_points.sql")
        run("analyze_points.sql")
        run("locate_points.sql")
        run("create_hits.sql")
        tolerance = settings.snap_tolerance_m
        run("snap_points.sql", {"tolerance_m": tolerance, "tolerance_deg": tolerance / 100_000.0})
        _fallback(conn, names, geocoder, settings)
        run("create_forward.sql")
        run("create_located.sql")

        clock.stage("load")
        run("create_changes.sql")
        run("create_delta.sql", tz)
        counts = dict(run("count_changes.sql").fetchall())
        result.rows_inserted = counts.get("insert", 0)
        result.rows_updated = counts.get("update", 0)
        result.rows_unchanged += counts.get("same", 0)
        params = {"batch_id": result.batch_id}
        if result.rows_updated:
            run("update_complaints.sql", params)
        with _bulk(conn, "complaint", result.rows_inserted, settings):
            run("insert_complaints.sql", params)
        if result.rows_updated:
            run("delete_contacts.sql")
        with _bulk(conn, "complaint_contact", result.rows_inserted, settings):
            run("insert_contacts.sql")
        run("upsert_handling_units.sql")

        clock.stage("rollups")
        run("lock_rollups.sql")
        for kind, table in (("cells", "rollup_cell_day"), ("units", "rollup_unit_day")):
            run(f"aggregate_{kind}.sql")
            run(f"rollup_{kind}_update.sql")
            new_keys = run(f"count_agg_{kind}.sql").fetchone()[0]
            with _bulk(conn, table, new_keys, settings):
                run(f"rollup_{kind}.sql")
        run("prune_rollups.sql")
        _insert_cells(conn, names)
        _quarantine(conn, raw, checked, rejected, result, sha)
        for lat, lon, repeats in new_placeholders:
            run(
                "insert_placeholder.sql",
                {"lat": lat, "lon": lon, "repeats": repeats, "batch_id": result.batch_id},
            )
        result.methods = dict(run("count_methods.sql").fetchall())
        result.flags = dict(run("count_flags.sql").fetchall())
        changed = result.rows_inserted + result.rows_updated > 0
        result.data_version = run(
            "bump_data_version.sql" if changed else "data_version.sql"
        ).fetchone()[0]
        for key in TEMP_TABLES:
            if key != "fallback":
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


def _stored_unchanged(
    conn: psycopg.Connection, source: str, frame: pd.DataFrame, keep: np.ndarray
) -> np.ndarray:
    """Rows whose complaint is stored already with the same content hash."""
    nothing = np.zeros(len(frame), dtype=bool)
    if (
        not keep.any()
        or not conn.execute(_sql("source_exists.sql"), {"source": source}).fetchone()[0]
    ):
        return nothing
    ids = frame.loc[keep, "source_id"].astype(object).tolist()
    stored = conn.execute(_sql("stored_hashes.sql"), {"source": source, "ids": ids}).fetchall()
    if not stored:
        return nothing
    known = pd.Series([h for _, h in stored], index=pd.Index([i for i, _ in stored], dtype=object))
    previous = frame["source_id"].astype(object).map(known)
    return (previous.to_numpy() == frame["content_hash"].to_numpy()) & keep


def _coverage(conn: psycopg.Connection) -> Coverage | None:
    row = conn.execute(_sql("coverage.sql")).fetchone()
    return Coverage(*row) if row else None


def _geocoder(conn: psycopg.Connection) -> AddressGeocoder:
    from etl.address.geocoder import AddressGeocoder

    return AddressGeocoder.from_connection(conn)


def _local_dates(times: pd.Series, tz: str) -> list[date | None]:
    local = times.dt.tz_convert(tz)
    return [None if pd.isna(t) else t.date() for t in local]


def _apply_addresses(
    frame: pd.DataFrame, positions: np.ndarray, geocoder: AddressGeocoder, tz: str
) -> None:
    """Units (and a street point when known) for rows that have only an address."""
    sub = frame.iloc[positions]
    matches = geocoder.geocode_many(sub["address"].tolist(), _local_dates(sub["received_at"], tz))
    idx = frame.index[positions]
    frame.loc[idx, "geocode_method"] = [m.method for m in matches]
    frame.loc[idx, "geocode_confidence"] = [float(m.confidence) for m in matches]
    frame.loc[idx, "geocode_candidates"] = [_array_literal(m.candidates) for m in matches]
    frame.loc[idx, "ward_set"] = [m.ward_set for m in matches]
    frame.loc[idx, "ward_code"] = [m.ward_code for m in matches]
    frame.loc[idx, "current_set"] = [m.current_set for m in matches]
    frame.loc[idx, "current_ward_code"] = [m.current_code for m in matches]
    frame.loc[idx, "lat"] = [np.nan if m.lat is None else m.lat for m in matches]
    frame.loc[idx, "lon"] = [np.nan if m.lon is None else m.lon for m in matches]


def _array_literal(values: Sequence[str]) -> str:
    return "{" + ",".join(f'"{v}"' for v in values) + "}"


def _text(series: pd.Series) -> pa.Array:
    return pa.array(series.astype("str"), type=pa.string())


def _text_or_null(series: pd.Series) -> pa.Array:
    values = _text(series)
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _stage_table(staged: pd.DataFrame) -> pa.Table:
    """The staged rows as an Arrow table in STAGE_COLUMNS order (CSV-ready)."""
    f = staged
    cols: dict[str, pa.Array] = {
        "row_number": pa.array(f["row_number"].to_numpy()),
        "content_hash": pa.array(f["content_hash"].to_numpy()),
        "field_code": _text(f["field"]),
        "category_code": _text_or_null(f["category"]),
        "satisfaction": pa.array(f["satisfaction"].astype("Int64")),
        "geocode_confidence": pa.array(f["geocode_confidence"].to_numpy(dtype="float64")),
    }
    for name in (
        "source",
        "source_id",
        "channel",
        "status",
        "geocode_method",
        "geocode_candidates",
        "flags",
    ):
        cols[name] = _text(f[name])
    for name in (
        "description",
        "address",
        "handling_unit_code",
        "handling_unit_name",
        "handling_unit_level",
        "contact_name",
        "contact_phone",
        "contact_email",
        "ward_set",
        "ward_code",
        "current_set",
        "current_ward_code",
    ):
        cols[name] = _text_or_null(f[name].fillna(""))
    for name in TIME_FIELDS:
        cols[name] = pa.array(f[name])
    for name in ("input_lat", "input_lon", "lat", "lon"):
        cols[name] = pa.array(f[name].to_numpy(dtype="float64"), from_pandas=True)
    for res in h3index.RESOLUTIONS:
        cols[f"h3_r{res}"] = pa.array(f[f"h3_r{res}"])
    return pa.table({name: cols[name] for name in STAGE_COLUMNS})


def _copy_csv(conn: psycopg.Connection, statement: sql.Composed, table: pa.Table) -> None:
    """COPY an Arrow table as CSV; chunks are written by a thread while earlier ones stream."""

    def encode(chunk: pa.Table, header: bool) -> bytes:
        buffer = io.BytesIO()
        pacsv.write_csv(chunk, buffer, pacsv.WriteOptions(include_header=header))
        return buffer.getvalue()

    step = 100_000
    chunks = [table.slice(start, step) for start in range(0, max(table.num_rows, 1), step)]
    with ThreadPoolExecutor(max_workers=1) as pool, conn.cursor().copy(statement) as copy:
        pending = [pool.submit(encode, c, i == 0) for i, c in enumerate(chunks)]
        for future in pending:
            copy.write(future.result())


def _fallback(
    conn: psycopg.Connection,
    names: dict[str, str],
    geocoder: AddressGeocoder | None,
    settings: EtlSettings,
) -> None:
    """Rows whose coordinates fell in no unit: try their address instead."""
    rows = conn.execute(_sql("unlocated_rows.sql", **names)).fetchall()
    if not rows:
        return
    geocoder = geocoder or _geocoder(conn)
    zone = ZoneInfo(settings.timezone)
    dates = [r[2].astimezone(zone).date() for r in rows]
    matches = geocoder.geocode_many([r[1] for r in rows], dates)
    placed = [(r[0], m) for r, m in zip(rows, matches, strict=True) if m.method != "none"]
    if not placed:
        return
    lat = np.array([np.nan if m.lat is None else m.lat for _, m in placed])
    lon = np.array([np.nan if m.lon is None else m.lon for _, m in placed])
    cells = h3index.index_points(lat, lon)
    table = pa.table(
        {
            "row_number": pa.array([r for r, _ in placed], type=pa.int32()),
            "geocode_method": pa.array([m.method for _, m in placed]),
            "geocode_confidence": pa.array([float(m.confidence) for _, m in placed]),
            "geocode_candidates": pa.array([_array_literal(m.candidates) for _, m in placed]),
            "ward_set": pa.array([m.ward_set for _, m in placed], type=pa.string()),
            "ward_code": pa.array([m.ward_code for _, m in placed], type=pa.string()),
            "current_set": pa.array([m.current_set for _, m in placed], type=pa.string()),
            "current_ward_code": pa.array([m.current_code for _, m in placed], type=pa.string()),
            "lat": pa.array(lat, from_pandas=True),
            "lon": pa.array(lon, from_pandas=True),
            **{
                f"h3_r{res}": pa.array(np.where(v == 0, None, v), type=pa.int64())
                for res, v in cells.items()
            },
        }
    )
    conn.execute(_sql("create_fallback.sql", **names))
    _copy_csv(conn, _sql("copy_fallback.sql", **names), table)
    conn.execute(_sql("apply_fallback.sql", **names))


def _insert_cells(conn: psycopg.Connection, names: dict[str, str]) -> None:
    """Hexagon geometry for cells seen for the first time."""
    cells = np.array([r[0] for r in conn.execute(_sql("new_cells.sql", **names))], dtype=np.int64)
    if len(cells) == 0:
        return
    wkbs = h3index.cell_polygons_wkb(cells)
    resolutions = h3index.resolution_of(cells)
    conn.execute(_sql("create_cell_stage.sql"))
    with conn.cursor().copy(_sql("copy_cells.sql")) as copy:
        copy.set_types(["int8", "int2", "bytea"])
        for cell, res, wkb in zip(cells.tolist(), resolutions.tolist(), wkbs, strict=True):
            copy.write_row((cell, res, wkb))
    conn.execute(_sql("insert_cells.sql"))


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
