"""The Impact page's resilience section: the pooled Brief Resilience Scale change, and the programmes that use it."""

from __future__ import annotations

import pandas as pd

from core.analysis import impact
from core.analysis.suppression import SUPPRESSED, safe_csv
from core.base.formatting import number
from core.views import impact as iv

BRS = "BRS"
HELP = ("Brief Resilience Scale (Smith et al. 2008): the mean of six items, 1 (low) to 5 (high resilience), asked "
        "before and after; a rise is good. The change pools every quarter in the window of the chosen programmes "
        "that used the scale, with a Student's t 95% interval, shown only where n ≥ 11.")


def pooled(data: iv.ImpactData, state: iv.ImpactState) -> dict:
    """The BRS change of the programmes the Impact filters choose, pooled over the window (n ≥ 11 rule applied)."""
    keep = impact.chosen(data.prepared, list(state.types) or None, list(state.populations) or None)
    return impact.pooled_outcome(data.prepared, keep, state.quarters, BRS)


def headline(data: iv.ImpactData, state: iv.ImpactState, v: iv.ImpactViews) -> tuple[str, str, str]:
    """The pooled change as a metric: value with its interval and n, or why it is not shown."""
    r = pooled(data, state)
    label = f"Resilience change (BRS, 1–5), {iv.window_text(v)}"
    if r["outcome_status"] == "no data":
        return label, "no data", HELP + " None of the chosen programmes used it in the window."
    if r["outcome_status"] == "n<11":
        return label, f"n {SUPPRESSED}", HELP + " Fewer than 11 people had both scores."
    value = (f"{r['outcome_mean']:+.2f} (95% CI {r['outcome_lo']:+.2f} to {r['outcome_hi']:+.2f}; "
             f"n = {number(r['outcome_n'])})")
    return label, value.replace("-", "−"), HELP + f" {r['programmes']} programmes."


def programmes(v: iv.ImpactViews) -> pd.DataFrame:
    """The Impact programme table, the programmes whose latest scale is the BRS only."""
    t = iv.programme_table(v)
    return t.loc[t["Outcome scale"] == BRS].reset_index(drop=True)


def download(v: iv.ImpactViews) -> bytes:
    return safe_csv(programmes(v), count_cols=["n (pre/post)"])
