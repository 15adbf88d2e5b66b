"""Empirical-Bayes smoothing of per-area rates and means (small areas pulled toward the city).

Both estimators use the method of moments (Marshall 1991). When the spread between areas is
no larger than sampling noise explains, the between-area variance estimate is negative; it is
then taken as zero and every area gets the pooled value.
"""

from __future__ import annotations

import numpy as np


def smooth_share(events: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Smoothed shares events/totals (NaN where totals is 0)."""
    events = np.asarray(events, dtype=float)
    totals = np.asarray(totals, dtype=float)
    seen = totals > 0
    out = np.full(totals.shape, np.nan)
    if not seen.any():
        return out
    e, n = events[seen], totals[seen]
    pooled = e.sum() / n.sum()
    raw = e / n
    spread = np.sum(n * (raw - pooled) ** 2) / n.sum()
    between = max(spread - pooled * (1 - pooled) / n.mean(), 0.0)
    noise = pooled * (1 - pooled) / n
    weight = _weight(between, noise)
    out[seen] = weight * raw + (1 - weight) * pooled
    return out


def smooth_mean(sums: np.ndarray, squares: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Smoothed means from per-area sums, sums of squares and counts (NaN where count is 0)."""
    sums = np.asarray(sums, dtype=float)
    squares = np.asarray(squares, dtype=float)
    counts = np.asarray(counts, dtype=float)
    seen = counts > 0
    out = np.full(counts.shape, np.nan)
    if not seen.any():
        return out
    s, q, n = sums[seen], squares[seen], counts[seen]
    means = s / n
    pooled = s.sum() / n.sum()
    groups = len(n)
    within_df = n.sum() - groups
    within = np.sum(q - n * means**2) / within_df if within_df > 0 else 0.0
    spread = np.sum(n * (means - pooled) ** 2) / n.sum()
    between = max(spread - within / n.mean(), 0.0)
    weight = _weight(between, within / n)
    out[seen] = weight * means + (1 - weight) * pooled
    return out


def _weight(between: float, noise: np.ndarray) -> np.ndarray:
    """Weight of an area's own value: between / (between + its sampling variance)."""
    total = between + noise
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, between / np.where(total > 0, total, 1.0), 1.0)
