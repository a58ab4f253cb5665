"""The brief's "who is reached, who carries it" lines for one area: group shares against residents, volunteers, partners."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.analysis import inclusion
from core.analysis import volunteers as vo
from core.base.formatting import money, number

QUARTERS = 4


def _points(x: float) -> str:
    return f"{x * 100:+.1f}".replace("-", "−")


def group_line(row: pd.Series) -> str:
    """One group's sentence: its share of participants against residents, or why there is none.

    >>> group_line(pd.Series({"status": "shown", "share": 0.3, "lo": 0.2, "hi": 0.4, "resident_share": 0.1,
    ...                       "gap": 0.2}))
    '30.0% of participants (95% CI 20.0–40.0%) against 10.0% of residents: +20.0 points'
    >>> group_line(pd.Series({"status": "small"}))
    'not shown: fewer than 11 people in a count behind it'
    """
    status = row["status"]
    if status == "small":
        return "not shown: fewer than 11 people in a count behind it"
    if status == "withheld":
        return "not shown: withheld so that a hidden small count elsewhere cannot be worked out"
    if status == "not recorded":
        return "not recorded by the programmes here"
    text = f"{row['share'] * 100:.1f}% of participants (95% CI {row['lo'] * 100:.1f}–{row['hi'] * 100:.1f}%)"
    if status == "no resident share":
        return text + "; no residents' share is declared to compare with"
    return text + f" against {row['resident_share'] * 100:.1f}% of residents: {_points(row['gap'])} points"


def reach_lines(con, area_id, programs: pd.DataFrame, data=None) -> dict[str, str]:
    """``{label: sentence}`` for the area's programmes (``programs``: those active and based in the area).

    The group shares are the Inclusion page's area rows over its latest four quarters, hidden exactly as there
    (``data``: :func:`core.views.inclusion.inclusion_data`, if the caller has it), so that the brief publishes no
    share the linked protection has not checked against everything else.
    """
    from core.views import inclusion as incv

    out: dict[str, str] = {}
    if not len(programs):
        return {"Programmes": "No programme is based in this area, so nobody is reached here yet."}
    data = incv.inclusion_data(con) if data is None else data
    periods = data.periods.loc[data.periods["program_id"].isin(set(programs["program_id"]))]
    d = inclusion.area_disparities(programs, data.periods, data.shares, QUARTERS).set_index("group")
    for g in inclusion.GROUPS:
        if g.key not in d.index:
            out[f"Reached: {g.label}"] = "not recorded"
            continue
        code = incv.protection(data, g.key, QUARTERS)["area"].get(str(area_id), "")
        row = d.loc[g.key].copy()
        if code and row["status"] != "not recorded":
            row["status"] = code
        out[f"Reached: {g.label}"] = group_line(row)
    per = vo.program_volunteers(programs, periods, QUARTERS)
    n = len(per)
    single = int(per["single_coordinator"].sum())
    hours = float(np.nansum(per["hours"]))
    partnered = int(programs["professional_partner"].fillna("").astype(str).str.strip().ne("").sum())
    out["Carried by"] = (f"{number(hours)} volunteer hours in the last {QUARTERS} quarters, worth {money(sum(per['value'].fillna(0)))}; "
                         f"{single} of {n} programmes hang on a single coordinator")
    out["Backed by"] = f"{partnered} of {n} programmes have a professional partner"
    return out
