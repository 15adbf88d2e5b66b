"""`phananh tiles …`: the frozen class breaks of legends."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gis_db.pool import connect
from gis_db.settings import DbSettings
from gis_db.sqlfiles import load_sql
from tiles import breaks

app = typer.Typer(help="Vector tiles: legends and their frozen class breaks.", no_args_is_help=True)
console = Console()


@app.command("breaks")
def breaks_cmd(
    clear: Annotated[
        bool, typer.Option("--clear", help="Forget them: recomputed on the next request.")
    ] = False,
) -> None:
    """List the frozen class breaks of legends (or clear them)."""
    with connect(DbSettings()) as conn:
        if clear:
            count = breaks.clear(conn)
            conn.commit()
            console.print(f"cleared {count} frozen legend(s)")
            return
        rows = conn.execute(load_sql("tiles", "breaks_list.sql")).fetchall()
    table = Table("layer", "metric", "set", "filters", "method", "breaks", "frozen at")
    for layer, metric, slug, filters, method, upper, at in rows:
        shown = ", ".join(f"{b:.4g}" for b in upper)
        table.add_row(
            layer, metric, slug or "—", filters or "—", method, shown, f"{at:%Y-%m-%d %H:%M}"
        )
    console.print(table)
