"""Inclusion figures against hand-worked examples on a tiny inventory written here, and a naive catchment reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.analysis import inclusion
from core.analysis.travel import haversine_km, minutes_from_km
from core.ingest.inventory_schema import PARTICIPANT_GROUPS

# One degree of longitude at latitude 41.8 is 111.32 km x cos(41.8°) = 82.99 km, so 0.01205° east is 1 km.
KM_EAST = 0.01205


@pytest.fixture
def tiny():
    """Two areas, three tracts, two programmes, two quarters.

    Tract 0 (area 1, 1,000 people) sits on programme P1; tract 1 (area 2, 3,000 people) is 1 km east of it,
    about 16 minutes' walk (1 x 1.3 / 4.8 x 60); tract 2 (area 2, 2,000 people) is 5 km east, 81 minutes.
    Programme P2 sits on tract 2.
    """
    tracts = pd.DataFrame({"tract_id": ["t0", "t1", "t2"], "area_id": [1, 2, 2],
                           "population": [1000.0, 3000.0, 2000.0],
                           "lon": [-87.6, -87.6 + KM_EAST, -87.6 + 5 * KM_EAST], "lat": [41.8] * 3})
    programs = pd.DataFrame({"program_id": ["P1", "P2"], "area_id": [1, 2], "lon": [-87.6, -87.6 + 5 * KM_EAST],
                             "lat": [41.8, 41.8], "languages": ["english;polish", "english"]})
    # 65+ declared 10% (area 1) and 40% (area 2); White 70% in area 1 only; no disability share at all.
    indicators = pd.DataFrame({"area_id": [1, 2, 1], "indicator_id": ["share_65plus", "share_65plus", "race_white"],
                               "value": [10.0, 40.0, 70.0]})
    periods = pd.DataFrame({
        "program_id": ["P1", "P1", "P2", "P2"], "period": ["2025Q3", "2025Q4", "2025Q3", "2025Q4"],
        "participants": [20, 20, 30, 14],
        "participants_65plus": [13, 13, 3, 5],
        "participants_poc": [15, None, 20, 2],
        "participants_disability": [4, 8, 20, 0],
    })
    return tracts, programs, indicators, periods


def test_groups_match_the_inventory_columns():
    assert [g.column for g in inclusion.GROUPS] == list(PARTICIPANT_GROUPS)


def test_resident_shares_are_declared_only(tiny):
    tracts, programs, indicators, periods = tiny
    shares = inclusion.resident_shares(indicators, [1, 2])
    assert shares.loc[1, "65plus"] == pytest.approx(0.10) and shares.loc[2, "65plus"] == pytest.approx(0.40)
    # People of colour: 100% - 70% White in area 1; area 2 declares no White share, so no guess.
    assert shares.loc[1, "poc"] == pytest.approx(0.30) and np.isnan(shares.loc[2, "poc"])
    assert shares["disability"].isna().all()


def test_catchment_share_weights_tracts_by_population(tiny):
    tracts, programs, indicators, periods = tiny
    shares = inclusion.resident_shares(indicators, [1, 2])
    catch = inclusion.catchment_shares(programs, tracts, shares, d0=30)
    # P1 reaches t0 and t1: (1,000 x 10% + 3,000 x 40%) / 4,000 = 1,300 / 4,000 = 32.5%.
    assert catch.loc["P1", "65plus"] == pytest.approx(0.325)
    # P2 reaches only t2: 40%. People of colour: only t0 declares one (30%), so P1's catchment is 30%, P2's none.
    assert catch.loc["P2", "65plus"] == pytest.approx(0.40)
    assert catch.loc["P1", "poc"] == pytest.approx(0.30) and np.isnan(catch.loc["P2", "poc"])


def test_programme_disparity_hand_worked(tiny):
    tracts, programs, indicators, periods = tiny
    shares = inclusion.resident_shares(indicators, [1, 2])
    d = inclusion.program_disparities(programs, periods, tracts, shares, quarters=2).set_index(
        ["program_id", "group"])
    p1 = d.loc[("P1", "65plus")]
    # P1, 65+: k = 13 + 13 = 26 of n = 40 = 65%, against 32.5% in its catchment: +32.5 points.
    # Wilson: centre (0.65 + 0.0480) / 1.0960 = 0.6369, half 1.96 x sqrt(0.0056875 + 0.00060) / 1.0960 = 0.1418,
    # so 49.5% to 77.9%; the disparity's interval is that minus 32.5%: +17.0 to +45.4.
    assert (p1["k"], p1["n"], p1["status"]) == (26, 40, "shown")
    assert p1["share"] == pytest.approx(0.65)
    assert p1["lo"] == pytest.approx(0.4951, abs=5e-4) and p1["hi"] == pytest.approx(0.7787, abs=5e-4)
    assert p1["gap"] == pytest.approx(0.325) and p1["gap_lo"] == pytest.approx(0.1701, abs=5e-4)
    # P1, people of colour: only 2025Q3 recorded it, so k = 15 of n = 20 (not 40); 20 - 15 = 5 people outside the
    # group would be given back by the share, so it is hidden.
    poc = d.loc[("P1", "poc")]
    assert (poc["k"], poc["n"], poc["status"]) == (15, 20, "small") and np.isnan(poc["share"])
    # P2, 65+: k = 8 of 44: a count of 1-10, hidden.
    assert d.loc[("P2", "65plus"), "status"] == "small" and np.isnan(d.loc[("P2", "65plus"), "gap"])
    # P2, disability: 20 of 44, but no disability share is declared: the share is shown, no disparity.
    dis = d.loc[("P2", "disability")]
    assert dis["status"] == "no resident share" and dis["share"] == pytest.approx(20 / 44) and np.isnan(dis["gap"])
    # Nobody recorded low income.
    assert d.loc[("P1", "low_income"), "status"] == "not recorded"


def test_area_disparity_pools_programmes_against_the_area(tiny):
    tracts, programs, indicators, periods = tiny
    shares = inclusion.resident_shares(indicators, [1, 2])
    a = inclusion.area_disparities(programs, periods, shares, quarters=2).set_index(["area_id", "group"])
    # Area 1 holds P1 only: 26 of 40 against the area's own 10%: +55 points.
    assert a.loc[(1, "65plus"), "gap"] == pytest.approx(0.55)
    # Area 2 holds P2: disability 20 of 44 (n - k = 24): shown, but no share declared.
    assert a.loc[(2, "disability"), "status"] == "no resident share"


def test_language_reach_hand_worked(tiny):
    tracts, programs, indicators, periods = tiny
    langs = pd.DataFrame({"area_id": [1, 2, 2, 2], "language": ["polish", "polish", "spanish", "other slavic"],
                          "speakers": [100.0, 500.0, 50.0, 70.0]})
    by_lang, by_area = inclusion.language_reach(programs, tracts, langs, d0=30)
    lang = by_lang.set_index("language")
    # Polish: P1 offers it and reaches t0 (area 1: all 100) and t1 (area 2: 500 x 3,000 / 5,000 = 300): 400 of 600.
    assert lang.loc["polish", "speakers"] == pytest.approx(600)
    assert lang.loc["polish", "in_reach"] == pytest.approx(400)
    # Spanish: nobody offers it. 'Other slavic' names no language a programme could offer: left out.
    assert lang.loc["spanish", "in_reach"] == 0 and "other slavic" not in lang.index
    area = by_area.set_index("area_id")
    assert area.loc[2, "share"] == pytest.approx(300 / 550)


def test_provision_against_need():
    programs = pd.DataFrame({"area_id": [1, 1, 2], "weekly_capacity": [30.0, 10.0, 5.0],
                             "step_free": [True, False, False], "evening": [False, True, False],
                             "weekend": [False, True, False]})
    areas = pd.DataFrame({"area_id": [1, 2], "name": ["A", "B"], "population": [20000.0, 5000.0]})
    shares = pd.DataFrame({"disability": [0.15, np.nan]}, index=pd.Index([1, 2], name="area_id"))
    p = inclusion.provision(programs, areas, shares).set_index("area_id")
    # Area 1: 30 of 40 places step-free; 3,000 disabled residents (15% of 20,000): 10 per 1,000.
    assert p.loc[1, "step_free_share"] == pytest.approx(0.75)
    assert p.loc[1, "step_free_per_1000_disabled"] == pytest.approx(10.0)
    # 10 evening-and-weekend places per 20,000 residents = 0.5 per 1,000.
    assert p.loc[1, "after_hours_per_1000"] == pytest.approx(0.5)
    # Area 2 declares no disability share: no rate, never a guess.
    assert np.isnan(p.loc[2, "step_free_per_1000_disabled"])


def _naive_catchment(programs, tracts, shares, d0, group):
    """A plain loop over every programme and tract: the reference for catchment_shares."""
    out = {}
    for _, p in programs.iterrows():
        num = den = 0.0
        reached = False
        for _, t in tracts.iterrows():
            minutes = float(minutes_from_km(haversine_km(p["lon"], p["lat"], t["lon"], t["lat"])))
            if minutes <= d0:
                reached = True
                s = shares.at[t["area_id"], group]
                if not np.isnan(s):
                    num += t["population"] * s
                    den += t["population"]
        out[p["program_id"]] = (num / den if den else np.nan) if reached else shares.at[p["area_id"], group]
    return pd.Series(out)


def test_catchment_matches_a_naive_loop():
    rng = np.random.default_rng(3)
    tracts = pd.DataFrame({"area_id": rng.integers(1, 5, 60), "population": rng.integers(0, 5000, 60).astype(float),
                           "lon": -87.7 + rng.uniform(0, 0.2, 60), "lat": 41.8 + rng.uniform(0, 0.15, 60)})
    programs = pd.DataFrame({"program_id": [f"P{i}" for i in range(15)], "area_id": rng.integers(1, 5, 15),
                             "lon": -87.7 + rng.uniform(0, 0.2, 15), "lat": 41.8 + rng.uniform(0, 0.15, 15)})
    shares = pd.DataFrame({g.key: rng.uniform(0, 1, 4) for g in inclusion.GROUPS},
                          index=pd.Index([1, 2, 3, 4], name="area_id"))
    shares.loc[3, "poc"] = np.nan
    fast = inclusion.catchment_shares(programs, tracts, shares, d0=20)
    for group in ("65plus", "poc"):
        naive = _naive_catchment(programs, tracts, shares, 20, group)
        np.testing.assert_allclose(fast[group].to_numpy(), naive.reindex(fast.index).to_numpy(), rtol=1e-9)


@pytest.mark.parametrize("seed", range(30))
def test_group_counts_equal_the_pandas_oracle(seed):
    # Random programme quarters: groups missing from some rows or from the file, participants missing, text ids.
    from tests.oracles import inclusion_reference

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    periods = pd.DataFrame({"program_id": rng.choice([f"P{i}" for i in range(1, 12)], n),
                            "period": rng.choice(["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"], n),
                            "participants": np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 40, n))})
    for g in inclusion.GROUPS:
        if rng.random() < 0.8:
            periods[g.column] = np.where(rng.random(n) < 0.4, np.nan, rng.integers(0, 15, n))
    for quarters in (1, 2, 4):
        pd.testing.assert_frame_equal(inclusion.group_counts(periods, quarters),
                                      inclusion_reference.group_counts(periods, quarters))
    empty = inclusion.group_counts(periods.iloc[:0], 4)
    assert empty.empty and list(empty.columns) == ["program_id", "group", "k", "n"]
