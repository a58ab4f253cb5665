"""Small-number protection of a linked set of published cells, checked by linear program (τ-ARGUS-style audit).

A linked set is every published count of people that shares an underlying figure: each cell adds up some of the
inventory's finest figures ("atoms": one programme's participants in one quarter, say), and the same atom sits in
several cells (an area's total over the window and the quarter's total over all areas). Suppressing each table on
its own is not enough: the area table's "<11" cell can be the difference of the trend totals and the shown areas.

:func:`protect` hides every cell of 1-10 people (primary suppression, shown "<11"), then audits the set the way
τ-ARGUS and sdcTable do (Hundepool et al. 2012, *Statistical Disclosure Control*, §4.3 and §5.3 on protection
intervals and the audit): with every shown cell an equality, every "<11" cell between 1 and 10 and every other
hidden cell at least 1, it solves for the smallest and largest value each "<11" cell can take. Where that range does
not reach 10 or spans less than 5 (:data:`WIDTH`), one more cell sharing its atoms is hidden (secondary
suppression, shown "suppressed"; the smallest non-zero one, which costs the reader least), and the audit runs again
until no cell can be narrowed.

Cells another page publishes on the same figures join the set as fixed cells (``fixed``): this page cannot hide
them, so it protects their "<11" cells and its own by hiding more of its own, as a table linked to tables already
published is protected (Hundepool et al. 2012, ch. 4 on linked tables). A hidden cell the published cells pin to
one value is then shown: hiding it protects nothing.
"""

from __future__ import annotations

import os
import sys
import threading

import highspy
import numpy as np
from scipy import sparse

from core.analysis.suppression import MIN_CELL

LOW, HIGH = 1.0, float(MIN_CELL - 1)
WIDTH = 5.0
"""The protection interval of a "<11" cell: whatever else is published, it must still be able to be 10 (no one can
prove it smaller than its marker says), and the values it can take must span at least 5 (of the marker's 1-10), so
that it is never pinned to a value or a narrow band. Requiring all of 1-10 cannot be met in general: a hidden cell
that adds up two other hidden cells is at least 2 from their markers alone."""
_TOL = 1e-6
_BOX = 1e6   # each unknown's bound in the programs that look for witnesses only
_DENSE = 200_000   # a set of at most this many cells x atoms is also held dense (see _Program.rows)
_DUAL, _PRIMAL = 1, 4   # HiGHS's simplex_strategy values


def _membership(cells: list[np.ndarray], weights: list | None = None) -> sparse.csr_matrix:
    flat = [np.asarray(c, dtype=np.int64) for c in cells]
    atoms = np.unique(np.concatenate(flat)) if cells else np.zeros(0, int)
    rows = np.repeat(np.arange(len(cells)), [len(c) for c in cells])
    cols = np.searchsorted(atoms, np.concatenate(flat)) if cells else []
    data = (np.concatenate([np.asarray(w, dtype=float) for w in weights]) if weights is not None and cells
            else np.ones(len(rows)))
    m = sparse.coo_matrix((data, (rows, cols)), shape=(len(cells), len(atoms))).tocsr()  # duplicates add up
    if weights is None:
        m.data[:] = 1.0  # without weights, an atom listed twice in a cell still counts once
    # Atoms in exactly the same cells (with the same weights) are interchangeable to any attacker: one unknown stands
    # for them all, which leaves the bounds unchanged and the linear programs much smaller.
    c = m.tocsc()
    c.sort_indices()
    signature = {(tuple(c.indices[c.indptr[j]:c.indptr[j + 1]]), tuple(c.data[c.indptr[j]:c.indptr[j + 1]])): j
                 for j in range(c.shape[1])}
    return c[:, sorted(signature.values())].tocsr()


def _components(m: sparse.csr_matrix) -> np.ndarray:
    """Each cell's component: cells joined through shared atoms (a cell can be narrowed only within its own)."""
    from scipy.sparse import csgraph

    n = m.shape[0]
    link = (abs(m) > 0).astype(float)
    graph = sparse.bmat([[None, link], [link.T, None]], format="csr") if m.shape[1] else sparse.csr_matrix((n, n))
    return csgraph.connected_components(graph, directed=False)[1][:n]


