"""Plan: where k new programmes would bring the most under-served residents within reach (MCLP against greedy)."""

from core.serve.cache import ensure_navigation

ensure_navigation()

from functools import partial

import streamlit as st

from core.analysis import coverage
from core.analysis.need import need_for
from core.base.export import to_csv_bytes
from core.serve.cache import computed, model, rendered, view
from core.serve.page import header
from core.serve.tables import dataframe
from core.store import queries
from core.views import plan as pv

info = header("Plan new programme sites")
st.caption("Choose how many new programmes to open and the venues they may use; the atlas picks the sites that "
           "bring the most need-weighted residents within reach, and compares them with a greedy baseline.")

cov_model = model(coverage.build_model)()
need = view(need_for)()
venues = view(queries.venues)()
venue_names = dict(zip(venues["venue_id"], venues["name"] + " (" + venues["kind"] + ")"))
params = pv.params_from_query(st.query_params.to_dict(), venue_names)


def sync_url():
    s = st.session_state
    # Keep the choices consistent before the widgets redraw: no more pinned sites than k, and a pinned site
    # is never also excluded.
    s.plan_pinned = list(s.plan_pinned)[: s.plan_k]
    s.plan_excluded = [v for v in s.plan_excluded if v not in s.plan_pinned]
    p = pv.PlanParams(k=s.plan_k, program_type=s.plan_type, capacity=float(s.plan_capacity), d0=float(s.plan_d0),
                      priority_only=s.plan_priority, pinned=tuple(s.plan_pinned), excluded=tuple(s.plan_excluded))
    st.query_params.update(pv.params_to_query(p))


with st.sidebar:
    st.header("New programmes")
    st.slider("How many new sites (k)", *pv.K_RANGE, params.k, key="plan_k", on_change=sync_url)
    st.selectbox("Programme type", list(pv.PLACE_BASED_TYPES), list(pv.PLACE_BASED_TYPES).index(params.program_type),
                 format_func=coverage.TYPE_LABELS.get, key="plan_type", on_change=sync_url,
                 help="The type the new programmes would be; they count in coverage like every place-based type.")
    st.slider("Weekly places per new programme", *pv.CAPACITY_RANGE, int(params.capacity), 5, key="plan_capacity",
              on_change=sync_url, help="Supply S_j of each new site in the E2SFCA recompute.")
    st.slider("Catchment (minutes' walk)", *pv.D0_RANGE, int(params.d0), 5, key="plan_d0", on_change=sync_url,
              help="Straight-line distance × 1.3 at 4.8 km/h (DESIGN §3). A resident is within reach of a site "
                   "up to and including this time.")
    st.toggle("Only venues in priority areas", params.priority_only, key="plan_priority", on_change=sync_url,
              help="Priority areas are high need and low coverage: top need-index tercile and bottom coverage "
                   "tercile at this catchment (the Underserved page's 3×3 classes). Pinned sites stay in.")
    st.multiselect("Pin sites (always chosen)", list(venue_names), list(params.pinned), format_func=venue_names.get,
                   max_selections=params.k, key="plan_pinned", on_change=sync_url)
    st.multiselect("Exclude sites", list(venue_names), list(params.excluded), format_func=venue_names.get,
                   key="plan_excluded", on_change=sync_url)
    st.caption(pv.candidates_sentence(venues["kind"]) + " " + pv.WEIGHTING_HELP)


with st.spinner("Choosing sites… (the first solve after the app starts also loads the optimiser, about 15 s)"):
    result = computed(pv.solve)(cov_model, need.index, venues, params)
for note in result.notes:
    st.info(note, icon="ℹ️")

value, delta, help_text = pv.headline(result)
st.metric("Residents newly within reach", value, delta, delta_color="off", help=help_text)
st.markdown(pv.comparison_text(result))

areas_geo = view(queries.areas)()
deck, legend = rendered("plan.map", (params,), lambda: pv.plan_map(areas_geo, result))
st.pydeck_chart(deck, height=520, key="plan_map")
st.markdown(legend, unsafe_allow_html=True)

st.subheader("The sites chosen")
picks = pv.picks_table(result)
dataframe(picks, hide_index=True, width="stretch", key="picks_table")
st.download_button("Download the sites (CSV)", partial(to_csv_bytes, picks),
                   "plan_sites.csv", "text/csv", on_click="ignore")
with st.expander("Greedy baseline's sites"):
    dataframe(pv.picks_table(result, "greedy"), hide_index=True, width="stretch", key="greedy_table")

st.subheader("Coverage change by area")
st.caption("E2SFCA recomputed with the chosen sites added as programmes of the chosen type and weekly places, "
           "step decay, at the chosen catchment. Adding programmes never lowers an area's coverage.")
change = result.coverage.drop(columns="area_id")
dataframe(change, hide_index=True, width="stretch", key="change_table")
st.download_button("Download the coverage change (CSV)", partial(to_csv_bytes, change), "plan_coverage_change.csv",
                   "text/csv", on_click="ignore")
with st.expander(f"All {len(result.candidates)} candidate venues"):
    dataframe(pv.candidates_table(result), hide_index=True, width="stretch", key="candidates_table")
