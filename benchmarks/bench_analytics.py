"""Benchmark the analytics: Gi*, emerging hot spots, timeliness, recurring spots, topics,
digests and the hotspots tile layer.

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

import mercantile

sys.path.insert(0, str(Path(__file__).parent))
from bench_tiles import database  # noqa: E402

from analytics.digest import DigestParams, digest  # noqa: E402
from analytics.digest_text import digest_html, digest_sms  # noqa: E402
from analytics.emerging import EmergingParams, emerging_spots  # noqa: E402
from analytics.hotspots import HotspotParams, run_gistar, run_summary  # noqa: E402
from analytics.recurring import RecurringParams, recurring_spots  # noqa: E402
from analytics.timeliness import TimelinessParams, timeliness  # noqa: E402
from analytics.topics import (  # noqa: E402
    TopicParams,
    clause_terms,
    segment,
    term_key,
    weekly_topics,
)
from gis_db.pool import connect  # noqa: E402
from gis_db.settings import DbSettings  # noqa: E402
from tiles.filters import TileFilters  # noqa: E402
from tiles.service import TileService  # noqa: E402
from tiles.settings import TileSettings  # noqa: E402

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
                conn.execute("DELETE FROM hotspot_run WHERE method = 'emerging'")  # not reused
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
            conn.execute("DELETE FROM hotspot_run WHERE method = 'recurring'")  # not reused
            started = time.perf_counter()
            spots = recurring_spots(conn, RecurringParams())
            seconds.append(time.perf_counter() - started)
        print(
            f"  {'recurring flooding spots':<26} {min(seconds):6.2f} s (best of 3; "
            f"{max(seconds):.2f} worst)   {len(spots)} spots, "
            f"{sum(s['n'] for s in spots):,} complaints in them"
        )
        segment("ngập nước")  # pyvi's model loads once per process (about a second)
        for label in ("first", "again"):
            if label == "first":
                clause_terms.cache_clear()
                term_key.cache_clear()
            started = time.perf_counter()
            result = weekly_topics(conn, TopicParams(week="2025-W40"))
            rising = sum(1 for w in result["wards"] if w["terms"])
            print(
                f"  {'topics 2025-W40, ' + label:<26} {time.perf_counter() - started:6.2f} s   "
                f"{result['city']['week_complaints']:,} complaints (+ "
                f"{result['city']['baseline_complaints']:,} baseline), {rising} of "
                f"{len(result['wards'])} wards with rising terms, "
                f"{clause_terms.cache_info().currsize:,} clauses segmented"
            )
        time_digests(conn)
        conn.commit()  # the runs stored above, or the tiles' workers would wait on them
    hotspot_tiles(settings)


def time_digests(conn) -> None:  # noqa: ANN001
    """The weekly digest for the city, every unit and every ward (figures, new hotspots and
    every unit's SMS and the HTML), and the monthly report."""
    for label, params in {
        "weekly digest, 2025-W40": DigestParams(window="2025-W40"),
        "weekly digest, 2025-W23": DigestParams(window="2025-W23"),
        "monthly report, 2025-10": DigestParams(window="2025-10", kind="month"),
    }.items():
        seconds = []
        for _ in range(3):
            started = time.perf_counter()
            d = digest(conn, params)
            messages = [digest_sms(d, u) for u in d["units"]]
            digest_html(d)
            seconds.append(time.perf_counter() - started)
        segments = sum(len(m.segments) for m in messages)
        print(
            f"  {label:<26} {min(seconds):6.2f} s (best of 3; {max(seconds):.2f} worst)   "
            f"{len(d['units']):,} units, {len(d['wards'])} wards, {segments:,} SMS segments, "
            f"{len(d['city']['new_hotspots'])} new hotspots"
        )


def hotspot_tiles(settings: DbSettings) -> None:
    """The `hotspots` tile layer with no parameters, one kind at a time: the first tile
    computes and stores the run, the next reuses it (memo), a new worker finds it stored."""
    methods = {"hotspots": "gi*", "emerging": "emerging", "recurring": "recurring"}
    tile = mercantile.tile(106.70, 10.776, 11)
    with connect(settings, autocommit=True) as conn:
        for kind, method in methods.items():
            conn.execute("DELETE FROM hotspot_run WHERE method = %s", (method,))
            seconds = []
            worker = TileService(TileSettings(cache_mb=0))
            for x, new_worker in ((tile.x, False), (tile.x + 1, False), (tile.x, True)):
                if new_worker:  # no memo: the run is looked up in hotspot_run
                    worker = TileService(TileSettings(cache_mb=0))
                spec = worker.spec("hotspots", 11, x, tile.y, TileFilters(), {"kind": kind})
                started = time.perf_counter()
                worker.render(conn, spec)
                seconds.append(time.perf_counter() - started)
            print(
                f"  {'hotspots tile, ' + kind:<26} {seconds[0]:6.2f} s cold; then "
                f"{seconds[1] * 1000:.0f} ms (same worker), {seconds[2] * 1000:.0f} ms (new worker)"
            )


if __name__ == "__main__":
    main()
