"""Peer areas: the areas most like a given one on standardised indicators (Euclidean distance of z-scores)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def zscores(features: pd.DataFrame) -> pd.DataFrame:
    """Standardise each column over the areas, then fill missing values with 0 (the column mean).

    The standard deviation is the population one (ddof=0). A constant or empty column carries no
    information about difference, so it becomes all zeros rather than dividing by zero.

    Examples
    --------
    >>> zscores(pd.DataFrame({"x": [1.0, 3.0, None], "k": [2.0, 2.0, 2.0]})).to_dict("list")
    {'x': [-1.0, 1.0, 0.0], 'k': [0.0, 0.0, 0.0]}
    """
    x = features.apply(pd.to_numeric).astype(float)
    mean = x.mean(axis=0)
    sd = x.std(axis=0, ddof=0)
    sd = sd.where(sd > 0)
    # Filling after scaling puts an unknown value at the average, so it neither pulls two areas
    # together nor pushes them apart beyond what their known columns say.
    return ((x - mean) / sd).fillna(0.0)


def most_similar(features: pd.DataFrame, area_id, k: int = 5) -> pd.DataFrame:
    """The k areas closest to ``area_id`` in z-scored feature space.

    Parameters
    ----------
    features : DataFrame
        Index area_id, one numeric column per indicator.
    area_id : label in ``features.index``
    k : int
        How many peers to return (fewer if there are fewer other areas).

    Returns
    -------
    DataFrame
        Columns area_id and distance, nearest first; ties keep the order of ``features``. The area
        itself is never included.

    Examples
    --------
    >>> f = pd.DataFrame({"a": [0.0, 1.0, 5.0, 1.2]}, index=["p", "q", "r", "s"])
    >>> most_similar(f, "q", k=2)["area_id"].tolist()
    ['s', 'p']
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    if features.index.has_duplicates:
        raise ValueError("features has duplicate area ids")
    if area_id not in features.index:
        raise KeyError(f"no area {area_id!r} in the features")
    z = zscores(features).to_numpy()
    pos = features.index.get_loc(area_id)
    dist = np.sqrt(((z - z[pos]) ** 2).sum(axis=1))
    others = np.delete(np.arange(len(dist)), pos)
    order = others[np.argsort(dist[others], kind="stable")][:k]
    return pd.DataFrame({"area_id": features.index[order], "distance": dist[order]}).reset_index(drop=True)
