"""The attacker's view of the Inclusion and Volunteers pages and the neighbourhood brief: shares and rates as constraints.

A share s shown to d decimals of k/n (k, n sums of the inventory's finest figures) says ``k - (s+h)·n <= 0`` and
``k - (s-h)·n >= 0``, h half the rounding step; a Wilson interval shown beside it also bounds n (the n whose
rounded share and interval match, :func:`wilson_n`). A rate shown "<11" says that some count behind it is 1-10; the
attacker is granted, conservatively, which one (the count that truly is 1-10), as a "<11" cell of its own.

Unknowns, per programme-quarter row i: ``("x", i)`` participants, ``("g", group, i)`` those in a group,
``("va", i)`` volunteers active, ``("vj", i)`` joined,
``("rt", i)`` / ``("rf", i)`` referrals to / from professionals.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import numpy as np
import pandas as pd
from scipy.stats import norm

from core.analysis import inclusion as inc
from core.analysis.intervals import wilson
from core.analysis.quarter_window import window
from core.analysis.suppression import MIN_CELL
from core.views import inclusion as incv
from core.views import reach_brief
from core.views import volunteers as vov

SHARE_HALF = 0.0005         # a percentage to one decimal
N_SEARCH = 20_000           # the largest n :func:`wilson_n` looks for
_Z = float(norm.ppf(0.975))  # the 95% interval's normal quantile


def _small(x) -> bool:
    return x is not None and not np.isnan(x) and 0 < x < MIN_CELL


def _value(text: str) -> float | None:
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        return None


@functools.lru_cache(maxsize=200_000)
def wilson_n(share: float, lo: float, hi: float) -> tuple[int, int | None] | None:
    """The smallest and largest n (None: beyond :data:`N_SEARCH`) for which some k gives this share and Wilson
    interval, each rounded to 0.1%."""
    n = np.arange(1, N_SEARCH + 1, dtype=float)
    # Only the n whose interval can be as wide as the one shown (each end rounded to 0.05 points, the share to
    # 0.05 points) are tried: the half-width grows with p(1 - p), so the share's extremes bound it.
    p_lo, p_hi = max(share / 100 - 0.0005, 0.0), min(share / 100 + 0.0005, 1.0)
    near, far = min(max(0.5, p_lo), p_hi), (p_lo if abs(p_lo - 0.5) > abs(p_hi - 0.5) else p_hi)
    half = (hi - lo) / 200

    def width(p):   # Wilson's half-width, as core.analysis.intervals writes it (without its checks: a filter only)
        return _Z * np.sqrt(p * (1 - p) / n + _Z ** 2 / (4 * n ** 2)) / (1 + _Z ** 2 / n)

    n = n[(width(far) <= half + 0.0005 + 1e-7) & (width(near) >= half - 0.0005 - 1e-7)]
    if not len(n):
        return None
    ok = np.zeros(len(n), bool)
    first = np.ceil((share - 0.05) / 100 * n - 1e-9)
    last = np.floor((share + 0.05) / 100 * n + 1e-9)
    for step in range(int((last - first).max()) + 1):
        k = first + step
        live = (k <= last) & (k >= 0) & (k <= n)
        if not live.any():
            continue
        a, b = wilson(np.where(live, k, 0), n)
        ok |= live & ((np.round(k / n * 100, 1) == share) & (np.round(a * 100, 1) == lo)
                      & (np.round(b * 100, 1) == hi))
    if not ok.any():
        return None
    found = n[ok]
    return int(found.min()), (int(found.max()) if found.max() < N_SEARCH else None)


def _terms(*parts) -> dict:
    out: dict = {}
    for weight, atoms in parts:
        for a in atoms:
            out[a] = out.get(a, 0.0) + weight
    return out


class Reach:
    """Adds the shares and rates of the reach pages to a :class:`tests.attacker.Published`."""

    def __init__(self, pub, periods: pd.DataFrame):
        self.pub = pub
        self.periods = periods      # program_period, with "q" (its quarter index)
        # Numeric columns as arrays (row numbers index them): pandas lookups per cell would be slow.
        numeric = [g.column for g in inc.GROUPS] + ["participants", "volunteers_active", "volunteers_joined",
                                                      "referrals_to_professional", "referrals_from_professional"]
        self.col = {c: pd.to_numeric(periods[c], errors="coerce").to_numpy(dtype=float) for c in numeric}

    # --- shares of a group among participants -------------------------------------------------------------

    def group_share(self, source: str, rows: np.ndarray, group: str, share: str, lo: str, hi: str) -> None:
        """One published group share (rows: the programme-quarter rows it pools, before the recording filter)."""
        rows = rows[~np.isnan(self.col[inc.GROUP_BY_KEY[group].column][rows])]
        if not len(rows):
            return
        k = [("g", group, int(i)) for i in rows]
        n = [("x", int(i)) for i in rows]
        outside = _terms((1.0, n), (-1.0, k))
        # The group is part of the participants (stated per share, not per row: that keeps the programs small).
        self.pub.add_terms(f"{source} k <= n", outside, "relation", 0.0, None)
        s = _value(share)
        if s is not None:
            self.ratio(source, k, n, s / 100, SHARE_HALF)
            a, b = _value(lo), _value(hi)
            found = wilson_n(s, a, b) if a is not None and b is not None else None
            if found is not None:
                self.pub.add_terms(f"{source} n from its interval", _terms((1.0, n)), "relation", *found)
        elif str(share).strip() == "<11":
            true_k = float(self.col[inc.GROUP_BY_KEY[group].column][rows].sum())
            true_n = float(self.col["participants"][rows].sum())
            self.hidden(source, [(n, true_n), (k, true_k), (outside, true_n - true_k)])

    # --- any rate or share ----------------------------------------------------------------------------------

    def ratio(self, source: str, num, den, s: float, half: float, low_clip: bool = False,
              high_clip: bool = False, num_minus=()) -> None:
        """num/den shown as s ± half: two linear constraints (a side is dropped where a clip may bind)."""
        eps = 1e-9
        top = _terms((1.0, num), (-1.0, num_minus), (-(s + half + eps), den))
        bottom = _terms((1.0, num), (-1.0, num_minus), (-(max(s - half - eps, 0.0)), den))
        if not (high_clip and s + half >= 1):
            self.pub.add_terms(f"{source} (at most)", top, "relation", None, 0.0)
        if not (low_clip and s - half <= 0):
            self.pub.add_terms(f"{source} (at least)", bottom, "relation", 0.0, None)

    def hidden(self, source: str, candidates) -> None:
        """A rate shown "<11": the first count behind it that truly is 1-10 becomes a "<11" cell."""
        for terms, true in candidates:
            if _small(true):
                terms = terms if isinstance(terms, dict) else _terms((1.0, terms))
                self.pub.add_terms(f"{source} <11", terms, "<11")
                return

    def withheld(self, source: str, candidates) -> None:
        """A rate shown "suppressed" (hidden to protect a small count elsewhere): it says only that the rate is
        hidden. The attacker is granted, conservatively, that its first non-zero count is at least 1, and that cell
        must not be pinned."""
        for terms, true in candidates:
            if true is not None and not np.isnan(true) and true >= 1:
                terms = terms if isinstance(terms, dict) else _terms((1.0, terms))
                self.pub.add_terms(f"{source} suppressed", terms, "suppressed")
                return


def inclusion_states(rng, n: int) -> list[incv.InclusionState]:
    return [incv.InclusionState(rng.choice(incv.GROUP_KEYS), rng.choice(incv.QUARTER_CHOICES)) for _ in range(n)]


def volunteer_states(rng, n: int) -> list[vov.VolunteerState]:
    return [vov.VolunteerState(rng.choice(vov.QUARTER_CHOICES), round(rng.uniform(vov.HOURLY_MIN + 1, 80), 2))
            for _ in range(n)]


def _window_rows(periods: pd.DataFrame, quarters: int) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of the window's rows and their quarter index (0 = first), as the product's window()."""
    rows, _, _ = window(periods, quarters)
    return rows.index.to_numpy(), rows["q"].to_numpy()


