"""Every page's header, drawn one way: the build info, the title, the warnings its readers must see first, and the
link that reopens the view; and the choices that follow a reader from page to page (area, comparison, plan)."""

from __future__ import annotations

import streamlit as st

from core.serve.cache import view
from core.store import queries
from core.views import provenance, style, url_state

WARNING_ICON = ":material/warning:"

# Session-state keys of what follows the reader across pages. The URL carries the area too (``?area=``), so a
# shared link reopens it; the plan and comparison live in the session, for the brief.
AREA_KEY = "atlas_area"
COMPARED_KEY = "atlas_compared"
PLAN_KEY = "atlas_plan"
COVERAGE_KEY = "atlas_coverage"


def header(title: str, *, shows_inventory: bool = True) -> dict[str, str]:
    """Draw the page title, the "Copy link" button and the banners (synthetic demo, synthetic inventory).

    Returns the build info. ``shows_inventory`` says whether the page shows programme or funding figures, which
    carry the synthetic-sample banner when the published inventory is the seeded sample.
    """
    info = view(queries.build_info)()
    st.html(style.PAGE_CSS)
    left, right = st.columns([5, 1], vertical_alignment="bottom")
    left.title(title)
    with right.popover("Copy link", icon=":material/link:", width="stretch",
                       help="A link that reopens this page with your choices, to share or bookmark."):
        copy_link()
    for text in provenance.banners(info, shows_inventory=shows_inventory):
        st.warning(text, icon=WARNING_ICON)
    return info


def current_link() -> str:
    """This page's address with the filters in force (``st.query_params``)."""
    try:
        url = st.context.url
    except Exception:  # no browser behind the session (AppTest, bare mode): a relative link still works
        url = None
    return url_state.share_link(url, st.query_params.to_dict())


def copy_link() -> None:
    """The link in a code box, whose copy button puts it on the clipboard."""
    st.caption("Copy this link (the button at its right) to reopen this view, with your choices, on any computer.")
    st.code(current_link() or "(open the app in a browser to get its link)", language=None, wrap_lines=True)


def shared_area(valid_ids) -> str | None:
    """The area (a text id) the reader chose on this page's link, or last chose on any page; None if neither is
    one of ``valid_ids``."""
    valid = {str(a) for a in valid_ids}
    raw = st.query_params.get("area")
    if raw is not None and str(raw) in valid:
        return str(raw)
    kept = st.session_state.get(AREA_KEY)
    return kept if kept in valid else None


def remember_area(area_id) -> None:
    """Make ``area_id`` the reader's area on every page (session) and on this page's link."""
    if area_id:
        st.session_state[AREA_KEY] = str(area_id)
        st.query_params["area"] = str(area_id)


def remember(key: str, value) -> None:
    """Keep a choice (the compared areas, the plan) for the other pages of this session."""
    st.session_state[key] = value


def recall(key: str, default=None):
    return st.session_state.get(key, default)
