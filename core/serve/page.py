"""Every page's header, drawn one way: the build info, the title, and the warnings its readers must see first."""

from __future__ import annotations

import streamlit as st

from core.serve.cache import view
from core.store import queries
from core.views import provenance

WARNING_ICON = ":material/warning:"


def header(title: str, *, shows_inventory: bool = True) -> dict[str, str]:
    """Draw the page title and its banners (synthetic demo, synthetic inventory); return the build info.

    ``shows_inventory`` says whether the page shows programme or funding figures, which carry the synthetic-sample
    banner when the published inventory is the seeded sample.
    """
    info = view(queries.build_info)()
    st.title(title)
    for text in provenance.banners(info, shows_inventory=shows_inventory):
        st.warning(text, icon=WARNING_ICON)
    return info
