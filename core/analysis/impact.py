"""Programme impact (RE-AIM where the data allows) for one filter choice, from arrays prepared once per database.

Everything is measured over a window of quarters ending at a chosen quarter (by default the last 4
quarters up to the latest one in the data):

- ``participants`` is the sum of the quarterly participant counts in the window. The inventory holds
  quarterly aggregates, not people, so someone who takes part in three quarters counts three times.
  ``per_1000`` is that sum per 1,000 residents of the area; ``cost_per_participant`` is the cost of
  the quarters that report a cost divided by the participants of those same quarters.
- ``outcome_*`` pools the pre/post changes of the window's quarters that use the programme's latest
  outcome measure, as one sample: ``N = Σn``, ``mean = Σ n·m / N`` and
  ``sd² = (Σ (n-1)·s² + Σ n·(m - mean)²) / (N - 1)``, the exact mean and SD of the union of the quarterly
  samples (people are assumed to be counted in one quarter only). The 95% interval is Student's t with
  N - 1 degrees of freedom. Following the small-numbers rule, the mean, interval and n are shown only
  where N >= 11; otherwise they are NaN and ``outcome_status`` says ``'n<11'``.
- Inclusivity shares (65+, limited English) use the quarters that report the group, and are shown only
  where those quarters hold at least 11 participants; the gap is the programme's share minus the area's
  share, in the manner of the Urban Institute's Spatial Equity Data Tool.

Counts of people in these tables are raw: pass them through :mod:`core.analysis.suppression` with
:data:`COUNT_COLUMNS` and :data:`RATE_COLUMNS_BY_COUNT` before display or export.

What no filter changes is read once (:func:`prepare`); each filter choice then takes a few numpy steps. The
plain pandas statement of the same definitions is the tests' oracle (``tests/oracles/impact_reference.py``),
and the tables here equal its tables exactly, dtypes included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.analysis.intervals import t_interval
from core.base.errors import InputError

MIN_N = 11
"""Smallest pooled n for which an outcome change is shown (DESIGN §3, small numbers)."""

COUNT_COLUMNS = ["participants", "participants_65plus", "participants_limited_english"]
"""Columns of :func:`program_table` / :func:`area_table` that count people."""
RATE_COLUMNS_BY_COUNT = {
    "per_1000": "participants",
    "cost_per_participant": "participants",
    "share_65plus": "participants_65plus",
    "gap_65plus": "participants_65plus",
    "share_limited_english": "participants_limited_english",
    "gap_limited_english": "participants_limited_english",
}
"""Rates and the count each is built on, for :func:`core.analysis.suppression.suppress_counts`."""

_PERIOD = re.compile(r"^(\d{4})Q([1-4])$")


def period_index(labels) -> np.ndarray:
    """Quarter labels such as '2025Q3' as consecutive integers (year x 4 + quarter - 1).

    Raises :class:`core.base.errors.InputError` naming the first bad label.

    Examples
    --------
    >>> period_index(["2025Q4", "2026Q1"]).tolist()
    [8103, 8104]
    """
    # A table holds few distinct quarters: parse each once (page views call this on every row of a window).
    codes, uniques = pd.factorize(pd.Series(labels, dtype=object), use_na_sentinel=False)
    index = np.full(len(uniques), -1, dtype=np.int64)
    for j, label in enumerate(uniques):
        found = _PERIOD.match(str(label).strip())
        if found:
            index[j] = int(found[1]) * 4 + int(found[2]) - 1
    out = index[codes]
    if (out < 0).any():
        pos = int(np.flatnonzero(out < 0)[0])
        label = uniques[codes[pos]]
        got = "it is empty" if pd.isna(label) else f"got {str(label).strip()!r}"
        raise InputError("program_period", pos + 2, "period", f"must look like '2025Q3', {got}")
    return out


def period_label(index: int) -> str:
    """Inverse of :func:`period_index`: ``8104 -> '2026Q1'``."""
    return f"{int(index) // 4}Q{int(index) % 4 + 1}"


def _split(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.lower().str.split(";").map(lambda xs: {x.strip() for x in xs if x.strip()})


def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _areas(areas: pd.DataFrame) -> pd.DataFrame:
    a = pd.DataFrame({"area_id": areas["area_id"].to_numpy(), "population": _num(areas, "population").to_numpy()})
    for group in ("65plus", "limited_english"):
        a[f"share_{group}"] = _num(areas, f"share_{group}").to_numpy()
    return a


# The summed columns, in the order the oracle's _sums adds them; the last three are denominators, dropped once
# the rates are made.
SUMMED = ["sessions", "participants", "participants_65plus", "participants_limited_english", "volunteer_hours", "cost",
          "cost_participants", "base_65plus", "base_limited_english"]
FILLED = ("sessions", "participants", "volunteer_hours")
WHOLE = ("sessions", "participants", "participants_65plus", "participants_limited_english")
GROUPS = ("65plus", "limited_english")
CARRIED = ("step_free", "volunteer_hours_year")


@dataclass
class Prepared:
    """The inventory as codes and float arrays; period rows stay in table order."""

    type_key: np.ndarray              # per programme: type, trimmed and lower-cased as filters compare it
    serves: dict[str, np.ndarray]     # population (lower case) -> per programme, whether it is served
    columns: dict[str, np.ndarray]    # per programme: the columns the programme table carries, as numpy
    lookups: dict[str, object]        # per programme: area_name and populations_served, as pandas arrays
    single: np.ndarray                # per programme: exactly one coordinator
    step_free: np.ndarray | None      # per programme: 0/1 (NaN unknown); None when the column is absent
    program_area: np.ndarray          # per programme: row of ``areas``, -1 if the area is unknown
    # Group keys ranked as pandas sorts program_id and area_id (see _group_sums).
    program_key: np.ndarray           # per programme: rank of its id
    area_key: np.ndarray              # per programme: rank of its area's id among all area ids
    area_rows: np.ndarray             # per area: rank of its id among all area ids
    area_keys: int                    # how many area ids there are
    program: np.ndarray               # per period row: row of ``programs``, -1 if the programme is unknown
    q: np.ndarray                     # per period row: quarter index
    end: int                          # latest quarter in the data
    values: np.ndarray                # per period row: SUMMED, NaN where not reported
    pool: np.ndarray                  # per period row: n, n·m, Σx² of its pre/post change
    usable: np.ndarray                # per period row: a change that can be pooled
    measure: np.ndarray               # per period row: index into ``measures``, -1 if none
    measures: list[str]
    area_id: np.ndarray               # per area, in the order of ``areas``
    area_name: object
    area_population: np.ndarray
    area_shares: dict[str, np.ndarray]


def prepare(programs: pd.DataFrame, periods: pd.DataFrame, areas: pd.DataFrame) -> Prepared:
    """Read the three Impact tables once into what every filter choice starts from."""
    served = _split(programs["populations_served"])
    lookup = programs.set_index("program_id")
    a = _areas(areas).set_index("area_id")
    ids = programs["program_id"].to_numpy(dtype=object)
    area_ids = np.unique(np.concatenate([programs["area_id"].to_numpy(), a.index.to_numpy()]))

    q = period_index(periods["period"])
    f = {c: _num(periods, c).to_numpy() for c in [*SUMMED[:6], "n_pre_post", "mean_change", "sd_change"]}
    part = f["participants"]
    bases = [np.where(np.isnan(f[c]), np.nan, part) for c in ("cost", "participants_65plus",
                                                              "participants_limited_english")]
    values = np.column_stack([f[c] for c in SUMMED[:6]] + bases)
    n, m, s = f["n_pre_post"], f["mean_change"], f["sd_change"]
    # Written as the oracle's _pool writes it, so every row's terms are the same floats.
    pool = np.column_stack([n, n * m, (n - 1) * np.where(np.isnan(s), 0.0, s) ** 2 + n * m ** 2])
    named = periods["outcome_measure"] if "outcome_measure" in periods else pd.Series(None, index=periods.index)
    measure, measures = pd.factorize(named.to_numpy(dtype=object))
    with np.errstate(invalid="ignore"):
        usable = (n > 0) & ~np.isnan(m) & (measure >= 0) & ((n == 1) | ~np.isnan(s))

    return Prepared(
        type_key=programs["type"].astype(str).str.strip().str.lower().to_numpy(),
        serves={p: served.map(lambda xs, p=p: p in xs).to_numpy(dtype=bool) for p in set().union(*served)},
        columns={c: programs[c].to_numpy() for c in ["program_id", "area_id", "name", "type", *CARRIED]
                 if c in programs},
        lookups={c: lookup[c].array for c in ("area_name", "populations_served")},
        single=_num(programs, "coordinator_count").to_numpy() == 1,
        step_free=programs["step_free"].astype(float).to_numpy() if "step_free" in programs else None,
        program_area=a.index.get_indexer(programs["area_id"]),
        program_key=np.searchsorted(np.sort(ids), ids),
        area_key=np.searchsorted(area_ids, programs["area_id"].to_numpy()),
        area_rows=np.searchsorted(area_ids, a.index.to_numpy()), area_keys=len(area_ids),
        program=pd.Index(programs["program_id"]).get_indexer(periods["program_id"]),
        q=q, end=int(q.max()) if len(q) else 0, values=values, pool=pool, usable=usable, measure=measure,
        measures=list(measures), area_id=a.index.to_numpy(),
        area_name=areas.set_index("area_id")["name"].reindex(a.index).array,
        area_population=a["population"].to_numpy(), area_shares={g: a[f"share_{g}"].to_numpy() for g in GROUPS})


def chosen(p: Prepared, types=None, populations=None) -> np.ndarray:
    """Per programme, whether it is of one of ``types`` and serves one of ``populations`` (None: no filter)."""
    keep = np.ones(len(p.type_key), dtype=bool)
    if types is not None:
        keep &= np.isin(p.type_key, [t.strip().lower() for t in types])
    if populations is not None:
        serves = np.zeros_like(keep)
        for population in {x.strip().lower() for x in populations}:
            serves |= p.serves.get(population, False)
        keep &= serves
    return keep


def rows_of(p: Prepared, keep: np.ndarray) -> np.ndarray:
    """The period rows of the kept programmes, in table order."""
    # A row of an unknown programme (-1) reads the appended False.
    return np.flatnonzero(np.append(keep, False)[p.program])


def _window(p: Prepared, keep: np.ndarray, quarters: int) -> np.ndarray:
    rows = rows_of(p, keep)
    return rows[(p.q[rows] > p.end - quarters) & (p.q[rows] <= p.end)]


def _group_sums(values: np.ndarray, keys: np.ndarray, size: int) -> np.ndarray:
    """Column sums per key 0..size-1 (NaN where a key reports nothing), the very floats pandas' groupby gives."""
    # pandas adds a column with np.add.reduceat when the keys come sorted and the column has no NaN, else with
    # compensated sums, and the two can differ in the last bit: so each column goes in as its own block, as in
    # the oracle's frames, and keys are ranked as pandas ranks the ids they stand for.
    out = np.full((size, values.shape[1]), np.nan)
    if len(keys):
        frame = pd.DataFrame(index=pd.RangeIndex(len(keys)))
        for j in range(values.shape[1]):
            frame[j] = values[:, j]
        sums = frame.groupby(keys).sum(min_count=1)
        out[sums.index.to_numpy()] = sums.to_numpy()
    return out


