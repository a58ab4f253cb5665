"""Funding roll-ups stated plainly in pandas: the oracle that core.analysis.funding_selection must equal.

Test code only: the product adds up figures prepared once per database (core.analysis.funding_selection), and
tests/test_funding_overview.py checks that the two give the very same frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.analysis.funding import (
    SOURCE_TYPES,
    _cliff_grid,
    _labels,
    _with_quarter_start,
    budget_contributions,
    cliff_quarters,
    day_number,
    grant_intervals,
    last_quarter,
    prorated,
    shift_months,
    weekly_capacity,
)


def _underwriting(programs: pd.DataFrame, funding: pd.DataFrame, as_of, key: str) -> pd.DataFrame:
    contrib = budget_contributions(programs, funding, as_of)
    capacity = pd.Series(weekly_capacity(programs).to_numpy(), index=programs["program_id"].to_numpy())
    per = contrib.groupby(["program_id", key], as_index=False)[["contribution", "share_of_budget"]].sum()
    # astype: with no contributing grant the map of the empty string column stays a string column.
    per["capacity_underwritten"] = per["share_of_budget"] * per["program_id"].map(capacity).astype(float).fillna(0.0)
    per["majority"] = per["share_of_budget"] > 0.5

    g = grant_intervals(funding)
    committed = g[g["status"] == "committed"]
    ahead = prorated(committed, day_number(as_of), shift_months(as_of, 12)).groupby(committed[key]).sum()

    out = per.groupby(key).agg(
        n_programs=("program_id", "nunique"),
        n_programs_majority=("majority", "sum"),
        budget_contribution=("contribution", "sum"),
        capacity_underwritten=("capacity_underwritten", "sum"),
    )
    keys = out.index.union(ahead.index[ahead > 0])
    out = out.reindex(keys, fill_value=0)
    out["committed_next_12m"] = ahead.reindex(keys, fill_value=0.0).astype(float)
    total = float(capacity.sum())
    out["capacity_share"] = out["capacity_underwritten"] / total if total > 0 else np.nan
    out.index.name = key
    return out.reset_index()


def by_funder(programs: pd.DataFrame, funding: pd.DataFrame, as_of) -> pd.DataFrame:
    """How much of the city's weekly programme capacity each funder underwrites.

    ``capacity_share = sum over programmes of weekly_capacity x funder's share of that programme's budget
    / total weekly capacity of all programmes``, where the funder's share of a budget is the sum of its
    grants' ``share_of_budget`` from :func:`budget_contributions`. Removing that funder in a 'shrink'
    scenario with threshold 0 loses exactly ``capacity_underwritten`` places.

    Returns
    -------
    DataFrame per funder, largest ``capacity_share`` first: ``n_programs``, ``n_programs_majority``
    (programmes where it holds over half the budget), ``budget_contribution``, ``capacity_underwritten``,
    ``committed_next_12m``, ``capacity_share``.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a", "b"], "weekly_capacity": [30.0, 10.0], "declared_budget": [None, None]})
    >>> f = pd.DataFrame({"program_id": ["a", "a", "b"], "funder": ["X", "Y", "X"],
    ...                   "source_type": ["business"] * 3, "amount": [500.0, 500.0, 100.0],
    ...                   "start_date": ["2025-07-01"] * 3, "end_date": ["2026-06-30"] * 3,
    ...                   "status": ["committed"] * 3})
    >>> by_funder(p, f, "2026-01-01")[["funder", "capacity_share"]].values.tolist()
    [['X', 0.625], ['Y', 0.375]]
    """
    out = _underwriting(programs, funding, as_of, "funder")
    return out.sort_values(["capacity_share", "funder"], ascending=[False, True]).reset_index(drop=True)


def by_source_type(programs: pd.DataFrame, funding: pd.DataFrame, as_of) -> pd.DataFrame:
    """Like :func:`by_funder`, per source type; every source type of :data:`SOURCE_TYPES` has a row."""
    out = _underwriting(programs, funding, as_of, "source_type").set_index("source_type")
    out = out.reindex(list(SOURCE_TYPES), fill_value=0)
    total = float(weekly_capacity(programs).sum())
    out["capacity_share"] = out["capacity_underwritten"] / total if total > 0 else np.nan
    return out.reset_index()


def funding_cliff(funding: pd.DataFrame, programs: pd.DataFrame, as_of, quarters: int = 8,
                  by_source: bool = True) -> pd.DataFrame:
    """Committed money ending in each of the next quarters, and the programmes it affects.

    Quarters are calendar quarters, starting with the whole quarter that contains ``as_of``. A grant
    belongs to the quarter holding its ``end_date`` (its last funded day): a grant ending 31 March 2027
    is in 2027Q1, one ending 1 April 2027 in 2027Q2. Only 'committed' grants count, and the money is the
    grant's annualised rate (amount / duration days x 365.25), i.e. the yearly funding that stops.

    Parameters
    ----------
    funding, programs : DataFrames of the ``funding`` and ``program`` tables (programs needs
        ``program_id`` and ``weekly_capacity``).
    as_of : date-like.
    quarters : how many quarters to show.
    by_source : one row per (quarter, source type) when True, one row per quarter when False (then
        ``n_programs`` counts each programme once).

    Returns
    -------
    DataFrame with ``quarter`` ('2027Q1'), ``quarter_start`` (Timestamp), [``source_type``],
    ``annualised_ending``, ``n_grants``, ``n_programs``, ``capacity_affected`` (weekly places of the
    programmes affected). Every quarter (and source type) has a row, zeros included.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a"], "weekly_capacity": [20.0]})
    >>> f = pd.DataFrame({"program_id": ["a"], "funder": ["X"], "source_type": ["business"],
    ...                   "amount": [1000.0], "start_date": ["2026-04-01"], "end_date": ["2026-06-30"],
    ...                   "status": ["committed"]})
    >>> c = funding_cliff(f, p, "2026-02-15", quarters=2, by_source=False)
    >>> c[["quarter", "n_programs"]].values.tolist()
    [['2026Q1', 0], ['2026Q2', 1]]
    """
    g = grant_intervals(funding)
    g = g[g["status"] == "committed"].copy()
    periods = cliff_quarters(as_of, quarters)
    labels = _labels(periods)
    g["quarter"] = last_quarter(g["end_excl"])
    g = g[g["quarter"].isin(labels)]
    capacity = pd.Series(weekly_capacity(programs).to_numpy(), index=programs["program_id"].to_numpy())

    keys = ["quarter", "source_type"] if by_source else ["quarter"]
    progs = g.drop_duplicates([*keys, "program_id"]).copy()
    # astype: with no grant in the window the map of the empty string column stays a string column.
    progs["capacity"] = progs["program_id"].map(capacity).astype(float).fillna(0.0)
    money = g.groupby(keys).agg(annualised_ending=("rate", "sum"), n_grants=("rate", "size"))
    affected = progs.groupby(keys).agg(n_programs=("program_id", "size"), capacity_affected=("capacity", "sum"))
    table = money.join(affected)
    table = table.reindex(_cliff_grid(periods, by_source))
    table = table.fillna(0).astype({"n_grants": int, "n_programs": int, "annualised_ending": float,
                                    "capacity_affected": float})
    return _with_quarter_start(table.reset_index(), periods)
