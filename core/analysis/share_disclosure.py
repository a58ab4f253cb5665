"""When a share or rate built on counts of people may be published: no count of 1-10 behind it, nor recoverable."""

from __future__ import annotations

import numpy as np

from core.analysis.suppression import MIN_CELL


def _safe(count) -> np.ndarray:
    """A count that may be given away: 0, or 11 and more (missing counts are not safe)."""
    x = np.asarray(count, dtype=float)
    with np.errstate(invalid="ignore"):
        return (x == 0) | (x >= MIN_CELL)


def share_publishable(k, n) -> np.ndarray:
    """True where the share k/n of a group among n people may be shown, with its interval.

    A share shown beside (or computable from) a published total n gives back both k and n - k, the
    people outside the group; so all three of n, k and n - k must be 0 or at least 11, and n must be at
    least 11. Missing or inconsistent counts (k > n) are never publishable.

    Examples
    --------
    >>> share_publishable([12, 5, 0, 20, 12], [40, 40, 15, 25, 8]).tolist()
    [True, False, True, False, False]
    """
    k, n = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    with np.errstate(invalid="ignore"):
        consistent = (k >= 0) & (k <= n)
        return consistent & (n >= MIN_CELL) & _safe(k) & _safe(n - k)


def rate_publishable(numerator, denominator) -> np.ndarray:
    """True where a rate between two counts of people (neither a subset of the other) may be shown.

    Both counts must be 0 or at least 11, and the denominator at least 11.

    Examples
    --------
    >>> rate_publishable([0, 12, 3, 12], [20, 20, 20, 9]).tolist()
    [True, True, False, False]
    """
    a, b = np.broadcast_arrays(np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float))
    with np.errstate(invalid="ignore"):
        return _safe(a) & (b >= MIN_CELL)
