"""Pure altair chart builders for the Funding and Impact pages, and the compiled spec pages draw any chart from."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.funding import SOURCE_TYPES
from core.palettes import CATEGORICAL

SOURCE_COLOURS = dict(zip(SOURCE_TYPES, CATEGORICAL))
"""One Okabe-Ito colour per funding source type, the same on every chart."""

# Altair's default theme fixes a 300-px view; Streamlit draws charts with the theme off, so a compiled spec drops it.
_DEFAULT_VIEW = {"continuousWidth": 300, "continuousHeight": 300}


def vega_lite_spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec of ``chart`` as ``st.vega_lite_chart`` draws it (its data inline as named datasets).

    Compiled without altair's schema validation: that doubles the cost of every draw, and the tests compile each
    builder with validation on.

    Examples
    --------
    >>> spec = vega_lite_spec(alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x:Q"))
    >>> list(spec["datasets"].values())[0], "view" in spec.get("config", {})
    ([{'x': 1}, {'x': 2}], False)
    """
    spec = chart.to_dict(validate=False)
    config = spec.get("config", {})
    view = config.get("view", {})
    for key, value in _DEFAULT_VIEW.items():
        if view.get(key) == value:
            del view[key]
    if "view" in config and not view:
        del config["view"]
    if "config" in spec and not config:
        del spec["config"]
    return spec


_SOURCE_SCALE = alt.Scale(domain=list(SOURCE_TYPES), range=[SOURCE_COLOURS[s] for s in SOURCE_TYPES])


def cliff_chart(cliff: pd.DataFrame) -> alt.Chart:
    """Stacked bars: committed yearly funding ending in each quarter, by source type.

    Parameters
    ----------
    cliff : :func:`core.funding.funding_cliff` with ``by_source=True`` (``quarter``, ``source_type``,
        ``annualised_ending``, ``n_grants``, ``n_programs``).

    Examples
    --------
    >>> c = pd.DataFrame({"quarter": ["2026Q4", "2026Q4"], "source_type": ["business", "foundation"],
    ...                   "annualised_ending": [1000.0, 500.0], "n_grants": [1, 1], "n_programs": [1, 1]})
    >>> cliff_chart(c).to_dict()["mark"]["type"]
    'bar'
    """
    data = cliff[["quarter", "source_type", "annualised_ending", "n_grants", "n_programs"]].copy()
    data["order"] = data["source_type"].map({s: k for k, s in enumerate(SOURCE_TYPES)})
    quarters = sorted(data["quarter"].unique())
    return (
        alt.Chart(data, title="Committed funding ending each quarter (yearly rate)")
        .mark_bar()
        .encode(
            x=alt.X("quarter:O", title="Quarter the grant ends", sort=quarters, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(annualised_ending):Q", title="Yearly funding ending (US$)", axis=alt.Axis(format="$,.0f")),
            color=alt.Color("source_type:N", title="Source type", scale=_SOURCE_SCALE),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("quarter:O", title="Quarter"), alt.Tooltip("source_type:N", title="Source"),
                     alt.Tooltip("annualised_ending:Q", title="Yearly funding ending", format="$,.0f"),
                     alt.Tooltip("n_grants:Q", title="Grants"), alt.Tooltip("n_programs:Q", title="Programmes")],
        )
        .properties(height=320)
    )


def source_mix_bars(mix: pd.DataFrame, order: list[str]) -> alt.Chart:
    """Horizontal 100% bars of each area's funding by source type.

    Parameters
    ----------
    mix : long form with ``area`` (name), ``source_type``, ``share`` (0-1).
    order : area names, top to bottom.

    Examples
    --------
    >>> m = pd.DataFrame({"area": ["A", "A", "B"], "source_type": ["business", "foundation", "business"],
    ...                   "share": [0.25, 0.75, 1.0]})
    >>> source_mix_bars(m, ["B", "A"]).to_dict()["encoding"]["y"]["sort"]
    ['B', 'A']
    """
    data = mix[["area", "source_type", "share"]].copy()
    data["order"] = data["source_type"].map({s: k for k, s in enumerate(SOURCE_TYPES)})
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("area:N", title=None, sort=list(order)),
            x=alt.X("sum(share):Q", title="Share of the area's funding", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("source_type:N", title="Source type", scale=_SOURCE_SCALE,
                            legend=alt.Legend(orient="top", columns=3)),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("area:N", title="Area"), alt.Tooltip("source_type:N", title="Source"),
                     alt.Tooltip("share:Q", title="Share", format=".1%")],
        )
        .properties(height=max(120, 16 * data["area"].nunique()))
    )


