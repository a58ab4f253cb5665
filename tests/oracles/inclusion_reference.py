"""Inclusion's group counts stated plainly in pandas: the oracle that core.analysis.inclusion.group_counts must equal.

The product sums each programme's rows with ``np.bincount``; tests/test_inclusion.py checks on random programme
quarters (missing groups, missing participants, groups no quarter recorded) that the two agree exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.analysis.inclusion import GROUPS
from core.analysis.quarter_window import window


def group_counts(periods: pd.DataFrame, quarters: int = 4) -> pd.DataFrame:
    """Per programme and group over the window: ``k`` (group members) and ``n`` (participants of the quarters that
    recorded the group), one grouped sum with ``min_count=1``; a group no quarter recorded has NaN."""
    rows, _, _ = window(periods, quarters)
    participants = pd.to_numeric(rows["participants"], errors="coerce").to_numpy(dtype=float)
    wide = {}
    for g in GROUPS:
        k = (pd.to_numeric(rows[g.column], errors="coerce").to_numpy(dtype=float) if g.column in rows
             else np.full(len(rows), np.nan))
        wide[("k", g.key)] = k
        wide[("n", g.key)] = np.where(np.isnan(k), np.nan, participants)
    frame = pd.DataFrame(wide, index=rows.index)
    sums = frame.groupby(rows["program_id"].to_numpy()).sum(min_count=1)
    sums.columns = pd.MultiIndex.from_tuples(sums.columns)
    out = sums.stack(level=1, future_stack=True).rename_axis(["program_id", "group"]).reset_index()
    order = {g.key: i for i, g in enumerate(GROUPS)}
    out = out.sort_values(["group", "program_id"], key=lambda c: c.map(order) if c.name == "group" else c,
                          kind="stable").reset_index(drop=True)
    return out[["program_id", "group", "k", "n"]]
