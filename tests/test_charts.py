"""The hand-written Vega-Lite chart specs equal what altair compiles for the same charts (altair is the oracle)."""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from core.analysis.funding import SOURCE_TYPES
from core.base.palettes import CATEGORICAL, DIVERGING
from core.views import charts
from core.views import compare as cv

# --- the same charts built with altair ----------------------------------------------------------------------------

_SOURCE_SCALE = alt.Scale(domain=list(SOURCE_TYPES), range=[charts.SOURCE_COLOURS[s] for s in SOURCE_TYPES])


def altair_cliff(cliff):
    data = cliff[["quarter", "source_type", "annualised_ending", "n_grants", "n_programs"]].copy()
    data["order"] = data["source_type"].map({s: k for k, s in enumerate(SOURCE_TYPES)})
    return alt.Chart(data, title="Committed funding ending each quarter (yearly rate)").mark_bar().encode(
        x=alt.X("quarter:O", title="Quarter the grant ends", sort=sorted(data["quarter"].unique()),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(annualised_ending):Q", title="Yearly funding ending (US$)", axis=alt.Axis(format="$,.0f")),
        color=alt.Color("source_type:N", title="Source type", scale=_SOURCE_SCALE),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("quarter:O", title="Quarter"), alt.Tooltip("source_type:N", title="Source"),
                 alt.Tooltip("annualised_ending:Q", title="Yearly funding ending", format="$,.0f"),
                 alt.Tooltip("n_grants:Q", title="Grants"), alt.Tooltip("n_programs:Q", title="Programmes")],
    ).properties(height=320)


def altair_mix(mix, order):
    data = mix[["area", "source_type", "share"]].copy()
    data["order"] = data["source_type"].map({s: k for k, s in enumerate(SOURCE_TYPES)})
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("area:N", title=None, sort=list(order)),
        x=alt.X("sum(share):Q", title="Share of the area's funding", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("source_type:N", title="Source type", scale=_SOURCE_SCALE,
                        legend=alt.Legend(orient="top", columns=3)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("area:N", title="Area"), alt.Tooltip("source_type:N", title="Source"),
                 alt.Tooltip("share:Q", title="Share", format=".1%")],
    ).properties(height=max(120, 16 * data["area"].nunique()))


def altair_funders(funders, top=15):
    data = funders.sort_values("capacity_share", ascending=False).head(top)
    kind = "kind" in data
    data = data[["funder", "capacity_share", "capacity_underwritten", "n_programs", "n_programs_majority"]
                + (["kind"] if kind else [])]
    colour = ({"color": alt.Color("kind:N", title="Funder type", legend=alt.Legend(orient="bottom", columns=3),
                                  scale=alt.Scale(range=list(CATEGORICAL)))} if kind else {})
    chart = alt.Chart(data, title=alt.Title("Share of the shown programmes' weekly places each funder pays for",
                                            anchor="start", fontSize=13, limit=0))
    return (chart.mark_bar() if kind else chart.mark_bar(color=CATEGORICAL[0])).encode(
        **colour,
        y=alt.Y("funder:N", title=None, sort=data["funder"].tolist(), axis=alt.Axis(labelLimit=260)),
        x=alt.X("capacity_share:Q", title="Share of weekly places",
                axis=alt.Axis(format=".0%", tickCount=5, labelFlush=True)),
        tooltip=[alt.Tooltip("funder:N", title="Funder"), *([alt.Tooltip("kind:N", title="Type")] if kind else []),
                 alt.Tooltip("capacity_share:Q", title="Share of places", format=".1%"),
                 alt.Tooltip("capacity_underwritten:Q", title="Weekly places", format=",.0f"),
                 alt.Tooltip("n_programs:Q", title="Programmes funded"),
                 alt.Tooltip("n_programs_majority:Q", title="Programmes it funds over half of")],
    ).properties(height=max(120, 22 * len(data)))


def altair_trend(trends, width=230):
    data = trends[["period", "measure", "value", "text"]].copy()
    base = alt.Chart(data).encode(
        x=alt.X("period:O", title="Quarter", sort=sorted(data["period"].unique()), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=None),
        tooltip=[alt.Tooltip("period:O", title="Quarter"), alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("text:N", title="Value")])
    layered = base.mark_line(color=CATEGORICAL[0]) + base.mark_point(color=CATEGORICAL[0], filled=True, size=50)
    return (layered.properties(height=120, width=width)
            .facet(facet=alt.Facet("measure:N", title=None, sort=list(dict.fromkeys(data["measure"])),
                                   header=alt.Header(labelFontSize=13)), columns=2)
            .resolve_scale(y="independent"))


