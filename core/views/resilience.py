"""The Impact page's resilience section: the pooled Brief Resilience Scale change, and the programmes that use it."""

from __future__ import annotations

import pandas as pd

from core.analysis.resilience import BRS, pooled_scale_change
from core.analysis.suppression import SUPPRESSED, safe_csv
from core.base.formatting import number
from core.views import impact as iv

HELP = ("Brief Resilience Scale (Smith et al. 2008): the mean of six items, 1 (low) to 5 (high resilience), asked "
        "before and after; a rise is good. The change pools every quarter in the window of the chosen programmes "
        "that used the scale, with a Student's t 95% interval, shown only where n ≥ 11.")


def headline(data: iv.ImpactData, v: iv.ImpactViews) -> tuple[str, str, str]:
    """The pooled change as a metric: value with its interval and n, or why it is not shown."""
    r = pooled_scale_change(data.periods, v.programs["program_id"], v.first_period, v.period, BRS)
    label = f"Resilience change (BRS, 1–5), {iv.window_text(v)}"
    if r["status"] == "no data":
        return label, "no data", HELP + " None of the chosen programmes used it in the window."
    if r["status"] == "n<11":
        return label, f"n {SUPPRESSED}", HELP + " Fewer than 11 people had both scores."
    value = f"{r['mean']:+.2f} (95% CI {r['lo']:+.2f} to {r['hi']:+.2f}; n = {number(r['n'])})"
    return label, value.replace("-", "−"), HELP + f" {r['programmes']} programmes."


def programmes(v: iv.ImpactViews) -> pd.DataFrame:
    """The Impact programme table, the programmes whose latest scale is the BRS only."""
    t = iv.programme_table(v)
    return t.loc[t["Outcome scale"] == BRS].reset_index(drop=True)


def download(v: iv.ImpactViews) -> bytes:
    return safe_csv(programmes(v), count_cols=["n (pre/post)"])
