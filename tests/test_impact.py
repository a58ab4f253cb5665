"""Impact measures on a small inventory whose every number is worked out by hand in the comments.

They check the pandas oracle; tests/test_impact_views.py checks that the product's tables equal it exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from core.analysis.impact import COUNT_COLUMNS, RATE_COLUMNS_BY_COUNT
from core.analysis.suppression import SUPPRESSED, suppress_counts
from core.base.errors import InputError
from tests.oracles import impact_reference as impact

# Three programmes in areas 1 and 2; area 3 has none.
PROGRAMS = pd.DataFrame(
    {
        "program_id": ["a", "b", "c"],
        "name": ["Friendship circle", "Stress workshop", "Walk and talk"],
        "area_id": [1, 1, 2],
        "type": ["peer support", "workshop", "Peer Support"],
        "populations_served": ["older adults;carers", "young people", "older adults"],
        "coordinator_count": [1, 2, 0],
        "step_free": [True, False, True],
        "volunteer_hours_year": [100.0, 0.0, 50.0],
    }
)
AREAS = pd.DataFrame(
    {
        "area_id": [1, 2, 3],
        "population": [10000.0, 5000.0, 2000.0],
        "share_65plus": [0.20, 0.10, 0.15],
        "share_limited_english": [0.10, 0.30, 0.05],
    }
)
_P = ["program_id", "period", "sessions", "participants", "participants_65plus", "participants_limited_english",
      "volunteer_hours", "outcome_measure", "n_pre_post", "mean_change", "sd_change", "cost"]
PERIODS = pd.DataFrame(
    [
        # Outside the window (latest quarter is 2026Q1, so the window is 2025Q2-2026Q1).
        ("a", "2025Q1", 99, 999, 99, 99, 999.0, "SWEMWBS", 99, 9.0, 9.0, 9999.0),
        ("a", "2025Q2", 10, 20, 8, 2, 30.0, "SWEMWBS", 6, 2.0, 1.0, 400.0),
        ("a", "2025Q3", 12, 25, 10, 3, 30.0, "SWEMWBS", 5, 4.0, 2.0, np.nan),
        ("a", "2025Q4", 8, 15, np.nan, 1, 20.0, "UCLA-3", 4, -1.0, 1.0, 300.0),
        ("a", "2026Q1", 10, 20, 6, 2, 40.0, "SWEMWBS", 4, 3.0, 1.0, 500.0),
        ("b", "2026Q1", 4, 12, 0, np.nan, 0.0, "SWEMWBS", 10, 1.0, 0.5, 240.0),
    ],
    columns=_P,
)


def row(df, key, value):
    return df.set_index(key).loc[value]


def test_program_impact_hand_worked():
    r = impact.program_impact(PROGRAMS, PERIODS, AREAS)
    assert r.attrs["period"] == "2026Q1"
    a = row(r, "program_id", "a")
    # a over 2025Q2-2026Q1: sessions 10+12+8+10 = 40; participants 20+25+15+20 = 80;
    # per 1,000 = 80 / 10,000 x 1000 = 8.0; volunteer hours 30+30+20+40 = 120, value 120 x 34.79 = 4,174.80.
    assert a["quarters_reported"] == 4
    assert a["sessions"] == 40 and a["participants"] == 80
    assert a["per_1000"] == pytest.approx(8.0)
    assert a["volunteer_hours"] == 120 and a["volunteer_value"] == pytest.approx(4174.8)
    # Cost: the quarters reporting one (Q2 400 / 20, Q4 300 / 15, Q1 500 / 20) -> 1,200 / 55 = 21.818.
    assert a["cost"] == 1200 and a["cost_per_participant"] == pytest.approx(1200 / 55)
    # 65+: reported in Q2, Q3, Q1: 8+10+6 = 24 of 20+25+20 = 65 -> 0.36923; area 0.20 -> gap 0.16923.
    assert a["participants_65plus"] == 24
    assert a["share_65plus"] == pytest.approx(24 / 65)
    assert a["gap_65plus"] == pytest.approx(24 / 65 - 0.20)
    # Limited English: all four quarters, 2+3+1+2 = 8 of 80 = 0.10; area 0.10 -> gap 0.
    assert a["share_limited_english"] == pytest.approx(0.10)
    assert a["gap_limited_english"] == pytest.approx(0.0, abs=1e-12)
    assert bool(a["single_coordinator"]) and a["type"] == "peer support"

    b = row(r, "program_id", "b")
    # b: 12 participants, 240 cost -> 20 each; 1.2 per 1,000; 0 of 12 aged 65+ (12 >= 11, so shown): gap -0.2.
    assert b["per_1000"] == pytest.approx(1.2) and b["cost_per_participant"] == pytest.approx(20.0)
    assert b["share_65plus"] == 0.0 and b["gap_65plus"] == pytest.approx(-0.2)
    assert np.isnan(b["share_limited_english"])  # never reported
    assert not b["single_coordinator"]

    c = row(r, "program_id", "c")
    # c reports nothing: zeros for counts, missing for cost per participant, no outcome.
    assert c["quarters_reported"] == 0 and c["participants"] == 0 and c["per_1000"] == 0
    assert np.isnan(c["cost_per_participant"])
    assert c["outcome_status"] == "no data" and np.isnan(c["outcome_mean"])


def test_program_outcome_pools_the_latest_measure_and_applies_n11():
    r = impact.program_impact(PROGRAMS, PERIODS, AREAS)
    a = row(r, "program_id", "a")
    # a's latest measure is SWEMWBS, so the UCLA-3 quarter (2025Q4) is left out; 2025Q1 is outside.
    # Pool (6, 2.0, 1.0), (5, 4.0, 2.0), (4, 3.0, 1.0):
    #   N = 15; mean = (12 + 20 + 12) / 15 = 2.93333
    #   Σx² = (5·1 + 6·4) + (4·4 + 5·16) + (3·1 + 4·9) = 29 + 96 + 39 = 164
    #   sd² = (164 - 15 · 2.93333²) / 14 = (164 - 129.06667) / 14 = 2.49524; sd = 1.57963
    #   95% t(14) = 2.14479: half = 2.14479 · 1.57963 / sqrt(15) = 0.87478 -> [2.0586, 3.8081]
    assert a["outcome_measure"] == "SWEMWBS" and a["outcome_status"] == "shown"
    assert a["outcome_n"] == 15
    assert a["outcome_mean"] == pytest.approx(44 / 15)
    assert a["outcome_sd"] == pytest.approx(np.sqrt((164 - 44**2 / 15) / 14))
    assert a["outcome_lo"] == pytest.approx(2.0586, abs=1e-4)
    assert a["outcome_hi"] == pytest.approx(3.8081, abs=1e-4)
    # b has n = 10 < 11: nothing shown, not even n.
    b = row(r, "program_id", "b")
    assert b["outcome_status"] == "n<11"
    assert np.isnan(b["outcome_n"]) and np.isnan(b["outcome_mean"]) and np.isnan(b["outcome_lo"])


def test_pooled_change_matches_the_raw_union():
    # Naive reference: build actual samples with the given n, mean and sd, concatenate, and compare.
    rng = np.random.default_rng(7)
    parts, summary = [], []
    for n, m, s in [(6, 2.0, 1.0), (5, 4.0, 2.0), (4, 3.0, 1.0), (1, -3.0, np.nan), (9, 0.5, 0.2)]:
        x = rng.normal(size=n)
        x = m + (s * (x - x.mean()) / x.std(ddof=1) if n > 1 else 0.0)
        parts.append(np.atleast_1d(x))
        summary.append((n, m, s))
    raw = np.concatenate(parts)
    n, mean, sd = impact.pooled_change(*zip(*summary))
    assert n == len(raw)
    assert mean == pytest.approx(raw.mean())
    assert sd == pytest.approx(raw.std(ddof=1))


def test_area_impact_recomputes_from_counts_and_keeps_empty_areas():
    r = impact.area_impact(PROGRAMS, PERIODS, AREAS)
    assert r["area_id"].tolist() == [1, 2, 3]
    one = row(r, "area_id", 1)
    # Area 1 = a + b: participants 92 -> 9.2 per 1,000; cost 1,440 over 55 + 12 = 67 -> 21.49.
    assert one["participants"] == 92 and one["per_1000"] == pytest.approx(9.2)
    assert one["cost_per_participant"] == pytest.approx(1440 / 67)
    # 65+: 24 + 0 of 65 + 12 = 77 -> 0.31169 (not the mean of the two shares); gap 0.11169.
    assert one["share_65plus"] == pytest.approx(24 / 77)
    assert one["gap_65plus"] == pytest.approx(24 / 77 - 0.2)
    assert one["n_programs"] == 2 and one["n_single_coordinator"] == 1
    assert one["share_step_free"] == pytest.approx(0.5)
    assert one["volunteer_value"] == pytest.approx(120 * 34.79)
    two = row(r, "area_id", 2)
    assert two["n_programs"] == 1 and two["participants"] == 0 and two["per_1000"] == 0
    three = row(r, "area_id", 3)
    assert three["n_programs"] == 0 and three["participants"] == 0


def test_filters_by_type_and_population():
    r = impact.program_impact(PROGRAMS, PERIODS, AREAS, types=["Peer support"])
    assert r["program_id"].tolist() == ["a", "c"]
    r = impact.program_impact(PROGRAMS, PERIODS, AREAS, populations=["young people"])
    assert r["program_id"].tolist() == ["b"]
    r = impact.program_impact(PROGRAMS, PERIODS, AREAS, types=["peer support"], populations=["CARERS"])
    assert r["program_id"].tolist() == ["a"]
    # Area figures follow the filter: area 1 without b has a's 80 participants only.
    r = impact.area_impact(PROGRAMS, PERIODS, AREAS, types=["peer support"])
    assert row(r, "area_id", 1)["participants"] == 80 and row(r, "area_id", 1)["n_programs"] == 1


def test_window_can_be_moved_and_shortened():
    # Window of 1 quarter ending 2025Q3: only a's 2025Q3 row (25 participants, no cost reported).
    r = impact.program_impact(PROGRAMS, PERIODS, AREAS, period="2025Q3", quarters=1)
    a = row(r, "program_id", "a")
    assert a["participants"] == 25 and np.isnan(a["cost_per_participant"])
    # n = 5 -> suppressed outcome.
    assert a["outcome_status"] == "n<11"
    assert row(r, "program_id", "b")["participants"] == 0


def test_area_outcomes_pool_across_programmes_per_measure():
    r = impact.area_outcomes(PROGRAMS, PERIODS)
    one = r[(r["area_id"] == 1) & (r["outcome_measure"] == "SWEMWBS")].iloc[0]
    # a's three SWEMWBS quarters plus b's (10, 1.0, 0.5): N = 25; mean = (44 + 10) / 25 = 2.16;
    # Σx² = 164 + (9·0.25 + 10·1) = 176.25; sd² = (176.25 - 25·2.16²) / 24 = 59.61 / 24.
    assert one["outcome_n"] == 25 and one["outcome_mean"] == pytest.approx(2.16)
    assert one["outcome_sd"] == pytest.approx(np.sqrt(59.61 / 24))
    half = stats.t.ppf(0.975, 24) * np.sqrt(59.61 / 24) / 5
    assert one["outcome_hi"] == pytest.approx(2.16 + half)
    ucla = r[(r["area_id"] == 1) & (r["outcome_measure"] == "UCLA-3")].iloc[0]
    assert ucla["outcome_status"] == "n<11" and np.isnan(ucla["outcome_mean"])


def test_quarterly_trends():
    t = impact.quarterly_trends(PROGRAMS, PERIODS, measure="SWEMWBS")
    assert t["period"].tolist() == ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    last = row(t, "period", "2026Q1")
    # 2026Q1: a 20 + b 12 participants, 2 programmes; cost 740 / 32.
    assert last["participants"] == 32 and last["programs_reporting"] == 2
    assert last["cost_per_participant"] == pytest.approx(740 / 32)
    # SWEMWBS in 2026Q1: (4, 3.0, 1.0) + (10, 1.0, 0.5): N = 14, mean = (12 + 10) / 14.
    assert last["outcome_n"] == 14 and last["outcome_mean"] == pytest.approx(22 / 14)
    # 2025Q4 has only UCLA-3 data.
    assert row(t, "period", "2025Q4")["outcome_status"] == "no data"
    by_area = impact.quarterly_trends(PROGRAMS, PERIODS, by_area=True)
    assert row(by_area[by_area["period"] == "2026Q1"], "area_id", 1)["participants"] == 32


def test_output_is_ready_for_suppression():
    r = impact.program_impact(PROGRAMS, PERIODS, AREAS)
    shown = suppress_counts(r, COUNT_COLUMNS, RATE_COLUMNS_BY_COUNT)
    # a's 8 limited-English participants and the share built on them are hidden.
    a = row(shown, "program_id", "a")
    assert a["participants_limited_english"] == SUPPRESSED and a["share_limited_english"] == SUPPRESSED
    assert a["participants"] == 80


def test_bad_period_label_names_the_row():
    bad = PERIODS.copy()
    bad.loc[2, "period"] = "2025-Q3"
    with pytest.raises(InputError) as err:
        impact.program_impact(PROGRAMS, bad, AREAS)
    assert err.value.row == 4 and err.value.column == "period"


@pytest.mark.parametrize("labels, row, text", [(["2025Q4", None], 3, "it is empty"),
                                               (["2025Q4", float("nan")], 3, "it is empty"),
                                               (["2025Q4", " 2025Q5 "], 3, "got '2025Q5'"), (["x"], 2, "got 'x'")])
def test_a_quarter_label_that_is_missing_or_malformed_is_named_never_read_as_another(labels, row, text):
    # A missing label was once read as the table's last quarter (pandas' -1 code for a missing value).
    from core.analysis.impact import period_index

    with pytest.raises(InputError) as err:
        period_index(labels)
    assert (err.value.row, err.value.column) == (row, "period") and str(err.value).endswith(text)
    assert period_index(["2025Q4", " 2026Q1 ", "2025Q4"]).tolist() == [8103, 8104, 8103]
