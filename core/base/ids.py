"""Ids are text ('77', '101', 'BK01', '53033000100'); this orders them as people expect, numbers by value."""

from __future__ import annotations

import pandas as pd

_WIDTH = 24


def id_sort_key(ids: pd.Series) -> pd.Series:
    """A key for ``sort_values(key=...)``: left-padded text, so '9' sorts before '10' and 'BK01' after '503'.

    >>> s = pd.Series(["10", "9", "BK01", "101"])
    >>> s.sort_values(key=id_sort_key).tolist()
    ['9', '10', '101', 'BK01']
    """
    return ids.astype(str).str.rjust(_WIDTH, "0")


def sort_ids(ids) -> list[str]:
    """Text ids in natural order.

    >>> sort_ids([12, "3", "BK01"])
    ['3', '12', 'BK01']
    """
    return pd.Series([str(i) for i in ids], dtype=object).sort_values(key=id_sort_key).tolist()