def _whole(values: np.ndarray):
    """Counts as nullable integers where every known value is whole, so tables and CSVs read 80 rather than 80.0."""
    known = values[~np.isnan(values)]
    return pd.array(np.round(values), dtype="Int64") if np.all(np.mod(known, 1) == 0) else values


def _counts_and_rates(s: dict, population: np.ndarray, shares: dict, hourly_value: float) -> dict:
    """Rates from summed columns (per 1,000, cost per participant, volunteer value, group shares and gaps)."""
    for column in FILLED:
        s[column] = np.where(np.isnan(s[column]), 0.0, s[column])
    out = {c: _whole(s[c]) if c in WHOLE else s[c] for c in SUMMED[:6]}
    with np.errstate(invalid="ignore", divide="ignore"):
        out["per_1000"] = s["participants"] / np.where(population > 0, population, np.nan) * 1000
        paid = s["cost_participants"]
        out["cost_per_participant"] = s["cost"] / np.where(paid > 0, paid, np.nan)
        out["volunteer_value"] = s["volunteer_hours"] * float(hourly_value)
        for group in GROUPS:
            base = s[f"base_{group}"]
            share = np.where(base >= MIN_N, s[f"participants_{group}"] / base, np.nan)
            out[f"share_{group}"] = share
            out[f"gap_{group}"] = share - shares[group]
    return out


