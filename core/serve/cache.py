"""The one place core meets Streamlit: the cached read-only connection and parameter-keyed caches."""

from __future__ import annotations

import collections
import dataclasses
import functools
import hashlib
import os
import pickle
import threading
from typing import Callable, TypeVar

import numpy as np
import pandas as pd
import streamlit as st

from core.serve.city import current_database
from core.serve.tables import neutralised_styler
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


CHECK_SHARED_ENV = "ATLAS_CHECK_SHARED"
"""Set to 1 (the tests do) to fingerprint every shared result and raise :class:`SharedResultChanged` if a caller
changed one in place."""
_FINGERPRINTS: dict[int, tuple[object, bytes]] = {}
_FINGERPRINTS_LOCK = threading.Lock()


class SharedResultChanged(AssertionError):
    """A page or view changed, in place, a cached result that every session shares."""


def _fingerprint(value, h) -> None:
    # By content, not by pickle: pandas may consolidate a frame's internal blocks in place on a read, which changes
    # its pickle but none of its values.
    if isinstance(value, pd.DataFrame):
        h.update(repr((list(value.columns), [str(t) for t in value.dtypes], value.shape)).encode())
        _fingerprint(value.index, h)
        for i in range(value.shape[1]):
            _fingerprint(value.iloc[:, i], h)
    elif isinstance(value, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        # An extension array (Int64, Float64, string) by its values too: its pickle can change when pandas reads it
        # (a cast of the same array gave another pickle, values unchanged).
        if isinstance(value, pd.api.extensions.ExtensionArray):
            value = pd.Series(value, copy=False)
        try:
            h.update(pd.util.hash_pandas_object(value, index=False).to_numpy().tobytes())
        except TypeError:  # cells pandas cannot hash (lists, dicts)
            h.update(pickle.dumps(list(value), protocol=5))
    elif isinstance(value, np.ndarray):
        h.update(repr((value.dtype.str, value.shape)).encode())
        h.update(pickle.dumps(value.tolist(), protocol=5) if value.dtype == object else
                 np.ascontiguousarray(value).tobytes())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.metadata.get("memo"):  # a field that memoises results by design (e.g. ImpactData.protected)
                continue
            h.update(f.name.encode())
            _fingerprint(getattr(value, f.name, None), h)
    elif isinstance(value, dict):
        for k, v in value.items():
            h.update(repr(k).encode())
            _fingerprint(v, h)
    elif isinstance(value, (list, tuple)):
        h.update(f"{type(value).__name__}{len(value)}".encode())
        for v in value:
            _fingerprint(v, h)
    else:
        h.update(pickle.dumps(value, protocol=5))


def _checked(label: str, value: T) -> T:
    # Shared results are read only. A page that changed one would change it for every reader, so under the tests
    # each one is fingerprinted when first seen and compared at every later use.
    if os.environ.get(CHECK_SHARED_ENV) != "1":
        return value
    h = hashlib.blake2b()
    try:
        _fingerprint(value, h)
    except (pickle.PicklingError, TypeError, AttributeError):
        return value
    digest = h.digest()
    with _FINGERPRINTS_LOCK:
        seen = _FINGERPRINTS.get(id(value))
        if seen is None or seen[0] is not value:
            _FINGERPRINTS[id(value)] = (value, digest)  # the reference keeps the id from being reused
        elif seen[1] != digest:
            raise SharedResultChanged(f"{label}: a shared cached result was changed in place; copy it first")
    return value


def view(fn: Callable[..., T]) -> Callable[..., T]:
    """Cache ``fn(con, *args)`` once per database version and arguments, one object shared by every session.

    Results are read only: a caller that needs to change one copies it first (pandas' copy-on-write makes every
    derived frame a copy already). Sharing, rather than a copy per session as ``st.cache_data`` gives, is what
    keeps a worker's memory flat as sessions grow: each session keeps its page's last run alive (its widgets'
    callbacks and fragments hold the page's names), and 15 MB of copies per session was most of a worker's memory.
    """
    cached = _versioned(fn, st.cache_resource(show_spinner=False, max_entries=256), "view")
    label = f"view {fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def call(*args, **kwargs):
        return _checked(label, cached(*args, **kwargs))

    return call


def model(fn: Callable[..., T]) -> Callable[..., T]:
    """Cache an immutable analysis model ``fn(con, *args)`` once per database version, shared by all sessions.

    Like :func:`view`, but for the few large models a page hands to :func:`computed` (hashed by identity there),
    so at most eight are kept.
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


class FrozenDeck:
    """A pydeck map reduced to what ``st.pydeck_chart`` reads: its JSON and tooltip, computed once.

    Serialising a deck of the city's polygons to JSON is the costliest part of drawing a map page; a frozen
    deck holds only immutable text, so one copy serves every session.
    """

    mapbox_key = None
    deck_widget = None
    layers = ()  # read by Streamlit's pandas-3 workaround, which has nothing to convert here

    def __init__(self, deck):
        self._json = deck.to_json()
        self._tooltip = getattr(deck, "_tooltip", None)

    def to_json(self) -> str:
        return self._json


def _freeze_styler(styler):
    # Streamlit draws a Styler by computing every cell's CSS and display text (_compute, then _translate):
    # the costliest part of a table page. Done once here; the styler is never changed after this, only read.
    styler._compute()
    translated = styler._translate(False, False)
    styler._compute = lambda: styler
    styler._translate = lambda *args, **kwargs: translated
    styler.atlas_frozen = True
    return styler


def _freeze(value):
    from pandas.io.formats.style import Styler
    from pydeck import Deck

    if isinstance(value, Deck):
        return FrozenDeck(value)
    if isinstance(value, Styler):
        # Neutralised before its cells are drawn once for every session (core.serve.tables).
        return _freeze_styler(neutralised_styler(value))
    if isinstance(value, tuple):
        return tuple(_freeze(v) for v in value)
    return value


_RENDERED: "collections.OrderedDict[tuple, object]" = collections.OrderedDict()
_RENDERED_LOCK = threading.Lock()
RENDERED_MAX = 64  # a city map's JSON is about 300 kB: at most ~20 MB per process


def rendered(name: str, key: tuple, build: Callable[[], T]) -> T:
    """``build()``'s map or styled table, made once per database version and ``key``, then shared by every session.

    ``key`` must hold every choice the result depends on (the page's filter state); ``build`` is called only on a
    miss. Maps come back frozen to their JSON (:class:`FrozenDeck`) and Stylers with their cell styles computed,
    so a rerun with the same filters, or another session with the same filters, draws them without rebuilding.
    Strings, frozen decks and frozen stylers are only read afterwards; anything else ``build`` returns (a legend's
    HTML) must be immutable too. At most :data:`RENDERED_MAX` entries are kept, least recently used first out.
    """
    full = (data_version(), name, key)
    with _RENDERED_LOCK:
        if full in _RENDERED:
            _RENDERED.move_to_end(full)
            return _RENDERED[full]  # type: ignore[return-value]
    value = _freeze(build())
    with _RENDERED_LOCK:
        _RENDERED[full] = value
        while len(_RENDERED) > RENDERED_MAX:
            _RENDERED.popitem(last=False)
    return value


@st.cache_resource(show_spinner=False, max_entries=256)
def _by_key(version: str, name: str, key: tuple, _build: Callable[[], T]) -> T:
    return _build()  # ``_build`` is not hashed (leading underscore): ``name`` and ``key`` identify the result


def keyed(name: str, key: tuple, build: Callable[[], T]) -> T:
    """``build()``'s result, cached on the database version, ``name`` and ``key`` alone, shared by every session.

    For results computed from large inputs (the funding tables, a shared model) that a few choices determine:
    hashing the inputs on every rerun costs nearly as much as computing. ``key`` must hold every choice the
    result depends on. Read only, as :func:`view`'s results are.
    """
    return _checked(f"keyed {name}", _by_key(data_version(), name, key, build))


def ensure_navigation() -> None:
    """Make a deep link to a page run through app.py's ``st.navigation``, even on a fresh `streamlit run` server.

    Streamlit still treats a ``pages/`` folder as the old (v1) multipage layout until some session calls
    ``st.navigation``: until then a link such as ``/coverage`` runs ``pages/coverage.py`` on its own, without
    app.py's page config, navigation or first-start build. Each page calls this first; on that first v1 run it
    switches Streamlit to the ``st.navigation`` layout and reruns, so app.py takes over. Afterwards it is a no-op.
    `atlas serve` starts its workers through :mod:`core.serve.worker`, which never enters the v1 layout at all.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
