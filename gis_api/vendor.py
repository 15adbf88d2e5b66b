"""Fetch the map viewer's JavaScript library (MapLibre GL JS from the npm registry, pinned by
checksum) into the package's static files: the viewer needs no CDN at run time.

Run by the build (`make venv`): ``python -m gis_api.vendor``.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from pathlib import Path

import pooch

MAPLIBRE_VERSION = "6.17.0"
MAPLIBRE_SHA512 = (
    "d9c848670a4b19e9e851039c9e6f4f93848b6c0f29a4d16af239695e2abdbdc6"
    "26dd8d702777dcf3614bd062f005a3d82422f33effe60b8e8a12ea55a2fef9ad"
)
MAPLIBRE_URL = f"https://registry.npmjs.org/maplibre-gl/-/maplibre-gl-{MAPLIBRE_VERSION}.tgz"
FILES = (  # what the viewer loads; the worker is found next to the module
    "dist/maplibre-gl.mjs",
    "dist/maplibre-gl-worker.mjs",
    "dist/maplibre-gl-shared.mjs",
    "dist/maplibre-gl.css",
    "LICENSE.txt",
)
VENDOR = Path(__file__).resolve().parent / "static" / "vendor"


def fetch(dest: Path = VENDOR) -> Path:
    """Place MapLibre GL JS into `dest` unless this version is there already."""
    stamp = dest / f".maplibre-gl-{MAPLIBRE_VERSION}"
    if stamp.exists():
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        archive = pooch.retrieve(
            MAPLIBRE_URL, known_hash=f"sha512:{MAPLIBRE_SHA512}", path=tmp, progressbar=False
        )
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        with tarfile.open(archive) as tar:
            for name in FILES:
                member = tar.getmember(f"package/{name}")
                source = tar.extractfile(member)
                assert source is not None, name
                (dest / Path(name).name).write_bytes(source.read())
    stamp.touch()
    return dest


if __name__ == "__main__":
    print(f"MapLibre GL JS {MAPLIBRE_VERSION} in {fetch()}")
