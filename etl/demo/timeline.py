"""When complaints arrive and how they move through their lifecycle.

Times are int64 seconds since 1970-01-01 00:00 *local* time (Asia/Ho_Chi_Minh, no DST), so a
day is ``t // 86400``. ``NEVER`` marks a step that did not (yet) happen.
"""

from __future__ import annotations

from datetime import date

import numpy as np

DAY = 86_400
HOUR = 3_600
NEVER = np.iinfo(np.int64).max
# Status codes, in lifecycle order (index into STATUS_NAMES).
RECEIVED, ASSIGNED, PROCESSING, RESOLVED, CLOSED, REJECTED = range(6)
STATUS_NAMES = ("Đã tiếp nhận", "Đã phân công", "Đang xử lý", "Đã xử lý", "Đã đóng", "Từ chối")


def day_range(start: date, end: date) -> np.ndarray:
    """The days from ``start`` to ``end`` inclusive, as ``datetime64[D]``."""
    return np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")


def day_weights(days: np.ndarray, time_profile: dict, territory_boost: np.ndarray) -> np.ndarray:
    """Relative complaint volume of each day: trend, weekday, Tết, the larger city after 2025-07."""
    years = (days - days[0]).astype(np.int64) / 365.25
    weight = 1.0 + float(time_profile["growth_per_year"]) * years
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weight *= np.asarray(time_profile["weekday"], dtype=float)[weekday]
    for tet in time_profile.get("tet_days") or []:
        t = np.datetime64(tet)
        around = (days >= t - 2) & (days <= t + 4)
        weight[around] *= float(time_profile["tet_factor"])
    return weight * territory_boost


def storm_days(days: np.ndarray, flooding: dict, rng: np.random.Generator) -> np.ndarray:
    """A seeded set of storm days, ``storm_days_per_season`` in each rainy season."""
    months = _months(days)
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    rainy = np.isin(months, flooding["rainy_months"])
    mweights = {int(k): float(v) for k, v in (flooding.get("month_weights") or {}).items()}
    chosen = np.zeros(len(days), dtype=bool)
    per_season = int(flooding["storm_days_per_season"])
    for year in np.unique(years):
        pool = np.flatnonzero(rainy & (years == year))
        if len(pool) == 0:
            continue
        season = _months(days[pool])
        p = np.array([mweights.get(int(m), 1.0) for m in season])
        # Scale to the part of the season inside the range (a full season has ~214 days).
        k = min(len(pool), max(1, round(per_season * len(pool) / 214)))
        chosen[rng.choice(pool, size=k, replace=False, p=p / p.sum())] = True
    return chosen


def flood_day_weights(days: np.ndarray, storms: np.ndarray, flooding: dict) -> np.ndarray:
    """Relative volume of flooding complaints per day (mostly storm days of the rainy season)."""
    rainy = np.isin(_months(days), flooding["rainy_months"])
    on_storm = float(flooding["share_on_storm_days"])
    other_rainy = float(flooding["share_other_rainy_days"])
    dry = max(0.0, 1.0 - on_storm - other_rainy)
    weight = np.zeros(len(days))
    for mask, share in ((storms, on_storm), (rainy & ~storms, other_rainy), (~rainy, dry)):
        if mask.any():
            weight[mask] = share / mask.sum()
    return weight


def draw_times(
    n: int,
    days: np.ndarray,
    weights: np.ndarray,
    hours: list[float],
    rng: np.random.Generator,
) -> np.ndarray:
    """``n`` local timestamps: a day by ``weights``, an hour by ``hours``, a uniform second."""
    day = rng.choice(len(days), size=n, p=weights / weights.sum())
    h = np.asarray(hours, dtype=float)
    hour = rng.choice(24, size=n, p=h / h.sum())
    second = rng.integers(0, HOUR, size=n)
    return days[day].astype(np.int64) * DAY + hour * HOUR + second


def lifecycle(
    received: np.ndarray,
    sla_hours: np.ndarray,
    export_at: int,
    params: dict,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Consistent step times and the status at ``export_at``.

    received ≤ assigned ≤ processing ≤ resolved ≤ closed; a share resolved after the deadline
    (received + sla_hours); some rejected; steps after the export time are not there yet.
    """
    n = len(received)
    sla = sla_hours.astype(float) * HOUR
    late = rng.random(n) < float(params["late_share"])
    frac = np.where(
        late,
        1.0 + rng.exponential(0.35, n) + 0.01,
        0.02 + 0.95 * rng.beta(2.0, 2.6, n),
    )
    total = sla * frac
    assigned_after = np.maximum(60.0, total * rng.uniform(0.02, 0.2, n))
    processing_after = assigned_after + (total - assigned_after) * rng.uniform(0.05, 0.5, n)
    assigned = received + assigned_after.astype(np.int64)
    processing = received + processing_after.astype(np.int64)
    resolved = received + total.astype(np.int64)
    close_after = rng.lognormal(
        np.log(float(params["close_hours_median"])), float(params["close_sigma"]), n
    )
    closed = resolved + (close_after * HOUR).astype(np.int64)
    closed[rng.random(n) < float(params["close_never"])] = NEVER
    stalled = rng.random(n) < float(params["stalled_share"])
    resolved[stalled] = NEVER
    closed[stalled] = NEVER

    rejected = np.full(n, NEVER, dtype=np.int64)
    reject = rng.random(n) < float(params["reject_share"])
    early = reject & (rng.random(n) < float(params["reject_before_assignment"]))
    late_reject = reject & ~early
    rejected[early] = received[early] + (
        rng.lognormal(np.log(3.0), 0.8, early.sum()) * HOUR
    ).astype(np.int64)
    rejected[late_reject] = assigned[late_reject] + (
        rng.lognormal(np.log(20.0), 0.8, late_reject.sum()) * HOUR
    ).astype(np.int64)
    for step in (processing, resolved, closed):
        step[reject] = NEVER
    assigned[early] = NEVER

    times = {
        "assigned": assigned,
        "processing": processing,
        "resolved": resolved,
        "closed": closed,
        "rejected": rejected,
    }
    for step in times.values():
        step[step > export_at] = NEVER
    status = np.full(n, RECEIVED, dtype=np.int8)
    for code, step in (
        (ASSIGNED, assigned),
        (PROCESSING, processing),
        (RESOLVED, resolved),
        (CLOSED, closed),
        (REJECTED, rejected),
    ):
        status[step != NEVER] = code
    times["status"] = status
    times["late"] = (resolved != NEVER) & (resolved > received + sla.astype(np.int64))
    return times


def format_times(t: np.ndarray) -> np.ndarray:
    """``dd/mm/YYYY HH:MM:SS`` of each local timestamp; '' for ``NEVER``."""
    out = np.full(len(t), "", dtype=object)
    ok = t != NEVER
    if not ok.any():
        return out
    sec = t[ok]
    day, tod = np.divmod(sec, DAY)
    uniq, inv = np.unique(day, return_inverse=True)
    dates = np.array(
        [d.strftime("%d/%m/%Y ") for d in uniq.astype("datetime64[D]").astype(object)],
        dtype=object,
    )
    out[ok] = dates[inv] + _clock()[tod]
    return out


_CLOCK: list[np.ndarray] = []


def _clock() -> np.ndarray:
    if not _CLOCK:
        _CLOCK.append(
            np.array(
                [
                    f"{h:02d}:{m:02d}:{s:02d}"
                    for h in range(24)
                    for m in range(60)
                    for s in range(60)
                ],
                dtype=object,
            )
        )
    return _CLOCK[0]


def _months(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[M]").astype(np.int64) % 12 + 1