_BANNER = threading.Lock()
_bannered = False


def _quiet_banner() -> None:
    """HiGHS prints its banner on standard output the first time a process makes a model, before any option can be
    set: the first model is made here with standard output sent nowhere, so commands' and servers' output stay ours."""
    global _bannered
    with _BANNER:
        if _bannered:
            return
        sys.stdout.flush()
        saved, nowhere = os.dup(1), os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(nowhere, 1)
            highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(nowhere)
            _bannered = True


class _Program:
    """The attacker's linear program over a set's cells (``m``: cells by atoms), held in one HiGHS model.

    The unknowns are the atoms, each at least 0; each cell is a row whose bounds say what is published: a shown cell
    equals its value, a hidden one is at least 1 and a "<11" one at most 10. Hiding a cell, or dropping its "at most
    10", changes only its row's bounds, and each bound the audit asks for changes only the objective, so every solve
    starts from the last one's basis: the protection asks thousands of them of one model, which scipy's ``linprog``
    would build and solve from scratch each time (the same programs and optima; ``tests/oracles`` keeps that
    version, and the tests compare the two).
    """

    def __init__(self, m: sparse.csr_matrix, ranges: tuple[np.ndarray, np.ndarray] | None = None):
        _quiet_banner()
        self.m = m.tocsr()
        # The cells as the audit reads them, a few at a time: on a small set, picking rows of a scipy matrix costs
        # more than the linear programs (most of an Impact state's sets have under ten cells).
        self.rows = self.m.toarray() if self.m.shape[0] * self.m.shape[1] <= _DENSE else self.m
        self.ranges = ranges   # per cell, the bounds a shown cell is published as (NaN: its value)
        n, k = self.m.shape
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("presolve", "off")  # small programs, solved again and again from the last basis
        # Primal simplex: most solves change only the objective, which leaves the last basis feasible, so primal
        # simplex goes on from it where dual simplex starts again from dual infeasibility (0.65x the time on Impact's
        # protections, 0.8x on Inclusion's; the optima, and so what is hidden, are the same). See _run for where it
        # gives no answer.
        self.h.setOptionValue("simplex_strategy", _PRIMAL)
        self._cols = np.arange(k, dtype=np.int32)
        self._rows = np.arange(n, dtype=np.int32)
        none = np.zeros(0, dtype=np.int32)
        self.h.addCols(k, np.zeros(k), np.zeros(k), np.full(k, highspy.kHighsInf), 0, none, none, np.zeros(0))
        self.h.addRows(n, np.zeros(n), np.zeros(n), self.m.nnz, self.m.indptr.astype(np.int32),
                       self.m.indices.astype(np.int32), self.m.data.astype(float))
        self._published = None
        self._box = None

    def publish(self, values: np.ndarray, capped: np.ndarray, hidden: np.ndarray) -> "_Program":
        """Set what is published: shown cells equal their values (or lie in their ``ranges``), hidden ones are at
        least 1, "<11" at most 10."""
        lower, upper = published_bounds(values, capped, hidden, self.ranges)
        upper = np.where(np.isinf(upper), highspy.kHighsInf, upper)
        key = (lower.tobytes(), upper.tobytes())
        if key != self._published:
            self.h.changeRowsBounds(len(self._rows), self._rows, lower, upper)
            self._published = key
        return self

    def minimum(self, cost: np.ndarray, box: float | None = None) -> tuple[str, float, np.ndarray | None]:
        """("optimal", the least value of ``cost`` · atoms, a point reaching it), or ("unbounded", -inf, None);
        ``box`` bounds every atom (the programs that look for witnesses only)."""
        if box != self._box:
            upper = highspy.kHighsInf if box is None else box
            self.h.changeColsBounds(len(self._cols), self._cols, np.zeros(len(self._cols)),
                                    np.full(len(self._cols), upper))
            self._box = box
        self.h.changeColsCost(len(self._cols), self._cols, np.asarray(cost, dtype=float))
        status = self._run()
        if status == highspy.HighsModelStatus.kOptimal:
            return "optimal", self.h.getInfo().objective_function_value, np.asarray(self.h.getSolution().col_value)
        if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            # Told apart by the same constraints with nothing to optimise.
            self.h.changeColsCost(len(self._cols), self._cols, np.zeros(len(self._cols)))
            if self._run() == highspy.HighsModelStatus.kOptimal:
                status = highspy.HighsModelStatus.kUnbounded
        if status == highspy.HighsModelStatus.kUnbounded:
            return "unbounded", -np.inf, None
        return self.h.modelStatusToString(status), np.nan, None

    def _run(self) -> highspy.HighsModelStatus:
        """Solve from the last basis by primal simplex, and take only an optimum from it: anything else is solved
        again from scratch by dual simplex. HiGHS's primal simplex can end with no answer ("Unknown") on a small
        degenerate program that dual simplex solves (``tests/test_disclosure.py`` keeps one that a property test
        found), and a cell's maximum taken as unbounded would leave it unprotected. Such solves are few: the
        protections take the same time with the check."""
        self.h.run()
        status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return status
        self.h.clearSolver()
        self.h.setOptionValue("simplex_strategy", _DUAL)
        try:
            self.h.run()
        finally:
            self.h.setOptionValue("simplex_strategy", _PRIMAL)
        return self.h.getModelStatus()


