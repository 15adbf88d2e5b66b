"""`phananh analytics …`: hotspots, emerging hot spots, recurring spots, timeliness,
satisfaction, alerts and weekly topics from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo

import psycopg
import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from analytics.alerts import AlertParams, spike_alerts
from analytics.emerging import EmergingParams, emerging_spots
from analytics.hotspots import HotspotParams, prune_runs, run_cells, run_gistar, run_summary
from analytics.recurring import RecurringParams, recurring_spots
from analytics.satisfaction import SatisfactionParams, satisfaction
from analytics.timeliness import TimelinessParams, timeliness
from analytics.topics import TopicParams, weekly_topics
from boundaries.errors import UnknownBoundarySet
from gis_db.pool import connect
from gis_db.settings import DbSettings

app = typer.Typer(help="Analytics: tested hotspots, trends and reports.", no_args_is_help=True)
console = Console()
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CLASS_NAMES = {3: "nóng 99 %", 2: "nóng 95 %", 1: "nóng 90 %", -1: "lạnh 90 %", -2: "lạnh 95 %",
               -3: "lạnh 99 %"}  # fmt: skip
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

FieldOpt = Annotated[str | None, typer.Option(help="Field codes, comma-separated.")]
CategoryOpt = Annotated[str | None, typer.Option(help="Category codes, comma-separated.")]
FromOpt = Annotated[
    datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day.")
]
ToOpt = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day.")]
SetOpt = Annotated[str | None, typer.Option("--set", help="Boundary set (today's wards).")]
GeojsonOpt = Annotated[bool, typer.Option("--geojson", help="Print GeoJSON.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _day(value: datetime | None) -> object:
    return value.date() if value else None


def _parse(model: type[M], values: dict) -> M:
    """Validated parameters, or a usage error naming what is wrong."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise typer.BadParameter("; ".join(e["msg"] for e in exc.errors())) from None


def _with_db(work: Callable[[psycopg.Connection], T]) -> T:
    """Run `work` on a connection and commit; unknown codes or sets are usage errors."""
    with connect(DbSettings()) as conn:
        try:
            result = work(conn)
        except (ValueError, UnknownBoundarySet) as exc:
            raise typer.BadParameter(str(exc)) from None
        conn.commit()
        return result


def _print_geojson(items: list[dict], geometry: str) -> None:
    features = [{"type": "Feature", "geometry": i.pop(geometry), "properties": i} for i in items]
    print(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))


def _fmt(value: float | None, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)


@app.command("hotspots")
def hotspots_cmd(
    resolution: Annotated[int, typer.Option(help="H3 resolution (7-10).")] = 8,
    k: Annotated[int, typer.Option(help="Neighbours within k grid steps (1-3).")] = 1,
    field: FieldOpt = None,
    category: CategoryOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    boundary_set: SetOpt = None,
    geojson: GeojsonOpt = False,
) -> None:
    """Getis-Ord Gi* hot and cold spots on H3 cells, FDR-corrected (stored and reused)."""
    params = _parse(HotspotParams, {"resolution": resolution, "k": k, "field": field,
                                    "category": category, "from": _day(from_), "to": _day(to),
                                    "set": boundary_set})  # fmt: skip

    def work(conn: psycopg.Connection) -> tuple:
        run = run_gistar(conn, params)
        return run, run_summary(conn, run.id), run_cells(conn, run.id)

    run, summary, cells = _with_db(work)
    if geojson:
        _print_geojson(cells, "geometry")
        return
    state = "computed" if run.computed else "reused"
    console.print(
        f"run {run.id} ({state}, {summary['seconds']:.2f} s): {summary['n_cells']:,} cells of "
        f"{summary['boundary_set']} at r{summary['resolution']}, "
        f"{summary['n_complaints']:,} complaints; {summary['n_hot']} hot, {summary['n_cold']} cold"
    )
    table = Table("class", "cells", "complaints")
    for klass, name in CLASS_NAMES.items():
        chosen = [c for c in cells if c["class"] == klass]
        if chosen:
            table.add_row(name, f"{len(chosen):,}", f"{sum(c['n'] for c in chosen):,}")
    console.print(table)


