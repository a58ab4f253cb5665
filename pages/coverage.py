"""Coverage: where community programmes reach residents, with the catchment and filters in the user's hands."""

from core.serve.cache import ensure_navigation

ensure_navigation()

from functools import partial

import streamlit as st

from core.analysis import coverage
from core.base.export import to_csv_bytes
from core.base.markup import inert
from core.serve.cache import model, rendered, view
from core.serve.page import header
from core.serve.tables import dataframe
from core.store import queries
from core.views import coverage as cv

info = header("Coverage")

cov_model = model(coverage.build_model)()
languages = cv.languages_offered(cov_model)
params = cv.params_from_query(st.query_params.to_dict(), languages)


def sync_url():
    st.query_params.update(cv.params_to_query(cv.params_from_state(st.session_state)))


with st.sidebar:
    st.header("Filters")
    cv.draw_filters(st, params, languages, sync_url)
    show_sites = st.toggle("Show professional service sites", False, key="sites")

result = coverage.compute(cov_model, params)
value, help_text = cv.headline(result)
st.metric("Residents within reach of a programme", value, help=help_text)

areas_geo = view(queries.areas)()
table = cv.area_table(result)
area_ids = table["area_id"].tolist()
names = dict(zip(table["area_id"], table["Area"]))
selected = st.query_params.get("area")
selected = selected if selected in names else None

sites = view(queries.service_sites)() if show_sites else None
deck, legend = rendered("coverage.map", (params, show_sites, selected),
                        lambda: cv.coverage_map(areas_geo, result, sites, selected))
event = st.pydeck_chart(deck, height=540, key="coverage_map", on_select="rerun", selection_mode="single-object")
st.markdown(legend, unsafe_allow_html=True)

picked = (event.selection.get("objects", {}) or {}).get("areas") if event and event.selection else None
if picked:
    selected = str(picked[0]["properties"]["area_id"] if "properties" in picked[0] else picked[0]["area_id"])
    st.query_params["area"] = str(selected)

left, right = st.columns([1, 1])
with left:
    st.subheader("Reach by group")
    dataframe(cv.reach_table(result), hide_index=True, width="stretch", key="reach_table")
    st.caption("Limited-English residents count as in reach only where a programme offers one of the three "
               "most-spoken non-English languages of their area.")
with right:
    st.subheader("Area detail")
    choice = st.selectbox("Area (or click the map)", [0] + area_ids, ([0] + area_ids).index(selected or 0),
                          format_func=lambda a: names.get(a, "—"), key="area_pick")
    if choice:
        st.query_params["area"] = str(choice)
        d = cv.area_detail(cov_model, params, result, choice)
        st.markdown(f"**{inert(d['name'])}**: {d['value']}, rank {d['rank']}, {d['reach']} of residents within reach.")
        dataframe(d["programmes"], hide_index=True, width="stretch", key="area_programmes")

st.subheader("Coverage by area")
dataframe(table, hide_index=True, width="stretch", key="coverage_table")
c1, c2 = st.columns(2)
c1.download_button("Download table (CSV)", partial(to_csv_bytes, table),
                   "coverage_by_area.csv", "text/csv", on_click="ignore")
c2.download_button("Download map (GeoJSON)", partial(cv.geojson_bytes, areas_geo, table), "coverage_by_area.geojson",
                   "application/geo+json", on_click="ignore")
