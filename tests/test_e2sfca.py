"""E2SFCA and travel cost: hand-worked cases, a naive reference, and the PySAL `access` oracle (DESIGN §3)."""

from __future__ import annotations

import functools
import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.analysis.e2sfca import decay_weight, e2sfca, within_reach
from core.analysis.travel import (
    EARTH_RADIUS_KM,
    CostPairs,
    haversine_km,
    minutes_from_km,
    pairs_from_matrix,
    pairs_within_haversine,
    supply_mask,
)
from core.base.errors import InputError

# access 1.1.10 calls set_index(inplace=True), which pandas 3.1 deprecates; that is access's to fix.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.set_index")

CHICAGO_TRACTS = Path("/work/shared/data/raw/chicago/Chicago Health Atlas Data Download - Census Tracts.csv")
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # along a meridian


# --- the naive reference: plain Python, one pair at a time, straight from the DESIGN §3 formulas ---------


def naive_weight(d: float, d0: float, decay: str, sigma: float | None = None) -> float:
    if d > d0:
        return 0.0
    if decay == "step":
        return 1.0 if d <= d0 / 3 else 0.68 if d <= 2 * d0 / 3 else 0.22
    if decay == "gaussian":
        s = d0 / 2 if sigma is None else sigma
        return math.exp(-d * d / (2 * s * s))
    return 1.0


def naive_e2sfca(pop, cap, cost: dict, d0, decay, sigma=None, counted=None) -> list[float]:
    """``cost`` maps (demand index, supply index) to minutes; a missing key is out of reach."""
    n_d, n_s = len(pop), len(cap)
    counted = [True] * n_s if counted is None else list(counted)
    ratio = []
    for j in range(n_s):
        demand = 0.0
        for k in range(n_d):
            if (k, j) in cost and counted[j]:
                demand += pop[k] * naive_weight(cost[(k, j)], d0, decay, sigma)
        ratio.append(cap[j] / demand if demand > 0 else 0.0)
    access = []
    for i in range(n_d):
        total = 0.0
        for j in range(n_s):
            if (i, j) in cost and counted[j]:
                total += ratio[j] * naive_weight(cost[(i, j)], d0, decay, sigma)
        access.append(total)
    return access


def pairs_from_dict(cost: dict, n_d: int, n_s: int, max_minutes=np.inf) -> CostPairs:
    keys = sorted(cost)
    return CostPairs(
        np.array([k[0] for k in keys], dtype=int),
        np.array([k[1] for k in keys], dtype=int),
        np.array([cost[k] for k in keys], dtype=float),
        n_d,
        n_s,
        max_minutes,
    )


# --- decay weights, by hand --------------------------------------------------------------------------------


def test_step_weights_use_inclusive_zone_edges():
    # d0 = 30: zones end at 10, 20 and 30 minutes, each edge inside its zone (Luo & Qi 2009).
    d = [0, 9.99, 10, 10.01, 20, 20.01, 30, 30.01, 100]
    assert decay_weight(d, 30, "step").tolist() == [1.0, 1.0, 1.0, 0.68, 0.68, 0.22, 0.22, 0.0, 0.0]


def test_step_zones_scale_with_d0():
    # d0 = 45: zones end at 15, 30 and 45.
    d = [15, 16, 30, 31, 45, 46]
    assert decay_weight(d, 45, "step").tolist() == [1.0, 0.68, 0.68, 0.22, 0.22, 0.0]


def test_gaussian_weight_by_hand():
    # sigma defaults to d0/2 = 15: W(15) = exp(-225/450) = exp(-1/2); W(30) = exp(-900/450) = exp(-2).
    w = decay_weight([0, 15, 30, 30.5], 30, "gaussian")
    assert w[0] == 1.0
    assert w[1] == pytest.approx(math.exp(-0.5), rel=1e-15)
    assert w[2] == pytest.approx(math.exp(-2.0), rel=1e-15)
    assert w[3] == 0.0
    # sigma = 10 given: W(10) = exp(-100/200) = exp(-1/2).
    assert decay_weight([10], 30, "gaussian", sigma=10)[0] == pytest.approx(math.exp(-0.5), rel=1e-15)


