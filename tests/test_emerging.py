"""Emerging hot spots: each of the 17 categories on a constructed series, the space-time Gi*
against the plain Gi*, and a cube whose hot block appears in the last step."""

from __future__ import annotations

import h3
import numpy as np
import pytest

from analytics.emerging import classify, emerging, mann_kendall, space_time_gi
from analytics.gistar import gi_star

H, C, N = 1, -1, 0  # a hot, cold or neither step, oldest first
UP, DOWN, FLAT = (0.8, 0.001), (-0.8, 0.001), (0.1, 0.6)  # (tau, p) of the z-score trend

CASES = [
    ("new hot", [N] * 9 + [H], FLAT),
    ("consecutive hot", [N] * 7 + [H, H, H], FLAT),
    ("intensifying hot", [H] * 10, UP),
    ("persistent hot", [H] * 10, FLAT),
    ("persistent hot", [N] + [H] * 9, FLAT),  # 90 % is enough
    ("diminishing hot", [H] * 10, DOWN),
    ("sporadic hot", [N, H, N, N, H, N, H, N, N, H], FLAT),
    ("oscillating hot", [N, C, N, H, N, N, C, N, N, H], FLAT),
    ("historical hot", [H] * 9 + [N], FLAT),
    ("new cold", [N] * 9 + [C], FLAT),
    ("consecutive cold", [N] * 8 + [C, C], FLAT),
    ("intensifying cold", [C] * 10, DOWN),  # colder and colder: z falling
    ("persistent cold", [C] * 10, FLAT),
    ("diminishing cold", [C] * 10, UP),
    ("sporadic cold", [C, N, N, C, N, C, N, N, N, C], FLAT),
    ("oscillating cold", [N, H, N, C, N, H, N, N, N, C], FLAT),
    ("historical cold", [C] * 9 + [N], FLAT),
    ("no pattern", [N, H, N, N, C, N, H, N, N, N], FLAT),
    ("no pattern", [N] * 10, FLAT),
]


@pytest.mark.parametrize(("want", "steps", "trend"), CASES, ids=[c[0] for c in CASES])
def test_each_category(want, steps, trend):
    steps = np.array(steps)
    assert classify(steps == H, steps == C, *trend) == want


def test_all_seventeen_categories_are_covered():
    assert len({c[0] for c in CASES}) == 17


def test_rules_at_their_edges():
    # a final run of two after an earlier hot step is sporadic, not consecutive
    steps = np.array([N, H, N, N, N, N, N, N, H, H])
    assert classify(steps == H, steps == C, *FLAT) == "sporadic hot"
    # 80 % hot, all in the final run: consecutive (below the 90 % of intensifying)
    steps = np.array([N, N] + [H] * 8)
    assert classify(steps == H, steps == C, *UP) == "consecutive hot"
    # the same share with an earlier hot step: sporadic
    steps = np.array([N, H, N] + [H] * 7)
    assert classify(steps == H, steps == C, *UP) == "sporadic hot"
    # a significant trend needs p at most 0.05
    assert classify(np.ones(10, bool), np.zeros(10, bool), 0.5, 0.07) == "persistent hot"


def test_mann_kendall_direction():
    assert mann_kendall(np.arange(12.0))[0] == pytest.approx(1.0)
    assert mann_kendall(np.arange(12.0))[1] < 0.001
    assert mann_kendall(-np.arange(12.0))[0] == pytest.approx(-1.0)
    assert mann_kendall(np.zeros(12)) == (0.0, 1.0)


def _disk(res: int, k: int) -> np.ndarray:
    centre = h3.latlng_to_cell(10.77, 106.70, res)
    return np.array(sorted(h3.str_to_int(c) for c in h3.grid_disk(centre, k)), dtype=np.int64)


def test_one_step_cube_equals_gi_star():
    cells = _disk(8, 8)
    counts = np.random.default_rng(2).poisson(3, len(cells))
    cube = space_time_gi(cells, counts[:, None], k=1, window=1)
    assert np.allclose(cube.z[:, 0], gi_star(cells, counts, 1).z, atol=1e-9)


def test_a_block_hot_in_the_last_step_only_is_new():
    cells = _disk(8, 10)
    rng = np.random.default_rng(4)
    counts = rng.poisson(2, (len(cells), 12))
    block = np.isin(
        cells, [h3.str_to_int(c) for c in h3.grid_disk(h3.int_to_str(int(cells[0])), 1)]
    )
    counts[block, -1] += 40
    patterns = dict(zip(cells.tolist(), emerging(cells, counts, k=1, window=0), strict=True))
    assert all(patterns[c] == "new hot" for c in cells[block].tolist())
    others = [p for c, p in patterns.items() if c not in set(cells[block].tolist())]
    assert sum(p != "no pattern" for p in others) <= 0.05 * len(others)
