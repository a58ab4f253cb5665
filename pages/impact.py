"""Impact: who takes part where, what changes for them (with intervals), and how that moves over eight quarters."""

from core.serve.cache import ensure_navigation

ensure_navigation()

from functools import partial

import streamlit as st

from core.serve.cache import keyed, rendered, view
from core.serve.page import header
from core.serve.tables import dataframe
from core.store import queries
from core.views import charts
from core.views import impact as iv
from core.views import resilience as rv

info = header("Impact")

data = view(iv.impact_data)()
state = iv.state_from_query(st.query_params.to_dict(), data.types, data.populations, data.measures)
K = iv.WIDGET_KEYS


def sync_url():
    st.query_params.update(iv.state_to_query(iv.state_from_widgets(st.session_state, state)))


with st.sidebar:
    st.header("Filters")
    st.multiselect("Programme types", data.types, list(state.types), format_func=iv.type_label, key=K["types"],
                   on_change=sync_url, placeholder="All types")
    st.multiselect("Population served", data.populations, list(state.populations), format_func=iv.population_label,
                   key=K["populations"], on_change=sync_url, placeholder="Everyone",
                   help="Programmes that serve any of the chosen groups.")
    st.selectbox("Quarters counted", iv.QUARTER_CHOICES, iv.QUARTER_CHOICES.index(state.quarters),
                 format_func=iv.quarters_label, key=K["quarters"],
                 on_change=sync_url)
    if data.measures:
        st.selectbox("Outcome scale for the trend", data.measures, data.measures.index(state.measure),
                     key=K["measure"], on_change=sync_url)

v = keyed("impact.views", (state,), lambda: iv.views_of(data, state))
label, value, help_text = keyed("impact.headline", (state,), lambda: iv.headline(v))
st.metric(label, value, help=help_text)
st.caption(iv.filter_caption(v, state))

areas_geo = view(queries.areas)()
area_table, _ = keyed("impact.area_table", (state,), lambda: iv.area_table(v))
st.subheader("Participants per 1,000 residents by area", help=iv.HELP["participants"])
left, right = st.columns([3, 2], gap="medium")
with left:
    deck, legend = rendered("impact.map", (state,), lambda: iv.participation_map(areas_geo, v))
    st.pydeck_chart(deck, height=540, key="participation_map")
    st.markdown(legend, unsafe_allow_html=True)
with right:
    dataframe(rendered("impact.areas", (state,), lambda: iv.styled(area_table)), hide_index=True, width="stretch",
                 height=540, key="impact_area_table", column_config={"area_id": None})
st.caption(f"{iv.HELP['suppression']} {iv.HELP['cost']}")
st.download_button("Download participation by area (CSV)", partial(iv.area_download, v),
                   "impact_by_area.csv", "text/csv",
                   key="dl_impact_areas", on_click="ignore")

st.subheader("Outcome change by programme", help=iv.HELP["outcome"])
st.caption(iv.outcome_summary(v))
points = iv.outcome_points(v)
if len(points):
    with st.container(height=420):
        st.vega_lite_chart(charts.outcome_chart(points), width="content")
dataframe(rendered("impact.programmes", (state,), lambda: iv.styled(iv.programme_table(v))), hide_index=True,
             width="stretch", height=360, key="impact_programmes")
st.download_button("Download programme outcomes (CSV)", partial(iv.programme_download, v), "impact_by_programme.csv",
                   "text/csv", key="dl_impact_programmes", on_click="ignore")

st.subheader("Resilience", help=rv.HELP)
label, value, help_text = rv.headline(data, state, v)
st.metric(label, value, help=help_text)
dataframe(iv.styled(rv.programmes(v)), hide_index=True, width="stretch", height=260, key="impact_resilience")
st.download_button("Download resilience by programme (CSV)", partial(rv.download, v), "impact_resilience.csv",
                   "text/csv", key="dl_impact_resilience", on_click="ignore")

st.subheader("Trends over the eight quarters")
left, right = st.columns([3, 2], gap="medium")
with left:
    st.vega_lite_chart(keyed("impact.trend_chart", (state,), lambda: charts.trend_chart(iv.trends_long(v))),
                       width="content")
with right:
    if v.measure:
        st.vega_lite_chart(keyed("impact.outcome_trend", (state,),
                                 lambda: charts.outcome_trend_chart(iv.outcome_trend(v), v.measure)), width="stretch")
dataframe(rendered("impact.trends", (state,), lambda: iv.styled(iv.trends_table(v))), hide_index=True,
             width="stretch", key="impact_trends")
st.download_button("Download quarterly trends (CSV)", partial(iv.trends_download, v), "impact_trends.csv", "text/csv",
                   key="dl_impact_trends", on_click="ignore")
