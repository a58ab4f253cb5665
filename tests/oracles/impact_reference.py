"""The Impact definitions stated plainly in pandas: the oracle that core.analysis.impact's fast tables must equal.

Definitions: :mod:`core.analysis.impact`'s docstring. This module is test code; the product computes the same
tables from prepared arrays, and tests/test_impact_views.py checks that the two agree exactly.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from core.analysis.funding import VOLUNTEER_HOUR_VALUE_USD
from core.analysis.impact import COUNT_COLUMNS, MIN_N, _areas, _num, _split, period_index, period_label
from core.analysis.intervals import t_interval
from core.views.impact import ImpactData, ImpactState, ImpactViews


def filter_programs(programs: pd.DataFrame, types: Iterable[str] | None = None,
                    populations: Iterable[str] | None = None) -> pd.DataFrame:
    """Programmes of the given types that serve any of the given populations (None = no filter).

    Matching ignores case; ``populations_served`` is the ';'-separated list of the ``program`` table.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a", "b"], "type": ["peer support", "workshop"],
    ...                   "populations_served": ["older adults;carers", "young people"]})
    >>> filter_programs(p, populations=["Carers"])["program_id"].tolist()
    ['a']
    """
    keep = pd.Series(True, index=programs.index)
    if types is not None:
        wanted = {t.strip().lower() for t in types}
        keep &= programs["type"].astype(str).str.strip().str.lower().isin(wanted)
    if populations is not None:
        wanted = {p.strip().lower() for p in populations}
        keep &= _split(programs["populations_served"]).map(lambda served: bool(served & wanted))
    return programs[keep.to_numpy()]


def pooled_change(n, mean, sd) -> tuple[float, float, float]:
    """Pool several samples' (n, mean, sd) into the n, mean and sd of their union.

    A sample of one (sd missing) adds no within-sample spread.

    Examples
    --------
    >>> pooled_change([2, 2], [1.0, 3.0], [0.0, 0.0])   # values 1, 1, 3, 3
    (4.0, 2.0, 1.1547005383792515)
    """
    n, mean, sd = (np.asarray(x, dtype=float) for x in (n, mean, sd))
    frame = pd.DataFrame({"g": 0, "n": n, "m": mean, "s": sd})
    out = _pool(frame, ["g"]).iloc[0]
    return float(out["n"]), float(out["mean"]), float(out["sd"])


def _pool(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Group-wise union of samples from columns n, m, s, via sums so that it stays vectorised."""
    f = frame.assign(
        nm=frame["n"] * frame["m"],
        # Σ over a sample of x² = (n-1)s² + n m²; the union's SD follows from the pooled sums.
        sq=(frame["n"] - 1) * frame["s"].fillna(0.0) ** 2 + frame["n"] * frame["m"] ** 2,
    )
    sums = f.groupby(keys, sort=True)[["n", "nm", "sq"]].sum()
    n = sums["n"]
    mean = sums["nm"] / n
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (sums["sq"] - n * mean**2) / (n - 1)
    sd = np.sqrt(np.clip(var, 0, None)).where(n > 1)
    return pd.DataFrame({"n": n, "mean": mean, "sd": sd})


def _outcome_table(pooled: pd.DataFrame) -> pd.DataFrame:
    """Add the t interval and apply the n >= 11 rule to pooled (n, mean, sd)."""
    lo, hi = t_interval(pooled["mean"].to_numpy(), pooled["sd"].to_numpy(), pooled["n"].to_numpy())
    shown = pooled["n"].to_numpy() >= MIN_N
    return pd.DataFrame(
        {
            "outcome_n": np.where(shown, pooled["n"], np.nan),
            "outcome_mean": np.where(shown, pooled["mean"], np.nan),
            "outcome_sd": np.where(shown, pooled["sd"], np.nan),
            "outcome_lo": np.where(shown, lo, np.nan),
            "outcome_hi": np.where(shown, hi, np.nan),
            "outcome_status": np.where(shown, "shown", "n<11"),
        },
        index=pooled.index,
    )


def _window(periods: pd.DataFrame, program_ids, period: str | None, quarters: int) -> tuple[pd.DataFrame, int]:
    if quarters < 1:
        raise ValueError(f"quarters must be at least 1, got {quarters}")
    idx = period_index(periods["period"])
    end = int(period_index([period])[0]) if period is not None else (int(idx.max()) if len(idx) else 0)
    rows = periods.assign(q=idx)
    rows = rows[(rows["q"] > end - quarters) & (rows["q"] <= end) & rows["program_id"].isin(program_ids)]
    frame = pd.DataFrame({"program_id": rows["program_id"].to_numpy(), "q": rows["q"].to_numpy()})
    for column in ["sessions", "participants", "participants_65plus", "participants_limited_english",
                   "volunteer_hours", "n_pre_post", "mean_change", "sd_change", "cost"]:
        frame[column] = _num(rows, column).to_numpy()
    frame["outcome_measure"] = (rows["outcome_measure"].to_numpy() if "outcome_measure" in rows
                                else pd.Series(pd.NA, index=rows.index).to_numpy())
    return frame, end


