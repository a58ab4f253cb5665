"""The PSAT self-assessment roll-ups against hand-worked examples on a tiny inventory written here."""

from __future__ import annotations

import pandas as pd
import pytest

from core.analysis import sustainability as su
from core.ingest.inventory_schema import PSAT_DOMAINS


def test_domains_match_the_inventory_columns():
    assert su.PSAT_DOMAINS == PSAT_DOMAINS


@pytest.fixture
def tiny():
    """Three programmes: P1 and P2 assessed (area 1), P3 not."""
    base = dict.fromkeys(su.PSAT_DOMAINS, 5.0)
    p1 = base | {"psat_funding_stability": 2.0, "psat_strategic_planning": 3.0}
    p2 = dict.fromkeys(su.PSAT_DOMAINS, 3.5) | {"psat_communications": 2.5, "psat_partnerships": 2.5}
    return pd.DataFrame([
        {"program_id": "P1", "area_id": 1, "psat_assessed": "2025-09-01", **p1},
        {"program_id": "P2", "area_id": 1, "psat_assessed": "2026-02-01", **p2},
        {"program_id": "P3", "area_id": 2, "psat_assessed": None},
    ])


def test_programme_scores_hand_worked(tiny):
    s = su.program_scores(tiny).set_index("program_id")
    # P1: (6 x 5 + 2 + 3) / 8 = 35 / 8 = 4.375; weakest funding stability (2).
    assert s.loc["P1", "overall"] == pytest.approx(4.375) and s.loc["P1", "weakest"] == "Funding stability"
    # P2: (6 x 3.5 + 2 x 2.5) / 8 = 26 / 8 = 3.25, a capacity risk; two domains tie at 2.5.
    assert s.loc["P2", "overall"] == pytest.approx(3.25) and bool(s.loc["P2", "capacity_risk"])
    assert s.loc["P2", "weakest"] == "Partnerships, Communications"
    assert "P3" not in s.index


def test_area_roll_up_hand_worked(tiny):
    s = su.program_scores(tiny)
    a = su.area_scores(s, pd.DataFrame({"area_id": [1, 2], "name": ["North", "South"]})).set_index("area_id")
    # Area 1 funding stability: (2 + 3.5) / 2 = 2.75; communications (5 + 2.5) / 2 = 3.75; the lowest is
    # funding stability. Overall: the mean of the eight domain means = (4.375 + 3.25) / 2 = 3.8125.
    assert a.loc[1, "psat_funding_stability"] == pytest.approx(2.75)
    assert a.loc[1, "weakest"] == "Funding stability" and a.loc[1, "overall"] == pytest.approx(3.8125)
    assert (a.loc[1, "assessed"], a.loc[1, "capacity_risk_programmes"]) == (2, 1)
    assert 2 not in a.index


def test_money_and_capacity_side_by_side(tiny):
    s = su.program_scores(tiny)
    money = pd.DataFrame({"program_id": ["P1", "P2"], "runway_months": [30, 8], "hhi": [0.2, 0.2],
                          "at_risk": [False, True], "concentrated": [False, False]})
    both = su.money_and_capacity(s, money).set_index("program_id")
    # P2: 8 months of runway (≤ 12) and an overall score of 3.25 (< 4): both risks.
    assert both.loc["P2", "both"] and not both.loc["P1", "money_risk"]
    assert both.loc["P2", "runway_months"] == 8
