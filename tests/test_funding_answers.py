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
        assert f"{fv.inert(name)} ({shown})" in text
    assert f"{r.summary['residents_out_of_reach_text']} residents (tract sum)" in text
    # An area whose coverage only thins is counted, not named as losing residents.
    thin = table[table["Residents falling out of reach"].map(lambda v: not isinstance(v, str) and v == 0)]
    for name in thin["Area"].head(5):
        assert f"{fv.inert(name)} (" not in text


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
    assert "[click](http://x)" not in text and "*bold*" not in text
    assert fv.inert("[click](http://x) *bold*") in text


def test_at_risk_only_filters_every_figure_built_from_the_overview(setup):
    data, _ = setup
    every = fv.overview_of(data)
    risky = fv.overview_of(data, at_risk_only=True)
    n_risk = int(every.metrics["at_risk"].sum())
    assert 0 < n_risk < every.n_programs
    assert risky.n_programs == n_risk and risky.metrics["at_risk"].all()
    assert int(risky.areas["n_programs"].sum()) == n_risk
    # The funders are those of the at-risk programmes, and the funder CSV changes with the switch.
    at_risk_ids = set(risky.metrics["program_id"])
    funders_of_risky = set(data.funding.loc[data.funding["program_id"].isin(at_risk_ids), "funder"])
    assert set(risky.funders["funder"]) <= funders_of_risky
    kinds = fv.funder_kinds(data.funding)
    assert fv.csv_bytes(fv.funder_table(risky, kinds)) != fv.csv_bytes(fv.funder_table(every, kinds))
    cliff_ids = {p for ids in risky.cliff_programs.values() for p in ids}
    assert cliff_ids <= at_risk_ids
    assert risky.cliff_totals["n_programs"].sum() < every.cliff_totals["n_programs"].sum()
    shown = fv.select_programs(data.programs, fv.PROGRAM_TYPES, 0, data.prepared.at_risk)
    assert set(shown["program_id"]) == at_risk_ids


def test_every_funder_has_a_type_from_the_inventory(setup):
    data, _ = setup
    kinds = fv.funder_kinds(data.funding)
    assert set(kinds.index) == set(data.funding["funder"])
    assert kinds.notna().all()
    if data.funding["funder_type"].notna().any():
        # The synthetic sample fills funder_type: its own words win over the grant's source type.
        given = data.funding.dropna(subset=["funder_type"]).drop_duplicates("funder").set_index("funder")
        assert (kinds.reindex(given.index) == given["funder_type"]).all()


def test_funder_type_falls_back_to_the_source_type_when_blank():
    import pandas as pd

    f = pd.DataFrame({"funder": ["A", "A", "B"], "source_type": ["foundation", "foundation", "business"],
                      "funder_type": [None, None, "company"]})
    assert fv.funder_kinds(f).to_dict() == {"A": "foundation", "B": "company"}
    assert fv.funder_kinds(f.drop(columns="funder_type")).to_dict() == {"A": "foundation", "B": "business"}


def test_funding_page_answers_whom_the_at_risk_programmes_depend_on(atlas_db, monkeypatch):
    from tests.test_pages import run_page

    monkeypatch.setenv("ATLAS_DB", str(atlas_db))
    at = run_page("pages/funding.py", {"risk": "1"})
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Funder" in d.value.columns)
    assert "Type" in table.columns and (table["Type"] != "").all()
    sentence = next(m.value for m in at.markdown if m.value.startswith("The programmes at risk depend most on"))
    top_kind = table.groupby("Type")["Share of weekly places (%)"].sum().idxmax()
    assert fv.inert(top_kind) in sentence
    at.toggle(key="fu_risk").set_value(False).run()
    every = next(d.value for d in at.dataframe if "Funder" in d.value.columns)
    assert len(every) >= len(table) and not every.equals(table)