def _ids_by_name(programs: pd.DataFrame) -> dict[str, str]:
    """Programme name -> id, for names that name one programme only."""
    counts = programs["name"].value_counts()
    return {n: p for n, p in zip(programs["name"], programs["program_id"]) if counts[n] == 1}


def _csv(data: bytes) -> pd.DataFrame:
    import io
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def gather_inclusion(reach: Reach, data: incv.InclusionData, state: incv.InclusionState) -> None:
    """The Inclusion page's downloads: by group (citywide), by area and by programme (language access and
    provision hold no inventory counts of people: census speakers and weekly places)."""
    periods = reach.periods
    rows, _ = _window_rows(periods, state.quarters)
    owner = periods.loc[rows, "program_id"].to_numpy()
    prog = _ids_by_name(data.programs)
    t = _csv(incv.download(incv.programme_disparities(data, state)))
    for _, r in t.iterrows():
        pid = prog.get(r["Programme"])
        if pid is not None:
            reach.group_share(f"inclusion programme {r['Programme']} {state.group}", rows[owner == pid], state.group,
                              r["Participants in group (%)"], r["95% CI low (%)"], r["95% CI high (%)"])
    area_of = data.programs.set_index("program_id")["area_id"]
    row_area = pd.Series(owner).map(area_of).to_numpy()
    names = data.areas.set_index("name")["area_id"]
    t = _csv(incv.download(incv.area_disparities(data, state)))
    for _, r in t.iterrows():
        if r["Area"] in names.index:
            reach.group_share(f"inclusion area {r['Area']} {state.group}", rows[row_area == names[r["Area"]]],
                              state.group, r["Participants in group (%)"], r["95% CI low (%)"], r["95% CI high (%)"])
    t = _csv(incv.download(incv.group_summary(data, state)))
    labels = {g.label: g.key for g in inc.GROUPS}
    for _, r in t.iterrows():
        if r["Group"] in labels:
            reach.group_share(f"inclusion city {labels[r['Group']]}", rows, labels[r["Group"]],
                              r["Participants in group (%)"], r["95% CI low (%)"], r["95% CI high (%)"])


