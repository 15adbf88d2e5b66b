"""Write a demo frame the way users receive exports: CSV (Excel), JSON Lines, GeoParquet."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

FORMATS = (".csv", ".jsonl", ".parquet")
CHUNK = 200_000


def write(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write ``frame`` in the format of the suffix of ``path`` (see :data:`FORMATS`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"cannot write '{suffix}': use one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        _csv(frame, path)
    elif suffix == ".jsonl":
        _jsonl(frame, path)
    else:
        _parquet(frame, path)
    return path


def _text(column: pd.Series) -> list[str]:
    """Column values as str ('' for missing)."""
    values = column.tolist()
    try:
        "".join(values)  # all str: the common case, checked at C speed
    except TypeError:
        values = ["" if v is None or v != v else str(v) for v in values]
    return values


def _mapped(values: list[str], fn: Callable[[str], str]) -> list[str]:
    """``fn`` over values, once per distinct value when the first ones repeat a lot."""
    head = values[:2_000]
    if len(set(head)) * 4 < len(head):
        table = {v: fn(v) for v in dict.fromkeys(values)}
        return [table[v] for v in values]
    return [fn(v) for v in values]


def _csv_column(values: list[str]) -> list[str]:
    joined = "\x1f".join(values)
    if '"' in joined or "," in joined or "\n" in joined or "\r" in joined:
        return _mapped(values, _csv_field)
    return values


def _csv_field(value: str) -> str:
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM, CRLF line ends, quotes only where needed: Excel's 'CSV UTF-8'."""
    header = ",".join(_csv_field(str(c)) for c in frame.columns)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        fh.write(header + "\r\n")
        for lo in range(0, len(frame), CHUNK):
            part = frame.iloc[lo : lo + CHUNK]
            cols = [_csv_column(_text(part[c])) for c in part.columns]
            fh.write("\r\n".join(map(",".join, zip(*cols, strict=True))) + "\r\n")


_JSON_SPECIAL = re.compile(r'[\x00-\x1f"\\]')


def _json_column(key: str, values: list[str], encode: Callable[[str], str]) -> list[str]:
    if _JSON_SPECIAL.search(",".join(values)):
        return _mapped(values, lambda v: key + encode(v))
    return [key + '"' + v + '"' for v in values]


def _jsonl(frame: pd.DataFrame, path: Path) -> None:
    """One JSON object per line, UTF-8 (no escapes for Vietnamese letters)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    keys = [encode(str(c)) + ":" for c in frame.columns]
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for lo in range(0, len(frame), CHUNK):
            part = frame.iloc[lo : lo + CHUNK]
            cols = [
                _json_column(k, _text(part[c]), encode)
                for k, c in zip(keys, part.columns, strict=True)
            ]
            lines = map(",".join, zip(*cols, strict=True))
            fh.write("".join(["{" + line + "}\n" for line in lines]))


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    """GeoParquet: the text columns plus a point geometry (none for address-only rows)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise ValueError("writing .parquet needs pyarrow (pip install pyarrow)") from exc
    import geopandas as gpd

    lat = pd.to_numeric(frame["Vĩ độ"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(frame["Kinh độ"], errors="coerce").to_numpy(dtype=float)
    ok = ~(np.isnan(lat) | np.isnan(lon))
    geometry = gpd.GeoSeries.from_xy(lon, lat, crs="EPSG:4326")
    geometry[~ok] = None
    gpd.GeoDataFrame(frame, geometry=geometry).to_parquet(path, index=False)
