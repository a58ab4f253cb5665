"""What the Plan page shows: k new programme sites among real venues (MCLP against greedy) and the coverage they add."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pydeck as pdk

from core.analysis.coverage import (
    MAX_CATCHMENT,
    PLACE_BASED_TYPES,
    TYPE_LABELS,
    CoverageModel,
    CoverageParams,
    CoverageResult,
    compute,
)
from core.analysis.gap import gap_table
from core.analysis.siting import SitingResult, coverage_matrix, greedy, mclp
from core.analysis.travel import DEFAULT_CIRCUITY, DEFAULT_SPEED_KMH, CostPairs, pairs_within_haversine
from core.base.formatting import number, percent
from core.base.palettes import CATEGORICAL, DIVERGING, NO_DATA, hex_to_rgb
from core.views import maps, url_state

K_RANGE = (1, 10)
CAPACITY_RANGE = (5, 200)
D0_RANGE = (5, 60)
#: The need factor of a tract is NEED_BASE + its area's need index (0–1), so 0.5 to 1.5: the neediest areas
#: count three times the least needy, and no resident counts for nothing.
NEED_BASE = 0.5
TIME_LIMIT = 20.0

WEIGHTING_HELP = (
    "Each census tract counts as: residents × (0.5 + its area's need index, 0 to 1) × (1 if no "
    "existing place-based programme is within the catchment of the tract's centre, else 0). So only residents "
    "not yet within reach count, and a resident of the neediest area counts three times one of the least needy. "
    "The sites chosen maximise the sum over the tracts they bring within reach (maximal covering location "
    "problem, PySAL spopt on CBC); the greedy baseline adds one site at a time, each covering the most new weight."
)

def candidates_sentence(kinds) -> str:
    """Which venues are candidates, in the words of the city's pack (its venue kinds, most common first).

    >>> candidates_sentence(["library", "library", "senior centre"])
    'Candidates are the venues in the city pack: library (2), senior centre (1).'
    """
    counts = pd.Series(list(kinds), dtype=object).value_counts()
    return ("Candidates are the venues in the city pack: "
            + ", ".join(f"{k} ({n:,})" for k, n in counts.items()) + ".")


PICK_COLOUR = CATEGORICAL[5]       # vermillion: the optimal picks
GREEDY_COLOUR = CATEGORICAL[2]     # bluish green: sites only the greedy baseline picks
CANDIDATE_COLOUR = "#7f7f7f"
# The purple half of ColorBrewer PuOr: coverage change is a difference, and adding programmes only adds.
GAIN_COLOURS = {3: DIVERGING[7][4:]}
NO_CHANGE = DIVERGING[7][3]


@dataclass(frozen=True)
class PlanParams:
    """The planner's choices; hashable, so solutions can be cached on them."""

    k: int = 5
    program_type: str = "peer_support"
    capacity: float = 20.0
    d0: float = 30.0
    priority_only: bool = False
    pinned: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()


def params_from_query(query: dict, venue_ids) -> PlanParams:
    """Plan choices from URL query parameters: k, type, capacity, d0, priority, pinned, excluded.

    Numbers are clamped, the type and venue ids are checked against allow-lists, pinned sites are capped at k
    and a site both pinned and excluded stays pinned.

    Examples
    --------
    >>> p = params_from_query({"k": "3", "type": "workshop", "capacity": "999", "pinned": "a,zz",
    ...                        "excluded": "a,b"}, ["a", "b", "c"])
    >>> p.k, p.program_type, p.capacity, p.pinned, p.excluded
    (3, 'workshop', 200.0, ('a',), ('b',))
    """
    ids = [str(v) for v in venue_ids]
    k = int(url_state.number(query, "k", *K_RANGE, PlanParams.k))
    pinned = _venue_list(query, "pinned", ids)[:k]
    excluded = tuple(v for v in _venue_list(query, "excluded", ids) if v not in pinned)
    d0 = url_state.number(query, "d0", *D0_RANGE, PlanParams.d0)
    return PlanParams(
        k=k,
        program_type=url_state.choice(query, "type", PLACE_BASED_TYPES, PlanParams.program_type),
        capacity=float(round(url_state.number(query, "capacity", *CAPACITY_RANGE, PlanParams.capacity))),
        d0=float(round(d0 / 5) * 5),
        priority_only=url_state.flag(query, "priority"),
        pinned=pinned,
        excluded=excluded,
    )


def _venue_list(query: dict, key: str, ids: list[str]) -> tuple[str, ...]:
    allowed = set(ids)
    raw = url_state.first(query, key) or ""
    return tuple(dict.fromkeys(v for v in raw.split(",") if v in allowed))


