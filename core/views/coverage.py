"""What the Coverage page shows: its parameters from the URL, map, legend, tables and downloads."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pydeck as pdk

from core.analysis.coverage import (
    DECAYS_LABELS,
    PLACE_BASED_TYPES,
    PROGRAM_TYPES,
    TYPE_LABELS,
    CoverageModel,
    CoverageParams,
    CoverageResult,
    serving_programs,
)
from core.base.formatting import number, percent
from core.base.palettes import CATEGORICAL, NO_DATA, SITE_COLORS
from core.store import queries
from core.views import maps, url_state

PROGRAM_COLOR = CATEGORICAL[1]


def params_from_query(query: dict, languages: list[str]) -> CoverageParams:
    """Coverage choices from URL query parameters; every value is checked against an allow-list or clamped."""
    decay = url_state.choice(query, "decay", DECAYS_LABELS, "step")
    lang = url_state.choice(query, "lang", ["any"] + list(languages), "any")
    return CoverageParams(
        d0=url_state.number(query, "d0", 5, 60, 30),
        decay=decay,
        types=url_state.choices(query, "types", PROGRAM_TYPES, PLACE_BASED_TYPES),
        language=None if lang == "any" else lang,
        evening_or_weekend=url_state.flag(query, "eve"),
        free_only=url_state.flag(query, "free"),
    )


def params_to_query(p: CoverageParams) -> dict[str, str]:
    return {"d0": f"{p.d0:g}", "decay": p.decay, "types": ",".join(p.types), "lang": p.language or "any",
            "eve": "1" if p.evening_or_weekend else "0", "free": "1" if p.free_only else "0"}


def params_from_state(state) -> CoverageParams:
    """Coverage choices from the filter widgets' state (keys d0, decay, types, lang, eve, free; see :func:`draw_filters`).

    Examples
    --------
    >>> params_from_state({"d0": 45, "decay": "none", "types": [], "lang": "pl", "eve": True, "free": False}).types
    ('peer_support', 'workshop', 'community_event', 'support_group', 'drop_in')
    """
    return CoverageParams(d0=float(state["d0"]), decay=state["decay"], types=tuple(state["types"]) or PLACE_BASED_TYPES,
                          language=None if state["lang"] == "any" else state["lang"],
                          evening_or_weekend=bool(state["eve"]), free_only=bool(state["free"]))


def draw_filters(ui, params: CoverageParams, languages: list[str], on_change) -> None:
    """Draw the coverage filters the Coverage and Underserved pages share into ``ui`` (``st`` inside a sidebar).

    The widget keys are those :func:`params_from_state` reads. ``ui`` is handed in, so core never imports
    Streamlit; both pages draw the same widgets with the same keys, so one link opens both the same way.
    """
    ui.slider("Catchment (minutes' walk)", 5, 60, int(params.d0), 5, key="d0", on_change=on_change,
              help="Straight-line distance × 1.3 at 4.8 km/h. Pairs up to and including this time count.")
    ui.selectbox("Distance decay", list(DECAYS_LABELS), list(DECAYS_LABELS).index(params.decay),
                 format_func=DECAYS_LABELS.get, key="decay", on_change=on_change)
    ui.multiselect("Programme types", PROGRAM_TYPES, list(params.types), format_func=TYPE_LABELS.get, key="types",
                   on_change=on_change,
                   help="Helplines are answered by phone, so they are left out of walking coverage by default.")
    ui.selectbox("Language offered", ["any"] + languages, (["any"] + languages).index(params.language or "any"),
                 key="lang", on_change=on_change)
    ui.toggle("Evening or weekend sessions only", params.evening_or_weekend, key="eve", on_change=on_change)
    ui.toggle("Free programmes only", params.free_only, key="free", on_change=on_change)


def languages_offered(model: CoverageModel) -> list[str]:
    langs = sorted({x for ls in model.programs["languages"].str.split(";") for x in ls if x})
    return langs


def headline(result: CoverageResult) -> tuple[str, str]:
    r = result.reach.iloc[0]
    return percent(r["share"] * 100), (f"{number(r['in_reach'])} of {number(r['residents'])} residents live within the "
                                       "catchment of at least one counted programme.")


def area_table(result: CoverageResult) -> pd.DataFrame:
    """The map's numbers, for readers who cannot use the map and for download."""
    a = result.areas
    return pd.DataFrame({
        "area_id": a["area_id"], "Area": a["name"], "Residents": a["population"].round(0),
        "Weekly places per 1,000": a["coverage_per_1000"].round(2), "Rank (1 = best covered)": a["coverage_rank"],
        "Share in reach (%)": (a["reach_share"] * 100).round(1),
        "Residents out of reach": a["residents_out_of_reach"].round(0),
        "Programmes located here": a["programmes"], "Weekly places located here": a["weekly_places"].round(0),
    })