def _pooled(p: Prepared, rows: np.ndarray, keys: np.ndarray, size: int) -> dict:
    """Pooled outcome change, t interval and the n >= 11 rule per key; keys without changes are 'no data'."""
    n, nm, sq = _group_sums(p.pool[rows], keys, size).T
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = nm / n
        var = (sq - n * mean ** 2) / (n - 1)
        sd = np.where(n > 1, np.sqrt(np.clip(var, 0, None)), np.nan)
        lo, hi = t_interval(mean, sd, n)
        shown = n >= MIN_N
    out = {k: np.where(shown, v, np.nan) for k, v in
           (("outcome_n", n), ("outcome_mean", mean), ("outcome_sd", sd), ("outcome_lo", lo), ("outcome_hi", hi))}
    # Text as pandas keeps it (its str dtype), so that an empty selection's column has the same type as a full one.
    out["outcome_status"] = pd.array(np.where(np.isnan(n), "no data", np.where(shown, "shown", "n<11")), dtype="str")
    return out


def pooled_outcome(p: Prepared, keep: np.ndarray, quarters: int, measure: str) -> dict:
    """One scale's change pooled over every kept programme's quarters in the window that used it.

    Returns ``outcome_n``, ``outcome_mean``, ``outcome_lo``, ``outcome_hi`` (NaN unless n ≥ 11), ``outcome_status``
    (``'shown'``, ``'n<11'`` or ``'no data'``) and ``programmes``, how many programmes contributed.
    """
    rows = _window(p, keep, quarters)
    code = p.measures.index(measure) if measure in p.measures else -2
    rows = rows[p.usable[rows] & (p.measure[rows] == code)]
    out = {k: v[0] for k, v in _pooled(p, rows, np.zeros(len(rows), dtype=np.int64), 1).items()}
    out["programmes"] = int(len(np.unique(p.program[rows])))
    return out