def test_no_decay_is_a_plain_catchment():
    assert decay_weight([0, 29.9, 30, 30.1], 30, "none").tolist() == [1.0, 1.0, 1.0, 0.0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"decay": "linear"},
        {"d0": 0},
        {"d0": -5},
        {"decay": "step", "sigma": 5},
        {"decay": "gaussian", "sigma": 0},
    ],
)
def test_decay_weight_rejects_bad_parameters(kwargs):
    with pytest.raises(ValueError):
        decay_weight([1.0], **{"d0": 30, **kwargs})


# --- E2SFCA, by hand ---------------------------------------------------------------------------------------
# Two tracts and two programmes, d0 = 30:
#   tract 1 (P = 100): programme a at 5 min, programme b at 25 min
#   tract 2 (P = 200): programme a at 15 min, programme b at 35 min (out of the catchment)
#   capacities S_a = 10, S_b = 30.
# Programme b is reached only by tract 1, so R_b·W(25) = 30 / (100·W(25)) · W(25) = 0.3 whatever the decay.

HAND_COST = {(0, 0): 5.0, (0, 1): 25.0, (1, 0): 15.0, (1, 1): 35.0}
HAND_POP = [100.0, 200.0]
HAND_CAP = [10.0, 30.0]


def hand_pairs():
    return pairs_from_dict(HAND_COST, 2, 2)


def test_e2sfca_step_by_hand():
    # W: 5 -> 1, 15 -> 0.68, 25 -> 0.22, 35 -> 0.
    # R_a = 10 / (100·1 + 200·0.68) = 10/236;  R_b = 30 / (100·0.22) = 30/22.
    # A_1 = 10/236·1 + 30/22·0.22 = 10/236 + 0.3;  A_2 = 10/236·0.68.
    a = e2sfca(HAND_POP, HAND_CAP, hand_pairs(), d0=30, decay="step")
    np.testing.assert_allclose(a, [10 / 236 + 0.3, 6.8 / 236], rtol=1e-14)


def test_e2sfca_gaussian_by_hand():
    # sigma = 15, so W(d) = exp(-d²/450): W(5) = e^(-1/18), W(15) = e^(-1/2), W(25) = e^(-25/18).
    # R_a = 10 / (100 e^(-1/18) + 200 e^(-1/2));  A_1 = R_a e^(-1/18) + 0.3;  A_2 = R_a e^(-1/2).
    r_a = 10 / (100 * math.exp(-1 / 18) + 200 * math.exp(-0.5))
    a = e2sfca(HAND_POP, HAND_CAP, hand_pairs(), d0=30, decay="gaussian")
    np.testing.assert_allclose(a, [r_a * math.exp(-1 / 18) + 0.3, r_a * math.exp(-0.5)], rtol=1e-14)


def test_e2sfca_no_decay_by_hand():
    # Classic 2SFCA: R_a = 10 / (100 + 200) = 1/30, R_b = 30 / 100 = 0.3; A_1 = 1/30 + 0.3, A_2 = 1/30.
    a = e2sfca(HAND_POP, HAND_CAP, hand_pairs(), d0=30, decay="none")
    np.testing.assert_allclose(a, [1 / 30 + 0.3, 1 / 30], rtol=1e-14)


def test_e2sfca_wider_catchment_by_hand():
    # d0 = 45 brings tract 2 into b's catchment; step zones are now 15 / 30 / 45.
    # W: 5 -> 1, 15 -> 1, 25 -> 0.68, 35 -> 0.22.
    # R_a = 10 / (100 + 200) = 1/30;  R_b = 30 / (100·0.68 + 200·0.22) = 30/112.
    # A_1 = 1/30 + 30/112·0.68;  A_2 = 1/30 + 30/112·0.22.
    a = e2sfca(HAND_POP, HAND_CAP, hand_pairs(), d0=45, decay="step")
    np.testing.assert_allclose(a, [1 / 30 + 30 / 112 * 0.68, 1 / 30 + 30 / 112 * 0.22], rtol=1e-14)


def test_supply_mask_drops_a_programme_from_both_steps():
    # Without b: A_1 = 10/236, A_2 = 6.8/236 (a's ratio is unchanged, b never competed for tract 1's people).
    a = e2sfca(HAND_POP, HAND_CAP, hand_pairs(), supply_mask=np.array([True, False]))
    np.testing.assert_allclose(a, [10 / 236, 6.8 / 236], rtol=1e-14)
    # Without a: tract 2 has nothing in reach, so 0 (not NaN).
    a = e2sfca(HAND_POP, HAND_CAP, hand_pairs(), supply_mask=np.array([False, True]))
    np.testing.assert_allclose(a, [0.3, 0.0], rtol=1e-14)


