"""The Funding page: it runs, its figures match core, scenarios driven through the widgets, the URL, small numbers."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import numpy as np
import pandas as pd
import pytest

from core.analysis import coverage
from core.analysis import funding as fu
from core.analysis.scenario import Scenario
from core.analysis.scenario_coverage import scenario_coverage
from core.store import queries
from core.views import funding as fv
from tests.download_spy import capture_downloads
from tests.oracles.funding_reference import by_funder
from tests.test_pages import run_page

PAGE = "pages/funding.py"

# A column, metric or CSV header that counts people (not a rate, share, cost or per-1,000 figure).
PEOPLE = re.compile(r"(?i)\b(residents|participants|volunteers|people|n)\b")
NOT_A_COUNT = re.compile(r"(?i)(per |%|share|cost|\$|hours|modelled)")


def counts_people(label: str) -> bool:
    return bool(PEOPLE.search(label)) and not NOT_A_COUNT.search(label)


def small_people_cells(frame: pd.DataFrame) -> list[tuple[str, float]]:
    """(column, value) of every cell of a people-count column holding 1-10."""
    bad = []
    for column in frame.columns:
        if counts_people(str(column)):
            values = pd.to_numeric(frame[column].astype(str).str.replace(",", ""), errors="coerce")
            bad += [(column, v) for v in values[(values >= 1) & (values < 11)]]
    return bad


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """Every file a page offers for download during AppTest runs, as {file name: bytes}."""
    seen: dict[str, bytes] = {}
    capture_downloads(monkeypatch, seen)
    return seen


def core_inputs(con):
    as_of = queries.build_info(con)["as_of"]
    programs = queries.programs(con)
    start, end = pd.to_datetime(programs["start_date"]), pd.to_datetime(programs["end_date"])
    active = programs[(start <= pd.Timestamp(as_of)) & (end.isna() | (end >= pd.Timestamp(as_of)))]
    return as_of, active, queries.funding(con)


def frame_with(at, column: str) -> pd.DataFrame:
    """The first displayed table that has this column (AppTest does not expose a dataframe's key)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise KeyError(column)


def url(at) -> dict[str, str]:
    """The page's query parameters as plain strings (AppTest may hold each as a one-item list)."""
    return {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def metric(at, label: str) -> str:
    return {m.label: m.value for m in at.metric}[label]


def test_page_runs_with_banner_headline_and_every_section(use_db, con, downloads):
    at = run_page(PAGE)
    assert not at.exception, at.exception
    assert at.title[0].value == "Funding"
    assert any("SYNTHETIC" in w.value for w in at.warning)
    as_of, active, funding = core_inputs(con)
    m = fu.program_metrics(active, funding, as_of)
    n_risk = int((m["runway_months"].astype(float) <= 12).sum())
    assert metric(at, "Programmes running out of money in the next 12 months") == f"{n_risk:,} of {len(active):,}"
    # The runway table lists every programme, shortest runway first.
    runway = frame_with(at, "Runway (months)")
    assert len(runway) == len(active)
    assert runway["Runway (months)"].is_monotonic_increasing
    assert set(downloads) >= {"funding_runway_by_programme.csv", "funding_source_mix_by_area.csv", "funding_cliff.csv",
                              "funding_by_funder.csv", "funding_scenario_by_area.csv", "funding_volunteers.csv"}
    # The hourly value's default is the named published figure.
    hourly = at.number_input(key="fu_hourly")
    assert hourly.value == pytest.approx(34.79) and "Independent Sector" in hourly.help
    assert any("Independent Sector" in c.value for c in at.caption)


def test_scenario_applied_through_the_widgets_matches_core(use_db, con):
    at = run_page(PAGE)
    at.radio(key="fu_kind").set_value("source_type").run()
    at.selectbox(key="fu_source").set_value("foundation").run()
    at.slider(key="fu_thr").set_value(25).run()
    at.radio(key="fu_mode").set_value("shrink").run()
    assert not at.exception, at.exception

    as_of, _, funding = core_inputs(con)
    expected = scenario_coverage(coverage.build_model(con), funding,
                                 Scenario("source_type", "foundation", threshold=0.25, mode="shrink"), as_of)
    assert metric(at, "Residents who fall out of reach") == expected.summary["residents_out_of_reach_text"]
    assert expected.summary["residents_out_of_reach"] > 0
    assert any(fv.scenario_summary(expected) in md.value for md in at.markdown)
    assert fv.scenario_summary(expected).startswith("If foundation funding stops,")
    q = url(at)
    assert (q["scenario"], q["source"], q["threshold"], q["mode"]) == ("source_type", "foundation", "25", "shrink")
    # The per-area table adds up to the published figure (no area is hidden at these sizes).
    areas = frame_with(at, "Coverage before (per 1,000)")
    assert areas["Residents falling out of reach"].sum() == expected.summary["residents_out_of_reach_shown"]


def test_url_opens_the_same_view_and_widgets_write_it_back(use_db, con):
    area_id = str(queries.areas(con)["area_id"].iloc[5])
    query = {"scenario": "ends_before", "before": "2027-04-01", "threshold": "75", "mode": "shrink",
             "types": "workshop,drop_in", "area": str(area_id), "risk": "1", "measure": "business", "hourly": "30"}
    at = run_page(PAGE, query)
    assert not at.exception, at.exception
    assert at.radio(key="fu_kind").value == "ends_before"
    assert at.date_input(key="fu_before").value == dt.date(2027, 4, 1)
    assert at.slider(key="fu_thr").value == 75 and at.radio(key="fu_mode").value == "shrink"
    assert at.multiselect(key="fu_types").value == ["workshop", "drop_in"]
    assert at.selectbox(key="fu_area").value == area_id and at.toggle(key="fu_risk").value is True
    assert at.selectbox(key="fu_measure").value == "business"
    assert at.number_input(key="fu_hourly").value == pytest.approx(30.0)
    as_of, active, funding = core_inputs(con)
    expected = scenario_coverage(coverage.build_model(con), funding,
                                 Scenario("ends_before", "2027-04-01", threshold=0.75, mode="shrink"), as_of)
    assert metric(at, "Residents who fall out of reach") == expected.summary["residents_out_of_reach_text"]
    # Only at-risk workshops and drop-ins of that area are listed.
    chosen = active[active["type"].isin(["workshop", "drop_in"]) & (active["area_id"] == area_id)]
    m = fu.program_metrics(chosen, funding[funding["program_id"].isin(chosen["program_id"])], as_of)
    assert len(frame_with(at, "Runway (months)")) == int(m["at_risk"].sum())

    at.number_input(key="fu_hourly").set_value(40.0).run()
    at.toggle(key="fu_risk").set_value(False).run()
    q = url(at)
    assert q["hourly"] == "40" and q["risk"] == "0" and q["scenario"] == "ends_before" and q["before"] == "2027-04-01"


def test_every_table_follows_the_at_risk_switch(use_db, con):
    # Tables are cached per filter state for every session (core.serve.cache): one keyed without the switch would
    # go on showing the whole city's figures after it is turned on.
    at = run_page(PAGE)
    before = {c: frame_with(at, c).copy() for c in ("Grants ending", "Largest source type", "Runway (months)")}
    at.toggle(key="fu_risk").set_value(True).run()
    assert not at.exception, at.exception
    data = fv.funding_data(con)
    ov = fv.overview_of(data, fv.FundingState().types, 0, True)
    expected = {"Grants ending": fv.cliff_table(ov, coverage.build_model(con)),
                "Largest source type": fv.area_mix_table(ov, "largest").drop(columns=["_over"]),
                "Runway (months)": fv.runway_table(ov, at_risk_only=True).drop(columns=["_capped", "_over"])}
    changed = 0
    for column, want in expected.items():
        shown = frame_with(at, column)
        assert list(shown.columns) == list(want.columns), column
        pd.testing.assert_frame_equal(shown.reset_index(drop=True).astype(str), want.reset_index(drop=True).astype(str),
                                      check_dtype=False, obj=column)
        changed += not before[column].astype(str).equals(shown.astype(str))
    assert changed == len(expected), "every table changes when only the programmes at risk are kept"


def test_state_round_trips_through_the_url():
    funders = ["Alpha Fund", "Beta & Sons"]
    state = fv.FundingState(types=("helpline",), area="7", at_risk_only=True, measure="in-kind", kind="funder",
                            funder="Beta & Sons", source="business", before=dt.date(2027, 3, 31), threshold=35,
                            mode="shrink", hourly=28.5)
    query = fv.state_to_query(state)
    assert fv.state_from_query(query, funders, [7, 8], "2026-10-01") == state
    # Hostile or out-of-range values fall back or are clamped.
    bad = fv.state_from_query({"funder": "'; DROP TABLE funding; --", "area": "99", "threshold": "500",
                               "before": "1999-01-01", "hourly": "-3", "scenario": "nope"}, funders, [7, 8],
                              "2026-10-01")
    assert (bad.funder, bad.area, bad.threshold, bad.before, bad.hourly, bad.kind) == (
        "Alpha Fund", 0, 95, dt.date(2026, 10, 1), 0.0, "funder")


def test_no_people_count_from_1_to_10_on_screen_or_in_downloads(use_db, downloads):
    # Helplines alone: few programmes, so several areas have 1-10 volunteers.
    at = run_page(PAGE, {"types": "helpline,drop_in"})
    assert not at.exception, at.exception
    for frame in at.dataframe:
        assert not small_people_cells(frame.value), small_people_cells(frame.value)
    for m in at.metric:
        if counts_people(m.label):
            value = pd.to_numeric(m.value.replace(",", ""), errors="coerce")
            assert not (1 <= value < 11), (m.label, m.value)
    csvs = {name: data for name, data in downloads.items() if name.startswith("funding_")}
    assert csvs
    for name, data in csvs.items():
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        assert not small_people_cells(frame), (name, small_people_cells(frame))
    # The volunteer table really did hide some areas, and its total is the sum of the shown cells only.
    volunteers = pd.read_csv(io.BytesIO(csvs["funding_volunteers.csv"]), dtype=str, keep_default_na=False)
    assert (volunteers["Volunteers"] == "<11").any()
    body, total = volunteers.iloc[:-1], volunteers.iloc[-1]
    assert total["Area"] == "Total of shown cells"
    shown = pd.to_numeric(body["Volunteers"], errors="coerce")
    assert int(total["Volunteers"]) == int(shown.sum())
    # No column or row with a total holds exactly one hidden cell.
    assert (body["Volunteers"].isin(["<11", "suppressed"])).sum() != 1


# --- the builders behind the page ---------------------------------------------------------------------------


@pytest.fixture
def overview(con):
    return fv.overview_of(fv.funding_data(con))


def test_runway_styler_highlights_exactly_the_at_risk_and_concentrated_cells(overview):
    table = fv.runway_table(overview)
    page = fv.runway_styler(table).to_html()

    def styled_cells(colour: str) -> set[tuple[int, int]]:
        # pandas writes one CSS rule per style, listing every cell that has it as a selector.
        css = re.search(r"<style[^>]*>(.*?)</style>", page, re.S).group(1)
        # Split on braces rather than one regex over the whole sheet, which can backtrack badly on a large page.
        blocks = [b.split("{", 1) for b in css.split("}") if "{" in b]
        rules = [sel for sel, body in blocks if f"background-color: {colour}" in body]
        return {(int(r), int(c)) for rule in rules for r, c in re.findall(r"_row(\d+)_col(\d+)", rule)}

    columns = list(table.drop(columns=["_capped", "_over"]).columns)
    at_risk = styled_cells(fv.AT_RISK_FILL)
    assert at_risk == {(r, columns.index("Runway (months)")) for r in np.flatnonzero(table["At risk"])}
    assert len(at_risk) > 0
    concentrated = styled_cells(fv.CONCENTRATED_FILL)
    assert concentrated == {(r, columns.index("Reliance on few funders (0–1)")) for r in np.flatnonzero(table["Concentrated"])}
    capped = table["_capped"].to_numpy()
    if capped.any():
        assert page.count("&gt; 36") == int(capped.sum())
    csv = pd.read_csv(io.BytesIO(fv.runway_download(table)), dtype=str)
    assert "_capped" not in csv.columns and (csv["Runway (months)"] == "> 36").sum() == int(capped.sum())
    # A secured ratio over 100% reads "over-funded" on screen and in the download, never as a percentage.
    over = table["_over"].to_numpy()
    assert over.any() and (table.loc[over, "Secured next 12 months (%)"] >= 100).all()  # rounded: 100.3% is over
    assert page.count(f">{fv.OVER_FUNDED}<") == int(over.sum())
    assert (csv["Secured next 12 months (%)"] == fv.OVER_FUNDED).sum() == int(over.sum())
    shown = pd.to_numeric(csv["Secured next 12 months (%)"], errors="coerce")
    assert not (shown > 100).any()


def test_source_mix_table_keeps_one_type_per_column_and_says_over_funded(overview):
    import pyarrow as pa

    table = fv.area_mix_table(overview, "local government")
    over = table["_over"].to_numpy()
    secured = overview.areas.set_index("name")["secured_ratio"].reindex(table["Area"]).to_numpy(dtype=float)
    assert over.any() and (over == (secured > 1)).all()
    # Every shown column converts to Arrow as it is (a text cell among numbers made Streamlit fall back on each run).
    pa.Table.from_pandas(table.drop(columns=["_over"]))
    html_text = fv.area_mix_styler(table).to_html()
    assert html_text.count(f">{fv.OVER_FUNDED}<") == int(over.sum())
    csv = pd.read_csv(io.BytesIO(fv.area_mix_download(table)), dtype=str, keep_default_na=False)
    assert "_over" not in csv.columns and (csv["Secured next 12 months (%)"] == fv.OVER_FUNDED).sum() == int(over.sum())
    assert not (pd.to_numeric(csv["Secured next 12 months (%)"], errors="coerce") > 100).any()


def test_cliff_chart_has_eight_quarters_stacked_by_source_type(overview):
    from core.views.charts import cliff_chart

    spec = cliff_chart(overview.cliff)
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert data["quarter"].nunique() == 8 and set(data["source_type"]) == set(fu.SOURCE_TYPES)
    assert spec["encoding"]["color"]["field"] == "source_type"
    # Sum over source types equals the per-quarter total the table shows.
    totals = data.groupby("quarter")["annualised_ending"].sum()
    table = fv.cliff_table(overview, None).set_index("Quarter")
    assert np.allclose(totals.reindex(table.index).round(0), table["Yearly funding ending ($)"], atol=1)


def test_mix_map_tooltips_say_what_the_table_says(con, overview):
    areas_geo = queries.areas(con)
    deck, legend = fv.mix_map(areas_geo, overview, "local government")
    feats = deck.layers[0].data["features"]
    table = fv.area_mix_table(overview, "local government").set_index("Area")
    column = "Local government (%)"
    for f in feats:
        name, label = html.unescape(f["properties"]["name"]), f["properties"]["label"]
        value = table.loc[name, column]
        if pd.isna(value):
            assert "No funded programme" in label
        else:
            assert f"{value:.1f}%" in label
    assert "Share from local government" in legend


def test_funder_shares_match_core_and_stay_within_the_whole(con, overview):
    as_of, active, funding = core_inputs(con)
    table = fv.funder_table(overview)
    core_shares = by_funder(active, funding, as_of).set_index("funder")["capacity_share"] * 100
    assert np.allclose(table.set_index("Funder")["Share of weekly places (%)"], core_shares.round(1).reindex(
        table["Funder"]))
    assert table["Share of weekly places (%)"].sum() <= 100.0 + 1e-6
