"""Which Volunteers rates to hide so that no count behind them can be narrowed: programmes and areas as one linked set.

Each published rate stands, for the audit, for the counts of people behind it (a rate shown with its pooled base
gives them back to within rounding):

- volunteers per participant: the active volunteers summed over the quarters that record them, and those quarters'
  participants;
- referrals to professionals per 100: the referrals k, the participants n and n - k (referrals to a professional are
  participants referred on);
- referrals from professionals per 100: the referrals and the participants;
- retention: the volunteers active at the start S, those retained and those lost.

An area's rate adds up its programmes' counts, and a programme's rates share counts with each other (the volunteers
active in the first and last quarters are retention's S and E, and part of volunteers per participant). So all the
rates of the window are protected as one linked set (:func:`core.analysis.disclosure.protect`), the unknowns being
the programme-quarter figures the inventory holds (participants split into the referred and the rest; for a programme
whose retention is published, its retained, lost and joined volunteers, which its first and last quarters add up).
A rate is published only where none of its counts is hidden; it shows "<11" where every small count behind it may be
capped at 10, else "suppressed".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.analysis import disclosure, reach_counts
from core.analysis.quarter_window import window
from core.analysis.suppression import MIN_CELL

PUBLISHED_LEVELS = ("area",)
"""Where the Volunteers page publishes the rates. By programme, most rates rest on 1-10 volunteers or referrals, and
protecting the rest against the area totals would hide nearly all of them (and their areas'): a programme's rates
are not published, its area's are, protected as one linked set."""
RATES = ("retention", "volunteers_per_participant", "referrals_to_per_100", "referrals_from_per_100")


def _num(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


class _Atoms:
    def __init__(self):
        self.ids: dict = {}
        self.true: dict = {}

    def __call__(self, key, value: float) -> int:
        if key not in self.ids:
            self.ids[key] = len(self.ids)
            self.true[key] = value
        return self.ids[key]


def hidden_rates(programs: pd.DataFrame, periods: pd.DataFrame, quarters: int = 4,
                 levels: tuple[str, ...] = ("programme", "area"), fixed: reach_counts.Fixed | None = None) -> dict:
    """What to hide of the Volunteers rates over the latest ``quarters``: ``{rate: {"programme": {program_id: code},
    "area": {area_id: code}}}``, code "" (shown), "small" (shown "<11") or "withheld" (shown "suppressed").

    ``programs``: the programmes the tables show (program_id, area_id); an area pools its programmes. ``levels``: the
    tables that publish rates (the Volunteers page publishes them by area only, see :data:`PUBLISHED_LEVELS`).
    ``fixed``: participant totals another page publishes (:func:`core.analysis.reach_counts.inclusion_counts`, rows
    of ``periods`` by position), held fixed in the set: no rate here may narrow them, nor they a hidden count here.

    Examples
    --------
    One area with two programmes: referrals from professionals 4 of 40 and 30 of 60 participants. The first is
    hidden; the area's 34 of 100, beside the second's rate, would give the 4 back, so it is withheld.

    >>> pr = pd.DataFrame({"program_id": ["a", "b"], "area_id": ["1", "1"]})
    >>> pe = pd.DataFrame({"program_id": ["a", "b"], "period": ["2025Q1"] * 2, "participants": [40, 60],
    ...                    "referrals_from_professional": [4, 30]})
    >>> h = hidden_rates(pr, pe, 1)["referrals_from_per_100"]
    >>> h["programme"], h["area"]
    ({'a': 'small', 'b': ''}, {'1': 'withheld'})
    """
    rows, _, _ = window(periods, quarters)
    rows = rows.loc[rows["program_id"].isin(set(programs["program_id"]))]
    q = rows["q"].to_numpy()
    owner = rows["program_id"].to_numpy()
    x, va, vj = _num(rows, "participants"), _num(rows, "volunteers_active"), _num(rows, "volunteers_joined")
    rt, rf = _num(rows, "referrals_to_professional"), _num(rows, "referrals_from_professional")
    atom = _Atoms()
    split = ~np.isnan(rt) & (rt <= np.nan_to_num(x))

    def x_terms(i):   # participants of row i
        if split[i]:
            return [(atom(("rt", i), rt[i]), 1.0), (atom(("xo", i), x[i] - rt[i]), 1.0)]
        return [(atom(("x", i), x[i]), 1.0)]

    # Retention's unknowns, per programme whose retention is modelled: S = R + L (first quarter), E = R + J (last).
    va_terms: dict[int, list] = {}
    retention: dict[str, tuple] = {}   # program_id -> (S terms, retained terms, lost terms, (S, retained, lost))
    for pid in pd.unique(owner):
        mine = np.flatnonzero(owner == pid)
        first = mine[(q[mine] == 0) & ~np.isnan(va[mine])]
        last = mine[(q[mine] == quarters - 1) & ~np.isnan(va[mine])]
        joined = mine[(q[mine] > 0) & ~np.isnan(vj[mine])]
        if quarters < 2 or len(first) != 1 or len(last) != 1 or len(joined) < quarters - 1:
            continue
        s, e, n = float(va[first[0]]), float(va[last[0]]), float(vj[joined].sum())
        if 0 <= e - n <= s:
            r, l_ = e - n, s - (e - n)
            R, L, J = atom(("R", pid), r), atom(("L", pid), l_), atom(("J", pid), n)
            va_terms[first[0]] = [(R, 1.0), (L, 1.0)]
            va_terms[last[0]] = [(R, 1.0), (J, 1.0)]
            retention[pid] = ([(R, 1.0), (L, 1.0)], [(R, 1.0)], [(L, 1.0)], (s, r, l_, e, n))
        else:   # clipped (0% or 100%): its counts are S and 0, or 0 and S
            retention[pid] = ([(atom(("va", first[0]), s), 1.0)], None, None, (s, np.nan, np.nan, e, n))

    def va_of(i):
        return va_terms.get(i) or [(atom(("va", i), va[i]), 1.0)]

    def rate_cells(sel: np.ndarray, rate: str, pids) -> list[tuple[list, float]]:
        """The counts behind one rate over the rows ``sel`` (and, for retention, the programmes ``pids``)."""
        if rate == "retention":
            done = [retention[p] for p in pids if p in retention]
            if not done:
                return []
            s = sum(d[3][0] for d in done)
            out = [(sum((d[0] for d in done), []), s)]
            if all(d[1] is not None for d in done):
                r = sum(d[3][1] for d in done)
                out += [(sum((d[1] for d in done), []), r), (sum((d[2] for d in done), []), s - r)]
            else:
                # A programme's E - N falls outside 0-S: the pooled retained count (clipped as the page clips it) is
                # not a sum of unknowns; it still decides, with the lost, whether the rate is small.
                r = min(max(sum(d[3][3] for d in done) - sum(d[3][4] for d in done), 0.0), s)
                forced.add(len(cells)) if (0 < r < MIN_CELL or 0 < s - r < MIN_CELL) else None
            return out
        if rate == "volunteers_per_participant":
            have = sel[~np.isnan(va[sel])]
            return [(sum((va_of(i) for i in have), []), float(va[have].sum())),
                    (sum((x_terms(i) for i in have), []), float(x[have].sum()))]
        if rate == "referrals_to_per_100":
            have = sel[~np.isnan(rt[sel])]
            k, n = float(rt[have].sum()), float(x[have].sum())
            if not split[have].all():
                return [([(atom(("rt", i), rt[i]), 1.0) for i in have], k),
                        (sum((x_terms(i) for i in have), []), n)]
            return [([(atom(("rt", i), rt[i]), 1.0) for i in have], k), (sum((x_terms(i) for i in have), []), n),
                    ([(atom(("xo", i), x[i] - rt[i]), 1.0) for i in have], n - k)]
        have = sel[~np.isnan(rf[sel])]
        return [([(atom(("rf", i), rf[i]), 1.0) for i in have], float(rf[have].sum())),
                (sum((x_terms(i) for i in have), []), float(x[have].sum()))]

    area_of = programs.set_index("program_id")["area_id"]
    row_area = pd.Series(owner).map(area_of).to_numpy()
    entities = ([("programme", p, owner == p, [p]) for p in programs["program_id"] if (owner == p).any()]
                * ("programme" in levels)
                + [("area", a, row_area == a, sorted(set(owner[row_area == a])))
                   for a in pd.unique(row_area[pd.notna(row_area)])] * ("area" in levels))
    cells, weights, values, rate_of = [], [], [], []
    forced: set = set()   # the first cell of a rate that is small by a count not modelled as a cell
    for k, (_, _, sel, pids) in enumerate(entities):
        sel = np.flatnonzero(sel)
        for rate in RATES:
            found = [(t, v) for t, v in rate_cells(sel, rate, pids) if t]
            if not found:
                continue
            # A rate exists where its base does (participants; for retention, S).
            base = found[0][1] if rate == "retention" else (found[1][1] if len(found) > 1 else 0)
            if not base > 0:
                continue
            for terms, value in found:
                ids: dict = {}
                for a, w in terms:
                    ids[a] = ids.get(a, 0.0) + w
                cells.append(np.fromiter(ids, dtype=np.int64))
                weights.append(np.fromiter(ids.values(), dtype=float))
                values.append(value)
                rate_of.append((k, rate))
    own = len(values)
    mask, wanted, loose = None, None, None
    if fixed is not None and len(fixed.cells):
        # The other page's totals on this set's unknowns: a row in the window is its participants' terms here.
        at = dict(zip(periods.index.get_indexer(rows.index), range(len(rows))))
        whole = _num(periods, "participants")
        for cell, value in zip(fixed.cells, fixed.values):
            ids: dict = {}
            for r in cell:
                for a, w in (x_terms(at[r]) if r in at else [(atom(("X", int(r)), whole[r]), 1.0)]):
                    ids[a] = ids.get(a, 0.0) + w
            cells.append(np.fromiter(ids, dtype=np.int64))
            weights.append(np.fromiter(ids.values(), dtype=float))
            values.append(float(value))
        mask = np.arange(len(values)) >= own
        wanted = np.concatenate([np.ones(own, bool), fixed.targets])
        loose = np.concatenate([np.zeros(own, bool), fixed.uncapped])
    values = np.asarray(values, dtype=float)
    small = ((values > 0) & (values < MIN_CELL))[:own]
    rate_small_extra = np.zeros(own, bool)
    rate_small_extra[sorted(forced)] = True
    keys = pd.Series(rate_of, dtype=object)
    rate_small = pd.Series(small | rate_small_extra).groupby(keys.map(str)).transform("any").to_numpy(dtype=bool)
    also = np.concatenate([rate_small & (values[:own] > 0), np.zeros(len(values) - own, bool)])
    primary, secondary = disclosure.protect(cells, values, also, weights, fixed=mask, targets=wanted, uncapped=loose)
    primary, secondary = primary[:own], secondary[:own]
    hidden = pd.Series(primary | secondary).groupby(keys.map(str)).transform("any").to_numpy(dtype=bool)
    # "<11" only where every small count behind the rate keeps its "at most 10".
    uncapped = pd.Series(small & ~primary).groupby(keys.map(str)).transform("any").to_numpy(dtype=bool)
    out: dict = {rate: {"programme": {}, "area": {}} for rate in RATES}
    for (k, rate), s, h, u in zip(rate_of, rate_small, hidden, uncapped):
        level, key = entities[k][0], entities[k][1]
        out[rate][level][key] = "small" if s and not u else ("withheld" if h or s else "")
    return out