def altair_outcome_trend(trends, measure):
    data = trends[["period", "outcome_mean", "outcome_lo", "outcome_hi", "n_text"]].copy()
    base = alt.Chart(data, title=f"Mean change on {measure} (95% interval)").encode(
        x=alt.X("period:O", title="Quarter", sort=sorted(data["period"].unique()), axis=alt.Axis(labelAngle=0)))
    tips = [alt.Tooltip("period:O", title="Quarter"), alt.Tooltip("outcome_mean:Q", title="Mean change", format=".2f"),
            alt.Tooltip("outcome_lo:Q", title="95% CI low", format=".2f"),
            alt.Tooltip("outcome_hi:Q", title="95% CI high", format=".2f"), alt.Tooltip("n_text:N", title="n")]
    band = base.mark_area(opacity=0.3, color=CATEGORICAL[4]).encode(
        y=alt.Y("outcome_lo:Q", title="Mean change"), y2="outcome_hi:Q")
    line = base.mark_line(point=True, color=CATEGORICAL[0]).encode(y="outcome_mean:Q", tooltip=tips)
    return alt.layer(band, line).properties(height=240)


def altair_outcome(outcomes, width=420):
    data = outcomes[["programme", "measure", "mean", "lo", "hi", "n"]].copy()
    tips = [alt.Tooltip("programme:N", title="Programme"), alt.Tooltip("measure:N", title="Scale"),
            alt.Tooltip("mean:Q", title="Mean change", format=".2f"),
            alt.Tooltip("lo:Q", title="95% CI low", format=".2f"),
            alt.Tooltip("hi:Q", title="95% CI high", format=".2f"), alt.Tooltip("n:Q", title="n")]
    base = alt.Chart(data).encode(y=alt.Y("programme:N", title=None, axis=alt.Axis(labelLimit=260),
                                          sort=alt.EncodingSortField("mean", order="descending")))
    rule = base.mark_rule(color=CATEGORICAL[4], strokeWidth=2).encode(x=alt.X("lo:Q", title="Mean change"),
                                                                       x2="hi:Q", tooltip=tips)
    dot = base.mark_point(filled=True, color=CATEGORICAL[0], size=45).encode(x="mean:Q", tooltip=tips)
    zero = base.mark_rule(color="#777777", strokeDash=[4, 3], aria=False).encode(x=alt.datum(0), y=alt.value(0),
                                                                       y2=alt.value("height"))
    per = max(1, data.groupby("measure")["programme"].nunique().max() if len(data) else 1)
    return (alt.layer(rule, dot, zero, data=data).properties(width=width, height=18 * per)
            .facet(row=alt.Row("measure:N", title=None, header=alt.Header(
                labelAngle=0, labelOrient="top", labelAnchor="start", labelFontSize=13, labelFontWeight="bold")))
            .resolve_scale(y="independent", x="independent"))


