"""Compare: two to four neighbourhoods side by side against the city, with percentile bars and their peers."""

from core.serve.cache import ensure_navigation

ensure_navigation()

from functools import partial

import streamlit as st

from core.base.export import to_csv_bytes
from core.serve.cache import view
from core.serve import page
from core.serve.page import header
from core.serve.tables import dataframe
from core.store import queries
from core.views import compare as cv
from core.views import glossary

info = header("Compare neighbourhoods")

areas_geo = view(queries.areas)()
names = dict(zip(areas_geo["area_id"], areas_geo["name"]))
query = st.query_params.to_dict()
if "areas" not in query and page.shared_area(names):
    # No comparison on the link: start from the area the reader chose on another page.
    query["areas"] = ",".join(str(a) for a in cv.with_first(page.shared_area(names), cv.DEFAULT_AREAS))
chosen = cv.area_ids_from_query(query, names)


def sync_url():
    st.query_params.update(cv.area_ids_to_query(st.session_state.areas))
    if st.session_state.areas:
        page.remember_area(st.session_state.areas[0])


st.multiselect("Areas to compare (two to four)", list(names), list(chosen), format_func=names.get,
               max_selections=cv.MAX_AREAS, key="areas", on_change=sync_url,
               help="Each area is shown against the city median. Share the link to reopen this comparison.")
chosen = tuple(st.session_state.areas)
page.remember(page.COMPARED_KEY, chosen)
if not chosen:
    st.info("Pick at least one area (two to four to compare them).")
    st.stop()
if len(chosen) == 1:
    st.caption("Add another area to compare them side by side.")

colours = cv.area_colours(chosen)
heads = cv.need_headlines(view(cv.need_table)(), chosen)
for col, row in zip(st.columns(len(chosen)), heads.itertuples()):
    col.metric(f"{row.area}: need-index percentile", cv.ordinal(row.need_index),
               help="Overall need index (DESIGN §3, CDC/ATSDR SVI method): the percentile rank among the 77 areas "
                    "of the equally weighted mental-health need, social vulnerability and barrier domain ranks. "
                    "Sources: Healthy Chicago Survey, IDPH, CDC/ATSDR SVI and ACS via the Chicago Health Atlas.")

st.subheader("Where they are")
for col, area_id in zip(st.columns(len(chosen)), chosen):
    col.vega_lite_chart(cv.locator_chart(areas_geo, area_id, colours[area_id]), width="stretch")
long = view(cv.indicator_long)()
dataframe(cv.chosen_table(areas_geo, long, chosen), hide_index=True, width="stretch", key="chosen_table")

comp = cv.comparison(long, chosen)
st.caption("Bars run from the city median (dashed line, the 50th percentile) to each area's percentile among the "
           "77 community areas; the tables give each area's value · percentile. Values carry their margin of "
           "error where the source gives one; rates on fewer than 20 deaths are marked unstable (CDC WISQARS "
           "practice). Whether a high value is worse or better is in each indicator's definition.")
definitions = view(cv.definitions)()
for domain in cv.DOMAINS:
    st.subheader(cv.DOMAIN_TITLES[domain])
    st.vega_lite_chart(cv.percentile_chart(comp, domain, colours), width="stretch")
    dataframe(cv.domain_table(comp, domain), hide_index=True, width="stretch", key=f"table_{domain}")
    with st.expander("Definitions and sources"):
        dataframe(definitions[domain], hide_index=True, width="stretch", key=f"defs_{domain}")
st.download_button("Download the comparison (CSV)", partial(to_csv_bytes, cv.download_frame(comp)), "compare_areas.csv",
                   "text/csv", on_click="ignore")

first = names[chosen[0]]
st.subheader(f"Areas most like {first}")
st.caption("The areas whose need and population mix (age, language at home, race and ethnicity) are closest to "
           f"{first}'s, and how many weekly programme places per 1,000 residents they have within a 30-minute walk.",
           help=glossary.help_text("similar-areas"))
similar = cv.similar_areas(long, chosen[0])
st.vega_lite_chart(cv.similar_chart(similar), width="stretch")
dataframe(similar.drop(columns="area_id"), hide_index=True, width="stretch", key="similar_table")
st.download_button("Download similar areas (CSV)", partial(to_csv_bytes, similar),
                   "similar_areas.csv", "text/csv", on_click="ignore")
