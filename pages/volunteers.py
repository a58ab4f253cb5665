"""Volunteers & partners: who carries the programmes, how fragile that is, and which professionals back them."""

from core.serve.cache import ensure_navigation

ensure_navigation()

from functools import partial

import streamlit as st

from core.analysis.funding import VOLUNTEER_HOUR_VALUE_SOURCE
from core.serve.cache import keyed, rendered, view
from core.serve.page import header
from core.serve.tables import dataframe
from core.store import queries
from core.views import impact as iv
from core.views import volunteers as vv

header("Volunteers & partners")

data = view(vv.volunteer_data)()
state = vv.state_from_query(st.query_params.to_dict())
K = vv.WIDGET_KEYS


def sync_url():
    st.query_params.update(vv.state_to_query(vv.state_from_widgets(st.session_state, state)))


with st.sidebar:
    st.header("Filters")
    st.selectbox("Quarters counted", vv.QUARTER_CHOICES, vv.QUARTER_CHOICES.index(state.quarters),
                 format_func=vv.quarters_label, key=K["quarters"], on_change=sync_url)
    st.number_input("Value of one volunteer hour (US$)", vv.HOURLY_MIN, vv.HOURLY_MAX, state.hourly, 0.5,
                    format="%.2f", key=K["hourly"], on_change=sync_url,
                    help=f"Default: {VOLUNTEER_HOUR_VALUE_SOURCE}. A city may use its own state's figure.")

headlines = keyed("volunteers.headlines", (state,), lambda: vv.headlines(data, state))
for column, (label, value, help_text) in zip(st.columns(4), headlines):
    column.metric(label, value, help=help_text)
st.caption(f"Hourly value source: {VOLUNTEER_HOUR_VALUE_SOURCE}. {vv.HELP['small']}")

st.subheader("Volunteers and partners by area", help=vv.HELP["partners"])
areas_geo = view(queries.areas)()
area_table = keyed("volunteers.areas", (state,), lambda: vv.area_table(data, state))
left, right = st.columns([3, 2], gap="medium")
with left:
    deck, legend = rendered("volunteers.map", (state,), lambda: vv.partner_map(areas_geo, data, area_table))
    st.pydeck_chart(deck, height=540, key="partner_map")
    st.markdown(legend, unsafe_allow_html=True)
with right:
    dataframe(rendered("volunteers.areas", (state,), lambda: iv.styled(area_table)),
              hide_index=True, width="stretch", height=540, key="volunteer_areas",
              column_config={"area_id": None})
st.download_button("Download by area (CSV)", partial(vv.download, area_table), "volunteers_by_area.csv", "text/csv",
                   key="dl_volunteer_areas", on_click="ignore")

st.subheader("Fragility and partnership by programme", help=vv.HELP["fragility"])
programmes = keyed("volunteers.programmes", (state,), lambda: vv.programme_table(data, state))
dataframe(rendered("volunteers.programmes", (state,), lambda: iv.styled(programmes)),
          hide_index=True, width="stretch", height=420, key="volunteer_programmes")
st.download_button("Download by programme (CSV)", partial(vv.download, programmes), "volunteers_by_programme.csv",
                   "text/csv", key="dl_volunteer_programmes", on_click="ignore")

left, right = st.columns(2, gap="medium")
with left:
    st.subheader("Partnerships by role", help=vv.HELP["partners"])
    roles = keyed("volunteers.roles", (), lambda: vv.role_table(data))
    dataframe(roles, hide_index=True, width="stretch", key="partner_roles")
    st.download_button("Download partnerships (CSV)", partial(vv.download, roles), "partnerships_by_role.csv",
                       "text/csv", key="dl_partner_roles", on_click="ignore")
with right:
    st.subheader("High need, no professional partner", help=vv.HELP["unpartnered"])
    unpartnered = keyed("volunteers.unpartnered", (), lambda: vv.unpartnered_table(data))
    dataframe(unpartnered, hide_index=True, width="stretch", key="unpartnered_areas")
    st.download_button("Download these areas (CSV)", partial(vv.download, unpartnered), "unpartnered_need.csv",
                       "text/csv", key="dl_unpartnered", on_click="ignore")