def altair_similar(sim):
    first = sim["Area"].iloc[0]
    d = sim.iloc[1:].rename(columns={"Difference in places per 1,000": "diff", "Weekly places per 1,000": "cov"})
    d = d.assign(sign=np.where(d["diff"] >= 0, "more than " + first, "less than " + first))
    more, less = DIVERGING[5][4], DIVERGING[5][0]
    return alt.Chart(d[["Area", "diff", "cov", "sign"]]).mark_bar().encode(
        x=alt.X("diff:Q", title=f"Weekly places per 1,000 compared with {first}"),
        y=alt.Y("Area:N", sort=None, title=None, axis=alt.Axis(labelLimit=200)),
        color=alt.Color("sign:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["more than " + first, "less than " + first], range=[more, less])),
        tooltip=[alt.Tooltip("Area:N"), alt.Tooltip("cov:Q", title="Places per 1,000", format=",.2f"),
                 alt.Tooltip("diff:Q", title="Difference", format="+,.2f")]).properties(
        height=alt.Step(24), width="container")


def normalised(spec: dict) -> dict:
    """A compiled spec with its dataset under one name, no schema URL and no theme config, for comparison."""
    spec = dict(spec)
    spec.pop("$schema", None)
    spec.pop("config", None)
    datasets = spec.pop("datasets", {})
    assert len(datasets) <= 1
    text = json.dumps(spec)
    for name in datasets:
        text = text.replace(json.dumps(name), '"DATA"')
    return {"spec": json.loads(text), "rows": next(iter(datasets.values()), None)}


def same(ours: dict, theirs: alt.TopLevelMixin) -> None:
    """Ours equals altair's compiled spec (which altair validates against the Vega-Lite schema as it compiles)."""
    expected = normalised(theirs.to_dict())
    got = normalised(ours)
    assert got["spec"] == expected["spec"]
    assert got["rows"] == expected["rows"]


# --- inputs --------------------------------------------------------------------------------------------------------

rng = np.random.default_rng(7)


def cliff_input(n=12):
    return pd.DataFrame({"quarter": rng.choice(["2026Q4", "2027Q1", "2027Q2", "2027Q3"], n),
                         "source_type": rng.choice(SOURCE_TYPES, n), "annualised_ending": rng.random(n) * 1e5,
                         "n_grants": rng.integers(1, 9, n), "n_programs": rng.integers(1, 5, n)})


@pytest.mark.parametrize("n", [1, 5, 40])
def test_funding_charts_equal_altairs(n):
    c = cliff_input(n)
    same(charts.cliff_chart(c), altair_cliff(c))
    mix = pd.DataFrame({"area": rng.choice(["Austin", "Englewood", "Loop", "Uptown"], n),
                        "source_type": rng.choice(SOURCE_TYPES, n), "share": rng.random(n)})
    order = sorted(mix["area"].unique(), reverse=True)
    same(charts.source_mix_bars(mix, order), altair_mix(mix, order))
    funders = pd.DataFrame({"funder": [f"Funder {i}" for i in range(n)], "capacity_share": rng.random(n),
                            "capacity_underwritten": rng.random(n) * 300, "n_programs": rng.integers(1, 9, n),
                            "n_programs_majority": rng.integers(0, 3, n)})
    same(charts.funder_bars(funders), altair_funders(funders))
    typed = funders.assign(kind=[["company", "family foundation", "state agency"][i % 3] for i in range(n)])
    same(charts.funder_bars(typed), altair_funders(typed))


@pytest.mark.parametrize("n", [1, 6, 24])
def test_impact_charts_equal_altairs(n):
    trends = pd.DataFrame({"period": rng.choice(["2025Q3", "2025Q4", "2026Q1", "2026Q2"], n),
                           "measure": rng.choice(["Participants", "Sessions", "Volunteers"], n),
                           "value": np.where(rng.random(n) < 0.3, np.nan, rng.random(n) * 100),
                           "text": rng.choice(["<11", "40", "1,204"], n)})
    same(charts.trend_chart(trends), altair_trend(trends))
    ot = pd.DataFrame({"period": rng.choice(["2025Q3", "2025Q4", "2026Q1"], n), "outcome_mean": rng.random(n),
                       "outcome_lo": rng.random(n) - 1, "outcome_hi": rng.random(n) + 1,
                       "n_text": rng.choice(["12", "40"], n)})
    same(charts.outcome_trend_chart(ot, "SWEMWBS"), altair_outcome_trend(ot, "SWEMWBS"))
    outcomes = pd.DataFrame({"programme": [f"P{i}" for i in range(n)], "measure": rng.choice(["SWEMWBS", "PHQ-9"], n),
                             "mean": rng.random(n), "lo": rng.random(n) - 1, "hi": rng.random(n) + 1,
                             "n": rng.integers(11, 90, n)})
    same(charts.outcome_chart(outcomes), altair_outcome(outcomes))


def test_similar_chart_equals_altairs():
    sim = pd.DataFrame({"area_id": [68, 25, 8, 1], "Area": ["Englewood", "Austin", "Near North Side", "Rogers Park"],
                        "Distance": [0.0, 1.2, 2.5, 3.1], "Weekly places per 1,000": [4.0, 5.5, 2.0, 4.0],
                        "Difference in places per 1,000": [0.0, 1.5, -2.0, 0.0]})
    same(cv.similar_chart(sim), altair_similar(sim))


def test_the_comparison_can_fail():
    c = cliff_input(5)
    other = c.assign(annualised_ending=c["annualised_ending"] + 1)
    with pytest.raises(AssertionError):
        same(charts.cliff_chart(other), altair_cliff(c))
    with pytest.raises(AssertionError):
        same(charts.cliff_chart(c) | {"height": 300}, altair_cliff(c))
