"""The participant counts the Inclusion page gives away (each shown share's n), as cells Impact's protection holds fixed.

A group share shown with its Wilson interval gives back its participant total n (the interval pins n, see
:mod:`core.analysis.inclusion_disclosure`); a share hidden because n is 1-10 says that n is at most 10. These totals
add up the same programme-quarter participant figures as the Impact page's area table and trends, so a hidden
Impact count could be narrowed with them (an area's count is the sum of its programmes' n), and an Inclusion "<11"
total with Impact's cells. The Inclusion states are few (groups × windows, the briefs being its area rows over four
quarters) while Impact's are many: so Impact protects each of its states against every Inclusion total at once,
held fixed (:func:`core.analysis.disclosure.protect`'s ``fixed``), and no pair of states can be set against each
other. Inclusion's own linked protection already covers its cells among themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.analysis import disclosure
from core.analysis.impact import period_index
from core.analysis.inclusion import GROUP_BY_KEY
from core.analysis.suppression import MIN_CELL


@dataclass
class Fixed:
    """Counts another page publishes: the period rows (positions) each adds up, its value, and which of its "<11"
    cells to protect."""

    cells: list
    values: np.ndarray
    targets: np.ndarray   # the hidden cells of 1-10 that the page's own cells do not already narrow
    uncapped: np.ndarray  # hidden cells of 1-10 shown "suppressed" (no "at most 10" published)


def inclusion_counts(programs: pd.DataFrame, periods: pd.DataFrame, codes: dict) -> Fixed:
    """The participant totals behind the Inclusion shares ``codes`` publishes: ``{(group, quarters):
    hidden_shares(...)}``. A shown share gives its n; a share hidden as "small" whose n is 1-10 gives a "<11" n, and
    one "withheld" a hidden n with no "at most 10" (still a small count, and the bound of the group's count in it).

    ``programs``: the programmes the Inclusion tables list (program_id, area_id); the city pools every row.

    Examples
    --------
    Two programmes in one area over one quarter: a's share is shown (n 40), b's is hidden (n 6), the area's and the
    city's withheld. Impact must not let b's "<11" be narrowed.

    >>> pr = pd.DataFrame({"program_id": ["a", "b"], "area_id": ["1", "1"]})
    >>> pe = pd.DataFrame({"program_id": ["a", "b"], "period": ["2025Q1"] * 2, "participants": [40, 6],
    ...                    "participants_65plus": [15, 3]})
    >>> f = inclusion_counts(pr, pe, {("65plus", 1): {"programme": {"a": "", "b": "small"},
    ...                                               "area": {"1": "withheld"}, "city": "withheld"}})
    >>> [c.tolist() for c in f.cells], f.values.tolist(), f.targets.tolist(), f.uncapped.tolist()
    ([[0], [1]], [40.0, 6.0], [False, True], [False, False])
    """
    q = period_index(periods["period"]) if len(periods) else np.zeros(0, int)
    end = int(q.max()) if len(q) else 0
    x = pd.to_numeric(periods["participants"], errors="coerce").fillna(0).to_numpy(dtype=float)
    owner = periods["program_id"].to_numpy()
    area = pd.Series(owner).map(programs.set_index("program_id")["area_id"]).to_numpy()
    by_programme = {p: owner == p for p in programs["program_id"]}
    by_area = {a: area == a for a in pd.unique(area[pd.notna(area)])}
    seen: dict[bytes, int] = {}
    cells, values, small, loose = [], [], [], []
    for (group, quarters), code in sorted(codes.items()):
        column = GROUP_BY_KEY[group].column
        recorded = (pd.to_numeric(periods[column], errors="coerce").notna().to_numpy() if column in periods
                    else np.zeros(len(periods), bool))
        base = recorded & (q > end - int(quarters))
        entities = ([(code["programme"].get(p, ""), sel) for p, sel in by_programme.items()]
                    + [(code["area"].get(a, ""), sel) for a, sel in by_area.items()] + [(code["city"], None)])
        for c, sel in entities:
            rows = np.flatnonzero(base if sel is None else base & sel)
            n = float(x[rows].sum())
            if not len(rows) or n <= 0:
                continue
            if c == "" or (c in ("small", "withheld") and n < MIN_CELL):
                key = rows.tobytes()
                if key not in seen:
                    seen[key] = len(cells)
                    cells.append(rows)
                    values.append(n)
                    small.append(n < MIN_CELL)
                    loose.append(c == "withheld")
                elif c == "small":
                    loose[seen[key]] = False   # "<11" in another state: its "at most 10" is published
    values = np.asarray(values, dtype=float)
    small = np.asarray(small, dtype=bool)
    loose = np.asarray(loose, dtype=bool)
    targets = small.copy()
    # A small total that Inclusion's own totals (over all its states) narrow: hiding more on Impact cannot help it.
    targets[disclosure.audit(cells, values, small, uncapped=loose)] = False
    return Fixed(cells, values, targets, loose)