def published_bounds(values: np.ndarray, capped: np.ndarray, hidden: np.ndarray, ranges=None):
    """Each cell's bounds as published: a shown cell its value (or its range, where ``ranges`` gives one), a hidden
    one at least 1, a "<11" one at most 10."""
    lower = np.where(hidden, LOW, values).astype(float)
    upper = np.where(hidden, np.where(capped, HIGH, np.inf), values).astype(float)
    if ranges is not None:
        low, high = (np.asarray(r, dtype=float) for r in ranges)
        ranged = ~hidden & ~np.isnan(low)
        lower, upper = np.where(ranged, low, lower), np.where(ranged, high, upper)
    return lower, upper


def _row(rows, i: int) -> np.ndarray:
    """Cell ``i``'s atoms, from :attr:`_Program.rows` (dense or sparse)."""
    return rows[i].toarray().ravel() if sparse.issparse(rows) else rows[i]


def _bound(program: _Program, row: np.ndarray, sign: float) -> float:
    """The smallest (sign 1) or largest (sign -1) value of the cell ``row`` adds up."""
    status, value, _ = program.minimum(sign * row)
    if status == "unbounded":      # only a maximum can run away
        return np.inf
    if status != "optimal":
        raise RuntimeError(f"disclosure audit: the published cells admit no solution ({status})")
    return sign * value


def _narrowed(program: _Program, values: np.ndarray, primary: np.ndarray, hidden: np.ndarray, i: int,
              known: np.ndarray) -> bool:
    """Whether "<11" cell ``i`` can be proved to lie in less than 1-10.

    ``known``: this cell's ``[reaches 10, reaches 5 or less]`` as proved so far by feasible points (its row of
    :func:`_witnessed`); a proved side needs no program of its own, and a side proved here is recorded there. Hiding
    more only widens what the published cells allow, so a side once proved stays proved."""
    program.publish(values, primary, hidden)
    row = _row(program.rows, i)
    high = HIGH   # a "<11" cell that reaches 10 reaches no more
    if not known[0] or not primary[i]:
        high = _bound(program, row, -1.0)
        if high < HIGH - _TOL:
            return True
        known[0] = True
    if known[1]:
        return False   # it reaches 10 or more and 5 or less
    low = _bound(program, row, 1.0)
    known[1] = low <= HIGH - WIDTH + _TOL
    return high - low < WIDTH - _TOL