@app.command("recurring")
def recurring_cmd(
    category: Annotated[
        str, typer.Option(help="Category codes, comma-separated (flooding by default).")
    ] = "ngap-nuoc",
    field: FieldOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    eps: Annotated[float, typer.Option(help="DBSCAN radius in metres.")] = 50.0,
    min_points: Annotated[int, typer.Option(help="DBSCAN core size.")] = 5,
    min_days: Annotated[int, typer.Option(help="Distinct days, at least.")] = 4,
    min_weeks: Annotated[int, typer.Option(help="Distinct weeks, at least.")] = 3,
    geojson: GeojsonOpt = False,
) -> None:
    """Recurring spots: DBSCAN clusters (metres) that come back on many days and weeks."""
    params = _parse(RecurringParams, {"category": category, "field": field, "from": _day(from_),
                                      "to": _day(to), "eps_m": eps, "min_points": min_points,
                                      "min_days": min_days, "min_weeks": min_weeks})  # fmt: skip
    spots = _with_db(lambda conn: recurring_spots(conn, params))
    if geojson:
        _print_geojson(spots, "outline")
        return
    table = Table("điểm", "phản ánh", "ngày", "tuần", "từ", "đến", "vĩ độ, kinh độ", "phường, xã")
    for i, s in enumerate(spots, 1):
        table.add_row(
            str(i), f"{s['n']:,}", str(s["days"]), str(s["weeks"]), s["first_day"],
            s["last_day"], f"{s['lat']:.5f}, {s['lon']:.5f}",
            ", ".join(u["name"] for u in s["units"]),
        )  # fmt: skip
    console.print(table)


