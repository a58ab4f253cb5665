"""The Funding page's figures for a selection of programmes, added up from per-programme figures prepared once.

Each programme's metrics, contributions and cliff rows depend on its own grants alone, so :func:`prepare`
computes them for every programme once per database and each filter choice only adds up the selected rows.
The plain pandas statement of the roll-ups (the tests' oracle, ``tests/oracles/funding_reference.py``) run
on the selection alone gives the very same frames (tests/test_funding_overview.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.analysis import funding as fu

LABEL_COLUMNS = ["name", "area_id", "area_name", "type", "weekly_capacity"]
"""Programme columns the overview's metrics carry beside :func:`core.analysis.funding.program_metrics`."""

_MIX = list(fu.SOURCE_MIX_COLUMNS.values())
_SOURCE_RANK = np.argsort(np.argsort(fu.SOURCE_TYPES))
"""Each source type's place among them sorted by name."""


def group_sums(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Sums of ``values`` (rows) per group code ``0..n-1``, NaN skipped, bit for bit as pandas' groupby sum.

    Examples
    --------
    >>> group_sums(np.array([0, 0, 1, 0]), np.array([1e16, 1.0, 5.0, 1.0]), 3).tolist()
    [1.0000000000000002e+16, 5.0, 0.0]
    """
    # pandas (3.1) adds with np.add.reduceat when the group codes are sorted and a column has no NaN, and
    # otherwise in row order with Kahan compensation; the last bit of a sum differs between the two and from
    # np.bincount, so both are done here as pandas does them, codes ranked in the order pandas sorts the keys.
    v = np.asarray(values, dtype=float)
    v = v[:, None] if v.ndim == 1 else v
    total = np.zeros((n, v.shape[1]))
    if len(codes):
        sorted_codes = bool(np.all(codes[1:] >= codes[:-1]))
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        kahan = []
        for j in range(v.shape[1]):
            column = np.ascontiguousarray(v[:, j])
            if sorted_codes and not np.isnan(column).any():
                total[codes[starts], j] = np.add.reduceat(column, starts)
            else:
                kahan.append(j)
        if kahan:
            total[:, kahan] = _kahan_sums(codes, v[:, kahan], n)
    return total if np.ndim(values) == 2 else total[:, 0]


def _kahan_sums(codes: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """pandas' cython group_sum: each group's values in row order with Kahan compensation, all groups at once."""
    total = np.zeros((n, v.shape[1]))
    comp = np.zeros_like(total)
    order = np.argsort(codes, kind="stable")
    ranked = codes[order]
    position = np.arange(len(codes)) - np.searchsorted(ranked, ranked)
    for k in range(int(position.max()) + 1):
        at = order[position == k]
        g, x = codes[at], v[at]
        s, c = total[g], comp[g]
        y = x - c
        t = s + y
        new_c = (t - s) - y
        new_c[~np.isfinite(new_c)] = 0.0
        counted = ~np.isnan(x)
        total[g] = np.where(counted, t, s)
        comp[g] = np.where(counted, new_c, c)
    return total


def _group_medians(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Median of ``values`` per group (NaN skipped; NaN for a group without values)."""
    keep = ~np.isnan(values)
    if not keep.any():
        return np.full(n, np.nan)
    codes, values = codes[keep], values[keep]
    order = np.lexsort((values, codes))
    codes, values = codes[order], values[order]
    count = np.bincount(codes, minlength=n)
    start = np.cumsum(count) - count
    # Groups without values point anywhere valid; np.where drops them.
    lo = np.minimum(start + (count - 1) // 2, len(values) - 1)
    hi = np.minimum(start + count // 2, len(values) - 1)
    return np.where(count > 0, (values[lo] + values[hi]) / 2, np.nan)


@dataclass
class Prepared:
    """What the overview needs of every programme, grant and (programme, funder) pair; arrays follow ``programs``.

    A grant's programme is a row of ``programs`` (-1: none); funders are codes into ``funder_names`` (sorted).
    """

    metrics: dict               # column -> per-programme values, as core.views.funding.overview_of shows them
    capacity: np.ndarray        # weekly places, missing as 0
    program_ids: np.ndarray
    area_group: np.ndarray      # programme -> index into area_ids (-1: no area)
    area_ids: np.ndarray
    area_parts: np.ndarray      # what an area sums: known budget, its secured part, places, places at risk,
                                # the yearly rate of running grants and the rate of each source type (_MIX)
    at_risk: np.ndarray
    concentrated: np.ndarray
    runway: np.ndarray          # months as float, NaN where the budget is unknown
    grant_program: np.ndarray   # every grant, any status
    cliff_program: np.ndarray   # committed grants whose last day falls in the cliff's quarters
    cliff_quarter: np.ndarray
    cliff_source: np.ndarray
    cliff_rate: np.ndarray
    quarter_labels: list
    ahead_program: np.ndarray   # committed grants with a funder
    ahead_funder: np.ndarray
    ahead_money: np.ndarray     # money in [as_of, as_of + 12 months)
    under_program: np.ndarray   # (programme, funder) pairs of budget_contributions, sorted by programme, then funder
    under_funder: np.ndarray
    under_parts: np.ndarray     # contribution, capacity_underwritten
    under_majority: np.ndarray
    funder_names: pd.Index
    cliff_keys: dict            # the columns of fu.cliff_rows, by source
    totals_keys: dict           # and per quarter


def prepare(programs: pd.DataFrame, funding: pd.DataFrame, as_of, quarters: int) -> Prepared:
    """Every programme's metrics, budget contributions and cliff rows as arrays, from which any selection adds up.

    One caveat, in the last bit only: pandas adds a group by another method when a grouping's keys come sorted
    (see :func:`group_sums`), so a programme with three or more grants from one funder or of one source type
    could get a sum differing in the last bit between a selection and all programmes. Every selection of the
    Chicago and demo data matches the oracle exactly.
    """
    row = pd.Series(np.arange(len(programs)), index=programs["program_id"].to_numpy())

    def rows_of(program_ids) -> np.ndarray:
        return row.reindex(np.asarray(program_ids)).fillna(-1).to_numpy(dtype=np.int64)

    m = fu.program_metrics(programs, funding, as_of)
    # Plain arrays, so that a selection's frame infers its column types as program_metrics' own frame does.
    metrics = {c: (m[c].array if isinstance(m[c].dtype, pd.Int64Dtype) else m[c].to_numpy()) for c in m.columns}
    metrics.update({c: programs[c].to_numpy() for c in LABEL_COLUMNS})

    capacity = fu.weekly_capacity(programs).to_numpy()
    budget = m["annual_budget"].to_numpy()
    at_risk = m["at_risk"].to_numpy(dtype=bool)
    wf = m["active_rate"].fillna(0.0).to_numpy()
    parts = [np.nan_to_num(budget, nan=0.0), np.where(np.isnan(budget), 0.0, m["secured_amount"].to_numpy()),
             capacity, np.where(at_risk, capacity, 0.0), wf, *[m[c].fillna(0.0).to_numpy() * wf for c in _MIX]]
    area_group, area_ids = pd.factorize(programs["area_id"], sort=True)

    g = fu.grant_intervals(funding)
    grant_program = rows_of(g["program_id"])
    committed = g[(g["status"] == "committed").to_numpy() & (grant_program >= 0)]
    totals = fu.cliff_rows(as_of, quarters, by_source=False)
    labels = totals["quarter"].tolist()
    quarter = pd.Index(labels).get_indexer(fu.last_quarter(committed["end_excl"]))
    ending = committed[quarter >= 0]

    contrib = fu.budget_contributions(programs, funding, as_of)
    per = contrib.groupby(["program_id", "funder"], as_index=False)[["contribution", "share_of_budget"]].sum()
    under_program = rows_of(per["program_id"])
    names = pd.Index(pd.unique(g["funder"].dropna())).sort_values()
    with_funder = committed[committed["funder"].notna().to_numpy()]
    ahead = fu.prorated(with_funder, fu.day_number(as_of), fu.shift_months(as_of, 12))
    share = per["share_of_budget"].to_numpy(dtype=float)

    return Prepared(
        metrics=metrics, capacity=capacity, program_ids=programs["program_id"].to_numpy(),
        area_group=area_group, area_ids=np.asarray(area_ids), area_parts=np.column_stack(parts),
        at_risk=at_risk, concentrated=m["concentrated"].to_numpy(dtype=bool),
        runway=m["runway_months"].astype(float).to_numpy(),
        grant_program=grant_program, cliff_program=rows_of(ending["program_id"]), cliff_quarter=quarter[quarter >= 0],
        cliff_source=pd.Index(fu.SOURCE_TYPES).get_indexer(ending["source_type"]),
        cliff_rate=ending["rate"].to_numpy(dtype=float), quarter_labels=labels,
        ahead_program=rows_of(with_funder["program_id"]), ahead_funder=names.get_indexer(with_funder["funder"]),
        ahead_money=ahead.to_numpy(dtype=float),
        under_program=under_program, under_funder=names.get_indexer(per["funder"]),
        under_parts=np.column_stack([per["contribution"].to_numpy(dtype=float), share * capacity[under_program]]),
        under_majority=share > 0.5, funder_names=names,
        cliff_keys=_key_columns(fu.cliff_rows(as_of, quarters, by_source=True)),
        totals_keys=_key_columns(totals),
    )


def _key_columns(rows: pd.DataFrame) -> dict:
    return {c: rows[c].array for c in rows.columns}


def _of_rows(keep: np.ndarray, program_rows: np.ndarray) -> np.ndarray:
    """Whether each item's programme is kept (an item of no programme, row -1, never is)."""
    return np.append(keep, False)[program_rows]


def metrics(base: Prepared, keep: np.ndarray) -> pd.DataFrame:
    """:func:`core.analysis.funding.program_metrics` of the kept programmes with their :data:`LABEL_COLUMNS`."""
    rows = np.flatnonzero(keep)
    return pd.DataFrame({c: v[rows] for c, v in base.metrics.items()})


def area_rollup(base: Prepared, keep: np.ndarray, areas: pd.DataFrame) -> pd.DataFrame:
    """``areas`` with the kept programmes' funding rolled up (as :func:`core.analysis.funding.by_area` rolls it up).

    With no programme kept, only ``n_programs`` (0) and the source-mix columns (NaN) are added.
    """
    out = {c: areas[c].reset_index(drop=True) for c in areas.columns}
    n_areas = len(areas)
    if not keep.any():
        out.update({"n_programs": np.zeros(n_areas, dtype=int), **{c: np.full(n_areas, np.nan) for c in _MIX}})
        return pd.DataFrame(out)
    rows = np.flatnonzero(keep & (base.area_group >= 0))
    group, n = base.area_group[rows], len(base.area_ids)
    count = np.bincount(group, minlength=n)
    sums = group_sums(group, base.area_parts[rows], n)
    budget, secured, capacity, at_risk, wf = sums[:, :5].T
    columns = {
        "n_at_risk": np.bincount(group[base.at_risk[rows]], minlength=n),
        "n_concentrated": np.bincount(group[base.concentrated[rows]], minlength=n),
        "annual_budget": budget, "secured_amount": secured,
        "secured_ratio": secured / np.where(budget > 0, budget, np.nan),
        "median_runway_months": _group_medians(group, base.runway[rows], n),
        "weekly_capacity": capacity, "capacity_at_risk": at_risk,
        "share_capacity_at_risk": at_risk / np.where(capacity > 0, capacity, np.nan),
        **dict(zip(_MIX, (sums[:, 5:] / np.where(wf > 0, wf, np.nan)[:, None]).T)),
    }
    # As a left merge of by_area's frame would give: an area without a kept programme gets NaN, which turns the
    # count columns to floats unless every area has one; n_programs is then filled with 0.
    group_of = pd.Index(base.area_ids).get_indexer(areas["area_id"].to_numpy())
    matched = (group_of >= 0) & (count[group_of] > 0)
    out["n_programs"] = np.where(matched, count[group_of], 0)
    for column, values in columns.items():
        values = values[group_of]
        out[column] = values if matched.all() else np.where(matched, values, np.nan)
    return pd.DataFrame(out)


def funding_cliff(base: Prepared, keep: np.ndarray, by_source: bool) -> pd.DataFrame:
    """The kept programmes' committed money ending in each quarter (annualised), grants, programmes, weekly places."""
    sel = _of_rows(keep, base.cliff_program)
    program, quarter = base.cliff_program[sel], base.cliff_quarter[sel]
    n_sources = len(fu.SOURCE_TYPES)
    # Keys rank as pandas sorts (quarter, source type) when it groups, which decides how it adds (group_sums).
    key = quarter * n_sources + _SOURCE_RANK[base.cliff_source[sel]] if by_source else quarter
    n = len(base.quarter_labels) * (n_sources if by_source else 1)
    # A programme counts once per row: its first grant there, as drop_duplicates keeps it.
    _, first = np.unique(key * len(keep) + program, return_index=True)
    first.sort()
    sums = np.column_stack([group_sums(key, base.cliff_rate[sel], n),
                            group_sums(key[first], base.capacity[program[first]], n)])
    counts = np.column_stack([np.bincount(key, minlength=n), np.bincount(key[first], minlength=n)])
    if by_source:
        grid = (np.arange(len(base.quarter_labels))[:, None] * n_sources + _SOURCE_RANK).ravel()
        sums, counts = sums[grid], counts[grid]
    keys = base.cliff_keys if by_source else base.totals_keys
    return pd.DataFrame({**keys, "annualised_ending": sums[:, 0], "n_grants": counts[:, 0], "n_programs": counts[:, 1],
                         "capacity_affected": sums[:, 1]})


def cliff_programs(base: Prepared, keep: np.ndarray) -> dict[str, list[str]]:
    """Quarter label -> the kept programmes with committed money ending then, sorted."""
    sel = _of_rows(keep, base.cliff_program)
    program, quarter = base.cliff_program[sel], base.cliff_quarter[sel]
    return {label: sorted(set(base.program_ids[program[quarter == i]])) for i, label in enumerate(base.quarter_labels)}


def by_funder(base: Prepared, keep: np.ndarray) -> pd.DataFrame:
    """How much of the kept programmes' weekly capacity each funder underwrites, largest share first.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a", "b"], "name": ["A", "B"], "area_id": [1, 2], "area_name": ["1", "2"],
    ...                   "type": ["workshop", "drop_in"], "weekly_capacity": [30.0, 10.0],
    ...                   "declared_budget": [None] * 2})
    >>> f = pd.DataFrame({"program_id": ["a", "a", "b"], "funder": ["X", "Y", "X"], "source_type": ["business"] * 3,
    ...                   "amount": [500.0, 500.0, 100.0], "start_date": ["2025-07-01"] * 3,
    ...                   "end_date": ["2026-06-30"] * 3, "status": ["committed"] * 3})
    >>> base = prepare(p, f, "2026-01-01", quarters=2)
    >>> by_funder(base, np.array([True, True]))[["funder", "capacity_share"]].values.tolist()
    [['X', 0.625], ['Y', 0.375]]
    >>> by_funder(base, np.array([True, False]))["capacity_share"].tolist()
    [0.5, 0.5]
    """
    n = len(base.funder_names)
    sel = _of_rows(keep, base.under_program)
    code = base.under_funder[sel]
    n_programs = np.bincount(code, minlength=n)
    majority = np.bincount(code[base.under_majority[sel]], minlength=n)
    sums = group_sums(code, base.under_parts[sel], n)
    ahead_sel = _of_rows(keep, base.ahead_program)
    ahead = group_sums(base.ahead_funder[ahead_sel], base.ahead_money[ahead_sel], n)
    shown = np.flatnonzero((n_programs > 0) | (ahead > 0))
    # Series.sum, which the capacity total is in by_funder, adds pairwise as np.sum does.
    total = float(np.sum(base.capacity[keep]))
    share = sums[shown, 1] / total if total > 0 else np.full(len(shown), np.nan)
    # Rows are in funder order, so a stable sort on the share alone breaks ties by name; NaN sorts last.
    order = np.argsort(-share, kind="stable")
    shown = shown[order]
    funder = base.funder_names[shown]
    if not _of_rows(keep, base.grant_program).any():
        # overview_of takes by_funder of no grant then, whose (empty) funder column holds objects, not strings.
        funder = funder.astype(object)
    return pd.DataFrame({
        "funder": funder, "n_programs": n_programs[shown], "n_programs_majority": majority[shown],
        "budget_contribution": sums[shown, 0], "capacity_underwritten": sums[shown, 1],
        "committed_next_12m": ahead[shown], "capacity_share": share[order],
    })
