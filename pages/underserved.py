"""Underserved: where mental-health need is high and community-programme coverage is low, and why."""

from core.serve.cache import ensure_navigation

ensure_navigation()

from functools import partial

import streamlit as st

from core.analysis import coverage, need
from core.base.export import to_csv_bytes
from core.base.markup import inert
from core.serve.cache import model, rendered, view
from core.serve.page import header
from core.serve.tables import dataframe
from core.store import queries
from core.views import coverage as cv
from core.views import provenance
from core.views import underserved as uv

info = header("Underserved areas")
st.caption("Need for mental-health support set against the community-programme places within reach. "
           "Change the need-index weights and what coverage counts in the sidebar; the link keeps your choices.")

cov_model = model(coverage.build_model)()
languages = cv.languages_offered(cov_model)
query = st.query_params.to_dict()
params = cv.params_from_query(query, languages)
weights = uv.weights_from_query(query)


def columns(table, **extra):
    """Display formats for a table's numbers (from core), plus any page-specific column settings."""
    return {c: st.column_config.NumberColumn(format=f) for c, f in uv.number_formats(table).items()} | extra


def sync_url():
    st.query_params.update(uv.state_to_query(st.session_state))


with st.sidebar:
    st.header("Need-index weights")
    present = view(need.present_domains)()
    for (domain, key), value in zip(uv.WEIGHT_KEYS.items(), weights):
        st.slider(need.DOMAIN_LABELS[domain], uv.WEIGHT_MIN, uv.WEIGHT_MAX, value, uv.WEIGHT_STEP, key=key,
                  on_change=sync_url, disabled=domain not in present,
                  help="Relative weight of this domain in the need index; 0 leaves it out." if domain in present
                  else "The city's data has no indicator in this domain, so the index is built without it.")
    st.header("Coverage counted")
    cv.draw_filters(st, params, languages, sync_url)

ni = view(need.need_for)(uv.weights_in_force(weights))
result = coverage.compute(cov_model, params)
gap = uv.underserved(ni, result)
defs = view(queries.indicator_defs)()

label, value, help_text = uv.headline(gap)
st.metric(label, value, help=help_text)
st.caption(uv.weights_caption(weights, ni) + " " + uv.coverage_summary(params))

areas_geo = view(queries.areas)()
# A click on the map picks the area once; afterwards the selectbox (and the URL) say which area is shown.
clicked = uv.picked_area((st.session_state.get("gap_map") or {}).get("selection"))
if clicked is not None and clicked != st.session_state.get("gap_map_applied"):
    st.session_state.gap_map_applied = clicked
    st.session_state.area_pick = clicked
selected = st.session_state.get("area_pick", uv.area_from_query(query, gap.index)) or None
if selected:
    st.query_params["area"] = str(selected)
elif "area" in st.query_params:
    del st.query_params["area"]

left, right = st.columns([1, 1], gap="medium")
with left:
    st.subheader("Need against coverage", help=f"{uv.HELP['need']} {uv.sources_help(defs)}\n\n{uv.HELP['coverage']}"
                                                f"\n\n{uv.HELP['terciles']}")
    gap_map = rendered("underserved.map", (params, weights, selected),
                       lambda: uv.gap_map(areas_geo, gap, selected, width_px=400, height_px=480))
    st.pydeck_chart(gap_map, height=500, key="gap_map",
                    on_select="rerun", selection_mode="single-object")
    st.markdown(uv.legend_square_html(gap), unsafe_allow_html=True)
with right:
    st.subheader("Ranked by gap", help=uv.HELP["gap"])
    ranked = uv.gap_list(gap)
    dataframe(ranked, hide_index=True, width="stretch", height=620, key="gap_list",
                 column_config=columns(ranked, Rank=st.column_config.NumberColumn(width="small"),
                                       Gap=st.column_config.NumberColumn(format="%+.1f", width="small",
                                                                         help=uv.HELP["gap"]),
                                       **{"Need / coverage": st.column_config.TextColumn(help=uv.HELP["terciles"])}))

st.subheader("Priority areas", help=uv.HELP["priority"])
priority = uv.priority_areas(gap)
dataframe(priority, hide_index=True, width="stretch", key="priority_table", column_config=columns(priority))

st.subheader("Why this area ranks where it does")
area_ids = [0] + gap.index.tolist()
names = dict(zip(gap.index, gap["name"]))
choice = st.selectbox("Area (or click the map)", area_ids, area_ids.index(selected or 0),
                      format_func=lambda a: names.get(a, "—"), key="area_pick")
if choice:
    w = uv.why(ni, gap, choice)
    st.markdown(f"**{inert(w.name)}.** {w.summary}")
    st.markdown(f"**Need:** {w.need_sentence}")
    if w.flag_note:
        st.info(w.flag_note, icon=":material/info:")
    dataframe(w.domains, hide_index=True, width="stretch", key="why_domains", column_config=columns(w.domains))
    dataframe(w.indicators, hide_index=True, width="stretch", key="why_indicators",
                 column_config=columns(w.indicators))
else:
    st.caption("Pick an area, or click one on the map, to see which indicators drive its need and how its coverage "
               "compares.")

st.subheader("Need, coverage and gap by area", help=f"{uv.HELP['gap']} {uv.HELP['terciles']}")
table = uv.area_table(gap)
dataframe(table, hide_index=True, width="stretch", key="gap_table", column_config=columns(table, area_id=None))
st.download_button("Download table (CSV)", partial(to_csv_bytes, table),
                   "underserved_by_area.csv", "text/csv", on_click="ignore")
st.caption(provenance.vintage_line(info, defs["period"].tolist()))
