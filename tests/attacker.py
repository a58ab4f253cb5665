"""An attacker who sets every published inventory figure of one filter state against the others, by linear program.

This is the audit that τ-ARGUS and sdcTable perform on a suppressed table (τ-ARGUS manual, Hundepool et al.,
"Audit" / "shadow table" bounds; sdcTable's ``attack()``; Hundepool et al. 2012, *Statistical Disclosure
Control*, §5.3 on interval protection): the unknowns are the inventory's finest figures (a programme's
participants and pre/post n in a quarter, its volunteers), every published cell is a linear constraint on them
(a shown number an equality, "<11" the bounds 1-10, "suppressed" a lower bound of 1), and for each hidden cell the
tightest bounds any visitor can prove are the minimum and maximum of that cell over what is feasible, solved with
HiGHS (the LP relaxation, as τ-ARGUS audits; every solve has a time limit). :func:`_bounds` (pulp/CBC) solves the
same programs another way; a test checks on a small case that the two agree.

Protection interval: a "<11" cell must still be able to be 10 (no one can prove it smaller than its marker says) and
its feasible values must span at least 5 of the marker's 1-10 (``WIDTH``; all of 1-10 cannot be required in general,
since a hidden cell adding up two other hidden cells is at least 2 from their markers alone); a "suppressed" cell
must not be pinned to one value.

Everything a visitor can download for a state is gathered through the product's own download functions: the
Impact page's three CSVs, the Funding page's volunteer table, every table Data & methods offers, and (``reach``)
the Inclusion and Volunteers tables and a sample of neighbourhood briefs, whose shares and rates are linear
constraints (tests/attacker_reach.py). The Admin preview shows a signed-in owner their own upload and the published
inventory, not figures for visitors, so it adds nothing here.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from core.analysis import impact
from core.analysis.coverage import PROGRAM_TYPES
from core.store import queries
from core.views import funding as fv
from core.views import impact as iv
from core.views import inclusion as incv
from core.views import methods
from core.views import volunteers as vov
from tests import attacker_reach as ar

WITNESS_BOX = 1e5   # each unknown's bound in the programs that look for witnesses only
SOLVE_SECONDS = 10  # the time limit of one bound (these LPs take milliseconds)
LOW, HIGH = 1, 10
WIDTH = 5


@dataclass
class Cell:
    source: str          # which download, and where in it
    atoms: list          # the unknowns it adds up
    text: str            # as published: a number, "<11", "suppressed", or "relation"
    coefs: list | None = None   # each atom's weight (None: all 1, a count of people)
    low: float | None = None    # a relation's bounds on the weighted sum (a shown share or rate, rounded)
    high: float | None = None


@dataclass
class Exposure:
    source: str
    text: str
    low: float
    high: float


@dataclass
class Published:
    cells: list[Cell] = field(default_factory=list)

    def add(self, source: str, atoms, text) -> None:
        text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text).strip()
        if atoms and text != "":
            self.cells.append(Cell(source, list(atoms), text))

    def add_terms(self, source: str, terms: dict, text: str, low=None, high=None) -> None:
        """A cell or relation that weighs its unknowns (``terms``: unknown -> weight), e.g. n - k or k - s·n."""
        terms = {a: w for a, w in terms.items() if w != 0}
        if terms:
            self.cells.append(Cell(source, list(terms), text, list(terms.values()), low, high))


def _csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


@dataclass
class Inventory:
    """The true structure an attacker is assumed to know: which programme is where, which quarters it reports."""

    programs: pd.DataFrame
    periods: pd.DataFrame
    data: iv.ImpactData
    funding: fv.FundingData
    tables: dict[str, pd.DataFrame]  # Data & methods' whole-table downloads (the same in every state)
    inclusion: incv.InclusionData
    volunteers: vov.VolunteerData
    reach_cells: dict = field(default_factory=dict)   # a reach page's state -> its cells (read once per state)


@dataclass
class ReachState:
    """The other pages' choices in a state: Inclusion's group and window, Volunteers' window and hourly value, and
    the areas whose brief is read."""

    inclusion: incv.InclusionState
    volunteers: vov.VolunteerState
    areas: tuple[str, ...]


def inventory(con) -> Inventory:
    periods = queries.program_periods(con).reset_index(drop=True)
    periods["q"] = impact.period_index(periods["period"])
    n = pd.to_numeric(periods["n_pre_post"], errors="coerce")
    periods["usable"] = ((n > 0) & periods["mean_change"].notna() & periods["outcome_measure"].notna()
                         & ((n == 1) | periods["sd_change"].notna()))
    tables = {t: _csv(methods.table_csv(con, t)) for t in ("program_period", "program") if t in methods.export_tables()}
    return Inventory(queries.programs(con), periods, iv.impact_data(con), fv.funding_data(con), tables,
                     incv.inclusion_data(con), vov.volunteer_data(con))


BRIEF_AREAS = 3  # areas whose brief is read in each state (a sample keeps the audit quick)


def reach_states(inv: Inventory, n: int, seed: int) -> list[ReachState]:
    """Random Inclusion and Volunteers states and brief areas (their own random stream: the Impact states of
    :func:`random_states` stay as they were)."""
    rng = random.Random(seed + 7919)
    inc, vol = ar.inclusion_states(rng, n), ar.volunteer_states(rng, n)
    ids = sorted(inv.inclusion.areas["area_id"].astype(str))
    return [ReachState(i, v, tuple(rng.sample(ids, min(BRIEF_AREAS, len(ids))))) for i, v in zip(inc, vol)]


def reach_cells(con, inv: Inventory, reach: ReachState) -> list[Cell]:
    """The reach pages' cells of a state: Inclusion's tables, Volunteers' and the briefs'. They depend on the reach
    pages' own choices only (not on Impact's), and their states are few, so each page state is read once."""
    readers = [(("inclusion", reach.inclusion), lambda r: ar.gather_inclusion(r, inv.inclusion, reach.inclusion)),
               # The hourly value prices volunteer hours; it changes no rate built on people.
               (("volunteers", reach.volunteers.quarters),
                lambda r: ar.gather_volunteers(r, inv.volunteers, reach.volunteers))]
    readers += [(("brief", a), lambda r, a=a: ar.gather_brief(r, con, inv.programs, (a,), inv.inclusion.as_of,
                                                             inv.inclusion)) for a in reach.areas]
    out = []
    for key, read in readers:
        if key not in inv.reach_cells:
            pub = Published()
            read(ar.Reach(pub, inv.periods))
            inv.reach_cells[key] = pub.cells
        out += inv.reach_cells[key]
    return out


def inclusion_windows(inv: Inventory, group: str) -> Published:
    """One group's Inclusion tables over every window the page offers, read together (a visitor can read them
    all and set one window against another)."""
    pub = Published()
    reach = ar.Reach(pub, inv.periods)
    for quarters in incv.QUARTER_CHOICES:
        ar.gather_inclusion(reach, inv.inclusion, incv.InclusionState(group, quarters))
    return pub


def random_states(inv: Inventory, n: int, seed: int) -> list[tuple[iv.ImpactState, tuple[str, ...]]]:
    """Impact filter states (often narrow, where small cells live) with a Funding type selection for each."""
    rng = random.Random(seed)
    data = inv.data
    out = []
    for _ in range(n):
        types = tuple(rng.sample(data.types, rng.choice([0, 1, 1, 2]))) if data.types else ()
        pops = tuple(rng.sample(data.populations, rng.choice([0, 0, 1, 1, 2]))) if data.populations else ()
        measure = rng.choice(data.measures) if data.measures else ""
        state = iv.ImpactState(types, pops, rng.choice(iv.QUARTER_CHOICES), measure)
        funding_types = tuple(rng.sample(PROGRAM_TYPES, rng.randint(1, len(PROGRAM_TYPES))))
        out.append((state, funding_types))
    return out


def gather(con, inv: Inventory, state: iv.ImpactState, funding_types, reach: ReachState | None = None) -> Published:
    """Every published inventory count of one filter state, as constraints on the inventory's finest figures."""
    pub = Published()
    if reach is not None:
        pub.cells += reach_cells(con, inv, reach)
    periods, programs = inv.periods, inv.programs
    keep = impact.chosen(inv.data.prepared, list(state.types) or None, list(state.populations) or None)
    chosen = set(programs["program_id"].to_numpy()[keep])
    # Plain arrays: a state reads hundreds of rows of its downloads, each a mask over every period row.
    q, usable = periods["q"].to_numpy(), periods["usable"].to_numpy()
    measure = periods["outcome_measure"].to_numpy()
    pid = periods["program_id"].to_numpy()
    end = int(q.max())
    window = (q >= end - state.quarters + 1) & (q <= end)
    mine = periods["program_id"].isin(chosen).to_numpy()

    def x(rows):   # participants of period rows
        return [("x", int(i)) for i in np.flatnonzero(rows)]

    def y(rows):   # pre/post n of period rows
        return [("y", int(i)) for i in np.flatnonzero(rows)]

    v = iv.views_of(inv.data, state)
    # Impact: participation by area over the window.
    row_area = periods["program_id"].map(programs.set_index("program_id")["area_id"]).to_numpy()
    names = inv.data.areas.set_index("name")["area_id"]
    areas = _csv(iv.area_download(v))
    for name, count in zip(areas["Area"], areas["Participants"]):
        if name in names.index:
            pub.add(f"impact area {name}", x(mine & window & (row_area == names[name])), count)
    # Impact: quarterly trends of the filtered programmes (participants, and the chosen measure's n).
    trends = _csv(iv.trends_download(v))
    chosen_measure = mine & usable & (measure == state.measure)
    for quarter, at, r in zip(trends["Quarter"], impact.period_index(trends["Quarter"]), trends.to_dict("records")):
        pub.add(f"impact trend {quarter} participants", x(mine & (q == at)), r["Participants"])
        if "Outcome n" in r:
            pub.add(f"impact trend {quarter} outcome n", y(chosen_measure & (q == at)), r["Outcome n"])
    # Impact: each programme's pooled n over the window's quarters of its latest measure.
    have = periods[mine & window & usable]
    latest = have.sort_values("q").drop_duplicates("program_id", keep="last").set_index("program_id")["outcome_measure"]
    by_name = programs[programs["program_id"].isin(chosen)].groupby("name")["program_id"].agg(list)
    own = _csv(iv.programme_download(v))
    for name, n in zip(own["Programme"], own["n (pre/post)"]):
        ids = by_name.get(name, [])
        if len(ids) != 1 or ids[0] not in latest.index:
            continue
        pub.add(f"impact programme {name} n", y((pid == ids[0]) & window & usable & (measure == latest[ids[0]])), n)
    # Funding: volunteers by area for the chosen programme types.
    fprog = fv.select_programs(inv.funding.programs, funding_types)
    vol = fv.volunteer_table(fprog, fv.fu.VOLUNTEER_HOUR_VALUE_USD)
    fnames = fprog.groupby("area_name")["program_id"].agg(list)
    for _, r in vol.iterrows():
        if r["Area"] in fnames.index:
            pub.add(f"funding volunteers {r['Area']}", [("v", p) for p in fnames[r["Area"]]], r["Volunteers"])
    # Data & methods: every inventory table it offers whole.
    if "program_period" in inv.tables:
        t = inv.tables["program_period"]
        for i, (a, b) in enumerate(zip(t.get("participants", [""] * len(t)), t.get("n_pre_post", [""] * len(t)))):
            pub.add(f"program_period.csv row {i + 2} participants", [("x", i)], a)
            pub.add(f"program_period.csv row {i + 2} n_pre_post", [("y", i)], b)
    if "program" in inv.tables and "volunteer_count" in inv.tables["program"]:
        t = inv.tables["program"]
        for i, (pid, n) in enumerate(zip(t["program_id"], t["volunteer_count"])):
            pub.add(f"program.csv row {i + 2} volunteer_count", [("v", pid)], n)
    return pub


