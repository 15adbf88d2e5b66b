"""Getis–Ord Gi* on H3 cells with binary k-ring weights, vectorised with scipy.sparse.

The focal cell is its own neighbour (weight 1). z-scores are the analytical ones of Ord and
Getis (1995), identical to `esda.G_Local(y, w, transform="B", star=True).Zs`; p-values are
two-sided; significance is decided after a Benjamini–Hochberg false-discovery-rate correction
at each confidence level, with no Bonferroni fallback when nothing passes.
"""

from __future__ import annotations

from dataclasses import dataclass

import h3ronpy
import numpy as np
import pyarrow as pa
from scipy import sparse, stats

LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))  # Gi_Bin: ±3 = 99 %, ±2 = 95 %, ±1 = 90 % confidence
# Classes as maps show them (Vietnamese labels; red hot, blue cold, as ArcGIS draws them).
CLASSES = (
    (3, "Điểm nóng, tin cậy 99 %", "#b2182b"),
    (2, "Điểm nóng, tin cậy 95 %", "#ef8a62"),
    (1, "Điểm nóng, tin cậy 90 %", "#fddbc7"),
    (-1, "Điểm lạnh, tin cậy 90 %", "#d1e5f0"),
    (-2, "Điểm lạnh, tin cậy 95 %", "#67a9cf"),
    (-3, "Điểm lạnh, tin cậy 99 %", "#2166ac"),
)


@dataclass(frozen=True)
class GiStar:
    """Gi* of every study cell: z, two-sided p, FDR-adjusted p and the Gi_Bin class."""

    cells: np.ndarray  # int64 H3 cells, sorted
    counts: np.ndarray
    z: np.ndarray
    p: np.ndarray
    p_fdr: np.ndarray
    classes: np.ndarray  # int8: +3..+1 hot, 0 not significant, -1..-3 cold


def ring_weights(cells: np.ndarray, k: int) -> sparse.csr_matrix:
    """Binary weights: cell j is a neighbour of cell i when within k grid steps (i itself
    included); neighbours outside `cells` (the study area) are left out. `cells` sorted."""
    ids = pa.array(np.asarray(cells, dtype=np.int64).view(np.uint64), type=pa.uint64())
    disks = pa.array(h3ronpy.grid_disk(ids, k))  # a list of cells per cell
    lengths = np.diff(disks.offsets.to_numpy())
    rows = np.repeat(np.arange(len(cells)), lengths)
    near = disks.values.to_numpy().view(np.int64)
    cols = np.searchsorted(cells, near)
    cols = np.minimum(cols, len(cells) - 1)
    inside = cells[cols] == near
    data = np.ones(int(inside.sum()))
    return sparse.csr_matrix((data, (rows[inside], cols[inside])), shape=(len(cells),) * 2)


def gi_star(cells: np.ndarray, counts: np.ndarray, k: int = 1) -> GiStar:
    """Gi* over the study cells `cells` (every cell of the area, zero counts included)."""
    order = np.argsort(cells)
    cells = np.asarray(cells, dtype=np.int64)[order]
    x = np.asarray(counts, dtype=float)[order]
    if len(x) < 3:
        raise ValueError("Gi* needs at least 3 cells")
    z = z_scores(ring_weights(cells, k), x)
    p, p_fdr, classes = significance(z)
    return GiStar(cells, x.astype(np.int64), z, p, p_fdr, classes)


def z_scores(w: sparse.csr_matrix, x: np.ndarray) -> np.ndarray:
    """Gi* z of every cell for binary weights `w`; `x` is one count vector or a matrix whose
    columns are tested separately (cells × columns)."""
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    weights = np.asarray(w.sum(axis=1)).ravel()  # binary: also the sum of squared weights
    if x.ndim == 2:
        weights = weights[:, None]
    mean = x.mean(axis=0)
    spread = np.sqrt(np.maximum((x**2).mean(axis=0) - mean**2, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (w @ x - mean * weights) / (spread * np.sqrt((n * weights - weights**2) / (n - 1)))
    return np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)  # no spread: nothing stands out


def significance(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two-sided p, Benjamini–Hochberg adjusted p (within each column) and Gi_Bin classes."""
    p = 2 * stats.norm.sf(np.abs(z))
    p_fdr = stats.false_discovery_control(p, axis=0, method="bh")
    classes = np.zeros(z.shape, dtype=np.int8)
    for level, alpha in reversed(LEVELS):  # strongest level last, so it wins
        classes[p_fdr <= alpha] = level
    classes *= np.sign(z).astype(np.int8)
    return p, p_fdr, classes
