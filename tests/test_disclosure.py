"""Linked-set protection on small sets whose every bound is worked out by hand."""

from __future__ import annotations

import numpy as np

from core.analysis import disclosure


def cells(*atoms):
    return [np.array(a) for a in atoms]


def test_a_set_without_links_hides_only_the_small_cells():
    primary, secondary = disclosure.protect(cells([0], [1], [2]), [4, 30, 0])
    assert primary.tolist() == [True, False, False] and not secondary.any()


def test_a_hidden_area_that_the_quarter_totals_give_back_takes_a_quarter_with_it():
    # Areas A (4 = 4 + 0) and B (30 = 15 + 15) over quarters Q1 (19) and Q2 (15). With A alone hidden,
    # A = Q1 + Q2 - B = 4. Q1 and Q2 share A's atoms; Q2 (15) is the smaller: hiding it leaves A anywhere in 1-10
    # (a1 = 19 - b1 with b1 free in 9..15 given B, a2 free).
    primary, secondary = disclosure.protect(cells([0, 1], [2, 3], [0, 2], [1, 3]), [4, 30, 19, 15])
    assert primary.tolist() == [True, False, False, False]
    assert secondary.tolist() == [False, False, False, True]


def test_two_small_areas_in_one_known_total_are_not_enough():
    # A (3) and B (4) hidden, C (30) shown, and the quarter total 37 published: A + B = 7, so A <= 6 though its
    # marker says up to 10. Of the shown cells only the total shares A's figure, so it goes ("suppressed"), and
    # then A can be anything from 1 to 10.
    primary, secondary = disclosure.protect(cells([0], [1], [2], [0, 1, 2]), [3, 4, 30, 37])
    assert primary.tolist() == [True, True, False, False]
    assert secondary.tolist() == [False, False, False, True]
    m = disclosure._membership(cells([0], [1], [2], [0, 1, 2]))
    assert disclosure.exposed(m, np.array([3.0, 4, 30, 37]), primary, primary | secondary) == []


def test_a_small_cell_adding_up_two_small_cells_is_shown_suppressed():
    # P = a + b (5 = 3 + 2) and the quarters a (3) and b (2) are all 1-10. With every marker "<11", P <= 10 and
    # b >= 1 give a <= 9: a's marker would say more than "<11". Nothing non-zero is left to hide, so P is shown
    # "suppressed" (no "at most 10"), and a and b stay "<11".
    primary, secondary = disclosure.protect(cells([0, 1], [0], [1]), [5, 3, 2])
    assert primary.tolist() == [False, True, True]
    assert secondary.tolist() == [True, False, False]


def test_cells_another_page_publishes_are_held_fixed_and_their_small_cells_protected():
    # Areas A (4 = 4 + 0) and B (30 = 15 + 15) over quarters Q1 (19) and Q2 (15), as above; another page publishes
    # B's first quarter (15) and A's first quarter ("<11"). Hiding Q2 protects A, but Q1 minus B's first quarter
    # would give the other page's "<11" back: Q1 goes too. The other page's cells are neither hidden nor re-marked.
    fixed = [False] * 4 + [True, True]
    primary, secondary = disclosure.protect(cells([0, 1], [2, 3], [0, 2], [1, 3], [2], [0]), [4, 30, 19, 15, 15, 4],
                                            fixed=fixed)
    assert primary.tolist() == [True, False, False, False, False, True]
    assert secondary.tolist() == [False, False, True, True, False, False]
    # Without the other page's cells, Q2 alone was enough.
    primary, secondary = disclosure.protect(cells([0, 1], [2, 3], [0, 2], [1, 3]), [4, 30, 19, 15])
    assert secondary.tolist() == [False, False, False, True]


def test_a_hidden_cell_the_published_cells_pin_is_shown_after_all():
    # A (4), B (30), C (16) and their total T (50); another page publishes B (30). B, hidden by the table's own rule,
    # is pinned by the other page: hiding it protects nothing, so it is shown. A would be T - B - C: T goes.
    primary, secondary = disclosure.protect(cells([0], [1], [2], [0, 1, 2], [1]), [4, 30, 16, 50, 30],
                                            also_hidden=[False, True, False, False, False],
                                            fixed=[False, False, False, False, True])
    assert primary.tolist() == [True, False, False, False, False]
    assert secondary.tolist() == [False, False, False, True, False]


def test_an_other_pages_small_cell_left_out_of_the_targets_costs_this_page_nothing():
    # The other page publishes X (4, "<11") and its own Y (30) and X + Y (34): X is pinned there, whatever this page
    # does. Left out of the targets, this page's cells (P = X + Z, 60) stay shown; as a target, P would be hidden
    # in vain.
    set_ = cells([0], [1], [0, 1], [0, 2])
    values = [4, 30, 34, 60]
    fixed = [True, True, True, False]
    primary, secondary = disclosure.protect(set_, values, fixed=fixed, targets=[False, False, False, True])
    assert primary.tolist() == [True, False, False, False] and not secondary.any()
    assert disclosure.audit(set_[:3], values[:3], [True, False, False]) == [0]
    primary, secondary = disclosure.protect(set_, values, fixed=fixed)
    assert secondary.tolist() == [False, False, False, True]


