"""Several cities in one deployment: which city's database this session reads (``?city=``), and the switcher."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.store import db, queries
from core.store.paths import city_databases, database_path

QUERY_KEY = "city"


def current_slug() -> str | None:
    """The session's city: ``?city=`` when it names a built city, else the one this session chose last (a page
    change may drop the query string), else the first; None with a single database."""
    cities = city_databases()
    if not cities:
        return None
    for asked in (st.query_params.get(QUERY_KEY), st.session_state.get("city_chosen")):
        if asked in cities:
            st.session_state["city_chosen"] = asked
            return asked
    return next(iter(cities))


def current_database() -> Path:
    """The database this session reads: its city's, or the one database of a one-city deployment."""
    slug = current_slug()
    return city_databases()[slug] if slug else database_path()


@st.cache_data(show_spinner=False, max_entries=32)
def _city_name(path: str, version: str) -> str:
    con = db.connect(path)
    try:
        return queries.build_info(con).get("city_name") or Path(path).stem
    finally:
        con.close()


def city_names() -> dict[str, str]:
    """Slug → the name each city's pack gives it (read from its database, cached per file version)."""
    return {slug: _city_name(str(p), db.version(p)) for slug, p in city_databases().items()}


def switcher() -> None:
    """A sidebar city switcher, drawn only when the deployment holds more than one city.

    The choice is written to ``?city=``, so a shared link opens the same city (with its page and filters).
    """
    cities = city_databases()
    if len(cities) < 2:
        return
    names = city_names()
    slugs = list(cities)
    current = current_slug()

    def change() -> None:
        st.session_state["city_chosen"] = st.session_state.city_switch
        st.query_params[QUERY_KEY] = st.session_state.city_switch

    st.sidebar.selectbox("City", slugs, slugs.index(current), format_func=names.get, key="city_switch",
                         on_change=change, help="Each city has its own data; the link keeps the city you chose.")
    if st.query_params.get(QUERY_KEY) != current:
        st.query_params[QUERY_KEY] = current
