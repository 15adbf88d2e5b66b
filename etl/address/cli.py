"""`phananh geocode`: one address, or a CSV of addresses, to HCMC wards (old and current).

``geocode_command`` is a plain typer-compatible function; the application registers it.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, TextIO

import psycopg
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from etl.address.geocoder import AddressGeocoder, AddressMatch
from gis_db.cli import fail
from gis_db.pool import connect
from gis_db.settings import DbSettings

ADDED_COLUMNS = (
    "ward_code",
    "ward_name",
    "boundary_set",
    "method",
    "confidence",
    "candidates",
    "current_code",
    "current_name",
)
CHUNK = 10_000
console = Console()
err = Console(stderr=True)


def geocode_command(
    address: Annotated[
        str | None, typer.Argument(help="An address, e.g. '12 Lê Lợi, P. Bến Nghé, Q.1'.")
    ] = None,
    on: Annotated[
        datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="Date of the address (default today)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    input_path: Annotated[
        Path | None, typer.Option("--input", help="CSV file of addresses (batch mode).")
    ] = None,
    column: Annotated[str, typer.Option(help="Column of --input holding the address.")] = "address",
    date_column: Annotated[
        str | None, typer.Option(help="Column of --input holding a YYYY-MM-DD date.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Output CSV for --input (default: standard output).")
    ] = None,
) -> None:
    """Find the HCMC ward of an address: in force on its date and today."""
    if (address is None) == (input_path is None):
        raise fail(ValueError("give either an ADDRESS or --input FILE.csv"))
    day = on.date() if on else None
    try:
        if input_path is not None:
            _check_input(input_path, column, date_column)
        with connect(DbSettings()) as conn:
            geocoder = AddressGeocoder.from_connection(conn)
        if input_path is not None:
            _batch(geocoder, input_path, column, date_column, output, day)
            return
        match = geocoder.geocode(address, day)
    except (OSError, ValueError, LookupError, csv.Error, psycopg.Error) as exc:
        raise fail(RuntimeError(" ".join(str(exc).split()))) from exc
    if as_json:
        payload = {"address": address, "date": (day or date.today()).isoformat()}
        payload.update(asdict(match))
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _show(address or "", day or date.today(), match)
    if match.method == "none":
        raise typer.Exit(code=2)


def _show(address: str, day: date, match: AddressMatch) -> None:
    """Print one match as a small table with Vietnamese labels."""
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_row("Địa chỉ", escape(address))
    table.add_row("Ngày", day.isoformat())
    verdict = {
        True: "[green]xác định[/] (confident)",
        False: "[yellow]chưa xác định[/] (not confident)",
    }[match.confident]
    table.add_row("Kết quả", f"{verdict}, {match.method}, độ tin cậy {match.confidence:.2f}")
    if match.ward_set:
        ward = f"{match.ward_code} {match.ward_name}" if match.ward_code else "—"
        table.add_row(f"Phường/xã ({match.ward_set})", escape(ward))
    if match.current_set:
        current = f"{match.current_code} {match.current_name}" if match.current_code else "—"
        table.add_row(f"Hiện nay ({match.current_set})", escape(current))
    if match.candidates:
        table.add_row("Ứng viên", ", ".join(match.candidates))
    if match.lat is not None:
        table.add_row("Toạ độ", f"{match.lat:.6f}, {match.lon:.6f} (theo tên đường)")
    if match.reason:
        table.add_row("Lý do", escape(match.reason))
    console.print(table)


def _check_input(path: Path, column: str, date_column: str | None) -> None:
    """Fail early on an unreadable file or a missing column."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), None)
    if not header:
        raise ValueError(f"{path} is empty: expected a CSV header with column '{column}'")
    for wanted in (column, date_column):
        if wanted and wanted not in header:
            raise ValueError(f"{path} has no column '{wanted}'; its columns: {', '.join(header)}")
    clash = [c for c in ADDED_COLUMNS if c in header]
    if clash:
        raise ValueError(f"{path} already has column(s) {', '.join(clash)}; rename them first")


def _batch(
    geocoder: AddressGeocoder,
    path: Path,
    column: str,
    date_column: str | None,
    output: Path | None,
    default_day: date | None,
) -> None:
    """Copy the CSV adding the match columns; print a summary to standard error."""
    started = time.perf_counter()
    counts: Counter[str] = Counter()
    with path.open(encoding="utf-8-sig", newline="") as src, _open_output(output) as dst:
        reader = csv.DictReader(src)
        fields = list(reader.fieldnames or [])
        writer = csv.DictWriter(dst, fieldnames=[*fields, *ADDED_COLUMNS])
        writer.writeheader()
        for rows in _chunks(reader):
            days = (
                [_day(r.get(date_column), default_day, counts) for r in rows]
                if date_column
                else [default_day] * len(rows)
            )
            matches = geocoder.geocode_many([r.get(column) for r in rows], days)
            for row, match in zip(rows, matches, strict=True):
                writer.writerow({**row, **_columns(match)})
                counts[match.outcome] += 1
    _summary(counts, time.perf_counter() - started)


def _open_output(output: Path | None) -> TextIO:
    if output is None or str(output) == "-":
        return _Unclosed(sys.stdout)
    return output.open("w", encoding="utf-8", newline="")


class _Unclosed:
    """Standard output as a context manager that does not close it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __enter__(self) -> TextIO:
        return self.stream

    def __exit__(self, *_exc: object) -> None:
        self.stream.flush()


def _chunks(reader: csv.DictReader) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in reader:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _day(value: str | None, default: date | None, counts: Counter[str]) -> date | None:
    """A YYYY-MM-DD date (a longer ISO timestamp is cut); unreadable ones are counted."""
    if not value or not value.strip():
        return default
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        counts["bad_date"] += 1
        return default


def _columns(match: AddressMatch) -> dict[str, str]:
    return {
        "ward_code": match.ward_code or "",
        "ward_name": match.ward_name or "",
        "boundary_set": match.ward_set or "",
        "method": match.method,
        "confidence": f"{match.confidence:.2f}",
        "candidates": ";".join(match.candidates),
        "current_code": match.current_code or "",
        "current_name": match.current_name or "",
    }


def _summary(counts: Counter[str], seconds: float) -> None:
    rows = sum(counts[k] for k in ("resolved", "split", "ambiguous", "unresolved"))
    share = counts["resolved"] / rows if rows else 0.0
    rate = rows / seconds if seconds > 0 else 0.0
    err.print(
        f"{rows} rows: {counts['resolved']} resolved ({share:.1%}), {counts['split']} split, "
        f"{counts['ambiguous']} ambiguous, {counts['unresolved']} unresolved; "
        f"{rate:,.0f} rows/s",
        highlight=False,
    )
    if counts["bad_date"]:
        err.print(
            f"[yellow]warning:[/] {counts['bad_date']} row(s) had an unreadable date and were "
            "geocoded for the default date",
            highlight=False,
        )
