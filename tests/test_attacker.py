"""No hidden inventory count can be narrowed by setting one published figure against the others (issue 13).

The attacker (tests/attacker.py) gathers everything a visitor can download for a random filter state (Impact,
Funding, Data & methods, Inclusion, Volunteers & partners and a sample of neighbourhood briefs) and bounds every
hidden cell by linear program, as τ-ARGUS and sdcTable audit a suppressed table.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from core.analysis import disclosure
from core.analysis import inclusion_disclosure as idc
from core.analysis import volunteer_disclosure as vvd
from core.views import impact as iv
from core.views import inclusion as incv
from core.views import methods
from core.views import volunteers as vov
from tests import attacker as at

STATES = 100  # per database: 200 over Chicago and the demo


def _audit(path, seed, n=STATES, reach=True, max_targets=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return at.audit(con, n, seed, max_targets=max_targets, reach=reach)
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.parametrize("db", ["atlas_db", "demo_db"])
def test_no_hidden_cell_can_be_narrowed_in_random_filter_states(db, request):
    # Every page read in each state (Impact, Funding, Data & methods, Inclusion, Volunteers, briefs), every hidden
    # cell bounded. The Impact states are those an audit of Impact alone would draw (the same seed and stream).
    found = _audit(request.getfixturevalue(db), seed=13)
    assert not found, "\n".join(f"state {k}: {e.source} {e.text} in [{e.low:g}, {e.high:g}]" for k, e in found[:10])


def _every_inclusion_state(path) -> list:
    """The attacker's bounds with every group's shares over every window read together."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        inv = at.inventory(con)
        together = at.Published()
        for g in incv.GROUP_KEYS:
            together.cells += at.inclusion_windows(inv, g).cells
    finally:
        con.close()
    return at.attack(together)


@pytest.mark.slow
@pytest.mark.parametrize("db", ["atlas_db", "demo_db"])
def test_no_inclusion_share_can_be_narrowed_across_all_groups_and_windows(db, request, monkeypatch):
    # A visitor can read every group's shares over 1, 2, 4 and 8 quarters, and a share's participants are the same
    # in every group: every hidden share bounded by all of them at once. (With each group protected apart, this
    # finds 8 on Chicago: `bench/inclusion_groups.py --groups-apart`; tests/test_inclusion_groups.py holds the
    # attacker to finding such shares on small inventories.)
    monkeypatch.setattr(at, "SOLVE_SECONDS", 60)   # the one model of every state is larger than the others
    found = _every_inclusion_state(request.getfixturevalue(db))
    assert not found, "\n".join(f"{e.source} {e.text} in [{e.low:g}, {e.high:g}]" for e in found[:10])


@pytest.mark.slow
@pytest.mark.usefixtures("fresh_protections")
def test_protecting_each_window_on_its_own_leaves_shares_to_narrow(atlas_db, monkeypatch):
    # Each window's shares protected as their own linked set (as before): set against the other windows', some
    # hidden share is narrowed. Else the test above would prove nothing.
    solved: dict = {}

    def each_window_alone(data, group, quarters):
        # Remembered as the product remembers its own (the citywide table asks for every group in each window).
        key = (id(data.periods), group, quarters)
        if key not in solved:
            solved[key] = idc.hidden_shares(data.programs, data.periods, group, quarters)
        return solved[key]

    monkeypatch.setattr(incv, "protection", each_window_alone)
    con = duckdb.connect(str(atlas_db), read_only=True)
    try:
        inv = at.inventory(con)
        found = []
        for g in incv.GROUP_KEYS:   # up to the first group with an exposure (one is enough)
            found = at.attack(at.inclusion_windows(inv, g))
            if found:
                break
    finally:
        con.close()
    assert found and all(e.source.startswith("inclusion ") for e in found)


def test_highs_and_cbc_find_the_same_bounds_on_a_small_case():
    # Two areas over two quarters, A hidden "<11", Q2 "suppressed": both solvers, one target at a time.
    cells = [at.Cell("A", [0, 1], "<11"), at.Cell("B", [2, 3], "30"), at.Cell("Q1", [0, 2], "19"),
             at.Cell("Q2", [1, 3], "suppressed"), at.Cell("B share", [2, 3], "relation", [1.0, -0.5], 0.0, None)]
    for target in (cells[0], cells[3]):
        (_, lo1, hi1), = at._bounds(cells, [target])
        (_, lo2, hi2), = at._bounds_highs(cells, [target])
        assert (lo1, hi1) == pytest.approx((lo2, hi2))
    assert at._bounds_highs(cells, [cells[0]])[0][1:] == pytest.approx((1.0, 10.0))


def _helplines(con, inv):
    """The audit's filter state: helplines only, the latest two quarters (a hidden area next to a complement)."""
    return iv.ImpactState(types=("helpline",), quarters=2, measure=inv.data.measures[0]), ("helpline",)


