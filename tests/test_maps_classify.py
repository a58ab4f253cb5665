"""Our quantile classes are mapclassify's Quantiles, class for class: mapclassify is the oracle, kept out of the
server."""

from __future__ import annotations

import warnings

import mapclassify
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.views import maps

values = st.lists(st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.0, 1.0, 2.5])),
                  min_size=2, max_size=120)


@settings(max_examples=300, deadline=None)
@given(values, st.integers(2, 7))
def test_quantile_classes_match_mapclassify(data, k):
    v = np.array(data, dtype=float)
    k = min(k, len(np.unique(v)))
    if k < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        oracle = mapclassify.Quantiles(v, k=k)
    ours = maps.classify(v, k=k)
    assert np.allclose(ours.bins, oracle.bins, rtol=0, atol=0)
    assert ours.index.tolist() == oracle.yb.tolist()
