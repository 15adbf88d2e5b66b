"""Digests as Vietnamese text: SMS (one message per scope, split into segments), HTML (one
document) and the title of an e-mail. Numbers use Vietnamese separators (12.345; 98,4 %)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import jinja2

from analytics.sms import Sms, sms


def number(value: int | None) -> str:
    """12345 → ``12.345``."""
    return "—" if value is None else f"{value:,}".replace(",", ".")


def percent(rate: float | None) -> str:
    """0.9839 → ``98,4%``."""
    return "—" if rate is None else f"{rate * 100:.1f}%".replace(".", ",")


def period(d: dict) -> str:
    """``Tuần 2025-W23`` or ``Tháng 10/2025``."""
    if d["kind"] == "week":
        return f"Tuần {d['window']}"
    year, month = d["window"].split("-")
    return f"Tháng {int(month)}/{year}"


def short_place(name: str | None) -> str:
    """``Phường Bến Nghé`` → ``P. Bến Nghé`` (``Xã`` → ``X.``), as SMS writes them."""
    if not name:
        return "?"
    for long, short in (("Phường ", "P. "), ("Xã ", "X. "), ("Đặc khu ", "ĐK ")):
        if name.startswith(long):
            return short + name[len(long) :]
    return name


def subject(d: dict, item: dict) -> str:
    """E-mail subject of one scope's digest."""
    return f"Tổng hợp phản ánh, kiến nghị – {period(d)} – {item['name'] or item['code']}"


def sms_text(d: dict, item: dict) -> str:
    """The SMS of one scope (city, unit or ward), with diacritics; `sms()` strips them."""
    open_ = item["open_not_due"] + item["open_overdue"]
    before = "tuần trước" if d["kind"] == "week" else "tháng trước"
    place = "TP.HCM" if item["scope"] == "city" else short_place(item["name"] or item["code"])
    parts = [
        f"[PAKN 1022] {period(d)} (đến {d['end_label']}), {place}:",
        f"tiếp nhận {number(item['received'])} ({before} {number(item['received_previous'])});",
        f"đúng hạn {number(item['closed_on_time'])}; trễ hạn {number(item['closed_late'])};",
        f"đang xử lý {number(open_)}, quá hạn {number(item['open_overdue'])};",
        f"từ chối {number(item['rejected'])}; tỷ lệ đúng hạn {percent(item['on_time_rate'])};",
        f"tồn quá hạn {number(item['backlog_overdue'])}.",
    ]
    if item.get("rank"):
        was = f" ({before} {item['rank_previous']})" if item.get("rank_previous") else ""
        parts.append(f"Xếp hạng {item['rank']}/{d['ranked_units']}{was}.")
    if item["top_fields"]:
        top = ", ".join(f"{f['name']} {number(f['received'])}" for f in item["top_fields"])
        parts.append(f"Nhiều nhất: {top}.")
    spots = item["new_hotspots"]
    if spots:
        where = "; ".join(
            f"{s['field_name']} – {short_place(s['ward_name'])} ({number(s['n'])})"
            for s in spots[:3]
        )
        more = f"; +{len(spots) - 3}" if len(spots) > 3 else ""
        parts.append(f"Điểm nóng mới: {len(spots)} ({where}{more}).")
    else:
        parts.append("Không có điểm nóng mới.")
    return " ".join(parts)


def digest_sms(d: dict, item: dict, diacritics: bool = False) -> Sms:
    """The segmented SMS of one scope."""
    return sms(sms_text(d, item), diacritics=diacritics)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: files("analytics").joinpath("templates", name).read_text("utf-8")
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(number=number, percent=percent, place=short_place)
    return env


def digest_html(d: dict) -> str:
    """The digest as one HTML document (city, then units and wards as tables)."""
    return _environment().get_template("digest.html").render(d=d, period=period(d))


def overdue_html(report: dict) -> str:
    """Overdue lists per unit as one HTML document."""
    return _environment().get_template("overdue.html").render(r=report)
