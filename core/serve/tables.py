"""Every table a page shows, drawn one way: its text neutralised exactly as in our own CSV downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from core.base.export import neutralise, neutralise_column, neutralised


def neutralised_styler(styler: Styler) -> Styler:
    """The styler with its data's text neutralised in place (colours and formats are kept)."""
    # The Styler's colours and formats are computed from .data when Streamlit draws it, so neutralising the data
    # in place keeps them; headers are renamed only when one would run as a formula.
    data = styler.data.apply(neutralise_column) if len(styler.data.columns) else styler.data
    headers = [neutralise(c) if isinstance(c, str) else c for c in data.columns]
    if headers != list(data.columns):
        data.columns = headers
        styler.columns = data.columns
    styler.data = data
    return styler


def dataframe(data, **kwargs):
    """``st.dataframe`` for pages: every text cell and header a spreadsheet would run as a formula is neutralised.

    A table's toolbar lets readers download or copy what it shows, so what it shows is what our own downloads hold
    (``core.base.export``). Pages call this instead of ``st.dataframe`` (tests/test_hardening.py checks).
    """
    if isinstance(data, Styler):
        # A styler frozen by core.serve.cache.rendered was neutralised before its cells were drawn, and is shared.
        if not getattr(data, "atlas_frozen", False):
            data = neutralised_styler(data)
    elif isinstance(data, pd.DataFrame):
        data = neutralised(data)
    elif isinstance(data, pd.Series):
        data = neutralise_column(data).rename(neutralise(data.name) if isinstance(data.name, str) else data.name)
    return st.dataframe(data, **kwargs)