def test_capacity_scenario_changes_only_what_it_should():
    # Halving b's capacity halves its 0.3 contribution to tract 1 and leaves tract 2 alone.
    a = e2sfca(HAND_POP, [10.0, 15.0], hand_pairs())
    np.testing.assert_allclose(a, [10 / 236 + 0.15, 6.8 / 236], rtol=1e-14)


def test_zero_weighted_demand_gives_zero_ratio_not_infinity():
    # Programme 1 sits next to an empty tract only: 7 / (0·1) is undefined, DESIGN says R = 0.
    # Tract 0 (P = 50) has programme 0 (S = 5) at 0 minutes: A_0 = 5/50 = 0.1.
    pairs = pairs_from_dict({(0, 0): 0.0, (1, 1): 3.0}, 2, 2)
    a = e2sfca([50.0, 0.0], [5.0, 7.0], pairs)
    assert a.tolist() == [0.1, 0.0]


def test_demand_with_nothing_in_reach_gets_zero():
    pairs = pairs_from_dict({(0, 0): 12.0}, 3, 1)
    a = e2sfca([10.0, 20.0, 30.0], [4.0], pairs, decay="step")
    # R = 4 / (10·0.68); A_0 = R·0.68 = 0.4.
    np.testing.assert_allclose(a, [0.4, 0.0, 0.0], rtol=1e-14)


def test_catchment_wider_than_the_pairs_is_refused():
    pairs = pairs_from_dict(HAND_COST, 2, 2, max_minutes=20)
    with pytest.raises(ValueError, match="rebuild"):
        e2sfca(HAND_POP, HAND_CAP, pairs, d0=30)
    with pytest.raises(ValueError, match="rebuild"):
        within_reach(pairs, 30, 2)


@pytest.mark.parametrize("bad", [{"population": [1.0]}, {"population": [1.0, -1.0]}, {"capacity": [1.0, np.nan]}])
def test_e2sfca_rejects_bad_arrays(bad):
    args = {"population": HAND_POP, "capacity": HAND_CAP, **bad}
    with pytest.raises(ValueError):
        e2sfca(args["population"], args["capacity"], hand_pairs())


def test_within_reach_by_hand():
    pairs = hand_pairs()
    # Both tracts reach a within 30; tract 2 reaches b only at 35.
    assert within_reach(pairs, 30, 2).tolist() == [True, True]
    assert within_reach(pairs, 30, 2, supply_mask=np.array([False, True])).tolist() == [True, False]
    assert within_reach(pairs, 4, 2).tolist() == [False, False]
    assert within_reach(pairs, 5, 2).tolist() == [True, False]  # d == d0 is in reach
    with pytest.raises(ValueError):
        within_reach(pairs, 30, 3)


# --- travel cost -------------------------------------------------------------------------------------------


def test_haversine_by_hand():
    # One degree along a meridian is pi·R/180; a quarter of the equator is pi·R/2; same point is 0.
    assert haversine_km(10.0, 0.0, 10.0, 1.0) == pytest.approx(KM_PER_DEGREE, rel=1e-12)
    assert haversine_km(0.0, 0.0, 90.0, 0.0) == pytest.approx(math.pi * EARTH_RADIUS_KM / 2, rel=1e-12)
    assert haversine_km(-87.6, 41.8, -87.6, 41.8) == 0.0
    # Across the antimeridian: 179.5°E to 179.5°W on the equator is one degree.
    assert haversine_km(179.5, 0.0, -179.5, 0.0) == pytest.approx(KM_PER_DEGREE, rel=1e-9)


def test_minutes_from_km_by_hand():
    # 1 km × 1.3 / 4.8 km/h × 60 = 16.25 minutes; 2.4 km by bike at 16 km/h with no circuity = 9 minutes.
    assert float(minutes_from_km(1.0)) == pytest.approx(16.25, rel=1e-15)
    assert float(minutes_from_km(2.4, circuity=1.0, speed_kmh=16.0)) == pytest.approx(9.0, rel=1e-15)