def _components(cells: list[Cell]) -> list[list[Cell]]:
    """Cells joined through shared unknowns: a hidden cell can be narrowed only within its own component."""
    parent = list(range(len(cells)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict = {}
    for k, c in enumerate(cells):
        for a in c.atoms:
            if a in owner:
                parent[root(k)] = root(owner[a])
            else:
                owner[a] = k
    groups: dict = {}
    for k, c in enumerate(cells):
        groups.setdefault(root(k), []).append(c)
    return list(groups.values())


def _expr(var: dict, c: Cell):
    if c.coefs is None:
        return pulp.lpSum(var[a] for a in c.atoms)
    return pulp.lpSum(w * var[a] for a, w in zip(c.atoms, c.coefs))


def _bounds(cells: list[Cell], targets: list[Cell]) -> list[tuple[Cell, float, float]]:
    """Min and max of each target cell over everything the component's published cells allow (LP, CBC)."""
    atoms = sorted({a for c in cells for a in c.atoms}, key=str)
    var = {a: pulp.LpVariable(f"a{i}", lowBound=0) for i, a in enumerate(atoms)}
    prob = pulp.LpProblem("attack", pulp.LpMinimize)
    for k, c in enumerate(cells):
        expr = _expr(var, c)
        value = _number(c.text)
        if c.text == "relation":
            if c.low is not None:
                prob += expr >= c.low, f"rl{k}"
            if c.high is not None:
                prob += expr <= c.high, f"rh{k}"
        elif value is not None:
            prob += expr == value, f"c{k}"
        elif c.text in ("<11", "suppressed"):
            prob += expr >= LOW, f"lo{k}"
            if c.text == "<11":
                prob += expr <= HIGH, f"hi{k}"
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=SOLVE_SECONDS)
    out = []
    for c in targets:
        bounds = []
        for sense in (pulp.LpMinimize, pulp.LpMaximize):
            prob.sense = sense
            prob.setObjective(_expr(var, c))
            status = pulp.LpStatus[prob.solve(solver)]
            if status == "Unbounded":
                bounds.append(np.inf)
            elif status != "Optimal":
                raise AssertionError(f"the published cells are inconsistent, or CBC failed: {status} ({c.source})")
            else:
                bounds.append(float(pulp.value(prob.objective)))
        out.append((c, *bounds))
    return out


def _bounds_highs(cells: list[Cell], targets: list[Cell], witness: bool = True, witness_only: bool = False):
    """Min and max of each target cell over everything the component's published cells allow: one HiGHS model
    (highspy) for the whole component, built once, each cell a row whose bounds say what is published; each target's
    programs change only the objective, so they start from the last basis (each solve time-limited).

    ``witness``: look for witnesses first (below); ``witness_only``: return the ids of the targets the witnesses
    prove safe, and bound nothing."""
    import highspy
    from scipy import sparse

    atoms = {a: i for i, a in enumerate({a for c in cells for a in c.atoms})}
    inf = highspy.kHighsInf
    rows, cols, weights, lower, upper = [], [], [], [], []
    for c in cells:
        value = _number(c.text)
        if c.text == "relation":
            low, high = (-inf if c.low is None else c.low), (inf if c.high is None else c.high)
        elif value is not None:
            low = high = value
        elif c.text in ("<11", "suppressed"):
            low, high = LOW, (HIGH if c.text == "<11" else inf)
        else:
            continue
        rows.extend([len(lower)] * len(c.atoms))
        cols.extend(atoms[a] for a in c.atoms)
        weights.extend(c.coefs or [1.0] * len(c.atoms))
        lower.append(float(low))
        upper.append(float(high))
    shape = len(atoms)
    a = sparse.csr_matrix((weights, (rows, cols)), shape=(len(lower), shape))
    a.sum_duplicates()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(SOLVE_SECONDS))
    none = np.zeros(0, dtype=np.int32)
    every = np.arange(shape, dtype=np.int32)
    h.addCols(shape, np.zeros(shape), np.zeros(shape), np.full(shape, inf), 0, none, none, np.zeros(0))
    h.addRows(len(lower), np.array(lower), np.array(upper), a.nnz, a.indptr.astype(np.int32),
              a.indices.astype(np.int32), a.data.astype(float))

    def objective(c):
        out = np.zeros(shape)
        np.add.at(out, [atoms[x] for x in c.atoms], c.coefs or [1.0] * len(c.atoms))
        return out

    def solve(vector, box=None):
        """(status, minimum, point): "optimal", "unbounded" or HiGHS's word for what went wrong."""
        h.changeColsBounds(shape, every, np.zeros(shape), np.full(shape, inf if box is None else box))
        h.changeColsCost(shape, every, np.asarray(vector, dtype=float))
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return "optimal", h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            h.changeColsCost(shape, every, np.zeros(shape))   # feasible with nothing to optimise: unbounded
            h.run()
            if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                return "unbounded", -np.inf, None
        return h.modelStatusToString(status), np.nan, None

    # Witnesses first: one program pushes every target up at once, one down. A "<11" target that reaches 10 in the
    # first and at most 5 in the second can take both values, and a "suppressed" one that differs by 1 or more
    # between them is not pinned: either is safe without programs of its own (sound: two feasible points). Rounds
    # repeat on the targets not yet proved; only the rest are bounded one by one.
    safe: set = set()
    if witness and len(targets) > 1:
        vectors = np.array([objective(c) for c in targets])
        capped = np.array([c.text == "<11" for c in targets])
        high_ok, low_ok = np.zeros(len(targets), bool), np.zeros(len(targets), bool)
        for _ in range(3):
            todo = ~(high_ok & low_ok)
            # A box keeps the push up finite where a "suppressed" cell is unbounded (its points are still feasible).
            (s_high, _, x_high), (s_low, _, x_low) = (solve(-vectors[todo].sum(axis=0), WITNESS_BOX),
                                                      solve(vectors[todo].sum(axis=0)))
            if s_high != "optimal" or s_low != "optimal":
                break
            up, down = vectors @ x_high, vectors @ x_low
            before = int((high_ok & low_ok).sum())
            high_ok |= np.where(capped, up >= HIGH - 1e-6, up - down >= 1 - 1e-6)
            low_ok |= np.where(capped, down <= HIGH - WIDTH + 1e-6, up - down >= 1 - 1e-6)
            if (high_ok & low_ok).all() or int((high_ok & low_ok).sum()) == before:
                break
        safe = {id(c) for c, ok in zip(targets, high_ok & low_ok) if ok}
    if witness_only:
        return safe
    out = []
    for c in targets:
        if id(c) in safe:
            out.append((c, float(LOW), float(HIGH)))
            continue
        bounds = []
        for sign in (1.0, -1.0):
            status, value, _ = solve(sign * objective(c))
            if status == "unbounded":
                bounds.append(np.inf)
            elif status != "optimal":
                raise AssertionError(f"the published cells are inconsistent, or HiGHS failed: {status} ({c.source})")
            else:
                bounds.append(sign * value)
        out.append((c, *bounds))
    return out


