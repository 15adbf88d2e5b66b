"""Benchmark the tile API against tipg on the same database: tiles/s and latency percentiles.

    make bench-tiles                                  # 1,000,000 demo complaints
    .venv/bin/python benchmarks/bench_tiles.py --n 200000 --keep
    .venv/bin/python benchmarks/bench_tiles.py --reuse   # the database of a --keep run

It loads demo complaints into a scratch database ``phananh_bench_tiles`` (through the ETL),
starts our API and tipg (``.venv-tipg``, pinned) through the same uvicorn launcher
(``gis_api/serving.py``) with matched settings (2 workers each, the
same pool size per worker, buffer 64, the same feature cap, tipg's catalog TTL off), and drives
both with wrk over the same shuffled list of tiles:

1. tipg's collection tiles of ``public.complaint`` at z14-16, then of ``public.complaint_point``
   (the narrow table in H3 order our layer reads), then our ``complaints`` layer on the same
   tiles (our cache off);
2. our ``heat`` layer at z10-15 (cache off);
3. 300 of the ``heat`` tiles with the cache on, after a warm-up pass (cache hits).

Figures are printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import mapbox_vector_tile
import mercantile
import psycopg

sys.path.insert(0, str(Path(__file__).parent))
from bench_etl import demo_file, scratch_database  # noqa: E402

from etl.ingest import ingest  # noqa: E402
from etl.mapping import read_mapping, resolve_mapping  # noqa: E402
from gis_db.pool import connect  # noqa: E402
from gis_db.settings import DbSettings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "phananh_bench_tiles"
OURS, TIPG = 8101, 8102
WORKERS, POOL = 2, 4
BUFFER, MAX_FEATURES = 64, 20_000
HOT_TILES = 300  # the cache-hit phase cycles over these (warmed first)
LUA = Path(__file__).with_name("wrk_tiles.lua")
# Both servers start through the same launcher (uvicorn with TCP_NODELAY kept; see its doc).
SERVING = ROOT / "gis_api" / "serving.py"


def database(server: DbSettings, n: int, reuse: bool) -> DbSettings:
    """The scratch database with `n` demo complaints (kept from an earlier run with --reuse)."""
    settings = server.with_database(BENCH_DB)
    if reuse:
        with psycopg.connect(settings.url) as conn:
            count = conn.execute("SELECT count(*) FROM complaint").fetchone()[0]
        print(f"reusing {BENCH_DB}: {count:,} complaints")
        return settings
    with tempfile.TemporaryDirectory(prefix="phananh-bench-") as tmp:
        path = demo_file(n, False, Path(tmp))
        settings = scratch_database(server, BENCH_DB)
        started = time.perf_counter()
        with connect(settings) as conn:
            result = ingest(conn, path, read_mapping(resolve_mapping("phananh-1022")))
        print(f"ingested {result.rows_loaded:,} in {time.perf_counter() - started:.0f} s")
    with psycopg.connect(settings.url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return settings


def tile_list(settings: DbSettings, zooms: range, count: int, seed: int) -> list[mercantile.Tile]:
    """Tiles where complaints are, drawn in proportion to them, shuffled with `seed`."""
    with psycopg.connect(settings.url) as conn:
        points = conn.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM complaint TABLESAMPLE SYSTEM (5) REPEATABLE (1) "
            "WHERE geom IS NOT NULL"
        ).fetchall()
    rng = random.Random(seed)
    rng.shuffle(points)
    tiles: list[mercantile.Tile] = []
    seen: set[mercantile.Tile] = set()
    for i, (lon, lat) in enumerate(points):
        tile = mercantile.tile(lon, lat, zooms[i % len(zooms)])
        if tile not in seen:
            seen.add(tile)
            tiles.append(tile)
        if len(tiles) == count:
            break
    return tiles


@contextmanager
def serve(command: list[str], env: dict[str, str], port: int, name: str):
    """Run a server until the block ends; wait for its /healthz first."""
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read().decode()[-2000:] if process.stderr else ""
                    raise SystemExit(f"{name} did not start: {error}") from None
                time.sleep(0.5)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def ours(settings: DbSettings, cache_mb: int):
    """Our API with the benchmark's settings."""
    env = {
        "DATABASE_URL": settings.url,
        "PHANANH_DB_POOL_MIN": str(POOL),
        "PHANANH_DB_POOL_MAX": str(POOL),
        "PHANANH_TILES_BUFFER": str(BUFFER),
        "PHANANH_TILES_MAX_POINTS": str(MAX_FEATURES),
        "PHANANH_TILES_CACHE_MB": str(cache_mb),
    }
    command = [str(ROOT / ".venv/bin/python"), str(SERVING), "gis_api.main:create_app"]
    command += ["--factory", "--port", str(OURS), "--workers", str(WORKERS)]
    command += ["--log-level", "warning"]
    return serve(command, env, OURS, "phananh")