def params_to_query(p: PlanParams) -> dict[str, str]:
    return {"k": str(p.k), "type": p.program_type, "capacity": f"{p.capacity:g}", "d0": f"{p.d0:g}",
            "priority": "1" if p.priority_only else "0", "pinned": ",".join(p.pinned),
            "excluded": ",".join(p.excluded)}


@dataclass
class PlanResult:
    """A solved plan: the candidates, the tracts' weights, both solutions and the coverage they produce."""

    params: PlanParams
    k: int
    candidates: pd.DataFrame      # venue_id, name, kind, area_id, area, lon, lat, priority, pinned, excluded
    tracts: pd.DataFrame          # tract_id, area_id, population, lon, lat, need, in_reach, weight, newly_reached
    optimal: SitingResult
    baseline: SitingResult
    picks: pd.DataFrame           # the optimal sites in pick order
    greedy_picks: pd.DataFrame    # the greedy sites in its order
    residents_new: float
    residents_new_greedy: float
    coverage: pd.DataFrame        # per area: before and after, change, reach
    before: CoverageResult
    after: CoverageResult
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def tract_weights(model: CoverageModel, need_index: pd.Series, before: CoverageResult) -> pd.DataFrame:
    """Each tract's siting weight: population × (NEED_BASE + area need index) × (not already within reach).

    Parameters
    ----------
    model : CoverageModel
    need_index : Series
        Need index (0–1) by area_id; an area without one counts at the middle (0.5).
    before : CoverageResult
        Coverage with the existing programmes at the chosen catchment; its ``in_reach`` decides who is
        already served.
    """
    tr = model.tracts
    need = tr["area_id"].map(pd.Series(need_index, dtype=float)).fillna(0.5).to_numpy(dtype=float)
    pop = tr["population"].to_numpy(dtype=float)
    in_reach = before.tracts["in_reach"].to_numpy(dtype=bool)
    return pd.DataFrame({"tract_id": tr["tract_id"].to_numpy(), "area_id": tr["area_id"].to_numpy(),
                         "population": pop, "lon": tr["lon"].to_numpy(dtype=float),
                         "lat": tr["lat"].to_numpy(dtype=float), "need": need, "in_reach": in_reach,
                         "weight": pop * (NEED_BASE + need) * ~in_reach})


def priority_table(model: CoverageModel, need_index: pd.Series, before: CoverageResult) -> pd.DataFrame:
    """The gap table (core.analysis.gap) of need against coverage at the chosen catchment; ``priority`` marks cell 3-1."""
    cov = before.areas.set_index("area_id")
    return gap_table(pd.Series(need_index, dtype=float).reindex(cov.index), cov["coverage_per_1000"],
                     cov["population"])


def candidate_venues(venues: pd.DataFrame, areas: pd.DataFrame, gap: pd.DataFrame, params: PlanParams) -> pd.DataFrame:
    """The venues a new programme may go to: all of them, or those in priority areas plus any pinned ones."""
    v = venues.copy()
    v["venue_id"] = v["venue_id"].astype(str)
    v["area"] = v["area_id"].map(areas.set_index("area_id")["name"])
    v["priority"] = v["area_id"].map(gap["priority"]).fillna(False).astype(bool)
    v["pinned"] = v["venue_id"].isin(params.pinned)
    if params.priority_only:
        v = v.loc[v["priority"] | v["pinned"]]
    v = v.reset_index(drop=True)
    v["excluded"] = v["venue_id"].isin(params.excluded) & ~v["pinned"]
    return v[["venue_id", "name", "kind", "address", "area_id", "area", "lon", "lat", "priority", "pinned",
              "excluded"]]


