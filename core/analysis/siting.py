"""Siting new programmes: maximal covering location problem (spopt's MCLP model, on CBC) and the greedy baseline."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

STATUS_OPTIMAL = "optimal"
STATUS_FEASIBLE = "feasible (time limit reached; best found, not proven optimal)"
STATUS_FALLBACK = "no solution within the time limit; greedy picks returned"
STATUS_TRIVIAL = "optimal (nothing left to cover)"
STATUS_GREEDY = "greedy"


@dataclass(frozen=True)
class SitingResult:
    """The sites chosen and what they cover.

    Attributes
    ----------
    chosen : list of int
        Candidate column indices in pick order: pinned sites first (as given), then the rest, each
        one the pick that adds most to what the earlier ones cover.
    gains : list of float
        Weight newly covered by each pick in that order; they sum to ``covered_weight``.
    covered_weight : float
        Total weight of the demand points within reach of at least one chosen site.
    total_weight : float
        Total weight of all demand points, for a share.
    covered : numpy.ndarray of bool
        Per demand point, whether a chosen site reaches it.
    status : str
        ``'optimal'``, a time-limit status, or ``'greedy'`` for the baseline.
    method : str
        ``'mclp'`` or ``'greedy'``.
    seconds : float
        Wall time spent, including building the model.
    """

    chosen: list[int]
    gains: list[float]
    covered_weight: float
    total_weight: float
    covered: np.ndarray
    status: str
    method: str
    seconds: float

    @property
    def share(self) -> float:
        """Share of the total weight covered (0 when there is no weight)."""
        return self.covered_weight / self.total_weight if self.total_weight > 0 else 0.0


def coverage_matrix(
    minutes_or_pairs,
    d0: float = 30.0,
    *,
    shape: tuple[int, int] | None = None,
    demand_ids=None,
    candidate_ids=None,
) -> np.ndarray:
    """Which candidates reach which demand points within ``d0`` (inclusive).

    Parameters
    ----------
    minutes_or_pairs : 2-D array, DataFrame of three columns, or tuple of three arrays
        Either a dense demand x candidate matrix of minutes, or triplets (demand, candidate, minutes).
        A DataFrame is read as triplets from its first three columns. Triplet demand/candidate values
        are positions unless ``demand_ids``/``candidate_ids`` are given, in which case they are ids
        looked up in those sequences. Pairs absent from the triplets, and NaN minutes, are unreachable;
        a pair listed twice counts if either time is within ``d0``.
    d0 : float
        Catchment in minutes.
    shape : (n_demand, n_candidate), optional
        For triplets by position; by default one more than the largest position seen.
    demand_ids, candidate_ids : sequence, optional
        Ids defining the rows and columns for triplets given by id.

    Returns
    -------
    numpy.ndarray of bool, shape (n_demand, n_candidate)

    Examples
    --------
    >>> coverage_matrix(np.array([[10.0, 31.0], [30.0, np.nan]]), d0=30).tolist()
    [[True, False], [True, False]]
    >>> coverage_matrix(([0, 1], [1, 0], [5.0, 45.0]), d0=30, shape=(2, 2)).tolist()
    [[False, True], [False, False]]
    """
    if not d0 >= 0:
        raise ValueError(f"d0 must be a number >= 0, got {d0!r}")
    if isinstance(minutes_or_pairs, pd.DataFrame):
        if minutes_or_pairs.shape[1] < 3:
            raise ValueError("a travel-time table needs three columns: demand, candidate, minutes")
        cols = [minutes_or_pairs.iloc[:, c] for c in range(3)]
        return _from_triplets(*cols, d0, shape, demand_ids, candidate_ids)
    if isinstance(minutes_or_pairs, tuple) and len(minutes_or_pairs) == 3:
        return _from_triplets(*minutes_or_pairs, d0, shape, demand_ids, candidate_ids)
    m = np.asarray(minutes_or_pairs, dtype=float)
    if m.ndim != 2:
        raise ValueError(f"a dense travel-time matrix must be 2-D, got shape {m.shape}")
    with np.errstate(invalid="ignore"):
        return m <= d0


def _positions(values, ids, n_hint: int | None, what: str) -> tuple[np.ndarray, int]:
    if ids is not None:
        index = pd.Index(ids)
        pos = index.get_indexer(pd.Index(values))
        if (pos < 0).any():
            bad = pd.Index(values)[pos < 0][0]
            raise ValueError(f"{what} id {bad!r} in the travel-time table is not among the {what} ids")
        return pos, len(index)
    pos = np.asarray(values)
    if pos.size and not np.issubdtype(pos.dtype, np.integer):
        as_int = pos.astype(np.int64)
        if not np.array_equal(as_int, pos):
            raise ValueError(f"{what} positions must be whole numbers; pass {what}_ids to look up ids")
        pos = as_int
    if pos.size and pos.min() < 0:
        raise ValueError(f"{what} positions must be >= 0")
    n = n_hint if n_hint is not None else (int(pos.max()) + 1 if pos.size else 0)
    if pos.size and pos.max() >= n:
        raise ValueError(f"{what} position {int(pos.max())} is outside the {n} {what}s")
    return pos, n


def _from_triplets(i, j, minutes, d0, shape, demand_ids, candidate_ids) -> np.ndarray:
    ii, n_d = _positions(i, demand_ids, shape[0] if shape else None, "demand")
    jj, n_c = _positions(j, candidate_ids, shape[1] if shape else None, "candidate")
    mins = np.asarray(minutes, dtype=float)
    with np.errstate(invalid="ignore"):
        ok = mins <= d0
    out = np.zeros((n_d, n_c), dtype=bool)
    out[ii[ok], jj[ok]] = True
    return out


def _check_inputs(weights, covers, k, pinned, excluded) -> tuple[np.ndarray, np.ndarray, list[int], list[int]]:
    w = np.asarray(weights, dtype=float)
    c = np.asarray(covers)
    if c.ndim != 2:
        raise ValueError(f"covers must be a 2-D demand x candidate matrix, got shape {c.shape}")
    c = c.astype(bool)
    if w.shape != (c.shape[0],):
        raise ValueError(f"weights has shape {w.shape} but covers has {c.shape[0]} demand rows")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be finite and >= 0")
    n_c = c.shape[1]
    pins = [int(p) for p in pinned]
    excl = [int(e) for e in excluded]
    for name, idx in (("pinned", pins), ("excluded", excl)):
        if any(not 0 <= x < n_c for x in idx):
            raise ValueError(f"{name} candidate index out of range 0..{n_c - 1}: {idx}")
        if len(set(idx)) != len(idx):
            raise ValueError(f"{name} candidates are listed more than once: {idx}")
    both = set(pins) & set(excl)
    if both:
        raise ValueError(f"candidates {sorted(both)} are both pinned and excluded")
    if int(k) != k or k < 0:
        raise ValueError(f"k must be a whole number >= 0, got {k!r}")
    if len(pins) > k:
        raise ValueError(f"{len(pins)} pinned sites but only k={k} to choose")
    if k > n_c - len(excl):
        raise ValueError(f"k={k} but only {n_c - len(excl)} candidates are allowed")
    return w, c, pins, excl


def _pick_order(w: np.ndarray, c: np.ndarray, pinned: list[int], rest: Iterable[int]) -> tuple[list[int], list[float]]:
    """Pinned first, then the rest ordered greedily by what each adds; returns picks and their gains."""
    covered = np.zeros(c.shape[0], dtype=bool)
    order, gains = [], []
    for j in pinned:
        gains.append(float(w[c[:, j] & ~covered].sum()))
        covered |= c[:, j]
        order.append(j)
    rest = sorted(rest)
    while rest:
        g = (w * ~covered) @ c[:, rest]
        best = int(np.argmax(g))
        j = rest.pop(best)
        gains.append(float(g[best]))
        covered |= c[:, j]
        order.append(j)
    return order, gains


def _result(w, c, chosen_order, gains, status, method, t0) -> SitingResult:
    covered = c[:, chosen_order].any(axis=1) if chosen_order else np.zeros(c.shape[0], dtype=bool)
    return SitingResult(
        chosen=[int(j) for j in chosen_order],
        gains=gains,
        covered_weight=float(w[covered].sum()),
        total_weight=float(w.sum()),
        covered=covered,
        status=status,
        method=method,
        seconds=time.perf_counter() - t0,
    )


def _greedy_picks(w, c, k, pinned, excluded) -> list[int]:
    n_c = c.shape[1]
    covered = c[:, pinned].any(axis=1) if pinned else np.zeros(c.shape[0], dtype=bool)
    blocked = np.zeros(n_c, dtype=bool)
    blocked[pinned] = True
    blocked[excluded] = True
    picks = []
    for _ in range(k - len(pinned)):
        g = (w * ~covered) @ c
        g[blocked] = -np.inf
        # argmax takes the first maximum, so ties (including all-zero gains) go to the lowest index.
        j = int(np.argmax(g))
        picks.append(j)
        blocked[j] = True
        covered |= c[:, j]
    return picks


def greedy(weights, covers, k: int, pinned=(), excluded=()) -> SitingResult:
    """Greedy maximum coverage: pinned sites, then repeatedly the candidate that covers most new weight.

    The classic baseline: it is within (1 - 1/e) of the optimum but can miss it.

    Parameters
    ----------
    weights : array of float, shape (n_demand,)
        Need-weighted population at each demand point not already within reach.
    covers : array of bool, shape (n_demand, n_candidate)
        ``covers[i, j]`` is True when candidate j reaches demand point i (see ``coverage_matrix``).
    k : int
        Total number of sites, pinned ones included.
    pinned : sequence of int
        Candidates that must be chosen.
    excluded : sequence of int
        Candidates that may not be chosen.

    Returns
    -------
    SitingResult

    Examples
    --------
    >>> covers = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=bool)
    >>> r = greedy([1, 5, 1, 4], covers, k=2)
    >>> r.chosen, r.gains, r.covered_weight
    ([0, 2], [6.0, 4.0], 10.0)
    """
    t0 = time.perf_counter()
    w, c, pins, excl = _check_inputs(weights, covers, k, pinned, excluded)
    picks = _greedy_picks(w, c, int(k), pins, excl)
    order, gains = _pick_order(w, c, pins, [])
    # Keep the greedy's own sequence: it is the order in which the baseline chose them.
    covered = c[:, pins].any(axis=1) if pins else np.zeros(c.shape[0], dtype=bool)
    for j in picks:
        gains.append(float(w[c[:, j] & ~covered].sum()))
        covered |= c[:, j]
        order.append(j)
    return _result(w, c, order, gains, STATUS_GREEDY, "greedy", t0)


# One CBC process at a time: each is a separate process of its own memory and a full core, so many sessions
# solving at once would add up past the server's memory budget; queued solves are cached once done.
_SOLVER_SLOT = threading.Lock()


@dataclass
class _MCLPModel:
    """The pieces of spopt's ``MCLP`` that :func:`mclp` uses: the PuLP problem and its site and demand variables."""

    problem: object
    fac_vars: list
    cli_vars: list

    def solve(self, solver, results: bool = False) -> None:
        self.problem.solve(solver)