def tipg(settings: DbSettings):
    """tipg 1.6.1 publishing the complaint table with matched settings (research §5)."""
    env = {
        "DATABASE_URL": settings.url,
        "DB_MIN_CONN_SIZE": str(POOL),
        "DB_MAX_CONN_SIZE": str(POOL),
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": '["public.complaint", "public.complaint_point"]',
        "TIPG_DB_SPATIAL_EXTENT": "FALSE",
        "TIPG_DB_DATETIME_EXTENT": "FALSE",
        "TIPG_TABLE_CONFIG__public_complaint__PROPERTIES": (
            '["field_code","category_code","status","received_at"]'
        ),
        "TIPG_TABLE_CONFIG__public_complaint_point__PROPERTIES": (
            '["field_code","category_code","status","received_day"]'
        ),
        "TIPG_TILE_RESOLUTION": "4096",
        "TIPG_TILE_BUFFER": str(BUFFER),
        "TIPG_MAX_FEATURES_PER_TILE": str(MAX_FEATURES),
        "TIPG_SET_MVT_LAYERNAME": "TRUE",
        "TIPG_CATALOG_TTL": "0",
        "TIPG_DEBUG": "FALSE",
    }
    command = [str(ROOT / ".venv-tipg/bin/python"), str(SERVING), "tipg.main:app"]
    command += ["--port", str(TIPG), "--workers", str(WORKERS), "--log-level", "warning"]
    return serve(command, env, TIPG, "tipg")


