"""Funding: whether programmes' money will last, whom they depend on, and what a withdrawal would cost in coverage."""

from core.serve.cache import ensure_navigation

ensure_navigation()

from functools import partial

import streamlit as st

from core.analysis import coverage
from core.analysis import scenario_coverage as scv
from core.analysis.coverage import PROGRAM_TYPES
from core.analysis.funding import SOURCE_TYPES, VOLUNTEER_HOUR_VALUE_SOURCE
from core.analysis.scenario import KINDS, MODES
from core.base.markup import inert
from core.serve.cache import keyed, model, rendered, view
from core.serve.page import header
from core.serve.tables import dataframe
from core.store import queries
from core.views import charts
from core.views import funding as fv
from core.views import impact as iv
from core.views import sustainability as sv

info = header("Funding")

data = view(fv.funding_data)()
areas_geo = view(queries.areas)()
names = dict(zip(data.areas["area_id"], data.areas["name"]))
state = fv.state_from_query(st.query_params.to_dict(), data.funders, list(names), data.as_of)
K = fv.WIDGET_KEYS


def sync_url():
    st.query_params.update(fv.state_to_query(fv.state_from_widgets(st.session_state, state)))


with st.sidebar:
    st.header("Filters")
    st.multiselect("Programme types", PROGRAM_TYPES, list(state.types), format_func=fv.type_label, key=K["types"],
                   on_change=sync_url, placeholder="All types")
    area_options = [0, *names]
    st.selectbox("Area", area_options, area_options.index(state.area), format_func=lambda a: names.get(a, "All areas"),
                 key=K["area"], on_change=sync_url)
    st.toggle("Only programmes at risk", state.at_risk_only, key=K["at_risk_only"], on_change=sync_url,
              help="Show only programmes with a runway of 12 months or less, in every figure, table, map and chart "
                   "down to the scenario (which always covers the whole city).")
    st.selectbox("Colour the map by", list(fv.MEASURES), list(fv.MEASURES).index(state.measure),
                 format_func=fv.MEASURES.get, key=K["measure"], on_change=sync_url)

# Everything built from the overview is cached on the choices the overview depends on, and on its own besides.
ov_key = (state.types, state.area, state.at_risk_only)
ov = keyed("funding.overview", ov_key,
           lambda: fv.overview_of(data, state.types, state.area, state.at_risk_only))
label, value, help_text = fv.headline(ov)
st.metric(label, value, help=help_text)
st.caption(fv.as_of_caption(ov))

st.subheader("Where the money comes from", help="Each area's funding by source type: the money of its selected "
             "programmes in the 12 months either side of the as-of date (committed and ended grants).")
left, right = st.columns([3, 2], gap="medium")
with left:
    mix_deck, mix_legend = rendered("funding.mix_map", (*ov_key, state.measure),
                                    lambda: fv.mix_map(areas_geo, ov, state.measure))
    st.pydeck_chart(mix_deck, height=540, key="mix_map")
    st.markdown(mix_legend, unsafe_allow_html=True)
with right:
    mix_table = keyed("funding.mix_table", (*ov_key, state.measure), lambda: fv.area_mix_table(ov, state.measure))
    dataframe(rendered("funding.mix_table", (*ov_key, state.measure),
                       lambda: fv.area_mix_styler(mix_table)), hide_index=True, width="stretch", height=540,
              key="mix_table")
mix_long, mix_order = fv.area_mix_long(ov, state.measure)
with st.expander("Source mix of every funded area as bars", expanded=False):
    st.vega_lite_chart(charts.source_mix_bars(mix_long, mix_order), width="stretch")
st.download_button("Download source mix by area (CSV)", partial(fv.area_mix_download, mix_table),
                   "funding_source_mix_by_area.csv", "text/csv", key="dl_mix", on_click="ignore")

st.subheader("Runway and concentration by programme",
             help=f"{fv.HELP['runway']}\n\n{fv.HELP['budget']}\n\n{fv.HELP['secured']}\n\n{fv.HELP['hhi']}")
runway = fv.runway_table(ov)
dataframe(rendered("funding.runway", ov_key,
                      lambda: fv.runway_styler(runway)),
             hide_index=True, width="stretch", height=420, key="runway_table")
st.caption("Orange runway: 12 months or less (at risk). Purple reliance: most of the money comes from one or two "
           "funders (above 0.25). The At risk and Concentrated columns say the same in words. Click a column header "
           "to sort.")
st.download_button("Download programme runway (CSV)", partial(fv.runway_download, runway),
                   "funding_runway_by_programme.csv", "text/csv", key="dl_runway", on_click="ignore")

cov_model = model(coverage.build_model)()

st.subheader("Funding cliff: the next eight quarters", help=fv.HELP["cliff"])
st.vega_lite_chart(charts.cliff_chart(ov.cliff), width="stretch")
cliff = fv.cliff_table(ov, cov_model)
dataframe(rendered("funding.cliff", ov_key, lambda: iv.styled(cliff)),
             hide_index=True, width="stretch", key="cliff_table")
st.download_button("Download funding cliff (CSV)", partial(fv.csv_bytes, cliff), "funding_cliff.csv", "text/csv",
                   key="dl_cliff", on_click="ignore")

st.subheader("Whom the programmes depend on", help=fv.HELP["funders"])
kinds = keyed("funding.funder_kinds", (), lambda: fv.funder_kinds(data.funding))
funders = keyed("funding.funders", ov_key, lambda: fv.funder_table(ov, kinds))
st.markdown(fv.funder_type_sentence(funders, state.at_risk_only))
st.vega_lite_chart(charts.funder_bars(ov.funders.assign(kind=ov.funders["funder"].map(kinds))), width="stretch")
dataframe(funders, hide_index=True, width="stretch", height=420, key="funder_table")
st.download_button("Download funder dependence (CSV)", partial(fv.csv_bytes, funders),
                   "funding_by_funder.csv", "text/csv",
                   key="dl_funders", on_click="ignore")


