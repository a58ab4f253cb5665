"""The one place core meets Streamlit: the cached read-only connection and parameter-keyed caches."""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

import streamlit as st

from core.store import db
from core.store.paths import database_path

T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _connection(path: str, version: str):
    # Keyed on the file's version, so a newly published database gets a new connection.
    return db.connect(path, read_only=True)


def connection():
    path = database_path()
    return _connection(str(path), db.version(path))


def data_version() -> str:
    return db.version(database_path())


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