def funder_bars(funders: pd.DataFrame, top: int = 15) -> alt.Chart:
    """Bars of the share of weekly programme places each funder underwrites, largest first.

    Parameters
    ----------
    funders : :func:`core.funding.by_funder` (``funder``, ``capacity_share``, ``capacity_underwritten``,
        ``n_programs``, ``n_programs_majority``).
    top : how many funders to draw.

    Examples
    --------
    >>> f = pd.DataFrame({"funder": ["X", "Y"], "capacity_share": [0.6, 0.4], "capacity_underwritten": [6.0, 4.0],
    ...                   "n_programs": [2, 1], "n_programs_majority": [1, 1]})
    >>> funder_bars(f).to_dict()["encoding"]["y"]["sort"]
    ['X', 'Y']
    """
    data = funders.sort_values("capacity_share", ascending=False).head(top)
    data = data[["funder", "capacity_share", "capacity_underwritten", "n_programs", "n_programs_majority"]]
    return (
        alt.Chart(data)
        .mark_bar(color=CATEGORICAL[0])
        .encode(
            y=alt.Y("funder:N", title=None, sort=data["funder"].tolist(), axis=alt.Axis(labelLimit=260)),
            x=alt.X("capacity_share:Q", title="Share of weekly places", axis=alt.Axis(format="%")),
            tooltip=[alt.Tooltip("funder:N", title="Funder"),
                     alt.Tooltip("capacity_share:Q", title="Share of places", format=".1%"),
                     alt.Tooltip("capacity_underwritten:Q", title="Weekly places", format=",.0f"),
                     alt.Tooltip("n_programs:Q", title="Programmes funded"),
                     alt.Tooltip("n_programs_majority:Q", title="Programmes it funds over half of")],
        )
        .properties(height=max(120, 22 * len(data)))
    )


def trend_chart(trends: pd.DataFrame, width: int = 230) -> alt.Chart:
    """Small multiples of quarterly figures, two to a row, each measure on its own scale.

    Parameters
    ----------
    trends : long form with ``period``, ``measure``, ``value`` (NaN where the figure is suppressed, so the
        line breaks there) and ``text`` (the published value, shown in the tooltip: "<11" where suppressed).

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["2026Q1", "2026Q2"], "measure": ["Participants"] * 2,
    ...                   "value": [40.0, None], "text": ["40", "<11"]})
    >>> trend_chart(t).to_dict()["facet"]["field"]
    'measure'
    """
    data = trends[["period", "measure", "value", "text"]].copy()
    measures = list(dict.fromkeys(data["measure"]))
    base = alt.Chart(data).encode(
        x=alt.X("period:O", title="Quarter", sort=sorted(data["period"].unique()), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=None),
        tooltip=[alt.Tooltip("period:O", title="Quarter"), alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("text:N", title="Value")],
    )
    layered = base.mark_line(color=CATEGORICAL[0]) + base.mark_point(color=CATEGORICAL[0], filled=True, size=50)
    return (layered.properties(height=120, width=width)
            .facet(facet=alt.Facet("measure:N", title=None, sort=measures, header=alt.Header(labelFontSize=13)),
                   columns=2)
            .resolve_scale(y="independent"))


