"""Resilience: the pooled pre/post change on the Brief Resilience Scale, with n, a t 95% interval and the n ≥ 11 rule.

The Brief Resilience Scale (Smith et al. 2008) is the mean of six items, 1-5; a rise is good. Quarters of the
chosen programmes that used it in the window are pooled as one sample (:func:`core.analysis.impact.pooled_change`),
and the change is shown only where the pooled n is at least 11, as for every outcome (DESIGN §3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.analysis.impact import MIN_N, period_index, pooled_change
from core.analysis.intervals import t_interval

BRS = "BRS"


def pooled_scale_change(periods: pd.DataFrame, program_ids, first: str, last: str, measure: str = BRS) -> dict:
    """``{n, mean, lo, hi, programmes, status}`` for one scale over the quarters ``first``-``last`` (inclusive).

    ``status`` is ``'shown'``, ``'n<11'`` (mean and interval withheld) or ``'no data'``.

    Examples
    --------
    Worked by hand: two quarters, n = 6 with mean 0.2 (sd 0.5) and n = 8 with mean 0.4 (sd 0.5): N = 14,
    mean (1.2 + 3.2) / 14 = 0.3143; Σx² = (5 x 0.25 + 6 x 0.04) + (7 x 0.25 + 8 x 0.16) = 4.52, so the pooled
    variance is (4.52 - 14 x 0.3143²) / 13 = 0.2413 (sd 0.4912); t(13) = 2.1604, so ± 2.1604 x 0.4912 / √14
    = ± 0.2836: 0.031 to 0.598.

    >>> p = pd.DataFrame({"program_id": ["a", "b"], "period": ["2025Q1", "2025Q2"], "outcome_measure": ["BRS"] * 2,
    ...                   "n_pre_post": [6, 8], "mean_change": [0.2, 0.4], "sd_change": [0.5, 0.5]})
    >>> r = pooled_scale_change(p, ["a", "b"], "2025Q1", "2025Q2")
    >>> r["n"], round(r["mean"], 4), round(r["lo"], 3), round(r["hi"], 3), r["status"]
    (14, 0.3143, 0.031, 0.598, 'shown')
    """
    if periods.empty:
        return {"n": 0, "mean": np.nan, "lo": np.nan, "hi": np.nan, "programmes": 0, "status": "no data"}
    q = period_index(periods["period"])
    lo_q, hi_q = period_index([first, last])
    rows = periods.loc[(q >= lo_q) & (q <= hi_q) & periods["program_id"].isin(set(program_ids))
                       & (periods["outcome_measure"] == measure)]
    n = pd.to_numeric(rows["n_pre_post"], errors="coerce").fillna(0)
    rows = rows.loc[(n > 0).to_numpy()]
    if rows.empty:
        return {"n": 0, "mean": np.nan, "lo": np.nan, "hi": np.nan, "programmes": 0, "status": "no data"}
    total, mean, sd = pooled_change(rows["n_pre_post"], rows["mean_change"], rows["sd_change"])
    programmes = int(rows["program_id"].nunique())
    if total < MIN_N:
        return {"n": int(total), "mean": np.nan, "lo": np.nan, "hi": np.nan, "programmes": programmes,
                "status": "n<11"}
    lo, hi = t_interval(mean, sd, total)
    return {"n": int(total), "mean": mean, "lo": lo, "hi": hi, "programmes": programmes, "status": "shown"}