def test_pairs_within_haversine_by_hand():
    # Demand at the origin; programmes 0 km, 1 km (16.25 min) and 2 km (32.5 min) due north.
    deg = 1 / KM_PER_DEGREE
    p = pairs_within_haversine([0.0], [0.0], [0.0, 0.0, 0.0], [0.0, deg, 2 * deg], 30)
    assert p.j.tolist() == [0, 1]
    np.testing.assert_allclose(p.minutes, [0.0, 16.25], atol=1e-9)  # the zero-minute pair is kept
    assert p.max_minutes == 30
    assert len(pairs_within_haversine([0.0], [0.0], [0.0, 0.0, 0.0], [0.0, deg, 2 * deg], 33)) == 3


def brute_force_minutes(d_lon, d_lat, s_lon, s_lat) -> np.ndarray:
    return minutes_from_km(haversine_km(d_lon[:, None], d_lat[:, None], s_lon[None, :], s_lat[None, :]))


@pytest.mark.parametrize(
    "box",
    [
        (-87.94, -87.52, 41.64, 42.03),  # Chicago
        (179.97, 180.03, -0.02, 0.02),  # straddling the antimeridian (wrapped below)
        (-30.0, 30.0, 89.97, 89.99),  # near the pole, where degrees of longitude shrink
    ],
)
def test_pairs_within_haversine_match_brute_force(box):
    rng = np.random.default_rng(7)
    lon0, lon1, lat0, lat1 = box
    d_lon, s_lon = rng.uniform(lon0, lon1, 300), rng.uniform(lon0, lon1, 80)
    d_lat, s_lat = rng.uniform(lat0, lat1, 300), rng.uniform(lat0, lat1, 80)
    d_lon, s_lon = (x - 360 * (x > 180) for x in (d_lon, s_lon))
    # Five programmes on top of tracts, for zero-minute pairs.
    s_lon[:5], s_lat[:5] = d_lon[:5], d_lat[:5]
    full = brute_force_minutes(d_lon, d_lat, s_lon, s_lat)
    for max_minutes in (5.0, 30.0):
        p = pairs_within_haversine(d_lon, d_lat, s_lon, s_lat, max_minutes)
        want_i, want_j = np.nonzero(full <= max_minutes)  # sorted by (i, j)
        assert 0 < len(want_i) < full.size
        order = np.lexsort((p.j, p.i))  # the k-d tree finds pairs in its own order
        assert p.i[order].tolist() == want_i.tolist() and p.j[order].tolist() == want_j.tolist()
        # Same formula, same floating-point steps: the minutes agree exactly, not just closely.
        assert p.minutes[order].tolist() == full[want_i, want_j].tolist()
        assert (p.minutes == 0).sum() >= 5


def test_pairs_within_haversine_edge_sizes():
    assert len(pairs_within_haversine([], [], [0.0], [0.0], 30)) == 0
    p = pairs_within_haversine([0.0, 100.0], [0.0, 10.0], [0.0], [0.0], 1e9)  # a radius beyond the globe
    assert p.i.tolist() == [0, 1]
    with pytest.raises(ValueError):
        pairs_within_haversine([0.0], [95.0], [0.0], [0.0], 30)


def test_cost_pairs_restrict_and_supply_mask_helper():
    p = CostPairs([0, 0, 1, 2], [0, 1, 1, 2], [0.0, 10.0, 40.0, 59.0], 3, 3, max_minutes=60)
    q = p.restrict(40)
    assert (q.i.tolist(), q.j.tolist(), q.max_minutes) == ([0, 0, 1], [0, 1, 1], 40.0)
    mask = supply_mask(["x", "y", "z"], ["z", "x"])
    assert mask.tolist() == [True, False, True]
    r = p.restrict(supply_mask=mask)
    assert (r.i.tolist(), r.j.tolist(), r.max_minutes) == ([0, 2], [0, 2], 60.0)
    with pytest.raises(ValueError):
        p.restrict(61)
    with pytest.raises(ValueError):
        p.restrict(supply_mask=[1, 0, 1])  # not boolean
    with pytest.raises(ValueError):
        q.i[0] = 5  # frozen arrays
    with pytest.raises(ValueError):
        CostPairs([0], [3], [1.0], 1, 3)  # supply index out of range
    with pytest.raises(ValueError):
        CostPairs([0], [0], [-1.0], 1, 1)


