"""Peer areas: hand-worked distances, missing values, constant columns and a loop reference."""

import math

import numpy as np
import pandas as pd
import pytest

from core.analysis.similarity import most_similar, zscores


def test_hand_worked_two_columns():
    # x = [0, 2, 4, 2] -> mean 2, sd sqrt(2); y = [10, 10, 10, 30] -> mean 15, sd sqrt(75).
    f = pd.DataFrame({"x": [0.0, 2.0, 4.0, 2.0], "y": [10.0, 10.0, 10.0, 30.0]}, index=["a", "b", "c", "d"])
    z = zscores(f)
    np.testing.assert_allclose(z["x"], np.array([-2, 0, 2, 0]) / math.sqrt(2))
    np.testing.assert_allclose(z["y"], np.array([-5, -5, -5, 15]) / math.sqrt(75))
    got = most_similar(f, "b", k=3)
    # From b: a and c differ only in x by 2/sqrt(2) = sqrt(2); d differs only in y by 20/sqrt(75).
    assert got["area_id"].tolist() == ["a", "c", "d"]
    np.testing.assert_allclose(got["distance"], [math.sqrt(2), math.sqrt(2), 20 / math.sqrt(75)])
    assert list(got.columns) == ["area_id", "distance"]


def test_area_itself_is_excluded_even_with_an_identical_twin():
    f = pd.DataFrame({"x": [1.0, 1.0, 5.0]}, index=["a", "twin", "far"])
    got = most_similar(f, "a", k=5)
    assert got["area_id"].tolist() == ["twin", "far"]
    assert got["distance"].iloc[0] == 0.0


def test_missing_value_counts_as_average_after_scaling():
    # b lacks y: after z-scoring it sits at 0 on y, so its distance to a is only the x part plus a's y.
    f = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [-1.0, None, 1.0]}, index=["a", "b", "c"])
    z = zscores(f)
    assert z.at["b", "y"] == 0.0
    got = most_similar(f, "b", k=2).set_index("area_id")["distance"]
    # x z-scores: -1.2247, 0, 1.2247 (sd sqrt(2/3)); y z-scores over a, c: -1, 1.
    dx = 1 / math.sqrt(2 / 3)
    assert math.isclose(got["a"], math.hypot(dx, 1.0))
    assert math.isclose(got["c"], math.hypot(dx, 1.0))


def test_constant_and_empty_columns_do_not_matter():
    base = pd.DataFrame({"x": [3.0, 1.0, 4.0, 1.5, 9.0]}, index=list("abcde"))
    extra = base.assign(k=7.0, e=math.nan)
    a = most_similar(base, "c", k=4)
    b = most_similar(extra, "c", k=4)
    pd.testing.assert_frame_equal(a, b)


def test_errors():
    f = pd.DataFrame({"x": [1.0, 2.0]}, index=["a", "b"])
    with pytest.raises(KeyError):
        most_similar(f, "zz")
    with pytest.raises(ValueError):
        most_similar(f, "a", k=-1)
    with pytest.raises(ValueError):
        most_similar(pd.DataFrame({"x": [1.0, 2.0]}, index=["a", "a"]), "a")


def naive_most_similar(features, area_id, k):
    cols = {}
    for c in features.columns:
        vals = [v for v in features[c] if not math.isnan(v)]
        if len(vals) == 0:
            continue
        m = sum(vals) / len(vals)
        sd = math.sqrt(sum((v - m) ** 2 for v in vals) / len(vals))
        if sd == 0:
            continue
        cols[c] = {a: (0.0 if math.isnan(features.at[a, c]) else (features.at[a, c] - m) / sd) for a in features.index}
    dists = []
    for a in features.index:
        if a == area_id:
            continue
        d = math.sqrt(sum((cols[c][a] - cols[c][area_id]) ** 2 for c in cols))
        dists.append((d, a))
    dists.sort(key=lambda t: t[0])
    return dists[:k]


@pytest.mark.parametrize("seed", range(5))
def test_matches_loop_reference(seed):
    rng = np.random.default_rng(seed)
    vals = rng.normal(size=(30, 6)) * rng.uniform(0.1, 100, size=6)
    vals[rng.random(vals.shape) < 0.1] = np.nan
    f = pd.DataFrame(vals, index=[f"area{i}" for i in range(30)], columns=list("uvwxyz"))
    target = f"area{seed}"
    got = most_similar(f, target, k=7)
    want = naive_most_similar(f, target, 7)
    np.testing.assert_allclose(got["distance"], [d for d, _ in want], rtol=1e-12)
    assert got["area_id"].tolist() == [a for _, a in want]
