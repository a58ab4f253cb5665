"""Funding sustainability: every expected number below is worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

from core.analysis import funding as fu
from core.analysis import funding_selection as fs
from core.base.errors import InputError
from tests.oracles import funding_reference as ref

AS_OF = dt.date(2026, 1, 1)


def grants(*rows):
    """A funding table from (program_id, funder, source_type, amount, start, end, status[, recurring]) tuples."""
    cols = ["program_id", "funder", "source_type", "amount", "start_date", "end_date", "status"]
    df = pd.DataFrame([r[:7] for r in rows], columns=cols)
    df.insert(0, "funding_id", [f"g{i}" for i in range(len(df))])
    df["recurring"] = [bool(r[7]) if len(r) > 7 else False for r in rows]
    return df


def progs(*ids, declared=None, capacity=None, area=None):
    n = len(ids)
    return pd.DataFrame(
        {
            "program_id": list(ids),
            "declared_budget": declared if declared is not None else [None] * n,
            "weekly_capacity": capacity if capacity is not None else [10.0] * n,
            "area_id": area if area is not None else [1] * n,
        }
    )


def metric(m, pid, col):
    return m.set_index("program_id").loc[pid, col]


# ---------------------------------------------------------------- HHI


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 8])
def test_hhi_of_n_equal_funders_is_one_over_n(n):
    # n funders give the same amount over the same months, running on as_of: each share is 1/n, HHI = 1/n.
    f = grants(*[("p", f"F{i}", "foundation", 1000.0, "2025-07-01", "2026-06-30", "committed") for i in range(n)])
    m = fu.program_metrics(progs("p"), f, AS_OF)
    assert metric(m, "p", "hhi") == pytest.approx(1 / n)
    # Strictly above 0.25 is concentrated, so four equal funders (0.25) are not.
    assert bool(metric(m, "p", "concentrated")) == (1 / n > 0.25)
    assert metric(m, "p", "top_funder_share") == pytest.approx(1 / n)


def test_hhi_unequal_shares():
    # Shares 0.6, 0.3, 0.1: HHI = 0.36 + 0.09 + 0.01 = 0.46, concentrated; top funder A with 0.6.
    run = ("2025-07-01", "2026-06-30", "committed")
    f = grants(
        ("p", "A", "foundation", 600.0, *run),
        ("p", "B", "business", 300.0, *run),
        ("p", "C", "in-kind", 100.0, *run),
        # Shares 0.4, 0.3, 0.2, 0.1: HHI = 0.16 + 0.09 + 0.04 + 0.01 = 0.30.
        ("q", "A", "foundation", 400.0, *run),
        ("q", "B", "foundation", 300.0, *run),
        ("q", "C", "foundation", 200.0, *run),
        ("q", "D", "foundation", 100.0, *run),
    )
    m = fu.program_metrics(progs("p", "q"), f, AS_OF)
    assert metric(m, "p", "hhi") == pytest.approx(0.46)
    assert metric(m, "q", "hhi") == pytest.approx(0.30)
    assert metric(m, "p", "top_funder") == "A"
    assert metric(m, "p", "top_funder_share") == pytest.approx(0.6)
    assert bool(metric(m, "q", "concentrated"))
    # Source mix of p: foundation 0.6, business 0.3, in-kind 0.1, the rest 0.
    assert metric(m, "p", "share_foundation") == pytest.approx(0.6)
    assert metric(m, "p", "share_business") == pytest.approx(0.3)
    assert metric(m, "p", "share_in_kind") == pytest.approx(0.1)
    assert metric(m, "p", "share_local_government") == 0.0
    assert metric(m, "q", "share_foundation") == pytest.approx(1.0)


def test_hhi_weighs_funders_by_the_yearly_rates_the_budget_is_made_of():
    # As of 2026-01-01, by yearly rate (amount x 12 / months):
    # X: 12,000 over 2025-07-01..2026-06-30 (12 months) = 12,000 a year, and 6,000 over 2025-10-01..2026-03-31
    #    (6 months) = 12,000 a year: X runs at 24,000.
    # Y: 6,000 over 2025-01-01..2025-06-30 (6 months), ended but recurring, so continuing: 12,000.
    # W: ended in 2024 and not recurring: nothing. Z: a huge pending grant, which is not money yet.
    # Shares X 24/36 = 2/3, Y 1/3: HHI = 4/9 + 1/9 = 5/9; the budget is the same 36,000.
    f = grants(
        ("p", "X", "business", 12000.0, "2025-07-01", "2026-06-30", "committed"),
        ("p", "X", "business", 6000.0, "2025-10-01", "2026-03-31", "committed"),
        ("p", "Y", "foundation", 6000.0, "2025-01-01", "2025-06-30", "ended", True),
        ("p", "W", "foundation", 50000.0, "2024-01-01", "2024-12-31", "ended"),
        ("p", "Z", "business", 1e6, "2026-01-01", "2026-12-31", "pending"),
    )
    m = fu.program_metrics(progs("p"), f, AS_OF)
    assert metric(m, "p", "hhi") == pytest.approx(5 / 9)
    assert metric(m, "p", "active_rate") == pytest.approx(36000.0)
    assert metric(m, "p", "annual_budget") == pytest.approx(36000.0)
    assert metric(m, "p", "top_funder") == "X"


def test_no_running_grant_leaves_hhi_missing_and_not_concentrated():
    f = grants(("p", "X", "business", 100.0, "2020-01-01", "2020-12-31", "ended"))
    m = fu.program_metrics(progs("p", declared=[1000.0]), f, AS_OF)
    assert np.isnan(metric(m, "p", "hhi"))
    assert not bool(metric(m, "p", "concentrated"))


# ---------------------------------------------------------------- months and rates


def test_a_grant_lasts_calendar_months():
    # 1 Jan-31 Dec is 12 months whatever the days; 15 Jan-14 Apr is 3; 1 Jan-15 Feb is 1 month and 15 of
    # February's 28 days; 31 Jan-27 Feb runs up to 28 Feb, the 31st clipped to February's end: 1 month.
    f = grants(
        ("p", "X", "business", 12000.0, "2026-01-01", "2026-12-31", "committed"),
        ("p", "X", "business", 3000.0, "2026-01-15", "2026-04-14", "committed"),
        ("p", "X", "business", 3000.0, "2026-01-01", "2026-02-15", "committed"),
        ("p", "X", "business", 3000.0, "2026-01-31", "2026-02-27", "committed"),
    )
    g = fu.grant_intervals(f)
    assert g["months"].tolist() == pytest.approx([12.0, 3.0, 1 + 15 / 28, 1.0])
    assert g["rate"].tolist() == pytest.approx([12000.0, 12000.0, 3000 * 12 / (1 + 15 / 28), 36000.0])


# ---------------------------------------------------------------- money: four hand-worked programmes


def _four_programmes():
    """As of 1 January 2026 (next 12 months: [2026-01-01, 2027-01-01)); each line worked by hand below."""
    f = grants(
        # new: a grant that began a month ago, 6,000 for 2025-12-01..2026-05-31 (6 months): 12,000 a year.
        ("new", "X", "foundation", 6000.0, "2025-12-01", "2026-05-31", "committed"),
        # recurring: 24,000 for 2025 (12 months), ended but recurring: counted as continuing at 24,000 a year.
        ("recurring", "Y", "local government", 24000.0, "2025-01-01", "2025-12-31", "ended", True),
        # declared: declares 35,000; its grant, 12,000 for 2025-07-01..2026-06-30, runs at 12,000 a year.
        ("declared", "Z", "business", 12000.0, "2025-07-01", "2026-06-30", "committed"),
        # midq: 9,000 for 2025-11-15..2026-08-14, ending in the middle of 2026Q3: exactly 9 months, 12,000 a year.
        ("midq", "W", "foundation", 9000.0, "2025-11-15", "2026-08-14", "committed"),
    )
    p = progs("new", "recurring", "declared", "midq", declared=[None, None, 35000.0, None],
              capacity=[10.0, 20.0, 30.0, 40.0])
    return p, f


def test_annual_budget_of_the_four_hand_worked_programmes():
    p, f = _four_programmes()
    b = fu.annual_budget(p, f, AS_OF).set_index("program_id")
    # The old rule (money in the 12 months before as_of) gave new 1,000 (one month of it), recurring 24,000,
    # declared 6,000 (July-December; its declared 35,000 ignored) and midq 1,500 (a month and a half).
    assert b.loc["new", "annual_budget"] == pytest.approx(12000.0)
    assert b.loc["recurring", "annual_budget"] == pytest.approx(24000.0)
    assert b.loc["declared", "annual_budget"] == 35000.0 and b.loc["declared", "budget_source"] == "declared"
    assert b.loc["midq", "annual_budget"] == pytest.approx(12000.0)
    assert (b.drop(index="declared")["budget_source"] == "grants").all()


def test_secured_ratio_of_the_four_hand_worked_programmes():
    p, f = _four_programmes()
    m = fu.program_metrics(p, f, AS_OF).set_index("program_id")
    # new: January-May, 5 months at 1,000 a month = 5,000 of 12,000 (the old rule: 5,000 of 1,000, 500%).
    assert m.loc["new", "secured_amount"] == pytest.approx(5000.0)
    assert m.loc["new", "secured_ratio"] == pytest.approx(5 / 12)
    # recurring: its renewal is not committed yet, so nothing is secured.
    assert m.loc["recurring", "secured_ratio"] == 0.0
    # declared: January-June, 6 months at 1,000 = 6,000 of the declared 35,000.
    assert m.loc["declared", "secured_ratio"] == pytest.approx(6000 / 35000)
    # midq: 1 January to 15 August is 7 months and 14 of August's 31 days: 12,000 x (7 + 14/31) / 12.
    assert m.loc["midq", "secured_amount"] == pytest.approx(1000 * (7 + 14 / 31))
    assert not m["over_funded"].any()


def test_runway_of_the_four_hand_worked_programmes():
    p, f = _four_programmes()
    m = fu.program_metrics(p, f, AS_OF).set_index("program_id")
    # new: 12,000 a year runs to 31 May; 1 May (m = 4) is covered, 1 June (m = 5) is not: runway 5.
    assert m.loc["new", "runway_months"] == 5
    # recurring: nothing committed runs on as_of: runway 0, at risk.
    assert m.loc["recurring", "runway_months"] == 0 and m.loc["recurring", "at_risk"]
    # declared: 12,000 a year is below half of 35,000 from the start: runway 0.
    assert m.loc["declared", "runway_months"] == 0
    # midq: 1 August (m = 7) is covered, 1 September (m = 8) is not: runway 8.
    assert m.loc["midq", "runway_months"] == 8


def test_hhi_and_cliff_of_the_four_hand_worked_programmes():
    p, f = _four_programmes()
    m = fu.program_metrics(p, f, AS_OF).set_index("program_id")
    # One funder each, running on as_of (the recurring one as continuing): HHI 1.
    assert m["hhi"].tolist() == [1.0] * 4
    # The cliff, on the product's path: committed money ending by quarter, at the same yearly rates.
    # 2026Q2: new (ends 31 May, 12,000) and declared (ends 30 June, 12,000); 2026Q3: midq (14 August, 12,000).
    # The recurring grant ended in 2025 and is not in the cliff's quarters.
    p = p.assign(name=p["program_id"], area_name="One", type="workshop")
    prepared = fs.prepare(p, f, AS_OF, quarters=4)
    c = fs.funding_cliff(prepared, np.ones(len(p), dtype=bool), by_source=False).set_index("quarter")
    assert c["annualised_ending"].tolist() == pytest.approx([0.0, 24000.0, 12000.0, 0.0])
    assert c.loc["2026Q2", "n_programs"] == 2 and c.loc["2026Q2", "capacity_affected"] == 40.0
    assert c.loc["2026Q3", "capacity_affected"] == 40.0


def test_a_ratio_over_one_is_over_funded():
    # Budget: a grant of 6,000 for 2025-07-01..2026-06-30 runs at 6,000 a year. A second committed grant of
    # 12,000 for 2026-07-01..2027-06-30 adds 6 months, 6,000: secured 3,000 + 6,000 = 9,000, 150%.
    f = grants(
        ("p", "X", "business", 6000.0, "2025-07-01", "2026-06-30", "committed"),
        ("p", "X", "business", 12000.0, "2026-07-01", "2027-06-30", "committed"),
    )
    m = fu.program_metrics(progs("p"), f, AS_OF)
    assert metric(m, "p", "secured_ratio") == pytest.approx(1.5)
    assert bool(metric(m, "p", "over_funded"))


# ---------------------------------------------------------------- annual budget and fallback


def test_annual_budget_counts_the_grants_running_on_the_as_of_date():
    # As of 2026-01-01: X's 36,500 for 2024-07-01..2025-06-30 has ended (not recurring): nothing. X's committed
    # 24,000 for 2026-01-01..2026-12-31 starts that day: 24,000 a year. Y's pending grant: nothing.
    f = grants(
        ("p", "X", "business", 36500.0, "2024-07-01", "2025-06-30", "ended"),
        ("p", "X", "business", 24000.0, "2026-01-01", "2026-12-31", "committed"),
        ("p", "Y", "business", 50000.0, "2025-01-01", "2025-12-31", "pending"),
    )
    b = fu.annual_budget(progs("p"), f, AS_OF)
    assert b["annual_budget"].iloc[0] == pytest.approx(24000.0)
    assert b["budget_source"].iloc[0] == "grants"


def test_declared_budget_comes_first():
    # a: declared 50,000, its grant starts in February. b: a zero-amount grant, declared 8,000.
    # c: nothing declared and nothing running: unknown. d: declared 1,000,000 though a grant runs: declared.
    # e: nothing declared, a grant of 3,650 for 2025-07-01..2026-06-30 runs: 3,650 a year.
    f = grants(
        ("a", "X", "business", 20000.0, "2026-02-01", "2027-01-31", "committed"),
        ("a", "X", "business", 20000.0, "2025-02-01", "2025-12-31", "pending"),
        ("b", "X", "business", 0.0, "2025-07-01", "2026-06-30", "committed"),
        ("d", "X", "business", 3650.0, "2025-07-01", "2026-06-30", "committed"),
        ("e", "X", "business", 3650.0, "2025-07-01", "2026-06-30", "committed"),
    )
    p = progs("a", "b", "c", "d", "e", declared=[50000.0, 8000.0, None, 1e6, None])
    b = fu.annual_budget(p, f, AS_OF).set_index("program_id")
    assert b.loc["a", "annual_budget"] == 50000.0 and b.loc["a", "budget_source"] == "declared"
    assert b.loc["b", "annual_budget"] == 8000.0 and b.loc["b", "budget_source"] == "declared"
    assert np.isnan(b.loc["c", "annual_budget"]) and b.loc["c", "budget_source"] == "none"
    assert b.loc["d", "annual_budget"] == 1e6 and b.loc["d", "budget_source"] == "declared"
    assert b.loc["e", "annual_budget"] == pytest.approx(3650.0) and b.loc["e", "budget_source"] == "grants"

    m = fu.program_metrics(p, f, AS_OF).set_index("program_id")
    # c's budget is unknown: runway missing, not flagged at risk.
    assert pd.isna(m.loc["c", "runway_months"]) and not m.loc["c", "at_risk"]
    # a: committed 20,000 for 12 months from 1 February; 11 of them fall in the next 12: 20,000 x 11/12.
    assert m.loc["a", "secured_ratio"] == pytest.approx(20000 * 11 / 12 / 50000)
    # a's rate at as_of is 0 (the grant starts in February): runway 0.
    assert m.loc["a", "runway_months"] == 0


def test_dates_as_python_dates_or_datetime64_agree():
    rows = [
        ("p", "X", "business", 36500.0, "2024-07-01", "2025-06-30", "ended"),
        ("p", "Y", "foundation", 12000.0, "2025-06-01", "2026-09-30", "committed"),
    ]
    f_str = grants(*rows)
    f_date = f_str.assign(
        start_date=[dt.date.fromisoformat(s) for s in f_str.start_date],
        end_date=[dt.date.fromisoformat(s) for s in f_str.end_date],
    )
    f_ts = f_str.assign(start_date=pd.to_datetime(f_str.start_date), end_date=pd.to_datetime(f_str.end_date))
    a = fu.program_metrics(progs("p"), f_date, AS_OF)
    b = fu.program_metrics(progs("p"), f_ts, pd.Timestamp(AS_OF))
    c = fu.program_metrics(progs("p"), f_ts, np.datetime64("2026-01-01"))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)


# ---------------------------------------------------------------- runway


def _runway_case():
    # Budget: the declared 120,000 (RUNWAY_PROGRAMME); A, ended in 2025 and not recurring, runs no more.
    # Floor = 50% = 60,000 a year. Yearly rates are amount x 12 / months:
    # B: 36,500 over 2026 (12 months): 36,500.
    # C: 36,200 over 2026-01-01..2026-06-30 (6 months): 72,400.
    # D: 54,900 over 2026-07-01..2027-12-31 (18 months): 36,600.
    return [
        ("p", "A", "local government", 120000.0, "2025-01-01", "2025-12-31", "ended"),
        ("p", "B", "foundation", 36500.0, "2026-01-01", "2026-12-31", "committed"),
        ("p", "C", "business", 36200.0, "2026-01-01", "2026-06-30", "committed"),
        ("p", "D", "state or federal", 54900.0, "2026-07-01", "2027-12-31", "committed"),
    ]


RUNWAY_PROGRAMME = progs("p", declared=[120000.0])


def test_runway_adds_overlapping_grants():
    rows = _runway_case()
    # With B, C and D: months 0-5 rate B+C = 108,900; months 6-11 (from 1 July) B+D = 73,100 >= 60,000;
    # month 12 (2027-01-01) D alone = 36,600 < 60,000: runway 12. Neither B nor D alone is enough, so the
    # overlap is what carries months 6-11.
    m = fu.program_metrics(RUNWAY_PROGRAMME, grants(*rows), AS_OF)
    assert metric(m, "p", "annual_budget") == pytest.approx(120000.0)
    assert metric(m, "p", "runway_months") == 12
    assert not metric(m, "p", "runway_capped")
    assert metric(m, "p", "at_risk")
    # Without D: month 6 (2026-07-01) has B alone, 36,500 < 60,000: runway 6.
    m = fu.program_metrics(RUNWAY_PROGRAMME, grants(*rows[:3]), AS_OF)
    assert metric(m, "p", "runway_months") == 6


def test_runway_pending_grants_do_not_extend_it():
    rows = _runway_case()
    rows[3] = rows[3][:6] + ("pending",)
    m = fu.program_metrics(RUNWAY_PROGRAMME, grants(*rows), AS_OF)
    assert metric(m, "p", "runway_months") == 6


def test_runway_cap_and_exact_36():
    # Each programme has one grant from 2025-01-01 running on as_of, so its budget is that grant's yearly rate
    # (1,000 for long and exact) and the rate stays above half of it until the grant ends.
    # long: ends 2030-12-31; never below within 36 months -> 36, capped.
    # exact: ends 2028-12-31; 2028-12-01 (m = 35) is covered, 2029-01-01 (m = 36) is not -> 36, not capped.
    # short: ends 2028-11-30; m = 35 (2028-12-01) is the first month without it -> 35.
    f = grants(
        ("long", "X", "business", 6000.0, "2025-01-01", "2030-12-31", "committed"),
        ("exact", "X", "business", 4000.0, "2025-01-01", "2028-12-31", "committed"),
        ("short", "X", "business", 4000.0, "2025-01-01", "2028-11-30", "committed"),
    )
    m = fu.program_metrics(progs("long", "exact", "short"), f, AS_OF).set_index("program_id")
    assert m.loc["long", "runway_months"] == 36 and m.loc["long", "runway_capped"]
    assert m.loc["exact", "runway_months"] == 36 and not m.loc["exact", "runway_capped"]
    assert m.loc["short", "runway_months"] == 35 and not m.loc["short", "runway_capped"]
    assert not m["at_risk"].any()


def test_runway_steps_calendar_months_from_month_end():
    # as_of 31 Jan 2026: one month on is 28 Feb 2026. A grant ending 27 Feb is gone by then: runway 1.
    # One ending 28 Feb is still there; the next tick is 31 Mar, so runway 2.
    f = grants(
        ("a", "X", "business", 1000.0, "2025-02-01", "2026-02-27", "committed"),
        ("b", "X", "business", 1000.0, "2025-02-01", "2026-02-28", "committed"),
    )
    m = fu.program_metrics(progs("a", "b"), f, dt.date(2026, 1, 31)).set_index("program_id")
    assert m.loc["a", "runway_months"] == 1
    assert m.loc["b", "runway_months"] == 2


# ---------------------------------------------------------------- secured ratio


def test_secured_ratio_counts_committed_money_only():
    # Budget: the declared 120,000. Next 12 months = [2026-01-01, 2027-01-01).
    # Committed 73,000 for 2026-07-01..2027-06-30 (12 months); July-December, 6 months, inside: 36,500.
    # Committed 10,000 for 2025-07-01..2026-06-30 (12 months); January-June, 6 months, inside: 5,000.
    # A pending 50,000 adds nothing. Secured = 41,500; ratio 41,500 / 120,000.
    f = grants(
        ("p", "B", "foundation", 73000.0, "2026-07-01", "2027-06-30", "committed"),
        ("p", "C", "business", 10000.0, "2025-07-01", "2026-06-30", "committed"),
        ("p", "D", "business", 50000.0, "2026-01-01", "2026-12-31", "pending"),
    )
    m = fu.program_metrics(progs("p", declared=[120000.0]), f, AS_OF)
    assert metric(m, "p", "annual_budget") == 120000.0
    assert metric(m, "p", "secured_amount") == pytest.approx(41500.0)
    assert metric(m, "p", "secured_ratio") == pytest.approx(41500 / 120000)


# ---------------------------------------------------------------- cliff


def test_cliff_quarter_boundaries():
    # as_of 15 Nov 2026 -> quarters 2026Q4 .. 2028Q3.
    # g1 ends 31 Mar 2027, the last day of Q1 -> 2027Q1. 36,500 for 12 months: 36,500 a year.
    # g2 ends 1 Apr 2027, the first day of Q2 -> 2027Q2. 30,000 for 2026-04-02..2027-04-01 (12 months): 30,000.
    # g3 ended 1 Oct 2026, before as_of but in the quarter containing it -> 2026Q4.
    # g4 ends 1 Oct 2028: beyond the 8th quarter (2028Q3) -> not shown. g5 is pending -> not shown.
    # g6: a second grant of programme a ending in 2027Q1, also foundation: 2 grants, 1 programme.
    f = grants(
        ("a", "X", "foundation", 36500.0, "2026-04-01", "2027-03-31", "committed"),
        ("b", "Y", "foundation", 30000.0, "2026-04-02", "2027-04-01", "committed"),
        ("c", "Z", "business", 1000.0, "2025-10-02", "2026-10-01", "committed"),
        ("a", "X", "foundation", 1000.0, "2025-10-02", "2028-10-01", "committed"),
        ("b", "X", "foundation", 5000.0, "2026-01-01", "2027-03-31", "pending"),
        ("a", "W", "foundation", 3650.0, "2026-04-01", "2027-03-31", "committed"),
    )
    p = progs("a", "b", "c", capacity=[20.0, 5.0, 7.0])
    c = ref.funding_cliff(f, p, dt.date(2026, 11, 15))
    assert len(c) == 8 * len(fu.SOURCE_TYPES)
    assert c["quarter"].drop_duplicates().tolist() == [
        "2026Q4", "2027Q1", "2027Q2", "2027Q3", "2027Q4", "2028Q1", "2028Q2", "2028Q3"]
    row = c.set_index(["quarter", "source_type"])
    q1 = row.loc[("2027Q1", "foundation")]
    assert q1["annualised_ending"] == pytest.approx(36500.0 + 3650.0)
    assert q1["n_grants"] == 2 and q1["n_programs"] == 1 and q1["capacity_affected"] == 20.0
    assert q1["quarter_start"] == pd.Timestamp("2027-01-01")
    q2 = row.loc[("2027Q2", "foundation")]
    assert q2["annualised_ending"] == pytest.approx(30000.0)
    assert q2["n_programs"] == 1 and q2["capacity_affected"] == 5.0
    q4 = row.loc[("2026Q4", "business")]
    assert q4["n_programs"] == 1 and q4["annualised_ending"] == pytest.approx(1000.0)
    # Everything else is zero: three non-empty cells in all.
    assert (c["n_grants"] > 0).sum() == 3
    assert c["n_grants"].sum() == 4


def test_cliff_totals_count_a_programme_once_per_quarter():
    # Programme a has a foundation and a business grant both ending in 2026Q2: 2 rows by source, 1 programme.
    f = grants(
        ("a", "X", "foundation", 100.0, "2025-07-01", "2026-06-30", "committed"),
        ("a", "Y", "business", 100.0, "2025-07-01", "2026-05-31", "committed"),
    )
    c = ref.funding_cliff(f, progs("a", capacity=[12.0]), AS_OF, quarters=2, by_source=False)
    assert c["quarter"].tolist() == ["2026Q1", "2026Q2"]
    assert c["n_programs"].tolist() == [0, 1]
    assert c["n_grants"].tolist() == [0, 2]
    assert c["capacity_affected"].tolist() == [0.0, 12.0]


def test_cliff_with_no_grant_in_its_quarters_fills_numbers_not_strings():
    # String columns as the database gives them; the only grant ended years before as_of. pandas warns (and will
    # raise) when 0 fills a string column.
    f = grants(("a", "X", "business", 100.0, "2020-01-01", "2020-12-31", "committed")).astype({"program_id": "str"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = ref.funding_cliff(f, progs("a").astype({"program_id": "str"}), AS_OF, quarters=2)
    assert c["capacity_affected"].tolist() == [0.0] * 12 and c["n_programs"].tolist() == [0] * 12


# ---------------------------------------------------------------- rollups


def test_by_funder_capacity_share():
    # a (30 places): X 500, Y 500 -> X holds half. b (10 places): X alone. c (60 places): no funding.
    # X underwrites 30 x 0.5 + 10 x 1 = 25 of 100 places = 0.25; Y 15/100 = 0.15.
    f = grants(
        ("a", "X", "business", 500.0, "2025-07-01", "2026-06-30", "committed"),
        ("a", "Y", "foundation", 500.0, "2025-07-01", "2026-06-30", "committed"),
        ("b", "X", "business", 100.0, "2025-07-01", "2026-06-30", "committed"),
    )
    p = progs("a", "b", "c", capacity=[30.0, 10.0, 60.0])
    out = ref.by_funder(p, f, AS_OF).set_index("funder")
    assert out.loc["X", "capacity_share"] == pytest.approx(0.25)
    assert out.loc["Y", "capacity_share"] == pytest.approx(0.15)
    assert out.loc["X", "capacity_underwritten"] == pytest.approx(25.0)
    assert out.loc["X", "n_programs"] == 2 and out.loc["X", "n_programs_majority"] == 1
    st = ref.by_source_type(p, f, AS_OF).set_index("source_type")
    assert list(st.index) == list(fu.SOURCE_TYPES)
    assert st.loc["business", "capacity_share"] == pytest.approx(0.25)
    assert st.loc["foundation", "capacity_share"] == pytest.approx(0.15)
    assert st.loc["in-kind", "capacity_share"] == 0.0


def test_by_funder_with_no_contributing_grant():
    # String columns as the database gives them. a's grant starts after as_of (nothing runs then, no declared
    # budget), b's is pending: no grant contributes, yet X's committed money for the next 12 months (500 for
    # 2026-02-01..2027-01-31, 11 of its 12 months inside [as_of, as_of + 12 months)) still shows.
    f = grants(
        ("a", "X", "business", 500.0, "2026-02-01", "2027-01-31", "committed"),
        ("b", "Y", "foundation", 100.0, "2025-01-01", "2025-12-31", "pending"),
    ).astype({"program_id": "str", "funder": "str"})
    p = progs("a", "b").astype({"program_id": "str"})
    out = ref.by_funder(p, f, AS_OF)
    assert out["funder"].tolist() == ["X"]
    assert out.loc[0, "n_programs"] == 0 and out.loc[0, "capacity_share"] == 0.0
    assert out.loc[0, "committed_next_12m"] == pytest.approx(500 * 11 / 12)
    assert ref.by_funder(p, f[f["program_id"] == "b"], AS_OF).empty


def test_by_area_recomputes_ratios_from_parts():
    # Area 1: p budget 100 with 50 secured (ratio 0.5), q budget 300 with 0 secured (ratio 0).
    # The area's ratio is 50/400 = 0.125, not the mean of ratios 0.25.
    # Declared budgets make the budgets exact.
    f = grants(("p", "X", "business", 100.0, "2026-01-01", "2027-12-31", "committed"))
    # p: 100 for 24 months, 12 of them in the next 12 months -> 50 secured.
    p = progs("p", "q", "r", declared=[100.0, 300.0, 40.0], capacity=[10.0, 30.0, 5.0], area=[1, 1, 2])
    m = fu.program_metrics(p, f, AS_OF)
    assert metric(m, "p", "secured_amount") == pytest.approx(50.0)
    a = fu.by_area(m, p).set_index("area_id")
    assert a.loc[1, "secured_ratio"] == pytest.approx(0.125)
    assert a.loc[1, "annual_budget"] == pytest.approx(400.0)
    # p's rate is 100 x 12 / 24 = 50, half of its budget (not below it), so runway 24 (ends 2027-12-31, m = 24 is
    # 2028-01-01);
    # q and r have nothing committed: runway 0, at risk. Area 1 capacity at risk = q's 30 of 40.
    assert metric(m, "p", "runway_months") == 24
    assert a.loc[1, "n_at_risk"] == 1
    assert a.loc[1, "share_capacity_at_risk"] == pytest.approx(0.75)
    assert a.loc[2, "n_programs"] == 1 and a.loc[2, "share_capacity_at_risk"] == 1.0


# ---------------------------------------------------------------- misc


def test_volunteer_value_uses_the_named_default():
    assert fu.VOLUNTEER_HOUR_VALUE_USD == 34.79
    assert "Independent Sector" in fu.VOLUNTEER_HOUR_VALUE_SOURCE and "2024" in fu.VOLUNTEER_HOUR_VALUE_SOURCE
    v = fu.volunteer_value(pd.DataFrame({"volunteer_hours_year": [10.0, 250.0]}))
    assert v.tolist() == pytest.approx([347.9, 8697.5])
    assert fu.volunteer_value(pd.DataFrame({"volunteer_hours_year": [10.0]}), hourly_value=40).iloc[0] == 400.0


@pytest.mark.parametrize(
    "column,value",
    [("status", "maybe"), ("source_type", "lottery"), ("amount", -5.0), ("end_date", "2024-01-01"),
     ("start_date", "not a date")],
)
def test_bad_funding_rows_raise_input_error_naming_row_and_column(column, value):
    f = grants(
        ("p", "X", "business", 100.0, "2025-01-01", "2025-12-31", "ended"),
        ("p", "X", "business", 100.0, "2025-01-01", "2025-12-31", "ended"),
    )
    f[column] = f[column].astype(object)
    f.loc[1, column] = value
    with pytest.raises(InputError) as err:
        fu.program_metrics(progs("p"), f, AS_OF)
    assert err.value.row == 3 and err.value.column == column
