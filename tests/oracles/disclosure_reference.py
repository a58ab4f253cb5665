"""The disclosure audit's linear programs as they were first written: each one built and solved anew by scipy's
``linprog``. The oracle the persistent HiGHS model (:class:`core.analysis.disclosure._Program`) is tested against: the
same protection, run on either, must hide the same cells."""

from __future__ import annotations

import numpy as np
from scipy import optimize, sparse

from core.analysis import disclosure


class LinprogProgram:
    """:class:`core.analysis.disclosure._Program`'s interface, every program built from the cells published now."""

    def __init__(self, m: sparse.csr_matrix, ranges=None):
        self.m = m.tocsr()
        self.rows = self.m   # the audit reads either form
        self.ranges = ranges
        self._system: dict = {}

    def publish(self, values: np.ndarray, capped: np.ndarray, hidden: np.ndarray) -> "LinprogProgram":
        """Shown cells are equalities (or two inequalities, where ranged), hidden ones at least 1, "<11" ones at
        most 10."""
        lower, upper = disclosure.published_bounds(values, capped, hidden, self.ranges)
        equal = lower == upper
        below = np.flatnonzero(~equal & np.isfinite(lower))
        above = np.flatnonzero(~equal & np.isfinite(upper))
        self._system = {"A_eq": self.m[equal], "b_eq": lower[equal],
                        "A_ub": sparse.vstack([-self.m[below], self.m[above]]).tocsr(),
                        "b_ub": np.concatenate([-lower[below], upper[above]])}
        return self

    def minimum(self, cost: np.ndarray, box: float | None = None) -> tuple[str, float, np.ndarray | None]:
        res = optimize.linprog(cost, bounds=(0, box), method="highs", **self._system)
        if res.status == 0:
            return "optimal", float(res.fun), res.x
        if res.status == 3:
            return "unbounded", -np.inf, None
        return res.message, np.nan, None


def protect(cells: list[np.ndarray], values, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """:func:`core.analysis.disclosure.protect` with every bound solved by ``linprog`` from scratch."""
    return disclosure.protect(cells, values, program_type=LinprogProgram, **kwargs)
