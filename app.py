"""Community Mental Health Atlas: the Streamlit entry point (navigation, first-start build, shared banners)."""

import streamlit as st

from core.serve import auth, city, warm_up
from core.serve.memory import cap_malloc_arenas
from core.store.paths import city_databases, database_path

cap_malloc_arenas()  # before the session threads multiply; a no-op after the first run

# An emoji icon becomes a data: URL; a :material/…: icon would be fetched from fonts.gstatic.com.
st.set_page_config(page_title="Community Mental Health Atlas", page_icon="🧭", layout="wide")

if not database_path().exists() and not city_databases():
    from core.ingest.first_start import build_first_start

    with st.status("First start: building the atlas database…", expanded=True) as status:
        build_first_start(progress=st.write)
        status.update(label="Atlas database built", state="complete", expanded=False)

city.switcher()  # only with more than one city; the choice lives in ?city=
warm_up.start(database_path())  # the shared disclosure protections, in the background, once per process

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/map:", url_path="overview"),
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


def open_overview():
    # Streamlit serves its default page at "/" only, so an Overview that was the default had a link, /overview,
    # that opened on "Page not found". The root is a hidden page that opens the Overview at /overview with the
    # same query, so every page, the first included, has one address that opens it.
    st.switch_page(PAGES[0], query_params={k: st.query_params.get_all(k) for k in st.query_params})


ROOT = st.Page(open_overview, title="Overview", default=True, visibility="hidden", url_path="start")

# The Admin page exists only for a signed-in data owner (SECURITY.md); visitors never see it in the navigation.
ADMIN_PAGES = ([st.Page("pages/admin.py", title="Admin", icon=":material/admin_panel_settings:", url_path="admin")]
               if auth.sidebar_sign_in() else [])
st.navigation([ROOT, *PAGES, *ADMIN_PAGES]).run()
