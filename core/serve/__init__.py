"""Serving layer: the only code that imports Streamlit (caches, sign-in, the page header) and the admin publish."""