def _volunteer_rates(reach: Reach, source: str, rows: np.ndarray, q: np.ndarray, quarters: int, r: pd.Series,
                     rates: bool = True, retention: bool = True) -> None:
    """The four rates of one row of a Volunteers table, over its programme-quarter rows (``q`` their quarter)."""
    col = reach.col

    def true(column, sel):
        return float(np.nansum(col[column][sel]))

    if rates:
        _people_rates(reach, source, rows, r)
    # Retention: (E - N) / S, S and E the active of the first and last quarters, N those who joined since.
    text = r["Retention over the window (%)"]
    if not retention or quarters < 2 or text == "":
        return
    active = ~np.isnan(col["volunteers_active"][rows])
    first, last = rows[(q == 0) & active], rows[(q == quarters - 1) & active]
    joined = rows[(q > 0) & ~np.isnan(col["volunteers_joined"][rows])]
    s_at = [("va", int(i)) for i in first]
    e_at = [("va", int(i)) for i in last]
    n_at = [("vj", int(i)) for i in joined]
    if _value(text) is not None:
        reach.ratio(f"{source} retention", e_at, s_at, _value(text) / 100, SHARE_HALF, low_clip=True, high_clip=True,
                    num_minus=n_at)
    elif text == "<11":
        s, e, n = true("volunteers_active", first), true("volunteers_active", last), true("volunteers_joined", joined)
        retained = _terms((1.0, e_at), (-1.0, n_at))
        lost = _terms((1.0, s_at), (-1.0, e_at), (1.0, n_at))
        # Where the clip binds, E - N is not the retained count: no cell for it.
        clipped = not (0 <= e - n <= s)
        reach.hidden(f"{source} retention", [(s_at, s)] + ([] if clipped else [(retained, e - n), (lost, s - e + n)]))
    elif text == "suppressed":
        reach.withheld(f"{source} retention", [(s_at, true("volunteers_active", first))])


def _people_rates(reach: Reach, source: str, rows: np.ndarray, r: pd.Series) -> None:
    """Volunteers per participant and referrals per 100 participants, over the quarters that record them."""
    col = reach.col

    def have(column):
        return rows[~np.isnan(col[column][rows])]

    def true(column, sel):
        return float(np.nansum(col[column][sel]))

    act = have("volunteers_active")
    va, base = [("va", int(i)) for i in act], [("x", int(i)) for i in act]
    text = r["Volunteers per participant"]
    if _value(text) is not None:
        reach.ratio(f"{source} volunteers per participant", va, base, _value(text), 0.005)
    elif text == "<11":
        reach.hidden(f"{source} volunteers per participant", [(base, true("participants", act)),
                                                              (va, true("volunteers_active", act))])
    elif text == "suppressed":
        reach.withheld(f"{source} volunteers per participant", [(va, true("volunteers_active", act)),
                                                                (base, true("participants", act))])
    # Referrals to and from professionals per 100 participants.
    for column, atom, label in (("referrals_to_professional", "rt", "Referrals to professionals per 100 participants"),
                                ("referrals_from_professional", "rf",
                                 "Referrals from professionals per 100 participants")):
        sel = have(column)
        k, n = [(atom, int(i)) for i in sel], [("x", int(i)) for i in sel]
        text = r[label]
        if _value(text) is not None:
            reach.ratio(f"{source} {atom} per 100", k, n, _value(text) / 100, SHARE_HALF)
        elif text == "<11":
            tk, tn = true(column, sel), true("participants", sel)
            reach.hidden(f"{source} {atom} per 100", [(n, tn), (k, tk)]
                         + ([(_terms((1.0, n), (-1.0, k)), tn - tk)] if atom == "rt" else []))
        elif text == "suppressed":
            reach.withheld(f"{source} {atom} per 100", [(k, true(column, sel)), (n, true("participants", sel))])