def program_table(p: Prepared, keep: np.ndarray, quarters: int, hourly_value: float) -> pd.DataFrame:
    """Impact of each kept programme over the window, with its area's name and populations served (module docstring)."""
    pos = np.flatnonzero(keep)
    size = len(keep)
    win = _window(p, keep, quarters)
    owner = p.program_key[p.program[win]]
    mine = p.program_key[pos]
    out = {c: p.columns[c][pos] for c in ("program_id", "area_id", "name", "type") if c in p.columns}
    out["quarters_reported"] = _whole(np.bincount(owner, minlength=size)[mine].astype(float))
    area = p.program_area[pos]
    of_area = lambda values: np.where(area >= 0, values[area], np.nan)  # noqa: E731
    sums = _group_sums(p.values[win], owner, size)[mine]
    out |= _counts_and_rates(dict(zip(SUMMED, sums.T)), of_area(p.area_population),
                             {g: of_area(v) for g, v in p.area_shares.items()}, hourly_value)

    # The programme's latest measure in the window decides which of its quarters pool together.
    usable = win[p.usable[win]]
    owner = p.program_key[p.program[usable]]
    order = np.lexsort((p.q[usable], owner))
    last = order[np.diff(owner[order], append=-1) != 0]  # each programme's last row (keys are >= 0)
    latest = np.full(size, -1)
    latest[owner[last]] = p.measure[usable[last]]
    same = p.measure[usable] == latest[owner]
    outcome = _pooled(p, usable[same], owner[same], size)
    # The latest measures: text where any programme has one, else all-NaN floats (as the oracle's map gives).
    names = np.array([*p.measures, np.nan], dtype=object)[latest[mine]]
    out["outcome_measure"] = names if len(usable) else np.full(len(pos), np.nan)
    out |= {k: v[mine] for k, v in outcome.items()}
    out["single_coordinator"] = p.single[pos]
    out |= {c: p.columns[c][pos] for c in CARRIED if c in p.columns}
    out |= {c: values.take(pos) for c, values in p.lookups.items()}
    return pd.DataFrame(out)


def area_table(p: Prepared, keep: np.ndarray, quarters: int, hourly_value: float) -> pd.DataFrame:
    """Impact rolled up to every area (zeros where nothing runs), rates recomputed from summed counts."""
    size = len(p.area_id)
    win = _window(p, keep, quarters)
    sums = _group_sums(p.values[win], p.area_key[p.program[win]], p.area_keys)
    area = p.program_area[keep]
    known = area >= 0
    area = area[known]
    out = {"area_id": p.area_id, "name": p.area_name, "population": p.area_population,
           "n_programs": np.bincount(area, minlength=size),
           "n_single_coordinator": np.bincount(area, weights=p.single[keep][known], minlength=size).astype(np.int64)}
    if p.step_free is not None:
        # Means of 0/1 flags: their totals are exact, so bincount gives pandas' figures.
        flags = p.step_free[keep][known]
        told = ~np.isnan(flags)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["share_step_free"] = (np.bincount(area[told], weights=flags[told], minlength=size)
                                      / np.bincount(area[told], minlength=size))
    out |= _counts_and_rates(dict(zip(SUMMED, sums[p.area_rows].T)), p.area_population, p.area_shares,
                             hourly_value)
    return pd.DataFrame(out)