def extended_model(model: CoverageModel, sites: pd.DataFrame, capacity: float, program_type: str) -> CoverageModel:
    """The coverage model with new programmes added at ``sites`` (venues), for recomputing E2SFCA unchanged.

    The new sites' pairs are found with the same haversine walk (``pairs_within_haversine`` to the model's
    radius) and appended after the existing programmes, so ``coverage.compute`` runs on the combined supply.
    A new programme is taken to be free, in English, with daytime hours.
    """
    tr = model.tracts
    new = pd.DataFrame({
        "program_id": [f"NEW-{k + 1}" for k in range(len(sites))],
        "name": [f"New {TYPE_LABELS.get(program_type, program_type).lower()} at {n}" for n in sites["name"]],
        "organization_name": "planned", "type": program_type, "venue_id": sites["venue_id"].to_numpy(),
        "location_name": sites["name"].to_numpy(), "lon": sites["lon"].to_numpy(dtype=float),
        "lat": sites["lat"].to_numpy(dtype=float), "area_id": sites["area_id"].to_numpy(),
        "weekly_capacity": float(capacity), "languages": "english", "step_free": True, "evening": False,
        "weekend": False, "free": True, "childcare": False, "venue_name": sites["name"].to_numpy(),
        "area_name": sites["area"].to_numpy() if "area" in sites else None,
    })
    programs = pd.concat([model.programs, new], ignore_index=True) if len(new) else model.programs
    radius = min(model.pairs.max_minutes, MAX_CATCHMENT)
    add = pairs_within_haversine(tr["lon"], tr["lat"], new["lon"], new["lat"], radius)
    old = model.pairs
    pairs = CostPairs(np.concatenate([old.i, add.i]), np.concatenate([old.j, add.j + old.n_supply]),
                      np.concatenate([old.minutes, add.minutes]), old.n_demand, old.n_supply + len(new), radius)
    match = np.concatenate([model.language_match, np.zeros(len(add), dtype=bool)])
    return CoverageModel(tracts=tr, areas=model.areas, programs=programs, pairs=pairs, language_match=match,
                         as_of=model.as_of)


def _picks_frame(result: SitingResult, cand: pd.DataFrame, tracts: pd.DataFrame, covers: np.ndarray,
                 other: SitingResult) -> pd.DataFrame:
    """One row per chosen site in pick order, with what it adds in weight and in residents."""
    pop_new = tracts["population"].to_numpy() * (tracts["weight"].to_numpy() > 0)
    covered = np.zeros(len(tracts), dtype=bool)
    residents = []
    for j in result.chosen:  # at most ten picks
        residents.append(float(pop_new[covers[:, j] & ~covered].sum()))
        covered |= covers[:, j]
    c = cand.iloc[result.chosen]
    return pd.DataFrame({
        "Order": np.arange(1, len(result.chosen) + 1), "venue_id": c["venue_id"].to_numpy(),
        "Venue": c["name"].to_numpy(), "Kind": c["kind"].to_numpy(), "Area": c["area"].to_numpy(),
        "Priority area": c["priority"].to_numpy(), "Pinned": c["pinned"].to_numpy(),
        "Need-weighted residents added": np.round(result.gains, 0),
        "Residents newly within reach": np.round(residents, 0),
        "Also picked by the other method": [j in set(other.chosen) for j in result.chosen],
        "lon": c["lon"].to_numpy(), "lat": c["lat"].to_numpy()})