def reach_table(result: CoverageResult) -> pd.DataFrame:
    r = result.reach
    return pd.DataFrame({"Group": r["group"], "Residents": r["residents"].round(0),
                         "Within reach": r["in_reach"].round(0), "Share (%)": (r["share"] * 100).round(1)})


def coverage_map(areas_geo: pd.DataFrame, result: CoverageResult, sites: pd.DataFrame | None,
                 selected: int | None) -> tuple[pdk.Deck, str]:
    vals = result.areas["coverage_per_1000"].to_numpy()
    classes = maps.classify(vals, k=5, fmt="{:,.2f}")
    colors = [classes.colors[i] if i >= 0 else NO_DATA for i in classes.index]
    a = result.areas
    props = pd.DataFrame({
        "name": a["name"],
        "label": [f"{number(v, 2)} weekly places per 1,000 residents (rank {number(r)})"
                  for v, r in zip(a["coverage_per_1000"], a["coverage_rank"])],
        "detail": [f"{percent(s * 100)} of residents within reach" for s in a["reach_share"]],
    })
    layers = [maps.area_layer(maps.area_features(areas_geo, colors, props, {selected} if selected else set()))]
    if sites is not None and len(sites):
        for kind, color in SITE_COLORS.items():
            pts = sites.loc[sites["kind"] == kind, ["name", "kind", "lon", "lat"]].rename(
                columns={"kind": "label"}).assign(detail="Professional service site")
            if len(pts):
                layers.append(maps.points_layer(pts, f"sites-{kind}", color, radius=70))
    p = result.programs
    if len(p):
        pts = pd.DataFrame({
            "name": p["name"], "lon": p["lon"], "lat": p["lat"],
            "label": [f"{TYPE_LABELS.get(t, t)} at {v if isinstance(v, str) else (l or '')}"
                      for t, v, l in zip(p["type"], p["venue_name"], p["location_name"])],
            "detail": [f"Languages: {ls.replace(';', ', ')} · {h or ''} · {number(c)} places/week"
                       for ls, h, c in zip(p["languages"], p["hours"], p["weekly_capacity"])],
            "radius": np.sqrt(p["weekly_capacity"].to_numpy(dtype=float)) * 25,
        })
        layers.append(maps.points_layer(pts, "programmes", PROGRAM_COLOR, radius="radius"))
    deck = maps.deck(layers, areas_geo, "<b>{name}</b><br/>{label}<br/>{detail}")
    legend = maps.legend_html(maps.legend_items(classes), "Weekly programme places per 1,000 residents (E2SFCA)")
    legend += maps.legend_html([(PROGRAM_COLOR, "community programme (size = weekly places)")]
                               + ([(c, k) for k, c in SITE_COLORS.items()] if sites is not None else []), "Points")
    return deck, legend


def area_detail(model: CoverageModel, params: CoverageParams, result: CoverageResult, area_id: int) -> dict:
    row = result.areas.loc[result.areas["area_id"] == area_id].iloc[0]
    progs = serving_programs(model, params, area_id)
    table = pd.DataFrame({"Programme": progs["name"], "Type": progs["type"].map(TYPE_LABELS),
                          "Located in": progs["area_name"], "Walk (min)": progs["minutes"].round(0),
                          "Weekly places": progs["weekly_capacity"], "Languages": progs["languages"]})
    return {"name": row["name"], "value": f"{number(row['coverage_per_1000'], 2)} weekly places per 1,000",
            "rank": f"{number(row['coverage_rank'])} of {len(result.areas)}",
            "reach": percent(row["reach_share"] * 100), "programmes": table}


def geojson_bytes(areas_geo: pd.DataFrame, table: pd.DataFrame) -> bytes:
    feats = []
    for geom, (_, row) in zip(areas_geo["geometry_simplified"], table.iterrows()):
        props = {k: (None if isinstance(v, float) and np.isnan(v) else (v.item() if hasattr(v, "item") else v))
                 for k, v in row.items()}
        feats.append({"type": "Feature", "geometry": json.loads(geom), "properties": props})
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode("utf-8")


def service_sites(con) -> pd.DataFrame:
    return queries.service_sites(con)
