"""The Impact page's views give exactly the tables of the pandas oracle (tests/oracles), dtypes and attrs too."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.views import impact as iv
from tests.oracles.impact_reference import views_reference
from tests.test_impact import AREAS, PERIODS, PROGRAMS


def assert_same(got: iv.ImpactViews, ref: iv.ImpactViews) -> None:
    for name in ("areas", "programs", "trends"):
        a, b = getattr(got, name), getattr(ref, name)
        pd.testing.assert_frame_equal(a, b, check_exact=True, check_index_type=True, check_column_type=True,
                                      obj=name)
        assert a.attrs == b.attrs, name
    for name in ("period", "first_period", "quarters", "n_programs", "measure"):
        assert getattr(got, name) == getattr(ref, name), name


def small_data() -> iv.ImpactData:
    """The hand-worked inventory of test_impact, with the cases where order and lookups could slip."""
    # Programmes out of id order, one in an area the area table lacks; a period row of a programme not in the
    # table; a quarter with a single pre/post response; and volunteer hours whose total depends on how pandas
    # adds them (259.59999999999997 in turn, 259.6 compensated), so that keying groups otherwise than
    # core.analysis.impact does shows.
    programs = pd.concat([PROGRAMS, pd.DataFrame({
        "program_id": ["0-late"], "name": ["Late"], "area_id": [9], "type": ["workshop"],
        "populations_served": ["carers"], "coordinator_count": [1], "step_free": [False],
        "volunteer_hours_year": [5.0]})], ignore_index=True).iloc[[2, 0, 3, 1]].reset_index(drop=True)
    programs["area_name"] = programs["area_id"].map({1: "One", 2: "Two", 9: "Nine"})
    extra = pd.DataFrame([("0-late", "2025Q4", 3, 14, 2, 1, 2.5, "UCLA-3", 1, -2.0, np.nan, 70.0),
                          ("0-late", "2026Q1", 2, 9, 1, 0, 1.5, "UCLA-3", 12, -1.0, 0.5, np.nan),
                          ("ghost", "2026Q1", 5, 50, 5, 5, 5.0, "SWEMWBS", 20, 1.0, 1.0, 100.0)],
                         columns=PERIODS.columns)
    periods = pd.concat([PERIODS, extra], ignore_index=True)
    periods.loc[periods["program_id"] == "a", "volunteer_hours"] = [37.2, 73.0, 27.9, 98.8, 22.7]
    areas = AREAS.assign(name=["One", "Two", "Three"])
    return iv.ImpactData(programs=programs, periods=periods, areas=areas, types=[], populations=[],
                         measures=["SWEMWBS", "UCLA-3"], quarters=[])


SMALL_STATES = [
    iv.ImpactState(quarters=4, measure="SWEMWBS"),
    iv.ImpactState(quarters=8, measure="UCLA-3"),
    iv.ImpactState(quarters=1, measure=""),
    iv.ImpactState(types=("Peer support",), quarters=2, measure="SWEMWBS"),
    iv.ImpactState(types=("workshop",), populations=("CARERS", "young people"), quarters=4, measure="UCLA-3"),
    iv.ImpactState(populations=("older adults",), quarters=3, measure="bogus"),
    iv.ImpactState(types=("workshop",), populations=("young people",), quarters=4, measure="SWEMWBS"),  # one
    iv.ImpactState(types=("peer support", "workshop"), populations=("carers",), quarters=8, measure="UCLA-3"),
]


@pytest.mark.parametrize("state", SMALL_STATES, ids=str)
def test_views_match_the_reference_on_the_hand_worked_inventory(state):
    data = small_data()
    assert_same(iv.views_of(data, state), views_reference(data, state))


def test_a_selection_without_programmes_gives_the_reference_tables():
    data = small_data()
    state = iv.ImpactState(types=("helpline",), quarters=4, measure="SWEMWBS")
    assert_same(iv.views_of(data, state), views_reference(data, state))


def test_views_match_the_reference_on_the_atlas(con):
    data = iv.impact_data(con)
    served = data.programs["populations_served"].str.split(";")
    counts = {(t, p): int(((data.programs["type"] == t) & served.map(lambda xs: p in xs)).sum())
              for t in data.types for p in data.populations}
    states = [iv.ImpactState(quarters=4, measure=data.measures[0]),
              iv.ImpactState(types=tuple(data.types[:2]), quarters=1, measure=data.measures[-1]),
              iv.ImpactState(populations=tuple(data.populations[-2:]), quarters=8, measure="")]
    # A single programme sends its rows to pandas in sorted groups, another way of adding them up.
    states += [iv.ImpactState(types=(t,), populations=(p,), quarters=2, measure=data.measures[0])
               for (t, p), n in counts.items() if n == 1][:1]
    for state in states:
        assert_same(iv.views_of(data, state), views_reference(data, state))


def test_programmes_that_report_no_quarter_give_the_reference_tables():
    # The selection keeps a programme, but none of its quarters is in the data: the product once fell back to the
    # oracle here; now it makes the same (empty) tables itself.
    data = small_data()
    data = iv.ImpactData(programs=data.programs, periods=data.periods[data.periods["program_id"] != "b"],
                         areas=data.areas, types=[], populations=[], measures=data.measures, quarters=[])
    state = iv.ImpactState(types=("workshop",), populations=("young people",), quarters=4, measure="SWEMWBS")
    got = iv.views_of(data, state)
    assert got.n_programs == 1 and got.trends.empty
    assert_same(got, views_reference(data, state))


def test_a_window_of_no_quarters_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        iv.views_of(small_data(), iv.ImpactState(quarters=0))
