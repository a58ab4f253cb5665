"""Coverage of the atlas's residents by community programmes: E2SFCA per tract, rolled up to areas, and reach."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from core.analysis.e2sfca import e2sfca
from core.analysis.travel import CostPairs, pairs_within_haversine
from core.store import queries

MAX_CATCHMENT = 60.0
PROGRAM_TYPES = ("peer_support", "workshop", "community_event", "support_group", "drop_in", "helpline")
TYPE_LABELS = {"peer_support": "Peer support", "workshop": "Workshop", "community_event": "Community event",
               "support_group": "Support group", "drop_in": "Drop-in", "helpline": "Helpline"}
# A helpline is answered by phone, not reached on foot, so walking coverage leaves it out unless asked.
PLACE_BASED_TYPES = tuple(t for t in PROGRAM_TYPES if t != "helpline")
DECAYS_LABELS = {"step": "Step (Luo & Qi 1.00 / 0.68 / 0.22)", "gaussian": "Gaussian (σ = catchment / 2)",
                 "none": "None (classic 2SFCA)"}
GROUPS = {"all": "All residents", "65plus": "Aged 65+", "poverty": "In poverty", "limited_english": "Limited English"}
TOP_LANGUAGES = 3


@dataclass(frozen=True)
class CoverageParams:
    """What the user chose: catchment, decay and which programmes count."""

    d0: float = 30.0
    decay: str = "step"
    sigma: float | None = None
    types: tuple[str, ...] = PLACE_BASED_TYPES
    language: str | None = None
    evening_or_weekend: bool = False
    free_only: bool = False


@dataclass
class CoverageModel:
    """Everything coverage needs that does not depend on the user's choices, built once per database."""

    tracts: pd.DataFrame            # tract_id, area_id, population, pop_65plus, pop_poverty, pop_limited_english
    areas: pd.DataFrame             # area_id, name
    programs: pd.DataFrame          # program rows, in supply order
    pairs: CostPairs                # tracts × programmes within MAX_CATCHMENT
    language_match: np.ndarray      # per pair: the programme offers a language spoken in the tract's area
    as_of: date
    capacity: np.ndarray = field(init=False)
    area_code: np.ndarray = field(init=False)          # per tract: row of ``areas``
    program_area_code: np.ndarray = field(init=False)  # per programme: row of ``areas``
    group_pops: tuple[np.ndarray, np.ndarray, np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        self.capacity = self.programs["weekly_capacity"].to_numpy(dtype=float)
        index = pd.Index(self.areas["area_id"])
        self.area_code = index.get_indexer(self.tracts["area_id"])
        self.program_area_code = index.get_indexer(self.programs["area_id"])
        self.group_pops = tuple(self.tracts[c].to_numpy(dtype=float)
                                for c in ("pop_65plus", "pop_poverty", "pop_limited_english"))


@dataclass
class CoverageResult:
    tracts: pd.DataFrame
    areas: pd.DataFrame
    reach: pd.DataFrame
    programs: pd.DataFrame


def _area_share(ind: pd.DataFrame, indicator_id: str, area_ids: pd.Series) -> np.ndarray:
    s = ind.loc[ind["indicator_id"] == indicator_id].set_index("area_id")["value"] / 100
    return area_ids.map(s).fillna(0.0).to_numpy()


def build_model(con, as_of: date | None = None) -> CoverageModel:
    """Read tracts and programmes and find every tract–programme pair within an hour's walk."""
    info = queries.build_info(con)
    as_of = as_of or date.fromisoformat(info.get("as_of", date.today().isoformat()))
    tr = queries.tracts(con)
    ind = queries.latest_indicators(con, ["share_65plus", "poverty", "limited_english"])
    # Group counts per tract: a pack may give them; where it does not (most sources publish these shares by area
    # only), a tract takes its area's share.
    for column, indicator_id in (("pop_65plus", "share_65plus"), ("pop_poverty", "poverty"),
                                 ("pop_limited_english", "limited_english")):
        estimate = tr["population"] * _area_share(ind, indicator_id, tr["area_id"])
        tr[column] = tr[column].fillna(estimate) if column in tr.columns else estimate
    progs = queries.programs(con)
    active = (pd.to_datetime(progs["start_date"]) <= pd.Timestamp(as_of)) & (
        progs["end_date"].isna() | (pd.to_datetime(progs["end_date"]) >= pd.Timestamp(as_of)))
    progs = progs.loc[active].reset_index(drop=True)
    pairs = pairs_within_haversine(tr["lon"], tr["lat"], progs["lon"], progs["lat"], MAX_CATCHMENT)
    langs = queries.area_languages(con)
    langs = langs.loc[(langs["language"] != "english") & (langs["speakers"] > 0)]
    top = langs.sort_values("speakers", ascending=False).groupby("area_id")["language"].apply(
        lambda s: set(s.head(TOP_LANGUAGES)))
    offered = progs["languages"].str.split(";").map(set)
    # Area ids are text: index the per-area rows by each tract's position in the list of its areas.
    tract_area, area_ids = pd.factorize(tr["area_id"])
    match = np.zeros((len(area_ids), len(progs)), dtype=bool)
    for k, a in enumerate(area_ids):
        spoken = top.get(a, set())
        match[k] = [bool(spoken & o) for o in offered]
    language_match = match[tract_area[pairs.i], pairs.j]
    return CoverageModel(tracts=tr, areas=queries.areas(con)[["area_id", "name"]], programs=progs, pairs=pairs,
                         language_match=language_match, as_of=as_of)


def program_mask(programs: pd.DataFrame, params: CoverageParams) -> np.ndarray:
    """Which programmes count under the user's filters."""
    m = programs["type"].isin(params.types).to_numpy(dtype=bool, copy=True)
    if params.language:
        m &= programs["languages"].str.split(";").map(lambda ls: params.language in ls).to_numpy(dtype=bool)
    if params.evening_or_weekend:
        m &= (programs["evening"] | programs["weekend"]).to_numpy(dtype=bool)
    if params.free_only:
        m &= programs["free"].to_numpy(dtype=bool)
    return m


def _reach(pairs: CostPairs, d0: float, counted: np.ndarray) -> np.ndarray:
    """Per tract: is any counted pair within d0? ``counted`` is a per-pair mask."""
    ok = counted & (pairs.minutes <= d0)
    return np.bincount(pairs.i[ok], minlength=pairs.n_demand) > 0


def compute(model: CoverageModel, params: CoverageParams, capacity: np.ndarray | None = None) -> CoverageResult:
    """Coverage and reach for one set of choices; ``capacity`` overrides weekly places (funding scenarios)."""
    mask = program_mask(model.programs, params)
    cap = model.capacity if capacity is None else np.asarray(capacity, dtype=float)
    mask = mask & (cap > 0)
    tr = model.tracts
    pop = tr["population"].to_numpy(dtype=float)
    access = e2sfca(pop, cap, model.pairs, params.d0, params.decay, params.sigma, supply_mask=mask)
    pair_counted = mask[model.pairs.j]
    reach = _reach(model.pairs, params.d0, pair_counted)
    reach_lep = _reach(model.pairs, params.d0, pair_counted & model.language_match)

    tracts = pd.DataFrame({"tract_id": tr["tract_id"].to_numpy(), "area_id": tr["area_id"].to_numpy(),
                           "population": pop, "access": access, "per_1000": access * 1000,
                           "in_reach": reach, "in_reach_lep": reach_lep})

    # Sums per area with np.bincount over precomputed area codes: this is the warm path of every filter change.
    code, n = model.area_code, len(model.areas)
    p65, pov, lep = model.group_pops

    def per_area(weights):
        return np.bincount(code, weights=weights, minlength=n)

    a_pop, a_in = per_area(pop), per_area(pop * reach)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = np.where(a_pop > 0, per_area(pop * access) * 1000 / a_pop, np.nan)
        share = np.where(a_pop > 0, a_in / a_pop, np.nan)
    prog_code = model.program_area_code
    n_prog = np.bincount(prog_code[mask], minlength=n)
    places = np.bincount(prog_code[mask], weights=cap[mask], minlength=n)
    areas = pd.DataFrame({"area_id": model.areas["area_id"].to_numpy(), "name": model.areas["name"].to_numpy(),
                          "population": a_pop, "coverage_per_1000": cov})
    areas["coverage_rank"] = areas["coverage_per_1000"].rank(ascending=False, method="min")
    areas["reach_share"] = share
    areas["residents_in_reach"] = a_in
    areas["residents_out_of_reach"] = a_pop - a_in
    areas["programmes"] = n_prog.astype(int)
    areas["weekly_places"] = places

    reach_rows = [("all", pop.sum(), (pop * reach).sum()), ("65plus", p65.sum(), (p65 * reach).sum()),
                  ("poverty", pov.sum(), (pov * reach).sum()), ("limited_english", lep.sum(), (lep * reach_lep).sum())]
    reach_tbl = pd.DataFrame([{"group": GROUPS[k], "residents": r, "in_reach": i, "share": (i / r if r else np.nan)}
                              for k, r, i in reach_rows])
    programs = model.programs.loc[mask].copy()
    programs["weekly_capacity"] = cap[mask]
    return CoverageResult(tracts=tracts, areas=areas, reach=reach_tbl, programs=programs)


def serving_programs(model: CoverageModel, params: CoverageParams, area_id: int) -> pd.DataFrame:
    """Programmes whose catchment reaches at least one tract of the area, nearest first."""
    mask = program_mask(model.programs, params)
    in_area = (model.tracts["area_id"].to_numpy() == area_id)[model.pairs.i]
    ok = in_area & mask[model.pairs.j] & (model.pairs.minutes <= params.d0)
    if not ok.any():
        return model.programs.iloc[0:0].assign(minutes=pd.Series(dtype=float))
    best = pd.DataFrame({"j": model.pairs.j[ok], "minutes": model.pairs.minutes[ok]}).groupby("j")["minutes"].min()
    out = model.programs.iloc[best.index].copy()
    out["minutes"] = best.to_numpy()
    return out.sort_values("minutes")
