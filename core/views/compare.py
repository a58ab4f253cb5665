"""What the Compare page shows: chosen areas side by side against the city on every indicator, and their peers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from core.analysis import funding
from core.analysis.coverage import CoverageParams, build_model, compute
from core.analysis.need import need_for
from core.analysis.similarity import most_similar
from core.base.formatting import money, number
from core.base.palettes import CATEGORICAL, DIVERGING
from core.base.percentile import percentile_rank
from core.ingest.indicator_catalog import NEED_INDEX_IDS
from core.store import queries
from core.views import charts, url_state

MAX_AREAS = 4
DOMAINS = ("need", "vulnerability", "barrier", "coverage", "funding", "demographic")
DOMAIN_TITLES = {
    "need": "Mental-health need",
    "vulnerability": "Social vulnerability",
    "barrier": "Barriers to access",
    "coverage": "Coverage by community programmes",
    "funding": "Programmes and their funding",
    "demographic": "Who lives here",
}

# Peers are found on need and on who lives there. The age bands are left out: with share_65plus also in,
# they would count old age twice.
SIMILARITY_IDS = NEED_INDEX_IDS + ["share_65plus", "non_english_home", "race_white", "race_hisp", "race_black",
                                   "race_asian", "race_other"]

# Indicators the atlas derives itself (not in indicator_def): coverage under the default parameters and the
# funding roll-up of the programmes based in each area.
_DERIVED = [
    # id, domain, label, unit, higher_is, digits, definition
    ("coverage_per_1000", "coverage", "Weekly programme places per 1,000 residents", "places per 1,000", "better", 2,
     "E2SFCA accessibility (Luo & Qi 2009): each programme's weekly places shared among the residents within a "
     "30-minute walk, step distance decay, place-based programme types; population-weighted mean of the tracts."),
    ("reach_share", "coverage", "Residents within reach of a programme", "% of residents", "better", 1,
     "Share of residents whose tract centroid is within a 30-minute walk of at least one place-based programme."),
    ("n_programs", "funding", "Programmes based here", "programmes", "better", 0,
     "Programmes active on the as-of date whose venue is in the area (all types, helplines included)."),
    ("weekly_places", "funding", "Weekly places offered here", "places a week", "better", 0,
     "Sum of the weekly capacity of the programmes based in the area."),
    ("annual_budget", "funding", "Annual budget of programmes based here", "US dollars a year", "better", 0,
     "Each programme's declared budget, or else the yearly rate of its grants running on the as-of date "
     "(recurring grants counted as continuing), summed over the area's programmes."),
    ("n_at_risk", "funding", "Programmes with 12 months' runway or less", "programmes", "worse", 0,
     "Programmes whose committed funding falls below half their annual budget within 12 months."),
]
DERIVED_IDS = [d[0] for d in _DERIVED]
_DIGITS = {d[0]: d[5] for d in _DERIVED}


def area_ids_from_query(query: dict, valid_ids, default=()) -> tuple[str, ...]:
    """The chosen areas from ``?areas=25,68`` (text ids, order kept, at most four, unknown ids dropped).

    An empty or wholly invalid value falls back to ``default`` (the page passes the two areas of highest need),
    or else the first two valid areas.

    Examples
    --------
    >>> area_ids_from_query({"areas": "25,68,999"}, range(1, 78))
    ('25', '68')
    >>> area_ids_from_query({}, ["BK01", "BK02", "QN01"], default=["QN01", "BK01"])
    ('QN01', 'BK01')
    """
    valid = [str(a) for a in valid_ids]
    picked = url_state.ids(query, "areas", valid, MAX_AREAS)
    if picked:
        return picked
    fallback = tuple(str(a) for a in default if str(a) in valid)
    return fallback or tuple(valid[:2])


def highest_need(need: pd.DataFrame, k: int = 2) -> tuple[str, ...]:
    """The ``k`` areas with the highest overall need index (``need`` from :func:`need_table`): Compare's default."""
    return tuple(str(a) for a in need["need_index"].sort_values(ascending=False, kind="stable").index[:k])


def area_ids_to_query(area_ids) -> dict[str, str]:
    return {"areas": ",".join(str(a) for a in area_ids)}


