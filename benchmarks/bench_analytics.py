"""Benchmark the analytics: Gi*, emerging hot spots, timeliness and recurring spots.

    make bench-analytics                               # 1,000,000 demo complaints
    .venv/bin/python benchmarks/bench_analytics.py --reuse   # the database of bench-tiles --keep

Uses the database of `make bench-tiles` (``phananh_bench_tiles``), loading 1,000,000 demo
complaints into it unless --reuse. Each run is timed from parameters to stored cells (stored
runs are deleted first, so nothing is reused). Figures are printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_tiles import database  # noqa: E402

from analytics.emerging import EmergingParams, emerging_spots  # noqa: E402
from analytics.hotspots import HotspotParams, run_gistar, run_summary  # noqa: E402
from analytics.recurring import RecurringParams, recurring_spots  # noqa: E402
from analytics.timeliness import TimelinessParams, timeliness  # noqa: E402
from gis_db.pool import connect  # noqa: E402
from gis_db.settings import DbSettings  # noqa: E402

RUNS = {
    "Gi* r9, all complaints": HotspotParams(resolution=9),
    "Gi* r8, all complaints": HotspotParams(resolution=8),
    "Gi* r9, flooding, 2025": HotspotParams(
        resolution=9, category="ngap-nuoc", **{"from": "2025-01-01"}
    ),
    "Gi* r10, all complaints": HotspotParams(resolution=10),
}


def main() -> None:
    """Build or reuse the database, then time each run three times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="Complaints to load.")
    parser.add_argument("--reuse", action="store_true", help="Use the kept database.")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    settings = database(DbSettings(), args.n, args.reuse)
    with connect(settings) as conn:
        for label, params in RUNS.items():
            seconds = []
            for _ in range(3):
                conn.execute("DELETE FROM hotspot_run")
                conn.commit()
                started = time.perf_counter()
                run = run_gistar(conn, params)
                conn.commit()
                seconds.append(time.perf_counter() - started)
            summary = run_summary(conn, run.id)
            print(
                f"  {label:<26} {min(seconds):6.2f} s (best of 3; {max(seconds):.2f} worst)   "
                f"{summary['n_cells']:,} cells, {summary['n_complaints']:,} complaints, "
                f"{summary['n_hot']:,} hot, {summary['n_cold']:,} cold"
            )
        for label, params in {
            "emerging, 52 weeks, r8": EmergingParams(last_day="2025-12-14"),
            "emerging, flooding": EmergingParams(last_day="2025-11-30", category="ngap-nuoc"),
        }.items():
            seconds = []
            for _ in range(3):
                started = time.perf_counter()
                result = emerging_spots(conn, params)
                seconds.append(time.perf_counter() - started)
            found = {k: v for k, v in result["categories"].items() if v and k != "no pattern"}
            print(
                f"  {label:<26} {min(seconds):6.2f} s (best of 3; {max(seconds):.2f} worst)   "
                f"{result['cells']:,} cells x {params.steps} steps; {found}"
            )
        for by in ("unit", "ward"):
            started = time.perf_counter()
            result = timeliness(conn, TimelinessParams(by=by))
            print(
                f"  {'timeliness by ' + by:<26} {time.perf_counter() - started:6.2f} s   "
                f"{len(result['groups']):,} groups"
            )
        seconds = []
        for _ in range(3):
            started = time.perf_counter()
            spots = recurring_spots(conn, RecurringParams())
            seconds.append(time.perf_counter() - started)
        print(
            f"  {'recurring flooding spots':<26} {min(seconds):6.2f} s (best of 3; "
            f"{max(seconds):.2f} worst)   {len(spots)} spots, "
            f"{sum(s['n'] for s in spots):,} complaints in them"
        )


if __name__ == "__main__":
    main()
