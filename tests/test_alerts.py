"""Spike alerts: a planted spike is found, steady counts rarely alert, thin history never does."""

from __future__ import annotations

import numpy as np

from analytics.alerts import spikes


def test_a_planted_spike_is_found():
    rng = np.random.default_rng(1)
    counts = rng.poisson(3, (50, 13))
    counts[7, -1] = 25
    flagged, tail = spikes(counts, alpha=0.001, min_count=5)
    assert flagged[7] and tail[7] < 1e-6
    assert flagged.sum() <= 2


def test_steady_poisson_counts_alert_at_about_alpha():
    rng = np.random.default_rng(2)
    counts = rng.poisson(4, (20_000, 13))
    flagged, _ = spikes(counts, alpha=0.001, min_count=1)
    assert flagged.mean() <= 0.003  # the baseline is estimated from 12 weeks, so a little above


def test_overdispersed_history_raises_the_bar():
    steady = np.array([[5] * 12 + [14]])
    stormy = np.array([[0, 12, 1, 9, 0, 11, 2, 8, 0, 10, 1, 6, 14]])  # same mean, wide spread
    assert spikes(steady, 0.001, 5)[0][0]
    assert not spikes(stormy, 0.001, 5)[0][0]


def test_small_counts_and_no_history_do_not_alert():
    assert not spikes(np.array([[0] * 12 + [4]]), 0.001, 5)[0][0]  # below min_count
    first = spikes(np.array([[0] * 12 + [1]]), 0.001, 1)
    assert not first[0][0]  # a first complaint alone is never an alert