def area_colours(area_ids) -> dict[str, str]:
    """One Okabe–Ito colour per chosen area, in the order chosen, shared by the bars and the maps."""
    return {str(a): CATEGORICAL[k % len(CATEGORICAL)] for k, a in enumerate(area_ids)}


def _source_text(publisher, years) -> str:
    if isinstance(publisher, str) and publisher:
        return f"{publisher}, {years}" if isinstance(years, str) and years else publisher
    return ""


def indicator_long(con) -> pd.DataFrame:
    """Every area × every indicator the page compares, with each value's percentile and the city median.

    The indicators are those of ``indicator_def`` in their latest period, plus coverage (E2SFCA with the
    default parameters, and reach) and the funding roll-up of the programmes based in each area
    (``core.analysis.funding``). Percentiles follow DESIGN §3 (``core.base.percentile.percentile_rank`` over the areas
    with a value; ties at the lowest rank); the city median is the median over those same areas.

    Returns
    -------
    DataFrame
        One row per (indicator, area): domain, indicator_id, label, unit, higher_is, digits, definition,
        source, period, order, area_id, area, value, moe, moe_level, unstable, percentile (0–100),
        city_median, and their display text: value_text, median_text, percentile_text (formatted here, once per
        database, rather than for each new choice of areas).
    """
    info = queries.build_info(con)
    areas = queries.areas(con)[["area_id", "name"]]
    defs = queries.indicator_defs(con)
    ind = queries.latest_indicators(con)
    d = defs.set_index("indicator_id")
    long = ind.merge(areas, on="area_id")
    long = long.assign(
        domain=long["indicator_id"].map(d["domain"]), label=long["indicator_id"].map(d["label"]),
        unit=long["indicator_id"].map(d["unit"]), higher_is=long["indicator_id"].map(d["higher_is"]),
        definition=long["indicator_id"].map(d["definition"]),
        moe_level=long["indicator_id"].map(d["moe_level"]),
        source=long["indicator_id"].map(
            {i: _source_text(p, y) for i, p, y in zip(defs["indicator_id"], defs["publisher"], defs["source_years"])}),
        order=long["indicator_id"].map(d["sort_order"]).astype(float),
        digits=1,
    )

    cov = compute(build_model(con), CoverageParams()).areas.set_index("area_id")
    as_of = info.get("as_of")
    progs = queries.programs(con)
    active = (pd.to_datetime(progs["start_date"]) <= pd.Timestamp(as_of)) & (
        progs["end_date"].isna() | (pd.to_datetime(progs["end_date"]) >= pd.Timestamp(as_of)))
    progs = progs.loc[active].reset_index(drop=True)
    fund = funding.by_area(funding.program_metrics(progs, queries.funding(con), as_of), progs).set_index("area_id")
    derived_values = {
        "coverage_per_1000": cov["coverage_per_1000"],
        "reach_share": cov["reach_share"] * 100,
        "n_programs": fund["n_programs"],
        "weekly_places": fund["weekly_capacity"],
        "annual_budget": fund["annual_budget"],
        "n_at_risk": fund["n_at_risk"],
    }
    inventory = info.get("inventory_kind", "inventory")
    rows = []
    for k, (iid, domain, label, unit, higher_is, digits, definition) in enumerate(_DERIVED):
        # An area with no programme based in it has none, no budget and none at risk: zero, not unknown.
        values = derived_values[iid].reindex(areas["area_id"])
        if domain == "funding":
            values = values.fillna(0.0)
        rows.append(pd.DataFrame({
            "area_id": areas["area_id"].to_numpy(), "name": areas["name"].to_numpy(),
            "indicator_id": iid, "period": f"as of {as_of}", "value": values.to_numpy(dtype=float),
            "moe": np.nan, "unstable": False, "ci_low": np.nan, "ci_high": np.nan, "flag": None, "domain": domain, "label": label, "unit": unit,
            "higher_is": higher_is, "definition": definition, "moe_level": None,
            "source": f"Atlas calculation on the programme inventory ({inventory})",
            "order": 1000.0 + k, "digits": digits}))
    long = pd.concat([long.drop(columns=["numerator", "denominator", "source_id"], errors="ignore"), *rows],
                     ignore_index=True)
    # Every area gets a row for every indicator, so an indicator missing for a chosen area shows as "–"
    # rather than vanishing from the comparison.
    meta_cols = ["indicator_id", "domain", "label", "unit", "higher_is", "definition", "moe_level", "source",
                 "order", "digits", "period"]
    meta = long.drop_duplicates("indicator_id")[meta_cols]
    grid = meta.merge(areas.rename(columns={"name": "area"}), how="cross")
    long = grid.merge(long[["indicator_id", "area_id", "value", "moe", "unstable", "ci_low", "ci_high", "flag"]],
                      on=["indicator_id", "area_id"], how="left")
    long["unstable"] = long["unstable"].fillna(False).astype(bool)
    long["digits"] = long["digits"].astype(int)
    long["percentile"] = long.groupby("indicator_id")["value"].transform(lambda s: percentile_rank(s) * 100)
    long["city_median"] = long.groupby("indicator_id")["value"].transform("median")
    dom_order = {dname: k for k, dname in enumerate(DOMAINS)}
    long["domain_order"] = long["domain"].map(dom_order).fillna(len(DOMAINS))
    long = long.sort_values(["domain_order", "order", "area_id"], kind="stable").drop(columns="domain_order")
    cols = ["domain", "indicator_id", "label", "unit", "higher_is", "digits", "definition", "source", "period",
            "order", "area_id", "area", "value", "moe", "moe_level", "unstable", "percentile", "city_median",
            "ci_low", "ci_high", "flag"]
    return _with_text(long[cols].reset_index(drop=True))


