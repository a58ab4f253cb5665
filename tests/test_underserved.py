"""Underserved: a seven-area case worked by hand through the view builders, then the page under AppTest."""

from __future__ import annotations

import html
import json
import math

import pandas as pd
import pytest

from core.analysis.coverage import CoverageParams, CoverageResult, build_model, compute
from core.analysis.gap import BIVARIATE_PALETTE, PRIORITY_CLASS
from core.analysis.need import need_for
from core.analysis.need_index import explain, need_index
from core.base.palettes import hex_to_rgb
from core.views import underserved as uv
from tests.test_pages import run_page

# Seven areas. unmet_need (need domain) rises with the area id and svi (vulnerability) falls, so the
# need ranking reverses when the weight moves from one domain to the other. Area 3 has no poverty
# value, so it is flagged. Coverage is chosen so that two high-need areas (5 and 7) land in the
# lowest coverage tercile.
IDS = [1, 2, 3, 4, 5, 6, 7]
DEFS = pd.DataFrame({
    "indicator_id": ["unmet_need", "svi", "poverty"],
    "label": ["Unmet need", "Social Vulnerability Index", "Poverty"],
    "higher_is": ["worse", "worse", "worse"],
    "domain": ["need", "vulnerability", "barrier"],
})
VALUES = pd.DataFrame({
    "unmet_need": [10.0, 20, 30, 40, 50, 60, 70],
    "svi": [70.0, 60, 50, 40, 30, 20, 10],
    "poverty": [1.0, 2, math.nan, 4, 5, 6, 7],
}, index=pd.Index(IDS, name="area_id"))
COVERAGE = [5.0, 0.3, 3.0, 1.0, 0.1, 2.0, 0.0]
POPULATION = [100.0, 200, 300, 400, 500, 600, 700]

# Worked by hand, with need weight only: need percentile = rank of unmet_need = (id - 1) / 6.
# Coverage sorted: 7 (0.0), 5 (0.1), 2 (0.3), 4 (1.0), 6 (2.0), 3 (3.0), 1 (5.0) -> percentiles 0 .. 6/6.
NEED_PCT = {a: (a - 1) / 6 for a in IDS}
COV_PCT = {7: 0, 5: 1 / 6, 2: 2 / 6, 4: 3 / 6, 6: 4 / 6, 3: 5 / 6, 1: 1.0}
# Terciles: < 1/3 low, < 2/3 middle, else high. Need: 1, 2 low; 3, 4 middle; 5, 6, 7 high.
# Coverage: 7, 5 low; 2, 4 middle; 6, 3, 1 high.
CLASSES = {1: "1-3", 2: "1-2", 3: "2-3", 4: "2-2", 5: "3-1", 6: "3-3", 7: "3-1"}


def hand_case(weights=(1.0, 0.0, 0.0)):
    ni = need_index(VALUES, DEFS, dict(zip(("need", "vulnerability", "barrier"), weights)))
    areas = pd.DataFrame({"area_id": IDS, "name": [f"Area {a}" for a in IDS], "population": POPULATION,
                          "coverage_per_1000": COVERAGE})
    result = CoverageResult(tracts=pd.DataFrame(), areas=areas, reach=pd.DataFrame(), programs=pd.DataFrame())
    return ni, result, uv.underserved(ni, result)


def squares() -> pd.DataFrame:
    """One small square per area, in a row, so the map builder has real polygons."""
    geoms = [json.dumps({"type": "Polygon", "coordinates": [[[a, 0], [a + 1, 0], [a + 1, 1], [a, 1], [a, 0]]]})
             for a in IDS]
    return pd.DataFrame({"area_id": IDS, "name": [f"Area {a}" for a in IDS], "geometry_simplified": geoms,
                         "lon": [a + 0.5 for a in IDS], "lat": [0.5] * len(IDS)})


def naive_pct(values: dict) -> dict:
    """(rank - 1) / (N - 1) with ties at the lowest rank, by counting: the SVI rule, written the slow way."""
    have = {k: v for k, v in values.items() if not math.isnan(v)}
    n = len(have)
    return {k: sum(w < v for w in have.values()) / (n - 1) for k, v in have.items()}


