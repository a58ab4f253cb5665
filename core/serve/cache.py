"""The one place core meets Streamlit: the cached read-only connection and parameter-keyed caches."""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

import streamlit as st

from core.serve.city import current_database
from core.store import db

T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _connection(path: str, version: str):
    # Keyed on the file's version, so a newly published database gets a new connection.
    return db.connect(path, read_only=True)


def connection():
    path = current_database()
    return _connection(str(path), db.version(path))


def data_version() -> str:
    # The path is part of the version, so two cities' databases never share a cache entry.
    path = current_database()
    return f"{path}:{db.version(path)}"


def _versioned(fn: Callable[..., T], decorator, kind: str, with_connection: bool = True) -> Callable[..., T]:
    """Wrap ``fn(con, *args)`` (or ``fn(*args)``) in a Streamlit cache keyed on the database version and arguments."""

    def inner(version: str, *args, **kwargs):
        return fn(connection(), *args, **kwargs) if with_connection else fn(*args, **kwargs)

    # Streamlit keys a cache on the function's module and qualified name, so each wrapped fn needs its own.
    inner.__qualname__ = f"{kind}.{fn.__module__}.{fn.__qualname__}"
    inner.__module__ = fn.__module__
    cached = decorator(inner)

    @functools.wraps(fn)
    def call(*args, **kwargs):
        return cached(data_version(), *args, **kwargs)

    return call


def view(fn: Callable[..., T]) -> Callable[..., T]:
    """Cache ``fn(con, *args)`` with ``st.cache_data``: each session gets its own copy of the result."""
    return _versioned(fn, st.cache_data(show_spinner=False, max_entries=256), "view")


def model(fn: Callable[..., T]) -> Callable[..., T]:
    """Cache an immutable analysis model ``fn(con, *args)`` once per database version, shared by all sessions.

    Only for objects no caller mutates (read-only numpy arrays and frames that ``compute`` functions copy
    before returning); query results and anything a page may change go through :func:`view` instead.
    """
    return _versioned(fn, st.cache_resource(show_spinner=False, max_entries=8), "model")


def computed(fn: Callable[..., T]) -> Callable[..., T]:
    """Cache a pure computation ``fn(*args)`` with ``st.cache_data``, per database version and arguments.

    For functions handed a shared model from :func:`model` (kept once per database version, so keyed by
    identity rather than hashed field by field) together with small choices, such as a funding scenario.
    """
    from core.analysis.coverage import CoverageModel

    decorator = st.cache_data(show_spinner=False, max_entries=128, hash_funcs={CoverageModel: id})
    return _versioned(fn, decorator, "computed", with_connection=False)


def ensure_navigation() -> None:
    """Make a deep link to a page run through app.py's ``st.navigation``, even on a fresh server.

    Streamlit still treats a ``pages/`` folder as the old (v1) multipage layout until some session calls
    ``st.navigation``: until then a link such as ``/coverage`` runs ``pages/coverage.py`` on its own, without
    app.py's page config, navigation or first-start build. Each page calls this first; on that first v1 run it
    switches Streamlit to the ``st.navigation`` layout and reruns, so app.py takes over. Afterwards it is a no-op.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