def comp_n_areas(comp: pd.DataFrame) -> int:
    """How many areas the percentiles rank among (kept on the comparison rows by :func:`comparison`)."""
    return int(comp["n_areas"].iloc[0]) if "n_areas" in comp.columns and len(comp) else 0


def comparison(long: pd.DataFrame, area_ids) -> pd.DataFrame:
    """The rows of :func:`indicator_long` for the chosen areas, in the order chosen."""
    ids = [str(a) for a in area_ids]
    out = long.loc[long["area_id"].isin(ids)].copy()
    out["n_areas"] = long["area_id"].nunique()
    out["pick"] = out["area_id"].map({a: k for k, a in enumerate(ids)})
    dom_order = {d: k for k, d in enumerate(DOMAINS)}
    out["_d"] = out["domain"].map(dom_order)
    return out.sort_values(["_d", "order", "pick"], kind="stable").drop(columns="_d").reset_index(drop=True)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA


def format_value(value, indicator_id: str, digits: int, moe=None, unstable: bool = False, ci_low=None,
                 ci_high=None, flag=None) -> str:
    """'87.9', '12.3 ± 4.1', '569.2 (95% CI 525.1–613.3)', '5.0 (unstable)', '3.4 (caution)', '$12,345',
    'suppressed' (the publisher's mark, shown as the publisher shows it) or '–'.

    >>> format_value(5.0, "suicide_rate", 1, unstable=True), format_value(12.34, "bh", 1, moe=4.06)
    ('5.0 (unstable)', '12.3 ± 4.1')
    >>> format_value(569.22, "psych_hosp", 1, ci_low=525.1, ci_high=613.3, flag="caution")
    '569.2 (95% CI 525.1–613.3) (caution)'
    >>> format_value(None, "uninsured", 1, flag="suppressed")
    'suppressed'
    """
    if _missing(value):
        return "suppressed" if flag == "suppressed" else "–"
    text = money(value) if indicator_id == "annual_budget" else number(value, digits)
    if not _missing(moe):
        text += f" ± {number(moe, digits)}"
    elif not _missing(ci_low) and not _missing(ci_high):
        text += f" (95% CI {number(ci_low, digits)}–{number(ci_high, digits)})"
    if unstable or flag == "unstable":
        text += " (unstable)"
    elif flag == "caution":
        text += " (caution)"
    return text


