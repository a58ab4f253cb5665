"""Which Inclusion shares to hide so that no count behind them can be narrowed: programmes, areas and the city as one linked set.

A group share k/n shown with its Wilson interval gives back k, n and n - k (the interval pins n, the share then k),
so each published share stands, for the audit, for three published counts. A programme's counts add up into its
area's and the city's, so a share hidden on its own (a count of 1-10) could be recovered as the area's counts minus
the other programmes'. The three levels are therefore protected as one linked set
(:func:`core.analysis.disclosure.protect`): the unknowns are each programme-quarter's members of the group and its
other participants, and a share is published only where none of its three counts is hidden.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.analysis import disclosure
from core.analysis.inclusion import GROUP_BY_KEY
from core.analysis.quarter_window import window


def hidden_shares(programs: pd.DataFrame, periods: pd.DataFrame, group: str, quarters: int = 4) -> dict:
    """What to hide of one group's shares over the latest ``quarters``: ``{"programme": {program_id: code},
    "area": {area_id: code}, "city": code}``, code "" (shown), "small" (a count of 1-10) or "withheld" (hidden to
    protect a small count elsewhere).

    ``programs``: the programmes the programme and area tables show (program_id, area_id); the city pools every
    programme in ``periods``, as :func:`core.analysis.inclusion.group_counts` does.

    Examples
    --------
    One area with two programmes, one of which has 4 people of the group: its share is hidden, and since the
    area's counts minus the other programme's would give the 4 back, the area's share (and the city's, the same
    sum) is withheld too.

    >>> pr = pd.DataFrame({"program_id": ["a", "b"], "area_id": ["1", "1"]})
    >>> pe = pd.DataFrame({"program_id": ["a", "b"], "period": ["2025Q1"] * 2, "participants": [40, 60],
    ...                    "participants_65plus": [4, 30]})
    >>> h = hidden_shares(pr, pe, "65plus", 1)
    >>> h["programme"], h["area"], h["city"]
    ({'a': 'small', 'b': ''}, {'1': 'withheld'}, 'withheld')
    """
    rows, _, _ = window(periods, quarters)
    column = GROUP_BY_KEY[group].column
    k = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=float) if column in rows else np.full(
        len(rows), np.nan)
    x = pd.to_numeric(rows["participants"], errors="coerce").to_numpy(dtype=float)
    recorded = ~np.isnan(k)
    pos = np.flatnonzero(recorded)
    k, x = k[recorded], x[recorded]
    owner = rows["program_id"].to_numpy()[recorded]
    area_of = programs.set_index("program_id")["area_id"]
    area = pd.Series(owner).map(area_of).to_numpy()
    entities = ([("programme", p, owner == p) for p in programs["program_id"] if (owner == p).any()]
                + [("area", a, area == a) for a in pd.unique(area[pd.notna(area)])]
                + [("city", None, np.ones(len(owner), bool))])
    cells, values = [], []
    for _, _, sel in entities:
        g_atoms, o_atoms = 2 * pos[sel], 2 * pos[sel] + 1   # members of the group, and the rest
        kk, nn = float(k[sel].sum()), float(x[sel].sum())
        cells += [g_atoms, o_atoms, np.concatenate([g_atoms, o_atoms])]
        values += [kk, nn - kk, nn]
    values = np.asarray(values)
    small = ((values > 0) & (values < 11)).reshape(-1, 3).any(axis=1)
    # A share with one small count is hidden whole: its other non-zero counts are hidden with it (a zero, being
    # safe to show, is left to the audit as if shown, which only gives the attacker more).
    also = np.repeat(small, 3) & (values > 0)
    primary, secondary = disclosure.protect(cells, values, also)
    hidden = (primary | secondary).reshape(-1, 3).any(axis=1)
    # "<11" only where every small count behind the share keeps its "at most 10" (else that marker would pin a count
    # it adds up to, and the share is shown as withheld instead).
    uncapped = (((values > 0) & (values < 11)) & ~primary).reshape(-1, 3).any(axis=1)
    codes = np.where(small & ~uncapped, "small", np.where(hidden | small, "withheld", ""))
    out: dict = {"programme": {}, "area": {}, "city": ""}
    for (level, key, _), code in zip(entities, codes):
        if level == "city":
            out["city"] = str(code)
        else:
            out[level][key] = str(code)
    return out
