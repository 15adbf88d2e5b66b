"""Reporting windows at the portal's fixed cut-offs (Asia/Ho_Chi_Minh):

- week ``2025-W23``: Friday 15:00 of the ISO week before → Friday 15:00 of that week;
- month ``2025-10``: the 25th at 12:00 of the month before → the 25th at 12:00 of that month.

A window is half-open, ``start <= t < end``; ``end`` is the cut-off at which open complaints
are judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WEEK_CUTOFF = time(15, 0)  # Friday
MONTH_CUTOFF = time(12, 0)  # the 25th
MONTH_DAY = 25
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Window:
    """A named reporting window: ``start <= received < end``, judged at ``end``."""

    name: str
    kind: str  # "week" or "month"
    start: datetime
    end: datetime

    def previous(self) -> Window:
        """The window just before this one."""
        if self.kind == "week":
            return week_window(_week_name(self.end.date() - timedelta(days=7)))
        year, month = self.end.year, self.end.month - 1
        if month == 0:
            year, month = year - 1, 12
        return month_window(f"{year:04d}-{month:02d}")

    def label(self) -> str:
        """``30/05 15:00 – 06/06/2025 15:00`` in local time."""
        a, b = self.start.astimezone(TZ), self.end.astimezone(TZ)
        return f"{a:%d/%m %H:%M} – {b:%d/%m/%Y %H:%M}"


def _week_name(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_window(name: str) -> Window:
    """The week ``YYYY-Www`` ending at its Friday 15:00 local time."""
    m = _WEEK.match(name.strip())
    if not m:
        raise ValueError(f"week {name!r} is not an ISO week such as 2025-W23")
    year, week = int(m[1]), int(m[2])
    try:
        friday = date.fromisocalendar(year, week, 5)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {week}") from None
    end = datetime.combine(friday, WEEK_CUTOFF, TZ)
    return Window(_week_name(friday), "week", end - timedelta(days=7), end)


def month_window(name: str) -> Window:
    """The month ``YYYY-MM`` ending on its 25th at 12:00 local time."""
    m = _MONTH.match(name.strip())
    if not m or not 1 <= int(m[2]) <= 12:
        raise ValueError(f"month {name!r} is not a month such as 2025-10")
    year, month = int(m[1]), int(m[2])
    end = datetime(year, month, MONTH_DAY, MONTH_CUTOFF.hour, tzinfo=TZ)
    before = (year, month - 1) if month > 1 else (year - 1, 12)
    start = datetime(before[0], before[1], MONTH_DAY, MONTH_CUTOFF.hour, tzinfo=TZ)
    return Window(f"{year:04d}-{month:02d}", "month", start, end)


def last_week(now: datetime) -> Window:
    """The latest week whose cut-off has passed at ``now``."""
    local = now.astimezone(TZ)
    window = week_window(_week_name(local.date()))
    return window if window.end <= now else window.previous()


def last_month(now: datetime) -> Window:
    """The latest month whose cut-off has passed at ``now``."""
    local = now.astimezone(TZ)
    window = month_window(f"{local.year:04d}-{local.month:02d}")
    return window if window.end <= now else window.previous()
