"""Weekly and monthly digests at the portal's cut-offs, for the city, each handling unit and
each ward: received, the four-way split of those received judged at the cut-off (closed on
time, closed late, open not yet due, open overdue), the overdue backlog, the on-time rate
(`analytics.timeliness.on_time_rate`), the change against the window before, the top fields,
the unit ranking and the window's new hotspots (`analytics.newspots`).

Everything is read from reception, resolution, closing, rejection and due times, so a digest
computed later for the same window gives the figures that were true at its cut-off.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql
from pydantic import BaseModel, ConfigDict, Field, field_validator

from analytics.hotspots import CELL_COLUMNS, check_codes, covering_cells, study_set
from analytics.names import code_names
from analytics.newspots import new_hotspots
from analytics.selection import code_list
from analytics.timeliness import on_time_rate
from analytics.windows import Window, month_window, week_window
from gis_db.sqlfiles import load_sql

COUNTS = (
    "received", "closed_on_time", "closed_late", "open_not_due", "open_overdue", "rejected",
    "backlog", "backlog_overdue",
)  # fmt: skip
CITY = "TP. Hồ Chí Minh"
SPOT_KEYS = ("h3", "field", "field_name", "n", "z", "level", "ward", "ward_name")


class DigestParams(BaseModel):
    """Which window, which units and wards, and how hotspots and rankings are judged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    window: str = Field(description="Week (2025-W23) or month (2025-10)")
    kind: str = Field("week", pattern="^(week|month)$")
    unit: tuple[str, ...] = Field((), description="Handling units to report (all by default)")
    ward: tuple[str, ...] = Field((), description="Wards to report (all by default)")
    field: tuple[str, ...] = Field((), description="Only these fields")
    top: int = Field(3, ge=1, le=18, description="Top fields per scope")
    min_count: int = Field(10, ge=1, description="Judged complaints a unit needs to be ranked")
    resolution: int = Field(8, ge=7, le=10, description="H3 resolution of the hotspots")
    hotspot_min: int = Field(5, ge=1, description="Complaints a new hot cell needs itself")
    baseline: int = Field(8, ge=2, le=26, description="Windows before, for new hotspots")

    @field_validator("unit", "ward", "field", mode="before")
    @classmethod
    def _split(cls, value: object) -> tuple[str, ...]:
        return code_list(value)

    def resolve(self) -> Window:
        """The reporting window (ValueError for a malformed name)."""
        return week_window(self.window) if self.kind == "week" else month_window(self.window)


def digest(conn: psycopg.Connection, params: DigestParams) -> dict:
    """The digest of a window: the city, and the units and wards asked for (all of both when
    none is)."""
    check_codes(conn, params.field, ())
    window = params.resolve()
    before = window.previous()
    fields = list(params.field) or None
    now = _split(conn, window, fields)
    then = _split(conn, before, fields)
    names = {s: code_names(conn, s) for s in ("unit", "ward", "field")}
    _check_scopes(params, names)
    spots = _new_spots(conn, params, window, fields, names)
    now["city"] = then["city"] = spots["city"] = "city"
    out = {
        "kind": window.kind,
        "window": window.name,
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "label": window.label(),
        "end_label": f"{window.end:%H:%M %d/%m/%Y}",
        "previous": before.name,
    }
    ranks = _ranks(now, params.min_count), _ranks(then, params.min_count)
    for scope, wanted in (("city", ("city",)), ("unit", params.unit), ("ward", params.ward)):
        figures, previous = _figures(now, scope), _figures(then, scope)
        top = _top_fields(now, scope, params.top, names["field"])
        owner = {"ward": "member_ward"}.get(scope, scope)  # a ward owns a spot it has a share of
        mine = {
            code: group.drop_duplicates(["cell", "field"])[list(SPOT_KEYS)].to_dict("records")
            for code, group in spots.groupby(owner, sort=False)
        }
        asked = bool(params.unit or params.ward)  # then only those asked for
        codes = wanted if asked or scope == "city" else sorted(set(figures) | set(previous))
        items = []
        for code in codes:
            item = {
                "scope": scope,
                "code": None if scope == "city" else code,
                "name": CITY if scope == "city" else names[scope].get(code),
                **figures.get(code, _empty()),
                "received_previous": previous.get(code, _empty())["received"],
                "on_time_rate_previous": previous.get(code, _empty())["on_time_rate"],
                "top_fields": top.get(code, []),
                "new_hotspots": mine.get(code, []),
            }
            if scope == "unit":
                item["rank"], item["rank_previous"] = ranks[0].get(code), ranks[1].get(code)
            items.append(item)
        if scope == "city":
            out["city"] = items[0]
        else:
            out[f"{scope}s"] = items
    out["ranked_units"] = len(ranks[0])
    out["min_count"] = params.min_count
    out["asked"] = {"unit": list(params.unit), "ward": list(params.ward)}
    return out


