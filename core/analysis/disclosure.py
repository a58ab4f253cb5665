"""Small-number protection of a linked set of published cells, checked by linear program (τ-ARGUS-style audit).

A linked set is every published count of people that shares an underlying figure: each cell adds up some of the
inventory's finest figures ("atoms": one programme's participants in one quarter, say), and the same atom sits in
several cells (an area's total over the window and the quarter's total over all areas). Suppressing each table on
its own is not enough: the area table's "<11" cell can be the difference of the trend totals and the shown areas.

:func:`protect` hides every cell of 1-10 people (primary suppression, shown "<11"), then audits the set the way
τ-ARGUS and sdcTable do (Hundepool et al. 2012, *Statistical Disclosure Control*, §4.3 and §5.3 on protection
intervals and the audit): with every shown cell an equality, every "<11" cell between 1 and 10 and every other
hidden cell at least 1, it solves for the smallest and largest value each "<11" cell can take. Where that range does
not reach 10 or spans less than 5 (:data:`WIDTH`), one more cell sharing its atoms is hidden (secondary suppression, shown "suppressed"; the
smallest non-zero one, which costs the reader least), and the audit runs again until no cell can be narrowed.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, sparse

from core.analysis.suppression import MIN_CELL

LOW, HIGH = 1.0, float(MIN_CELL - 1)
WIDTH = 5.0
"""The protection interval of a "<11" cell: whatever else is published, it must still be able to be 10 (no one can
prove it smaller than its marker says), and the values it can take must span at least 5 (of the marker's 1-10), so
that it is never pinned to a value or a narrow band. Requiring all of 1-10 cannot be met in general: a hidden cell
that adds up two other hidden cells is at least 2 from their markers alone."""
_TOL = 1e-6


def _membership(cells: list[np.ndarray]) -> sparse.csr_matrix:
    atoms = np.unique(np.concatenate([np.asarray(c, dtype=np.int64) for c in cells])) if cells else np.zeros(0, int)
    rows = np.repeat(np.arange(len(cells)), [len(c) for c in cells])
    cols = np.searchsorted(atoms, np.concatenate([np.asarray(c, dtype=np.int64) for c in cells])) if cells else []
    m = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(cells), len(atoms)))
    m.data[:] = 1.0  # an atom listed twice in a cell still counts once
    # Atoms in exactly the same cells are interchangeable to any attacker: one unknown stands for them all, which
    # leaves the bounds unchanged and the linear programs much smaller.
    c = m.tocsc()
    signature = {tuple(c.indices[c.indptr[j]:c.indptr[j + 1]]): j for j in range(c.shape[1])}
    return c[:, sorted(signature.values())].tocsr()


def _system(m: sparse.csr_matrix, values: np.ndarray, primary: np.ndarray, hidden: np.ndarray) -> dict:
    """The attacker's constraints: shown cells are equalities, hidden ones at least 1, "<11" ones at most 10."""
    others = np.flatnonzero(hidden)
    upper = np.flatnonzero(hidden & primary)
    return {"A_eq": m[~hidden], "b_eq": values[~hidden],
            "A_ub": sparse.vstack([-m[others], m[upper]]).tocsr(),
            "b_ub": np.concatenate([np.full(len(others), -LOW), np.full(len(upper), HIGH)])}


def _bound(system: dict, row: np.ndarray, sign: float) -> float:
    """The smallest (sign 1) or largest (sign -1) value of the cell ``row`` adds up."""
    res = optimize.linprog(sign * row, bounds=(0, None), method="highs", **system)
    if res.status == 3:      # unbounded: only a maximum can run away
        return np.inf
    if res.status != 0:
        raise RuntimeError(f"disclosure audit: the published cells admit no solution ({res.message})")
    return sign * res.fun


def _narrowed(m: sparse.csr_matrix, values: np.ndarray, primary: np.ndarray, hidden: np.ndarray, i: int) -> bool:
    """Whether "<11" cell ``i`` can be proved to lie in less than 1-10."""
    system = _system(m, values, primary, hidden)
    row = m[i].toarray().ravel()
    high = _bound(system, row, -1.0)
    return high < HIGH - _TOL or high - _bound(system, row, 1.0) < WIDTH - _TOL


def _linked(m: sparse.csr_matrix) -> np.ndarray:
    """Cells sharing an atom with another cell: only these can be narrowed."""
    shared = np.asarray(m.sum(axis=0)).ravel() > 1
    return np.asarray(m[:, shared].sum(axis=1)).ravel() > 0


def exposed(m: sparse.csr_matrix, values: np.ndarray, primary: np.ndarray, hidden: np.ndarray) -> list[int]:
    """The "<11" cells whose feasible range is narrower than 1-10, given the cells shown."""
    return [int(i) for i in np.flatnonzero(primary & _linked(m)) if _narrowed(m, values, primary, hidden, int(i))]


def protect(cells: list[np.ndarray], values, also_hidden=None) -> tuple[np.ndarray, np.ndarray]:
    """Which cells of a linked set to hide: ``(shown "<11", shown "suppressed")`` boolean masks.

    A count of 1-10 is normally shown "<11"; where that marker's "at most 10" would pin a cell it adds up to, it
    is shown "suppressed" instead, which says only that the cell is hidden.

    Parameters
    ----------
    cells : for each published cell, the ids of the atoms it adds up (any integers; shared ids link cells).
    values : each cell's true value (its atoms' sum), counts of people; 0 is shown.
    also_hidden : cells a table's own rule already hides besides the primary ones (they count as secondary).

    Examples
    --------
    Two areas over two quarters, the areas' totals and the quarters' totals both published. Area A has 4 people,
    all in the first quarter: hiding A alone, the first quarter's total minus B's share would give it back, so the
    audit also hides that quarter's total.

    >>> cells = [np.array([0, 1]), np.array([2, 3]), np.array([0, 2]), np.array([1, 3])]   # A, B, Q1, Q2
    >>> primary, secondary = protect(cells, [4, 30, 19, 15])
    >>> primary.tolist(), secondary.tolist()
    ([True, False, False, False], [False, False, False, True])
    """
    values = np.asarray(values, dtype=float)
    primary = (values > 0) & (values < MIN_CELL)
    hidden = primary | (np.zeros_like(primary) if also_hidden is None else np.asarray(also_hidden, dtype=bool))
    if not primary.any():
        return primary, hidden & ~primary
    m = _membership(cells)
    capped = primary.copy()   # hidden cells published as "<11", which tells that they are at most 10
    # Hiding a cell, or publishing a "<11" cell as "suppressed", only widens what the others allow, so a cell once
    # safe stays safe: each "<11" cell is made safe in turn, and one pass protects the whole set.
    for i in np.flatnonzero(primary & _linked(m)):
        while capped[i] and _narrowed(m, values, capped, hidden, int(i)):
            mine = m[i].toarray().ravel() > 0
            touching = np.asarray(m[:, mine].sum(axis=1)).ravel() > 0
            # The smallest shown non-zero cell sharing one of its atoms goes (it costs the reader least).
            candidates = np.flatnonzero(touching & ~hidden & (values > 0))
            if len(candidates):
                hidden[candidates[np.argmin(values[candidates])]] = True
                continue
            # Every such cell is hidden already, and their "at most 10" pins this one (a "<11" cell adding up
            # others): the largest of them, else this cell itself, is published as "suppressed" instead.
            others = np.flatnonzero(touching & capped)
            others = others[others != i]
            capped[others[np.argmax(values[others])] if len(others) else i] = False
    return primary & capped, hidden & ~(primary & capped)