def _witnessed(program: _Program, values: np.ndarray, primary: np.ndarray, hidden: np.ndarray,
               cells: np.ndarray, rounds: int = 3, proved: np.ndarray | None = None) -> np.ndarray:
    """Which of the "<11" cells among ``cells`` two feasible points (witnesses) found together prove safe, side by
    side: ``[n, 2]``, column 0 "reaches 10", column 1 "reaches 5 or less" (``proved``: what is already known).

    One linear program pushes all the cells up at once (their sum at its largest), another down: a cell that reaches
    10 in the first and at most 10 - 5 in the second can take both values, so no visitor can narrow it. Rounds repeat
    on the cells not yet proved; the rest are left to one program per side still unproved (:func:`_narrowed`).
    Hiding more only widens what the published cells allow, so a side proved here stays proved.
    """
    ok = np.zeros((len(cells), 2), bool) if proved is None else proved.copy()
    if not len(cells):
        return ok
    m = program.rows
    program.publish(values, primary, hidden)
    for _ in range(rounds):
        todo = ~ok.all(axis=1)
        if not todo.any():
            break
        before = ok.sum()
        for side, sign, test in ((0, -1.0, lambda v: v >= HIGH - _TOL), (1, 1.0, lambda v: v <= HIGH - WIDTH + _TOL)):
            pick = cells[todo & ~ok[:, side]]
            if not len(pick):
                continue
            # A box keeps the push up finite where a cell has no "at most 10" (its points are still feasible).
            status, _, x = program.minimum(sign * np.asarray(m[pick].sum(axis=0)).ravel(), box=_BOX)
            if status != "optimal":
                return ok   # left to the programs one cell at a time (which report what is wrong)
            ok[:, side] |= test(m[cells] @ x)
        if ok.sum() == before:
            break
    return ok


def _linked(m: sparse.csr_matrix) -> np.ndarray:
    """Cells sharing an atom with another cell: only these can be narrowed."""
    link = (m > 0).astype(float)
    shared = np.asarray(link.sum(axis=0)).ravel() > 1
    return np.asarray(link[:, shared].sum(axis=1)).ravel() > 0


def exposed(m: sparse.csr_matrix, values: np.ndarray, primary: np.ndarray, hidden: np.ndarray,
            targets: np.ndarray | None = None, ranges=None) -> list[int]:
    """The "<11" cells (or ``targets``) whose feasible range is narrower than 1-10, given the cells shown (``ranges``:
    as :func:`protect` takes them)."""
    cells = np.flatnonzero((primary if targets is None else targets) & _linked(m))
    program = _Program(m, ranges)
    proved = _witnessed(program, values, primary, hidden, cells)
    return [int(i) for i, known in zip(cells, proved) if not known.all()
            and _narrowed(program, values, primary, hidden, int(i), known)]


def audit(cells: list[np.ndarray], values, hidden, weights: list | None = None, uncapped=None) -> list[int]:
    """The hidden cells of 1-10 whose feasible range the other cells narrow, as :func:`protect` audits (``uncapped``:
    those shown "suppressed", without the "at most 10" of "<11").

    >>> audit([np.array([0]), np.array([1]), np.array([0, 1])], [4, 30, 34], [True, False, False])
    [0]
    """
    values = np.asarray(values, dtype=float)
    hidden = np.asarray(hidden, dtype=bool)
    primary = hidden & (values > 0) & (values < MIN_CELL)
    if not primary.any():
        return []
    capped = primary & ~(np.zeros_like(primary) if uncapped is None else np.asarray(uncapped, dtype=bool))
    return exposed(_membership(cells, weights), values, capped, hidden, primary)