def _build_mclp(covers: np.ndarray, weights: np.ndarray, p: int) -> _MCLPModel:
    """PySAL spopt's MCLP model (Church & ReVelle), written directly in PuLP with sparse coverage constraints.

    The variables, objective and constraints are spopt's, as its ``FacilityModelBuilder`` writes them: binary
    ``x[j]`` per site and ``y[i]`` per demand point, maximise the weight of covered points, each covered point
    reached by a chosen site, exactly p sites. ``MCLP.from_cost_matrix`` writes each demand row over every
    candidate, zeros included, in Python (about 3 s for Chicago's 800 x 224); here each row lists only the
    candidates that reach it (2% of pairs on a 30-minute walk). Written out rather than built through spopt,
    whose import brings scikit-learn, libpysal and matplotlib (130 MB in every server process that solves).
    tests/test_siting.py checks it against stock spopt's ``from_cost_matrix``.
    """
    import pulp

    n_cli, n_fac = covers.shape
    problem = pulp.LpProblem("siting", pulp.LpMaximize)
    fac = [pulp.LpVariable(f"x[{j}]", lowBound=0, upBound=1, cat=pulp.LpInteger) for j in range(n_fac)]
    cli = [pulp.LpVariable(f"y[{i}]", lowBound=0, upBound=1, cat=pulp.LpInteger) for i in range(n_cli)]
    problem += pulp.LpAffineExpression(list(zip(cli, weights.tolist()))), "objective function"
    rows, cols = np.nonzero(covers)
    starts = np.searchsorted(rows, np.arange(n_cli + 1))
    for i in range(n_cli):
        reach = pulp.LpAffineExpression([(fac[j], 1) for j in cols[starts[i] : starts[i + 1]].tolist()])
        problem += reach >= cli[i]
    problem += pulp.lpSum(fac) == p
    return _MCLPModel(problem, fac, cli)