def wrk(port: int, paths: list[str], seconds: int, connections: int) -> dict[str, float]:
    """Drive a server with wrk over `paths` (in order, cycling); tiles/s and percentiles."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(paths) + "\n")
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA)]
        + [f"http://127.0.0.1:{port}"],
        env={**os.environ, "TILE_LIST": fh.name},
        capture_output=True,
        text=True,
        check=True,
    )
    os.unlink(fh.name)
    out = done.stdout
    failures = Counter(line for line in done.stderr.splitlines() if line.strip())
    for failure, times in failures.most_common(5):
        print(f"  failed response ({times}x): {failure}")
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    requests, micros, p50, p95, p99, bad = (float(v) for v in line.split()[1:])
    return {
        "tiles/s": requests / (micros / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
        "errors": bad,
    }


def same_features(tile: mercantile.Tile) -> tuple[int, int] | None:
    """Points inside one tile from each server (ours also sends those in the buffer, which
    tipg leaves out; inside the tile the two must agree)."""
    counts = []
    for url in (
        f"http://127.0.0.1:{OURS}/tiles/complaints/{tile.z}/{tile.x}/{tile.y}.mvt",
        f"http://127.0.0.1:{TIPG}/collections/public.complaint/tiles/WebMercatorQuad/"
        f"{tile.z}/{tile.x}/{tile.y}",
    ):
        body = urllib.request.urlopen(url).read()
        layers = mapbox_vector_tile.decode(body) if body else {}
        features = [f for layer in layers.values() for f in layer["features"]]
        if any("n" in f["properties"] for f in features):
            return None  # ours aggregated a tile over the cap where tipg truncates
        counts.append(sum(_inside(f["geometry"]["coordinates"]) for f in features))
    return counts[0], counts[1]


def _inside(point: list[int]) -> bool:
    """Whether a point (tile coordinates) lies in the tile rather than in its buffer."""
    return 0 <= point[0] <= 4096 and 0 <= point[1] <= 4096


def report(label: str, figures: dict[str, float]) -> None:
    """One line of results."""
    print(
        f"  {label:<42} {figures['tiles/s']:9,.0f} tiles/s   p50 {figures['p50']:7.1f} ms   "
        f"p95 {figures['p95']:7.1f} ms   p99 {figures['p99']:7.1f} ms   "
        f"errors {figures['errors']:.0f}"
    )


def main() -> None:
    """Build or reuse the database, then run the phases and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="Complaints to load.")
    parser.add_argument("--reuse", action="store_true", help="Use the kept database.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--seconds", type=int, default=20, help="Length of each phase.")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent connections.")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    server = DbSettings()
    settings = database(server, args.n, args.reuse)
    points = tile_list(settings, range(14, 17), 3_000, seed=1)
    heat = tile_list(settings, range(10, 16), 3_000, seed=2)
    print(f"{len(points):,} point tiles (z14-16), {len(heat):,} heat tiles (z10-15)")
    ours_points = [f"/tiles/complaints/{t.z}/{t.x}/{t.y}.mvt" for t in points]
    tipg_points = [
        f"/collections/public.complaint/tiles/WebMercatorQuad/{t.z}/{t.x}/{t.y}" for t in points
    ]
    tipg_narrow = [p.replace("public.complaint/", "public.complaint_point/") for p in tipg_points]
    heat_paths = [f"/tiles/heat/{t.z}/{t.x}/{t.y}.mvt" for t in heat]
    run = {"seconds": args.seconds, "connections": args.connections}

    print(f"\ncomplaint points, z14-16, uncached ({args.seconds} s each, {WORKERS} workers):")
    with tipg(settings):
        their = wrk(TIPG, tipg_points, **run)
        their_narrow = wrk(TIPG, tipg_narrow, **run)
        with ours(settings, cache_mb=0):
            checks = [c for c in map(same_features, points[:20]) if c is not None]
            mine = wrk(OURS, ours_points, **run)
            heat_cold = wrk(OURS, heat_paths, **run)
    report("tipg 1.6.1, complaint table", their)
    report("tipg 1.6.1, complaint_point table", their_narrow)
    report("phananh complaints layer", mine)
    print(f"  ratio phananh / tipg: {mine['tiles/s'] / their['tiles/s']:.2f}x tiles/s")
    print(
        f"  ratio phananh / tipg on complaint_point: "
        f"{mine['tiles/s'] / their_narrow['tiles/s']:.2f}x tiles/s"
    )
    same = sum(a == b for a, b in checks)
    worst = max(abs(a - b) / max(b, 1) for a, b in checks)
    print(
        f"  points inside sampled tiles: equal on {same} of {len(checks)}, at most "
        f"{worst:.1%} apart (points on the tile's edges), {20 - len(checks)} aggregated"
    )
    print("\nheat, z10-15:")
    report("phananh heat, uncached", heat_cold)
    hot = heat_paths[:HOT_TILES]
    with ours(settings, cache_mb=256):
        wrk(OURS, hot, args.seconds, args.connections)  # every hot tile into both workers' caches
        heat_warm = wrk(OURS, hot, **run)
    report(f"phananh heat, cache hits ({len(hot)} tiles)", heat_warm)
    if not args.keep and not args.reuse:
        with psycopg.connect(server.with_database("postgres").url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
