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


@dataclass
class Headline:
    label: str
    value: str
    help: str


def headlines(con) -> list[Headline]:
    info = queries.build_info(con)
    areas = queries.areas(con)
    tr = queries.tracts(con)
    ind = queries.latest_indicators(con, ["unmet_need"])
    progs = queries.programs(con)
    sites = queries.service_sites(con)
    defs = queries.indicator_defs(con).set_index("indicator_id")
    un = defs.loc["unmet_need"] if "unmet_need" in defs.index else None
    return [
        Headline("Residents", number(tr["population"].sum()),
                 f"Sum of census-tract populations ({len(tr)} tracts in {len(areas)} areas)."),
        Headline("Median unmet mental-health need", percent(ind["value"].median()),
                 (f"{inert(un['definition'])} Median over the {int(ind['value'].notna().sum())} areas with a "
                  f"published value; {inert(un['publisher'])}, {inert(un['period'])}.") if un is not None else ""),
        Headline("Community programmes", number(len(progs)),
                 f"Programmes in the inventory ({info.get('inventory_kind', '')}), "
                 f"{number(progs['weekly_capacity'].sum())} places a week."),
        Headline("Professional service sites", number(len(sites)),
                 "City mental-health clinics, community health centres and mental-health programme sites."),
    ]


def need_table(con) -> pd.DataFrame:
    """One row per area: the need indicators with their periods, and the count of programmes and services."""
    areas = queries.areas(con)[["area_id", "name", "population"]]
    ind = queries.latest_indicators(con, ["unmet_need", "loneliness", "suicide_rate"])
    wide = ind.pivot(index="area_id", columns="indicator_id", values="value")
    unstable = ind.loc[ind["indicator_id"] == "suicide_rate"].set_index("area_id")["unstable"]
    progs = queries.programs(con).groupby("area_id").size()
    sites = queries.service_sites(con).groupby("area_id").size()
    t = areas.set_index("area_id").join(wide)
    t["suicide_rate_unstable"] = unstable
    t["programmes"] = progs.reindex(t.index).fillna(0).astype(int)
    t["service_sites"] = sites.reindex(t.index).fillna(0).astype(int)
    return t.reset_index()


def need_map(con, show_sites: bool = True) -> tuple[pdk.Deck, str]:
    """Choropleth of unmet mental-health need, with the professional service sites as a layer."""
    areas = queries.areas(con)
    table = need_table(con)
    classes = maps.classify(table["unmet_need"], k=5, palette=NEED)
    colors = [classes.colors[i] if i >= 0 else "#d9d9d9" for i in classes.index]
    props = pd.DataFrame({
        "name": table["name"],
        "label": ["Unmet need: " + percent(v) for v in table["unmet_need"]],
        "detail": ["Loneliness: " + percent(v) for v in table["loneliness"]],
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
    legend = maps.legend_html(maps.legend_items(classes), "Unmet mental-health treatment need (% of adults in distress)")
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
