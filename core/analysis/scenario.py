"""Funding scenarios: remove a funder, a source type or the grants ending before a date, and see the capacity lost."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.analysis import funding as fu

KINDS = ("funder", "source_type", "ends_before")
MODES = ("close", "shrink")

_SOURCE_PHRASES = {
    "local government": "local government funding stops",
    "state or federal": "state and federal funding stops",
    "business": "business funding stops",
    "foundation": "foundation funding stops",
    "community donations": "community donations stop",
    "in-kind": "in-kind support stops",
}


@dataclass(frozen=True)
class Scenario:
    """A funding shock to test.

    Parameters
    ----------
    kind : 'funder' (remove one funder's grants), 'source_type' (remove every grant of one source type)
        or 'ends_before' (grants ending before a date are not renewed).
    value : the funder's name, the source type, or the date (anything ``pandas.Timestamp`` reads).
    threshold : a programme is *affected* when it loses more than this share of its annual budget.
    mode : what happens to an affected programme: 'close' (its capacity goes to 0) or 'shrink' (its
        capacity falls in proportion to the budget lost).

    Examples
    --------
    >>> Scenario("ends_before", "2027-01-01").describe()
    'grants ending before 1 January 2027 are not renewed'
    """

    kind: str
    value: str | dt.date
    threshold: float = 0.5
    mode: str = "close"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Scenario kind must be one of {KINDS}, got {self.kind!r}")
        if self.mode not in MODES:
            raise ValueError(f"Scenario mode must be one of {MODES}, got {self.mode!r}")
        if not 0 <= float(self.threshold) < 1:
            raise ValueError(f"Scenario threshold must be in [0, 1), got {self.threshold!r}")
        if self.kind == "ends_before":
            object.__setattr__(self, "value", pd.Timestamp(self.value).date())
        elif self.kind == "source_type" and self.value not in fu.SOURCE_TYPES:
            raise ValueError(f"source type must be one of {fu.SOURCE_TYPES}, got {self.value!r}")

    def describe(self) -> str:
        """The condition in plain words, to follow "If ..."."""
        if self.kind == "funder":
            return f"{self.value} withdraws"
        if self.kind == "source_type":
            return _SOURCE_PHRASES[self.value]
        d = self.value
        return f"grants ending before {d.day} {d:%B %Y} are not renewed"


def _lost_to_removal(programs, funding, scenario, as_of) -> pd.DataFrame:
    contrib = fu.budget_contributions(programs, funding, as_of)
    removed = contrib[contrib[scenario.kind] == scenario.value]
    return removed.groupby("program_id").agg(lost_share=("share_of_budget", "sum"), n_grants=("funding_id", "size"))


def _lost_to_non_renewal(programs, funding, scenario, as_of) -> pd.DataFrame:
    g = fu.grant_intervals(funding)
    now, horizon, cutoff = fu.day_number(as_of), fu.shift_months(as_of, 12), fu.day_number(scenario.value)
    last_day = g["end_excl"] - 1
    g = g[(g["status"] == "committed") & (last_day >= now) & (last_day < cutoff)]
    # Months of the next 12 after the grant's last day, had it carried on at its yearly rate.
    stop = np.minimum(np.maximum(g["end_excl"].to_numpy(), now), horizon)
    g = g.assign(lost=g["rate"].to_numpy() * fu.months_between(stop, np.full(len(g), horizon)) / 12)
    g = g[g["lost"] > 0]
    return g.groupby("program_id").agg(lost=("lost", "sum"), n_grants=("lost", "size"))


def apply_scenario(programs: pd.DataFrame, funding: pd.DataFrame, scenario: Scenario, as_of) -> pd.DataFrame:
    """Budget and weekly capacity each programme loses under a scenario.

    How the budget lost is measured (``annual_budget`` is :func:`core.analysis.funding.annual_budget`):

    - ``funder`` / ``source_type``: the removed grants' part of the annual budget, i.e. the sum of their
      ``share_of_budget`` from :func:`core.analysis.funding.budget_contributions` (their yearly rates, as
      parts of the annual budget). ``lost_share`` is that sum (at most 1) and ``budget_lost = lost_share x
      annual_budget``. The same shares give :func:`core.analysis.funding_selection.by_funder`, so a funder's
      ``capacity_underwritten`` is exactly what a 'shrink' scenario with threshold 0 removes.
    - ``ends_before`` date D: every *committed* grant whose last day falls in ``[as_of, D)`` is not
      renewed. Each stops contributing after its end date; the money lost is what it would have supplied
      over the next 12 months, ``[as_of, as_of + 12 months)``, had it carried on at its annualised rate
      past that date: ``yearly rate x (months of that window after its end date) / 12``. Grants
      already ended before ``as_of``, pending grants and grants ending on or after D lose nothing.
      ``lost_share = min(1, budget_lost / annual_budget)``.

    A programme is ``affected`` when ``lost_share > scenario.threshold``. Under 'close' an affected
    programme's ``capacity_after`` is 0; under 'shrink' it is ``weekly_capacity x (1 - lost_share)``.
    Unaffected programmes keep their capacity. A programme whose budget is unknown loses nothing.

    Parameters
    ----------
    programs : the ``program`` table (``program_id``, ``weekly_capacity``, ``declared_budget``; ``area_id``
        is carried through when present).
    funding : the ``funding`` table.
    scenario : :class:`Scenario`.
    as_of : date-like.

    Returns
    -------
    DataFrame per programme, in the order of ``programs``: ``program_id``, [``area_id``],
    ``annual_budget``, ``budget_lost``, ``lost_share``, ``n_grants_removed``, ``affected``,
    ``capacity_before``, ``capacity_after``.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a", "b"], "weekly_capacity": [40.0, 10.0], "declared_budget": [None, None]})
    >>> f = pd.DataFrame({"program_id": ["a", "a", "b"], "funder": ["X", "Y", "Y"],
    ...                   "source_type": ["business"] * 3, "amount": [600.0, 400.0, 100.0],
    ...                   "start_date": ["2025-07-01"] * 3, "end_date": ["2026-06-30"] * 3,
    ...                   "status": ["committed"] * 3})
    >>> e = apply_scenario(p, f, Scenario("funder", "X"), "2026-01-01")
    >>> e[["lost_share", "affected", "capacity_after"]].values.tolist()
    [[0.6, True, 0.0], [0.0, False, 10.0]]
    """
    budget = fu.annual_budget(programs, funding, as_of)["annual_budget"].to_numpy(dtype=float)
    pid = programs["program_id"]
    if scenario.kind == "ends_before":
        lost = _lost_to_non_renewal(programs, funding, scenario, as_of)
        budget_lost_raw = pid.map(lost["lost"]).astype(float).fillna(0.0).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.minimum(1.0, budget_lost_raw / budget)
    else:
        lost = _lost_to_removal(programs, funding, scenario, as_of)
        share = np.minimum(1.0, pid.map(lost["lost_share"]).astype(float).fillna(0.0).to_numpy())
    share = np.where(np.isfinite(budget) & (budget > 0), share, 0.0)
    n_removed = pid.map(lost["n_grants"]).astype(float).fillna(0).astype(int).to_numpy()

    capacity = fu.weekly_capacity(programs).to_numpy()
    affected = share > float(scenario.threshold)
    if scenario.mode == "close":
        after = np.where(affected, 0.0, capacity)
    else:
        after = np.where(affected, capacity * (1.0 - share), capacity)

    out = pd.DataFrame({"program_id": pid.to_numpy()})
    if "area_id" in programs:
        out["area_id"] = programs["area_id"].to_numpy()
    out["annual_budget"] = budget
    out["budget_lost"] = share * np.nan_to_num(budget)
    out["lost_share"] = share
    out["n_grants_removed"] = n_removed
    out["affected"] = affected
    out["capacity_before"] = capacity
    out["capacity_after"] = after
    return out


def _how_much(threshold: float) -> str:
    named = {0.5: "over half", 0.25: "over a quarter of", 0.75: "over three quarters of"}
    if threshold in named:
        return named[threshold]
    if threshold == 0:
        return "some of"
    return f"over {threshold:.0%} of"


def plain_summary(n_programs_affected: int, residents_out_of_reach, n_areas: int, who, *,
                  threshold: float | None = None) -> str:
    """One plain-language sentence for a scenario's result.

    Parameters
    ----------
    n_programs_affected : programmes losing more than ``threshold`` of their budget.
    residents_out_of_reach : residents who fall out of reach (rounded to whole people), or None to leave
        that clause out. Counts of 1-10 show as "fewer than 11" (small-number rule).
    n_areas : areas those residents live in.
    who : a funder's name (read as "<name> withdraws") or a :class:`Scenario`.
    threshold : the share of budget lost that counts, for the wording ("over half"); defaults to the
        Scenario's own threshold, or 0.5.

    Examples
    --------
    >>> plain_summary(12, 38400, 9, "Funder X")
    'If Funder X withdraws, 12 programmes lose over half their budget; 38,400 residents in 9 areas fall out of reach.'
    >>> print(plain_summary(1, 1, 1, Scenario("source_type", "business", threshold=0.25)))  # doctest: +ELLIPSIS
    If business funding stops, 1 programme loses over a quarter of its budget; fewer than 11 residents in 1 area ...
    """
    condition = who.describe() if isinstance(who, Scenario) else f"{who} withdraws"
    if threshold is None:
        threshold = who.threshold if isinstance(who, Scenario) else 0.5
    how = _how_much(float(threshold))
    n = int(n_programs_affected)
    if n == 0:
        programmes = f"no programme loses {how} its budget"
    elif n == 1:
        programmes = f"1 programme loses {how} its budget"
    else:
        programmes = f"{n:,} programmes lose {how} their budget"
    sentence = f"If {condition}, {programmes}"
    if residents_out_of_reach is None or pd.isna(residents_out_of_reach):
        return sentence + "."
    r = int(round(float(residents_out_of_reach)))
    areas = f"{int(n_areas):,} area" + ("" if int(n_areas) == 1 else "s")
    if r == 0:
        return f"{sentence}; no residents fall out of reach."
    if r < 11:
        return f"{sentence}; fewer than 11 residents in {areas} fall out of reach."
    return f"{sentence}; {r:,} residents in {areas} fall out of reach."
