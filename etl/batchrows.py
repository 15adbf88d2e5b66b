"""The rows of a batch on their way in: column arrays, geocoding results and Arrow tables
typed like the tables they are copied into."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl import h3index
from etl.mapping import TIME_FIELDS
from etl.rollups import VERSION, local_days
from etl.validate import flag_lists

if TYPE_CHECKING:
    from etl.address.geocoder import AddressMatch

TIMESTAMP = pa.timestamp("us", tz="UTC")
UNITS = ("ward_set", "ward_code", "current_set", "current_ward_code")
TEXT_OR_NULL = (
    "description", "address", "handling_unit_code", "handling_unit_name", "handling_unit_level",
)  # fmt: skip
# Columns of `complaint` a batch writes, in COPY order (copy_complaints.sql lists the same).
COMPLAINT_COLUMNS = [
    "source", "source_id", "content_hash", "batch_id", "received_at", "field_code",
    "category_code", "description", "address", "channel", "handling_unit_code",
    "handling_unit_name", "handling_unit_level", "status", "assigned_at", "processing_at",
    "resolved_at", "closed_at", "rejected_at", "due_at", "satisfaction", "input_lat",
    "input_lon", "geom", "geom_3857", "ward_set", "ward_code", "current_set", "current_ward_code",
    "geocode_method", "geocode_confidence", "geocode_candidates", "flags", "h3_r7", "h3_r8",
    "h3_r9", "h3_r10",
]  # fmt: skip


@dataclass
class BatchRows:
    """Kept rows of a batch (validated, not duplicates, new or changed), as aligned arrays."""

    frame: pd.DataFrame  # the mapped columns
    row_number: np.ndarray  # int32, position in the file (1-based)
    stored_id: np.ndarray  # int64 id of the stored complaint with the same source id, or -1
    lat: np.ndarray
    lon: np.ndarray
    method: np.ndarray  # 'pending' (coordinates to locate), an address method, or 'none'
    confidence: np.ndarray
    candidates: np.ndarray  # object: tuple of unit codes, or None
    units: dict[str, np.ndarray]  # UNITS -> object arrays
    flags: dict[str, np.ndarray]  # flag name -> bool array
    cells: dict[int, np.ndarray]  # resolution -> int64 cells (0 = none)

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, flags: dict[str, np.ndarray], stored_id: np.ndarray
    ) -> BatchRows:
        """Rows of `frame` (already reduced to the kept rows) before any geocoding."""
        rows = len(frame)
        lat = frame["lat"].to_numpy(dtype="float64", na_value=np.nan).copy()
        return cls(
            frame=frame,
            row_number=frame["row_number"].to_numpy(dtype=np.int32),
            stored_id=stored_id,
            lat=lat,
            lon=frame["lon"].to_numpy(dtype="float64", na_value=np.nan).copy(),
            method=np.where(np.isnan(lat), "none", "pending").astype(object),
            confidence=np.zeros(rows),
            candidates=np.full(rows, None, dtype=object),
            units={u: np.full(rows, None, dtype=object) for u in UNITS},
            flags={k: np.asarray(v, dtype=bool).copy() for k, v in flags.items()},
            cells={},
        )

    def __len__(self) -> int:
        return len(self.row_number)

    def local_days(self, tz: str) -> pa.Array:
        """Local day of reception of every row."""
        return local_days(pa.array(self.frame["received_at"]), tz)

    def flag(self, name: str, positions: np.ndarray) -> None:
        """Add flag `name` to the rows at `positions`."""
        mask = self.flags.setdefault(name, np.zeros(len(self), dtype=bool))
        mask[positions] = True

    def apply_addresses(self, positions: np.ndarray, matches: Sequence[AddressMatch]) -> None:
        """Results of the address geocoder for the rows at `positions` (a street puts a point)."""
        self.method[positions] = [m.method for m in matches]
        self.confidence[positions] = [float(m.confidence) for m in matches]
        self.candidates[positions] = [tuple(m.candidates) or None for m in matches]
        self.units["ward_set"][positions] = [m.ward_set for m in matches]
        self.units["ward_code"][positions] = [m.ward_code for m in matches]
        self.units["current_set"][positions] = [m.current_set for m in matches]
        self.units["current_ward_code"][positions] = [m.current_code for m in matches]
        self.lat[positions] = [np.nan if m.lat is None else m.lat for m in matches]
        self.lon[positions] = [np.nan if m.lon is None else m.lon for m in matches]

    def index_cells(self, positions: np.ndarray | None = None) -> None:
        """H3 cells of the rows' points (all rows, or again for the rows at `positions`)."""
        if positions is None:
            self.cells = h3index.index_points(self.lat, self.lon)
            return
        for res, values in h3index.index_points(self.lat[positions], self.lon[positions]).items():
            self.cells[res][positions] = values

    def address_dates(self, positions: np.ndarray, tz: str) -> list[date | None]:
        """Local reception days of the rows at `positions`, for the address geocoder."""
        return self.local_days(tz).take(pa.array(positions)).to_pylist()

    # --- Arrow tables for COPY -----------------------------------------------------------------

    def points(self, tz: str) -> pa.Table:
        """Rows with coordinates to locate: row number, local day, point (EWKB), in H3 order so
        that neighbours are stored together."""
        pending = np.flatnonzero(self.method == "pending")
        pending = pending[np.argsort(self.cells[10][pending], kind="stable")]
        return pa.table(
            {
                "row_number": pa.array(self.row_number[pending]),
                "day": self.local_days(tz).take(pa.array(pending)),
                "geom": _points_wkb(self.lat[pending], self.lon[pending]),
            }
        )

    def complaints(self, positions: np.ndarray, batch_id: int) -> pa.Table:
        """Complaint rows for `positions`, in COMPLAINT_COLUMNS order."""
        f = self.frame.iloc[positions]
        take = pa.array(positions)
        cols: dict[str, pa.Array] = {
            "source": _text(f["source"]),
            "source_id": _text(f["source_id"]),
            "content_hash": pa.array(f["content_hash"].to_numpy(dtype=np.int64)),
            "batch_id": pa.array(np.full(len(positions), batch_id, dtype=np.int32)),
            "field_code": _text(f["field"]),
            "category_code": _text_or_null(f["category"]),
            "channel": _text(f["channel"]),
            "status": _text(f["status"]),
            "satisfaction": pa.array(f["satisfaction"].astype("Int16")),
            "input_lat": pa.array(f["input_lat"].to_numpy(dtype="float64"), from_pandas=True),
            "input_lon": pa.array(f["input_lon"].to_numpy(dtype="float64"), from_pandas=True),
            "geom": _points_wkb(self.lat[positions], self.lon[positions]),
            "geom_3857": _points_wkb(self.lat[positions], self.lon[positions], mercator=True),
            "geocode_method": pa.array(self.method[positions], type=pa.string()),
            "geocode_confidence": pa.array(self.confidence[positions], type=pa.float64()),
            "geocode_candidates": _lists(self.candidates[positions]),
            "flags": flag_lists(self.flags, len(self)).take(take),
        }
        for name in TEXT_OR_NULL:
            cols[name] = _text_or_null(f[name])
        for name in TIME_FIELDS:
            cols[name] = pa.array(f[name]).cast(TIMESTAMP)
        for name in UNITS:
            cols[name] = pa.array(self.units[name][positions], type=pa.string())
        for res in h3index.RESOLUTIONS:
            values = self.cells[res][positions]
            cols[f"h3_r{res}"] = pa.array(values, mask=values == 0, type=pa.int64())
        return pa.table({name: cols[name] for name in COMPLAINT_COLUMNS})

    def versions(self) -> pa.Table:
        """The rows as complaint versions for the rollups (rollups.VERSION)."""
        f = self.frame
        cols = {
            "field_code": _text(f["field"]),
            "category_code": _text_or_null(f["category"]),
            "channel": _text(f["channel"]),
            "status": _text(f["status"]),
            "satisfaction": pa.array(f["satisfaction"].astype("Int16")),
        }
        for name in ("received_at", "resolved_at", "closed_at", "due_at"):
            cols[name] = pa.array(f[name]).cast(TIMESTAMP)
        for name in UNITS:
            cols[name] = pa.array(self.units[name], type=pa.string())
        for res in h3index.RESOLUTIONS:
            values = self.cells[res]
            cols[f"h3_r{res}"] = pa.array(values, mask=values == 0, type=pa.int64())
        return pa.table({name: cols[name] for name in VERSION.names}, schema=VERSION)

    def contacts(self, positions: np.ndarray) -> pa.Table:
        """Contact details of the rows at `positions` that have any (personal data)."""
        f = self.frame.iloc[positions]
        cols = {
            "source": _text(f["source"]),
            "source_id": _text(f["source_id"]),
            "name": _text_or_null(f["contact_name"]),
            "phone": _text_or_null(f["contact_phone"]),
            "email": _text_or_null(f["contact_email"]),
        }
        table = pa.table(cols)
        anything = pc.or_kleene(
            pc.or_kleene(pc.is_valid(cols["name"]), pc.is_valid(cols["phone"])),
            pc.is_valid(cols["email"]),
        )
        return table.filter(anything)

    def handling_units(self) -> pa.Table:
        """Handling units named by the batch: code, name (or the code) and level, the largest
        value where rows disagree."""
        f = self.frame
        units = pa.table(
            {
                "code": _text_or_null(f["handling_unit_code"]),
                "name": _text_or_null(f["handling_unit_name"]),
                "level": _text_or_null(f["handling_unit_level"]),
            }
        )
        units = units.filter(pc.is_valid(units["code"]))
        units = units.set_column(1, "name", pc.coalesce(units["name"], units["code"]))
        grouped = units.group_by(["code"], use_threads=False).aggregate(
            [("name", "max"), ("level", "max")]
        )
        return grouped.rename_columns(["code", "name", "level"])


