"""Compare: two to four neighbourhoods side by side against the city, with percentile bars and their peers."""

from core.serve.cache import ensure_navigation

ensure_navigation()

from functools import partial

import streamlit as st

from core.base.export import to_csv_bytes
from core.base.markup import inert
from core.serve.cache import keyed, view
from core.serve.page import header
from core.serve.tables import dataframe
from core.store import queries
from core.views import compare as cv
from core.views.city import words

info = header("Compare neighbourhoods")
city = words(info)

areas_geo = view(queries.areas)()
names = dict(zip(areas_geo["area_id"], areas_geo["name"]))
need = view(cv.need_table)()
chosen = cv.area_ids_from_query(st.query_params.to_dict(), names, default=cv.highest_need(need))


def sync_url():
    st.query_params.update(cv.area_ids_to_query(st.session_state.areas))


st.multiselect("Areas to compare (two to four)", list(names), list(chosen), format_func=names.get,
               max_selections=cv.MAX_AREAS, key="areas", on_change=sync_url,
               help="Each area is shown against the city median. Share the link to reopen this comparison.")
chosen = tuple(st.session_state.areas)
if not chosen:
    st.info("Pick at least one area (two to four to compare them).")
    st.stop()
if len(chosen) == 1:
    st.caption("Add another area to compare them side by side.")

colours = cv.area_colours(chosen)
heads = cv.need_headlines(need, chosen)
for col, row in zip(st.columns(len(chosen)), heads.itertuples()):
    col.metric(f"{inert(row.area)}: need-index percentile", cv.ordinal(row.need_index),
               help=f"Overall need index (DESIGN §3, CDC/ATSDR SVI method): the percentile rank among the "
                    f"{len(names)} {city.areas} of the equally weighted domain ranks (mental-health need, social "
                    "vulnerability, barriers: those the city's data has). Sources: Data & methods.")

st.subheader("Where they are")
for col, area_id in zip(st.columns(len(chosen)), chosen):
    col.vega_lite_chart(keyed("compare.locator", (area_id, colours[area_id]),
                              lambda: cv.locator_chart(areas_geo, area_id, colours[area_id])), width="stretch")
long = view(cv.indicator_long)()
dataframe(keyed("compare.chosen", tuple(chosen), lambda: cv.chosen_table(areas_geo, long, chosen, f"{city.area_title} id")),
             hide_index=True, width="stretch", key="chosen_table")

comp = keyed("compare.comparison", tuple(chosen), lambda: cv.comparison(long, chosen))
st.caption("Bars run from the city median (dashed line, the 50th percentile) to each area's percentile among the "
           f"{len(names)} {city.areas}; the tables give each area's value · percentile. Values carry their margin of "
           "error where the source gives one; rates on fewer than 20 deaths are marked unstable (CDC WISQARS "
           "practice). Whether a high value is worse or better is in each indicator's definition.")
definitions = view(cv.definitions)()
for domain in cv.DOMAINS:
    st.subheader(cv.DOMAIN_TITLES[domain])
    st.vega_lite_chart(keyed("compare.percentiles", (tuple(chosen), domain),
                             lambda: cv.percentile_chart(comp, domain, colours)), width="stretch")
    dataframe(keyed("compare.domain_table", (tuple(chosen), domain), lambda: cv.domain_table(comp, domain)),
                 hide_index=True, width="stretch", key=f"table_{domain}")
    with st.expander("Definitions and sources"):
        dataframe(definitions[domain], hide_index=True, width="stretch", key=f"defs_{domain}")
st.download_button("Download the comparison (CSV)", partial(to_csv_bytes, cv.download_frame(comp)), "compare_areas.csv",
                   "text/csv", on_click="ignore")

first = names[chosen[0]]
st.subheader(f"Areas most like {inert(first)}")
st.caption("Nearest areas on standardised (z-scored) need-index indicators and demographic shares (age 65+, "
           "language other than English at home, race and ethnicity), by Euclidean distance. Coverage is weekly "
           "programme places per 1,000 residents (E2SFCA, 30-minute walk).")
similar = keyed("compare.similar", (chosen[0],), lambda: cv.similar_areas(long, chosen[0]))
st.vega_lite_chart(cv.similar_chart(similar), width="stretch")
dataframe(similar.drop(columns="area_id"), hide_index=True, width="stretch", key="similar_table")
st.download_button("Download similar areas (CSV)", partial(to_csv_bytes, similar),
                   "similar_areas.csv", "text/csv", on_click="ignore")
