"""Resolving catalog data files: the local mirror, checksum pinning, the HTTP mirror, errors.

Only a small `derived` dataset (no public `url`) is used, so nothing but the local HTTP server
started here on 127.0.0.1 is ever contacted.
"""

import hashlib
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from boundaries.data import resolve
from boundaries.errors import ChecksumMismatch, DatasetMissing
from boundaries.settings import BoundarySettings

KEY = "gso_hcmc_2025_03_01"
PINNED = yaml.safe_load(
    (Path(__file__).parents[1] / "boundaries" / "catalog.yaml").read_text(encoding="utf-8")
)["datasets"][KEY]
REL = PINNED["path"]  # vn_admin_units/hcmc_wards_gso_2025-03-01_273.csv
SHARED = Path("/work/shared/data")


def settings(tmp_path, data_dir=None, data_url=None) -> BoundarySettings:
    return BoundarySettings(
        _env_file=None, data_dir=data_dir, data_url=data_url, cache_dir=tmp_path / "cache"
    )


def mirror_with(root: Path, content: bytes) -> Path:
    """Lay `root` out like the data mirror, holding only our dataset with `content`."""
    (root / REL).parent.mkdir(parents=True, exist_ok=True)
    (root / REL).write_bytes(content)
    return root


def original() -> bytes:
    return (SHARED / REL).read_bytes()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """Requests to the test server must not be routed through a proxy."""
    for var in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(var, "127.0.0.1,localhost")
    for var in ("PHANANH_DATA_DIR", "PHANANH_DATA_URL"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def http_mirror(tmp_path):
    """Serve tmp_path/served over HTTP on 127.0.0.1; yields (url, served dir, request paths)."""
    served = tmp_path / "served"
    served.mkdir()
    requests: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", served, requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_the_dataset_is_derived_and_small():
    assert "url" not in PINNED and PINNED["derived"]
    assert (SHARED / REL).stat().st_size < 100_000


def test_resolve_from_the_mirror(tmp_path):
    path = resolve(KEY, settings(tmp_path, data_dir=SHARED))
    assert path == SHARED / REL
    assert hashlib.sha256(path.read_bytes()).hexdigest() == PINNED["sha256"]
    assert not (tmp_path / "cache").exists()  # nothing downloaded


def test_mirror_copy_with_one_byte_changed(tmp_path):
    content = bytearray(original())
    content[len(content) // 2] ^= 0x01
    mirror = mirror_with(tmp_path / "mirror", bytes(content))
    with pytest.raises(ChecksumMismatch) as err:
        resolve(KEY, settings(tmp_path, data_dir=mirror))
    message = str(err.value)
    assert str(mirror / REL) in message
    assert PINNED["sha256"] in message
    assert hashlib.sha256(bytes(content)).hexdigest() in message


def test_empty_mirror_and_no_url(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for data_dir in (empty, None):
        with pytest.raises(DatasetMissing) as err:
            resolve(KEY, settings(tmp_path, data_dir=data_dir))
        message = str(err.value)
        assert REL in message
        assert "PHANANH_DATA_DIR" in message and "download" in message
        assert "PHANANH_DATA_URL" in message  # a derived file can only come from a mirror
        assert isinstance(err.value, FileNotFoundError)
        assert (f"{data_dir}/" if data_dir else "PHANANH_DATA_DIR (unset)") in message


def test_download_from_http_mirror(tmp_path, http_mirror):
    url, served, requests = http_mirror
    mirror_with(served, original())
    empty = tmp_path / "empty"
    empty.mkdir()
    path = resolve(KEY, settings(tmp_path, data_dir=empty, data_url=url))
    assert path.parent == tmp_path / "cache"
    assert path.read_bytes() == original()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == PINNED["sha256"]
    assert requests == [f"/{REL}"]
    # a second resolve uses the verified cache copy
    assert resolve(KEY, settings(tmp_path, data_url=url.rstrip("/"))) == path
    assert requests == [f"/{REL}"]


def test_served_file_with_wrong_content(tmp_path, http_mirror):
    url, served, requests = http_mirror
    mirror_with(served, original().replace(b"79", b"80", 1))
    with pytest.raises(DatasetMissing) as err:
        resolve(KEY, settings(tmp_path, data_url=url))
    message = str(err.value)
    assert requests == [f"/{REL}"]
    assert "known hash" in message and PINNED["sha256"] in message  # pooch's hash check
    assert url in message
    assert not any((tmp_path / "cache").glob("*.csv"))


def test_file_absent_from_http_mirror(tmp_path, http_mirror):
    url, _, requests = http_mirror
    with pytest.raises(DatasetMissing, match="404"):
        resolve(KEY, settings(tmp_path, data_url=url))
    assert requests == [f"/{REL}"]
