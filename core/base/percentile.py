"""Percentile rank with the CDC/ATSDR SVI convention: (rank - 1) / (N - 1), ties at the lowest rank."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _rank_1d(x: np.ndarray) -> np.ndarray:
    out = np.full(x.shape, np.nan, dtype=float)
    have = ~np.isnan(x)
    n = int(have.sum())
    if n == 1:
        # One value is its own whole distribution; SVI puts it at the bottom, not undefined.
        out[have] = 0.0
    elif n > 1:
        # With ties at the lowest rank, rank - 1 is the count of strictly smaller values.
        present = x[have]
        out[have] = np.searchsorted(np.sort(present), present, side="left") / (n - 1)
    return out


def percentile_rank(values):
    """Percentile rank of each value among the non-missing values, on a 0-1 scale.

    The rank is ``(rank - 1) / (N - 1)`` where N counts the values that are present and tied values
    all take the lowest rank of their group (``method='min'``), the convention of the CDC/ATSDR Social
    Vulnerability Index. Missing values stay missing and do not count towards N. A single value gets
    0.0.

    Parameters
    ----------
    values : pandas.Series, pandas.DataFrame, numpy.ndarray or sequence of numbers
        One-dimensional values; a DataFrame is ranked column by column.

    Returns
    -------
    Same type and shape as ``values`` (a list becomes a numpy array), with float dtype.

    Examples
    --------
    >>> percentile_rank([10, 20, 20, 40, float("nan")]).tolist()
    [0.0, 0.3333333333333333, 0.3333333333333333, 1.0, nan]
    """
    if isinstance(values, pd.DataFrame):
        return values.apply(percentile_rank)
    if isinstance(values, pd.Series):
        x = values.to_numpy(dtype=float, na_value=np.nan)
        return pd.Series(_rank_1d(x), index=values.index, name=values.name, dtype=float)
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"percentile_rank needs one-dimensional values, got shape {x.shape}")
    return _rank_1d(x)


def display_percentile(values) -> np.ndarray:
    """Where each value sits against the others, for a chart or table that draws the median line: 0-100.

    The need index keeps the SVI rule (:func:`percentile_rank`, ties at the lowest rank), but a display that
    places an area against the median must not put a tie below it. Here tied values share their mid-rank,
    ``(mean rank - 1) / (N - 1)``, and a value equal to the median sits exactly on it (50), however many areas
    share it. Missing values stay missing.

    Examples
    --------
    >>> display_percentile([10, 20, 20, 40, float("nan")]).tolist()
    [0.0, 50.0, 50.0, 100.0, nan]
    >>> display_percentile([1, 1, 1, 2]).tolist()
    [50.0, 50.0, 50.0, 100.0]
    """
    x = np.asarray(values, dtype=float)
    out = np.full(x.shape, np.nan, dtype=float)
    have = ~np.isnan(x)
    n = int(have.sum())
    if n == 1:
        out[have] = 50.0
    elif n > 1:
        ranks = pd.Series(x[have]).rank(method="average").to_numpy()
        out[have] = (ranks - 1) / (n - 1) * 100
        out[have & (x == np.median(x[have]))] = 50.0
    return out
