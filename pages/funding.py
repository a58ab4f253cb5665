"""Placeholder while the page is being built."""

import streamlit as st

st.title("funding")
st.info("This page is being built.")