def _random_set(rng):
    """Areas by quarters of one programme-quarter figure each, published as area totals, quarter totals, the city's
    total and some single area-quarters; many of them 1-10. Some area-quarters are another page's (fixed)."""
    areas, quarters = int(rng.integers(2, 7)), int(rng.integers(2, 5))
    atoms = np.arange(areas * quarters).reshape(areas, quarters)
    x = rng.choice([0, 0, 1, 2, 3, 5, 8, 12, 20, 40], size=atoms.shape)
    cells = [atoms[a] for a in range(areas)] + [atoms[:, q] for q in range(quarters)] + [atoms.ravel()]
    singles = [(a, q) for a in range(areas) for q in range(quarters) if rng.random() < 0.25]
    cells += [np.array([atoms[a, q]]) for a, q in singles]
    values = [float(x.ravel()[c].sum()) for c in cells]
    fixed = np.array([False] * (len(cells) - len(singles)) + [bool(rng.random() < 0.5) for _ in singles])
    return cells, values, fixed


def test_a_total_read_back_only_to_a_range_gives_back_less():
    # A (4) hidden, B (30) and their total (34) shown: the total minus B gives A back, so the total (the one cell
    # sharing A's figure) goes too. Where the total can be read back only as 24-44, A = total - B lies anywhere in
    # 1-10: nothing more is hidden.
    exact = disclosure.protect(cells([0], [1], [0, 1]), [4, 30, 34])
    ranged = disclosure.protect(cells([0], [1], [0, 1]), [4, 30, 34],
                                ranges=(np.array([np.nan, np.nan, 24.0]), np.array([np.nan, np.nan, 44.0])))
    assert exact[1].tolist() == [False, False, True]
    assert ranged[0].tolist() == [True, False, False] and not ranged[1].any()
    # Read back to 30-38, A lies in 1-8: it cannot reach 10, so the total goes again.
    narrow = disclosure.protect(cells([0], [1], [0, 1]), [4, 30, 34],
                                ranges=(np.array([np.nan, np.nan, 30.0]), np.array([np.nan, np.nan, 38.0])))
    assert narrow[1].tolist() == [False, False, True]


def test_the_persistent_model_hides_exactly_what_linprog_did():
    # One HiGHS model per set, each bound solved from the last basis, against the same audit with every program
    # built and solved anew by scipy's linprog (tests/oracles): the same cells hidden, the same markers.
    from tests.oracles import disclosure_reference as slow

    rng = np.random.default_rng(13)
    compared = hidden = 0
    for _ in range(60):
        cells_, values, fixed = _random_set(rng)
        # Some shown cells read back only to a range around their value (as a rounded share tells its total).
        spread = np.where(rng.random(len(values)) < 0.3, rng.integers(0, 6, len(values)), -1).astype(float)
        ranges = (np.where(spread >= 0, np.asarray(values) - spread, np.nan),
                  np.where(spread >= 0, np.asarray(values) + spread, np.nan))
        for kwargs in ({}, {"fixed": fixed}, {"ranges": ranges}):
            fast = disclosure.protect(cells_, values, **kwargs)
            oracle = slow.protect(cells_, values, **kwargs)
            assert fast[0].tolist() == oracle[0].tolist() and fast[1].tolist() == oracle[1].tolist(), (cells_, values)
            compared += 1
            hidden += int(fast[1].sum())
    assert compared == 180 and hidden > 30   # the sets do make the audit hide more than the small cells


def test_every_bound_gets_an_answer_where_primal_simplex_gives_none():
    # A property test (test_volunteer_rates_give_away_no_small_count) found this program: one share's counts over two
    # windows and their sums, every cell hidden. HiGHS's primal simplex, which the model solves by, ended two of these
    # five solves "Unknown" (the first, and the last from the basis the others left); each must be answered, and as
    # linprog answers it building the program anew (tests/oracles).
    from scipy import sparse

    from tests.oracles.disclosure_reference import LinprogProgram

    rows = [[1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 1, 1]] * 2
    m = sparse.csr_matrix(np.array(rows + [[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 1, 1]], dtype=float))
    values = np.array([16, 2, 18, 2, 1, 3, 16, 2, 18, 2, 1, 3, 18, 3, 21], dtype=float)
    hidden = np.ones(len(values), bool)
    capped = (values < 11) & (np.arange(len(values)) != 13)
    before = capped | (np.arange(len(values)) == 13)
    steps = [(before, [0, -3, -4, -5], 1e6), (before, [0, -1, 0, 0], None), (capped, [0, -1, 0, 0], None),
             (capped, [0, 1, 0, 0], None), (capped, [0, 0, -1, 0], None)]
    model, oracle = disclosure._Program(m), LinprogProgram(m)
    for marks, cost, box in steps:
        got = model.publish(values, marks, hidden).minimum(np.array(cost, dtype=float), box)
        want = oracle.publish(values, marks, hidden).minimum(np.array(cost, dtype=float), box)
        assert got[0] == want[0] == "optimal", (cost, got[0], want[0])
        assert abs(got[1] - want[1]) < 1e-6, (cost, got[1], want[1])
