"""Siting: coverage matrix, greedy baseline, and MCLP checked against brute force and stock spopt."""

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.analysis.siting import STATUS_OPTIMAL, coverage_matrix, greedy, mclp

RAW = Path("/work/shared/data/raw/chicago")
TRACTS = RAW / "Chicago Health Atlas Data Download - Census Tracts.csv"
COOLING = RAW / "cooling-centers.geojson"

# spopt builds its variables in the pulp 3 style, which pulp 3.3 warns will change in pulp 4; that noise
# is not about this code.
pytestmark = pytest.mark.filterwarnings("ignore:.*PuLP 4.0:DeprecationWarning")


# ---------------------------------------------------------------- coverage matrix


def test_dense_minutes_are_inclusive_at_d0_and_nan_is_unreachable():
    m = np.array([[0.0, 29.999, 30.0, 30.001], [np.nan, 5.0, np.inf, 31.0]])
    got = coverage_matrix(m, d0=30)
    assert got.dtype == bool
    assert got.tolist() == [[True, True, True, False], [False, True, False, False]]


def test_triplets_by_position_match_the_dense_matrix():
    rng = np.random.default_rng(1)
    dense = rng.uniform(0, 60, size=(9, 5))
    dense[rng.random(dense.shape) < 0.2] = np.nan
    i, j = np.nonzero(~np.isnan(dense))
    got = coverage_matrix((i, j, dense[i, j]), d0=30, shape=dense.shape)
    np.testing.assert_array_equal(got, coverage_matrix(dense, d0=30))


def test_triplets_by_id_from_a_dataframe():
    pairs = pd.DataFrame(
        {
            "origin": ["t2", "t1", "t1", "t3"],
            "destination": ["v9", "v9", "v9", "v7"],
            "minutes": [12.0, 45.0, 20.0, 31.0],  # t1-v9 listed twice: the 20-minute time counts
        }
    )
    got = coverage_matrix(pairs, d0=30, demand_ids=["t1", "t2", "t3"], candidate_ids=["v7", "v8", "v9"])
    assert got.tolist() == [[False, False, True], [False, False, True], [False, False, False]]
    with pytest.raises(ValueError, match="t4"):
        coverage_matrix(pairs.assign(origin="t4"), demand_ids=["t1"], candidate_ids=["v7", "v9"])


def test_triplet_shape_is_inferred_or_checked():
    assert coverage_matrix(([0, 2], [1, 0], [1.0, 1.0])).shape == (3, 2)
    with pytest.raises(ValueError):
        coverage_matrix(([0, 5], [0, 0], [1.0, 1.0]), shape=(3, 1))
    with pytest.raises(ValueError):
        coverage_matrix(([0.5], [0], [1.0]))
    with pytest.raises(ValueError):
        coverage_matrix(np.zeros(3))


# ---------------------------------------------------------------- a case worked by hand

# Demand d0..d5 with weights 3, 3, 3, 3, 2, 2. Site A reaches d0-d3 (12), B reaches d0, d1, d4 (8), C reaches
# d2, d3, d5 (8). With k = 2 greedy takes A then B (12 + 2 = 14); the optimum is B + C (16).
HAND_W = np.array([3, 3, 3, 3, 2, 2], dtype=float)
HAND_C = np.array(
    [
        [1, 1, 0],
        [1, 1, 0],
        [1, 0, 1],
        [1, 0, 1],
        [0, 1, 0],
        [0, 0, 1],
    ],
    dtype=bool,
)


def test_greedy_takes_the_big_site_first_and_falls_short():
    g = greedy(HAND_W, HAND_C, k=2)
    assert g.chosen == [0, 1]
    assert g.gains == [12.0, 2.0]
    assert g.covered_weight == 14.0 and g.total_weight == 16.0
    assert g.covered.tolist() == [True, True, True, True, True, False]
    assert g.method == "greedy"


def test_mclp_finds_the_two_side_sites():
    m = mclp(HAND_W, HAND_C, k=2)
    assert sorted(m.chosen) == [1, 2]
    assert m.covered_weight == 16.0 and m.share == 1.0
    assert m.gains == [8.0, 8.0]
    assert m.status == STATUS_OPTIMAL and m.method == "mclp"


def test_pinned_site_comes_first_and_the_rest_is_optimal_given_it():
    m = mclp(HAND_W, HAND_C, k=2, pinned=[0])
    assert m.chosen[0] == 0
    # With A forced in, B adds d4 (2) and C adds d5 (2): either is optimal, 14 in all.
    assert m.covered_weight == 14.0 and m.gains[0] == 12.0 and m.gains[1] == 2.0
    # With C forced in, A would add d0 and d1 (6) but B adds them and d4 (8).
    g = greedy(HAND_W, HAND_C, k=2, pinned=[2])
    assert g.chosen == [2, 1] and g.gains == [8.0, 8.0]