@pytest.mark.usefixtures("fresh_protections")  # what it computes with the protection taken away stays here
def test_the_attacker_finds_the_audits_four_attacks_when_the_protection_is_taken_away(atlas_db, monkeypatch):
    # The downloads and the per-table suppression as they were before the linked-set protection: the attacker
    # must find each kind of exposure the audit found, or its passing above would prove nothing.
    monkeypatch.setattr(iv, "reach_totals", lambda data: None)   # no cross-page set either
    monkeypatch.setattr(methods, "WITHHELD_TABLES", ())
    monkeypatch.setattr(methods, "WITHHELD_COLUMNS", {})
    monkeypatch.setattr(disclosure, "protect", lambda cells, values, also_hidden=None, **_: (
        (np.asarray(values) > 0) & (np.asarray(values) < 11),
        np.zeros(len(values), bool) if also_hidden is None else np.asarray(also_hidden, bool)))
    con = duckdb.connect(str(atlas_db), read_only=True)
    try:
        inv = at.inventory(con)
        state, types = _helplines(con, inv)
        found = at.attack(at.gather(con, inv, state, types))
        more = at.audit(con, 6, seed=13, max_targets=None, reach=False)
    finally:
        con.close()
    kinds = " | ".join(at.kinds([(0, e) for e in found] + more))
    assert "impact area" in kinds                      # 1. a hidden area: trend total minus the shown areas
    assert "program_period.csv" in kinds and "participants" in kinds   # 2. programme-quarter participants
    assert "n_pre_post" in kinds or "impact programme" in kinds        # 3. a hidden quarter's pre/post n
    assert "funding volunteers" in kinds or "volunteer_count" in kinds  # 4. volunteers read from program.csv


def test_the_attacker_reads_the_reach_pages_right(atlas_db):
    # Every constraint it takes from the pages holds for the true inventory: else its bounds would prove nothing.
    con = duckdb.connect(str(atlas_db), read_only=True)
    try:
        inv = at.inventory(con)
        true = at.truth(inv)
        for (state, types), reach in zip(at.random_states(inv, 3, 5), at.reach_states(inv, 3, 5)):
            assert not at.violations(at.gather(con, inv, state, types, reach), true)
    finally:
        con.close()


def test_the_attacker_finds_the_reach_pages_exposures_when_their_protection_is_taken_away(atlas_db, monkeypatch):
    # Inclusion shares by the primary rule only (each table on its own) and Volunteers area rates whatever their
    # programmes hide, as before the linked protection: the attacker must find both kinds of differencing.
    monkeypatch.setattr(incv, "protection", lambda data, group, quarters: {"programme": {}, "area": {}, "city": ""})
    # Volunteers rates by programme and by area, each hidden by its own counts only (no linked set).
    monkeypatch.setattr(vvd, "PUBLISHED_LEVELS", ("programme", "area"))
    monkeypatch.setattr(vov, "protection", lambda data, quarters: _primary_only(
        vvd.hidden_rates(data.programs, data.periods, quarters, ("programme", "area"))))
    con = duckdb.connect(str(atlas_db), read_only=True)
    try:
        found = at.audit(con, 2, seed=13, max_targets=80)
    finally:
        con.close()
    kinds = " | ".join(at.kinds(found))
    assert "inclusion programme" in kinds        # a programme's hidden group share: its area's minus the others'
    assert "volunteers programme" in kinds       # a programme's hidden volunteer rate, likewise


def _primary_only(codes: dict) -> dict:
    """Rates hidden where a count of their own is 1-10 ("<11"), nothing withheld: each table on its own."""
    return {rate: {level: {k: ("small" if c == "small" else "") for k, c in by.items()} for level, by in levels.items()}
            for rate, levels in codes.items()}


def _pair(inv, n, k):
    """The k-th of n random states of the audit (seed 13): an Impact state, its Funding types and a reach state."""
    state, types = at.random_states(inv, n, 13)[k]
    return state, types, at.reach_states(inv, n, 13)[k]


def test_the_attacker_finds_the_cross_page_exposures_when_the_fixed_totals_are_taken_away(atlas_db, monkeypatch):
    # Impact and Volunteers protected without the participant totals Inclusion's shares give away (each page's
    # linked set on its own, as before): the attacker must find what setting the pages against each other gives.
    con = duckdb.connect(str(atlas_db), read_only=True)
    try:
        inv = at.inventory(con)
        state, types, reach = _pair(inv, 30, 24)
        assert not at.attack(at.gather(con, inv, state, types, reach))   # protected: nothing (as in the audit)
        monkeypatch.setattr(iv, "reach_totals", lambda data: None)
        inv = at.inventory(con)   # a new Impact memo, so the state is protected again
        impact_only = at.attack(at.gather(con, inv, state, types, reach))
        # Volunteers' rates by area, protected without Inclusion's totals.
        monkeypatch.setattr(vov, "protection", lambda data, quarters: vvd.hidden_rates(
            data.programs, data.periods, quarters, vvd.PUBLISHED_LEVELS))
        inv = at.inventory(con)
        state, types, reach = _pair(inv, 20, 0)
        volunteers = at.attack(at.gather(con, inv, state, types, reach))
    finally:
        con.close()
    assert impact_only, "Impact without Inclusion's totals: an exposure expected"
    assert "inclusion programme" in " | ".join(at.kinds([(0, e) for e in volunteers]))  # two programmes' "<11"
    # n, each at most 9 since their area's Volunteers base is "<11"
