"""Resilience (Brief Resilience Scale) in Impact: a hand-worked pooled change on a tiny inventory written here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.analysis import impact
from tests.oracles.impact_reference import pooled_change


@pytest.fixture
def tiny():
    """Three programmes in one area: a and b use the BRS, c uses SWEMWBS (which must not be pooled in)."""
    programs = pd.DataFrame({"program_id": ["a", "b", "c"], "area_id": [1, 1, 1], "name": ["A", "B", "C"],
                             "type": ["workshop", "peer_support", "workshop"], "area_name": ["North"] * 3,
                             "populations_served": ["general"] * 3, "coordinator_count": [1, 2, 1]})
    periods = pd.DataFrame({
        "program_id": ["a", "b", "c", "a"], "period": ["2025Q3", "2025Q4", "2025Q4", "2024Q1"],
        "participants": [20, 20, 20, 20], "sessions": [10] * 4, "volunteer_hours": [5.0] * 4,
        "outcome_measure": ["BRS", "BRS", "SWEMWBS", "BRS"], "n_pre_post": [6, 8, 15, 30],
        "mean_change": [0.2, 0.4, 2.0, 1.0], "sd_change": [0.5, 0.5, 3.0, 0.5]})
    areas = pd.DataFrame({"area_id": [1], "name": ["North"], "population": [10000.0], "share_65plus": [0.1],
                          "share_limited_english": [0.05]})
    return impact.prepare(programs, periods, areas)


def test_pooled_brs_change_hand_worked(tiny):
    keep = np.ones(3, dtype=bool)
    r = impact.pooled_outcome(tiny, keep, 4, "BRS")
    # The window is 2025Q1-2025Q4, so 2024Q1 (n = 30) is out. a: n 6, mean 0.2, sd 0.5; b: n 8, mean 0.4, sd 0.5.
    # N = 14, mean (1.2 + 3.2) / 14 = 0.3143; Σx² = (5 x 0.25 + 6 x 0.04) + (7 x 0.25 + 8 x 0.16) = 4.52, so the
    # variance is (4.52 - 14 x 0.3143²) / 13 = 0.2413 (sd 0.4912); t(13) = 2.1604: ± 0.2836, 0.031 to 0.598.
    assert (r["outcome_n"], r["outcome_status"], r["programmes"]) == (14, "shown", 2)
    assert r["outcome_mean"] == pytest.approx(0.3143, abs=1e-4)
    assert (r["outcome_lo"], r["outcome_hi"]) == pytest.approx((0.0307, 0.5979), abs=1e-3)
    n, mean, sd = pooled_change([6, 8], [0.2, 0.4], [0.5, 0.5])  # the tests' oracle agrees
    assert (n, mean) == pytest.approx((r["outcome_n"], r["outcome_mean"]))


def test_brs_under_eleven_is_withheld(tiny):
    only_a = np.array([True, False, False])
    r = impact.pooled_outcome(tiny, only_a, 4, "BRS")
    # a alone has n = 6: the n ≥ 11 rule withholds the change and its interval.
    assert r["outcome_status"] == "n<11" and np.isnan(r["outcome_mean"]) and np.isnan(r["outcome_lo"])
    assert impact.pooled_outcome(tiny, only_a, 4, "K10")["outcome_status"] == "no data"