def test_excluded_site_is_never_chosen():
    m = mclp(HAND_W, HAND_C, k=2, excluded=[2])
    assert sorted(m.chosen) == [0, 1] and m.covered_weight == 14.0
    g = greedy(HAND_W, HAND_C, k=2, excluded=[0])
    assert sorted(g.chosen) == [1, 2] and g.covered_weight == 16.0


def test_nothing_left_to_cover_still_returns_k_allowed_sites():
    m = mclp(np.zeros(6), HAND_C, k=2, excluded=[0])
    assert m.chosen == [1, 2] and m.covered_weight == 0.0 and m.gains == [0.0, 0.0]
    assert mclp(HAND_W, HAND_C, k=0).chosen == []
    assert greedy(HAND_W, HAND_C, k=0).covered_weight == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"k": 4},  # more sites than candidates
        {"k": 3, "excluded": [0]},
        {"k": 1, "pinned": [0, 1]},
        {"k": 2, "pinned": [0], "excluded": [0]},
        {"k": 2, "pinned": [3]},
        {"k": 2, "excluded": [1, 1]},
        {"k": -1},
        {"k": 1.5},
    ],
)
def test_bad_siting_requests_raise(kwargs):
    with pytest.raises(ValueError):
        mclp(HAND_W, HAND_C, **kwargs)
    with pytest.raises(ValueError):
        greedy(HAND_W, HAND_C, **kwargs)


def test_bad_weights_raise():
    for w in (HAND_W[:5], np.r_[HAND_W[:5], -1.0], np.r_[HAND_W[:5], np.nan]):
        with pytest.raises(ValueError):
            mclp(w, HAND_C, k=1)
    with pytest.raises(ValueError):
        mclp(HAND_W, HAND_C, k=1, time_limit=0)


# ---------------------------------------------------------------- against references


def brute_force(w, covers, k, pinned=(), excluded=()):
    """Best covered weight over every allowed k-subset, by enumeration."""
    free = [j for j in range(covers.shape[1]) if j not in pinned and j not in excluded]
    best = -1.0
    for extra in itertools.combinations(free, k - len(pinned)):
        cols = list(pinned) + list(extra)
        best = max(best, float(w[covers[:, cols].any(axis=1)].sum()))
    return best


def random_case(seed, n_demand, n_cand, density):
    rng = np.random.default_rng(seed)
    covers = rng.random((n_demand, n_cand)) < density
    # Integer weights keep sums exact, so "equal to brute force" can be exact equality.
    w = rng.integers(0, 100, size=n_demand).astype(float)
    return w, covers


@pytest.mark.parametrize("seed", range(8))
def test_mclp_equals_brute_force_on_small_cases(seed):
    w, covers = random_case(seed, n_demand=40, n_cand=12, density=0.15)
    m = mclp(w, covers, k=3)
    assert m.covered_weight == brute_force(w, covers, 3)
    assert len(set(m.chosen)) == 3
    assert m.covered_weight >= greedy(w, covers, k=3).covered_weight


@pytest.mark.parametrize("seed", range(4))
def test_mclp_equals_brute_force_with_pinned_and_excluded(seed):
    w, covers = random_case(100 + seed, n_demand=40, n_cand=12, density=0.2)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(12)
    pinned, excluded = [int(perm[0])], [int(x) for x in perm[1:4]]
    m = mclp(w, covers, k=4, pinned=pinned, excluded=excluded)
    assert m.chosen[0] == pinned[0]
    assert not set(m.chosen) & set(excluded)
    assert len(set(m.chosen)) == 4
    assert m.covered_weight == brute_force(w, covers, 4, pinned, excluded)
    g = greedy(w, covers, k=4, pinned=pinned, excluded=excluded)
    assert g.chosen[0] == pinned[0] and not set(g.chosen) & set(excluded)
    assert m.covered_weight >= g.covered_weight


def test_result_bookkeeping_is_consistent():
    w, covers = random_case(7, n_demand=200, n_cand=40, density=0.05)
    for r in (mclp(w, covers, k=5, pinned=[3]), greedy(w, covers, k=5, pinned=[3])):
        assert r.chosen[0] == 3 and len(r.chosen) == 5
        np.testing.assert_array_equal(r.covered, covers[:, r.chosen].any(axis=1))
        assert r.covered_weight == w[r.covered].sum()
        assert sum(r.gains) == pytest.approx(r.covered_weight)
        # After the pinned pick the order is greedy within the chosen set, so gains never rise.
        assert all(a >= b for a, b in zip(r.gains[1:], r.gains[2:]))


