"""Funding sustainability per programme: budget, runway, secured ratio, concentration, source mix and the cliff."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.base.errors import InputError

SOURCE_TYPES: tuple[str, ...] = (
    "local government",
    "state or federal",
    "business",
    "foundation",
    "community donations",
    "in-kind",
)
"""The funding source types of DESIGN §2, in the order charts and tables show them."""

SOURCE_MIX_COLUMNS: dict[str, str] = {s: "share_" + s.replace(" ", "_").replace("-", "_") for s in SOURCE_TYPES}
"""Column of :func:`program_metrics` holding each source type's share, e.g. ``share_in_kind``."""

STATUSES: tuple[str, ...] = ("committed", "pending", "ended")

RUNWAY_CAP_MONTHS = 36
RUNWAY_FLOOR = 0.5
"""Runway ends when the committed rate falls below this share of the annual budget (DESIGN §3)."""
CONCENTRATION_THRESHOLD = 0.25
"""HHI above this counts as concentrated (DESIGN §3)."""
AT_RISK_MONTHS = 12

VOLUNTEER_HOUR_VALUE_USD = 34.79
"""Default value of one volunteer hour, in US dollars.

Source: Independent Sector (with the University of Maryland Do Good Institute), "Value of Volunteer
Time", national estimate for the year 2024 (published April 2025): $34.79 per hour. It is the national
figure, not the Illinois state figure; a city may set its own state's figure instead.
"""
VOLUNTEER_HOUR_VALUE_SOURCE = (
    "Independent Sector, Value of Volunteer Time, national estimate for 2024 (published April 2025): $34.79 per hour"
)

# Money that is only promised is not money: every measure here ignores 'pending' grants.


def day_number(value) -> int:
    """A date-like scalar (str, date, Timestamp, datetime64) as an integer day number since 1970-01-01.

    Examples
    --------
    >>> day_number("1970-01-02"), day_number(pd.Timestamp("1970-01-01 18:00"))
    (1, 0)
    """
    if value is None or pd.isna(value):
        raise ValueError("as_of must be a date, got nothing")
    return int(np.datetime64(pd.Timestamp(value).date(), "D").astype(np.int64))


def shift_months(as_of, months: int) -> int:
    """Day number of ``as_of`` shifted by whole calendar months, clipped at month end.

    Examples
    --------
    >>> shift_months("2026-01-31", 1) == day_number("2026-02-28")
    True
    """
    return day_number(pd.Timestamp(as_of) + pd.DateOffset(months=months))


def _day_column(values: pd.Series, file: str, column: str) -> np.ndarray:
    ts = pd.to_datetime(values, errors="coerce")
    bad = ts.isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise InputError(file, pos + 2, column, f"must be a date, got {values.iloc[pos]!r}")
    return ts.to_numpy().astype("datetime64[D]").astype(np.int64)