def protect(cells: list[np.ndarray], values, also_hidden=None, weights: list | None = None, fixed=None,
            targets=None, uncapped=None, ranges=None, program_type=None) -> tuple[np.ndarray, np.ndarray]:
    """Which cells of a linked set to hide: ``(shown "<11", shown "suppressed")`` boolean masks.

    A count of 1-10 is normally shown "<11"; where that marker's "at most 10" would pin a cell it adds up to, it
    is shown "suppressed" instead, which says only that the cell is hidden.

    Parameters
    ----------
    cells : for each published cell, the ids of the atoms it adds up (any integers; shared ids link cells).
    values : each cell's true value (its atoms' sum), counts of people; 0 is shown.
    also_hidden : cells a table's own rule already hides besides the primary ones (they count as secondary).
    weights : optional, for each cell the (positive) weight of each of its atoms, as ``cells`` lists them: a cell that
        counts an atom twice (the volunteers active in two quarters, say) weighs it 2.
    fixed : optional mask of cells another page publishes as they are: they are never hidden, shown or re-marked
        here. A fixed cell of 1-10 is a "<11" cell that this page must not let be narrowed (it hides more of its own
        cells to protect it); any other fixed cell not in ``also_hidden`` is shown. Hidden cells of this page that
        the published cells pin to one value are shown after all: hiding them protects nothing, and a visitor could
        work them out anyway.
    targets : optional mask of the "<11" cells to protect (default: all). A fixed "<11" cell that the other page's
        own cells already narrow cannot be helped by hiding more here, and is left out by the caller.
    uncapped : optional mask of cells of 1-10 shown "suppressed": no "at most 10" is published. A fixed one (the other
        page's) must still reach 10 and span 5 (a count bounded by theirs would be narrowed otherwise); one of this
        set's is hidden as it is (a set protected before, read again with others), and left out of ``targets``.
    ranges : optional ``(low, high)``, for each cell the bounds it is published as while shown (NaN: as its value),
        for a figure a visitor can read back only so far (a total that a rounded share and its interval allow).
    program_type : the class that holds the attacker's linear program (default: one HiGHS model, :class:`_Program`);
        the tests pass one that builds every program anew with scipy's ``linprog``, as the oracle.

    Examples
    --------
    Two areas over two quarters, the areas' totals and the quarters' totals both published. Area A has 4 people,
    all in the first quarter: hiding A alone, the first quarter's total minus B's share would give it back, so the
    audit also hides that quarter's total.

    >>> cells = [np.array([0, 1]), np.array([2, 3]), np.array([0, 2]), np.array([1, 3])]   # A, B, Q1, Q2
    >>> primary, secondary = protect(cells, [4, 30, 19, 15])
    >>> primary.tolist(), secondary.tolist()
    ([True, False, False, False], [False, False, False, True])

    The same areas, with another page publishing B's first quarter (15) and A's first quarter (4, "<11") as they
    are. Hiding Q2 still protects A, but Q1 minus B's first quarter would give A's first quarter back: Q1 goes too
    (the other page's cells stay as that page publishes them).

    >>> cells += [np.array([2]), np.array([0])]
    >>> primary, secondary = protect(cells, [4, 30, 19, 15, 15, 4], fixed=[False] * 4 + [True, True])
    >>> primary.tolist(), secondary.tolist()
    ([True, False, False, False, False, True], [False, False, True, True, False, False])
    """
    values = np.asarray(values, dtype=float)
    primary = (values > 0) & (values < MIN_CELL)
    hidden = primary | (np.zeros_like(primary) if also_hidden is None else np.asarray(also_hidden, dtype=bool))
    fixed = np.zeros_like(primary) if fixed is None else np.asarray(fixed, dtype=bool)
    wanted = primary if targets is None else primary & np.asarray(targets, dtype=bool)
    if not wanted.any():
        return primary, hidden & ~primary
    m = _membership(cells, weights)
    # Hidden cells published as "<11", which tells that they are at most 10.
    capped = primary & ~(np.zeros_like(primary) if uncapped is None else np.asarray(uncapped, dtype=bool))
    # Sets of cells that share no atom are independent: each is protected on its own (smaller programs, same result).
    # A cell that shares no atom with another is a set of its own that nothing can narrow: no program is made for it
    # (a third of an Impact state's sets on Chicago).
    labels = _components(m)
    wanted = wanted & _linked(m)
    for label in np.unique(labels[wanted]):
        idx = np.flatnonzero(labels == label)
        sub = m[idx]
        sub = sub[:, np.flatnonzero(np.asarray(abs(sub).sum(axis=0)).ravel() > 0)]
        c, h = capped[idx], hidden[idx]
        program = (program_type or _Program)(sub, None if ranges is None else tuple(
            np.asarray(r, dtype=float)[idx] for r in ranges))
        _protect_component(program, values[idx], c, h, fixed[idx], wanted[idx])
        if fixed.any():
            _release_pinned(program, values[idx], c, h, fixed[idx] | primary[idx])
        capped[idx], hidden[idx] = c, h
    return primary & capped, hidden & ~(primary & capped)