def test_restrict_then_e2sfca_equals_building_at_the_smaller_radius():
    rng = np.random.default_rng(3)
    d_lon, d_lat = rng.uniform(-87.8, -87.6, 150), rng.uniform(41.8, 41.95, 150)
    s_lon, s_lat = rng.uniform(-87.8, -87.6, 40), rng.uniform(41.8, 41.95, 40)
    pop, cap = rng.uniform(0, 5000, 150), rng.uniform(1, 50, 40)
    wide = pairs_within_haversine(d_lon, d_lat, s_lon, s_lat, 60)
    narrow = pairs_within_haversine(d_lon, d_lat, s_lon, s_lat, 20)
    mask = rng.random(40) < 0.6
    for d0 in (20, 15):
        np.testing.assert_allclose(
            e2sfca(pop, cap, wide, d0=d0, supply_mask=mask),
            e2sfca(pop, cap, narrow.restrict(supply_mask=mask), d0=d0),
            rtol=1e-13,
        )
        assert (within_reach(wide, d0, supply_mask=mask) == within_reach(narrow.restrict(supply_mask=mask), d0)).all()


def test_pairs_from_matrix_by_hand():
    cost = pd.DataFrame(
        {
            "origin": ["t1", "t1", "t2", "t3"],
            "destination": ["p1", "p2", "p2", "p1"],
            "minutes": ["0", "31", "30", "12.5"],
        }
    )
    p = pairs_from_matrix(cost, ["t1", "t2", "t3"], ["p1", "p2"], 30)
    # t1-p2 at 31 is out; t2-p2 at exactly 30 is in; the zero-minute pair is in.
    assert sorted(zip(p.i.tolist(), p.j.tolist(), p.minutes.tolist())) == [(0, 0, 0.0), (1, 1, 30.0), (2, 0, 12.5)]
    assert (p.n_demand, p.n_supply, p.max_minutes) == (3, 2, 30.0)


@pytest.mark.parametrize(
    "rows, row, column",
    [
        ([("t1", "p1", "5"), ("t9", "p1", "5")], 3, "origin"),
        ([("t1", "p7", "5")], 2, "destination"),
        ([("t1", "p1", "5"), ("t2", "p1", "-1")], 3, "minutes"),
        ([("t1", "p1", "ten")], 2, "minutes"),
        ([("t1", "p1", "")], 2, "minutes"),
        ([("t1", "p1", "5"), ("t2", "p1", "5"), ("t1", "p1", "6")], 4, "destination"),
    ],
)
def test_pairs_from_matrix_bad_rows_are_named(rows, row, column):
    cost = pd.DataFrame(rows, columns=["origin", "destination", "minutes"])
    with pytest.raises(InputError) as info:
        pairs_from_matrix(cost, ["t1", "t2"], ["p1"], 30, file="times.csv")
    assert (info.value.file, info.value.row, info.value.column) == ("times.csv", row, column)


def test_pairs_from_matrix_missing_column_is_named():
    with pytest.raises(InputError) as info:
        pairs_from_matrix(pd.DataFrame({"origin": ["t1"], "dest": ["p1"], "minutes": [1]}), ["t1"], ["p1"], 30)
    assert (info.value.file, info.value.row, info.value.column) == ("cost.csv", 1, "destination")


# --- against the naive reference ---------------------------------------------------------------------------