def mclp(weights, covers, k: int, pinned=(), excluded=(), time_limit: float = 20) -> SitingResult:
    """Choose k sites that together cover the most weight: the maximal covering location problem.

    The model is PySAL ``spopt.locate.MCLP``'s (:func:`_build_mclp`), solved by the CBC binary bundled with
    ``pulp``, always with a time limit and warm-started from the greedy solution, so that a timed-out solve is
    never worse than the baseline. Before solving, the problem is reduced without changing its optimum: pinned sites are
    taken out together with the demand they already cover, excluded candidates are dropped, demand with
    zero weight or that no allowed candidate reaches is dropped, and demand points reached by exactly the
    same candidates are merged with their weights summed.

    Parameters
    ----------
    weights : array of float, shape (n_demand,)
        Need-weighted population at each demand point not already within reach (>= 0).
    covers : array of bool, shape (n_demand, n_candidate)
        ``covers[i, j]`` is True when candidate j reaches demand point i (see ``coverage_matrix``).
    k : int
        Total number of sites, pinned ones included.
    pinned : sequence of int
        Candidates that must be chosen.
    excluded : sequence of int
        Candidates that may not be chosen.
    time_limit : float
        Seconds CBC may run.

    Returns
    -------
    SitingResult
        ``status`` says whether the optimum was proven. ``chosen`` lists pinned sites first and then the
        rest in greedy order within the optimal set, so that ``gains`` reads as "what each adds".

    Examples
    --------
    >>> covers = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=bool)
    >>> r = mclp([1, 5, 1, 4], covers, k=2)
    >>> sorted(r.chosen), r.covered_weight, r.status
    ([0, 2], 10.0, 'optimal')
    """
    import pulp

    t0 = time.perf_counter()
    if not time_limit > 0:
        raise ValueError(f"time_limit must be > 0 seconds, got {time_limit!r}")
    w, c, pins, excl = _check_inputs(weights, covers, k, pinned, excluded)
    k = int(k)
    p = k - len(pins)

    allowed = np.ones(c.shape[1], dtype=bool)
    allowed[pins] = False
    allowed[excl] = False
    cand = np.flatnonzero(allowed)
    already = c[:, pins].any(axis=1) if pins else np.zeros(c.shape[0], dtype=bool)
    sub = c[:, cand]
    keep = (w > 0) & ~already & sub.any(axis=1)
    sub, w_sub = sub[keep], w[keep]
    if len(sub):
        patterns, inverse = np.unique(sub, axis=0, return_inverse=True)
        w_merged = np.bincount(inverse.ravel(), weights=w_sub, minlength=len(patterns))
    else:
        patterns, w_merged = sub, w_sub

    if p == 0 or len(patterns) == 0:
        # Nothing the free picks can add: any allowed sites will do, lowest index first.
        rest = [int(j) for j in cand[:p]]
        order, gains = _pick_order(w, c, pins, rest)
        return _result(w, c, order, gains, STATUS_TRIVIAL if p else STATUS_OPTIMAL, "mclp", t0)

    # Greedy start on the reduced problem: CBC then only has to improve on it.
    start = _greedy_picks(w_merged, patterns, p, [], [])
    start_cov = patterns[:, start].any(axis=1)

    model = _build_mclp(patterns, w_merged, p)
    for j, v in enumerate(model.fac_vars):
        v.setInitialValue(1 if j in start else 0)
    for i, v in enumerate(model.cli_vars):
        v.setInitialValue(1 if start_cov[i] else 0)
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, warmStart=True)

    status = STATUS_OPTIMAL
    try:
        with _SOLVER_SLOT:
            model.solve(solver, results=False)
        picked = [j for j, v in enumerate(model.fac_vars) if (v.value() or 0) > 0.5]
        if model.problem.sol_status != pulp.LpSolutionOptimal:
            status = STATUS_FEASIBLE
    except RuntimeError:
        picked, status = start, STATUS_FALLBACK
    if len(picked) != p:
        picked, status = start, STATUS_FALLBACK

    order, gains = _pick_order(w, c, pins, [int(cand[j]) for j in picked])
    return _result(w, c, order, gains, status, "mclp", t0)
