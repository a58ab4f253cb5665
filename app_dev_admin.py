"""Community Mental Health Atlas: the Streamlit entry point (navigation, first-start build, shared banners)."""

import streamlit as st

from core import auth
from core.paths import database_path

st.set_page_config(page_title="Community Mental Health Atlas", page_icon="🧭", layout="wide")

if not database_path().exists():
    from core.build import build

    with st.status("First start: building the atlas database…", expanded=True) as status:
        build(database_path(), progress=st.write)
        status.update(label="Atlas database built", state="complete", expanded=False)

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon="🗺️", default=True, url_path="overview"),
    st.Page("pages/coverage.py", title="Coverage", icon="📍", url_path="coverage"),
    st.Page("pages/underserved.py", title="Underserved", icon="🎯", url_path="underserved"),
    st.Page("pages/funding.py", title="Funding", icon="💵", url_path="funding"),
    st.Page("pages/impact.py", title="Impact", icon="📈", url_path="impact"),
    st.Page("pages/compare.py", title="Compare", icon="⚖️", url_path="compare"),
    st.Page("pages/plan.py", title="Plan", icon="🧭", url_path="plan"),
    st.Page("pages/brief.py", title="Neighbourhood brief", icon="📄", url_path="brief"),
    st.Page("pages/data_methods.py", title="Data & methods", icon="📚", url_path="data-methods"),
]

# The data owners' sign-in box (nothing shows unless .streamlit/secrets.toml sets up [admin] or [auth]);
# the Admin page exists in the navigation only for a signed-in data owner.
ADMIN_PAGES = [st.Page("pages/admin.py", title="Admin", icon="🔐", url_path="admin")] if auth.sidebar_sign_in() else []
st.navigation(PAGES + ADMIN_PAGES).run()