# --- the view builders on the hand-worked case ----------------------------------------------------------------


def test_gap_is_need_percentile_minus_coverage_percentile():
    _, _, gap = hand_case()
    for a in IDS:
        assert gap.at[a, "need_pct"] == pytest.approx(NEED_PCT[a])
        assert gap.at[a, "coverage_pct"] == pytest.approx(COV_PCT[a])
        assert gap.at[a, "gap"] == pytest.approx(NEED_PCT[a] - COV_PCT[a])
    # Gaps: 7 +1, 5 +0.5, 6 +1/6, 4 0, 2 -1/6, 3 -0.5, 1 -1.
    assert gap.index.tolist() == [7, 5, 6, 4, 2, 3, 1]
    table = uv.area_table(gap).set_index("area_id")
    for a in IDS:
        assert table.at[a, "Gap (points)"] == pytest.approx(100 * (NEED_PCT[a] - COV_PCT[a]), abs=0.05)
        assert table.at[a, "Need percentile"] == pytest.approx(100 * NEED_PCT[a], abs=0.05)
        assert table.at[a, "Coverage percentile"] == pytest.approx(100 * COV_PCT[a], abs=0.05)
        assert table.at[a, "Weekly places per 1,000"] == COVERAGE[a - 1]


def test_priority_is_high_need_tercile_and_low_coverage_tercile():
    _, _, gap = hand_case()
    assert gap["bivariate_class"].to_dict() == CLASSES
    assert sorted(gap.index[gap["priority"]]) == [5, 7]
    prio = uv.priority_areas(gap)
    assert prio["Area"].tolist() == ["Area 7", "Area 5"]  # largest gap first
    assert prio["Residents (tract sum)"].tolist() == [700, 500]
    assert uv.priority_totals(gap) == (2, 1200.0)
    label, value, help_text = uv.headline(gap)
    assert value == "2 areas · 1,200 residents (tract sum)"
    assert "high need, low coverage" in label.lower()
    assert "42.9%" in help_text  # 1,200 of 2,800 residents


def test_legend_square_is_three_by_three_with_counts_and_the_palette():
    _, _, gap = hand_case()
    counts = uv.legend_counts(gap)
    assert counts.shape == (3, 3)
    assert counts.index.tolist() == ["high coverage", "middle coverage", "low coverage"]
    assert counts.columns.tolist() == ["low need", "middle need", "high need"]
    assert counts.loc["low coverage", "high need"] == 2
    assert counts.loc["high coverage", "low need"] == 1
    assert counts.loc["middle coverage", "low need"] == 1
    assert counts.loc["low coverage", "low need"] == 0
    assert counts.to_numpy().sum() == 7
    html = uv.legend_square_html(gap)
    colours = [c for c in BIVARIATE_PALETTE.values() if f"background:{c}" in html]
    assert len(colours) == 9
    # The priority cell is drawn with the heavy outline and shows its count.
    cell = html.split(f"background:{BIVARIATE_PALETTE[PRIORITY_CLASS]}")[1].split("</div>")[0]
    assert "3px solid" in cell and cell.endswith(">2")


def test_map_features_carry_the_table_numbers_and_class_colours():
    _, _, gap = hand_case()
    deck = uv.gap_map(squares(), gap, selected=6)
    spec = json.loads(deck.to_json())
    # The map's properties carry ids as text (DESIGN §2b); this hand case uses whole numbers.
    feats = {int(f["properties"]["area_id"]): f["properties"] for f in spec["layers"][0]["data"]["features"]}
    table = uv.area_table(gap).set_index("area_id")
    assert set(feats) == set(IDS)
    for a, p in feats.items():
        assert p["fill"] == hex_to_rgb(BIVARIATE_PALETTE[CLASSES[a]], 210)
        assert p["gap_points"] == table.at[a, "Gap (points)"]
        assert p["bivariate_class"] == CLASSES[a]
        assert p["need_line"] == f"Need percentile {table.at[a, 'Need percentile']:.1f}"
        assert p["coverage_line"].startswith(f"{COVERAGE[a - 1]:.2f} places per 1,000")
        assert ("PRIORITY" in p["cell_line"]) == (a in (5, 7))
        assert ("ranked without Poverty" in p["cell_line"]) == (a == 3)
        assert p["line_width"] == (3 if a == 6 else 1)
    # The whole row of squares (longitude 1 to 8) is in view.
    view = spec["initialViewState"]
    assert view["longitude"] == pytest.approx(4.5) and view["latitude"] == pytest.approx(0.5, abs=1e-3)


