"""New hotspots of a reporting window: per field, the H3 cells that are hotspots in the
window and were hotspots in none of the windows before it (the baseline), like the "new"
pattern of emerging hot spot analysis.

A hotspot is a cell whose Gi* is hot at 95 % confidence or more and which holds at least
`min_count` of the window's complaints itself: on sparse fields a couple of complaints near
each other are already "significant" against a city of zeros. A new one must also stand out
from its own past: its count a spike against the baseline windows (`analytics.alerts.spikes`,
tail probability ≤ `alpha`), not a busy cell's ordinary week. Every window and field is tested
at once: one count matrix (study cells × windows × fields, zero counts included), one sparse
product, Benjamini–Hochberg within each column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.alerts import spikes
from analytics.gistar import ring_weights, significance, z_scores

NEW_LEVEL = 2  # 95 % confidence


@dataclass(frozen=True)
class NewSpot:
    """A cell that became a hot spot of a field in the window."""

    cell: int
    field: str
    n: int  # the window's complaints of the field in the cell
    z: float
    p_fdr: float
    level: int  # Gi_Bin class in the window (2 or 3)


def new_hotspots(
    area: np.ndarray,
    counts: pd.DataFrame,
    steps: int,
    k: int = 1,
    min_count: int = 5,
    alpha: float = 0.001,
) -> list[NewSpot]:
    """New hot cells per field in the last of `steps` windows. `area`: int64 cells of the
    study area; `counts`: columns step (1 … steps), cell, field, n (rows may repeat)."""
    current = counts[counts["step"] == steps]
    fields = sorted(set(counts["field"]))
    if current.empty:
        return []
    cells = np.union1d(area, counts["cell"].to_numpy(dtype=np.int64))
    if len(cells) < 3:
        return []
    x = np.hstack(
        [_matrix(counts[counts["step"] == s], cells, fields) for s in range(1, steps + 1)]
    )
    w = ring_weights(cells, k)
    z = z_scores(w, x)
    _, p_fdr, classes = significance(z)
    nf = len(fields)
    hot = (classes >= NEW_LEVEL) & (x >= min_count)  # a hotspot, in any window
    now = slice((steps - 1) * nf, steps * nf)
    x_now = x[:, now]
    before = hot[:, : (steps - 1) * nf].reshape(len(cells), steps - 1, nf).any(axis=1)
    new = hot[:, now] & ~before
    rows, cols = np.nonzero(new)
    series = x[rows[:, None], cols[:, None] + nf * np.arange(steps)]  # candidates × windows
    rising, _ = spikes(series, alpha, min_count)
    new[rows[~rising], cols[~rising]] = False
    rows, cols = np.nonzero(new)
    spots = [
        NewSpot(
            cell=int(cells[i]),
            field=fields[j],
            n=int(x_now[i, j]),
            z=float(z[i, now][j]),
            p_fdr=float(p_fdr[i, now][j]),
            level=int(classes[i, now][j]),
        )
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
    ]
    return sorted(spots, key=lambda s: (-s.z, s.field, s.cell))


def _matrix(counts: pd.DataFrame, cells: np.ndarray, fields: list[str]) -> np.ndarray:
    x = np.zeros((len(cells), len(fields)))
    if counts.empty:
        return x
    rows = np.searchsorted(cells, counts["cell"].to_numpy(dtype=np.int64))
    cols = pd.Categorical(counts["field"], categories=fields).codes
    np.add.at(x, (rows, cols), counts["n"].to_numpy(dtype=float))
    return x
