"""Read an export (CSV, XLSX, JSON Lines, GeoJSON, GeoParquet) into a frame of text columns.

Every value comes back as text exactly as exported ('' when blank), so that validation sees
what the source said and quarantine can keep the raw row.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from charset_normalizer import from_bytes

from etl.mapping import GEOMETRY_LAT, GEOMETRY_LON, Mapping

SAMPLE_BYTES = 1 << 20


def detect_encoding(path: Path) -> str:
    """The text encoding of a CSV file: BOM, then UTF-8, then a statistical guess."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut by the sample boundary
            return "utf-8"
    guess = from_bytes(head).best()
    if guess is None:
        raise ValueError(f"{path.name}: cannot detect the text encoding; set `encoding:`")
    return guess.encoding


def _detect_delimiter(text_sample: str) -> str:
    try:
        return csv.Sniffer().sniff(text_sample.split("\n", 20)[0], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_csv(path: Path, encoding: str | None = None, delimiter: str | None = None) -> pd.DataFrame:
    """A CSV file as text columns (multi-threaded pyarrow parser)."""
    encoding = encoding or detect_encoding(path)
    with open(path, encoding=encoding, errors="replace") as fh:
        sample = fh.read(64_000)
    delimiter = delimiter or _detect_delimiter(sample)
    pa_encoding = "utf8" if encoding.lower().replace("-", "") in {"utf8", "utf8sig"} else encoding
    names = _header(sample, delimiter)
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=pa_encoding, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        columns = table.columns
        if not _is_nfc(sample, encoding):
            # cp1258 and some tools write decomposed accents: compose them (NFC).
            columns = [pc.utf8_normalize(column, "NFC") for column in columns]
        frame = pa.table(columns, names=[_name(c) for c in table.column_names]).to_pandas()
    except (pa.ArrowInvalid, UnicodeError, LookupError) as exc:
        raise ValueError(f"{path.name}: not a readable CSV ({encoding}): {exc}") from exc
    return frame


def _is_nfc(sample: str, encoding: str) -> bool:
    """UTF-8 text whose first 64 kB is composed (NFC) is taken to be composed throughout."""
    utf8 = encoding.lower().replace("-", "").replace("_", "") in {"utf8", "utf8sig"}
    return utf8 and unicodedata.is_normalized("NFC", sample)


def _name(column: object) -> str:
    return unicodedata.normalize("NFC", str(column)).lstrip("\ufeff").strip()


def _header(sample: str, delimiter: str) -> list[str]:
    return next(csv.reader(io.StringIO(sample.lstrip("\ufeff")), delimiter=delimiter), [])


def read_xlsx(path: Path, sheet: str | int = 0) -> pd.DataFrame:
    """One sheet of an Excel workbook as text columns (dates as ISO text)."""
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - a damaged workbook raises many kinds of errors
        raise ValueError(f"{path.name}: cannot read sheet {sheet!r}: {exc}") from exc
    return _texts(frame)


def read_jsonl(path: Path) -> pd.DataFrame:
    """JSON Lines (one object per line; nested objects flattened with dots)."""
    records = []
    with open(path, encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(
                    f"{path.name}: not valid JSON Lines (line {number}: {exc})"
                ) from exc
            if not isinstance(record, dict):
                raise ValueError(f"{path.name}: not valid JSON Lines (line {number} is no object)")
            records.append(record)
    return _texts(pd.json_normalize(records))


def read_geo(path: Path, fmt: str) -> pd.DataFrame:
    """GeoJSON or GeoParquet: attributes as text plus point coordinates in WGS 84."""
    import geopandas as gpd

    try:
        gdf = gpd.read_parquet(path) if fmt == "geoparquet" else gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad input file
        raise ValueError(f"{path.name}: cannot read {fmt}: {exc}") from exc
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    frame = _texts(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)))
    geom = gdf.geometry
    is_point = (geom.geom_type == "Point").to_numpy()
    lat = np.where(is_point, geom.y.where(is_point), np.nan) if len(geom) else np.array([])
    lon = np.where(is_point, geom.x.where(is_point), np.nan) if len(geom) else np.array([])
    frame[GEOMETRY_LAT] = [_num_text(v) for v in lat]
    frame[GEOMETRY_LON] = [_num_text(v) for v in lon]
    return frame


def _num_text(value: float) -> str:
    return "" if np.isnan(value) else repr(float(value))


def _texts(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as NFC text ('' for blanks), column names too."""
    out = frame.apply(_as_text) if len(frame.columns) else frame
    out.columns = [_name(c) for c in frame.columns]
    return out


def _as_text(column: pd.Series) -> pd.Series:
    def one(value: object) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return column.map(one).astype("str").str.normalize("NFC")


def read_export(path: Path, mapping: Mapping) -> pd.DataFrame:
    """Read `path` the way `mapping` says; check that the mapped columns exist."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    fmt = mapping.format_for(path)
    if fmt == "csv":
        frame = read_csv(path, mapping.encoding, mapping.delimiter)
    elif fmt == "xlsx":
        frame = read_xlsx(path, mapping.sheet)
    elif fmt == "jsonl":
        frame = read_jsonl(path)
    else:
        frame = read_geo(path, fmt)
    missing = sorted(mapping.source_columns() - set(frame.columns))
    if missing:
        have = ", ".join(list(frame.columns)[:30])
        raise ValueError(
            f"{path.name}: column(s) {', '.join(missing)} named in mapping '{mapping.name}' "
            f"are not in the file (it has: {have})"
        )
    return frame.reset_index(drop=True)