def _sums(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Counts and money summed per group, each share's denominator restricted to the quarters reporting it."""
    f = frame.assign(
        cost_participants=frame["participants"].where(frame["cost"].notna()),
        base_65plus=frame["participants"].where(frame["participants_65plus"].notna()),
        base_limited_english=frame["participants"].where(frame["participants_limited_english"].notna()),
        reported=1,
    )
    cols = ["reported", "sessions", "participants", "participants_65plus", "participants_limited_english",
            "volunteer_hours", "cost", "cost_participants", "base_65plus", "base_limited_english"]
    # min_count=1 keeps "nothing reported" as NaN rather than 0 for the optional columns.
    out = f.groupby(keys)[cols].sum(min_count=1)
    return out.rename(columns={"reported": "quarters_reported"})


def _rates(t: pd.DataFrame, population: pd.Series, area_shares: pd.DataFrame, hourly_value: float) -> pd.DataFrame:
    t = t.copy()
    for column in ["quarters_reported", "sessions", "participants", "volunteer_hours"]:
        t[column] = t[column].fillna(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t["per_1000"] = t["participants"] / population.where(population > 0) * 1000
        t["cost_per_participant"] = t["cost"] / t["cost_participants"].where(t["cost_participants"] > 0)
        t["volunteer_value"] = t["volunteer_hours"] * float(hourly_value)
        for group in ("65plus", "limited_english"):
            base = t[f"base_{group}"]
            t[f"share_{group}"] = (t[f"participants_{group}"] / base).where(base >= MIN_N)
            t[f"gap_{group}"] = t[f"share_{group}"] - area_shares[f"share_{group}"]
    return t.drop(columns=["cost_participants", "base_65plus", "base_limited_english"])


def _whole_counts(t: pd.DataFrame) -> pd.DataFrame:
    """Counts as nullable integers, so tables and CSVs read 80 rather than 80.0."""
    for column in ["quarters_reported", "sessions", *COUNT_COLUMNS]:
        if column in t:
            values = t[column].astype(float)
            if np.all(np.mod(values.dropna(), 1) == 0):
                t[column] = values.round().astype("Int64")
    return t


def program_impact(programs: pd.DataFrame, periods: pd.DataFrame, areas: pd.DataFrame, *,
                   period: str | None = None, quarters: int = 4,
                   hourly_value: float = VOLUNTEER_HOUR_VALUE_USD, types: Iterable[str] | None = None,
                   populations: Iterable[str] | None = None) -> pd.DataFrame:
    """Impact of each programme over the quarters ending at ``period`` (definitions: module docstring).

    Parameters
    ----------
    programs : the ``program`` table (``program_id``, ``area_id``, ``type``, ``populations_served``,
        ``coordinator_count``; ``name``, ``step_free`` and ``volunteer_hours_year`` are carried if present).
    periods : the ``program_period`` table.
    areas : ``area_id``, ``population`` and, for the inclusivity gaps, the area's shares (0-1)
        ``share_65plus`` and ``share_limited_english``.
    period : last quarter of the window ('2026Q1'); default the latest quarter in ``periods``.
    quarters : length of the window.
    hourly_value : value of a volunteer hour (default: Independent Sector 2024 national figure).
    types, populations : filters, see :func:`filter_programs`.

    Returns
    -------
    DataFrame, one row per (filtered) programme: ``program_id``, ``area_id``, ``type``,
    ``quarters_reported``, ``sessions``, ``participants``, ``per_1000``, ``cost``,
    ``cost_per_participant``, ``volunteer_hours``, ``volunteer_value``, ``participants_65plus``,
    ``share_65plus``, ``gap_65plus``, the same three for ``limited_english``, ``outcome_measure``,
    ``outcome_n``, ``outcome_mean``, ``outcome_sd``, ``outcome_lo``, ``outcome_hi``, ``outcome_status``
    ('shown', 'n<11' or 'no data'), ``single_coordinator`` and the carried columns.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a"], "area_id": [1], "type": ["workshop"],
    ...                   "populations_served": ["all"], "coordinator_count": [1]})
    >>> q = pd.DataFrame({"program_id": ["a", "a"], "period": ["2025Q4", "2026Q1"], "sessions": [10, 12],
    ...                   "participants": [40, 60], "volunteer_hours": [20.0, 30.0], "cost": [1000.0, 1000.0]})
    >>> r = program_impact(p, q, pd.DataFrame({"area_id": [1], "population": [20000]}))
    >>> r[["participants", "per_1000", "cost_per_participant", "single_coordinator"]].values.tolist()
    [[100, 5.0, 20.0, True]]
    """
    chosen = filter_programs(programs, types, populations)
    frame, end = _window(periods, chosen["program_id"], period, quarters)
    sums = _sums(frame, ["program_id"])

    # The programme's latest measure in the window decides which quarters pool together.
    have = frame[(frame["n_pre_post"] > 0) & frame["mean_change"].notna() & frame["outcome_measure"].notna()]
    have = have[(have["n_pre_post"] == 1) | have["sd_change"].notna()]
    latest = have.sort_values("q").drop_duplicates("program_id", keep="last").set_index("program_id")["outcome_measure"]
    have = have[have["outcome_measure"].to_numpy() == have["program_id"].map(latest).to_numpy()]
    pooled = _pool(have.rename(columns={"n_pre_post": "n", "mean_change": "m", "sd_change": "s"}), ["program_id"])
    outcome = _outcome_table(pooled)

    a = _areas(areas).set_index("area_id")
    out = pd.DataFrame({"program_id": chosen["program_id"].to_numpy(), "area_id": chosen["area_id"].to_numpy()})
    for column in ["name", "type"]:
        if column in chosen:
            out[column] = chosen[column].to_numpy()
    out = out.join(sums, on="program_id")
    population = out["area_id"].map(a["population"]).astype(float)
    shares = pd.DataFrame({f"share_{g}": out["area_id"].map(a[f"share_{g}"]).astype(float)
                           for g in ("65plus", "limited_english")})
    out = _whole_counts(_rates(out, population, shares, hourly_value))
    out["outcome_measure"] = out["program_id"].map(latest)
    out = out.join(outcome, on="program_id")
    out["outcome_status"] = out["outcome_status"].fillna("no data")
    out["single_coordinator"] = (_num(chosen, "coordinator_count").to_numpy() == 1)
    for column in ["step_free", "volunteer_hours_year"]:
        if column in chosen:
            out[column] = chosen[column].to_numpy()
    out.attrs["period"] = period_label(end)
    out.attrs["quarters"] = quarters
    return out


def area_impact(programs: pd.DataFrame, periods: pd.DataFrame, areas: pd.DataFrame, *,
                period: str | None = None, quarters: int = 4,
                hourly_value: float = VOLUNTEER_HOUR_VALUE_USD, types: Iterable[str] | None = None,
                populations: Iterable[str] | None = None) -> pd.DataFrame:
    """Impact rolled up to areas, every area of ``areas`` included (zeros where nothing runs).

    Rates are recomputed from the summed counts, never averaged across programmes. Parameters as
    :func:`program_impact`.

    Returns
    -------
    DataFrame per area: ``area_id``, ``population``, ``n_programs``, ``n_single_coordinator``,
    ``share_step_free`` (when ``step_free`` is known), ``sessions``, ``participants``, ``per_1000``,
    ``cost``, ``cost_per_participant``, ``volunteer_hours``, ``volunteer_value``, and the 65+ and
    limited-English counts, shares and gaps.
    """
    chosen = filter_programs(programs, types, populations)
    frame, end = _window(periods, chosen["program_id"], period, quarters)
    frame["area_id"] = frame["program_id"].map(pd.Series(chosen["area_id"].to_numpy(), index=chosen["program_id"]))
    sums = _sums(frame, ["area_id"]).drop(columns="quarters_reported")

    a = _areas(areas).set_index("area_id")
    progs = pd.DataFrame({"area_id": chosen["area_id"].to_numpy(),
                          "single": _num(chosen, "coordinator_count").to_numpy() == 1})
    if "step_free" in chosen:
        progs["step_free"] = chosen["step_free"].astype(float).to_numpy()
    extra = {"share_step_free": ("step_free", "mean")} if "step_free" in progs else {}
    counts = progs.groupby("area_id").agg(n_programs=("single", "size"), n_single_coordinator=("single", "sum"),
                                          **extra)
    out = a[["population"]].join(counts).join(sums)
    out[["n_programs", "n_single_coordinator"]] = out[["n_programs", "n_single_coordinator"]].fillna(0).astype(int)
    out["quarters_reported"] = 0
    out = _whole_counts(_rates(out, out["population"], a, hourly_value).drop(columns="quarters_reported"))
    out = out.reset_index()
    out.attrs["period"] = period_label(end)
    out.attrs["quarters"] = quarters
    return out


def area_outcomes(programs: pd.DataFrame, periods: pd.DataFrame, *, period: str | None = None,
                  quarters: int = 4, types: Iterable[str] | None = None,
                  populations: Iterable[str] | None = None) -> pd.DataFrame:
    """Outcome change pooled over an area's programmes, one row per (area, outcome measure).

    Every quarter in the window with pre/post data counts, pooled as in the module docstring; the n >= 11
    rule applies to each row.
    """
    chosen = filter_programs(programs, types, populations)
    frame, _ = _window(periods, chosen["program_id"], period, quarters)
    frame["area_id"] = frame["program_id"].map(pd.Series(chosen["area_id"].to_numpy(), index=chosen["program_id"]))
    have = frame[(frame["n_pre_post"] > 0) & frame["mean_change"].notna() & frame["outcome_measure"].notna()]
    have = have[(have["n_pre_post"] == 1) | have["sd_change"].notna()]
    pooled = _pool(have.rename(columns={"n_pre_post": "n", "mean_change": "m", "sd_change": "s"}),
                   ["area_id", "outcome_measure"])
    return _outcome_table(pooled).reset_index()


def quarterly_trends(programs: pd.DataFrame, periods: pd.DataFrame, *, by_area: bool = False,
                     measure: str | None = None, types: Iterable[str] | None = None,
                     populations: Iterable[str] | None = None) -> pd.DataFrame:
    """Quarter-by-quarter totals for the (filtered) programmes, optionally per area.

    Returns
    -------
    DataFrame per ``period`` (and ``area_id``), in time order: ``programs_reporting``, ``sessions``,
    ``participants``, ``participants_65plus``, ``participants_limited_english``, ``volunteer_hours``,
    ``cost``, ``cost_per_participant``; with ``measure`` also the pooled outcome of that measure
    (``outcome_n``, ``outcome_mean``, ``outcome_lo``, ``outcome_hi``, ``outcome_status``; n >= 11 rule).

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a", "b"], "area_id": [1, 2], "type": ["x", "x"],
    ...                   "populations_served": ["all", "all"]})
    >>> q = pd.DataFrame({"program_id": ["a", "b", "a"], "period": ["2026Q1", "2026Q1", "2025Q4"],
    ...                   "sessions": [1, 2, 3], "participants": [10, 20, 30], "volunteer_hours": [0, 0, 0]})
    >>> quarterly_trends(p, q)[["period", "participants"]].values.tolist()
    [['2025Q4', 30], ['2026Q1', 30]]
    """
    chosen = filter_programs(programs, types, populations)
    idx = period_index(periods["period"]) if len(periods) else np.array([], dtype=int)
    span = int(idx.max() - idx.min() + 1) if len(idx) else 1
    frame, _ = _window(periods, chosen["program_id"], None, span)
    keys = ["q"]
    if by_area:
        frame["area_id"] = frame["program_id"].map(pd.Series(chosen["area_id"].to_numpy(), index=chosen["program_id"]))
        keys = ["q", "area_id"]
    sums = _sums(frame, keys).rename(columns={"quarters_reported": "programs_reporting"})
    sums["cost_per_participant"] = sums["cost"] / sums["cost_participants"].where(sums["cost_participants"] > 0)
    out = _whole_counts(sums.drop(columns=["cost_participants", "base_65plus", "base_limited_english"]))
    if measure is not None:
        have = frame[(frame["outcome_measure"] == measure) & (frame["n_pre_post"] > 0) & frame["mean_change"].notna()]
        have = have[(have["n_pre_post"] == 1) | have["sd_change"].notna()]
        pooled = _pool(have.rename(columns={"n_pre_post": "n", "mean_change": "m", "sd_change": "s"}), keys)
        out = out.join(_outcome_table(pooled).drop(columns="outcome_sd"))
        out["outcome_status"] = out["outcome_status"].fillna("no data")
    out = out.reset_index()
    # astype: an empty selection's labels would otherwise keep the integer type of its quarter numbers.
    out.insert(0, "period", out.pop("q").map(period_label).astype("str"))
    return out


def views_reference(data: ImpactData, state: ImpactState) -> ImpactViews:
    """The Impact page's views straight from this module's functions: what core.views.impact.views_of must equal."""
    types = list(state.types) or None
    pops = list(state.populations) or None
    kw = {"quarters": state.quarters, "types": types, "populations": pops}
    areas = area_impact(data.programs, data.periods, data.areas, **kw)
    areas.insert(1, "name", areas["area_id"].map(data.areas.set_index("area_id")["name"]))
    progs = program_impact(data.programs, data.periods, data.areas, **kw)
    lookup = data.programs.set_index("program_id")
    progs["area_name"] = progs["program_id"].map(lookup["area_name"])
    progs["populations_served"] = progs["program_id"].map(lookup["populations_served"])
    trends = quarterly_trends(data.programs, data.periods, measure=state.measure or None, types=types,
                              populations=pops)
    period = areas.attrs["period"]
    first = period_label(int(period_index([period])[0]) - state.quarters + 1)
    return ImpactViews(areas=areas, programs=progs, trends=trends, period=period, quarters=state.quarters,
                       first_period=first, n_programs=len(progs), measure=state.measure)