def test_sparse_model_matches_stock_spopt_from_cost_matrix():
    import pulp
    from spopt.locate import MCLP

    w, covers = random_case(11, n_demand=120, n_cand=30, density=0.08)
    stock = MCLP.from_cost_matrix(np.where(covers, 1.0, 99.0), w, service_radius=1.0, p_facilities=4)
    stock.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=20))
    stock_sites = [j for j, v in enumerate(stock.fac_vars) if v.value() > 0.5]
    stock_weight = float(w[covers[:, stock_sites].any(axis=1)].sum())
    assert mclp(w, covers, k=4).covered_weight == stock_weight


@pytest.mark.parametrize("seed", range(4))
def test_mclp_never_worse_than_greedy_on_larger_random_cases(seed):
    w, covers = random_case(50 + seed, n_demand=300, n_cand=80, density=0.04)
    m = mclp(w, covers, k=6, time_limit=5)
    g = greedy(w, covers, k=6)
    assert m.covered_weight >= g.covered_weight


# ---------------------------------------------------------------- Chicago-like case


def _walking_minutes(lon1, lat1, lon2, lat2):
    """Haversine x 1.3 at 4.8 km/h, the design's default travel cost, written out independently here."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2[None, :] - lat1[:, None]) / 2) ** 2
        + np.cos(lat1)[:, None] * np.cos(lat2)[None, :] * np.sin((lon2[None, :] - lon1[:, None]) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a)) * 1.3 / 4.8 * 60


@pytest.fixture(scope="module")
def chicago_case():
    """Real tract centroids and cooling centres when the raw files are here; libpysal's Chicago77 otherwise."""
    rng = np.random.default_rng(0)
    if TRACTS.exists():
        t = pd.read_csv(TRACTS, low_memory=False)
        t = t[t["Layer"] == "Census tract"]
        pop = pd.to_numeric(t["Population"], errors="coerce")
        ok = (pop > 0).to_numpy()
        lon = pd.to_numeric(t["Longitude"]).to_numpy()[ok]
        lat = pd.to_numeric(t["Latitude"]).to_numpy()[ok]
        w = np.round(pop.to_numpy()[ok] * rng.uniform(0.5, 1.5, ok.sum()))
    else:
        import geopandas as gpd
        import libpysal

        g = gpd.read_file(libpysal.examples.get_path("Chicago77.shp")).set_crs(3435, allow_override=True)
        pts = g.geometry.centroid.to_crs(4326)
        lon, lat = pts.x.to_numpy(), pts.y.to_numpy()
        w = rng.integers(5_000, 60_000, size=len(lon)).astype(float)
    if COOLING.exists():
        feats = json.loads(COOLING.read_text())["features"]
        xy = np.array([f["geometry"]["coordinates"][:2] for f in feats if f.get("geometry")], dtype=float)
    else:
        xy = np.c_[rng.uniform(lon.min(), lon.max(), 224), rng.uniform(lat.min(), lat.max(), 224)]
    covers = coverage_matrix(_walking_minutes(lon, lat, xy[:, 0], xy[:, 1]), d0=30)
    return w, covers


def test_chicago_like_mclp_beats_or_ties_greedy(chicago_case):
    w, covers = chicago_case
    assert covers.any()
    for k in (3, 5, 8):
        m = mclp(w, covers, k=k)
        g = greedy(w, covers, k=k)
        assert m.status == STATUS_OPTIMAL
        assert len(set(m.chosen)) == k
        assert m.covered_weight >= g.covered_weight


def test_chicago_like_pinned_and_excluded(chicago_case):
    w, covers = chicago_case
    free = greedy(w, covers, k=5)
    # Exclude the greedy's first two picks and pin a site that reaches at least some demand.
    excluded = free.chosen[:2]
    reach = (w[:, None] * covers).sum(axis=0)
    pinned = [int(j) for j in np.argsort(-reach) if j not in excluded][5:6]
    m = mclp(w, covers, k=5, pinned=pinned, excluded=excluded)
    g = greedy(w, covers, k=5, pinned=pinned, excluded=excluded)
    for r in (m, g):
        assert r.chosen[0] == pinned[0]
        assert not set(r.chosen) & set(excluded)
    assert m.covered_weight >= g.covered_weight
    # Forcing choices can only cost coverage.
    assert m.covered_weight <= mclp(w, covers, k=5).covered_weight
