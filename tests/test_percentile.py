"""Percentile rank: hand-worked cases, ties, missing values, and a counting reference."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.base.percentile import percentile_rank


def naive_percentile(values):
    """With ties at the lowest rank, rank - 1 is simply how many present values are strictly smaller."""
    present = [v for v in values if not math.isnan(v)]
    n = len(present)
    out = []
    for v in values:
        if math.isnan(v):
            out.append(math.nan)
        elif n == 1:
            out.append(0.0)
        else:
            out.append(sum(1 for w in present if w < v) / (n - 1))
    return out


def test_distinct_values_spread_evenly_from_zero_to_one():
    got = percentile_rank(np.array([30.0, 10.0, 50.0, 20.0, 40.0]))
    np.testing.assert_allclose(got, [0.5, 0.0, 1.0, 0.25, 0.75])


def test_ties_take_the_lowest_rank():
    # Sorted: 1, 2, 2, 2, 9 -> ranks 1, 2, 2, 2, 5 -> (r - 1) / 4.
    got = percentile_rank([2, 9, 2, 1, 2])
    np.testing.assert_allclose(got, [0.25, 1.0, 0.25, 0.0, 0.25])


def test_all_tied_values_are_all_zero():
    np.testing.assert_array_equal(percentile_rank([7, 7, 7]), [0.0, 0.0, 0.0])


def test_missing_values_stay_missing_and_do_not_count():
    s = pd.Series([5.0, None, 1.0, 3.0], index=["a", "b", "c", "d"], name="x")
    got = percentile_rank(s)
    assert isinstance(got, pd.Series)
    assert list(got.index) == ["a", "b", "c", "d"] and got.name == "x"
    # N is 3, not 4: the present values rank 1, 2, 3.
    assert got["a"] == 1.0 and got["c"] == 0.0 and got["d"] == 0.5
    assert math.isnan(got["b"])


def test_nullable_dtype_with_pd_na():
    s = pd.Series([2, pd.NA, 1], dtype="Int64")
    got = percentile_rank(s)
    assert got.dtype == float
    assert got.iloc[0] == 1.0 and got.iloc[2] == 0.0 and math.isnan(got.iloc[1])


def test_single_value_is_zero_and_empty_is_empty():
    np.testing.assert_array_equal(percentile_rank([42.0]), [0.0])
    got = percentile_rank([math.nan, 3.0, math.nan])
    assert got[1] == 0.0 and math.isnan(got[0]) and math.isnan(got[2])
    assert percentile_rank([]).shape == (0,)
    assert np.isnan(percentile_rank([math.nan, math.nan])).all()


def test_dataframe_is_ranked_column_by_column():
    df = pd.DataFrame({"p": [1.0, 2.0, 3.0], "q": [3.0, 3.0, 1.0]}, index=["x", "y", "z"])
    got = percentile_rank(df)
    assert list(got.columns) == ["p", "q"] and list(got.index) == ["x", "y", "z"]
    np.testing.assert_allclose(got["p"], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(got["q"], [0.5, 0.5, 0.0])


def test_two_dimensional_array_is_refused():
    with pytest.raises(ValueError):
        percentile_rank(np.zeros((2, 2)))


@given(st.lists(st.one_of(st.integers(-5, 5).map(float), st.just(math.nan)), max_size=30))
def test_matches_counting_reference(values):
    got = percentile_rank(values)
    want = naive_percentile(values)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