def grant_intervals(funding: pd.DataFrame) -> pd.DataFrame:
    """Validated grants with integer day bounds and annualised rate; raises InputError on a bad row.

    A grant covers the days ``start_date`` to ``end_date`` *inclusive*, so it is held as the half-open
    interval ``[start, end_excl)`` with ``end_excl = end_date + 1 day``. Its length is ``months`` calendar
    months (:func:`months_between`; a calendar-year grant lasts 12) and its yearly ``rate`` is
    ``amount x 12 / months`` (DESIGN §3). ``recurring`` is False where the column is missing.
    """
    f = "funding"
    start = _day_column(funding["start_date"], f, "start_date")
    end_excl = _day_column(funding["end_date"], f, "end_date") + 1
    amount = pd.to_numeric(funding["amount"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    checks = [
        (np.isnan(amount) | (amount < 0), "amount", "must be a number of 0 or more"),
        (end_excl <= start, "end_date", "must not be before start_date"),
        (~funding["status"].isin(STATUSES).to_numpy(), "status", f"must be one of {', '.join(STATUSES)}"),
        (~funding["source_type"].isin(SOURCE_TYPES).to_numpy(), "source_type",
         f"must be one of {', '.join(SOURCE_TYPES)}"),
    ]
    for bad, column, message in checks:
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise InputError(f, pos + 2, column, f"{message}, got {funding[column].iloc[pos]!r}")
    out = pd.DataFrame(
        {
            "funding_id": funding["funding_id"].to_numpy() if "funding_id" in funding else np.arange(len(funding)),
            "program_id": funding["program_id"].to_numpy(),
            "funder": funding["funder"].to_numpy(),
            "source_type": funding["source_type"].to_numpy(),
            "status": funding["status"].to_numpy(),
            "amount": amount,
            "start": start,
            "end_excl": end_excl,
        }
    )
    out["recurring"] = _flags(funding["recurring"]) if "recurring" in funding else np.zeros(len(out), dtype=bool)
    out["duration"] = (out["end_excl"] - out["start"]).astype(float)
    out["months"] = months_between(start, end_excl)
    out["rate"] = out["amount"] * 12 / out["months"]
    return out


def _flags(values: pd.Series) -> np.ndarray:
    """True/false column as booleans: the database's BOOLEAN, or the inventory's words (missing = false)."""
    if values.dtype == bool:
        return values.to_numpy()
    words = values.astype(object).map(lambda v: str(v).strip().lower() if v is not None and v == v else "")
    return words.isin(["true", "1", "yes", "1.0"]).to_numpy()


def months_between(start, end_excl) -> np.ndarray:
    """Calendar months from day ``start`` up to day ``end_excl`` (day numbers), the last part month as a fraction.

    Whole months step on the start's day of the month (clipped at a month's end); what is left is the share of
    the next such month that it covers. So a grant for 1 January to 31 December lasts exactly 12 months, and 15
    January to 14 April exactly 3, whatever the months' lengths.

    Examples
    --------
    >>> d = lambda s: day_number(s)
    >>> months_between([d("2026-01-01"), d("2026-01-15"), d("2026-01-01")],
    ...                [d("2027-01-01"), d("2026-04-15"), d("2026-02-15")]).round(4).tolist()
    [12.0, 3.0, 1.5]
    """
    s = np.asarray(start, dtype=np.int64).astype("datetime64[D]")
    e = np.asarray(end_excl, dtype=np.int64).astype("datetime64[D]")
    s_month = s.astype("datetime64[M]")
    s_day = (s - s_month.astype("datetime64[D]")).astype(np.int64)
    e_month = e.astype("datetime64[M]")
    e_day = (e - e_month.astype("datetime64[D]")).astype(np.int64)
    whole = (e_month - s_month).astype(np.int64) - (e_day < s_day)

    def anchor(m):
        month = s_month + m
        last = (month + 1).astype("datetime64[D]") - 1
        return np.minimum(month.astype("datetime64[D]") + s_day, last)

    lo, hi = anchor(whole), anchor(whole + 1)
    part = (e - lo).astype(np.int64) / (hi - lo).astype(np.int64)
    return np.where(e > s, whole + part, 0.0).astype(float)


def prorated(grants: pd.DataFrame, lo: int, hi: int) -> pd.Series:
    """Each grant's money falling in the day window ``[lo, hi)``: its yearly rate x the months it covers there / 12."""
    a = np.maximum(grants["start"].to_numpy(dtype=np.int64), lo)
    b = np.minimum(grants["end_excl"].to_numpy(dtype=np.int64), hi)
    overlap = months_between(a, np.maximum(a, b))
    return pd.Series(grants["rate"].to_numpy(dtype=float) * overlap / 12, index=grants.index)


def active_grants(grants: pd.DataFrame, as_of) -> pd.Series:
    """Whether each grant (of :func:`grant_intervals`) runs on ``as_of``: the grants an annual budget is made of.

    A committed or ended grant that has started and not yet ended runs; a recurring one runs on after its end
    date, since it is expected to be renewed. Pending grants never run.
    """
    now = day_number(as_of)
    started = (grants["start"] <= now) & (grants["status"] != "pending")
    return started & ((now < grants["end_excl"]) | grants["recurring"])


def _declared(programs: pd.DataFrame) -> pd.Series:
    if "declared_budget" not in programs:
        return pd.Series(np.nan, index=programs.index)
    return pd.to_numeric(programs["declared_budget"], errors="coerce").astype(float)


def annual_budget(programs: pd.DataFrame, funding: pd.DataFrame, as_of) -> pd.DataFrame:
    """Each programme's annual budget as of a date (DESIGN §3).

    The rule: the programme's ``declared_budget`` where the inventory gives one (above 0); otherwise the summed
    yearly rate (``amount x 12 / months``) of its grants running on ``as_of`` (:func:`active_grants`: recurring
    grants count as continuing, pending grants never count). Where neither gives a budget it is NaN and
    ``budget_source`` is ``'none'``.

    Returns
    -------
    DataFrame with ``program_id``, ``annual_budget``, ``budget_source`` ('declared', 'grants' or 'none'),
    in the order of ``programs``.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a", "b"], "declared_budget": [None, 5000.0]})
    >>> f = pd.DataFrame({"program_id": ["a", "b"], "funder": ["X", "X"], "source_type": ["foundation"] * 2,
    ...                   "amount": [20000.0, 900.0], "start_date": ["2025-01-01"] * 2,
    ...                   "end_date": ["2026-12-31"] * 2, "status": ["committed"] * 2})
    >>> annual_budget(p, f, "2026-01-01")[["annual_budget", "budget_source"]].values.tolist()
    [[10000.0, 'grants'], [5000.0, 'declared']]
    """
    g = grant_intervals(funding)
    g = g[active_grants(g, as_of).to_numpy()]
    rate = g.groupby("program_id")["rate"].sum()
    from_grants = programs["program_id"].map(rate).astype(float).to_numpy()
    declared = _declared(programs).to_numpy()
    use_declared = np.nan_to_num(declared) > 0
    use_grants = ~use_declared & (np.nan_to_num(from_grants) > 0)
    budget = np.where(use_declared, declared, np.where(use_grants, from_grants, np.nan))
    source = np.where(use_declared, "declared", np.where(use_grants, "grants", "none"))
    return pd.DataFrame(
        {"program_id": programs["program_id"].to_numpy(), "annual_budget": budget, "budget_source": source}
    )


def budget_contributions(programs: pd.DataFrame, funding: pd.DataFrame, as_of) -> pd.DataFrame:
    """Each running grant's part of its programme's annual budget, the basis of funder and scenario shares.

    A grant's ``contribution`` is its yearly rate if it runs on ``as_of`` (:func:`active_grants`), the very
    rates the annual budget is made of. ``share_of_budget = contribution / max(annual_budget, sum of the
    programme's contributions)``, so a programme's shares never add up to more than 1 (a declared budget above
    its grants leaves the rest unattributed).

    Returns
    -------
    DataFrame with one row per grant that contributes (> 0): ``funding_id``, ``program_id``, ``funder``,
    ``source_type``, ``contribution``, ``share_of_budget``.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a"], "declared_budget": [None]})
    >>> f = pd.DataFrame({"funding_id": ["g1", "g2"], "program_id": ["a", "a"], "funder": ["X", "Y"],
    ...                   "source_type": ["foundation", "business"], "amount": [3000.0, 1000.0],
    ...                   "start_date": ["2025-07-01"] * 2, "end_date": ["2026-06-30"] * 2,
    ...                   "status": ["committed", "committed"]})
    >>> budget_contributions(p, f, "2026-01-01")["share_of_budget"].tolist()
    [0.75, 0.25]
    """
    g = grant_intervals(funding)
    budget = annual_budget(programs, funding, as_of).set_index("program_id")
    g["contribution"] = np.where(active_grants(g, as_of), g["rate"], 0.0)
    g = g[g["contribution"] > 0].copy()
    total = g.groupby("program_id")["contribution"].transform("sum")
    denom = np.maximum(g["program_id"].map(budget["annual_budget"]).astype(float).fillna(0.0), total)
    g["share_of_budget"] = g["contribution"] / denom
    cols = ["funding_id", "program_id", "funder", "source_type", "contribution", "share_of_budget"]
    return g[cols].reset_index(drop=True)


def _runway(g: pd.DataFrame, program_ids: pd.Series, budget: np.ndarray, as_of) -> tuple[np.ndarray, np.ndarray]:
    """Months until the committed annualised rate falls below half the budget, capped at 36."""
    # The rate is sampled on the same calendar day of each month, as_of + m months, m = 0..36.
    # Runway is the first m whose rate is below the floor: 0 means already below at as_of; a grant whose
    # last day is 30 June gives 6 months of runway from 1 January (1 June is covered, 1 July is not).
    months = np.arange(RUNWAY_CAP_MONTHS + 1)
    ticks = np.array([shift_months(as_of, int(m)) for m in months])
    committed = g[g["status"] == "committed"]
    active = (committed["start"].to_numpy()[:, None] <= ticks) & (ticks < committed["end_excl"].to_numpy()[:, None])
    rate = pd.DataFrame(active * committed["rate"].to_numpy()[:, None])
    rate = rate.groupby(committed["program_id"].to_numpy()).sum()
    rate = rate.reindex(program_ids.to_numpy(), fill_value=0.0).to_numpy()
    # The tolerance keeps two grants of exactly half the budget each from tipping below on rounding.
    below = rate < (RUNWAY_FLOOR * budget)[:, None] * (1 - 1e-9)
    any_below = below.any(axis=1)
    runway = np.where(any_below, below.argmax(axis=1), RUNWAY_CAP_MONTHS)
    return runway, ~any_below


def program_metrics(programs: pd.DataFrame, funding: pd.DataFrame, as_of) -> pd.DataFrame:
    """Funding sustainability of each programme as of a date (DESIGN §3 "Funding sustainability").

    Definitions (grants cover their start and end dates inclusive; 'pending' grants never count):

    - ``annual_budget``: see :func:`annual_budget` (the declared budget, else the yearly rates of the grants
      running on ``as_of``, recurring grants counted as continuing).
    - ``runway_months``: starting at ``as_of`` and stepping a calendar month at a time, the first month
      ``m`` (0-36) at which the summed yearly rate of the committed grants running on ``as_of + m months``
      is below 50% of the annual budget. Overlapping grants add; a renewal not yet committed does not count.
      If it never falls below within 36 months, ``runway_months`` is 36 and ``runway_capped`` is True (show
      as "> 36"). Missing where the budget is unknown.
    - ``secured_ratio``: committed money falling in ``[as_of, as_of + 12 months)`` (each grant's rate x the
      months it covers there / 12) / annual budget. ``secured_amount`` is the numerator; ``over_funded`` is
      a ratio above 1, which is shown as over-funded rather than as a figure of risk.
    - ``hhi``: the Herfindahl-Hirschman index, sum of squared funder shares (0-1), of the yearly rates of the
      grants running on ``as_of``; ``concentrated`` is ``hhi > 0.25``. ``active_rate`` is their summed rate;
      the source-mix columns (:data:`SOURCE_MIX_COLUMNS`) are each source type's share of it. All are NaN
      without a running grant (and ``concentrated`` is then False).
    - ``top_funder`` / ``top_funder_share``: the largest funder by that rate (ties: first by name).
    - ``at_risk``: ``runway_months <= 12`` (False where the budget is unknown).

    Parameters
    ----------
    programs : DataFrame with ``program_id`` and optionally ``declared_budget``.
    funding : DataFrame with the columns of the ``funding`` table; dates as datetime64 or ``datetime.date``.
    as_of : date-like; never defaults to today.

    Returns
    -------
    DataFrame, one row per programme in the order of ``programs``.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a"], "declared_budget": [None]})
    >>> f = pd.DataFrame({"program_id": ["a", "a"], "funder": ["X", "Y"],
    ...                   "source_type": ["foundation", "business"], "amount": [10000.0, 10000.0],
    ...                   "start_date": ["2025-07-01", "2025-01-01"], "end_date": ["2026-06-30", "2026-12-31"],
    ...                   "status": ["committed", "committed"]})
    >>> m = program_metrics(p, f, "2026-01-01")   # X 10,000 a year for 12 months, Y 5,000 a year for 24
    >>> int(m.runway_months.iloc[0]), round(float(m.hhi.iloc[0]), 3), bool(m.at_risk.iloc[0])
    (6, 0.556, True)
    """
    g = grant_intervals(funding)
    budget_df = annual_budget(programs, funding, as_of)
    budget = budget_df["annual_budget"].to_numpy(dtype=float)
    pid = programs["program_id"]
    now, ahead12 = day_number(as_of), shift_months(as_of, 12)

    runway, capped = _runway(g, pid, np.nan_to_num(budget), as_of)
    known = ~np.isnan(budget)

    committed = g["status"] == "committed"
    secured = prorated(g[committed], now, ahead12).groupby(g.loc[committed, "program_id"]).sum()
    secured_amount = pid.map(secured).fillna(0.0).astype(float).to_numpy()

    # Concentration and mix weigh the funders by the same yearly rates the budget is made of.
    counted = g[active_grants(g, as_of).to_numpy()].copy()
    counted["money"] = counted["rate"]
    counted = counted[counted["money"] > 0]
    by_funder = counted.groupby(["program_id", "funder"], as_index=False)["money"].sum()
    by_funder["money"] = by_funder["money"].astype(float)
    window = by_funder.groupby("program_id")["money"].sum().astype(float)
    by_funder["share"] = by_funder["money"] / by_funder["program_id"].map(window).astype(float)
    hhi = (by_funder["share"] ** 2).groupby(by_funder["program_id"]).sum()
    top = by_funder.sort_values(["program_id", "money", "funder"], ascending=[True, False, True])
    top = top.drop_duplicates("program_id").set_index("program_id")
    mix = counted.pivot_table(index="program_id", columns="source_type", values="money", aggfunc="sum")
    mix = mix.reindex(columns=list(SOURCE_TYPES)).fillna(0.0).div(window, axis=0)

    out = pd.DataFrame({"program_id": pid.to_numpy()})
    out["annual_budget"] = budget
    out["budget_source"] = budget_df["budget_source"].to_numpy()
    out["runway_months"] = pd.array(np.where(known, runway, 0), dtype="Int64")
    out.loc[~known, "runway_months"] = pd.NA
    out["runway_capped"] = capped & known
    out["secured_amount"] = secured_amount
    out["secured_ratio"] = np.where(known, secured_amount / np.where(known, budget, 1.0), np.nan)
    out["over_funded"] = np.nan_to_num(out["secured_ratio"].to_numpy()) > 1
    out["active_rate"] = pid.map(window).astype(float).to_numpy()
    out["hhi"] = pid.map(hhi).astype(float).to_numpy()
    out["concentrated"] = (out["hhi"] > CONCENTRATION_THRESHOLD).to_numpy(dtype=bool)
    out["top_funder"] = pid.map(top["funder"]).astype(object).to_numpy()
    out["top_funder_share"] = pid.map(top["share"]).astype(float).to_numpy()
    out["at_risk"] = (out["runway_months"] <= AT_RISK_MONTHS).fillna(False).to_numpy(dtype=bool)
    for source, column in SOURCE_MIX_COLUMNS.items():
        out[column] = pid.map(mix[source]).astype(float).to_numpy()
    return out


def weekly_capacity(programs: pd.DataFrame) -> pd.Series:
    """Programmes' ``weekly_capacity`` as floats, missing read as 0 places."""
    return pd.to_numeric(programs["weekly_capacity"], errors="coerce").fillna(0.0).astype(float)


def by_area(metrics: pd.DataFrame, programs: pd.DataFrame) -> pd.DataFrame:
    """Roll programme funding metrics up to areas, recomputing ratios from their parts.

    Ratios are never averaged: the area's secured ratio is its programmes' summed ``secured_amount`` over
    their summed known budgets, and its source mix is weighted by each programme's ``active_rate``.

    Parameters
    ----------
    metrics : output of :func:`program_metrics`.
    programs : DataFrame with ``program_id``, ``area_id``, ``weekly_capacity``.

    Returns
    -------
    DataFrame per ``area_id``: ``n_programs``, ``n_at_risk``, ``n_concentrated``, ``annual_budget``,
    ``secured_amount``, ``secured_ratio``, ``median_runway_months``, ``weekly_capacity``,
    ``capacity_at_risk``, ``share_capacity_at_risk`` and the source-mix share columns.
    """
    m = metrics.merge(programs[["program_id", "area_id", "weekly_capacity"]], on="program_id", how="left")
    m["weekly_capacity"] = weekly_capacity(m)
    m["known_budget"] = m["annual_budget"].fillna(0.0)
    m["secured_known"] = m["secured_amount"].where(m["annual_budget"].notna(), 0.0)
    m["capacity_at_risk"] = m["weekly_capacity"].where(m["at_risk"], 0.0)
    m["runway"] = m["runway_months"].astype(float)
    wf = m["active_rate"].fillna(0.0)
    mix_cols = list(SOURCE_MIX_COLUMNS.values())
    for column in mix_cols:
        m[column] = m[column].fillna(0.0) * wf
    m["wf"] = wf
    grouped = m.groupby("area_id")
    out = grouped.agg(
        n_programs=("program_id", "size"),
        n_at_risk=("at_risk", "sum"),
        n_concentrated=("concentrated", "sum"),
        annual_budget=("known_budget", "sum"),
        secured_amount=("secured_known", "sum"),
        median_runway_months=("runway", "median"),
        weekly_capacity=("weekly_capacity", "sum"),
        capacity_at_risk=("capacity_at_risk", "sum"),
        wf=("wf", "sum"),
        **{c: (c, "sum") for c in mix_cols},
    )
    out["secured_ratio"] = out["secured_amount"] / out["annual_budget"].where(out["annual_budget"] > 0)
    out["share_capacity_at_risk"] = out["capacity_at_risk"] / out["weekly_capacity"].where(out["weekly_capacity"] > 0)
    out[mix_cols] = out[mix_cols].div(out["wf"].where(out["wf"] > 0), axis=0)
    out = out.drop(columns="wf").reset_index()
    order = ["area_id", "n_programs", "n_at_risk", "n_concentrated", "annual_budget", "secured_amount",
             "secured_ratio", "median_runway_months", "weekly_capacity", "capacity_at_risk",
             "share_capacity_at_risk", *mix_cols]
    return out[order]


def cliff_quarters(as_of, quarters: int) -> pd.PeriodIndex:
    """The calendar quarters :func:`funding_cliff` shows: ``quarters`` of them from the one holding ``as_of``."""
    return pd.period_range(pd.Period(pd.Timestamp(as_of), freq="Q"), periods=quarters, freq="Q")


def cliff_rows(as_of, quarters: int, by_source: bool = True) -> pd.DataFrame:
    """The rows of every :func:`funding_cliff`, before its figures: ``quarter``, ``quarter_start`` [, ``source_type``].

    Examples
    --------
    >>> cliff_rows("2026-02-15", 2, by_source=False)["quarter"].tolist()
    ['2026Q1', '2026Q2']
    """
    periods = cliff_quarters(as_of, quarters)
    return _with_quarter_start(pd.DataFrame(index=_cliff_grid(periods, by_source)).reset_index(), periods)


def _labels(periods: pd.PeriodIndex) -> list[str]:
    return [f"{p.year}Q{p.quarter}" for p in periods]


def _cliff_grid(periods: pd.PeriodIndex, by_source: bool) -> pd.Index:
    if by_source:
        return pd.MultiIndex.from_product([_labels(periods), list(SOURCE_TYPES)], names=["quarter", "source_type"])
    return pd.Index(_labels(periods), name="quarter")


def _with_quarter_start(table: pd.DataFrame, periods: pd.PeriodIndex) -> pd.DataFrame:
    starts = dict(zip(_labels(periods), periods.start_time))
    table.insert(1, "quarter_start", table["quarter"].map(starts))
    return table


def last_quarter(end_excl) -> pd.Index:
    """Label ('2027Q1') of the calendar quarter holding each grant's last funded day, ``end_excl - 1``."""
    end_date = pd.DatetimeIndex((np.asarray(end_excl) - 1).astype("datetime64[D]"))
    return end_date.year.astype(str) + "Q" + end_date.quarter.astype(str)


def volunteer_value(programs: pd.DataFrame, hourly_value: float = VOLUNTEER_HOUR_VALUE_USD) -> pd.Series:
    """Yearly value of each programme's volunteer time: ``volunteer_hours_year x hourly_value``.

    The default hourly value is :data:`VOLUNTEER_HOUR_VALUE_USD` ($34.79, Independent Sector's national
    Value of Volunteer Time for 2024).

    Examples
    --------
    >>> volunteer_value(pd.DataFrame({"volunteer_hours_year": [100.0, 0.0]})).tolist()
    [3479.0, 0.0]
    """
    hours = pd.to_numeric(programs["volunteer_hours_year"], errors="coerce").astype(float)
    return (hours * float(hourly_value)).rename("volunteer_value")
