"""Overview: where need is highest, where services are, and how old the data is."""

from core.serve.cache import ensure_navigation

ensure_navigation()

from functools import partial

import streamlit as st

from core.base.export import to_csv_bytes
from core.serve.cache import view
from core.serve.page import header
from core.serve.tables import dataframe
from core.store import queries
from core.views import overview, provenance
from core.views import underserved as uv
from core.views.city import words

info = header("Community Mental Health Atlas")
city = words(info)

show_sites = st.toggle("Show professional service sites", value=st.query_params.get("sites", "1") == "1", key="sites",
                       on_change=lambda: st.query_params.update(sites="1" if st.session_state.sites else "0"))

cols = st.columns(4)
for col, h in zip(cols, view(overview.headlines)()):
    col.metric(h.label, h.value, help=h.help)

deck, legend = view(overview.need_map)(show_sites)
st.subheader(f"{city.name}: {overview.headline_label(view(queries.indicator_defs)(), city.headline)} by {city.area}")
st.pydeck_chart(deck, height=520, key="need_map")
st.markdown(legend, unsafe_allow_html=True)

table = view(overview.need_table)()
st.subheader("The same figures as a table")
dataframe(table, hide_index=True, width="stretch", key="need_table")
st.download_button("Download this table (CSV)", partial(to_csv_bytes, table),
                   "overview_need.csv", "text/csv", on_click="ignore")

gap = view(overview.need_coverage)()
st.subheader("Need against coverage: the priority areas", help=f"{uv.HELP['need']}\n\n{uv.HELP['coverage']}")
st.markdown(overview.priority_sentence(gap))
st.markdown(uv.legend_square_html(gap), unsafe_allow_html=True)
priority = uv.priority_areas(gap)
formats = uv.number_formats(priority)
dataframe(priority, hide_index=True, width="stretch", key="priority_table",
             column_config={c: st.column_config.NumberColumn(format=f) for c, f in formats.items()})
st.caption("Need index with equal domain weights; coverage counts all place-based programmes within a 30-minute walk.")
st.page_link("pages/underserved.py",
             label="Open the Underserved page: the map, the ranked gap and your own weights", icon=":material/target:")

defs = view(queries.indicator_defs)()
st.caption(provenance.vintage_line(info, defs["period"].tolist()))