def random_case(seed: int, n_d: int = 40, n_s: int = 12):
    """Integer minutes on purpose: many pairs then sit exactly on a zone edge or on d0."""
    rng = np.random.default_rng(seed)
    pop = rng.integers(0, 5000, n_d).astype(float)
    pop[rng.random(n_d) < 0.15] = 0.0
    cap = rng.integers(0, 40, n_s).astype(float)
    minutes = rng.integers(0, 46, (n_d, n_s)).astype(float)
    present = rng.random((n_d, n_s)) < 0.6  # the rest are absent from the matrix, i.e. unreachable
    cost = {(i, j): minutes[i, j] for i, j in zip(*np.nonzero(present))}
    return pop, cap, cost


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("decay, sigma", [("step", None), ("gaussian", None), ("gaussian", 8.0), ("none", None)])
@pytest.mark.parametrize("d0", [30.0, 21.0])
def test_matches_naive_reference(seed, decay, sigma, d0):
    pop, cap, cost = random_case(seed)
    counted = np.random.default_rng(seed + 100).random(len(cap)) < 0.8
    pairs = pairs_from_dict(cost, len(pop), len(cap))
    want = naive_e2sfca(pop, cap, cost, d0, decay, sigma, counted)
    got = e2sfca(pop, cap, pairs, d0=d0, decay=decay, sigma=sigma, supply_mask=counted)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    reach = [any(counted[j] and cost.get((i, j), np.inf) <= d0 for j in range(len(cap))) for i in range(len(pop))]
    assert within_reach(pairs, d0, len(pop), supply_mask=counted).tolist() == reach


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 3), st.floats(0, 40, allow_nan=False)),
        max_size=24,
        unique_by=lambda t: (t[0], t[1]),
    ),
    # People and places: zero, or a realistic amount (a subnormal population would only test overflow).
    st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 1e4)), min_size=6, max_size=6),
    st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 100)), min_size=4, max_size=4),
    st.sampled_from(["step", "gaussian", "none"]),
)
def test_matches_naive_reference_property(triples, pop, cap, decay):
    cost = {(i, j): d for i, j, d in triples}
    got = e2sfca(pop, cap, pairs_from_dict(cost, 6, 4), d0=30, decay=decay)
    np.testing.assert_allclose(got, naive_e2sfca(pop, cap, cost, 30, decay), rtol=1e-9, atol=0)


# --- against PySAL access ----------------------------------------------------------------------------------