def ordinal(p) -> str:
    """A 0–100 percentile as '96th'; missing as '–'.

    >>> ordinal(96.0), ordinal(1.2), ordinal(12), ordinal(22.5), ordinal(float("nan"))
    ('96th', '1st', '12th', '23rd', '–')
    """
    if p is None or (isinstance(p, float) and np.isnan(p)):
        return "–"
    n = int(np.floor(float(p) + 0.5))  # half up, as readers round, not Python's half-to-even
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _with_text(long: pd.DataFrame) -> pd.DataFrame:
    out = long.copy()
    out["value_text"] = [format_value(v, i, d, m, u, lo, hi, f) for v, i, d, m, u, lo, hi, f in
                         zip(out["value"], out["indicator_id"], out["digits"], out["moe"], out["unstable"],
                             out["ci_low"], out["ci_high"], out["flag"])]
    out["median_text"] = [format_value(v, i, d) for v, i, d in zip(out["city_median"], out["indicator_id"],
                                                                   out["digits"])]
    out["percentile_text"] = out["percentile"].map(ordinal)
    return out


def domain_table(comp: pd.DataFrame, domain: str) -> pd.DataFrame:
    """The chart's numbers side by side: one row per indicator, the city median, each area's value and percentile.

    Values carry their margin of error (where the source gives one) and the 'unstable' flag.
    """
    c = comp.loc[comp["domain"] == domain]
    if c.empty:
        return pd.DataFrame()
    # Plain lists: this runs six times per new choice of areas, and pandas' per-call overhead dominated it.
    iids, picks, areas = c["indicator_id"].tolist(), c["pick"].tolist(), c["area"].tolist()
    first = ~c["indicator_id"].duplicated()
    base = c.loc[first]
    out = pd.DataFrame({"Indicator": base["label"].to_numpy(), "Unit": base["unit"].to_numpy(),
                        "City median": base["median_text"].to_numpy()})
    cells: dict[str, dict[str, str]] = {}
    for area, iid, v, p in zip(areas, iids, c["value_text"].tolist(), c["percentile_text"].tolist()):
        cells.setdefault(area, {})[iid] = v if p == "–" else f"{v} · {p}"
    # One column per area, "value · percentile", so four areas still fit beside each other on a laptop.
    for area in sorted(cells, key=lambda a: picks[areas.index(a)]):
        out[area] = [cells[area].get(iid, "–") for iid in base["indicator_id"].tolist()]
    return out


def definitions_table(comp: pd.DataFrame, domain: str) -> pd.DataFrame:
    """Help for a domain: each indicator's definition, period, source and the kind of margin of error given."""
    c = comp.loc[comp["domain"] == domain].drop_duplicates("indicator_id")
    return pd.DataFrame({"Indicator": c["label"], "Definition": c["definition"], "Period": c["period"],
                         "Source": c["source"], "Direction": c["higher_is"].map(
                             {"worse": "higher is worse", "better": "higher is better"}).fillna("descriptive"),
                         "Uncertainty": c["moe_level"].fillna("")}).reset_index(drop=True)


def definitions(con) -> dict[str, pd.DataFrame]:
    """:func:`definitions_table` of every domain: the same whichever areas are chosen, so cached once."""
    long = indicator_long(con)
    return {domain: definitions_table(long, domain) for domain in DOMAINS}