def attack(pub: Published, max_targets: int | None = None, seed: int = 0) -> list[Exposure]:
    """The hidden cells whose feasible range is narrower than their protection interval."""
    work = []
    for component in _components(pub.cells):
        if len(component) > 1:
            work += [(component, c) for c in component if c.text in ("<11", "suppressed")]
    if max_targets is not None and len(work) > max_targets:
        work = random.Random(seed).sample(work, max_targets)
    out = []
    by_component: dict = {}
    for component, c in work:
        by_component.setdefault(id(component), (component, []))[1].append(c)
    # Witnesses for every component at once (they are independent: one pair of programs finds each one's points),
    # then programs of their own for the targets not proved safe, each within its component.
    every = [c for component, _ in by_component.values() for c in component]
    safe = _bounds_highs(every, [c for _, c in work], witness_only=True) if len(work) > 1 else set()
    for component, targets in by_component.values():
        targets = [c for c in targets if id(c) not in safe]
        if not targets:
            continue
        for c, low, high in _bounds_highs(component, targets, witness=False):
            narrowed = (high < HIGH - 1e-6 or high - low < WIDTH - 1e-6) if c.text == "<11" else high - low < 1 - 1e-6
            if narrowed:
                out.append(Exposure(c.source, c.text, low, high))
    return out


