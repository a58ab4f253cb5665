"""The Impact page: it runs, its figures match a naive recount, filters live in the URL, small numbers stay hidden."""

from __future__ import annotations

import html
import io

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from core.store import queries
from core.views import charts
from core.views import impact as iv
from tests.test_funding_page import counts_people, downloads, frame_with, metric, small_people_cells, url  # noqa: F401
from tests.test_pages import run_page

PAGE = "pages/impact.py"


def naive_area_participants(con, quarters: int = 4, types=None, population=None) -> pd.Series:
    """Participants per area over the latest quarters, recounted straight from the tables."""
    programs = queries.programs(con)
    periods = queries.program_periods(con)
    if types:
        programs = programs[programs["type"].isin(types)]
    if population:
        programs = programs[programs["populations_served"].str.split(";").map(lambda xs: population in xs)]
    window = sorted(periods["period"].unique())[-quarters:]
    rows = periods[periods["period"].isin(window) & periods["program_id"].isin(programs["program_id"])]
    area = rows["program_id"].map(programs.set_index("program_id")["area_id"])
    counts = rows.groupby(area)["participants"].sum()
    return counts.reindex(queries.areas(con)["area_id"], fill_value=0).astype(int)


def naive_publish(values: list[int]) -> tuple[list[bool], int]:
    """The small-number rule for one column with a total, written out plainly."""
    hidden = [0 < v < 11 for v in values]
    if sum(hidden) == 1:
        others = [(v, i) for i, v in enumerate(values) if not hidden[i] and v > 0]
        if others:
            hidden[min(others)[1]] = True
    return hidden, sum(v for v, h in zip(values, hidden) if not h)


def test_page_runs_and_its_headline_is_the_published_total(use_db, con, downloads):
    at = run_page(PAGE)
    assert not at.exception, at.exception
    assert at.title[0].value == "Impact"
    assert any("SYNTHETIC" in w.value for w in at.warning)
    counts = naive_area_participants(con)
    naive_hidden, total = naive_publish(counts.tolist())
    label = next(m.label for m in at.metric)
    assert label.startswith("Participants over the 4 quarters")
    table = frame_with(at, "Per 1,000 residents")
    assert len(table) == len(counts) + 1
    body = table.iloc[:-1].set_index("Area")
    names = queries.areas(con).set_index("area_id")["name"]
    shown = body["Participants"].dropna()
    assert (shown.astype(int) == counts.rename(names).reindex(shown.index)).all()
    # The headline is the total of the shown cells. The linked set (with the totals Inclusion's shares give away)
    # hides at least what the one-column rule hides, so it is at most that rule's total.
    assert metric(at, label) == f"{int(shown.sum()):,}" and int(shown.sum()) <= total
    assert not set(counts.rename(names).index[naive_hidden]) & set(shown.index)
    assert {"impact_by_area.csv", "impact_by_programme.csv", "impact_trends.csv"} <= set(downloads)


def test_filters_come_from_the_url_and_go_back_to_it(use_db, con):
    query = {"types": "workshop,support_group", "pop": "older_adults", "quarters": "2", "measure": "UCLA-3"}
    at = run_page(PAGE, query)
    assert not at.exception, at.exception
    assert at.multiselect(key="im_types").value == ["workshop", "support_group"]
    assert at.multiselect(key="im_pop").value == ["older_adults"]
    assert at.selectbox(key="im_quarters").value == 2 and at.selectbox(key="im_measure").value == "UCLA-3"
    programs = queries.programs(con)
    chosen = programs[programs["type"].isin(["workshop", "support_group"])
                      & programs["populations_served"].str.contains("older_adults")]
    assert any(c.value.startswith(f"{len(chosen)} programmes (Workshop, Support group; serving Older adults)")
               for c in at.caption)
    counts = naive_area_participants(con, 2, ["workshop", "support_group"], "older_adults")
    _, total = naive_publish(counts.tolist())
    assert metric(at, "Participants over the 2 quarters 2026Q2–2026Q3") == f"{total:,}"
    assert "UCLA-3 mean change" in frame_with(at, "Quarter").columns

    at.selectbox(key="im_quarters").set_value(8).run()
    at.multiselect(key="im_pop").set_value([]).run()
    q = url(at)
    assert q["quarters"] == "8" and q["pop"] == "" and q["types"] == "workshop,support_group"


