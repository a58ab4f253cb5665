"""Chart builders for the Funding, Impact and Compare pages: Vega-Lite specs written out as plain dicts.

Each builder returns the spec altair would compile for the same chart (tests/test_charts.py holds the altair
versions and checks that the two agree). Written out because these charts are drawn for every new filter
choice, and altair spends 50-200 ms of pure Python building and compiling each one, under the GIL every
session shares; a dict is ready in about a millisecond. Draw one with ``st.vega_lite_chart(spec)``.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd

from core.analysis.funding import SOURCE_TYPES
from core.base.palettes import CATEGORICAL

SOURCE_COLOURS = dict(zip(SOURCE_TYPES, CATEGORICAL))
"""One Okabe-Ito colour per funding source type, the same on every chart."""

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
_SOURCE_SCALE = {"domain": list(SOURCE_TYPES), "range": [SOURCE_COLOURS[s] for s in SOURCE_TYPES]}


def records(data: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values, missing values as None (JSON null), as altair hands data to Vega-Lite.

    >>> records(pd.DataFrame({"a": [1, 2], "b": [0.5, float("nan")], "c": ["x", None]}))
    [{'a': 1, 'b': 0.5, 'c': 'x'}, {'a': 2, 'b': None, 'c': None}]
    """
    plain = data.astype(object)
    return plain.where(data.notna(), None).to_dict("records")