def audit(con, n_states: int, seed: int, max_targets: int | None = 12,
          reach: bool = True) -> list[tuple[int, Exposure]]:
    """Every exposure over ``n_states`` random filter states: (state number, exposure). ``reach``: read the
    Inclusion and Volunteers pages and the briefs too (else Impact, Funding and Data & methods only)."""
    inv = inventory(con)
    found = []
    others = reach_states(inv, n_states, seed) if reach else [None] * n_states
    states = zip(random_states(inv, n_states, seed), others)
    for k, ((state, types), reach) in enumerate(states):
        found += [(k, e) for e in attack(gather(con, inv, state, types, reach), max_targets, seed + k)]
    return found


def kinds(found) -> dict[str, int]:
    """Exposures by download and figure (the four attacks of issue 13 fall in different ones)."""
    out: dict[str, int] = {}
    for _, e in found:
        words = e.source.split()
        # The reach pages name the figure after the row's name: "... rt per 100 <11", "... limited_english <11".
        figure = " ".join(words[-3:-1]) if words[-2:-1] == ["100"] or words[-1] == "<11" else words[-1]
        key = f"{words[0]} {words[1]} {figure} {e.text}"
        out[key] = out.get(key, 0) + 1
    return out


def truth(inv: Inventory) -> dict:
    """Every unknown's true value: what the published cells must all allow (a check on the attacker's model)."""
    p = inv.periods
    out: dict = {}
    for i, r in enumerate(p.itertuples(index=False)):
        out[("x", i)] = float(r.participants)
        out[("y", i)] = float(r.n_pre_post) if pd.notna(r.n_pre_post) else 0.0
        for g in ar.inc.GROUPS:
            k = getattr(r, g.column)
            if pd.notna(k):
                out[("g", g.key, i)] = float(k)
        for atom, column in (("va", "volunteers_active"), ("vj", "volunteers_joined"),
                             ("rt", "referrals_to_professional"), ("rf", "referrals_from_professional")):
            value = getattr(r, column)
            out[(atom, i)] = float(value) if pd.notna(value) else 0.0
    for pid, n in zip(inv.programs["program_id"], inv.programs.get("volunteer_count", [])):
        out[("v", pid)] = float(n) if pd.notna(n) else 0.0
    return out


def violations(pub: Published, true: dict, tol: float = 1e-6) -> list[str]:
    """The published cells the true values break (none, if the attacker reads the pages right)."""
    out = []
    for c in pub.cells:
        value = sum(w * true.get(a, np.nan) for a, w in zip(c.atoms, c.coefs or [1.0] * len(c.atoms)))
        shown = _number(c.text)
        bad = ((c.text == "relation" and ((c.low is not None and value < c.low - tol)
                                          or (c.high is not None and value > c.high + tol)))
               or (shown is not None and abs(value - shown) > tol)
               or (c.text == "<11" and not LOW - tol <= value <= HIGH + tol)
               or (c.text == "suppressed" and value < LOW - tol) or np.isnan(value))
        if bad:
            out.append(f"{c.source} {c.text} [{c.low}, {c.high}] true {value:g}")
    return out
