"""Benchmark the heat layer at city scale: 10 million demo complaints (five years at about the
busiest year's volume), loaded through the ETL in batches, then wrk over heat tiles at z10-15
without the cache.

    make bench-tiles-10m                                       # 10,000,000 complaints
    .venv/bin/python benchmarks/bench_heat_scale.py --reuse    # the database of an earlier run

The database ``phananh_bench_scale`` is kept (loading takes about half an hour); figures are
printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
from bench_etl import LAT, scratch_database  # noqa: E402
from bench_tiles import OURS, ours, report, tile_list, wrk  # noqa: E402

from etl.demo import generate, write  # noqa: E402
from etl.ingest import ingest  # noqa: E402
from etl.mapping import read_mapping, resolve_mapping  # noqa: E402
from gis_db.pool import connect  # noqa: E402
from gis_db.settings import DbSettings  # noqa: E402

BENCH_DB = "phananh_bench_scale"
FIRST, LAST = date(2021, 1, 1), date(2025, 12, 31)


def load(server: DbSettings, n: int, batch: int) -> DbSettings:
    """A scratch database with `n` complaints with coordinates, ingested `batch` at a time."""
    settings = scratch_database(server, BENCH_DB)
    mapping = read_mapping(resolve_mapping("phananh-1022"))
    done = 0
    for i in range((n + batch - 1) // batch):
        size = min(batch, n - done)
        with tempfile.TemporaryDirectory(prefix="phananh-scale-") as tmp:
            started = time.perf_counter()
            frame = generate(int(size / 0.68) + 1000, 100 + i, FIRST, LAST)
            frame = frame[frame[LAT] != ""].head(size).reset_index(drop=True)
            frame["Mã phản ánh"] = f"S{i}-" + frame["Mã phản ánh"]
            path = write(frame, Path(tmp) / f"batch-{i}.csv")
            made = time.perf_counter() - started
            with connect(settings) as conn:
                result = ingest(conn, path, mapping)
            done += result.rows_loaded
            print(
                f"batch {i + 1}: {result.rows_loaded:,} rows (generated in {made:.0f} s, "
                f"ingested in {time.perf_counter() - started - made:.0f} s), {done:,} in all"
            )
    with psycopg.connect(settings.url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return settings


def main() -> None:
    """Load (or reuse) the database, then measure heat tiles without the cache."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="Complaints to load.")
    parser.add_argument("--batch", type=int, default=1_000_000, help="Rows per ETL batch.")
    parser.add_argument("--reuse", action="store_true", help="Use the database of a run.")
    parser.add_argument("--seconds", type=int, default=20, help="Length of the phase.")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent connections.")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    server = DbSettings()
    settings = server.with_database(BENCH_DB) if args.reuse else load(server, args.n, args.batch)
    with psycopg.connect(settings.url) as conn:
        count = conn.execute("SELECT count(*) FROM complaint").fetchone()[0]
        rollup = conn.execute("SELECT count(*) FROM rollup_cell_day").fetchone()[0]
    print(f"{count:,} complaints, {rollup:,} rows in rollup_cell_day")
    heat = tile_list(settings, range(10, 16), 3_000, seed=2)
    paths = [f"/tiles/heat/{t.z}/{t.x}/{t.y}.mvt" for t in heat]
    print(f"\nheat, z10-15, {len(paths):,} tiles, uncached ({args.seconds} s):")
    with ours(settings, cache_mb=0):
        wrk(OURS, paths[:200], 5, args.connections)  # connections and plans warmed
        figures = wrk(OURS, paths, args.seconds, args.connections)
    report(f"phananh heat, {count / 1e6:.0f} M complaints", figures)


if __name__ == "__main__":
    main()