def percentile_chart(comp: pd.DataFrame, domain: str, colours: dict[int, str]) -> dict:
    """Bars from the city median (the 50th percentile) to each area's percentile, one group per indicator.

    A bar to the right means the area's value is higher than most areas'; the tooltip says whether higher is
    worse or better, gives the value with its margin of error and flags unstable rates. Returned as a Vega-Lite
    spec written out as a plain dict, as altair would compile it: the page draws six of these for every new
    choice of areas, and altair spends about 150 ms of pure Python building and compiling each one.
    """
    c = comp.loc[comp["domain"] == domain]
    c = c.assign(base=50.0, direction=c["higher_is"].map({"worse": "higher is worse", "better": "higher is better"})
                 .fillna("descriptive"))
    c = c[["label", "area", "area_id", "percentile", "base", "value_text", "median_text", "percentile_text", "unit",
           "direction", "source", "order", "pick"]]
    ids = list(dict.fromkeys(comp.sort_values("pick")["area_id"].tolist()))
    names = [comp.loc[comp["area_id"] == a, "area"].iloc[0] for a in ids]
    labels = c.drop_duplicates("label").sort_values("order")["label"].tolist()
    colour = {"field": "area", "type": "nominal", "title": "Area", "sort": names, "legend": {"orient": "top"},
              "scale": {"domain": names, "range": [colours[a] for a in ids]}}
    tooltip = [{"field": f, "type": "nominal", "title": t} for f, t in [
        ("area", "Area"), ("label", "Indicator"), ("value_text", "Value"), ("unit", "Unit"),
        ("percentile_text", "Percentile"), ("median_text", "City median"), ("direction", "Direction"),
        ("source", "Source")]]
    enc = {
        "x": {"field": "percentile", "type": "quantitative", "title": f"Percentile among the {comp_n_areas(comp)} areas (city median = 50)",
              "scale": {"domain": [0, 100]}, "axis": {"values": list(range(0, 101, 10))}},
        # A fixed label width and fixed ticks line the domains' charts up under each other.
        "y": {"field": "label", "type": "nominal", "title": None, "sort": labels,
              "axis": {"labelLimit": 250, "minExtent": 250}},
        "yOffset": {"field": "area", "type": "nominal", "sort": names}, "color": colour, "tooltip": tooltip}
    return {
        "$schema": charts.SCHEMA,
        "data": {"values": charts.records(c)},
        "layer": [
            {"mark": {"type": "bar", "height": {"band": 0.9}}, "encoding": {**enc, "x2": {"field": "base"}}},
            # A dot at each bar's end keeps an area that sits right on the median visible.
            {"mark": {"type": "point", "filled": True, "size": 28, "opacity": 1}, "encoding": enc},
            {"data": {"values": [{"x": 50.0}]}, "mark": {"type": "rule", "color": "#333", "strokeDash": [4, 3]},
             "encoding": {"x": {"field": "x", "type": "quantitative"}}},
        ],
        # No explicit height: Streamlit fits a set height around the legend and axes too, which squashes a chart
        # of a few rows; a step per bar keeps every domain's bars the same thickness whatever its number of rows.
        "height": {"step": 14}, "width": "container",
    }


def area_features(areas_geo: pd.DataFrame) -> list[dict]:
    return [{"type": "Feature", "geometry": json.loads(g), "properties": {"area_id": str(a), "name": str(n)}}
            for a, n, g in zip(areas_geo["area_id"], areas_geo["name"], areas_geo["geometry_simplified"])]


def locator_chart(areas_geo: pd.DataFrame, area_id: str, colour: str, height: int = 230) -> dict:
    """A small map of the city drawn from the area polygons, with one area filled in its series colour.

    A Vega-Lite spec written out as a plain dict, like :func:`percentile_chart`: altair deep-copies and
    re-validates all the polygons for each of the two to four maps a selection draws.
    """
    name = areas_geo.loc[areas_geo["area_id"] == str(area_id), "name"].iloc[0]
    return {
        "$schema": charts.SCHEMA,
        "data": {"values": area_features(areas_geo)},
        "transform": [{"calculate": f"datum.properties.area_id == {json.dumps(str(area_id))} ? 'chosen' : 'other'",
                       "as": "focus"}],
        "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.4},
        "encoding": {"color": {"field": "focus", "type": "nominal", "legend": None,
                               "scale": {"domain": ["chosen", "other"], "range": [colour, "#d9d9d9"]}},
                     "tooltip": [{"field": "properties.name", "type": "nominal", "title": "Area"}]},
        "projection": {"type": "mercator"}, "width": "container", "height": height,
        "title": {"text": str(name), "fontSize": 13},
    }


def chosen_table(areas_geo: pd.DataFrame, long: pd.DataFrame, area_ids, id_label: str = "Area id") -> pd.DataFrame:
    """The small maps' content as a table: which areas, where, how many residents, and their need percentile.

    ``id_label`` heads the id column in the pack's own words (e.g. "Community district id").
    """
    ids = [str(a) for a in area_ids]
    a = areas_geo.set_index("area_id").loc[ids]
    return pd.DataFrame({"Area": a["name"].to_numpy(), id_label: ids,
                         "Residents": a["population"].round(0).to_numpy(),
                         "Centre (lon, lat)": [f"{x:.4f}, {y:.4f}" for x, y in zip(a["lon"], a["lat"])]})


def need_table(con) -> pd.DataFrame:
    """Every area's overall need index (0–100 percentile), indexed by area_id: cache it once per database."""
    idx = need_for(con).index * 100
    areas = queries.areas(con).set_index("area_id")["name"]
    return pd.DataFrame({"area": areas, "need_index": idx.reindex(areas.index)})


