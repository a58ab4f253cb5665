"""Placeholder while the page is being built."""

import streamlit as st

st.title("brief")
st.info("This page is being built.")
