"""The server's background warm-up computes exactly the protections the Impact and Volunteers pages then read."""

from __future__ import annotations

import pytest

from core.analysis import reach_counts
from core.serve import warm_up
from core.store import db
from core.views import impact as iv
from core.views import volunteers as vov


def test_pages_read_what_the_warm_up_computed(tiny_db, monkeypatch):
    monkeypatch.setenv("ATLAS_WARM_UP", "1")
    monkeypatch.setattr(warm_up, "_STARTED", {})
    thread = warm_up.start(tiny_db)
    assert thread is not None and warm_up.start(tiny_db) is None  # once per process and database
    thread.join(120)

    def computed_again(*args, **kwargs):
        raise AssertionError("a page computed the Inclusion totals the warm-up had computed")

    monkeypatch.setattr(reach_counts, "inclusion_counts", computed_again)
    con = db.connect(tiny_db, read_only=True)
    try:
        data = iv.impact_data(con)
        assert iv.reach_totals(data) is not None
        iv.views_of(data, iv.ImpactState())
        vov.protection(vov.volunteer_data(con), vov.DEFAULT_QUARTERS)
    finally:
        con.close()


def test_the_tests_turn_it_off(tiny_db):
    assert warm_up.start(tiny_db) is None
    with pytest.raises(FileNotFoundError):
        warm_up.protections(tiny_db.parent / "no-such.duckdb")
