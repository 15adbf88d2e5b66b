"""`phananh boundaries …`: list, load and query boundary sets."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.table import Column, Table

from boundaries import catalog
from boundaries.errors import BoundaryError
from boundaries.load import list_sets
from boundaries.locate import locate
from boundaries.read import FieldMap
from gis_db.cli import fail
from gis_db.pool import connect
from gis_db.settings import DbSettings

app = typer.Typer(help="Versioned administrative boundaries.", no_args_is_help=True)
console = Console()
LEVELS = ("ward", "district", "city")


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@app.command("list")
def list_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the loaded boundary sets: slug, level, validity, unit count."""
    with connect(DbSettings()) as conn:
        sets = list_sets(conn)
    if as_json:
        typer.echo(json.dumps(sets, ensure_ascii=False, indent=2, default=_json_default))
        return
    table = Table(Column("slug", no_wrap=True), "level", "valid from", "valid to", "units", "name")
    for s in sets:
        table.add_row(
            s["slug"],
            s["level"],
            str(s["valid_from"] or "…"),
            str(s["valid_to"] or "…"),
            str(s["unit_count"]),
            s["name"],
        )
    console.print(table)
    if not sets:
        console.print("No boundary sets loaded yet: run `phananh boundaries load --all`.")


@app.command()
def load(
    target: Annotated[
        str | None, typer.Argument(help="A catalog slug (e.g. hcmc-2025-07) or a file path.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Load the whole built-in catalog.")] = False,
    force: Annotated[bool, typer.Option(help="Reload even when already loaded.")] = False,
    slug: Annotated[str | None, typer.Option(help="Slug for a file (default: file name).")] = None,
    name: Annotated[str | None, typer.Option(help="Display name for a file.")] = None,
    level: Annotated[str, typer.Option(help="ward, district or city.")] = "ward",
    code_field: Annotated[str, typer.Option(help="Column with the official code.")] = "code",
    name_field: Annotated[str, typer.Option(help="Column with the unit name.")] = "name",
    type_field: Annotated[str | None, typer.Option(help="Column with the unit type.")] = None,
    parent_code_field: Annotated[
        str | None, typer.Option(help="Column with the parent code.")
    ] = None,
    parent_name_field: Annotated[
        str | None, typer.Option(help="Column with the parent name.")
    ] = None,
    population_field: Annotated[str | None, typer.Option(help="Column with population.")] = None,
    valid_from: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    valid_to: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    crs: Annotated[str | None, typer.Option(help="CRS for files that declare none.")] = None,
    source: Annotated[str | None, typer.Option(help="Where the file comes from.")] = None,
    licence: Annotated[str, typer.Option(help="Licence of the file.")] = "unknown",
) -> None:
    """Load a built-in set, the whole catalog, or any GeoJSON/GeoPackage/Shapefile."""
    if level not in LEVELS:
        raise fail(ValueError(f"--level must be one of {', '.join(LEVELS)}, not '{level}'"))
    if not all_ and not target:
        raise fail(ValueError("give a catalog slug, a file path, or --all"))
    say = lambda msg: console.print(f"  {msg}", highlight=False)  # noqa: E731
    try:
        with connect(DbSettings()) as conn:
            if all_:
                catalog.load_all(conn, force=force, progress=say)
            elif Path(target).suffix or Path(target).exists():
                path = Path(target)
                set_slug = slug or path.stem
                _, quality = catalog.load_file(
                    conn,
                    path,
                    slug=set_slug,
                    name=name or set_slug,
                    level=level,
                    fields=FieldMap(
                        code=code_field,
                        name=name_field,
                        type=type_field,
                        parent_code=parent_code_field,
                        parent_name=parent_name_field,
                        population=population_field,
                    ),
                    valid_from=valid_from.date() if valid_from else None,
                    valid_to=valid_to.date() if valid_to else None,
                    crs=crs,
                    source=source,
                    licence=licence,
                )
                conn.commit()
                say(f"{set_slug}: loaded; overlaps {quality['overlaps']}, gaps {quality['gaps']}")
            else:
                catalog.load_catalog_set(conn, target, force=force, progress=say)
            sets = list_sets(conn)
    except (BoundaryError, ValueError, FileNotFoundError, psycopg.Error) as exc:
        raise fail(exc) from exc
    console.print(f"{len(sets)} boundary set(s) in the database.")


@app.command("locate")
def locate_cmd(
    lat: Annotated[float, typer.Argument(help="Latitude (WGS84).")],
    lon: Annotated[float, typer.Argument(help="Longitude (WGS84).")],
    on: Annotated[
        datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="Default: today.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """The unit of each boundary set valid on DATE that contains LAT LON."""
    day = on.date() if on else date.today()
    try:
        with connect(DbSettings()) as conn:
            found = locate(conn, lat, lon, day)
    except (ValueError, psycopg.Error) as exc:
        raise fail(exc) from exc
    if as_json:
        payload = {
            "lat": lat,
            "lon": lon,
            "date": day.isoformat(),
            "units": [asdict(f) for f in found],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not found:
        console.print(f"No unit of a set valid on {day} contains ({lat}, {lon}).")
        raise typer.Exit(code=2)
    table = Table(Column("set", no_wrap=True), "level", "code", "name", "parent", "method")
    for f in found:
        method = f.method if f.certain else f"{f.method} (uncertain: split ward)"
        table.add_row(f.set, f.level, f.code, f.name, f.parent_name or "", method)
    console.print(table)
