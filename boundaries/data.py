"""Resolve catalog data files: a local mirror first, then a pinned download."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import pooch
import yaml

from boundaries.errors import ChecksumMismatch, DatasetMissing, UnknownBoundarySet
from boundaries.settings import BoundarySettings


@dataclass(frozen=True)
class Dataset:
    """One pinned file of the catalog."""

    key: str
    path: str
    sha256: str
    url: str | None = None
    derived: str | None = None


@cache
def catalog() -> dict:
    """The parsed ``catalog.yaml``."""
    return yaml.safe_load((files("boundaries") / "catalog.yaml").read_text(encoding="utf-8"))


def dataset(key: str) -> Dataset:
    """Catalog entry for a dataset key."""
    try:
        entry = catalog()["datasets"][key]
    except KeyError:
        raise UnknownBoundarySet(f"no dataset '{key}' in the catalog") from None
    return Dataset(key=key, **entry)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve(key: str, settings: BoundarySettings | None = None) -> Path:
    """Local path of a catalog file, verified against its pinned sha256.

    Looks in ``PHANANH_DATA_DIR`` first; otherwise downloads from the public origin (or from
    ``PHANANH_DATA_URL``) into the user cache.
    """
    settings = settings or BoundarySettings()
    ds = dataset(key)
    if settings.data_dir is not None:
        local = settings.data_dir / ds.path
        if local.is_file():
            actual = sha256_of(local)
            if actual != ds.sha256:
                raise ChecksumMismatch(
                    f"{local} has sha256 {actual}, the catalog pins {ds.sha256}: "
                    "the mirror holds another version of this file"
                )
            return local
    urls = [u for u in (ds.url, _mirror_url(settings, ds)) if u]
    errors = []
    for url in urls:
        try:
            fetched = pooch.retrieve(
                url,
                known_hash=f"sha256:{ds.sha256}",
                fname=ds.path.replace("/", "__"),
                path=settings.cache_dir,
                progressbar=False,
            )
            return Path(fetched)
        except Exception as exc:  # network errors, HTTP errors, hash mismatches
            errors.append(f"{url}: {exc}")
    where = f"{settings.data_dir}/" if settings.data_dir else "PHANANH_DATA_DIR (unset)/"
    tried = f" Download failed: {'; '.join(errors)}." if errors else ""
    origin = ds.url or "no public byte-identical origin (derived file), set PHANANH_DATA_URL"
    raise DatasetMissing(
        f"data file '{ds.path}' not found in {where}.{tried} Provide it either way: "
        f"(1) put the file at $PHANANH_DATA_DIR/{ds.path} (a local mirror, e.g. ../shared/data), "
        f"or (2) let it download (origin: {origin}) with sha256 {ds.sha256}."
    )


def _mirror_url(settings: BoundarySettings, ds: Dataset) -> str | None:
    if not settings.data_url:
        return None
    return f"{settings.data_url.rstrip('/')}/{ds.path}"
