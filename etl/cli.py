"""`phananh etl ingest|status|reasons`: load exports and see what every batch did."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from etl.ingest import STAGES, BatchResult, ingest
from etl.ledger import batches, quarantine_reasons
from etl.mapping import read_mapping, resolve_mapping
from etl.settings import EtlSettings
from etl.validate import FLAGS, REASONS
from gis_db.cli import fail
from gis_db.pool import connect
from gis_db.settings import DbSettings

app = typer.Typer(help="Load complaint exports (ETL) and inspect batches.", no_args_is_help=True)
console = Console()


@app.command("ingest")
def ingest_cmd(
    file: Annotated[Path, typer.Argument(help="Export to load (CSV, XLSX, JSONL, GeoJSON, ...).")],
    mapping: Annotated[
        str,
        typer.Option(
            "--mapping", "-m", help="Mapping YAML, or a built-in name (phananh-1022, open311)."
        ),
    ] = "phananh-1022",
    source: Annotated[
        str | None, typer.Option(help="Source name (default: the mapping's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Validate, geocode, index and load one export; nothing is lost, re-runs change nothing."""
    try:
        parsed = read_mapping(resolve_mapping(mapping))
        settings = EtlSettings()
        with connect(DbSettings()) as conn:
            if as_json:
                result = ingest(conn, file, parsed, source=source, settings=settings)
            else:
                result = _with_progress(conn, file, parsed, source, settings)
    except (ValueError, OSError, psycopg.Error) as exc:
        raise fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(_as_dict(result), ensure_ascii=False, indent=2))
    else:
        _summary(result)


def _with_progress(conn, file, parsed, source, settings) -> BatchResult:  # noqa: ANN001
    columns = (
        TextColumn("[bold]{task.description:<18}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("read", total=len(STAGES))
        seen: list[str] = []

        def advance(stage: str) -> None:
            if stage not in seen:
                seen.append(stage)
                progress.update(task, description=stage, completed=len(seen) - 1)

        result = ingest(conn, file, parsed, source=source, settings=settings, progress=advance)
        progress.update(task, completed=len(STAGES))
    return result


def _as_dict(result: BatchResult) -> dict:
    data = dict(result.__dict__)
    data["seconds"] = round(result.seconds, 3)
    data["rows_per_second"] = round(result.rows_in / result.seconds) if result.seconds else None
    data["timings"] = {k: round(v, 3) for k, v in result.timings.items()}
    return data


def _summary(result: BatchResult) -> None:
    rate = result.rows_in / result.seconds if result.seconds else 0.0
    table = Table(title=f"Lô #{result.batch_id} · {result.file} · nguồn {result.source}")
    table.add_column("Hạng mục (item)")
    table.add_column("Số dòng (rows)", justify="right")
    rows = [
        ("Đọc vào (in)", result.rows_in),
        ("Đã nạp (loaded)", result.rows_loaded),
        ("  mới (inserted)", result.rows_inserted),
        ("  cập nhật (updated)", result.rows_updated),
        ("  không đổi (unchanged)", result.rows_unchanged),
        ("  trùng lặp (duplicate rows)", result.rows_duplicate),
        ("Cách ly (quarantined)", result.rows_quarantined),
    ]
    for label, value in rows:
        table.add_row(label, f"{value:,}")
    for reason, count in sorted(result.reasons.items(), key=lambda kv: -kv[1]):
        table.add_row(f"  lý do: {reason}", f"{count:,}")
    for method, count in sorted(result.methods.items(), key=lambda kv: -kv[1]):
        table.add_row(f"Định vị (geocoded): {method}", f"{count:,}")
    for flag, count in sorted(result.flags.items(), key=lambda kv: -kv[1]):
        table.add_row(f"  cờ (flag): {flag}", f"{count:,}")
    console.print(table)
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    console.print(
        f"{result.seconds:.1f} s, {rate:,.0f} rows/s ({stages}); data_version {result.data_version}"
    )


@app.command("status")
def status_cmd(
    limit: Annotated[int, typer.Option(min=1, help="How many recent batches.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Recent batches (the ledger) and the quarantine by reason."""
    try:
        with connect(DbSettings()) as conn:
            recent = batches(conn, limit)
            reasons = quarantine_reasons(conn)
    except psycopg.Error as exc:
        raise fail(exc) from exc
    if as_json:
        payload = {"batches": recent, "quarantine": reasons}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    if not recent:
        console.print("Chưa có lô nào (no batches yet): phananh etl ingest FILE --mapping M")
        return
    table = Table(title="Các lô gần đây (recent batches)")
    for col in ("#", "nguồn", "tệp", "trạng thái", "vào", "nạp", "cách ly", "giây", "version"):
        table.add_column(col, justify="right" if col in {"vào", "nạp", "cách ly"} else "left")
    for b in recent:
        table.add_row(
            str(b["id"]),
            b["source"],
            b["file_name"],
            b["status"] + (f" ({b['error']})" if b["error"] else ""),
            _n(b["rows_in"]),
            _n(b["rows_loaded"]),
            _n(b["rows_quarantined"]),
            "" if b["seconds"] is None else f"{b['seconds']:.1f}",
            "" if b["data_version"] is None else str(b["data_version"]),
        )
    console.print(table)
    if reasons:
        q = Table(title="Cách ly theo lý do (quarantine by reason)")
        q.add_column("lý do")
        q.add_column("dòng", justify="right")
        q.add_column("nghĩa")
        for reason, count in reasons.items():
            q.add_row(reason, f"{count:,}", REASONS.get(reason, ""))
        console.print(q)


def _n(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


@app.command("reasons")
def reasons_cmd() -> None:
    """What each quarantine reason and each flag means."""
    table = Table(title="Lý do cách ly và cờ (quarantine reasons and flags)")
    table.add_column("code")
    table.add_column("kind")
    table.add_column("meaning")
    for code, text in REASONS.items():
        table.add_row(code, "quarantine", text)
    for code, text in FLAGS.items():
        table.add_row(code, "flag (loaded)", text)
    console.print(table)