def gather_volunteers(reach: Reach, data: vov.VolunteerData, state: vov.VolunteerState) -> None:
    """The Volunteers & partners page's downloads. By area and by programme hold rates built on people; partnerships
    by role and the unpartnered areas count programmes, not people (facts of the public programme list)."""
    from core.analysis import volunteers as vo

    periods = reach.periods
    rows, q = _window_rows(periods, state.quarters)
    owner = periods.loc[rows, "program_id"].to_numpy()
    per = vo.program_volunteers(data.programs, data.periods, state.quarters, state.hourly).set_index("program_id")
    complete = per[["S", "E", "N"]].notna().all(axis=1)
    prog = _ids_by_name(data.programs)
    for _, r in _csv(vov.download(vov.programme_table(data, state))).iterrows():
        pid = prog.get(r["Programme"])
        if pid is not None and "Volunteers per participant" in r:   # rates by programme: published no more
            sel = owner == pid
            _volunteer_rates(reach, f"volunteers programme {r['Programme']}", rows[sel], q[sel], state.quarters, r,
                             retention=bool(complete.get(pid, False)))
    area_of = data.programs.set_index("program_id")["area_id"]
    names = data.areas.set_index("name")["area_id"]
    for _, r in _csv(vov.download(vov.area_table(data, state))).iterrows():
        if r["Area"] not in names.index:
            continue
        mine = set(area_of.index[area_of == names[r["Area"]]])
        sel = np.isin(owner, list(mine))
        _volunteer_rates(reach, f"volunteers area {r['Area']}", rows[sel], q[sel], state.quarters, r,
                         retention=False)
        # Pooled retention counts only the programmes that report S, E and N.
        done = np.isin(owner, [p for p in mine if complete.get(p, False)])
        _volunteer_rates(reach, f"volunteers area {r['Area']}", rows[done], q[done], state.quarters, r, rates=False)
    # Partnerships by role and unpartnered areas: programme counts only; read to be sure they are there.
    vov.role_table(data), vov.unpartnered_table(data)


_LINE = re.compile(r"^([\d.]+)% of participants \(95% CI ([\d.]+)–([\d.]+)%\)")


def area_programmes(programs: pd.DataFrame, area_id: str, as_of) -> pd.DataFrame:
    """The programmes a brief lists for an area: based there and active on the as-of date (as brief_data)."""
    active = (pd.to_datetime(programs["start_date"]) <= pd.Timestamp(as_of)) & (
        programs["end_date"].isna() | (pd.to_datetime(programs["end_date"]) >= pd.Timestamp(as_of)))
    return programs.loc[active & (programs["area_id"] == area_id)].reset_index(drop=True)


def gather_brief(reach: Reach, con, programs: pd.DataFrame, area_ids, as_of: dt.date, data=None) -> None:
    """The brief's "who is reached" lines of some areas: each group's share among the area's participants over its
    programmes' latest four quarters (``data``: the Inclusion data, to share its protection cache; hours, dollars and programme counts are not counts of people)."""
    periods = reach.periods
    for area_id in area_ids:
        progs = area_programmes(programs, area_id, as_of)
        if not len(progs):
            continue
        lines = reach_brief.reach_lines(con, area_id, progs, data)
        # The brief's shares are the Inclusion page's area rows over the latest four quarters.
        rows, _ = _window_rows(periods, reach_brief.QUARTERS)
        rows = rows[np.isin(periods.loc[rows, "program_id"].to_numpy(), progs["program_id"].to_numpy())]
        for g in inc.GROUPS:
            text = lines.get(f"Reached: {g.label}", "")
            m = _LINE.match(text)
            source = f"brief area {area_id} {g.key}"
            if m:
                reach.group_share(source, rows, g.key, *m.groups())
            elif text.startswith("not shown: fewer"):
                reach.group_share(source, rows, g.key, "<11", "", "")
