"""The Overview page's figures, map and table, computed from the database."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk

from core.analysis import coverage, need
from core.base.formatting import number, percent
from core.base.markup import inert
from core.base.palettes import NEED, SITE_COLORS
from core.store import queries
from core.views import maps
from core.views import underserved as underserved_view
from core.views.city import words


def _fmt(value, unit: str) -> str:
    """A value in its unit: percentages as '12.3%', anything else as '1,234.5 deaths per 100,000'."""
    if str(unit).startswith("%"):
        return percent(value)
    return "–" if pd.isna(value) else f"{number(value, 1)} {unit}".strip()


def headline_label(defs: pd.DataFrame, indicator_id: str) -> str:
    """The headline indicator's label, in lower case after its first letter (a page subheading)."""
    label = defs.set_index("indicator_id")["label"].get(indicator_id, indicator_id)
    return str(label)


def map_ids(con) -> list[str]:
    """The Overview's indicators: the pack's headline, then up to two more of its need-domain indicators."""
    head = words(queries.build_info(con)).headline
    defs = queries.indicator_defs(con)
    others = defs.loc[(defs["domain"] == "need") & defs["in_need_index"] & (defs["indicator_id"] != head),
                      "indicator_id"].tolist()
    return [head] + others[:2]


@dataclass
class Headline:
    label: str
    value: str
    help: str


def headlines(con) -> list[Headline]:
    info = queries.build_info(con)
    areas = queries.areas(con)
    tr = queries.tracts(con)
    head = words(info).headline
    ind = queries.latest_indicators(con, [head])
    progs = queries.programs(con)
    sites = queries.service_sites(con)
    defs = queries.indicator_defs(con).set_index("indicator_id")
    un = defs.loc[head] if head in defs.index else None
    label = un["label"] if un is not None else head
    return [
        Headline("Residents", number(tr["population"].sum()),
                 f"Sum of census-tract populations ({len(tr)} tracts in {len(areas)} {words(info).areas})."),
        # A percentage fits the metric as '76.2%'; any other unit goes in the help, so the figure is not cut off.
        Headline(f"Median: {label[:1].lower() + label[1:]}",
                 _fmt(ind["value"].median(), "%" if un is not None and str(un["unit"]).startswith("%") else ""),
                 (f"{inert(un['label'])}, {inert(un['unit'])}. {inert(un['definition'])} Median over the "
                  f"{int(ind['value'].notna().sum())} areas with a published value; "
                  f"{inert(un['publisher'])}, {inert(un['period'])}.") if un is not None else ""),
        Headline("Community programmes", number(len(progs)),
                 f"Programmes in the inventory ({info.get('inventory_kind', '')}), "
                 f"{number(progs['weekly_capacity'].sum())} places a week."),
        Headline("Professional service sites", number(len(sites)),
                 "Professional services in the city's pack: " + ", ".join(sorted(sites["kind"].unique())) + "."),
    ]


def need_table(con) -> pd.DataFrame:
    """One row per area: the need indicators with their periods, and the count of programmes and services."""
    areas = queries.areas(con)[["area_id", "name", "population"]]
    ids = map_ids(con)
    ind = queries.latest_indicators(con, ids)
    wide = ind.pivot(index="area_id", columns="indicator_id", values="value").reindex(columns=ids)
    progs = queries.programs(con).groupby("area_id").size()
    sites = queries.service_sites(con).groupby("area_id").size()
    t = areas.set_index("area_id").join(wide)
    for i in ids:
        flags = ind.loc[ind["indicator_id"] == i].set_index("area_id")["unstable"]
        if flags.any():  # rates on small counts are marked where they are shown
            t[f"{i}_unstable"] = flags
    t["programmes"] = progs.reindex(t.index).fillna(0).astype(int)
    t["service_sites"] = sites.reindex(t.index).fillna(0).astype(int)
    return t.reset_index()


def need_map(con, show_sites: bool = True) -> tuple[pdk.Deck, str]:
    """Choropleth of the pack's headline indicator, with the professional service sites as a layer."""
    areas = queries.areas(con)
    table = need_table(con)
    ids = map_ids(con)
    defs = queries.indicator_defs(con).set_index("indicator_id")
    head = ids[0]
    classes = maps.classify(table[head], k=5, palette=NEED)
    colors = [classes.colors[i] if i >= 0 else "#d9d9d9" for i in classes.index]
    second = ids[1] if len(ids) > 1 else None
    props = pd.DataFrame({
        "name": table["name"],
        "label": [f"{defs.loc[head, 'label']}: {_fmt(v, defs.loc[head, 'unit'])}" for v in table[head]],
        "detail": ([f"{defs.loc[second, 'label']}: {_fmt(v, defs.loc[second, 'unit'])}" for v in table[second]]
                   if second else ""),
    })
    layers = [maps.area_layer(maps.area_features(areas, colors, props))]
    if show_sites:
        sites = queries.service_sites(con)
        for kind, color in SITE_COLORS.items():
            pts = sites.loc[sites["kind"] == kind, ["name", "kind", "lon", "lat"]].rename(
                columns={"kind": "label"}).assign(detail="")
            if len(pts):
                layers.append(maps.points_layer(pts, f"sites-{kind}", color, radius=90))
    deck = maps.deck(layers, areas, "<b>{name}</b><br/>{label}<br/>{detail}")
    title = f"{defs.loc[head, 'label']} ({defs.loc[head, 'unit']})"
    legend = maps.legend_html(maps.legend_items(classes), title)
    site_legend = maps.legend_html([(c, k) for k, c in SITE_COLORS.items()], "Service sites") if show_sites else ""
    return deck, legend + site_legend


def need_coverage(con) -> pd.DataFrame:
    """Need against coverage with the default weights and coverage choices: what the Overview summarises.

    One row per area, ranked by gap (see ``core.views.underserved.underserved``). The Underserved page
    shows the same table with the reader's own weights and catchment.
    """
    result = coverage.compute(coverage.build_model(con), coverage.CoverageParams())
    return underserved_view.underserved(need.need_for(con), result)


def priority_sentence(gap: pd.DataFrame) -> str:
    """One sentence on the priority areas: how many, and how many people live there.

    Examples
    --------
    >>> g = pd.DataFrame({"priority": [True, False, True], "population": [1000.0, 500.0, 500.0]})
    >>> priority_sentence(g).split(", have")[0]
    '2 of 3 areas, home to 1,500 residents (75.0%)'
    """
    p = gap["priority"].to_numpy(dtype=bool)
    pop = gap["population"].to_numpy(dtype=float)
    residents, total = float(np.nansum(pop[p])), float(np.nansum(pop))
    return (f"{int(p.sum())} of {len(gap)} areas, home to {number(residents)} residents "
            f"({percent(residents / total * 100 if total else float('nan'))}), have need in the top third and "
            "community-programme coverage in the bottom third.")
