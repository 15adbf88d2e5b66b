"""Street centrelines: catalog road networks loaded into ``street_segment`` for address placement.

A road's ``name_key`` is its normalised name ("Nguyen Hue" -> ``nguyen hue``, "Street 7" ->
``so 7``, "Calmette Bridge" -> ``cau calmette``); an alley's is ``hem <number> <road key>``
("154 Nguyen Bieu Alley" -> ``hem 154 nguyen bieu``: hẻm 154 Nguyễn Biểu), the way Vietnamese
addresses name it. :func:`street_key` is shared with the address normaliser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import shapely

from boundaries.data import catalog, resolve
from boundaries.names import strip_diacritics
from boundaries.settings import BoundarySettings
from gis_db.sqlfiles import load_sql

Progress = Callable[[str], None]

_PUNCT = re.compile(r"[.,;:()\"'#_&+*!?\[\]{}]+")
_DASH = re.compile(r"\s+[-–—]+\s+|[–—]|^-+|-+$")
_SPACES = re.compile(r"\s+")
# "duong"/"pho" are not stripped here: folded, "Dương Bá Trạc" and "Phó Đức Chính" start with
# them too. Address text tries the name with and without them (etl.address.normalize).
_PREFIX = re.compile(r"^(?:dg|d|street|st)\s+(?=\S)")
_SUFFIX = re.compile(r"\s+(?:street|st|road|rd)$")
_NUMBERED = re.compile(r"^(?:no|so|street|duong so|number)?\s*0*(\d+[a-z]?)$")
_BRIDGE = re.compile(r"^(.+?)\s+bridge\b(.*)$")
_TUNNEL = re.compile(r"^(.+?)\s+tunnel$")
_Y_AS_I = re.compile(r"\b(k|l|m|t|s|h|v|qu)y\b")
_LEADING_ZEROS = re.compile(r"\b0+(\d)")
# Whole-name spellings: common abbreviations of addresses and typos of the source data.
_CANONICAL = {
    "cmt8": "cach mang thang 8",
    "cmt 8": "cach mang thang 8",
    "cach mang thang tam": "cach mang thang 8",
    "nkkn": "nam ki khoi nghia",
    "ntmk": "nguyen thi minh khai",
    "dbp": "dien bien phu",
    "xvnt": "xo viet nghe tinh",
    "ba thang hai": "3/2",
    "3 thang 2": "3/2",
    "ngyen cu trinh": "nguyen cu trinh",
    "ben von don": "ben van don",
}
_ALLEY_SUFFIX = re.compile(r"^(?P<no>\S*\d\S*)\s+(?P<road>.+?)\s+alley$")
_ALLEY_PREFIX = re.compile(r"^alley\s+(?P<no>\S*\d\S*)\s+(?P<road>.+)$")
_ALLEY_BARE = re.compile(r"^(?P<no>\S*\d\S*)\s+(?P<road>[a-z].+)$")


def fold(text: str) -> str:
    """Lower-case ASCII with single spaces: 'Đường  Nguyễn Huệ.' -> 'duong nguyen hue'."""
    text = text if text.isascii() else strip_diacritics(text)
    return _SPACES.sub(" ", _DASH.sub(" ", _PUNCT.sub(" ", text.lower()))).strip()


def street_key(name: str | None) -> str:
    """Normalised key of a road name, in Vietnamese or in the source's English form."""
    if not name:
        return ""
    key = _SUFFIX.sub("", _PREFIX.sub("", fold(name)))
    key = _CANONICAL.get(key, key)
    numbered = _NUMBERED.match(key)
    if numbered:
        return f"so {numbered.group(1)}"
    bridge = _BRIDGE.match(key)
    if bridge and not key.startswith("cau "):
        key = f"cau {bridge.group(1)}{bridge.group(2)}"
    tunnel = _TUNNEL.match(key)
    if tunnel:
        key = f"ham {tunnel.group(1)}"
    return _LEADING_ZEROS.sub(r"\1", _Y_AS_I.sub(r"\1i", key))


def alley_key(number: str, road: str) -> str:
    """Key of an alley: ``hem <number> <road key>`` (numbers like '122/27' or '129f')."""
    return f"hem {number.lower()} {street_key(road)}"


def segment_key(name: str | None, street_type: str | None) -> str:
    """``name_key`` of one source segment; alleys are keyed by their number and road."""
    if not name or not name.strip():
        return ""
    folded = fold(name)
    is_alley = (street_type or "").lower() == "alley" or folded.endswith(" alley")
    if is_alley:
        for pattern in (_ALLEY_SUFFIX, _ALLEY_PREFIX, _ALLEY_BARE):
            match = pattern.match(folded)
            if match:
                return alley_key(match.group("no"), match.group("road"))
    return street_key(name)


