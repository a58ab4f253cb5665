"""Funding scenario to coverage: what a funding shock does to E2SFCA coverage and reach, before and after."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.analysis.coverage import GROUPS, CoverageModel, CoverageParams, CoverageResult, compute, program_mask
from core.analysis.scenario import Scenario, apply_scenario, plain_summary
from core.analysis.suppression import COMPLEMENTARY, SUPPRESSED, is_small, protect_table

# Coverage values of an untouched tract are recomputed bit for bit, so any real fall is far above this.
_FALL_TOLERANCE = 1e-9


@dataclass
class ScenarioCoverage:
    """Coverage before and after a funding scenario (see :func:`scenario_coverage`).

    Attributes
    ----------
    programs : one row per programme of the model, in supply order: ``program_id``, ``name``, ``type``,
        ``area_id``, ``area_name``, ``lon``, ``lat``, ``annual_budget``, ``budget_lost``, ``lost_share``, ``affected``,
        ``capacity_before``, ``capacity_after``, ``capacity_lost``.
    areas : one row per area: ``area_id``, ``name``, ``population``, ``coverage_before``,
        ``coverage_after``, ``coverage_change`` (after - before, weekly places per 1,000; 0 or negative),
        ``coverage_change_pct``, ``coverage_falls``, ``in_reach_before``, ``in_reach_after``,
        ``residents_out_of_reach`` (residents in reach before and not after), ``programmes_affected``
        (affected programmes located in the area), ``capacity_lost`` (weekly places lost there), and the
        published figures ``residents_out_of_reach_shown`` (whole residents, or "<11" / "suppressed") and
        ``residents_out_of_reach_hidden`` (bool).
    groups : one row per reach group (all residents, 65+, poverty, limited English): ``group``,
        ``residents``, ``in_reach_before``, ``in_reach_after``, ``out_of_reach``, ``share_out_of_reach``.
    tracts : per tract ``access_before``, ``access_after``, ``in_reach_before``, ``in_reach_after``.
    summary : plain numbers, see :func:`scenario_coverage`.
    sentence : the plain-language summary.
    """

    scenario: Scenario
    params: CoverageParams
    programs: pd.DataFrame
    areas: pd.DataFrame
    groups: pd.DataFrame
    tracts: pd.DataFrame
    summary: dict = field(default_factory=dict)
    sentence: str = ""


def scenario_capacity(model: CoverageModel, effect: pd.DataFrame) -> np.ndarray:
    """Weekly capacity after a scenario, aligned with ``model.programs`` by ``program_id``.

    Programmes that the effect does not mention keep their capacity.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> m = SimpleNamespace(programs=pd.DataFrame({"program_id": ["a", "b", "c"]}), capacity=np.array([5., 6., 7.]))
    >>> e = pd.DataFrame({"program_id": ["c", "a"], "capacity_after": [0.0, 2.5]})
    >>> scenario_capacity(m, e).tolist()
    [2.5, 6.0, 0.0]
    """
    after = pd.Series(effect["capacity_after"].to_numpy(dtype=float), index=effect["program_id"].to_numpy())
    mapped = model.programs["program_id"].map(after).to_numpy(dtype=float)
    return np.where(np.isnan(mapped), model.capacity, mapped)


def published_count(raw: float) -> str:
    """A single count of people as it may be published: whole number, or "<11" for 1-10.

    Examples
    --------
    >>> published_count(0.2), published_count(4), published_count(12345.4)
    ('0', '<11', '12,345')
    """
    r = int(round(float(raw)))
    if r == 0:
        return "0"
    return SUPPRESSED if is_small([r])[0] else f"{r:,}"


def protected_total(values: pd.Series) -> tuple[pd.Series, pd.Series, int, str]:
    """Protect a column of counts of people that is published with its total.

    The counts are rounded to whole people, then :func:`core.analysis.suppression.protect_table` hides 1-10
    ("<11") and, where exactly one cell would be hidden, the smallest other non-zero cell ("suppressed").
    The published total is the sum of the shown cells only; where nothing may be shown but the raw total
    is not zero, it is "<11" (raw 1-10) or "suppressed".

    Returns
    -------
    (cells, hidden, shown_total, total_text): the published cells (object), a bool mask, the total of the
    shown cells, and that total as text.

    Examples
    --------
    >>> cells, hidden, total, text = protected_total(pd.Series([5.0, 30.0, 200.0, 0.0]))
    >>> cells.tolist(), total, text
    (['<11', 'suppressed', 200, 0], 200, '200')
    """
    whole = pd.DataFrame({"n": np.round(values.to_numpy(dtype=float)).astype(np.int64)}, index=values.index)
    table, mask = protect_table(whole, ["n"], total_row=True, return_mask=True)
    cells = table["n"].iloc[:-1]
    shown_total = int(table["n"].iloc[-1])
    raw_total = int(whole["n"].sum())
    if shown_total > 0 or raw_total == 0:
        text = f"{shown_total:,}"
    else:
        text = SUPPRESSED if raw_total < 11 else COMPLEMENTARY
    return cells, mask["n"], shown_total, text


def _areas(model: CoverageModel, before: CoverageResult, after: CoverageResult, programs: pd.DataFrame,
           falls_tract: np.ndarray, dropped_pop: np.ndarray) -> pd.DataFrame:
    n = len(model.areas)
    code = model.area_code
    b, a = before.areas, after.areas
    out = pd.DataFrame({"area_id": b["area_id"].to_numpy(), "name": b["name"].to_numpy(),
                        "population": b["population"].to_numpy(),
                        "coverage_before": b["coverage_per_1000"].to_numpy(),
                        "coverage_after": a["coverage_per_1000"].to_numpy()})
    out["coverage_change"] = out["coverage_after"] - out["coverage_before"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["coverage_change_pct"] = np.where(out["coverage_before"] > 0,
                                              out["coverage_change"] / out["coverage_before"] * 100, np.nan)
    out["coverage_falls"] = np.bincount(code, weights=falls_tract.astype(float), minlength=n) > 0
    out["in_reach_before"] = b["residents_in_reach"].to_numpy()
    out["in_reach_after"] = a["residents_in_reach"].to_numpy()
    out["residents_out_of_reach"] = np.bincount(code, weights=dropped_pop, minlength=n)
    hit = programs["affected"].to_numpy(dtype=bool)
    out["programmes_affected"] = np.bincount(model.program_area_code[hit], minlength=n).astype(int)
    out["capacity_lost"] = np.bincount(model.program_area_code, weights=programs["capacity_lost"].to_numpy(),
                                       minlength=n)
    cells, hidden, _, _ = protected_total(out["residents_out_of_reach"])
    out["residents_out_of_reach_shown"] = cells.to_numpy()
    out["residents_out_of_reach_hidden"] = hidden.to_numpy()
    return out


def _groups(model: CoverageModel, before: CoverageResult, after: CoverageResult) -> pd.DataFrame:
    pop = model.tracts["population"].to_numpy(dtype=float)
    p65, pov, lep = model.group_pops
    rb, ra = before.tracts["in_reach"].to_numpy(), after.tracts["in_reach"].to_numpy()
    lb, la = before.tracts["in_reach_lep"].to_numpy(), after.tracts["in_reach_lep"].to_numpy()
    rows = []
    for key, people, was, now in (("all", pop, rb, ra), ("65plus", p65, rb, ra), ("poverty", pov, rb, ra),
                                  ("limited_english", lep, lb, la)):
        total = float(people.sum())
        gone = float((people * (was & ~now)).sum())
        rows.append({"group": GROUPS[key], "residents": total, "in_reach_before": float((people * was).sum()),
                     "in_reach_after": float((people * now).sum()), "out_of_reach": gone,
                     "share_out_of_reach": gone / total if total > 0 else np.nan})
    return pd.DataFrame(rows)


def scenario_coverage(model: CoverageModel, funding: pd.DataFrame, scenario: Scenario, as_of,
                      params: CoverageParams | None = None, before: CoverageResult | None = None) -> ScenarioCoverage:
    """Apply a funding scenario and recompute coverage with the same model and parameters.

    :func:`core.analysis.scenario.apply_scenario` gives each of the model's (active) programmes its capacity after
    the shock; :func:`core.analysis.coverage.compute` then runs twice on the same model and ``params``, once with
    today's capacity and once with that capacity. Because E2SFCA's step 1 divides each programme's own
    capacity by the demand in its catchment, a programme losing capacity lowers coverage only in the
    tracts within ``d0`` of it; every other tract's value is unchanged.

    A resident *falls out of reach* when their tract had a counted programme within ``d0`` before and has
    none after (limited-English residents: one offering a language of their area). Residents are the
    tract populations; group counts are the tract's share of its area's group.

    Parameters
    ----------
    model : :func:`core.analysis.coverage.build_model`.
    funding : the ``funding`` table.
    scenario : :class:`core.analysis.scenario.Scenario`.
    as_of : date-like; the build's ``as_of``.
    params : coverage choices (default :class:`core.analysis.coverage.CoverageParams`).
    before : ``compute(model, params)`` if already at hand (saves one run).

    Returns
    -------
    :class:`ScenarioCoverage`. ``summary`` holds ``n_programs``, ``n_affected``, ``budget_lost``,
    ``capacity_before``, ``capacity_after``, ``capacity_lost``, ``share_capacity_lost``,
    ``n_areas_coverage_falls``, ``residents_out_of_reach`` (raw), ``n_areas_out_of_reach``,
    ``residents_out_of_reach_shown`` (total of the published area cells), ``residents_out_of_reach_text``
    (what the page shows), ``n_areas_hidden`` (areas whose figure is suppressed).
    """
    params = params or CoverageParams()
    effect = apply_scenario(model.programs, funding, scenario, as_of)
    capacity = scenario_capacity(model, effect)
    before = before if before is not None else compute(model, params)
    after = compute(model, params, capacity=capacity)

    p = model.programs
    programs = pd.DataFrame({"program_id": p["program_id"].to_numpy(), "name": p["name"].to_numpy(),
                             "type": p["type"].to_numpy(), "area_id": p["area_id"].to_numpy(),
                             "area_name": p["area_name"].to_numpy() if "area_name" in p else None,
                             "lon": p["lon"].to_numpy(), "lat": p["lat"].to_numpy()})
    for column in ["annual_budget", "budget_lost", "lost_share", "affected", "capacity_before"]:
        programs[column] = effect[column].to_numpy()
    programs["capacity_after"] = capacity
    programs["capacity_lost"] = programs["capacity_before"] - capacity

    acc_b, acc_a = before.tracts["access"].to_numpy(), after.tracts["access"].to_numpy()
    falls = (acc_b - acc_a) > _FALL_TOLERANCE * np.maximum(acc_b, 1e-12)
    rb, ra = before.tracts["in_reach"].to_numpy(), after.tracts["in_reach"].to_numpy()
    pop = model.tracts["population"].to_numpy(dtype=float)
    dropped = pop * (rb & ~ra)
    areas = _areas(model, before, after, programs, falls, dropped)
    groups = _groups(model, before, after)
    tracts = pd.DataFrame({"tract_id": before.tracts["tract_id"].to_numpy(),
                           "area_id": before.tracts["area_id"].to_numpy(), "access_before": acc_b,
                           "access_after": acc_a, "in_reach_before": rb, "in_reach_after": ra})

    _, hidden, shown_total, text = protected_total(areas["residents_out_of_reach"])
    raw = float(dropped.sum())
    cap_b, cap_a = float(programs["capacity_before"].sum()), float(capacity.sum())
    shown_areas = int(((areas["residents_out_of_reach"].round() > 0) & ~hidden).sum())
    summary = {
        "n_programs": int(len(programs)),
        "n_affected": int(programs["affected"].sum()),
        "budget_lost": float(programs["budget_lost"].sum()),
        "capacity_before": cap_b,
        "capacity_after": cap_a,
        "capacity_lost": cap_b - cap_a,
        "share_capacity_lost": (cap_b - cap_a) / cap_b if cap_b > 0 else float("nan"),
        "n_areas_coverage_falls": int(areas["coverage_falls"].sum()),
        "residents_out_of_reach": raw,
        "n_areas_out_of_reach": int((areas["residents_out_of_reach"].round() > 0).sum()),
        "residents_out_of_reach_shown": shown_total,
        "residents_out_of_reach_text": text,
        "n_areas_shown": shown_areas,
        "n_areas_hidden": int(hidden.sum()),
    }
    return ScenarioCoverage(scenario=scenario, params=params, programs=programs, areas=areas, groups=groups,
                            tracts=tracts, summary=summary, sentence=scenario_sentence(scenario, summary))


def scenario_sentence(scenario: Scenario, summary: Mapping) -> str:
    """The plain-language result, with residents as published (small numbers and hidden areas respected).

    Examples
    --------
    >>> s = {"n_affected": 12, "residents_out_of_reach": 38405.0, "residents_out_of_reach_shown": 38400,
    ...      "residents_out_of_reach_text": "38,400", "n_areas_shown": 9, "n_areas_hidden": 0}
    >>> scenario_sentence(Scenario("funder", "Funder X"), s)
    'If Funder X withdraws, 12 programmes lose over half their budget; 38,400 residents in 9 areas fall out of reach.'
    """
    text = summary["residents_out_of_reach_text"]
    if text == SUPPRESSED:
        residents, n_areas = summary["residents_out_of_reach"], max(1, summary.get("n_areas_hidden", 1))
    elif text == COMPLEMENTARY:
        residents, n_areas = None, 0
    else:
        residents, n_areas = summary["residents_out_of_reach_shown"], summary["n_areas_shown"]
    sentence = plain_summary(summary["n_affected"], residents, n_areas, scenario)
    hidden = int(summary.get("n_areas_hidden", 0))
    if hidden and text != SUPPRESSED:
        more = "1 more area" if hidden == 1 else f"{hidden} more areas"
        sentence += (f" Residents also fall out of reach in {more}, whose figures are withheld to protect "
                     "small numbers.")
    return sentence


def depending_residents(model: CoverageModel, params: CoverageParams,
                        program_sets: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """For each named set of programmes, the residents whose reach depends on them.

    ``within_reach``: residents with at least one programme of the set within ``d0`` (their coverage
    would fall if the set closed). ``only_these``: residents whose every counted programme within ``d0``
    is in the set (they would fall out of reach if it closed). Programmes count as in
    :func:`core.analysis.coverage.compute` (the ``params`` filters and capacity above 0).

    Returns
    -------
    DataFrame indexed by the set's key: ``n_programs`` (of the set in the model), ``within_reach``,
    ``only_these``.

    Examples
    --------
    See tests/test_scenario_coverage.py, which checks it against closing the set with :func:`compute`.
    """
    counted = program_mask(model.programs, params) & (model.capacity > 0)
    pairs = model.pairs
    near = (pairs.minutes <= params.d0) & counted[pairs.j]
    i, j = pairs.i[near], pairs.j[near]
    n_demand = pairs.n_demand
    n_all = np.bincount(i, minlength=n_demand)
    pop = model.tracts["population"].to_numpy(dtype=float)
    ids = model.programs["program_id"]
    rows = []
    for key, members in program_sets.items():
        in_set = ids.isin(list(members)).to_numpy()
        n_set = np.bincount(i[in_set[j]], minlength=n_demand)
        rows.append({"key": key, "n_programs": int((in_set & counted).sum()),
                     "within_reach": float(pop[n_set > 0].sum()),
                     "only_these": float(pop[(n_set > 0) & (n_set == n_all)].sum())})
    return pd.DataFrame(rows, columns=["key", "n_programs", "within_reach", "only_these"]).set_index("key")
