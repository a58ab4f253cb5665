"""The programme-period rows of the latest N quarters, the window every reach and volunteer figure is summed over."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.analysis.impact import period_index, period_label


def window(periods: pd.DataFrame, quarters: int = 4) -> tuple[pd.DataFrame, str, str]:
    """The rows of the last ``quarters`` quarters up to the latest in the data, with a ``q`` column (0 = first).

    Returns ``(rows, first_label, last_label)``; an empty table gives empty labels.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a"] * 3, "period": ["2025Q3", "2025Q4", "2026Q1"]})
    >>> rows, first, last = window(p, 2)
    >>> rows["q"].tolist(), first, last
    ([0, 1], '2025Q4', '2026Q1')
    """
    if periods.empty:
        return periods.assign(q=pd.Series(dtype=np.int64)), "", ""
    index = period_index(periods["period"])
    end = int(index.max())
    start = end - int(quarters) + 1
    keep = index >= start
    rows = periods.loc[keep].copy()
    rows["q"] = (index[keep] - start).astype(np.int64)
    return rows, period_label(start), period_label(end)