def need_headlines(need: pd.DataFrame, area_ids) -> pd.DataFrame:
    """Each chosen area's overall need index, for the page's headline figures (``need`` from :func:`need_table`)."""
    ids = [str(a) for a in area_ids]
    chosen = need.reindex(ids)
    return pd.DataFrame({"area_id": ids, "area": chosen["area"].to_numpy(), "need_index": chosen["need_index"].to_numpy()})


def similarity_features(long: pd.DataFrame) -> pd.DataFrame:
    """Area × indicator values used to find peers: the need-index indicators and demographic shares."""
    f = long.loc[long["indicator_id"].isin(SIMILARITY_IDS)].pivot(index="area_id", columns="indicator_id",
                                                                 values="value")
    return f.reindex(columns=[i for i in SIMILARITY_IDS if i in f.columns])


def similar_areas(long: pd.DataFrame, area_id: str, k: int = 5) -> pd.DataFrame:
    """The k areas most like ``area_id`` (z-scored need indicators and demographics) and how their coverage differs.

    Returns
    -------
    DataFrame
        The area itself first (distance 0), then its peers nearest first: area_id, Area, Distance,
        coverage (weekly places per 1,000), coverage difference from the area, reach share (%) and its
        difference.
    """
    peers = most_similar(similarity_features(long), str(area_id), k)
    ids = [str(area_id)] + peers["area_id"].astype(str).tolist()
    wide = long.loc[long["indicator_id"].isin(["coverage_per_1000", "reach_share"])].pivot(
        index="area_id", columns="indicator_id", values="value")
    names = long.drop_duplicates("area_id").set_index("area_id")["area"]
    cov = wide["coverage_per_1000"].reindex(ids).to_numpy()
    reach = wide["reach_share"].reindex(ids).to_numpy()
    return pd.DataFrame({
        "area_id": ids, "Area": names.reindex(ids).to_numpy(),
        "Distance": np.concatenate([[0.0], peers["distance"].to_numpy()]).round(3),
        "Weekly places per 1,000": cov.round(2),
        "Difference in places per 1,000": (cov - cov[0]).round(2),
        "Share in reach (%)": reach.round(1),
        "Difference in reach (points)": (reach - reach[0]).round(1),
    })


def similar_chart(sim: pd.DataFrame) -> dict:
    """Each peer's coverage minus the chosen area's: a diverging bar (purple more, orange less)."""
    first = sim["Area"].iloc[0]
    d = sim.iloc[1:].rename(columns={"Difference in places per 1,000": "diff", "Weekly places per 1,000": "cov"})
    d = d.assign(sign=np.where(d["diff"] >= 0, "more than " + first, "less than " + first))
    more, less = DIVERGING[5][4], DIVERGING[5][0]
    return charts.with_data({
        "mark": {"type": "bar"},
        "encoding": {
            "color": charts.field("sign", "nominal", None, legend={"orient": "top"},
                                  scale={"domain": ["more than " + first, "less than " + first], "range": [more, less]}),
            "tooltip": [charts.field("Area", "nominal"),
                        charts.field("cov", "quantitative", "Places per 1,000", format=",.2f"),
                        charts.field("diff", "quantitative", "Difference", format="+,.2f")],
            "x": charts.field("diff", "quantitative", f"Weekly places per 1,000 compared with {first}"),
            "y": charts.field("Area", "nominal", None, axis={"labelLimit": 200}, sort=None),
        },
        "height": {"step": 24}, "width": "container",
    }, d[["Area", "diff", "cov", "sign"]])


def download_frame(comp: pd.DataFrame) -> pd.DataFrame:
    """The comparison in long form with plain numbers, for the CSV download."""
    return pd.DataFrame({
        "domain": comp["domain"], "indicator_id": comp["indicator_id"], "indicator": comp["label"],
        "unit": comp["unit"], "period": comp["period"], "area_id": comp["area_id"], "area": comp["area"],
        "value": comp["value"], "margin_of_error": comp["moe"], "unstable": comp["unstable"],
        "percentile": comp["percentile"].round(1), "city_median": comp["city_median"], "source": comp["source"]})
