"""`phananh demo-data`: write synthetic HCMC complaints in the 1022 export format."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from boundaries.errors import BoundaryError
from boundaries.settings import BoundarySettings
from etl.demo.export import FORMATS, write
from etl.demo.generate import generate

console = Console(stderr=True)
STAGES = {
    "boundaries": "reading boundaries and roads",
    "places": "placing complaints",
    "times": "drawing reception times",
    "lifecycle": "handling and lifecycle",
    "text": "addresses, texts and contacts",
    "ids": "numbering",
}


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date YYYY-MM-DD", param_hint=option) from None


def demo_data_command(
    n: Annotated[int, typer.Option("--n", min=0, help="Number of complaints.")] = 200_000,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same file.")] = 1,
    start: Annotated[
        str, typer.Option("--from", help="First reception date (YYYY-MM-DD).")
    ] = "2024-01-01",
    end: Annotated[
        str, typer.Option("--to", help="Last reception date (YYYY-MM-DD), inclusive.")
    ] = "2025-12-31",
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help=f"File to write; format by suffix: {', '.join(FORMATS)}."
        ),
    ] = Path("demo-complaints.csv"),
) -> None:
    """Write realistic synthetic complaints (Vietnamese 1022 export columns) to a file."""
    first, last = _date(start, "--from"), _date(end, "--to")
    if last < first:
        raise typer.BadParameter(f"{end} is before {start}", param_hint="--to")
    if output.suffix.lower() not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--output")
    began = time.perf_counter()
    try:
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
        ) as progress:
            task = progress.add_task("starting", total=None)

            def stage(name: str) -> None:
                progress.update(task, description=STAGES.get(name, name))

            frame = generate(n, seed, first, last, BoundarySettings(), progress=stage)
            stage(f"writing {output.name}")
            write(frame, output)
    except (BoundaryError, ValueError, OSError) as exc:
        from gis_db.cli import fail

        raise fail(exc) from exc
    seconds = time.perf_counter() - began
    info = frame.attrs.get("demo", {})
    bad = sum(info.get("bad_rows", {}).values())
    share = (lambda k: 100.0 * k / n) if n else (lambda k: 0.0)
    console.print(
        f"Wrote {n:,} complaints ({first} → {last}, seed {seed}) to {output} in {seconds:.1f} s "
        f"({n / max(seconds, 1e-9):,.0f} rows/s): {share(info.get('address_only', 0)):.1f} % "
        f"address only, {share(bad):.2f} % deliberately bad rows.",
        highlight=False,
        soft_wrap=True,
    )
