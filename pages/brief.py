"""Neighbourhood brief: one printable page about an area, to carry into a council meeting (HTML and PDF)."""

from core.serve.cache import ensure_navigation

ensure_navigation()

from functools import partial

import streamlit as st

from core.base.markup import inert
from core.serve.cache import view
from core.serve.page import header
from core.store import queries
from core.views import brief
from core.views.city import words
from core.views.compare import highest_need, indicator_long, need_table

info = header("Neighbourhood brief")
city = words(info)

areas = view(queries.areas)()
names = dict(zip(areas["area_id"], areas["name"]))
area_id = brief.area_from_query(st.query_params.to_dict(), names, default=highest_need(view(need_table)(), 1)[0])


def sync_url():
    st.query_params["area"] = str(st.session_state.brief_area)


area_id = st.selectbox(city.area_title, list(names), list(names).index(area_id), format_func=names.get,
                       key="brief_area", on_change=sync_url,
                       help="The brief's link reopens this area: share it, or download the PDF to print.")
# The city-wide indicator table is shared with the Compare page's cache, so switching area is quick.
b = view(brief.brief_data)(area_id, view(indicator_long)())
st.metric(f"{inert(b.name)}: need index", f"{brief.ordinal(b.need_index)} percentile",
          help=f"Overall need index (DESIGN §3, CDC/ATSDR SVI method) among the {len(names)} {city.areas}.")
# The PDF is made when the button is pressed, not on every run of the page.
st.download_button("Download this brief (PDF)", partial(brief.brief_pdf, b), f"brief_{area_id}.pdf",
                   "application/pdf", key="brief_pdf", on_click="ignore")
st.html(brief.brief_html(b))
