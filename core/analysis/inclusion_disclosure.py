"""Which Inclusion shares to hide so that no count behind them can be narrowed: programmes, areas and the city as one linked set.

A group share k/n shown with its Wilson interval gives back k, n and n - k (the interval pins n, the share then k),
so each published share stands, for the audit, for three published counts. A programme's counts add up into its
area's and the city's, so a share hidden on its own (a count of 1-10) could be recovered as the area's counts minus
the other programmes'. The three levels are therefore protected as one linked set
(:func:`core.analysis.disclosure.protect`): the unknowns are each programme-quarter's members of the group and its
other participants, and a share is published only where none of its three counts is hidden. A visitor can also read
every window the page offers and set them against each other, so a group's windows are one linked set too
(:func:`hidden_states`).
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
    return hidden_states(programs, periods, (group,), (quarters,))[(group, quarters)]


def hidden_states(programs: pd.DataFrame, periods: pd.DataFrame, groups, windows) -> dict:
    """What to hide of every Inclusion state at once: ``{(group, quarters): codes}``, codes as :func:`hidden_shares`
    gives them, for each group and window.

    A visitor can read every state, and set one against another: a programme's share over four quarters against its
    share over two bounds what its other two quarters hold (no quarter holds fewer than none), and so what the last
    two hold. So each group's shares over all windows are protected as one linked set, which starts from what each
    window on its own hides.

    Examples
    --------
    Two programmes over two quarters; in the last one, a has 5 people and b 9 outside the group. One quarter's shares
    hide both; shown over two quarters, a's share and the area's would bound those hidden counts, so they are
    withheld too. Each window on its own would show them.

    >>> pr = pd.DataFrame({"program_id": ["a", "b"], "area_id": ["1", "1"]})
    >>> pe = pd.DataFrame({"program_id": ["a", "a", "b", "b"], "period": ["2025Q1", "2025Q2"] * 2,
    ...                    "participants": [40, 5, 5, 20], "participants_65plus": [17, 4, 2, 11]})
    >>> h = hidden_states(pr, pe, ("65plus",), (1, 2))
    >>> h[("65plus", 1)]["programme"], h[("65plus", 2)]["programme"], h[("65plus", 2)]["area"]
    ({'a': 'withheld', 'b': 'small'}, {'a': 'withheld', 'b': ''}, {'1': 'withheld'})
    >>> hidden_shares(pr, pe, "65plus", 2)["programme"]
    {'a': '', 'b': ''}
    """
    return {(g, w): codes for g in dict.fromkeys(groups)
            for w, codes in _linked_group(programs, periods, g, tuple(windows)).items()}


def _linked_group(programs: pd.DataFrame, periods: pd.DataFrame, group: str, windows: tuple):
    """One group's shares over every window as one linked set: ``{quarters: codes}``."""
    column = GROUP_BY_KEY[group].column
    every = periods.reset_index(drop=True)
    k_all = (pd.to_numeric(every[column], errors="coerce").to_numpy(dtype=float) if column in every
             else np.full(len(every), np.nan))
    x_all = pd.to_numeric(every["participants"], errors="coerce").to_numpy(dtype=float)
    owner_all = every["program_id"].to_numpy()
    area_of = programs.set_index("program_id")["area_id"]
    entities, cells, values, seeded = [], [], [], []
    for quarters in windows:
        rows, _, _ = window(every, quarters)
        pos = rows.index.to_numpy()
        pos = pos[~np.isnan(k_all[pos])]    # the rows that record the group
        k, x = k_all[pos], x_all[pos]
        owner = owner_all[pos]
        area = pd.Series(owner).map(area_of).to_numpy()
        w_cells, w_values = [], []
        for level, key, sel in ([("programme", p, owner == p) for p in programs["program_id"] if (owner == p).any()]
                                + [("area", a, area == a) for a in pd.unique(area[pd.notna(area)])]
                                + [("city", None, np.ones(len(owner), bool))]):
            g_atoms, o_atoms = 2 * pos[sel], 2 * pos[sel] + 1   # members of the group, and the rest
            kk, nn = float(k[sel].sum()), float(x[sel].sum())
            entities.append((quarters, level, key))
            w_cells += [g_atoms, o_atoms, np.concatenate([g_atoms, o_atoms])]
            w_values += [kk, nn - kk, nn]
        cells += w_cells
        values += w_values
        if len(windows) > 1:
            # Each window protected on its own first: the linked set then starts from what it hides, and its audit
            # has only the few cells that another window's shares narrow left to protect (a few times faster).
            seeded.append(disclosure.protect(w_cells, w_values, _whole_shares(np.asarray(w_values)))[1])
    values = np.asarray(values)
    also = _whole_shares(values)
    if seeded:
        also |= np.concatenate(seeded)
    primary, secondary = disclosure.protect(cells, values, also)
    count_small = (values > 0) & (values < 11)
    small = count_small.reshape(-1, 3).any(axis=1)
    hidden = (primary | secondary).reshape(-1, 3).any(axis=1)   # secondary holds ``also``
    # "<11" only where every small count behind the share keeps its "at most 10" (else that marker would pin a count
    # it adds up to, and the share is shown as withheld instead).
    uncapped = (count_small & ~primary).reshape(-1, 3).any(axis=1)
    codes = np.where(small & ~uncapped, "small", np.where(hidden | small, "withheld", ""))
    by_window: dict = {w: {"programme": {}, "area": {}, "city": ""} for w in windows}
    for (quarters, level, key), code in zip(entities, codes):
        if level == "city":
            by_window[quarters]["city"] = str(code)
        else:
            by_window[quarters][level][key] = str(code)
    return by_window


def _whole_shares(values: np.ndarray) -> np.ndarray:
    """The counts (k, n - k, n per share) hidden with a share that has one small count: its other non-zero counts (a
    zero, being safe to show, is left to the audit as if shown, which only gives the attacker more)."""
    small = ((values > 0) & (values < 11)).reshape(-1, 3).any(axis=1)
    return np.repeat(small, 3) & (values > 0)