def test_weights_move_the_ranking():
    _, _, by_need = hand_case((1.0, 0.0, 0.0))
    _, _, by_vulnerability = hand_case((0.0, 1.0, 0.0))
    # With svi the need order reverses: area 1 has the most need and, with the most coverage, gap 1 - 1 = 0.
    for a in IDS:
        assert by_vulnerability.at[a, "need_pct"] == pytest.approx((7 - a) / 6)
    # Gaps: 2 +0.5, 5 +1/6, then 1, 4 and 7 all 0 (higher need first), 3 -1/6, 6 -0.5.
    assert by_vulnerability.index.tolist() == [2, 5, 1, 4, 7, 3, 6]
    assert by_need.index.tolist() != by_vulnerability.index.tolist()
    # High need is now areas 1, 2 and 3 (4/6 is exactly 2/3), none of them in the low-coverage third.
    assert not by_vulnerability["priority"].any()
    assert uv.headline(by_vulnerability)[1] == "0 areas · 0 residents (tract sum)"


def test_why_names_the_drivers_and_the_missing_indicator():
    ni, _, gap = hand_case((1.0, 1.0, 1.0))
    w = uv.why(ni, gap, 3)
    assert w.name == "Area 3"
    assert html.unescape(w.need_sentence) == explain(ni, 3)
    assert w.missing == ["Poverty"]
    assert "poverty" in w.flag_note and w.flag_note.startswith("Flagged")
    assert w.indicators.set_index("Indicator").at["Poverty", "Note"].startswith("no value")
    assert w.domains["Weight (% of index)"].tolist() == [pytest.approx(33.3, abs=0.05)] * 3
    ok = uv.why(ni, gap, 4)
    assert ok.missing == [] and ok.flag_note == ""
    assert f"rank {int(gap.at[4, 'rank'])} of 7" in ok.summary


def test_weights_from_the_url_are_clamped_and_round_trip():
    assert uv.weights_from_query({}) == (1.0, 1.0, 1.0)
    assert uv.weights_from_query({"w_need": "3", "w_vul": "0", "w_bar": "1.5"}) == (3.0, 0.0, 1.5)
    assert uv.weights_from_query({"w_need": "99", "w_vul": "-4", "w_bar": "nan"}) == (3.0, 0.0, 1.0)
    assert uv.weights_from_query({"w_need": ["2", "3"], "w_vul": "1;drop"}) == (2.0, 1.0, 1.0)
    q = {"w_need": "2.5", "w_vul": "0", "w_bar": "3"}
    assert uv.weights_to_query(uv.weights_from_query(q)) == q
    # All zero is "no preference": equal weights, and the caption says so.
    assert uv.weights_in_force((0.0, 0.0, 0.0)) == (1.0, 1.0, 1.0)
    ni, _, _ = hand_case((1.0, 1.0, 1.0))
    assert "weighted equally" in uv.weights_caption((0.0, 0.0, 0.0), ni)
    assert "weighted equally" not in uv.weights_caption((1.0, 1.0, 1.0), ni)


def test_page_state_writes_the_coverage_query_the_coverage_page_reads():
    from core.views.coverage import params_from_query

    state = {"d0": 25, "decay": "gaussian", "types": ["drop_in", "workshop"], "lang": "spanish", "eve": True,
             "free": True, "w_need": 0.5, "w_vul": 2.0, "w_bar": 0.0}
    q = uv.state_to_query(state)
    p = params_from_query(q, ["spanish", "polish"])
    assert p == CoverageParams(d0=25.0, decay="gaussian", types=("drop_in", "workshop"), language="spanish",
                               evening_or_weekend=True, free_only=True)
    assert uv.weights_from_query(q) == (0.5, 2.0, 0.0)


