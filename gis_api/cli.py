"""The `phananh` command line: one entry point for every package."""

from __future__ import annotations

from typing import Annotated

import typer

from analytics.cli import app as analytics_app
from analytics.digest_cli import app as digest_app
from boundaries.cli import app as boundaries_app
from etl.address.cli import geocode_command
from etl.cli import app as etl_app
from etl.demo.cli import demo_data_command
from gis_api import serving
from gis_api.settings import ApiSettings
from gis_db.cli import app as db_app
from tiles.cli import app as tiles_app

app = typer.Typer(
    help="phananh: GIS server for citizens' complaints in Ho Chi Minh City.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
app.add_typer(boundaries_app, name="boundaries")
app.add_typer(etl_app, name="etl")
app.add_typer(tiles_app, name="tiles")
app.add_typer(analytics_app, name="analytics")
app.add_typer(digest_app, name="digest")
app.command("geocode")(geocode_command)
app.command("demo-data")(demo_data_command)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the API (http://127.0.0.1:8000 by default)."""
    settings = ApiSettings()
    serving.run(
        "gis_api.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
    )
