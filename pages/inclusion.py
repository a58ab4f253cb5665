"""Inclusion: whether programmes reach the groups who live around them, language access, step-free and after-hours."""

from core.serve.cache import ensure_navigation

ensure_navigation()

from functools import partial

import streamlit as st

from core.serve.cache import keyed, rendered, view
from core.serve.page import header
from core.serve.tables import dataframe
from core.store import queries
from core.views import impact as iv
from core.views import inclusion as inv

header("Inclusion")

data = view(inv.inclusion_data)()
state = inv.state_from_query(st.query_params.to_dict())
K = inv.WIDGET_KEYS


def sync_url():
    st.query_params.update(inv.state_to_query(inv.state_from_widgets(st.session_state, state)))


with st.sidebar:
    st.header("Filters")
    st.selectbox("Group", inv.GROUP_KEYS, inv.GROUP_KEYS.index(state.group), format_func=inv.GROUP_LABELS.get,
                 key=K["group"], on_change=sync_url)
    st.selectbox("Quarters counted", inv.QUARTER_CHOICES, inv.QUARTER_CHOICES.index(state.quarters),
                 format_func=inv.quarters_label, key=K["quarters"], on_change=sync_url)

label, value, help_text = keyed("inclusion.headline", (state,), lambda: inv.headline(data, state))
st.metric(label, value, help=help_text)
st.caption(keyed("inclusion.caption", (state,), lambda: inv.caption(data, state)))

st.subheader("Every group, all programmes together", help=inv.HELP["disparity"])
summary = keyed("inclusion.groups", (state,), lambda: inv.group_summary(data, state))
dataframe(rendered("inclusion.groups", (state,), lambda: iv.styled(summary)),
          hide_index=True, width="stretch", key="inclusion_groups")
st.download_button("Download groups (CSV)", partial(inv.download, summary), "inclusion_groups.csv", "text/csv",
                   key="dl_inclusion_groups", on_click="ignore")

st.subheader(f"{inv.GROUP_LABELS[state.group]}: by area", help=inv.HELP["disparity"])
areas_geo = view(queries.areas)()
area_table = keyed("inclusion.areas", (state,), lambda: inv.area_disparities(data, state))
left, right = st.columns([3, 2], gap="medium")
with left:
    deck, legend = rendered("inclusion.map", (state,), lambda: inv.disparity_map(areas_geo, area_table, state))
    st.pydeck_chart(deck, height=520, key="inclusion_map")
    st.markdown(legend, unsafe_allow_html=True)
with right:
    dataframe(rendered("inclusion.areas", (state,), lambda: iv.styled(area_table)),
              hide_index=True, width="stretch", height=520, key="inclusion_areas",
              column_config={"area_id": None})
st.download_button("Download by area (CSV)", partial(inv.download, area_table), "inclusion_by_area.csv", "text/csv",
                   key="dl_inclusion_areas", on_click="ignore")

st.subheader(f"{inv.GROUP_LABELS[state.group]}: by programme", help=inv.HELP["disparity"])
programmes = keyed("inclusion.programmes", (state,), lambda: inv.programme_disparities(data, state))
dataframe(rendered("inclusion.programmes", (state,), lambda: iv.styled(programmes)),
          hide_index=True, width="stretch", height=400, key="inclusion_programmes")
st.download_button("Download by programme (CSV)", partial(inv.download, programmes), "inclusion_by_programme.csv",
                   "text/csv", key="dl_inclusion_programmes", on_click="ignore")

st.subheader("Language access", help=inv.HELP["language"])
by_language, by_area, share = keyed("inclusion.language", (), lambda: inv.language_tables(data))
st.markdown(inv.language_sentence(share))
left, right = st.columns(2, gap="medium")
with left:
    dataframe(rendered("inclusion.languages", (), lambda: iv.styled(by_language)),
              hide_index=True, width="stretch", height=360, key="inclusion_languages")
with right:
    dataframe(rendered("inclusion.language_areas", (), lambda: iv.styled(by_area)),
              hide_index=True, width="stretch", height=360, key="inclusion_language_areas")
st.download_button("Download language access (CSV)", partial(inv.download, by_language),
                   "inclusion_languages.csv", "text/csv", key="dl_inclusion_languages", on_click="ignore")

st.subheader("Step-free and evening or weekend provision against need", help=inv.HELP["provision"])
provision = keyed("inclusion.provision", (), lambda: inv.provision_table(data))
dataframe(rendered("inclusion.provision", (), lambda: iv.styled(provision)),
          hide_index=True, width="stretch", height=400, key="inclusion_provision")
st.download_button("Download provision (CSV)", partial(inv.download, provision), "inclusion_provision.csv",
                   "text/csv", key="dl_inclusion_provision", on_click="ignore")