def with_data(spec: dict, data: pd.DataFrame) -> dict:
    """``spec`` with ``data`` as its named dataset (named by content, as altair names it) and the schema."""
    rows = records(data)
    name = "data-" + hashlib.md5(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()
    return {"data": {"name": name}, **spec, "$schema": SCHEMA, "datasets": {name: rows}}


def field(name: str, kind: str, title=..., **more) -> dict:
    """One encoding channel: ``field("share", "quantitative", "Share", format=".1%")``; title None hides it.

    >>> field("area", "nominal", None, sort=["B", "A"])
    {'field': 'area', 'type': 'nominal', 'sort': ['B', 'A'], 'title': None}
    """
    out = {"field": name, "type": kind, **more}
    if title is not ...:
        out["title"] = title
    return out


def cliff_chart(cliff: pd.DataFrame) -> dict:
    """Stacked bars: committed yearly funding ending in each quarter, by source type.

    Parameters
    ----------
    cliff : :func:`core.analysis.funding_selection.funding_cliff` with ``by_source=True`` (``quarter``, ``source_type``,
        ``annualised_ending``, ``n_grants``, ``n_programs``).

    Examples
    --------
    >>> c = pd.DataFrame({"quarter": ["2026Q4", "2026Q4"], "source_type": ["business", "foundation"],
    ...                   "annualised_ending": [1000.0, 500.0], "n_grants": [1, 1], "n_programs": [1, 1]})
    >>> cliff_chart(c)["mark"]["type"]
    'bar'
    """
    data = cliff[["quarter", "source_type", "annualised_ending", "n_grants", "n_programs"]].copy()
    data["order"] = data["source_type"].map({s: k for k, s in enumerate(SOURCE_TYPES)})
    quarters = sorted(data["quarter"].unique())
    return with_data({
        "mark": {"type": "bar"},
        "encoding": {
            "color": field("source_type", "nominal", "Source type", scale=_SOURCE_SCALE),
            "order": field("order", "quantitative"),
            "tooltip": [field("quarter", "ordinal", "Quarter"), field("source_type", "nominal", "Source"),
                        field("annualised_ending", "quantitative", "Yearly funding ending", format="$,.0f"),
                        field("n_grants", "quantitative", "Grants"), field("n_programs", "quantitative", "Programmes")],
            "x": field("quarter", "ordinal", "Quarter the grant ends", axis={"labelAngle": 0}, sort=quarters),
            "y": field("annualised_ending", "quantitative", "Yearly funding ending (US$)", aggregate="sum",
                       axis={"format": "$,.0f"}),
        },
        "height": 320, "title": "Committed funding ending each quarter (yearly rate)",
    }, data)


def source_mix_bars(mix: pd.DataFrame, order: list[str]) -> dict:
    """Horizontal 100% bars of each area's funding by source type.

    Parameters
    ----------
    mix : long form with ``area`` (name), ``source_type``, ``share`` (0-1).
    order : area names, top to bottom.

    Examples
    --------
    >>> m = pd.DataFrame({"area": ["A", "A", "B"], "source_type": ["business", "foundation", "business"],
    ...                   "share": [0.25, 0.75, 1.0]})
    >>> source_mix_bars(m, ["B", "A"])["encoding"]["y"]["sort"]
    ['B', 'A']
    """
    data = mix[["area", "source_type", "share"]].copy()
    data["order"] = data["source_type"].map({s: k for k, s in enumerate(SOURCE_TYPES)})
    return with_data({
        "mark": {"type": "bar"},
        "encoding": {
            "color": field("source_type", "nominal", "Source type", legend={"columns": 3, "orient": "top"},
                           scale=_SOURCE_SCALE),
            "order": field("order", "quantitative"),
            "tooltip": [field("area", "nominal", "Area"), field("source_type", "nominal", "Source"),
                        field("share", "quantitative", "Share", format=".1%")],
            "x": field("share", "quantitative", "Share of the area's funding", aggregate="sum", axis={"format": "%"},
                       scale={"domain": [0, 1]}),
            "y": field("area", "nominal", None, sort=list(order)),
        },
        "height": max(120, 16 * data["area"].nunique()),
    }, data)


def funder_bars(funders: pd.DataFrame, top: int = 15) -> dict:
    """Bars of the share of weekly programme places each funder underwrites, largest first.

    Parameters
    ----------
    funders : :func:`core.analysis.funding_selection.by_funder` (``funder``, ``capacity_share``,
        ``capacity_underwritten``, ``n_programs``, ``n_programs_majority``).
    top : how many funders to draw.

    Examples
    --------
    >>> f = pd.DataFrame({"funder": ["X", "Y"], "capacity_share": [0.6, 0.4], "capacity_underwritten": [6.0, 4.0],
    ...                   "n_programs": [2, 1], "n_programs_majority": [1, 1]})
    >>> funder_bars(f)["encoding"]["y"]["sort"]
    ['X', 'Y']
    """
    data = funders.sort_values("capacity_share", ascending=False).head(top)
    data = data[["funder", "capacity_share", "capacity_underwritten", "n_programs", "n_programs_majority"]]
    return with_data({
        "mark": {"type": "bar", "color": CATEGORICAL[0]},
        "encoding": {
            "tooltip": [field("funder", "nominal", "Funder"),
                        field("capacity_share", "quantitative", "Share of places", format=".1%"),
                        field("capacity_underwritten", "quantitative", "Weekly places", format=",.0f"),
                        field("n_programs", "quantitative", "Programmes funded"),
                        field("n_programs_majority", "quantitative", "Programmes it funds over half of")],
            "x": field("capacity_share", "quantitative", "Share of weekly places", axis={"format": "%"}),
            "y": field("funder", "nominal", None, axis={"labelLimit": 260}, sort=data["funder"].tolist()),
        },
        "height": max(120, 22 * len(data)),
    }, data)


def trend_chart(trends: pd.DataFrame, width: int = 230) -> dict:
    """Small multiples of quarterly figures, two to a row, each measure on its own scale.

    Parameters
    ----------
    trends : long form with ``period``, ``measure``, ``value`` (NaN where the figure is suppressed, so the
        line breaks there) and ``text`` (the published value, shown in the tooltip: "<11" where suppressed).

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["2026Q1", "2026Q2"], "measure": ["Participants"] * 2,
    ...                   "value": [40.0, None], "text": ["40", "<11"]})
    >>> trend_chart(t)["facet"]["field"]
    'measure'
    """
    data = trends[["period", "measure", "value", "text"]].copy()
    measures = list(dict.fromkeys(data["measure"]))
    encoding = {
        "tooltip": [field("period", "ordinal", "Quarter"), field("measure", "nominal", "Measure"),
                    field("text", "nominal", "Value")],
        "x": field("period", "ordinal", "Quarter", axis={"labelAngle": 0}, sort=sorted(data["period"].unique())),
        "y": field("value", "quantitative", None),
    }
    return with_data({
        "facet": field("measure", "nominal", None, header={"labelFontSize": 13}, sort=measures),
        "spec": {"layer": [{"mark": {"type": "line", "color": CATEGORICAL[0]}, "encoding": encoding},
                           {"mark": {"type": "point", "color": CATEGORICAL[0], "filled": True, "size": 50},
                            "encoding": encoding}],
                 "height": 120, "width": width},
        "columns": 2, "resolve": {"scale": {"y": "independent"}},
    }, data)


def outcome_trend_chart(trends: pd.DataFrame, measure: str) -> dict:
    """Mean pre/post change per quarter with its 95% interval as a band; quarters with n < 11 are left out.

    Parameters
    ----------
    trends : ``period``, ``outcome_mean``, ``outcome_lo``, ``outcome_hi``, ``n_text``.
    measure : the scale's name, for the title.

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["2026Q1"], "outcome_mean": [2.0], "outcome_lo": [1.0],
    ...                   "outcome_hi": [3.0], "n_text": ["40"]})
    >>> len(outcome_trend_chart(t, "SWEMWBS")["layer"])
    2
    """
    data = trends[["period", "outcome_mean", "outcome_lo", "outcome_hi", "n_text"]].copy()
    x = field("period", "ordinal", "Quarter", axis={"labelAngle": 0}, sort=sorted(data["period"].unique()))
    title = f"Mean change on {measure} (95% interval)"
    tips = [field("period", "ordinal", "Quarter"),
            field("outcome_mean", "quantitative", "Mean change", format=".2f"),
            field("outcome_lo", "quantitative", "95% CI low", format=".2f"),
            field("outcome_hi", "quantitative", "95% CI high", format=".2f"), field("n_text", "nominal", "n")]
    return with_data({
        "layer": [
            {"mark": {"type": "area", "color": CATEGORICAL[4], "opacity": 0.3},
             "encoding": {"x": x, "y": field("outcome_lo", "quantitative", "Mean change"),
                          "y2": {"field": "outcome_hi"}}, "title": title},
            {"mark": {"type": "line", "color": CATEGORICAL[0], "point": True},
             "encoding": {"tooltip": tips, "x": x, "y": field("outcome_mean", "quantitative")}, "title": title},
        ],
        "height": 240,
    }, data)


def outcome_chart(outcomes: pd.DataFrame, width: int = 420) -> dict:
    """Each programme's mean pre/post change with its 95% interval (rule), one panel per scale.

    Parameters
    ----------
    outcomes : ``programme``, ``measure``, ``mean``, ``lo``, ``hi``, ``n`` (only rows that may be shown).

    Examples
    --------
    >>> o = pd.DataFrame({"programme": ["P"], "measure": ["SWEMWBS"], "mean": [2.0], "lo": [1.0], "hi": [3.0],
    ...                   "n": [40]})
    >>> outcome_chart(o)["facet"]["row"]["field"]
    'measure'
    """
    data = outcomes[["programme", "measure", "mean", "lo", "hi", "n"]].copy()
    tips = [field("programme", "nominal", "Programme"), field("measure", "nominal", "Scale"),
            field("mean", "quantitative", "Mean change", format=".2f"),
            field("lo", "quantitative", "95% CI low", format=".2f"),
            field("hi", "quantitative", "95% CI high", format=".2f"), field("n", "quantitative", "n")]
    y = field("programme", "nominal", None, axis={"labelLimit": 260},
              sort={"field": "mean", "order": "descending"})
    per = max(1, data.groupby("measure")["programme"].nunique().max() if len(data) else 1)
    header = {"labelAnchor": "start", "labelAngle": 0, "labelFontSize": 13, "labelFontWeight": "bold",
              "labelOrient": "top"}
    return with_data({
        "facet": {"row": field("measure", "nominal", None, header=header)},
        "spec": {"layer": [
            {"mark": {"type": "rule", "color": CATEGORICAL[4], "strokeWidth": 2},
             "encoding": {"tooltip": tips, "x": field("lo", "quantitative", "Mean change"), "x2": {"field": "hi"},
                          "y": y}},
            {"mark": {"type": "point", "color": CATEGORICAL[0], "filled": True, "size": 45},
             "encoding": {"tooltip": tips, "x": field("mean", "quantitative"), "y": y}},
            {"mark": {"type": "rule", "color": "#777777", "strokeDash": [4, 3]},
             "encoding": {"x": {"datum": 0}, "y": {"value": 0}, "y2": {"value": "height"}}},
        ], "height": 18 * int(per), "width": width},
        "resolve": {"scale": {"x": "independent", "y": "independent"}},
    }, data)
