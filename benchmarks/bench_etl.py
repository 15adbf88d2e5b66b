"""Benchmark the ETL end to end: rows/s per stage and in total.

    make bench-etl                      # 1,000,000 demo complaints with coordinates
    .venv/bin/python benchmarks/bench_etl.py --n 200000 --mix   # with ~30 % address-only rows

It generates demo complaints (`phananh demo-data`, seed 1), creates a scratch database
``phananh_bench`` on the configured server (the embedded cluster unless DATABASE_URL is set),
migrates it, loads the boundary catalog, then ingests the file twice: a first load into an
empty database and an unchanged re-run. Figures are printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

from boundaries.catalog import load_all
from boundaries.settings import BoundarySettings
from etl.demo import generate, write
from etl.ingest import ingest
from etl.mapping import read_mapping, resolve_mapping
from gis_db import migrate
from gis_db.pool import connect
from gis_db.settings import DbSettings

BENCH_DB = "phananh_bench"
LAT = "Vĩ độ"


def demo_file(n: int, mix: bool, folder: Path) -> Path:
    """A demo export of `n` rows (only rows with coordinates unless `mix`)."""
    path = folder / f"demo-{n}-{'mix' if mix else 'coords'}.csv"
    started = time.perf_counter()
    if mix:
        frame = generate(n, 1, date(2024, 1, 1), date(2025, 12, 31))
    else:  # about 30 % of demo rows carry an address only: draw more, keep those with points
        frame = generate(int(n / 0.68) + 1000, 1, date(2024, 1, 1), date(2025, 12, 31))
        frame = frame[frame[LAT] != ""].head(n).reset_index(drop=True)
    write(frame, path)
    print(f"demo file: {len(frame):,} rows in {time.perf_counter() - started:.1f} s -> {path}")
    return path


def scratch_database(server: DbSettings, name: str = BENCH_DB) -> DbSettings:
    """A new, migrated database with the boundary catalog, on the same server."""
    with psycopg.connect(server.with_database("postgres").url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    settings = server.with_database(name)
    with psycopg.connect(settings.url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    migrate.upgrade(settings)
    started = time.perf_counter()
    with connect(settings) as conn:
        load_all(conn, BoundarySettings())
    print(f"boundary catalog loaded in {time.perf_counter() - started:.1f} s")
    return settings


def run(settings: DbSettings, path: Path, label: str) -> None:
    """Ingest `path` once and print the figures."""
    mapping = read_mapping(resolve_mapping("phananh-1022"))
    with connect(settings) as conn:
        started = time.perf_counter()
        result = ingest(conn, path, mapping)
        wall = time.perf_counter() - started
    rate = result.rows_in / wall
    print(f"\n{label}: {result.rows_in:,} rows in {wall:.1f} s = {rate:,.0f} rows/s")
    print(
        f"  loaded {result.rows_loaded:,} (inserted {result.rows_inserted:,}, updated "
        f"{result.rows_updated:,}, unchanged {result.rows_unchanged:,}), quarantined "
        f"{result.rows_quarantined:,}; methods {result.methods}"
    )
    print(f"  {'stage':<18} {'seconds':>8} {'rows/s':>12}")
    for stage, seconds in result.timings.items():
        rate = result.rows_in / seconds if seconds > 0.001 else float("inf")
        print(f"  {stage:<18} {seconds:8.2f} {rate:12,.0f}")


def main() -> None:
    """Parse arguments, build the file and the database, run the two loads."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="Complaints in the file.")
    parser.add_argument("--mix", action="store_true", help="Keep the address-only rows.")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    server = DbSettings()
    with tempfile.TemporaryDirectory(prefix="phananh-bench-") as tmp:
        path = demo_file(args.n, args.mix, Path(tmp))
        settings = scratch_database(server)
        run(settings, path, "first load")
        run(settings, path, "re-run (unchanged)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process: {peak:,.0f} MB")
    if not args.keep:
        with psycopg.connect(server.with_database("postgres").url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB))
            )


if __name__ == "__main__":
    main()