def _protect_component(program: _Program, values: np.ndarray, capped: np.ndarray, hidden: np.ndarray,
                       fixed: np.ndarray, wanted: np.ndarray) -> None:
    """:func:`protect` on one component (``wanted``: its "<11" cells to protect that share an atom with another
    cell); ``capped`` and ``hidden`` are updated in place."""
    # Hiding a cell, or publishing a "<11" cell as "suppressed", only widens what the others allow, so a cell once
    # safe stays safe: each "<11" cell is made safe in turn, and one pass protects the whole set.
    m = program.rows
    todo = np.flatnonzero(wanted)
    proved = np.zeros((len(values), 2), bool)   # per cell: reaches 10, reaches 5 or less (:func:`_witnessed`)
    proved[todo] = _witnessed(program, values, capped, hidden, todo)
    pending = list(todo[~proved[todo].all(axis=1)])
    while pending:
        i, changed = pending.pop(0), False
        while (capped[i] or fixed[i]) and _narrowed(program, values, capped, hidden, int(i), proved[i]):
            changed = True
            mine = _row(m, i) > 0
            touching = np.asarray(m[:, mine].sum(axis=1)).ravel() > 0
            # The smallest shown non-zero cell sharing one of its atoms goes (it costs the reader least); another
            # page's cells are published whatever this one does.
            candidates = np.flatnonzero(touching & ~hidden & (values > 0) & ~fixed)
            if len(candidates):
                hidden[candidates[np.argmin(values[candidates])]] = True
                continue
            # Every such cell is hidden already, and their "at most 10" pins this one (a "<11" cell adding up
            # others): the largest of them, else this cell itself, is published as "suppressed" instead.
            others = np.flatnonzero(touching & capped & ~fixed)
            others = others[others != i]
            if len(others):
                capped[others[np.argmax(values[others])]] = False
            elif fixed[i]:
                break   # another page's cell that nothing more hidden here can protect
            else:
                capped[i] = False
        if changed and len(pending) > 8:
            # What was hidden for this cell may have made others safe: one pair of witnesses for all that remain.
            rest = np.array(pending)
            proved[rest] = _witnessed(program, values, capped, hidden, rest, rounds=1, proved=proved[rest])
            pending = list(rest[~proved[rest].all(axis=1)])


def _release_pinned(program: _Program, values: np.ndarray, capped: np.ndarray, hidden: np.ndarray,
                    keep: np.ndarray) -> None:
    """Show the hidden cells (not ``keep``) whose value the published cells pin: hiding them protects nothing.

    Showing a cell the others already fix adds an equality the feasible set satisfies anyway, so every bound, and
    every other cell's being pinned, stays as it was: all of them can be shown at once.
    """
    # Around a small cell published "suppressed" (no "at most 10" could be kept) nothing is shown: what pins it
    # there may be published only across several of the other page's states, which one visitor may not gather.
    m = program.rows
    loose = np.flatnonzero(hidden & ~capped & (values > 0) & (values < MIN_CELL))
    near = np.asarray(m[:, np.asarray(abs(m[loose]).sum(axis=0)).ravel() > 0].sum(axis=1)).ravel() > 0 if len(
        loose) else np.zeros(len(values), bool)
    cells = np.flatnonzero(hidden & ~keep & ~near)
    if not len(cells):
        return
    program.publish(values, capped, hidden)
    moving = np.zeros(len(cells), bool)
    # Two witnesses first (every cell pushed up, then down): a cell that differs between them is not pinned.
    rows = m[cells]
    total = np.asarray(rows.sum(axis=0)).ravel()
    up, _, x_up = program.minimum(-total)
    down, _, x_down = program.minimum(total)
    if up == "optimal" and down == "optimal":
        moving = np.abs(rows @ x_up - rows @ x_down) >= 1 - _TOL
    for j, i in enumerate(cells):
        if moving[j]:
            continue
        row = _row(m, i)
        if _bound(program, row, -1.0) - _bound(program, row, 1.0) < 1 - _TOL:
            hidden[i] = False
