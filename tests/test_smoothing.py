"""Empirical-Bayes smoothing and the binned median, on hand-built cases."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.smoothing import smooth_mean, smooth_share
from tiles.breaks import classify
from tiles.wards import binned_median


def test_share_without_spread_beyond_noise_is_the_pooled_share():
    # Every area 1 of 4: no spread at all, so the between-area variance estimate is negative
    # (guarded to 0) and every area gets the pooled share.
    got = smooth_share(np.array([1, 2, 3]), np.array([4, 8, 12]))
    assert got == pytest.approx([0.25, 0.25, 0.25])


def test_share_of_large_areas_stays_near_their_own():
    events = np.array([100, 9_000, 5, 0])
    totals = np.array([1_000, 10_000, 10, 0])
    got = smooth_share(events, totals)
    assert got[0] == pytest.approx(0.1, abs=2e-3)
    assert got[1] == pytest.approx(0.9, abs=1e-3)
    pooled = events.sum() / totals.sum()
    assert min(0.5, pooled) <= got[2] <= max(0.5, pooled)  # a small area is pulled in
    assert np.isnan(got[3])  # no data: no value


def test_share_by_the_method_of_moments():
    events, totals = np.array([2, 30, 45]), np.array([10, 50, 60])
    p, m = events / totals, events.sum() / totals.sum()
    between = np.sum(totals * (p - m) ** 2) / totals.sum() - m * (1 - m) / totals.mean()
    weight = between / (between + m * (1 - m) / totals)
    assert between > 0
    assert smooth_share(events, totals) == pytest.approx(weight * p + (1 - weight) * m)


def test_mean_by_the_method_of_moments():
    ratings = [[5, 5, 4], [1, 2, 2, 1, 3], [3], [4, 5, 5, 5, 4, 4]]
    sums = np.array([sum(r) for r in ratings])
    squares = np.array([sum(x * x for x in r) for r in ratings])
    counts = np.array([len(r) for r in ratings])
    means = sums / counts
    pooled = sums.sum() / counts.sum()
    within = sum(np.var(r) * len(r) for r in ratings) / (counts.sum() - len(ratings))
    between = np.sum(counts * (means - pooled) ** 2) / counts.sum() - within / counts.mean()
    weight = between / (between + within / counts)
    assert smooth_mean(sums, squares, counts) == pytest.approx(
        weight * means + (1 - weight) * pooled
    )


def test_mean_with_identical_areas_is_pooled_and_empty_is_nan():
    got = smooth_mean(np.array([6, 9, 0]), np.array([20, 30, 0]), np.array([2, 3, 0]))
    assert got[:2] == pytest.approx([3.0, 3.0])
    assert np.isnan(got[2])


def test_binned_median_interpolates_inside_the_middle_bin():
    edges = (1, 2, 3, 5, 7, 10, 15, 30, 60)
    counts = np.array([[0, 0, 0, 4, 0, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0, 0, 0, 2],
                       [0] * 10, [0, 0, 0, 0, 0, 0, 0, 0, 0, 3]])  # fmt: skip
    got = binned_median(counts, edges)
    assert got[0] == pytest.approx(4.0)  # half of 4 in [3, 5)
    assert got[1] == pytest.approx(2.0)  # 2 of 4 reached at the end of [1, 2)
    assert np.isnan(got[2])
    assert got[3] == 60  # the open bin reports its lower edge


def test_few_distinct_values_get_a_class_each():
    assert classify(np.array([1.0, 1.0, 2.0, 3.0])) == ("unique values", [1.0, 2.0, 3.0])
    method, upper = classify(np.arange(100, dtype=float))
    assert method == "Fisher-Jenks" and len(upper) == 5 and upper[-1] == 99
