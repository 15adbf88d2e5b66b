"""`phananh db …`: the embedded cluster and migrations."""

from __future__ import annotations

import os
import shutil
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from gis_db import migrate
from gis_db.embedded import EmbeddedCluster, ensure_server_installed
from gis_db.errors import GisDbError
from gis_db.settings import DbSettings

app = typer.Typer(help="Database: embedded PostGIS cluster and migrations.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def fail(exc: Exception) -> typer.Exit:
    """Print a one-line reason and return the exit to raise."""
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def _cluster(settings: DbSettings) -> EmbeddedCluster | None:
    if not settings.embedded:
        console.print("DATABASE_URL is set: using the external database, nothing to manage here.")
        return None
    return EmbeddedCluster(settings)


@app.command()
def install(
    apt: Annotated[bool, typer.Option(help="Install with apt-get when root.")] = True,
) -> None:
    """Make sure PostgreSQL 15 and PostGIS 3 are installed."""
    try:
        bindir = ensure_server_installed(DbSettings(), install=apt)
    except GisDbError as exc:
        raise fail(exc) from exc
    console.print(f"PostgreSQL + PostGIS ready ({bindir})")


@app.command()
def start() -> None:
    """Start the embedded cluster (idempotent)."""
    settings = DbSettings()
    try:
        cluster = _cluster(settings)
        if cluster:
            console.print(cluster.start(), highlight=False)
    except GisDbError as exc:
        raise fail(exc) from exc


@app.command()
def stop() -> None:
    """Stop the embedded cluster; its data stays."""
    try:
        cluster = _cluster(DbSettings())
        if cluster:
            console.print(cluster.stop())
    except GisDbError as exc:
        raise fail(exc) from exc


@app.command()
def status() -> None:
    """Show whether the embedded cluster runs, and where."""
    settings = DbSettings()
    cluster = _cluster(settings)
    if cluster is None:
        return
    st = cluster.status()
    state = f"[green]running[/] (pid {st.pid})" if st.running else "[yellow]stopped[/]"
    console.print(f"{state}\n  data: {st.dir}\n  url:  {st.url}\n  log:  {st.log}", highlight=False)
    if not st.running:
        raise typer.Exit(code=3)


@app.command()
def url() -> None:
    """Print the database URL in use."""
    typer.echo(DbSettings().url)


@app.command()
def psql() -> None:
    """Open psql on the database."""
    exe = shutil.which("psql")
    if not exe:
        raise fail(RuntimeError("psql not found; install postgresql-client-15"))
    os.execv(exe, [exe, DbSettings().url])


@app.command("migrate")
def migrate_cmd() -> None:
    """Apply the Alembic migrations up to the newest."""
    settings = DbSettings()
    try:
        migrate.upgrade(settings)
    except Exception as exc:  # driver and alembic errors alike get one line
        raise fail(exc) from exc
    console.print(f"database at revision {migrate.head_revision(settings)}")


@app.command()
def reset(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Drop every table of the project and migrate again: a clean database."""
    settings = DbSettings()
    if not yes:
        typer.confirm(f"Delete all project data in {settings.url}?", abort=True)
    try:
        migrate.downgrade(settings, "base")
        migrate.upgrade(settings)
    except Exception as exc:
        raise fail(exc) from exc
    console.print("database reset and migrated")