def test_state_round_trips_and_refuses_unknown_values():
    state = iv.ImpactState(types=("drop_in",), populations=("youth", "veterans"), quarters=8, measure="SWEMWBS")
    query = iv.state_to_query(state)
    assert iv.state_from_query(query, ["drop_in", "workshop"], ["youth", "veterans"], ["SWEMWBS", "UCLA-3"]) == state
    bad = iv.state_from_query({"types": "<script>", "quarters": "3", "measure": "x"}, ["drop_in"], ["youth"],
                              ["SWEMWBS"])
    assert bad == iv.ImpactState(types=(), populations=(), quarters=4, measure="SWEMWBS")


def test_no_people_count_from_1_to_10_on_screen_or_in_downloads(use_db, con, downloads):
    # One quarter of the programmes serving bereaved people: several areas have 1-10 participants.
    at = run_page(PAGE, {"pop": "bereaved", "quarters": "1"})
    assert not at.exception, at.exception
    for frame in at.dataframe:
        assert not small_people_cells(frame.value), small_people_cells(frame.value)
    for m in at.metric:
        value = pd.to_numeric(m.value.replace(",", ""), errors="coerce")
        assert not (1 <= value < 11), (m.label, m.value)
    csvs = {name: data for name, data in downloads.items() if name.startswith("impact_")}
    assert len(csvs) == 4  # by area, by programme, trends and resilience
    for name, data in csvs.items():
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        assert not small_people_cells(frame), (name, small_people_cells(frame))

    areas = pd.read_csv(io.BytesIO(csvs["impact_by_area.csv"]), dtype=str, keep_default_na=False)
    body, total = areas.iloc[:-1], areas.iloc[-1]
    hidden = body["Participants"].isin(["<11", "suppressed"])
    assert hidden.any() and hidden.sum() != 1
    # Rates built on a hidden count are hidden with it; the total is the shown cells' sum, as a naive recount says.
    for rate in ["Per 1,000 residents", "Cost per participant ($)"]:
        assert body.loc[hidden, rate].isin(["<11", "suppressed"]).all()
    counts = naive_area_participants(con, 1, population="bereaved")
    naive_hidden, naive_total = naive_publish(counts.tolist())
    assert total["Area"] == "Total of shown cells"
    assert int(total["Participants"]) == int(pd.to_numeric(body["Participants"], errors="coerce").sum())
    # The linked set hides at least what the one-column rule hides (Inclusion's totals may make it hide more).
    assert int(total["Participants"]) <= naive_total
    names = queries.areas(con).set_index("area_id")["name"]
    assert set(counts.rename(names).index[naive_hidden]) <= set(body.loc[hidden, "Area"])


def views(con, types, populations, quarters, measure) -> iv.ImpactViews:
    """The page's views for one filter choice, as the page makes them."""
    return iv.views_of(iv.impact_data(con), iv.ImpactState(types, populations, quarters, measure))


@pytest.fixture
def bereaved(con):
    return views(con, (), ("bereaved",), 1, "SWEMWBS")


def test_map_tooltips_hide_the_same_areas_as_the_table(con, bereaved):
    table, hidden = iv.area_table(bereaved)
    assert hidden.any()
    deck, legend = iv.participation_map(queries.areas(con), bereaved)
    # The tooltip renders HTML, so its text is escaped: "&lt;11" shows as "<11".
    tips = {html.unescape(f["properties"]["name"]): html.unescape(f["properties"]["label"])
            for f in deck.layers[0].data["features"]}
    body = table.iloc[:-1]
    for name, cell in zip(body["Area"], body["Participants"]):
        if isinstance(cell, str):
            assert f"Participants: {cell}" in tips[name] and f"per 1,000 residents: {cell}" in tips[name]
        else:
            assert f"Participants: {cell:,}" in tips[name]
    assert "fewer than 11" in legend


