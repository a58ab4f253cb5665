"""Funding scenarios on small inventories whose losses are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core.analysis.scenario import Scenario, apply_scenario, plain_summary
from tests.oracles.funding_reference import by_funder

AS_OF = dt.date(2026, 1, 1)
COLS = ["program_id", "funder", "source_type", "amount", "start_date", "end_date", "status"]


def summarise(effect: pd.DataFrame) -> dict:
    """Headline counts of an :func:`apply_scenario` result.

    Returns
    -------
    dict with ``n_programs``, ``n_affected``, ``budget_lost``, ``capacity_before``, ``capacity_after``,
    ``capacity_lost``, ``share_capacity_lost`` (NaN with no capacity) and, when the effect has an
    ``area_id`` column, ``n_areas_affected`` (areas with at least one affected programme). Plain Python
    numbers.

    Examples
    --------
    >>> e = pd.DataFrame({"affected": [True, False], "budget_lost": [600.0, 0.0],
    ...                   "capacity_before": [40.0, 10.0], "capacity_after": [0.0, 10.0]})
    >>> summarise(e)["capacity_lost"], summarise(e)["share_capacity_lost"]
    (40.0, 0.8)
    """
    before = float(effect["capacity_before"].sum())
    after = float(effect["capacity_after"].sum())
    out = {
        "n_programs": int(len(effect)),
        "n_affected": int(effect["affected"].sum()),
        "budget_lost": float(effect["budget_lost"].sum()),
        "capacity_before": before,
        "capacity_after": after,
        "capacity_lost": before - after,
        "share_capacity_lost": (before - after) / before if before > 0 else float("nan"),
    }
    if "area_id" in effect:
        out["n_areas_affected"] = int(effect.loc[effect["affected"], "area_id"].nunique())
    return out


def table(rows):
    df = pd.DataFrame(rows, columns=COLS)
    df.insert(0, "funding_id", [f"g{i}" for i in range(len(df))])
    return df


# Inventory A, used for funder and source-type scenarios (as_of 2026-01-01). Grants for 2025-07-01..2026-06-30
# run on as_of for 12 months, so their yearly rate is their amount.
#   a: 40 places; grants X (business) 600 and Y (foundation) 400 -> budget 1,000; X share 0.6, Y 0.4.
#   b: 10 places; grant Y (foundation) 100 -> budget 100; Y share 1.0.
#   c: 20 places; declared budget 1,000; X committed 1,460 for 2026-2027 (24 months), running from as_of at
#      730 a year -> X share 730/1,000 = 0.73.
#   d: 5 places; no budget known -> never affected.
#   Areas: a, b in area 1; c in area 2; d in area 3.
PROGRAMS_A = pd.DataFrame(
    {
        "program_id": ["a", "b", "c", "d"],
        "area_id": [1, 1, 2, 3],
        "weekly_capacity": [40.0, 10.0, 20.0, 5.0],
        "declared_budget": [None, None, 1000.0, None],
    }
)
FUNDING_A = table(
    [
        ("a", "X", "business", 600.0, "2025-07-01", "2026-06-30", "committed"),
        ("a", "Y", "foundation", 400.0, "2025-07-01", "2026-06-30", "committed"),
        ("b", "Y", "foundation", 100.0, "2025-07-01", "2026-06-30", "committed"),
        ("c", "X", "business", 1460.0, "2026-01-01", "2027-12-31", "committed"),
    ]
)


def by_id(effect):
    return effect.set_index("program_id")


def test_funder_close():
    e = by_id(apply_scenario(PROGRAMS_A, FUNDING_A, Scenario("funder", "X"), AS_OF))
    assert e["lost_share"].tolist() == pytest.approx([0.6, 0.0, 0.73, 0.0])
    assert e["budget_lost"].tolist() == pytest.approx([600.0, 0.0, 730.0, 0.0])
    assert e["affected"].tolist() == [True, False, True, False]
    assert e["capacity_before"].tolist() == [40.0, 10.0, 20.0, 5.0]
    assert e["capacity_after"].tolist() == [0.0, 10.0, 0.0, 5.0]
    s = summarise(e.reset_index())
    # 60 of 75 places lost, in areas 1 and 2.
    assert s["n_affected"] == 2 and s["n_programs"] == 4
    assert s["capacity_lost"] == pytest.approx(60.0)
    assert s["share_capacity_lost"] == pytest.approx(0.8)
    assert s["n_areas_affected"] == 2
    assert s["budget_lost"] == pytest.approx(1330.0)


def test_funder_shrink():
    # a keeps 40 x (1 - 0.6) = 16; c keeps 20 x (1 - 0.73) = 5.4.
    e = by_id(apply_scenario(PROGRAMS_A, FUNDING_A, Scenario("funder", "X", mode="shrink"), AS_OF))
    assert e["capacity_after"].tolist() == pytest.approx([16.0, 10.0, 5.4, 5.0])


def test_threshold_is_strict():
    # a loses exactly 0.6 to X: with threshold 0.6 it is not affected; c (0.73) still is.
    e = by_id(apply_scenario(PROGRAMS_A, FUNDING_A, Scenario("funder", "X", threshold=0.6), AS_OF))
    assert e["affected"].tolist() == [False, False, True, False]
    # Y: a loses 0.4 (kept), b loses all (closed).
    e = by_id(apply_scenario(PROGRAMS_A, FUNDING_A, Scenario("funder", "Y"), AS_OF))
    assert e["affected"].tolist() == [False, True, False, False]
    assert e["capacity_after"].tolist() == [40.0, 0.0, 20.0, 5.0]


def test_source_type_close_and_shrink():
    # foundation: a 0.4 (kept at threshold 0.5), b 1.0 (closed).
    e = by_id(apply_scenario(PROGRAMS_A, FUNDING_A, Scenario("source_type", "foundation"), AS_OF))
    assert e["lost_share"].tolist() == pytest.approx([0.4, 1.0, 0.0, 0.0])
    assert e["capacity_after"].tolist() == [40.0, 0.0, 20.0, 5.0]
    # business, shrink, threshold 0: every programme losing anything shrinks; a 40 x 0.4, c 20 x 0.27.
    e = by_id(apply_scenario(PROGRAMS_A, FUNDING_A, Scenario("source_type", "business", 0.0, "shrink"), AS_OF))
    assert e["capacity_after"].tolist() == pytest.approx([16.0, 10.0, 5.4, 5.0])
    # A source type nobody uses changes nothing.
    e = apply_scenario(PROGRAMS_A, FUNDING_A, Scenario("source_type", "in-kind"), AS_OF)
    assert not e["affected"].any() and (e["capacity_after"] == e["capacity_before"]).all()


def test_shrink_at_threshold_zero_matches_funder_underwriting():
    # X underwrites a 40 x 0.6 + c 20 x 0.73 = 38.6 places; removing X with shrink/0 must lose exactly that.
    e = apply_scenario(PROGRAMS_A, FUNDING_A, Scenario("funder", "X", 0.0, "shrink"), AS_OF)
    lost = summarise(e)["capacity_lost"]
    assert lost == pytest.approx(38.6)
    underwritten = by_funder(PROGRAMS_A, FUNDING_A, AS_OF).set_index("funder").loc["X", "capacity_underwritten"]
    assert underwritten == pytest.approx(lost)


# Inventory B for 'ends_before' 2026-10-01 (as_of 2026-01-01; the next 12 months are 2026-01-01..2026-12-31).
# A grant not renewed loses its yearly rate (amount x 12 / months) for the months of that window after its end.
#   e: declared 36,000. Committed 18,100 for 2026-01-01..2026-06-30 (6 months): 36,200 a year. Not renewed,
#      it is missing July-December, 6 months: 18,100 -> share 18,100/36,000 = 0.50278 (> 0.5). Its ended 2025
#      grant (not recurring) plays no part.
#   f: declared 10,000. Committed 2,700 for 2026-01-01..2026-09-30 (9 months, 3,600 a year): missing
#      October-December, 3 months -> 900, share 0.09. Another grant ends on 2026-10-01, i.e. not before
#      the date: no loss.
#   g: a committed grant already ended 2025-12-31 and a pending one ending in June: no loss.
#   h: declared 20,000. Committed 9,000 for 2026-03-01..2026-05-31 (3 months, 36,000 a year): missing
#      June-December, 7 months -> 21,000 > budget -> share capped at 1.
#   i: declared 5,000. A grant ending 2027-06-30 is before 2028-01-01 but after the 12-month window:
#      no loss in the window even with that later date.
PROGRAMS_B = pd.DataFrame(
    {
        "program_id": ["e", "f", "g", "h", "i"],
        "weekly_capacity": [30.0, 50.0, 10.0, 8.0, 12.0],
        "declared_budget": [36000.0, 10000.0, None, 20000.0, 5000.0],
    }
)
FUNDING_B = table(
    [
        ("e", "X", "foundation", 36500.0, "2025-01-01", "2025-12-31", "ended"),
        ("e", "X", "foundation", 18100.0, "2026-01-01", "2026-06-30", "committed"),
        ("f", "Y", "business", 2700.0, "2026-01-01", "2026-09-30", "committed"),
        ("f", "Y", "business", 5000.0, "2026-01-01", "2026-10-01", "committed"),
        ("g", "Z", "in-kind", 5000.0, "2025-01-01", "2025-12-31", "committed"),
        ("g", "Z", "in-kind", 5000.0, "2026-01-01", "2026-06-30", "pending"),
        ("h", "W", "local government", 9000.0, "2026-03-01", "2026-05-31", "committed"),
        ("i", "V", "community donations", 5000.0, "2026-07-01", "2027-06-30", "committed"),
    ]
)


def test_ends_before_close():
    e = by_id(apply_scenario(PROGRAMS_B, FUNDING_B, Scenario("ends_before", dt.date(2026, 10, 1)), AS_OF))
    assert e.loc["e", "budget_lost"] == pytest.approx(18100.0)
    assert e.loc["e", "lost_share"] == pytest.approx(18100 / 36000)
    assert e.loc["f", "budget_lost"] == pytest.approx(900.0)
    assert e.loc["f", "lost_share"] == pytest.approx(0.09)
    assert e.loc["f", "n_grants_removed"] == 1
    assert e.loc["g", "budget_lost"] == 0.0
    assert e.loc["h", "lost_share"] == 1.0 and e.loc["h", "budget_lost"] == pytest.approx(20000.0)
    assert e.loc["i", "budget_lost"] == 0.0
    assert e["affected"].tolist() == [True, False, False, True, False]
    assert e["capacity_after"].tolist() == [0.0, 50.0, 10.0, 0.0, 12.0]


def test_ends_before_shrink_and_later_date():
    s = Scenario("ends_before", "2026-10-01", threshold=0.0, mode="shrink")
    e = by_id(apply_scenario(PROGRAMS_B, FUNDING_B, s, AS_OF))
    # f shrinks to 50 x (1 - 0.09) = 45.5; e to 30 x (1 - 0.50278); h closes (share 1).
    assert e.loc["f", "capacity_after"] == pytest.approx(45.5)
    assert e.loc["e", "capacity_after"] == pytest.approx(30 * (1 - 18100 / 36000))
    assert e.loc["h", "capacity_after"] == 0.0
    # Moving the date to 2026-10-02 also catches f's second grant (ends 2026-10-01): 5,000 for 9 months and 1
    # of October's 31 days; from 2 October to 1 January is 2 months and 30 of 31 days (2 December to 2 January):
    # 5,000 x (2 + 30/31) / (9 + 1/31) = 1,642.86 more.
    e = by_id(apply_scenario(PROGRAMS_B, FUNDING_B, Scenario("ends_before", "2026-10-02"), AS_OF))
    assert e.loc["f", "budget_lost"] == pytest.approx(900 + 5000 * (2 + 30 / 31) / (9 + 1 / 31))
    # A date on or before as_of loses nothing.
    e = apply_scenario(PROGRAMS_B, FUNDING_B, Scenario("ends_before", "2026-01-01"), AS_OF)
    assert (e["budget_lost"] == 0).all()


def test_scenario_validation():
    with pytest.raises(ValueError):
        Scenario("asteroid", "X")
    with pytest.raises(ValueError):
        Scenario("funder", "X", mode="halve")
    with pytest.raises(ValueError):
        Scenario("source_type", "lottery")
    with pytest.raises(ValueError):
        Scenario("funder", "X", threshold=1.5)
    assert Scenario("ends_before", pd.Timestamp("2027-03-31")).value == dt.date(2027, 3, 31)


@pytest.mark.parametrize(
    "args,expected",
    [
        ((12, 38400, 9, "Funder X"),
         "If Funder X withdraws, 12 programmes lose over half their budget; "
         "38,400 residents in 9 areas fall out of reach."),
        ((1, 1234567, 1, "Acme Trust"),
         "If Acme Trust withdraws, 1 programme loses over half its budget; "
         "1,234,567 residents in 1 area fall out of reach."),
        ((0, 0, 0, "Acme Trust"),
         "If Acme Trust withdraws, no programme loses over half its budget; no residents fall out of reach."),
        ((3, None, 0, "Acme Trust"), "If Acme Trust withdraws, 3 programmes lose over half their budget."),
        ((2, 7, 2, "Acme Trust"),
         "If Acme Trust withdraws, 2 programmes lose over half their budget; "
         "fewer than 11 residents in 2 areas fall out of reach."),
        ((1500, 11.4, 2, "Acme Trust"),
         "If Acme Trust withdraws, 1,500 programmes lose over half their budget; "
         "11 residents in 2 areas fall out of reach."),
    ],
)
def test_plain_summary(args, expected):
    assert plain_summary(*args) == expected


def test_plain_summary_reads_the_scenario():
    s = Scenario("ends_before", dt.date(2027, 1, 1), threshold=0.3)
    assert plain_summary(2, 500, 3, s) == (
        "If grants ending before 1 January 2027 are not renewed, 2 programmes lose over 30% of their budget; "
        "500 residents in 3 areas fall out of reach."
    )
    assert plain_summary(4, None, 0, Scenario("source_type", "community donations")) == (
        "If community donations stop, 4 programmes lose over half their budget."
    )