def read_streets(path: Path, fields: dict[str, str]) -> gpd.GeoDataFrame:
    """Read a line file into the model's columns; multi-part lines become LineStrings."""
    raw = gpd.read_file(path)
    if raw.crs is None:
        raise ValueError(f"{Path(path).name} declares no CRS")
    raw = raw.to_crs(4326).explode(index_parts=False, ignore_index=True)
    raw = raw[~raw.geometry.is_empty & raw.geometry.notna()]
    kinds = set(raw.geom_type)
    if kinds - {"LineString"}:
        raise ValueError(f"{Path(path).name} holds {sorted(kinds)}, not only lines")

    def column(key: str) -> pd.Series:
        source = fields.get(key)
        if not source:
            return pd.Series([None] * len(raw), index=raw.index, dtype=object)
        return raw[source].astype(object).where(raw[source].notna(), None)

    names, types = column("name"), column("type")
    frame = gpd.GeoDataFrame(
        {
            "name": [n.strip() if n else "" for n in names],
            "street_type": types,
            "district_name": column("district"),
            "length_m": pd.to_numeric(column("length"), errors="coerce"),
        },
        geometry=raw.geometry.to_numpy(),
        crs=4326,
    )
    frame["name_key"] = [segment_key(n, t) for n, t in zip(frame["name"], types, strict=True)]
    return frame


def load_streets(conn: psycopg.Connection, frame: gpd.GeoDataFrame, dataset: str) -> int:
    """Replace the segments of `dataset` with `frame` in one transaction; return the count."""
    geoms = shapely.to_wkb(
        shapely.set_srid(frame.geometry.to_numpy(), 4326), hex=True, include_srid=True
    )
    with conn.transaction():
        conn.execute(load_sql("boundaries", "delete_street_segments.sql"), {"dataset": dataset})
        with conn.cursor().copy(load_sql("boundaries", "copy_street_segments.sql")) as copy:
            for row, geom in zip(frame.itertuples(index=False), geoms, strict=True):
                length = None if pd.isna(row.length_m) else float(row.length_m)
                copy.write_row(
                    (
                        dataset,
                        row.name,
                        row.name_key,
                        row.street_type,
                        row.district_name,
                        length,
                        geom,
                    )
                )
        return stored_fingerprint(conn, dataset)[0]


def stored_fingerprint(conn: psycopg.Connection, dataset: str) -> tuple[int, float]:
    """Number and total length (m, 0.1) of the segments of `dataset` in the database."""
    sql = load_sql("boundaries", "count_street_segments.sql")
    count, length = conn.execute(sql, {"dataset": dataset}).fetchone()
    return count, length


def file_fingerprint(frame: gpd.GeoDataFrame) -> tuple[int, float]:
    """Number and total source length (m, 0.1) of the segments read from a file."""
    return len(frame), round(float(frame["length_m"].sum()), 1)


def load_catalog_streets(
    conn: psycopg.Connection,
    settings: BoundarySettings | None = None,
    *,
    force: bool = False,
    progress: Progress = lambda _msg: None,
) -> dict[str, int]:
    """Load every catalog road network; returns segment counts by dataset.

    Each entry pins the fingerprint (segments, total length) its file yields; the file itself
    is pinned by sha256. A dataset is replaced in one transaction, so stored rows with the
    pinned fingerprint are complete and current and are skipped without reading the file.
    A file that yields another fingerprint is an error: a new file version needs a new pin.
    """
    settings = settings or BoundarySettings()
    counts: dict[str, int] = {}
    for entry in catalog().get("streets", []):
        key = entry["dataset"]
        pinned = (int(entry["segments"]), round(float(entry["length_m"]), 1))
        if not force and stored_fingerprint(conn, key) == pinned:
            counts[key] = pinned[0]  # already loaded (silent: load_all's messages stay per table)
            continue
        frame = read_streets(resolve(key, settings), entry["fields"])
        found = file_fingerprint(frame)
        if found != pinned:
            raise ValueError(
                f"streets {key}: the file yields {found[0]} segments, {found[1]} m; "
                f"the catalog pins {pinned[0]} segments, {pinned[1]} m"
            )
        counts[key] = load_streets(conn, frame, key)
        conn.commit()
        progress(f"streets {key}: {counts[key]} segments")
    return counts
