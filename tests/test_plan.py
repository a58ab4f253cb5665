"""Plan page: siting weights, MCLP against greedy on Chicago, the coverage recompute, pins and exclusions, URL state."""

from __future__ import annotations

import html
import json

import numpy as np
import pytest

from core.analysis import coverage
from core.analysis.need import need_for
from core.store import queries
from core.views import plan as pv
from tests.test_pages import run_page

# spopt builds its variables in the pulp 3 style, which pulp 3.3 warns will change in pulp 4.
pytestmark = pytest.mark.filterwarnings("ignore:.*PuLP 4.0:DeprecationWarning")

R_KM = 6371.0088


def walk_minutes(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Dense haversine × 1.3 / 4.8 km/h in minutes, written out independently of core.analysis.travel."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(x, dtype=float)) for x in (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2[None, :] - lat1[:, None]) / 2) ** 2
         + np.cos(lat1)[:, None] * np.cos(lat2)[None, :] * np.sin((lon2[None, :] - lon1[:, None]) / 2) ** 2)
    return 2 * R_KM * np.arcsin(np.sqrt(a)) * 1.3 / 4.8 * 60


@pytest.fixture(scope="module")
def venues_by_lat(atlas_db):
    """Three venue ids chosen by geography (southernmost, middle, northernmost), real or demo."""
    import duckdb

    c = duckdb.connect(str(atlas_db), read_only=True)
    rows = [r[0] for r in c.execute("SELECT venue_id FROM venue ORDER BY lat, venue_id").fetchall()]
    c.close()
    return rows[0], rows[len(rows) // 2], rows[-1]


@pytest.fixture(scope="module")
def setting(atlas_db):
    import duckdb

    with duckdb.connect(str(atlas_db), read_only=True) as c:
        model = coverage.build_model(c)
        need = need_for(c).index
        venues = queries.venues(c)
        as_of = queries.build_info(c)["as_of"]
        progs = c.execute("""SELECT lon, lat FROM program WHERE type <> 'helpline' AND start_date <= ?::DATE
                             AND (end_date IS NULL OR end_date >= ?::DATE)""", [as_of, as_of]).df()
        tracts = c.execute("SELECT tract_id, area_id, population, lon, lat FROM tract ORDER BY tract_id").df()
        areas = queries.areas(c)
    return {"model": model, "need": need, "venues": venues, "programs": progs, "tracts": tracts, "areas": areas}


@pytest.fixture(scope="module")
def default_plan(setting):
    return pv.solve(setting["model"], setting["need"], setting["venues"], pv.PlanParams())


def naive_weights(setting, d0: float) -> np.ndarray:
    t, p = setting["tracts"], setting["programs"]
    in_reach = (walk_minutes(t["lon"], t["lat"], p["lon"], p["lat"]) <= d0).any(axis=1)
    need = t["area_id"].map(setting["need"]).to_numpy()
    return t["population"].to_numpy() * (0.5 + need) * ~in_reach


@pytest.mark.parametrize("d0", [15.0, 30.0])
def test_weights_match_a_naive_reference(setting, d0):
    before = coverage.compute(setting["model"], coverage.CoverageParams(d0=d0))
    w = pv.tract_weights(setting["model"], setting["need"], before)
    assert w["tract_id"].tolist() == setting["tracts"]["tract_id"].tolist()
    np.testing.assert_allclose(w["weight"], naive_weights(setting, d0), rtol=1e-12)
    assert (w["weight"] > 0).any() and (w["weight"] == 0).any()


@pytest.mark.parametrize("k, d0, priority", [(3, 15.0, False), (5, 30.0, False), (8, 20.0, False), (6, 20.0, True)])
def test_mclp_covers_at_least_as_much_need_weighted_population_as_greedy(setting, k, d0, priority):
    r = pv.solve(setting["model"], setting["need"], setting["venues"], pv.PlanParams(k=k, d0=d0, priority_only=priority))
    assert r.optimal.covered_weight >= r.baseline.covered_weight - 1e-6
    assert len(r.optimal.chosen) == len(set(r.optimal.chosen)) == k
    # What each plan covers, recomputed from scratch: tracts with weight within d0 of a chosen venue.
    w = naive_weights(setting, d0)
    t = setting["tracts"]
    for result in (r.optimal, r.baseline):
        sites = r.candidates.iloc[result.chosen]
        reach = (walk_minutes(t["lon"], t["lat"], sites["lon"], sites["lat"]) <= d0).any(axis=1)
        assert result.covered_weight == pytest.approx(w[reach].sum(), rel=1e-9)
    # No plan can beat every candidate opened at once.
    allv = r.candidates
    anyreach = (walk_minutes(t["lon"], t["lat"], allv["lon"], allv["lat"]) <= d0).any(axis=1)
    assert r.optimal.covered_weight <= w[anyreach].sum() + 1e-6
    if priority:
        assert r.candidates["priority"].all()


def test_residents_newly_reached_agree_with_the_recomputed_reach(setting, default_plan):
    r = default_plan
    t = setting["tracts"]
    sites = r.candidates.iloc[r.optimal.chosen]
    reach_new = (walk_minutes(t["lon"], t["lat"], sites["lon"], sites["lat"]) <= 30).any(axis=1)
    before = (walk_minutes(t["lon"], t["lat"], setting["programs"]["lon"], setting["programs"]["lat"]) <= 30).any(axis=1)
    naive = t["population"].to_numpy()[reach_new & ~before & (t["population"].to_numpy() > 0)].sum()
    assert r.residents_new == pytest.approx(naive, rel=1e-12)
    gained = r.after.reach.iloc[0]["in_reach"] - r.before.reach.iloc[0]["in_reach"]
    assert gained == pytest.approx(r.residents_new, rel=1e-9)
    assert r.coverage["Residents newly within reach"].sum() == pytest.approx(r.residents_new, abs=1.0 * len(r.coverage))
    assert r.picks["Residents newly within reach"].sum() == pytest.approx(r.residents_new, abs=len(r.picks))
    assert r.picks["Need-weighted residents added"].sum() == pytest.approx(r.optimal.covered_weight, abs=len(r.picks))


def test_one_new_site_adds_its_e2sfca_share_worked_by_hand(setting, venues_by_lat):
    venue = venues_by_lat[1]
    r = pv.solve(setting["model"], setting["need"], setting["venues"],
                 pv.PlanParams(k=1, capacity=40, d0=30, pinned=(venue,)))
    assert r.picks["venue_id"].tolist() == [venue]
    v = setting["venues"].set_index("venue_id").loc[venue]
    t = setting["tracts"]
    d = walk_minutes(t["lon"], t["lat"], [v["lon"]], [v["lat"]])[:, 0]
    # Luo & Qi step weights for a 30-minute catchment.
    w = np.where(d <= 10, 1.0, np.where(d <= 20, 0.68, np.where(d <= 30, 0.22, 0.0)))
    ratio = 40 / (t["population"].to_numpy() * w).sum()
    added = r.after.tracts["access"].to_numpy() - r.before.tracts["access"].to_numpy()
    np.testing.assert_allclose(added, ratio * w, rtol=1e-9, atol=1e-15)
    # Per area, the change is the population-weighted mean of the tracts' gains, per 1,000.
    area = t.assign(g=added * t["population"]).groupby("area_id")[["g", "population"]].sum()
    want = (area["g"] / area["population"] * 1000).round(3)
    got = r.coverage.set_index("area_id")["Change in places per 1,000"]
    np.testing.assert_allclose(got.reindex(want.index), want, atol=1.5e-3)


def test_pinned_sites_are_kept_and_excluded_ones_never_chosen(setting, default_plan, venues_by_lat):
    top = default_plan.picks["venue_id"].iloc[0]
    far = venues_by_lat[0]
    assert far in set(setting["venues"]["venue_id"]) and far not in set(default_plan.picks["venue_id"])
    r = pv.solve(setting["model"], setting["need"], setting["venues"],
                 pv.PlanParams(k=5, pinned=(far,), excluded=(top,)))
    assert r.picks["venue_id"].iloc[0] == far and bool(r.picks["Pinned"].iloc[0])
    assert top not in set(r.picks["venue_id"]) and top not in set(r.greedy_picks["venue_id"])
    assert far in set(r.greedy_picks["venue_id"])
    assert r.optimal.covered_weight <= default_plan.optimal.covered_weight + 1e-6


def test_priority_areas_are_high_need_and_low_coverage_terciles(setting, venues_by_lat):
    r = pv.solve(setting["model"], setting["need"], setting["venues"], pv.PlanParams(k=2, priority_only=True,
                                                                                     pinned=(venues_by_lat[0],)))
    cov = r.before.areas.set_index("area_id")["coverage_per_1000"]
    vals = cov.to_numpy()
    cov_pct = {a: (vals < v).sum() / (len(vals) - 1) for a, v in cov.items()}
    need = setting["need"]
    priority = {a for a in cov.index if need[a] >= 2 / 3 and cov_pct[a] < 1 / 3}
    assert priority, "the Chicago data has priority areas"
    c = r.candidates
    assert set(c.loc[~c["pinned"], "area_id"]) <= priority
    v = setting["venues"]
    assert len(c) == v["area_id"].isin(priority).sum() + (0 if v.set_index("venue_id").loc[
        venues_by_lat[0], "area_id"] in priority else 1)


def test_k_is_cut_to_the_candidates_available(setting):
    few = setting["venues"].head(3)
    r = pv.solve(setting["model"], setting["need"], few, pv.PlanParams(k=5, excluded=(few["venue_id"].iloc[0],)))
    assert r.k == 2 and len(r.picks) == 2
    assert any("Only 2 candidate venues" in n for n in r.notes)


def test_map_and_tables_carry_the_same_numbers(setting, default_plan):
    r = default_plan
    deck, legend = pv.plan_map(setting["areas"], r)
    layers = {layer["id"]: layer for layer in json.loads(deck.to_json())["layers"]}
    assert [p["name"] for p in layers["picks"]["data"]] == r.picks["Venue"].tolist()
    assert len(layers["catchments"]["data"]) == r.k
    # Each area's tooltip states the change shown in the coverage table.
    change = r.coverage.set_index("area_id")["Change in places per 1,000"]
    for f in layers["areas"]["data"]["features"]:
        p = f["properties"]
        assert html.unescape(p["label"]).startswith(f"+{change[p['area_id']]:,.2f} weekly places")
    gained = {f["properties"]["area_id"] for f in layers["areas"]["data"]["features"]
              if f["properties"]["fill"][:3] != [247, 247, 247]}
    assert gained == set(change.index[change > 0])
    assert "Change in weekly programme places" in legend
    table = pv.picks_table(r)
    assert "lon" not in table and table["Order"].tolist() == list(range(1, r.k + 1))


def test_params_round_trip_and_clamp():
    ids = ["a", "b", "c", "d"]
    p = pv.PlanParams(k=3, program_type="workshop", capacity=35, d0=20, priority_only=True, pinned=("c", "a"),
                      excluded=("b",))
    assert pv.params_from_query(pv.params_to_query(p), ids) == p
    q = pv.params_from_query({"k": "99", "type": "helpline", "capacity": "-4", "d0": "17", "pinned": "a,b,zz",
                              "excluded": "b,d"}, ids)
    assert (q.k, q.program_type, q.capacity, q.d0) == (10, "peer_support", 5.0, 15.0)
    assert q.pinned == ("a", "b") and q.excluded == ("d",)
    assert pv.params_from_query({"k": "1", "pinned": "a,b"}, ids).pinned == ("a",)
    assert pv.params_from_query({}, ids) == pv.PlanParams()


def test_page_round_trips_filters_through_the_url(use_db, setting, venues_by_lat):
    query = {"k": "3", "type": "workshop", "capacity": "40", "d0": "20", "priority": "1",
             "pinned": venues_by_lat[1], "excluded": venues_by_lat[2]}
    at = run_page("pages/plan.py", query)
    assert not at.exception, at.exception
    assert at.slider(key="plan_k").value == 3
    assert at.selectbox(key="plan_type").value == "workshop"
    assert at.slider(key="plan_capacity").value == 40
    assert at.slider(key="plan_d0").value == 20
    assert at.toggle(key="plan_priority").value is True
    assert at.multiselect(key="plan_pinned").value == [venues_by_lat[1]]
    assert at.multiselect(key="plan_excluded").value == [venues_by_lat[2]]
    want = pv.solve(setting["model"], setting["need"], setting["venues"], pv.params_from_query(query, setting[
        "venues"]["venue_id"]))
    assert at.metric[0].value == f"{want.residents_new:,.0f}"
    at.slider(key="plan_k").set_value(1).run()
    assert not at.exception
    # Lowering k below the pinned sites keeps the first pinned one; the URL follows.
    assert at.query_params["k"] in (["1"], "1")
    assert at.query_params["pinned"] in ([venues_by_lat[1]], venues_by_lat[1])
    assert at.multiselect(key="plan_pinned").value == [venues_by_lat[1]]
