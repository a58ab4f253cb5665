"""Which Inclusion shares to hide so that no count behind them can be narrowed: every level, window and group linked.

A group share k/n shown with its Wilson interval gives back k, n and n - k (the interval pins n, the share then k),
so each published share stands, for the audit, for three published counts. A programme's counts add up into its
area's and the city's, so a share hidden on its own (a count of 1-10) could be recovered as the area's counts minus
the other programmes'. The three levels are therefore protected as one linked set
(:func:`core.analysis.disclosure.protect`): the unknowns are each programme-quarter's members of the group and its
other participants, and a share is published only where none of its three counts is hidden. A visitor can also read
every window the page offers and set them against each other, so a group's windows are one linked set too; and every
group, whose shares count the same participants, so the groups are then read together (:func:`hidden_states`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.analysis import disclosure
from core.analysis.inclusion import GROUP_BY_KEY
from core.analysis.intervals import wilson_totals
from core.analysis.quarter_window import window
from core.analysis.suppression import MIN_CELL


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
    window on its own hides. Groups share their participants: a share shown in one group tells, through its
    interval, about how many took part, which another group may hide. So the groups are then read together
    (:func:`_across_groups`) and more is hidden where that narrows a count.

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
    every = periods.reset_index(drop=True)
    sets = [_linked_group(programs, every, g, tuple(windows)) for g in dict.fromkeys(groups)]
    if len(sets) > 1:
        _across_groups(sets, every, tuple(windows))
    return {(s.group, w): codes for s in sets for w, codes in s.codes().items()}


@dataclass
class _GroupSet:
    """One group's shares over every window, protected: three counts per share (k, n - k, n)."""

    group: str
    entities: list          # (quarters, level, key) per share
    rows: list              # the period rows each share pools (those recording the group)
    values: np.ndarray
    primary: np.ndarray     # counts shown "<11"
    hidden: np.ndarray      # every count hidden, "<11" or not

    def shares(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per count, whether it is 1-10; per share, whether it is hidden, and whether it is withheld: "<11" only
        where every small count behind the share keeps its "at most 10" (else that marker would pin a count it adds
        up to, and the share is shown as withheld instead)."""
        count_small = (self.values > 0) & (self.values < MIN_CELL)
        hidden = (self.hidden | count_small).reshape(-1, 3).any(axis=1)
        withheld = hidden & (count_small & ~self.primary).reshape(-1, 3).any(axis=1)
        return count_small, hidden, withheld

    def codes(self) -> dict:
        """``{quarters: codes}``: "" (shown), "small" or "withheld" per share, as :func:`hidden_shares` gives them."""
        count_small, hidden, withheld = self.shares()
        small = count_small.reshape(-1, 3).any(axis=1)
        codes = np.where(small & ~withheld, "small", np.where(hidden, "withheld", ""))
        by_window: dict = {}
        for (quarters, level, key), code in zip(self.entities, codes):
            states = by_window.setdefault(quarters, {"programme": {}, "area": {}, "city": ""})
            if level == "city":
                states["city"] = str(code)
            else:
                states[level][key] = str(code)
        return by_window


def _linked_group(programs: pd.DataFrame, every: pd.DataFrame, group: str, windows: tuple) -> _GroupSet:
    """One group's shares over every window as one linked set (``every``: the period rows, numbered from 0)."""
    k_all = _group_counts(every, group)
    x_all = pd.to_numeric(every["participants"], errors="coerce").to_numpy(dtype=float)
    owner_all = every["program_id"].to_numpy()
    area_of = programs.set_index("program_id")["area_id"]
    entities, rows_of, cells, values, seeded = [], [], [], [], []
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
            rows_of.append(pos[sel])
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
    return _GroupSet(group, entities, rows_of, values, primary, primary | secondary)


def _across_groups(sets: list[_GroupSet], every: pd.DataFrame, windows: tuple) -> None:
    """Protect the groups' shares read together, from what each group's own set hides (``sets``, updated in place).

    The unknowns are each period row's members and others per group, and each row's participants are the same in
    every group that records it (rows alike in programme, windows and groups recorded are tied by their sums, which
    allows the same totals). A shown share counts as giving back its k exactly and its n as far as its rounded share
    and interval tell (:func:`core.analysis.intervals.wilson_totals`): more than a reader can tell of k, which is the
    safe side. A hidden share's counts are unknown (its zeros too, which each group's own set takes as shown); a
    withheld share's small counts are published with no "at most 10", as the page shows them."""
    n_groups, n_rows = len(sets), len(every)
    cells, values, ranges_lo, ranges_hi, hidden, loose = [], [], [], [], [], []
    for gi, s in enumerate(sets):
        count_small, codes, withheld = s.shares()
        loose += list(np.repeat(withheld, 3) & count_small)
        for j, rows in enumerate(s.rows):
            members, others = (rows * n_groups + gi) * 2, (rows * n_groups + gi) * 2 + 1
            cells += [members, others, np.concatenate([members, others])]
            k, rest, n = s.values[3 * j:3 * j + 3]
            values += [k, rest, n]
            if codes[j]:   # none of its counts is published: its zeros are unknown too (the others, at least 1)
                ranges_lo += [0.0 if c == 0 else np.nan for c in (k, rest, n)]
                ranges_hi += [np.inf if c == 0 else np.nan for c in (k, rest, n)]
            elif n == 0:
                ranges_lo += [np.nan] * 3
                ranges_hi += [np.nan] * 3
            else:
                n_lo, n_hi = wilson_totals(int(k), int(n))
                ranges_lo += [np.nan, n_lo - k, n_lo]
                ranges_hi += [np.nan, n_hi - k, n_hi]
            hidden += [bool(codes[j])] * 3
    # The ties: a row's participants counted in one group equal those counted in the next group recording it.
    recorded = np.array([~np.isnan(_group_counts(every, s.group)) for s in sets])
    in_window = np.array([np.isin(np.arange(n_rows), window(every, q)[0].index.to_numpy()) for q in windows])
    classes = pd.DataFrame({"p": every["program_id"].to_numpy(),
                            **{f"w{i}": w for i, w in enumerate(in_window)},
                            **{f"r{i}": r for i, r in enumerate(recorded)}})
    weights = [np.ones(len(c)) for c in cells]
    for idx in classes.groupby(list(classes.columns), sort=False).indices.values():
        idx = np.asarray(idx)
        if not in_window[:, idx[0]].any():
            continue
        seen = [gi for gi in range(n_groups) if recorded[gi, idx[0]]]
        for a, b in zip(seen, seen[1:]):
            first, second = (idx * n_groups + a) * 2, (idx * n_groups + b) * 2
            cells.append(np.concatenate([first, first + 1, second, second + 1]))
            weights.append(np.concatenate([np.ones(2 * len(idx)), -np.ones(2 * len(idx))]))
            values.append(0.0)
            ranges_lo.append(np.nan)
            ranges_hi.append(np.nan)
            hidden.append(False)
            loose.append(False)
    values = np.asarray(values)
    hidden = np.asarray(hidden) & (values > 0)
    loose = np.asarray(loose)
    primary, secondary = disclosure.protect(cells, values, hidden, weights, targets=~loose, uncapped=loose,
                                            ranges=(np.asarray(ranges_lo), np.asarray(ranges_hi)))
    start = 0   # each group's counts come first, in order, then the ties
    for s in sets:
        mine = slice(start, start + len(s.values))
        start = mine.stop
        # Only more is hidden: a "<11" the group's own set dropped (it would pin a count) stays dropped.
        s.primary = primary[mine] & s.primary
        s.hidden = (primary | secondary)[mine] | s.hidden


def _group_counts(every: pd.DataFrame, group: str) -> np.ndarray:
    """Each period row's participants in ``group`` (NaN where the row does not record it)."""
    column = GROUP_BY_KEY[group].column
    return (pd.to_numeric(every[column], errors="coerce").to_numpy(dtype=float) if column in every
            else np.full(len(every), np.nan))


def _whole_shares(values: np.ndarray) -> np.ndarray:
    """The counts (k, n - k, n per share) hidden with a share that has one small count: its other non-zero counts (a
    zero, being safe to show, is left to the audit as if shown, which only gives the attacker more)."""
    small = ((values > 0) & (values < MIN_CELL)).reshape(-1, 3).any(axis=1)
    return np.repeat(small, 3) & (values > 0)