# --- the page, under AppTest, against a slow recomputation ---------------------------------------------------


def _frame(at, column, without=None):
    """The page's one dataframe with ``column`` and not ``without`` (AppTest does not expose a dataframe's key)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns and without not in d.value.columns]
    assert len(frames) == 1, [list(d.value.columns) for d in at.dataframe]
    return frames[0]


def _reference(con, weights):
    """Need, coverage and priority per area, the slow way from the method's own outputs."""
    ni = need_for(con, weights)
    res = compute(build_model(con), CoverageParams())
    cov = dict(zip(res.areas["area_id"], res.areas["coverage_per_1000"]))
    pop = dict(zip(res.areas["area_id"], res.areas["population"]))
    need = ni.index.to_dict()
    cov_pct = naive_pct(cov)
    gap = {a: need[a] - cov_pct[a] for a in need if not math.isnan(need[a]) and a in cov_pct}
    priority = [a for a in gap if need[a] >= 2 / 3 and cov_pct[a] < 1 / 3]
    return ni, res, gap, priority, pop


def test_page_headline_map_and_table_agree_with_the_method(use_db, con):
    at = run_page("pages/underserved.py")
    assert not at.exception, at.exception
    ni, res, gap, priority, pop = _reference(con, (1.0, 1.0, 1.0))
    assert at.metric[0].value == f"{len(priority)} areas · {sum(pop[a] for a in priority):,.0f} residents (tract sum)"
    assert len(priority) > 0

    table = _frame(at, "Ranked without").set_index("area_id")
    for a, g in gap.items():
        assert table.at[a, "Gap (points)"] == pytest.approx(100 * g, abs=0.051)
    assert set(table.index[table["Priority"]]) == set(priority)
    prio = _frame(at, "Need percentile", without="area_id")
    assert sorted(prio["Residents (tract sum)"].tolist()) == sorted(round(pop[a]) for a in priority)

    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    feats = json.loads(decks[0].proto.json)["layers"][0]["data"]["features"]
    assert len(feats) == len(table)
    for f in feats:
        p = f["properties"]
        assert p["gap_points"] == table.at[p["area_id"], "Gap (points)"]
    assert any("weights in force" in c.value for c in at.caption)


def test_weights_change_the_ranking_and_the_url(use_db, con):
    at = run_page("pages/underserved.py")
    before = _frame(at, "Need / coverage")["Area"].tolist()
    at.slider(key="w_need").set_value(3.0).run()
    at.slider(key="w_bar").set_value(0.0).run()
    assert not at.exception, at.exception
    after = _frame(at, "Need / coverage")["Area"].tolist()
    ni, res, gap, _, _ = _reference(con, (3.0, 1.0, 0.0))
    expected = uv.underserved(ni, res)["name"].tolist()
    assert after == expected
    assert after != before
    assert at.query_params["w_need"] in ("3", ["3"]) and at.query_params["w_bar"] in ("0", ["0"])
    assert any("mental-health need 3 (75%)" in c.value for c in at.caption)


def test_why_this_area_shows_the_explanation_and_missing_indicators(use_db, con):
    ni = need_for(con)
    flagged = ni.flagged[ni.flagged].index.tolist()
    area = flagged[0] if flagged else int(ni.index.idxmax())
    at = run_page("pages/underserved.py")
    at.selectbox(key="area_pick").set_value(area).run()
    assert not at.exception, at.exception
    text = html.unescape(" ".join(m.value for m in at.markdown))
    assert explain(ni, area) in text
    assert at.query_params["area"] in (str(area), [str(area)])
    infos = " ".join(i.value for i in at.info)
    for ind in ni.missing.loc[area]:
        assert ni.labels[ind].lower() in infos.lower()
    assert bool(infos) == bool(flagged)
    indicators = _frame(at, "Percentile (higher = more need)")
    assert len(indicators) == len(ni.indicator_pct.columns)
