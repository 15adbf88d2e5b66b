"""Class breaks of map legends: computed once (mapclassify) per layer, metric, boundary set and
filters, stored, and served unchanged afterwards, so a wall's colours do not jump on refresh.

The breaks of a period that is still running are frozen too: they are the breaks of the first
request. `phananh tiles breaks --clear` recomputes them on the next request.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import mapclassify
import numpy as np
import psycopg

from gis_db.sqlfiles import load_sql

CLASSES = 5
SAMPLE = 500
# ColorBrewer 5-class schemes: sequential for "more is worse", diverging for "more is better".
WORSE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")  # YlOrRd
BETTER = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")  # RdYlGn
NO_DATA = "#d9d9d9"


@dataclass(frozen=True)
class Breaks:
    """Upper bounds of the classes (the last is the maximum), the lowest value, the method."""

    lowest: float
    upper: tuple[float, ...]
    method: str
    units: int
    data_version: int
    computed_at: str

    def classes(self, colours: tuple[str, ...], digits: int) -> list[dict[str, object]]:
        """Legend rows: bounds, colour and a label (Vietnamese number style)."""
        palette = _spread(colours, len(self.upper))
        rows, low = [], self.lowest
        for colour, high in zip(palette, self.upper, strict=True):
            rows.append(
                {
                    "min": low,
                    "max": high,
                    "color": colour,
                    "label": f"{_number(low, digits)} – {_number(high, digits)}",
                }  # fmt: skip
            )
            low = high
        return rows


def frozen_breaks(
    conn: psycopg.Connection,
    layer: str,
    metric: str,
    set_slug: str,
    filters: str,
    values: np.ndarray,
    data_version: int,
) -> Breaks | None:
    """The stored breaks of this legend, or new ones from `values` (stored first, so concurrent
    requests agree). None when there is nothing to classify yet (nothing is stored then)."""
    key = {"layer": layer, "metric": metric, "set": set_slug, "filters": filters}
    row = conn.execute(load_sql("tiles", "breaks_get.sql"), key).fetchone()
    if row is None:
        finite = np.asarray(values, dtype=float)
        finite = finite[np.isfinite(finite)]
        if finite.size == 0:
            return None
        method, upper = classify(finite)
        conn.execute(
            load_sql("tiles", "breaks_put.sql"),
            {
                **key,
                "method": method,
                "breaks": upper,
                "lowest": float(finite.min()),
                "units": int(finite.size),
                "version": data_version,
            },  # fmt: skip
        )
        row = conn.execute(load_sql("tiles", "breaks_get.sql"), key).fetchone()
    lowest, upper, method, units, version, at = row
    return Breaks(lowest, tuple(upper), method, units, version, at.isoformat())


def classify(values: np.ndarray, k: int = CLASSES) -> tuple[str, list[float]]:
    """Fisher-Jenks breaks, or one class per value when there are no more than `k` distinct
    values. Over `SAMPLE` values (H3 cells), Fisher-Jenks runs on that many evenly spaced
    quantiles, minimum and maximum included: deterministic, and fast without numba."""
    distinct = np.unique(values)
    if distinct.size <= k:
        return "unique values", [float(v) for v in distinct]
    sample = values if values.size <= SAMPLE else np.quantile(values, np.linspace(0, 1, SAMPLE))
    with warnings.catch_warnings():  # mapclassify's note that numba would be faster
        warnings.simplefilter("ignore", UserWarning)
        bins = mapclassify.FisherJenks(sample, k=k).bins
    return "Fisher-Jenks", [float(b) for b in bins]


def clear(conn: psycopg.Connection) -> int:
    """Forget every frozen break (recomputed on the next request); how many were stored."""
    return conn.execute(load_sql("tiles", "breaks_clear.sql")).rowcount


def colours(higher_is_better: bool) -> tuple[str, ...]:
    """The colour ramp of a metric."""
    return BETTER if higher_is_better else WORSE


def _spread(colours: tuple[str, ...], n: int) -> list[str]:
    """`n` colours of a ramp, spread over it (the darkest always last)."""
    if n >= len(colours):
        return list(colours)[:n]
    picks = np.linspace(0, len(colours) - 1, n).round().astype(int)
    return [colours[i] for i in picks]


def _number(value: float, digits: int) -> str:
    """A number as Vietnamese write it: '.' between thousands, ',' before decimals."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