def _split(conn: psycopg.Connection, window: Window, fields: list[str] | None) -> pd.DataFrame:
    cur = conn.execute(
        load_sql("analytics", "digest_split.sql"),
        {"start": window.start, "end": window.end, "fields": fields},
    )
    frame = pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])
    if frame.empty:
        frame = pd.DataFrame(columns=["unit", "ward", "field", *COUNTS])
    frame[list(COUNTS)] = frame[list(COUNTS)].astype(np.int64)
    return frame


def _check_scopes(params: DigestParams, names: dict[str, dict[str, str]]) -> None:
    for scope in ("unit", "ward"):
        unknown = [c for c in getattr(params, scope) if c not in names[scope]]
        if unknown:
            raise ValueError(f"unknown {scope} code(s): {', '.join(unknown)}")


def _empty() -> dict:
    return {c: 0 for c in COUNTS} | {"judged": 0, "on_time_rate": None}


def _figures(frame: pd.DataFrame, scope: str) -> dict[str, dict]:
    """Counts, judged complaints and on-time rate per code of `scope`."""
    sums = frame.groupby(scope)[list(COUNTS)].sum()
    sums["judged"] = sums["closed_on_time"] + sums["closed_late"] + sums["open_overdue"]
    rate = on_time_rate(sums["closed_on_time"], sums["closed_late"], sums["open_overdue"])
    out = {}
    for code, row, r in zip(sums.index, sums.to_dict("records"), rate.tolist(), strict=True):
        out[code] = {k: int(v) for k, v in row.items()} | {
            "on_time_rate": None if np.isnan(r) else round(r, 4)
        }
    return out


def _top_fields(
    frame: pd.DataFrame, scope: str, top: int, names: dict[str, str]
) -> dict[str, list[dict]]:
    """The `top` fields by complaints received, per code of `scope`."""
    sums = frame.groupby([scope, "field"])["received"].sum().reset_index()
    sums = sums[sums["received"] > 0].sort_values(
        [scope, "received", "field"], ascending=[True, False, True]
    )
    return {
        code: [
            {"code": f, "name": names.get(f, f), "received": int(n)}
            for f, n in zip(group["field"].head(top), group["received"].head(top), strict=True)
        ]
        for code, group in sums.groupby(scope, sort=False)
    }


def _ranks(frame: pd.DataFrame, min_count: int) -> dict[str, int]:
    """Rank of each unit by on-time rate (then judged count, then code) among those with
    `min_count` judged complaints."""
    units = (
        frame.dropna(subset=["unit"])
        .groupby("unit")[["closed_on_time", "closed_late", "open_overdue"]]
        .sum()
    )
    units["judged"] = units.sum(axis=1)
    units = units[units["judged"] >= min_count]
    units["rate"] = on_time_rate(units["closed_on_time"], units["closed_late"],
                                 units["open_overdue"])  # fmt: skip
    units = units.reset_index().sort_values(
        ["rate", "judged", "unit"], ascending=[False, False, True]
    )
    return {u: i for i, u in enumerate(units["unit"], 1)}


def _new_spots(
    conn: psycopg.Connection,
    params: DigestParams,
    window: Window,
    fields: list[str] | None,
    names: dict[str, dict[str, str]],
) -> pd.DataFrame:
    """New hotspots against the `baseline` windows before, with the units and wards whose
    complaints fall in each (one row per spot × unit × ward) and the ward holding most."""
    windows = [window]
    for _ in range(params.baseline):
        windows.insert(0, windows[0].previous())
    statement = sql.SQL(load_sql("analytics", "digest_cells.sql")).format(
        cell=sql.Identifier(CELL_COLUMNS[params.resolution])
    )
    bounds = [w.start for w in windows] + [window.end]
    cur = conn.execute(statement, {"bounds": bounds, "fields": fields})
    counts = pd.DataFrame(cur.fetchall(), columns=["step", "unit", "ward", "field", "cell", "n"])
    columns = [*SPOT_KEYS, "cell", "unit", "member_ward"]
    steps = len(windows)
    area = covering_cells(conn, study_set(conn, None), params.resolution)
    found = new_hotspots(area, counts, steps, min_count=params.hotspot_min)
    if not found:
        return pd.DataFrame(columns=columns)
    spots = pd.DataFrame([s.__dict__ for s in found]).drop(columns="p_fdr")
    spots["h3"] = [format(c & (2**64 - 1), "x") for c in spots["cell"]]
    spots["field_name"] = spots["field"].map(names["field"])
    now = counts[counts["step"] == steps]
    main = (
        now.dropna(subset=["ward"]).groupby(["cell", "field", "ward"])["n"].sum().reset_index()
        .sort_values(["n", "ward"], ascending=[False, True])
        .drop_duplicates(["cell", "field"]).drop(columns="n")
    )  # fmt: skip
    spots = spots.merge(main, on=["cell", "field"], how="left")
    spots["ward_name"] = spots["ward"].map(names["ward"])
    members = now[["cell", "field", "unit", "ward"]].rename(columns={"ward": "member_ward"})
    spots = spots.merge(members, on=["cell", "field"], how="left")
    return spots.astype(object).where(spots.notna(), None)[columns]