# Extended WKB of a point with an SRID: byte order, type (point | SRID flag), SRID, x, y.
_EWKB_POINT = np.dtype(
    [("order", "u1"), ("kind", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")]
)


def _points_wkb(lat: np.ndarray, lon: np.ndarray, *, mercator: bool = False) -> pa.Array:
    """EWKB points, null where a coordinate is missing: lon/lat (SRID 4326), or spherical Web
    Mercator (SRID 3857, as PostGIS projects it) when `mercator`. Written with numpy, as
    building a million shapely points first takes seconds."""
    missing = np.isnan(lat) | np.isnan(lon)
    x, y = np.where(missing, 0.0, lon), np.where(missing, 0.0, lat)
    if mercator:
        x, y = web_mercator(y, x)
    records = np.zeros(len(lat), dtype=_EWKB_POINT)
    records["order"] = 1  # little endian
    records["kind"] = 0x20000001
    records["srid"] = 3857 if mercator else 4326
    records["x"] = x
    records["y"] = y
    width = _EWKB_POINT.itemsize
    fixed = pa.Array.from_buffers(pa.binary(width), len(lat), [None, pa.py_buffer(records)])
    wkb = fixed.cast(pa.binary())
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.binary()), wkb)


def web_mercator(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spherical Web Mercator (EPSG:3857) metres of WGS 84 degrees."""
    radius = 6378137.0
    x = radius * np.radians(lon)
    y = radius * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))
    return x, y


def _lists(values: np.ndarray) -> pa.ListArray:
    """Tuples (or None for empty) as an Arrow list of strings."""
    lengths = np.fromiter((len(v) if v else 0 for v in values), dtype=np.int32, count=len(values))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    flat = [code for v in values if v for code in v]
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat, type=pa.string()))


def _text(series: pd.Series) -> pa.Array:
    return pa.array(series.astype("str"), type=pa.string())


def _text_or_null(series: pd.Series) -> pa.Array:
    values = _text(series.fillna(""))
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
