"""Data & methods: where every figure comes from, how it is computed, and what the build dropped or fixed."""

from core.serve.cache import ensure_navigation

ensure_navigation()

from functools import partial

import streamlit as st

from core.serve.cache import view
from core.serve.page import header
from core.serve.tables import dataframe
from core.views import methods

info = header("Data & methods")

st.header("Indicators")
dataframe(view(methods.indicator_table)(), hide_index=True, width="stretch", key="indicators")

st.header("Sources")
dataframe(view(methods.source_table)(), hide_index=True, width="stretch", key="sources")
if info.get("city_notes"):
    st.markdown(methods.city_notes_md(info))

st.header("Methods")
st.markdown(methods.METHOD_NOTES_MD)
st.subheader("Small numbers")
st.markdown(methods.small_numbers_md())

st.header("Data quality")
st.caption("Every rule the build applied to the raw files, with the number of rows it dropped, fixed or kept.")
dataframe(view(methods.quality_table)(), hide_index=True, width="stretch", key="quality")

st.header("Published database")
st.markdown(methods.build_summary_md(info))
dataframe(view(methods.manifest_inputs)(), hide_index=True, width="stretch", key="manifest",
             column_config={"Input file": st.column_config.TextColumn(width="medium")})
rows, _ = st.columns([1, 2])
rows.dataframe(view(methods.manifest_rows)(), hide_index=True, width="stretch", key="manifest_rows")

st.header("Download every table")
table_name = st.selectbox("Table", methods.export_tables(), key="table")
st.caption("In the programme inventory's tables, counts of 1 to 10 people, and the rates and means built on them, "
           "are written as \"<11\". Public-source tables are as their publishers publish them.")
st.download_button(f"Download {table_name}.csv", partial(view(methods.table_csv), table_name), f"{table_name}.csv",
                   "text/csv", key="download_table", on_click="ignore")