def solve(model: CoverageModel, need_index: pd.Series, venues: pd.DataFrame, params: PlanParams,
          time_limit: float = TIME_LIMIT) -> PlanResult:
    """Choose ``params.k`` new sites by MCLP and by greedy, and recompute coverage with the optimal ones.

    Parameters
    ----------
    model : CoverageModel
        From ``coverage.build_model``; it is not changed.
    need_index : Series
        The need index (0–1) by area_id, e.g. ``need_for(con).index``.
    venues : DataFrame
        ``queries.venues``: the candidate places (libraries, senior centres, community service centres,
        city colleges).
    params : PlanParams
    time_limit : float
        Seconds CBC may take; a timed-out solve keeps the best found (never worse than greedy).

    Returns
    -------
    PlanResult
        See :data:`WEIGHTING_HELP` for the weights. ``residents_new`` counts the residents of tracts not
        within reach before and within ``d0`` of a chosen site after; ``coverage`` is E2SFCA per area before
        and after adding the optimal sites with ``params.capacity`` weekly places each.
    """
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    before = compute(model, CoverageParams(d0=params.d0))
    tracts = tract_weights(model, need_index, before)
    gap = priority_table(model, need_index, before)
    cand = candidate_venues(venues, model.areas, gap, params)
    pairs = pairs_within_haversine(tracts["lon"], tracts["lat"], cand["lon"], cand["lat"], params.d0)
    covers = coverage_matrix((pairs.i, pairs.j, pairs.minutes), params.d0, shape=(len(tracts), len(cand)))
    seconds["weights and candidates"] = time.perf_counter() - t0

    notes = []
    pinned = [int(j) for j in np.flatnonzero(cand["pinned"].to_numpy())]
    excluded = [int(j) for j in np.flatnonzero(cand["excluded"].to_numpy())]
    allowed = len(cand) - len(excluded)
    k = min(int(params.k), allowed)
    if k < params.k:
        notes.append(f"Only {allowed} candidate venues are allowed, so {k} sites are chosen instead of {params.k}.")
    k = max(k, len(pinned))
    w = tracts["weight"].to_numpy()

    t0 = time.perf_counter()
    best = mclp(w, covers, k, pinned, excluded, time_limit=time_limit)
    seconds["MCLP"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = greedy(w, covers, k, pinned, excluded)
    seconds["greedy"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    picks = _picks_frame(best, cand, tracts, covers, base)
    greedy_picks = _picks_frame(base, cand, tracts, covers, best)
    sites = cand.iloc[best.chosen]
    after = compute(extended_model(model, sites, params.capacity, params.program_type),
                    CoverageParams(d0=params.d0))
    tracts["newly_reached"] = best.covered & (tracts["weight"].to_numpy() > 0)
    cand["chosen"] = cand.index.isin(best.chosen)
    cand["chosen_by_greedy"] = cand.index.isin(base.chosen)
    seconds["coverage recompute"] = time.perf_counter() - t0

    idle = [int(o) for o, g in zip(picks["Order"], picks["Need-weighted residents added"]) if g <= 0]
    if idle:
        notes.append(
            f"Pick{'s' if len(idle) > 1 else ''} {', '.join(map(str, idle))} bring no one newly within reach: every "
            "resident those candidates could reach is within reach already, or of an earlier pick. They still add "
            "weekly places, which shows in the coverage change.")
    b, a = before.areas, after.areas
    coverage = pd.DataFrame({
        "area_id": b["area_id"].to_numpy(), "Area": b["name"].to_numpy(),
        "Places per 1,000 before": b["coverage_per_1000"].round(3).to_numpy(),
        "Places per 1,000 after": a["coverage_per_1000"].round(3).to_numpy(),
        "Change in places per 1,000": (a["coverage_per_1000"] - b["coverage_per_1000"]).round(3).to_numpy(),
        "In reach before (%)": (b["reach_share"] * 100).round(1).to_numpy(),
        "In reach after (%)": (a["reach_share"] * 100).round(1).to_numpy(),
        "Residents newly within reach": (a["residents_in_reach"] - b["residents_in_reach"]).round(0).to_numpy(),
        "Priority area": b["area_id"].map(gap["priority"]).fillna(False).astype(bool).to_numpy(),
    }).sort_values(["Change in places per 1,000", "Area"], ascending=[False, True], kind="stable")
    pop_new = tracts["population"].to_numpy() * (w > 0)
    return PlanResult(params=params, k=k, candidates=cand, tracts=tracts, optimal=best, baseline=base,
                      picks=picks, greedy_picks=greedy_picks, residents_new=float(pop_new[best.covered].sum()),
                      residents_new_greedy=float(pop_new[base.covered].sum()), coverage=coverage.reset_index(drop=True),
                      before=before, after=after, notes=notes, seconds=seconds)


def headline(r: PlanResult) -> tuple[str, str, str]:
    """(value, delta, help) for the page's headline metric: residents newly within reach."""
    b = r.before.reach.iloc[0]
    a = r.after.reach.iloc[0]
    delta = f"{percent(b['share'] * 100)} → {percent(a['share'] * 100)} of residents within reach"
    return number(r.residents_new), delta, (
        f"Residents of tracts with no programme within {r.params.d0:g} minutes' walk today that the {r.k} new "
        f"sites would bring within reach. " + WEIGHTING_HELP)


def comparison_text(r: PlanResult) -> str:
    """How far the optimal plan is from the greedy baseline, in plain words."""
    m, g = r.optimal.covered_weight, r.baseline.covered_weight
    same = len(set(r.optimal.chosen) & set(r.baseline.chosen))
    status = r.optimal.status
    if np.isclose(m, g, rtol=1e-12, atol=1e-9):
        lead = (f"The greedy baseline does as well as the optimum here: both cover {number(m)} need-weighted "
                f"residents")
    else:
        lead = (f"The optimal plan covers {number(m)} need-weighted residents, the greedy baseline {number(g)}: "
                f"{number(m - g)} more ({percent((m / g - 1) * 100 if g else 0, 1)} more) with the optimum")
    return (f"{lead}. Residents newly within reach: {number(r.residents_new)} (optimal) against "
            f"{number(r.residents_new_greedy)} (greedy). {same} of the {r.k} sites are the same. "
            f"Solver status: {status}.")


def _change_classes(change: np.ndarray) -> tuple[list[str], list[tuple[str, str]]]:
    colours = np.full(len(change), NO_CHANGE, dtype=object)
    legend = [(NO_CHANGE, "no change")]
    up = change > 1e-9
    if up.any():
        with warnings.catch_warnings():
            # With few areas gaining, mapclassify merges classes and says so; fewer classes is what we want.
            warnings.simplefilter("ignore", UserWarning)
            cls = maps.classify(change[up], k=3, palette=GAIN_COLOURS, fmt="{:,.2f}")
        colours[np.flatnonzero(up)] = [cls.colors[i] for i in cls.index]
        legend += [(c, f"+{lab}") for c, lab in zip(cls.colors, cls.labels)]
    colours[np.isnan(change)] = NO_DATA
    return list(colours), legend


def plan_map(areas_geo: pd.DataFrame, r: PlanResult) -> tuple[pdk.Deck, str]:
    """Areas shaded by the coverage the optimal sites add; the picks, their catchments, greedy-only picks, candidates."""
    cov = r.coverage.set_index("area_id").reindex(areas_geo["area_id"])
    change = cov["Change in places per 1,000"].to_numpy(dtype=float)
    colours, legend = _change_classes(change)
    props = pd.DataFrame({
        "name": cov["Area"].to_numpy(),
        "label": [f"+{number(c, 2)} weekly places per 1,000 ({number(b, 2)} → {number(a, 2)})"
                  for c, b, a in zip(change, cov["Places per 1,000 before"], cov["Places per 1,000 after"])],
        "detail": [f"{number(n)} residents newly within reach" for n in cov["Residents newly within reach"]],
    })
    layers = [maps.area_layer(maps.area_features(areas_geo, colours, props))]
    km = r.params.d0 / 60 * DEFAULT_SPEED_KMH / DEFAULT_CIRCUITY
    picks = r.picks
    layers.append(pdk.Layer(
        "ScatterplotLayer", id="catchments", data=picks[["lon", "lat"]], get_position=["lon", "lat"],
        get_radius=km * 1000, filled=False, stroked=True, get_line_color=hex_to_rgb(PICK_COLOUR, 200),
        line_width_min_pixels=2, pickable=False))
    cand = r.candidates.loc[~r.candidates["chosen"] & ~r.candidates["chosen_by_greedy"]]
    layers.append(maps.points_layer(
        pd.DataFrame({"name": cand["name"], "label": "Candidate venue (" + cand["kind"] + ")",
                      "detail": cand["area"].astype(str), "lon": cand["lon"], "lat": cand["lat"]}),
        "candidates", CANDIDATE_COLOUR, radius=60))
    only_greedy = r.greedy_picks.loc[~r.greedy_picks["Also picked by the other method"]]
    if len(only_greedy):
        layers.append(maps.points_layer(
            pd.DataFrame({"name": only_greedy["Venue"], "label": "Picked by greedy only",
                          "detail": [f"adds {number(g)} need-weighted residents in greedy order"
                                     for g in only_greedy["Need-weighted residents added"]],
                          "lon": only_greedy["lon"], "lat": only_greedy["lat"]}), "greedy", GREEDY_COLOUR, radius=140))
    layers.append(maps.points_layer(
        pd.DataFrame({"name": picks["Venue"],
                      "label": [f"Pick {o}: {k}" for o, k in zip(picks["Order"], picks["Kind"])],
                      "detail": [f"{number(n)} residents newly within reach" for n in
                                 picks["Residents newly within reach"]],
                      "lon": picks["lon"], "lat": picks["lat"]}), "picks", PICK_COLOUR, radius=160))
    deck = maps.deck(layers, areas_geo, "<b>{name}</b><br/>{label}<br/>{detail}")
    html = maps.legend_html(legend, "Change in weekly programme places per 1,000 residents (E2SFCA)")
    html += maps.legend_html([(PICK_COLOUR, f"optimal pick (ring: {r.params.d0:g}-minute walk)"),
                              (GREEDY_COLOUR, "picked by greedy only"), (CANDIDATE_COLOUR, "other candidate venue")],
                             "Sites")
    return deck, html


def picks_table(r: PlanResult, which: str = "optimal") -> pd.DataFrame:
    """The map's picks as a table (without coordinates), for reading and download."""
    t = r.picks if which == "optimal" else r.greedy_picks
    cols = ["Order", "Venue", "Area", "Residents newly within reach", "Need-weighted residents added", "Kind",
            "Priority area", "Pinned", "Also picked by the other method", "venue_id"]
    return t[cols]


def candidates_table(r: PlanResult) -> pd.DataFrame:
    c = r.candidates
    return pd.DataFrame({"venue_id": c["venue_id"], "Venue": c["name"], "Kind": c["kind"], "Area": c["area"],
                         "Priority area": c["priority"], "Pinned": c["pinned"], "Excluded": c["excluded"],
                         "Chosen (optimal)": c["chosen"], "Chosen (greedy)": c["chosen_by_greedy"]})