def test_outcome_shown_only_from_n_11_with_a_t_interval(con):
    # One quarter: a programme's pooled change is that quarter's own n, mean and SD.
    v = views(con, (), (), 1, "SWEMWBS")
    latest = sorted(queries.program_periods(con)["period"].unique())[-1]
    raw = queries.program_periods(con)
    raw = raw[(raw["period"] == latest) & raw["mean_change"].notna() & (raw["n_pre_post"] > 0)]
    raw = raw.set_index(queries.programs(con).set_index("program_id")["name"].reindex(raw["program_id"]).to_numpy())
    table = iv.programme_table(v).set_index("Programme")
    assert len(raw) and (raw["n_pre_post"] < 11).any() and (raw["n_pre_post"] >= 11).any()
    for name, row in raw.iterrows():
        shown = table.loc[name]
        if row["n_pre_post"] < 11:
            assert shown["n (pre/post)"] == "<11" and pd.isna(shown["Mean change"]) and pd.isna(shown["95% CI low"])
        else:
            n, m, s = int(row["n_pre_post"]), float(row["mean_change"]), float(row["sd_change"])
            half = stats.t.ppf(0.975, n - 1) * s / np.sqrt(n)
            assert shown["n (pre/post)"] == n and shown["Mean change"] == pytest.approx(round(m, 2))
            assert shown["95% CI low"] == pytest.approx(round(m - half, 2))
            assert shown["95% CI high"] == pytest.approx(round(m + half, 2))
    points = iv.outcome_points(v)
    assert (points["n"] >= 11).all() and len(points) == int((raw["n_pre_post"] >= 11).sum())
    spec = charts.outcome_chart(points)
    assert spec["facet"]["row"]["field"] == "measure"


def filter_with_a_hidden_quarter(con) -> tuple[str, str]:
    """A (type, population) whose quarterly participants, recounted from the tables, are 1-10 in some quarter
    and 11 or more in another, so its trend line both shows points and breaks (the inventories differ)."""
    programs = queries.programs(con)
    periods = queries.program_periods(con)
    served = programs["populations_served"].fillna("").str.split(";")
    for kind in sorted(programs["type"].unique()):
        for population in sorted({p for ps in served for p in ps if p}):
            chosen = programs[(programs["type"] == kind) & served.map(lambda xs: population in xs)]
            counts = periods[periods["program_id"].isin(chosen["program_id"])].groupby("period")["participants"].sum()
            if counts.between(1, 10).any() and (counts >= 11).any():
                return kind, population
    pytest.fail("no programme type and population with both a hidden and a shown quarter")


def test_trend_chart_breaks_where_a_quarter_is_hidden(con):
    kind, population = filter_with_a_hidden_quarter(con)
    v = views(con, (kind,), (population,), 4, "")
    table = iv.trends_table(v)
    long = iv.trends_long(v)
    part = long[long["measure"] == "Participants"].set_index("period")
    hidden = table["Participants"].isin(["<11", "suppressed"])
    assert hidden.any() and not hidden.all()
    for quarter, cell in zip(table["Quarter"], table["Participants"]):
        if cell in ("<11", "suppressed"):
            assert np.isnan(part.loc[quarter, "value"]) and part.loc[quarter, "text"] == cell
        else:
            assert part.loc[quarter, "value"] == cell
    spec = charts.trend_chart(long)
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert set(data["measure"]) == {"Participants", "Sessions", "Cost per participant ($)", "Volunteer hours"}
    assert not ((data["measure"] == "Participants") & (data["value"] >= 1) & (data["value"] < 11)).any()


def test_styled_tables_keep_hidden_values_out_of_the_data():
    table = pd.DataFrame({"Area": ["A", "B", "C", "Total of shown cells"],
                          "Participants": [40, "<11", "suppressed", 40],
                          "Per 1,000 residents": [2.5, "<11", "suppressed", None]})
    s = iv.styled(table)
    assert s.data["Participants"].isna().tolist() == [False, True, True, False]
    assert s.data["Per 1,000 residents"].isna().tolist() == [False, True, True, True]
    page = s.to_html()
    assert page.count("><11<") == 2 and page.count(">suppressed<") == 2
    assert not counts_people("Per 1,000 residents") and counts_people("Participants")
