"""Benchmark `phananh demo-data`: rows/s for 1,000,000 synthetic complaints.

    PHANANH_DATA_DIR=../shared/data .venv/bin/python benchmarks/bench_demo.py [--n N] [--output F]

Prints the time of each stage and rows/s; the file written is the input of the ETL benchmark.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from boundaries.settings import BoundarySettings
from etl.demo import generate, write
from etl.demo.places import load_geo


def main() -> None:
    """Generate and write the demo file, printing timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--output", type=Path, default=Path(tempfile.gettempdir()) / "phananh-demo-1m.csv"
    )
    args = parser.parse_args()
    settings = BoundarySettings()

    t0 = time.perf_counter()
    load_geo(settings)
    t1 = time.perf_counter()
    stages: list[tuple[str, float]] = []
    frame = generate(
        args.n,
        args.seed,
        date(2024, 1, 1),
        date(2025, 12, 31),
        settings,
        progress=lambda s: stages.append((s, time.perf_counter())),
    )
    t2 = time.perf_counter()
    write(frame, args.output)
    t3 = time.perf_counter()

    marks = [*stages, ("end", t2)]
    detail = ", ".join(
        f"{name} {b - a:.1f} s" for (name, a), (_, b) in zip(marks, marks[1:], strict=False)
    )
    size = args.output.stat().st_size / 1e6
    print(f"read boundaries and roads: {t1 - t0:.1f} s")
    print(f"generate {args.n:,} rows: {t2 - t1:.1f} s ({detail})")
    print(f"write {args.output} ({size:,.0f} MB): {t3 - t2:.1f} s")
    print(
        f"total {t3 - t0:.1f} s: {args.n / (t3 - t0):,.0f} rows/s "
        f"(generate {args.n / (t2 - t1):,.0f} rows/s, write {args.n / (t3 - t2):,.0f} rows/s)"
    )


if __name__ == "__main__":
    main()
