"""Community Mental Health Atlas: the Streamlit entry point (navigation, first-start build, shared banners)."""

import streamlit as st

from core.serve import auth
from core.serve.memory import cap_malloc_arenas
from core.store.paths import database_path

cap_malloc_arenas()  # before the session threads multiply; a no-op after the first run

st.set_page_config(page_title="Community Mental Health Atlas", page_icon=":material/explore:", layout="wide")

if not database_path().exists():
    from core.ingest.build import build

    with st.status("First start: building the atlas database…", expanded=True) as status:
        build(database_path(), progress=st.write)
        status.update(label="Atlas database built", state="complete", expanded=False)

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/map:", default=True, url_path="overview"),
    st.Page("pages/coverage.py", title="Coverage", icon=":material/location_on:", url_path="coverage"),
    st.Page("pages/underserved.py", title="Underserved", icon=":material/target:", url_path="underserved"),
    st.Page("pages/funding.py", title="Funding", icon=":material/payments:", url_path="funding"),
    st.Page("pages/impact.py", title="Impact", icon=":material/trending_up:", url_path="impact"),
    st.Page("pages/inclusion.py", title="Inclusion", icon=":material/diversity_3:", url_path="inclusion"),
    st.Page("pages/volunteers.py", title="Volunteers & partners", icon=":material/volunteer_activism:",
            url_path="volunteers"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("pages/plan.py", title="Plan", icon=":material/explore:", url_path="plan"),
    st.Page("pages/brief.py", title="Neighbourhood brief", icon=":material/description:", url_path="brief"),
    st.Page("pages/data_methods.py", title="Data & methods", icon=":material/menu_book:", url_path="data-methods"),
]

# The Admin page exists only for a signed-in data owner (SECURITY.md); visitors never see it in the navigation.
ADMIN_PAGES = ([st.Page("pages/admin.py", title="Admin", icon=":material/admin_panel_settings:", url_path="admin")]
               if auth.sidebar_sign_in() else [])
st.navigation(PAGES + ADMIN_PAGES).run()