def outcome_trend_chart(trends: pd.DataFrame, measure: str) -> alt.Chart:
    """Mean pre/post change per quarter with its 95% interval as a band; quarters with n < 11 are left out.

    Parameters
    ----------
    trends : ``period``, ``outcome_mean``, ``outcome_lo``, ``outcome_hi``, ``n_text``.
    measure : the scale's name, for the title.

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["2026Q1"], "outcome_mean": [2.0], "outcome_lo": [1.0],
    ...                   "outcome_hi": [3.0], "n_text": ["40"]})
    >>> len(outcome_trend_chart(t, "SWEMWBS").to_dict()["layer"])
    2
    """
    data = trends[["period", "outcome_mean", "outcome_lo", "outcome_hi", "n_text"]].copy()
    periods = sorted(data["period"].unique())
    base = alt.Chart(data, title=f"Mean change on {measure} (95% interval)").encode(
        x=alt.X("period:O", title="Quarter", sort=periods, axis=alt.Axis(labelAngle=0)))
    tips = [alt.Tooltip("period:O", title="Quarter"), alt.Tooltip("outcome_mean:Q", title="Mean change", format=".2f"),
            alt.Tooltip("outcome_lo:Q", title="95% CI low", format=".2f"),
            alt.Tooltip("outcome_hi:Q", title="95% CI high", format=".2f"), alt.Tooltip("n_text:N", title="n")]
    band = base.mark_area(opacity=0.3, color=CATEGORICAL[4]).encode(
        y=alt.Y("outcome_lo:Q", title="Mean change"), y2="outcome_hi:Q")
    line = base.mark_line(point=True, color=CATEGORICAL[0]).encode(y="outcome_mean:Q", tooltip=tips)
    return alt.layer(band, line).properties(height=240)


def outcome_chart(outcomes: pd.DataFrame, width: int = 420) -> alt.Chart:
    """Each programme's mean pre/post change with its 95% interval (rule), one panel per scale.

    Parameters
    ----------
    outcomes : ``programme``, ``measure``, ``mean``, ``lo``, ``hi``, ``n`` (only rows that may be shown).

    Examples
    --------
    >>> o = pd.DataFrame({"programme": ["P"], "measure": ["SWEMWBS"], "mean": [2.0], "lo": [1.0], "hi": [3.0],
    ...                   "n": [40]})
    >>> outcome_chart(o).to_dict()["facet"]["row"]["field"]
    'measure'
    """
    data = outcomes[["programme", "measure", "mean", "lo", "hi", "n"]].copy()
    tips = [alt.Tooltip("programme:N", title="Programme"), alt.Tooltip("measure:N", title="Scale"),
            alt.Tooltip("mean:Q", title="Mean change", format=".2f"),
            alt.Tooltip("lo:Q", title="95% CI low", format=".2f"),
            alt.Tooltip("hi:Q", title="95% CI high", format=".2f"),
            alt.Tooltip("n:Q", title="n")]
    base = alt.Chart(data).encode(y=alt.Y("programme:N", title=None, axis=alt.Axis(labelLimit=260),
                                          sort=alt.EncodingSortField("mean", order="descending")))
    rule = base.mark_rule(color=CATEGORICAL[4], strokeWidth=2).encode(x=alt.X("lo:Q", title="Mean change"),
                                                                       x2="hi:Q", tooltip=tips)
    dot = base.mark_point(filled=True, color=CATEGORICAL[0], size=45).encode(x="mean:Q", tooltip=tips)
    zero = base.mark_rule(color="#777777", strokeDash=[4, 3]).encode(x=alt.datum(0), y=alt.value(0),
                                                                       y2=alt.value("height"))
    per = max(1, data.groupby("measure")["programme"].nunique().max() if len(data) else 1)
    return (alt.layer(rule, dot, zero, data=data).properties(width=width, height=18 * per)
            .facet(row=alt.Row("measure:N", title=None, header=alt.Header(labelAngle=0, labelOrient="top",
                                                                          labelAnchor="start", labelFontSize=13,
                                                                          labelFontWeight="bold")))
            .resolve_scale(y="independent", x="independent"))
