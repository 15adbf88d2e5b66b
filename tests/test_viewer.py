"""The map viewer at / in a real browser (Debian's chromium, headless): it loads without
console errors, shows the legends and requests tiles, and the switcher and filters work."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import date

import psycopg
import uvicorn
from playwright.sync_api import sync_playwright

from etl.demo import generate, write
from etl.ingest import ingest
from etl.mapping import read_mapping, resolve_mapping
from gis_api.main import create_app
from gis_db.embedded import free_port
from gis_db.settings import DbSettings

CHROMIUM_ARGS = [  # headless WebGL without a GPU; CI runs as root
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist",
]


def _wait(condition, pause=lambda: time.sleep(0.1), seconds: float = 30.0) -> None:
    """Poll `condition`; `pause` between polls (the page's own wait lets its events arrive)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        pause()


def test_viewer_loads_and_requests_tiles(catalog_clone, boundary_settings, tmp_path):
    chromium = shutil.which("chromium")
    assert chromium, "chromium is missing: `make browser` installs it (Debian package)"
    frame = generate(800, 5, date(2025, 1, 1), date(2025, 12, 31), boundary_settings)
    with catalog_clone() as db:
        with psycopg.connect(db.url) as conn:
            ingest(
                conn,
                write(frame, tmp_path / "d.csv"),
                read_mapping(resolve_mapping("phananh-1022")),
            )
        app = create_app(db=DbSettings(_env_file=None, database_url=db.url))
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            _wait(lambda: server.started)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1200, "height": 800})
                errors: list[str] = []
                tiles: list[tuple[int, str]] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on(
                    "response",
                    lambda r: tiles.append((r.status, r.url)) if ".mvt" in r.url else None,
                )
                pause = lambda: page.wait_for_timeout(100)  # noqa: E731
                page.goto(f"http://127.0.0.1:{port}/")
                page.wait_for_function("document.querySelectorAll('#legends .legend').length === 6")
                _wait(lambda: any("/tiles/wards/" in u for _, u in tiles), pause)
                _wait(lambda: any("/tiles/boundaries/" in u for _, u in tiles), pause)
                assert (
                    page.locator("#legends .legend").first.locator(".row").count() == 6
                )  # 5 + none
                assert page.locator("canvas.maplibregl-canvas").count() == 1

                page.check("input[value=heat]")  # the switcher shows the heat layer
                _wait(lambda: any("/tiles/heat/" in u for _, u in tiles), pause)
                page.select_option("select[name=channel]", "app")  # the filters reach the tiles
                page.click("button[type=submit]")
                _wait(
                    lambda: any("/tiles/heat/" in u and "channel=app" in u for _, u in tiles), pause
                )
                # hotspots, shown on demand: runs count by field, category and days only
                assert not any("/tiles/hotspots/" in u for _, u in tiles)
                page.check("input[value=gistar]")
                page.check("input[value=recurring]")
                _wait(lambda: any("/tiles/hotspots/" in u for _, u in tiles), pause)
                assert not any("/tiles/hotspots/" in u and "channel=" in u for _, u in tiles)
                assert {status for status, _ in tiles} <= {200, 204}
                assert page.locator("#message").text_content() == ""
                browser.close()
            assert errors == []
        finally:
            server.should_exit = True
            thread.join(10)
