"""Confidence intervals for our own numbers: Wilson for proportions, Student's t for mean changes (DESIGN §3)."""

from __future__ import annotations

import functools

import numpy as np
from scipy import stats


@functools.lru_cache(maxsize=16)
def _z(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    return float(stats.norm.ppf(0.5 + level / 2))


def _out(lo: np.ndarray, hi: np.ndarray, scalar: bool):
    if scalar:
        return float(lo), float(hi)
    return lo, hi


def wilson(k, n, level: float = 0.95):
    """Wilson score interval for a proportion k/n, vectorised.

    ``centre = (p + z²/2n) / (1 + z²/n)`` and ``half = z sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)``, with
    ``p = k/n`` and ``z`` the normal quantile for ``level``. Unlike the Wald interval it stays inside
    [0, 1] and is not empty at k = 0 or k = n. Where ``n <= 0``, ``k`` is outside ``[0, n]`` or a value
    is missing, both bounds are NaN.

    Parameters
    ----------
    k, n : numbers or array-likes (broadcast together) of successes and trials.
    level : confidence level.

    Returns
    -------
    ``(lower, upper)``: floats for scalar input, else numpy arrays.

    Examples
    --------
    >>> lo, hi = wilson(0, 10)
    >>> round(lo, 4), round(hi, 4)
    (0.0, 0.2775)
    >>> wilson([5, 10], [10, 10])[0].round(4).tolist()
    [0.2366, 0.7225]
    """
    scalar = np.ndim(k) == 0 and np.ndim(n) == 0
    k, n = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    z2 = _z(level) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = n > 0
        n_ = np.where(ok, n, np.nan)
        p = k / n_
        denom = 1 + z2 / n_
        centre = (p + z2 / (2 * n_)) / denom
        half = np.sqrt(z2) * np.sqrt(p * (1 - p) / n_ + z2 / (4 * n_**2)) / denom
    # Exact 0 and 1 at the edges: the formula gives them up to rounding.
    lo = np.where(k == 0, 0.0, np.clip(centre - half, 0, 1))
    hi = np.where(k == n, 1.0, np.clip(centre + half, 0, 1))
    bad = ~ok | np.isnan(p) | (k < 0) | (k > n)
    lo, hi = np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)
    return _out(lo, hi, scalar)


@functools.lru_cache(maxsize=65_536)
def wilson_totals(k: int, n: int, reach: int | None = None) -> tuple[int, int]:
    """The least and greatest totals n' (within ``reach`` of n, default n or at least 50) for which some k' shows
    the same share k/n and Wilson 95% interval, each as percent to one decimal: what a reader of that share can tell
    of its total.

    A range narrower than the truth (values beyond ``reach`` are not tried) only credits the reader with more than
    they can tell, which is the safe side for a disclosure audit.

    >>> wilson_totals(4, 40)
    (40, 40)
    >>> lo, hi = wilson_totals(300, 1000)
    >>> lo < 1000 < hi
    True
    """
    k, n = int(k), int(n)
    a, b = wilson(k, n)
    shown = (np.round(k / n * 100, 1), np.round(a * 100, 1), np.round(b * 100, 1))
    span = max(50, n) if reach is None else int(reach)
    totals = np.arange(max(1, n - span), n + span + 1, dtype=float)
    first = np.maximum(np.ceil((shown[0] - 0.05) / 100 * totals - 1e-9), 0)
    last = np.minimum(np.floor((shown[0] + 0.05) / 100 * totals + 1e-9), totals)
    ok = np.zeros(len(totals), bool)
    for step in range(int(max((last - first).max(), 0)) + 1):
        kk = first + step
        live = kk <= last
        lo, hi = wilson(np.where(live, kk, 0), totals)
        ok |= live & (np.round(kk / totals * 100, 1) == shown[0]) & (np.round(lo * 100, 1) == shown[1]) & (
            np.round(hi * 100, 1) == shown[2])
    found = totals[ok]    # holds n itself
    return int(found.min()), int(found.max())


def t_interval(mean, sd, n, level: float = 0.95):
    """Student's t interval for a mean: ``mean ± t(n-1) x sd / sqrt(n)``, vectorised.

    Where ``n < 2`` (no spread to estimate) or a value is missing, both bounds are NaN.

    Parameters
    ----------
    mean, sd, n : numbers or array-likes, broadcast together.
    level : confidence level.

    Returns
    -------
    ``(lower, upper)``: floats for scalar input, else numpy arrays.

    Examples
    --------
    >>> lo, hi = t_interval(10.0, 2.0, 16)   # t(15, 0.975) = 2.1314
    >>> round(lo, 3), round(hi, 3)
    (8.934, 11.066)
    """
    scalar = np.ndim(mean) == 0 and np.ndim(sd) == 0 and np.ndim(n) == 0
    mean, sd, n = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (mean, sd, n)))
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    ok = n >= 2
    df = np.where(ok, n - 1, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + level / 2, df) * sd / np.sqrt(np.where(ok, n, np.nan))
    return _out(mean - half, mean + half, scalar)
