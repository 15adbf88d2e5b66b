"""Benchmark `AddressGeocoder.geocode_many`: addresses/s on 100,000 varied addresses.

    DATABASE_URL=... .venv/bin/python benchmarks/bench_geocode.py [--n N] [--seed S]

Addresses are drawn from the styles of tests/fixtures/geocode_eval.csv with their house numbers
and alleys replaced by random ones (and a random house number put in front of the others), so
most strings are new. Three figures are printed, each run starting from cold caches unless
said otherwise:

- mixed: one pass over the N addresses as they come (strings repeat as in real data);
- cached: the same N again (every string answered from the warm cache);
- all-unique: N strings that are all different (house numbers made unique).

Parts that repeat (ward, district, city, road names) are cached below the string level, so even
all-unique strings reuse work; a string is never answered from another string's result unless
they differ only in house numbers that place nothing (the answer's inputs are equal).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import time
from datetime import date
from pathlib import Path

from etl.address import AddressGeocoder
from etl.address.normalize import clear_caches
from gis_db.pool import connect
from gis_db.settings import DbSettings

EVAL = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "geocode_eval.csv"
HOUSE = re.compile(r"^(?:(?:số|so|Số|SỐ|SO|Hẻm|HẺM|Hem|hẻm)\s+)?\d[\w/]*")


def templates() -> list[tuple[str, date | None]]:
    """Addresses and dates of the evaluation set."""
    with EVAL.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [(r["address"], date.fromisoformat(r["date"]) if r["date"] else None) for r in rows]


def vary(address: str, rng: random.Random, unique: int | None = None) -> str:
    """The address with a new house number (unique when `unique` is given)."""
    number = f"{rng.randint(1, 999)}"
    if rng.random() < 0.5:
        number += f"/{rng.randint(1, 120)}"
    if unique is not None:
        number = f"{number}/{unique}"
    if HOUSE.match(address):
        return HOUSE.sub(number, address, count=1)
    return f"{number} {rng.choice(['Lê Lợi', 'Quang Trung', 'Tôn Đản', 'Cộng Hòa'])}, {address}"


def rate(n: int, seconds: float) -> str:
    """Addresses per second, formatted."""
    return f"{n / seconds:,.0f} addresses/s ({seconds:.2f} s)"


def main() -> None:
    """Build the inputs, geocode them four ways and print the rates."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    base = templates()

    t0 = time.perf_counter()
    with connect(DbSettings()) as conn:
        geocoder = AddressGeocoder.from_connection(conn)
    print(f"load gazetteer and streets: {time.perf_counter() - t0:.2f} s")

    picks = [rng.choice(base) for _ in range(args.n)]
    mixed = [vary(text, rng) if rng.random() < 0.9 else text for text, _ in picks]
    dates = [day for _, day in picks]
    unique = [vary(text, rng, unique=i) for i, (text, _) in enumerate(picks)]
    distinct = len(set(zip(mixed, dates, strict=True)))
    print(f"{args.n:,} addresses, {distinct:,} distinct (address, date) pairs in the mixed run")

    clear_caches()
    t = time.perf_counter()
    results = AddressGeocoder(geocoder.gaz).geocode_many(mixed, dates)
    print(f"mixed:      {rate(args.n, time.perf_counter() - t)}")
    warm = AddressGeocoder(geocoder.gaz)
    warm.geocode_many(mixed, dates)
    t = time.perf_counter()
    warm.geocode_many(mixed, dates)
    print(f"cached:     {rate(args.n, time.perf_counter() - t)}")
    clear_caches()
    t = time.perf_counter()
    AddressGeocoder(geocoder.gaz).geocode_many(unique, dates)
    print(f"all-unique: {rate(args.n, time.perf_counter() - t)}")

    confident = sum(m.confident for m in results) / len(results)
    print(f"confident answers in the mixed run: {confident:.1%}")


if __name__ == "__main__":
    main()
