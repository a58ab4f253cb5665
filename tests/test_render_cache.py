"""The rerun caches: a map frozen to its JSON, a styled table computed once, results keyed on the page's choices
and on the published database, so a new database is never drawn from an old cache."""

from __future__ import annotations

import os
import re

import pandas as pd
import pytest

from core.serve import cache
from core.views import impact as iv
from core.views import maps


@pytest.fixture
def areas():
    square = '{"type":"Polygon","coordinates":[[[-87.7,41.8],[-87.6,41.8],[-87.6,41.9],[-87.7,41.8]]]}'
    return pd.DataFrame({"geometry_simplified": [square]})


def test_a_frozen_deck_draws_as_the_deck_did(areas):
    deck = maps.deck([], areas, "<b>{name}</b>")
    frozen = cache.FrozenDeck(deck)
    assert frozen.to_json() == deck.to_json()
    assert frozen._tooltip == deck._tooltip


def test_rendered_builds_once_per_key_and_per_database(use_db, areas, tmp_path):
    built = []

    def build():
        built.append(1)
        return maps.deck([], areas, "{name}"), "<legend>"

    first = cache.rendered("test.map", ("a",), build)
    again = cache.rendered("test.map", ("a",), build)
    assert len(built) == 1 and again is first
    assert isinstance(first[0], cache.FrozenDeck) and first[1] == "<legend>"
    cache.rendered("test.map", ("b",), build)
    assert len(built) == 2
    # Publishing a new database (os.replace gives a new inode) changes the version, so the cache misses.
    new = tmp_path / "new.duckdb"
    new.write_bytes(use_db.read_bytes())
    os.replace(new, use_db)
    cache.rendered("test.map", ("a",), build)
    assert len(built) == 3


def test_a_frozen_styler_shows_the_same_cells(use_db):
    table = pd.DataFrame({"Area": ["A", "B"], "Participants": [40, "<11"]})
    plain = re.sub(r"T_\w+", "T", iv.styled(table).to_html())  # each styler has its own random id
    frozen = cache.rendered("test.table", (1,), lambda: iv.styled(table))
    assert re.sub(r"T_\w+", "T", frozen.to_html()) == plain
    assert "&lt;11" in plain or "<11" in plain


def test_keyed_shares_one_result_and_the_check_catches_a_caller_that_changes_it(use_db, monkeypatch):
    monkeypatch.setenv(cache.CHECK_SHARED_ENV, "1")
    calls = []

    def build():
        calls.append(1)
        return pd.DataFrame({"x": [1, 2]})

    one = cache.keyed("test.frame", ("k",), build)
    two = cache.keyed("test.frame", ("k",), build)
    assert len(calls) == 1 and two is one  # one object for every session: no copy each
    one.loc[0, "x"] = 99  # a session changing what everyone shares
    with pytest.raises(cache.SharedResultChanged, match="test.frame"):
        cache.keyed("test.frame", ("k",), build)


def test_the_check_reads_extension_arrays_by_their_values(use_db, monkeypatch):
    # An Int64 array in a shared result (the funding metrics hold one): the same values in another memory layout
    # fingerprint alike, and a value changed in place is caught.
    monkeypatch.setenv(cache.CHECK_SHARED_ENV, "1")
    values = pd.array([10, 6, None, 4], dtype="Int64")
    strided = pd.array([10, 0, 6, 0, None, 0, 4, 0], dtype="Int64")[::2]

    def digest(array):
        h = cache.hashlib.blake2b()
        cache._fingerprint({"runway_months": array}, h)
        return h.digest()

    assert digest(values) == digest(strided)
    shared = cache.keyed("test.metrics", ("k",), lambda: {"runway_months": pd.array([10, 6, None, 4], dtype="Int64")})
    shared["runway_months"][0] = 11
    with pytest.raises(cache.SharedResultChanged, match="test.metrics"):
        cache.keyed("test.metrics", ("k",), lambda: None)
