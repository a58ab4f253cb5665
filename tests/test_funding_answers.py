"""The funder's questions answered in words: which areas lose residents in a withdrawal, by name."""

from __future__ import annotations

import pytest

from core.analysis import coverage
from core.analysis.scenario import Scenario
from core.analysis.scenario_coverage import scenario_coverage
from core.views import funding as fv


@pytest.fixture(scope="module")
def setup(atlas_db):
    from core.store import db

    con = db.connect(str(atlas_db), read_only=True)
    data = fv.funding_data(con)
    yield data, coverage.build_model(con)
    con.close()


def _withdrawal_with_losses(data, model):
    for funder in data.funders:
        r = scenario_coverage(model, data.funding, Scenario("funder", funder), data.as_of)
        if r.summary["n_areas_out_of_reach"] >= 2:
            return r
    pytest.fail("no funder's withdrawal leaves residents out of reach in two areas")


def test_summary_names_every_area_that_loses_residents_with_its_count(setup):
    data, model = setup
    r = _withdrawal_with_losses(data, model)
    text = fv.scenario_summary(r, max_named=50)
    table = fv.scenario_area_table(r)
    losing = table[table["Residents falling out of reach"].map(lambda v: isinstance(v, str) or v > 0)]
    assert len(losing) == r.summary["n_areas_out_of_reach"]
    for name, n in zip(losing["Area"], losing["Residents falling out of reach"]):
        shown = "fewer than 11" if n == "<11" else f"{n:,}"
        assert f"{fv.escape_markdown(name)} ({shown})" in text
    assert f"{r.summary['residents_out_of_reach_text']} residents (tract sum)" in text
    # An area whose coverage only thins is counted, not named as losing residents.
    thin = table[table["Residents falling out of reach"].map(lambda v: not isinstance(v, str) and v == 0)]
    for name in thin["Area"].head(5):
        assert f"{fv.escape_markdown(name)} (" not in text


def test_summary_caps_the_names_and_says_how_many_more(setup):
    data, model = setup
    r = _withdrawal_with_losses(data, model)
    text = fv.scenario_summary(r, max_named=1)
    rest = r.summary["n_areas_out_of_reach"] - 1
    assert f"{rest} more area{'s' if rest != 1 else ''} listed below" in text


def test_summary_escapes_names_from_data(setup):
    data, model = setup
    r = _withdrawal_with_losses(data, model)
    losing = r.areas["residents_out_of_reach"].round() > 0
    first = r.areas.index[losing][0]
    r.areas.loc[first, "name"] = "[click](http://x) *bold*"
    text = fv.scenario_summary(r, max_named=50)
    assert "[click](http://x)" not in text
    assert r"\[click\]\(http\:" in text and "*bold*" not in text