@app.command("timeliness")
def timeliness_cmd(
    by: Annotated[str, typer.Option(help="unit, field or ward.")] = "unit",
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            help="Cut-off, local time (default now).",
            formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        ),
    ] = None,
    field: FieldOpt = None,
    category: CategoryOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    min_count: Annotated[int, typer.Option(help="Judged complaints needed to be ranked.")] = 30,
    top: Annotated[int, typer.Option(help="Rows to show.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """On-time split at a cut-off per unit, field or ward, ranked (small groups unranked)."""
    params = _parse(TimelinessParams, {"by": by, "field": field, "category": category,
                                       "as_of": as_of.replace(tzinfo=TZ) if as_of else None,
                                       "from": _day(from_), "to": _day(to),
                                       "min_count": min_count})  # fmt: skip
    result = _with_db(lambda conn: timeliness(conn, params))
    if as_json:
        print(json.dumps(result, ensure_ascii=False, default=str))
        return
    rows = sorted(result["groups"], key=lambda g: (g["rank"] is None, g["rank"] or 0))
    table = Table("hạng", "mã", "tên", "đúng hạn", "trễ", "chưa đến hạn", "quá hạn",
                  "tỉ lệ đúng hạn", "trung vị (ngày)")  # fmt: skip
    for g in rows[:top]:
        table.add_row(
            str(g["rank"] or "—"), str(g["code"] or "—"), g["name"] or "—",
            f"{g['closed_on_time']:,}", f"{g['closed_late']:,}", f"{g['open_not_due']:,}",
            f"{g['open_overdue']:,}", _fmt(g["on_time_rate"], "{:.1%}"),
            _fmt(g["median_days_to_close"], "{:.1f}"),
        )  # fmt: skip
    console.print(f"cut-off {result['as_of']}; ranked: at least {min_count} judged complaints")
    console.print(table)


@app.command("emerging")
def emerging_cmd(
    resolution: Annotated[int, typer.Option(help="H3 resolution (7-9).")] = 8,
    steps: Annotated[int, typer.Option(help="Time steps.")] = 52,
    step_days: Annotated[int, typer.Option(help="Days per step.")] = 7,
    last_day: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day (today).")
    ] = None,
    field: FieldOpt = None,
    category: CategoryOpt = None,
    geojson: GeojsonOpt = False,
) -> None:
    """Emerging hot spots: space-time Gi*, Mann-Kendall trend, the 17 categories."""
    params = _parse(EmergingParams, {"resolution": resolution, "steps": steps,
                                     "step_days": step_days, "last_day": _day(last_day),
                                     "field": field, "category": category})  # fmt: skip
    result = _with_db(lambda conn: emerging_spots(conn, params))
    if geojson:
        _print_geojson(result["spots"], "geometry")
        return
    console.print(
        f"{result['first_day']} .. {result['last_day']}: {result['cells']:,} cells, "
        f"{result['complaints']:,} complaints"
    )
    table = Table("pattern", "cells")
    for name, count in result["categories"].items():
        if count:
            table.add_row(name, f"{count:,}")
    console.print(table)


@app.command("satisfaction")
def satisfaction_cmd(
    field: FieldOpt = None,
    category: CategoryOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    boundary_set: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mean rating and share satisfied per ward, raw and EB-smoothed, with n."""
    params = _parse(SatisfactionParams, {"field": field, "category": category,
                                         "from": _day(from_), "to": _day(to),
                                         "set": boundary_set})  # fmt: skip
    result = _with_db(lambda conn: satisfaction(conn, params))
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    table = Table("mã", "tên", "n đánh giá", "điểm TB", "điểm TB (làm trơn)", "hài lòng",
                  "hài lòng (làm trơn)")  # fmt: skip
    for u in result["units"]:
        table.add_row(
            u["code"], u["name"], f"{u['rated']:,}", _fmt(u["mean_rating"], "{:.2f}"),
            _fmt(u["mean_rating_smoothed"], "{:.2f}"), _fmt(u["satisfied_share"], "{:.1%}"),
            _fmt(u["satisfied_share_smoothed"], "{:.1%}"),
        )  # fmt: skip
    console.print(table)


@app.command("alerts")
def alerts_cmd(
    last_day: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Last day of the week.")],
    baseline_weeks: Annotated[int, typer.Option(help="Weeks before it (baseline).")] = 12,
    alpha: Annotated[float, typer.Option(help="Tail probability to alert.")] = 0.001,
    min_count: Annotated[int, typer.Option(help="Complaints in the week, at least.")] = 5,
    boundary_set: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Spike alerts per ward and field: the week against the ward's own baseline."""
    params = _parse(AlertParams, {"last_day": last_day.date(), "baseline_weeks": baseline_weeks,
                                  "alpha": alpha, "min_count": min_count,
                                  "set": boundary_set})  # fmt: skip
    result = _with_db(lambda conn: spike_alerts(conn, params))
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    console.print(f"week to {result['last_day']}: {len(result['alerts'])} alert(s) among "
                  f"{result['series']:,} ward × field series")  # fmt: skip
    table = Table("phường, xã", "lĩnh vực", "tuần này", "nền (TB/tuần)", "p")
    for a in result["alerts"]:
        table.add_row(a["name"] or a["unit"], a["field"], str(a["count"]), f"{a['baseline']:.1f}",
                      f"{a['p']:.1e}")  # fmt: skip
    console.print(table)


@app.command("topics")
def topics_cmd(
    week: Annotated[str, typer.Option(help="ISO week, e.g. 2025-W23 (to its Friday 15:00).")],
    ward: Annotated[str | None, typer.Option(help="Ward code (all wards by default).")] = None,
    field: FieldOpt = None,
    category: CategoryOpt = None,
    baseline_weeks: Annotated[int, typer.Option(help="Weeks before it (baseline).")] = 8,
    min_count: Annotated[int, typer.Option(help="Complaints of the week, at least.")] = 3,
    limit: Annotated[int, typer.Option(help="Terms per ward.")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Weekly topics: words and phrases rising in each ward's complaints against its baseline."""
    params = _parse(TopicParams, {"week": week, "ward": ward, "field": field,
                                  "category": category, "baseline_weeks": baseline_weeks,
                                  "min_count": min_count, "limit": limit})  # fmt: skip
    result = _with_db(lambda conn: weekly_topics(conn, params))
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    rising = [w for w in result["wards"] if w["terms"]]
    console.print(
        f"tuần {result['week']} ({result['label']}), nền {result['baseline_weeks']} tuần trước: "
        f"{len(rising)} / {len(result['wards'])} phường, xã có từ ngữ tăng"
    )
    city = result["city"]
    groups = [{"name": "toàn thành phố", **city}] if city and city["terms"] else []
    if not groups + rising:
        return
    table = Table("phường, xã", "từ ngữ", "tuần này", "nền", "tỉ lệ tuần", "tỉ lệ nền", "z")
    for g in groups + rising:
        for i, t in enumerate(g["terms"]):
            name = (g.get("name") or g.get("code")) if i == 0 else ""
            table.add_row(name, t["term"], f"{t['week']:,}", f"{t['baseline']:,}",
                          f"{t['week_share']:.1%}", _fmt(t["baseline_share"], "{:.1%}"),
                          f"{t['score']:.1f}", end_section=i == len(g["terms"]) - 1)  # fmt: skip
    console.print(table)


@app.command("prune")
def prune_cmd(
    days: Annotated[
        int | None, typer.Option(min=1, help="Also delete every run older than this.")
    ] = None,
) -> None:
    """Delete stored runs (Gi*, emerging, recurring) superseded by newer data, and old ones."""
    removed = _with_db(lambda conn: prune_runs(conn, days=days))
    console.print(f"đã xoá {removed:,} lượt tính đã lưu")
