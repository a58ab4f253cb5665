"""Funding scenarios carried through to coverage: a hand-worked four-tract city, and the real atlas."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.analysis import coverage
from core.analysis.coverage import CoverageModel, CoverageParams, compute
from core.analysis.scenario import Scenario
from core.analysis.scenario_coverage import (
    depending_residents,
    protected_total,
    published_count,
    scenario_capacity,
    scenario_coverage,
    scenario_sentence,
)
from core.analysis.travel import CostPairs
from core.store import queries

AS_OF = dt.date(2026, 1, 1)

# A small city, worked by hand (d0 = 30 minutes, step decay: W = 1 up to 10 min, 0.68 up to 20, 0.22 up to 30).
#   Tracts: t0 (area 1, 1,000 people), t1 (area 1, 500), t2 (area 2, 2,000), t3 (area 3, 8).
#   Programmes: pA in area 1 (20 places), pB in area 2 (30), pC in area 3 (10).
#   Pairs (minutes): t0-pA 5, t1-pA 25, t1-pB 15, t2-pB 5, t2-pC 40 (beyond d0), t3-pC 8, t3-pA 50 (beyond).
#   So R_A = 20 / (1000·1 + 500·0.22), R_B = 30 / (500·0.68 + 2000·1), R_C = 10 / (8·1).
#   Funding running on as_of (1 Jan 2026), 2025-07-01..2026-06-30: pA all from X (business); pB all from Y
#   (foundation); pC 30% from Y (foundation), 70% from Z (business).
R_A = 20 / (1000 + 500 * 0.22)
R_B = 30 / (500 * 0.68 + 2000)
R_C = 10 / 8


def small_model() -> CoverageModel:
    tracts = pd.DataFrame({"tract_id": ["t0", "t1", "t2", "t3"], "area_id": [1, 1, 2, 3],
                           "population": [1000.0, 500.0, 2000.0, 8.0]})
    tracts["pop_65plus"] = tracts["population"] * 0.1
    tracts["pop_poverty"] = tracts["population"] * 0.2
    tracts["pop_limited_english"] = tracts["population"] * 0.05
    programs = pd.DataFrame({
        "program_id": ["pA", "pB", "pC"], "name": ["Alpha", "Beta", "Gamma"], "type": ["workshop"] * 3,
        "area_id": [1, 2, 3], "area_name": ["North", "South", "East"], "weekly_capacity": [20.0, 30.0, 10.0],
        "languages": ["english"] * 3, "evening": [False] * 3, "weekend": [False] * 3, "free": [True] * 3,
        "declared_budget": [None] * 3, "lon": [0.0, 1.0, 2.0], "lat": [0.0, 1.0, 2.0]})
    pairs = CostPairs(np.array([0, 1, 1, 2, 2, 3, 3]), np.array([0, 0, 1, 1, 2, 2, 0]),
                      np.array([5.0, 25.0, 15.0, 5.0, 40.0, 8.0, 50.0]), 4, 3, max_minutes=60)
    return CoverageModel(tracts=tracts, areas=pd.DataFrame({"area_id": [1, 2, 3], "name": ["North", "South", "East"]}),
                         programs=programs, pairs=pairs, language_match=np.ones(7, dtype=bool), as_of=AS_OF)


def small_funding() -> pd.DataFrame:
    rows = [("g1", "pA", "X", "business", 1000.0), ("g2", "pB", "Y", "foundation", 1000.0),
            ("g3", "pC", "Y", "foundation", 300.0), ("g4", "pC", "Z", "business", 700.0)]
    f = pd.DataFrame(rows, columns=["funding_id", "program_id", "funder", "source_type", "amount"])
    return f.assign(start_date="2025-07-01", end_date="2026-06-30", recurring=False, status="committed")


def test_removing_a_funder_lowers_coverage_only_within_its_programmes_catchment():
    m = small_model()
    r = scenario_coverage(m, small_funding(), Scenario("funder", "X"), AS_OF, CoverageParams())
    t = r.tracts.set_index("tract_id")
    # Before, by hand.
    assert t["access_before"].tolist() == pytest.approx([R_A, R_A * 0.22 + R_B * 0.68, R_B, R_C])
    # pA closes: t0 and t1 (within 30 minutes of pA) lose; t2 and t3 do not change at all.
    assert t["access_after"].tolist() == pytest.approx([0.0, R_B * 0.68, R_B, R_C])
    assert t.loc[["t2", "t3"], "access_after"].tolist() == t.loc[["t2", "t3"], "access_before"].tolist()
    a = r.areas.set_index("area_id")
    assert a["coverage_falls"].to_dict() == {1: True, 2: False, 3: False}
    before_1 = (1000 * R_A + 500 * (R_A * 0.22 + R_B * 0.68)) / 1500 * 1000
    after_1 = (500 * R_B * 0.68) / 1500 * 1000
    assert a.loc[1, "coverage_before"] == pytest.approx(before_1)
    assert a.loc[1, "coverage_change"] == pytest.approx(after_1 - before_1)
    assert a.loc[[2, 3], "coverage_change"].tolist() == [0.0, 0.0]
    # t0 had only pA within reach; t1 still has pB.
    assert a["residents_out_of_reach"].tolist() == [1000.0, 0.0, 0.0]
    assert r.summary["residents_out_of_reach"] == 1000.0
    assert r.summary["residents_out_of_reach_text"] == "1,000"
    assert r.summary["n_affected"] == 1 and r.summary["capacity_lost"] == 20.0
    g = r.groups.set_index("group")["out_of_reach"]
    assert g.tolist() == pytest.approx([1000.0, 100.0, 200.0, 50.0])
    assert r.sentence == ("If X withdraws, 1 programme loses over half its budget; 1,000 residents in 1 area fall "
                          "out of reach.")


def test_partial_loss_below_threshold_keeps_the_programme():
    # Y: pB loses all (closed); pC loses 30% (kept at the default 50% threshold). t2 had only pB in reach.
    r = scenario_coverage(small_model(), small_funding(), Scenario("funder", "Y"), AS_OF)
    p = r.programs.set_index("program_id")
    assert p["affected"].to_dict() == {"pA": False, "pB": True, "pC": False}
    assert p["capacity_after"].tolist() == [20.0, 0.0, 10.0]
    assert r.areas.set_index("area_id")["residents_out_of_reach"].to_dict() == {1: 0.0, 2: 2000.0, 3: 0.0}
    # Shrink instead: pC keeps 70% of its places, pB none; nobody loses reach through pC.
    r = scenario_coverage(small_model(), small_funding(), Scenario("funder", "Y", threshold=0.25, mode="shrink"), AS_OF)
    assert r.programs["capacity_after"].tolist() == pytest.approx([20.0, 0.0, 7.0])
    assert r.tracts.set_index("tract_id").loc["t3", "access_after"] == pytest.approx(7 / 8)


def test_small_counts_are_published_as_under_11():
    # Z: pC loses 70% and closes; the 8 people of t3 fall out of reach, alone in their area.
    r = scenario_coverage(small_model(), small_funding(), Scenario("funder", "Z"), AS_OF)
    assert r.summary["residents_out_of_reach"] == 8.0
    assert r.summary["residents_out_of_reach_text"] == "<11"
    assert r.areas.set_index("area_id").loc[3, "residents_out_of_reach_shown"] == "<11"
    assert "fewer than 11 residents in 1 area" in r.sentence
    assert "8" not in r.sentence


def test_one_small_area_hides_the_next_and_the_total_leaves_both_out():
    # Business: pA (all business) and pC (70%) close: 1,000 in area 1 and 8 in area 3 lose reach. The 8 is
    # hidden, and so is the 1,000 (else total - shown cells would give the 8 back): nothing is left to total.
    r = scenario_coverage(small_model(), small_funding(), Scenario("source_type", "business"), AS_OF)
    shown = r.areas.set_index("area_id")["residents_out_of_reach_shown"]
    assert shown.to_dict() == {1: "suppressed", 2: 0, 3: "<11"}
    assert r.summary["residents_out_of_reach_shown"] == 0
    assert r.summary["residents_out_of_reach_text"] == "suppressed"
    assert r.summary["n_areas_hidden"] == 2
    assert "1,000" not in r.sentence and "1,008" not in r.sentence
    assert r.sentence.startswith("If business funding stops, 2 programmes lose over half their budget.")
    assert "2 more areas" in r.sentence


def test_protected_total_hand_worked():
    cells, hidden, total, text = protected_total(pd.Series([3.0, 40.0, 15.0, 0.0, 120.0]))
    # 3 hidden; its column then also loses the smallest other non-zero cell, 15.
    assert cells.tolist() == ["<11", 40, "suppressed", 0, 120]
    assert hidden.tolist() == [True, False, True, False, False]
    assert (total, text) == (160, "160")
    assert protected_total(pd.Series([4.0, 0.0]))[3] == "<11"
    assert protected_total(pd.Series([0.0, 0.0]))[3] == "0"
    assert [published_count(x) for x in (0, 0.4, 1, 10.4, 10.6, 11)] == ["0", "0", "<11", "<11", "11", "11"]


def test_scenario_capacity_maps_by_programme_id_not_position():
    m = small_model()
    effect = pd.DataFrame({"program_id": ["pC", "pA"], "capacity_after": [1.0, 2.0]})
    assert scenario_capacity(m, effect).tolist() == [2.0, 30.0, 1.0]


def test_depending_residents_match_closing_the_set():
    m = small_model()
    params = CoverageParams()
    sets = {"only A": ["pA"], "A and B": ["pA", "pB"], "C": ["pC"], "none": []}
    dep = depending_residents(m, params, sets)
    before = compute(m, params)
    for key, members in sets.items():
        closed = np.where(m.programs["program_id"].isin(members), 0.0, m.capacity)
        after = compute(m, params, capacity=closed)
        lost = before.tracts["in_reach"].to_numpy() & ~after.tracts["in_reach"].to_numpy()
        assert dep.loc[key, "only_these"] == pytest.approx(float((m.tracts["population"] * lost).sum())), key
    # Within reach of pA: t0 (5 min) and t1 (25 min); of pC: t3 only (t2 is 40 minutes away).
    assert dep["within_reach"].to_dict() == {"only A": 1500.0, "A and B": 3500.0, "C": 8.0, "none": 0.0}
    assert dep["n_programs"].to_dict() == {"only A": 1, "A and B": 2, "C": 1, "none": 0}


def test_sentence_reads_the_published_figures():
    s = {"n_affected": 3, "residents_out_of_reach": 512.0, "residents_out_of_reach_shown": 500,
         "residents_out_of_reach_text": "500", "n_areas_shown": 2, "n_areas_hidden": 1}
    text = scenario_sentence(Scenario("source_type", "foundation"), s)
    assert text.startswith("If foundation funding stops, 3 programmes lose over half their budget; 500 residents in "
                           "2 areas fall out of reach.")
    assert "1 more area" in text and "512" not in text


# --- the real atlas ---------------------------------------------------------------------------------------------


@pytest.fixture
def atlas(con):
    model = coverage.build_model(con)
    return model, queries.funding(con)


def _area_with_most_place_based(model: CoverageModel) -> int:
    p = model.programs[model.programs["type"].isin(coverage.PLACE_BASED_TYPES)]
    return p["area_id"].value_counts().idxmax()


def test_atlas_funder_of_one_area_lowers_coverage_there_and_nowhere_outside_its_catchments(atlas):
    model, funding = atlas
    area = _area_with_most_place_based(model)
    in_area = set(model.programs.loc[model.programs["area_id"] == area, "program_id"])
    # Every grant of that area's programmes now comes from one funder, and from nobody else.
    funding = funding.copy()
    funding.loc[funding["program_id"].isin(in_area), "funder"] = "Sole Test Funder"
    params = CoverageParams()
    r = scenario_coverage(model, funding, Scenario("funder", "Sole Test Funder"), model.as_of, params)

    affected = set(r.programs.loc[r.programs["affected"], "program_id"])
    assert affected and affected <= in_area
    # Naive reference: the tracts within d0 of an affected programme that counts under params.
    counted = coverage.program_mask(model.programs, params) & (model.capacity > 0)
    hit_j = np.flatnonzero(model.programs["program_id"].isin(affected).to_numpy() & counted)
    near = np.zeros(model.pairs.n_demand, dtype=bool)
    for i, j, minutes in zip(model.pairs.i, model.pairs.j, model.pairs.minutes):
        if j in set(hit_j) and minutes <= params.d0:
            near[i] = True
    t = r.tracts
    fell = t["access_after"].to_numpy() < t["access_before"].to_numpy()
    assert fell.any()
    assert not (fell & ~near).any(), "coverage fell in a tract outside every affected programme's catchment"
    assert (t.loc[~near, "access_after"].to_numpy() == t.loc[~near, "access_before"].to_numpy()).all()

    a = r.areas.set_index("area_id")
    assert a.loc[area, "coverage_falls"] and a.loc[area, "coverage_change"] < 0
    near_areas = set(model.tracts.loc[near, "area_id"])
    assert set(a.index[a["coverage_falls"]]) <= near_areas
    assert (a.loc[~a.index.isin(near_areas), "coverage_change"] == 0).all()

    # Residents out of reach, naively: tracts whose every counted programme within d0 was affected.
    reach_js = {}
    for i, j, minutes in zip(model.pairs.i, model.pairs.j, model.pairs.minutes):
        if counted[j] and minutes <= params.d0:
            reach_js.setdefault(int(i), set()).add(int(j))
    lost = [i for i, js in reach_js.items() if js <= set(hit_j)]
    expected = float(model.tracts["population"].to_numpy()[lost].sum())
    assert r.summary["residents_out_of_reach"] == pytest.approx(expected)
    assert r.groups.iloc[0]["out_of_reach"] == pytest.approx(expected)