# The scenario reruns on its own when its controls change (st.fragment): the tables above do not depend on it.
@st.fragment
def scenario_section():
    state = fv.state_from_query(st.query_params.to_dict(), data.funders, list(names), data.as_of)
    st.subheader("What if the money stops?", help=fv.HELP["scenario"])
    st.caption("The scenario covers every programme in the city, whatever the filters above.")
    c1, c2, c3 = st.columns([2, 2, 3], gap="medium")
    with c1:
        st.radio("Scenario", KINDS, KINDS.index(state.kind), format_func=fv.KIND_LABELS.get, key=K["kind"],
                 on_change=sync_url)
    with c2:
        if state.kind == "funder":
            st.selectbox("Funder", data.funders, data.funders.index(state.funder), key=K["funder"], on_change=sync_url)
        elif state.kind == "source_type":
            st.selectbox("Source type", SOURCE_TYPES, SOURCE_TYPES.index(state.source), key=K["source"],
                         on_change=sync_url)
        else:
            low, high = fv.date_bounds(data.as_of)
            st.date_input("Grants ending before", state.before, low, high, key=K["before"], on_change=sync_url,
                          format="YYYY-MM-DD")
    with c3:
        st.slider("A programme is affected when it loses more than this share of its budget (%)", fv.THRESHOLD_MIN,
                  fv.THRESHOLD_MAX, state.threshold, fv.THRESHOLD_STEP, key=K["threshold"], on_change=sync_url)
        st.radio("An affected programme", MODES, MODES.index(state.mode), format_func=fv.MODE_LABELS.get, key=K["mode"],
                 on_change=sync_url, horizontal=True)

    scenario_key = (state.kind, state.funder, state.source, state.before, state.threshold, state.mode)
    result = keyed("funding.scenario", scenario_key,
                   lambda: scv.scenario_coverage(cov_model, data.funding, fv.scenario_of(state), data.as_of))
    label, value, help_text = fv.scenario_headline(result)
    st.metric(label, value, help=help_text)
    st.markdown(keyed("funding.scenario_summary", scenario_key, lambda: fv.scenario_summary(result)))
    st.caption(fv.scenario_facts(result))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        change_deck, change_legend = rendered("funding.scenario_map", scenario_key,
                                              lambda: fv.scenario_map(areas_geo, result))
        st.pydeck_chart(change_deck, height=540, key="scenario_map")
        st.markdown(change_legend, unsafe_allow_html=True)
    with right:
        st.markdown("**Residents falling out of reach, by group**")
        dataframe(rendered("funding.scenario_groups", scenario_key,
                              lambda: iv.styled(fv.scenario_group_table(result))), hide_index=True, width="stretch",
                     key="scenario_groups")
        st.markdown("**Programmes affected**")
        dataframe(fv.scenario_programme_table(result), hide_index=True, width="stretch", height=260,
                     key="scenario_programmes")
    st.markdown("**Areas whose coverage falls**")
    dataframe(rendered("funding.scenario_areas", scenario_key, lambda: iv.styled(fv.scenario_area_table(result))),
                 hide_index=True, width="stretch", height=320,
                 key="scenario_areas", column_config={"area_id": None})
    st.download_button("Download scenario by area (CSV)", partial(fv.scenario_download, result),
                       "funding_scenario_by_area.csv", "text/csv", key="dl_scenario", on_click="ignore")


scenario_section()


# The volunteer figures rerun alone when the hourly value changes.
@st.fragment
def volunteer_section():
    state = fv.state_from_query(st.query_params.to_dict(), data.funders, list(names), data.as_of)
    st.subheader("Volunteer contribution")
    st.number_input("Value of one volunteer hour (US$)", fv.HOURLY_MIN, fv.HOURLY_MAX, state.hourly, 0.5,
                    format="%.2f", key=K["hourly"], on_change=sync_url,
                    help=f"Default: {VOLUNTEER_HOUR_VALUE_SOURCE}. A city may use its own state's figure.")
    st.caption(f"Default hourly value: {VOLUNTEER_HOUR_VALUE_SOURCE}.")
    chosen = fv.select_programs(data.programs, state.types, state.area,
                                data.prepared.at_risk if state.at_risk_only else None)
    st.markdown(fv.volunteer_summary(chosen, state.hourly))
    volunteers = keyed("funding.volunteers", (state.types, state.area, state.at_risk_only, state.hourly),
                       lambda: fv.volunteer_table(chosen, state.hourly))
    dataframe(rendered("funding.volunteers", (state.types, state.area, state.at_risk_only, state.hourly),
                       lambda: iv.styled(volunteers)),
                 hide_index=True, width="stretch", height=320, key="volunteer_table")
    st.download_button("Download volunteer contribution (CSV)", partial(fv.csv_bytes, volunteers),
                       "funding_volunteers.csv", "text/csv", key="dl_volunteers", on_click="ignore")


volunteer_section()


# Capacity risk (the PSAT self-assessment) beside money risk; it depends on no filter, so it is made once per database.
st.subheader("Sustainability self-assessment (PSAT)", help=sv.HELP)
psat = keyed("funding.psat", (), lambda: sv.sustainability_of(data))
st.markdown(sv.summary(psat))
dataframe(psat.programmes, hide_index=True, width="stretch", height=360, key="psat_programmes")
dataframe(psat.areas, hide_index=True, width="stretch", height=300, key="psat_areas")
st.download_button("Download PSAT by programme (CSV)", partial(sv.download, psat.programmes), "funding_psat.csv",
                   "text/csv", key="dl_psat", on_click="ignore")