def access_oracle(pop, cap, minutes: np.ndarray, d0: float, decay: str, sigma=None) -> np.ndarray:
    """PySAL access on the full demand × supply matrix, with a weight function equal to ours.

    access filters ``cost <= max_cost`` itself (inclusive, like us) and uses ``key <= threshold`` in
    ``step_fn``, so zone edges agree. Two documented differences are bridged here, not hidden:
    - a programme whose catchment holds no weighted demand gets S/0 = inf from access, where DESIGN §3
      says R = 0; dropping such a programme from access's input is exactly R = 0;
    - a demand point with nothing in reach is missing (NaN) in access's output, where we give 0.
    """
    from access import Access, weights

    n_d, n_s = minutes.shape
    demand_ids = np.array([f"d{k}" for k in range(n_d)], dtype=object)
    supply_ids = np.array([f"s{k}" for k in range(n_s)], dtype=object)
    has_demand = ((minutes <= d0) & (np.asarray(pop)[:, None] > 0)).any(axis=0)
    keep = np.repeat(True, n_d)[:, None] & has_demand[None, :]
    oi, sj = np.nonzero(keep)
    cost_df = pd.DataFrame({"origin": demand_ids[oi], "dest": supply_ids[sj], "cost": minutes[oi, sj]})
    model = Access(
        demand_df=pd.DataFrame({"geoid": demand_ids, "pop": np.asarray(pop, dtype=float)}),
        demand_index="geoid",
        demand_value="pop",
        supply_df=pd.DataFrame({"geoid": supply_ids[has_demand], "cap": np.asarray(cap, dtype=float)[has_demand]}),
        supply_index="geoid",
        supply_value="cap",
        cost_df=cost_df,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    if decay == "step":
        fn = weights.step_fn({d0 / 3: 1.0, 2 * d0 / 3: 0.68, d0: 0.22})
        out = model.enhanced_two_stage_fca(name="a", max_cost=d0, weight_fn=fn)
    elif decay == "gaussian":
        out = model.two_stage_fca(name="a", max_cost=d0, weight_fn=weights.gaussian(d0 / 2 if sigma is None else sigma))
    else:
        out = model.two_stage_fca(name="a", max_cost=d0)
    series = out["a_cap"].reindex(demand_ids)
    assert np.isfinite(series.dropna()).all()
    return series.fillna(0.0).to_numpy(dtype=float)


def test_access_itself_gives_infinity_for_an_empty_catchment():
    # Why access_oracle drops such programmes: without that, access yields inf (DESIGN §3 says R = 0).
    from access import Access

    model = Access(
        demand_df=pd.DataFrame({"geoid": ["d0", "d1"], "pop": [0.0, 10.0]}),
        demand_index="geoid",
        demand_value="pop",
        supply_df=pd.DataFrame({"geoid": ["s0"], "cap": [3.0]}),
        supply_index="geoid",
        supply_value="cap",
        cost_df=pd.DataFrame({"origin": ["d0", "d1"], "dest": ["s0", "s0"], "cost": [1.0, 50.0]}),
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    assert not np.isfinite(model.two_stage_fca(name="a", max_cost=30)["a_cap"]["d0"])
    ours = e2sfca([0.0, 10.0], [3.0], CostPairs([0, 1], [0, 0], [1.0, 50.0], 2, 1), d0=30, decay="none")
    assert ours.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("seed", [11, 12, 13])
@pytest.mark.parametrize("decay, sigma", [("step", None), ("gaussian", None), ("gaussian", 12.0), ("none", None)])
def test_matches_access_on_random_matrices(seed, decay, sigma):
    rng = np.random.default_rng(seed)
    n_d, n_s = 70, 20
    pop = rng.integers(0, 6000, n_d).astype(float)
    pop[rng.random(n_d) < 0.1] = 0.0
    cap = rng.integers(1, 60, n_s).astype(float)
    # Half integer minutes (edges hit exactly), half continuous.
    minutes = np.where(rng.random((n_d, n_s)) < 0.5, rng.integers(0, 50, (n_d, n_s)), rng.uniform(0, 50, (n_d, n_s)))
    d0 = 30.0
    full = pairs_from_dict({(i, j): minutes[i, j] for i in range(n_d) for j in range(n_s)}, n_d, n_s)
    got = e2sfca(pop, cap, full, d0=d0, decay=decay, sigma=sigma)
    want = access_oracle(pop, cap, minutes, d0, decay, sigma)
    assert (want > 0).sum() > n_d // 2
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=0)


def chicago_demand(source: str):
    """Tract centroids and populations from the Chicago Health Atlas export when present; otherwise
    (and always for source='chicago77') 801 seeded points in libpysal's Chicago77 community areas."""
    if source == "tracts" and CHICAGO_TRACTS.exists():
        df = pd.read_csv(CHICAGO_TRACTS, dtype=str)
        df = df[df["Layer"] == "Census tract"]
        return (
            df["Longitude"].astype(float).to_numpy(),
            df["Latitude"].astype(float).to_numpy(),
            df["Population"].astype(float).to_numpy(),
        )
    lon, lat = random_points_in_chicago(801, seed=77)
    pop = np.random.default_rng(78).integers(0, 9000, 801).astype(float)
    return lon, lat, pop


@functools.cache
def chicago_outline():
    import geopandas as gpd

    # Only libpysal's bundled file is needed, and importing libpysal itself takes seconds.
    path = Path(importlib.util.find_spec("libpysal").origin).parent / "examples" / "chicago" / "Chicago77.shp"
    areas = gpd.read_file(path)
    return areas.set_crs(3435).to_crs(4326).union_all()  # the shapefile is Illinois State Plane East, in feet


def random_points_in_chicago(n: int, seed: int):
    import shapely

    city = chicago_outline()
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = city.bounds
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < n:
        x, y = rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)
        inside = shapely.contains_xy(city, x, y)
        lon, lat = np.r_[lon, x[inside]], np.r_[lat, y[inside]]
    return lon[:n], lat[:n]


@pytest.mark.parametrize("source", ["tracts", "chicago77"])
@pytest.mark.parametrize("decay", ["step", "gaussian", "none"])
def test_matches_access_on_chicago(source, decay):
    d_lon, d_lat, pop = chicago_demand(source)
    s_lon, s_lat = random_points_in_chicago(200, seed=2024)
    cap = np.random.default_rng(5).integers(5, 80, 200).astype(float)
    d0 = 30.0
    # access gets the full 801 × 200 matrix and applies the catchment itself; we use the spatial index.
    minutes = brute_force_minutes(d_lon, d_lat, s_lon, s_lat)
    pairs = pairs_within_haversine(d_lon, d_lat, s_lon, s_lat, d0)
    got = e2sfca(pop, cap, pairs, d0=d0, decay=decay)
    want = access_oracle(pop, cap, minutes, d0, decay)
    assert len(pairs) == (minutes <= d0).sum()
    assert (want > 0).mean() > 0.5
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=0)