def trend_table(p: Prepared, keep: np.ndarray, measure: str | None) -> pd.DataFrame:
    """Quarter-by-quarter totals of the kept programmes, with the pooled outcome of ``measure`` when given."""
    rows = rows_of(p, keep)
    quarters, quarter = np.unique(p.q[rows], return_inverse=True)
    sums = dict(zip(SUMMED, _group_sums(p.values[rows], quarter, len(quarters)).T))
    out = {"period": pd.array([period_label(q) for q in quarters], dtype="str"),
           "programs_reporting": np.bincount(quarter, minlength=len(quarters))}
    out |= {c: _whole(sums[c]) if c in WHOLE else sums[c] for c in SUMMED[:6]}
    with np.errstate(invalid="ignore", divide="ignore"):
        paid = sums["cost_participants"]
        out["cost_per_participant"] = sums["cost"] / np.where(paid > 0, paid, np.nan)
    if measure is not None:
        code = p.measures.index(measure) if measure in p.measures else -2
        pooled = p.usable[rows] & (p.measure[rows] == code)
        outcome = _pooled(p, rows[pooled], quarter[pooled], len(quarters))
        out |= {k: v for k, v in outcome.items() if k != "outcome_sd"}
    return pd.DataFrame(out)


@dataclass
class Linked:
    """Published counts of one filter choice that share inventory figures, for :mod:`core.analysis.disclosure`.

    ``cells`` lists, for each published cell, the period rows it adds up; ``values`` are the cells' true counts.
    The first ``n_first`` cells belong to the first table named, the rest to the second.
    """

    cells: list
    values: np.ndarray
    n_first: int


def linked_participants(p: Prepared, keep: np.ndarray, quarters: int) -> Linked:
    """The area table's participant cells (in ``p.area_id`` order) and the trend's (in quarter order), each as the
    period rows it adds up."""
    win = _window(p, keep, quarters)
    area = p.program_area[p.program[win]]
    part = np.nan_to_num(p.values[:, 1])
    areas = [win[area == a] for a in range(len(p.area_id))]
    rows = rows_of(p, keep)
    quarter_ids, quarter = np.unique(p.q[rows], return_inverse=True)
    trend = [rows[quarter == k] for k in range(len(quarter_ids))]
    cells = areas + trend
    values = np.array([part[c].sum() for c in cells])
    # The unknowns are the period rows themselves, as other pages' totals split them (by programme); rows that no
    # cell tells apart are merged by the audit.
    return Linked(cells, values, len(areas))


def linked_outcome_n(p: Prepared, keep: np.ndarray, quarters: int, measure: str | None) -> Linked:
    """Each kept programme's pooled n (as :func:`program_table` pools it) and the trend's n of ``measure``."""
    win = _window(p, keep, quarters)
    usable = win[p.usable[win]]
    owner = p.program[usable]
    order = np.lexsort((p.q[usable], owner))
    last = order[np.diff(owner[order], append=-1) != 0]
    latest = np.full(len(keep), -1)
    latest[owner[last]] = p.measure[usable[last]]
    same = usable[p.measure[usable] == latest[owner]]
    mine = p.program[same]
    programmes = [same[mine == j] for j in np.flatnonzero(keep)]
    trend = []
    if measure is not None:
        rows = rows_of(p, keep)
        quarter_ids, quarter = np.unique(p.q[rows], return_inverse=True)
        code = p.measures.index(measure) if measure in p.measures else -2
        pooled = p.usable[rows] & (p.measure[rows] == code)
        trend = [rows[pooled & (quarter == k)] for k in range(len(quarter_ids))]
    n = np.nan_to_num(p.pool[:, 0])
    cells = programmes + trend
    return Linked(cells, np.array([n[c].sum() for c in cells]), len(programmes))
