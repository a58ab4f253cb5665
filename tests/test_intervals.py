"""Wilson and t intervals against textbook values and independent formulations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from core.analysis.intervals import t_interval, wilson

Z95 = 1.959963984540054


@pytest.mark.parametrize(
    "k,n,lo,hi",
    [
        # z = 1.96, z^2 = 3.8415, n = 10: denominator 1 + 3.8415/10 = 1.38415.
        # 0/10: centre = (0 + 0.192075)/1.38415 = 0.13877; half = 1.96 x sqrt(0 + 3.8415/400)/1.38415
        #       = 1.96 x 0.098000/1.38415 = 0.13877 -> [0, 0.2775].
        (0, 10, 0.0, 0.2775),
        # 5/10: centre = (0.5 + 0.192075)/1.38415 = 0.5; half = 1.96 x sqrt(0.025 + 0.0096038)/1.38415
        #       = 1.96 x 0.186021/1.38415 = 0.26341 -> [0.2366, 0.7634].
        (5, 10, 0.2366, 0.7634),
        # 10/10 mirrors 0/10 -> [0.7225, 1].
        (10, 10, 0.7225, 1.0),
        # Newcombe (1998), Statistics in Medicine 17:857, example 81/263 -> [0.2553, 0.3662].
        (81, 263, 0.2553, 0.3662),
    ],
)
def test_wilson_textbook_values(k, n, lo, hi):
    got_lo, got_hi = wilson(k, n)
    assert isinstance(got_lo, float)
    assert got_lo == pytest.approx(lo, abs=5e-5)
    assert got_hi == pytest.approx(hi, abs=5e-5)


@pytest.mark.parametrize("n", [1, 7, 20, 133])
@pytest.mark.parametrize("level", [0.90, 0.95, 0.99])
def test_wilson_bounds_solve_the_score_equation(n, level):
    # Independent formulation: the bounds are the p at which the score statistic
    # (phat - p) / sqrt(p (1 - p) / n) equals +-z, i.e. the roots of
    # (1 + z^2/n) p^2 - (2 phat + z^2/n) p + phat^2 = 0.
    z = stats.norm.ppf(0.5 + level / 2)
    k = np.arange(n + 1)
    lo, hi = wilson(k, n, level=level)
    for ki, low, h in zip(k, lo, hi):
        phat = ki / n
        roots = np.sort(np.roots([1 + z**2 / n, -(2 * phat + z**2 / n), phat**2]).real)
        assert low == pytest.approx(max(roots[0], 0.0), abs=1e-12)
        assert h == pytest.approx(min(roots[1], 1.0), abs=1e-12)


def test_wilson_vectorises_and_handles_edges():
    lo, hi = wilson(np.array([[1, 2], [3, 4]]), 10)
    assert lo.shape == (2, 2) and hi.shape == (2, 2)
    assert (lo < hi).all()
    lo, hi = wilson([0, 3, 12, np.nan], [0, 2, 10, 5])
    assert np.isnan(lo).all() and np.isnan(hi).all()
    # Wider at higher confidence.
    lo90, hi90 = wilson(5, 20, level=0.90)
    lo99, hi99 = wilson(5, 20, level=0.99)
    assert lo99 < lo90 and hi90 < hi99
    with pytest.raises(ValueError):
        wilson(1, 2, level=95)


def test_t_interval_textbook_values():
    # Table value t(15, 0.975) = 2.131: 10 +- 2.131 x 2/4 = [8.934, 11.066].
    lo, hi = t_interval(10.0, 2.0, 16)
    assert lo == pytest.approx(10 - 2.131 * 0.5, abs=1e-3)
    assert hi == pytest.approx(10 + 2.131 * 0.5, abs=1e-3)
    # t(1, 0.975) = 12.706: 0 +- 12.706 x 1/sqrt(2) = +-8.9845.
    lo, hi = t_interval(0.0, 1.0, 2)
    assert hi == pytest.approx(8.9845, abs=1e-3) and lo == pytest.approx(-8.9845, abs=1e-3)
    # t(9, 0.95) = 1.833 at 90%: 3 +- 1.833 x 1.5/sqrt(10) = +-0.8695.
    lo, hi = t_interval(3.0, 1.5, 10, level=0.90)
    assert hi - 3 == pytest.approx(1.833 * 1.5 / np.sqrt(10), abs=1e-3)
    # Very large n tends to the normal interval.
    lo, hi = t_interval(0.0, 1.0, 1_000_000)
    assert hi == pytest.approx(Z95 / 1000, rel=1e-5)


def test_t_interval_vectorised_and_independent_check():
    mean = np.array([1.0, -2.0, 0.5, 4.0])
    sd = np.array([1.0, 3.0, 0.0, 2.0])
    n = np.array([11, 30, 12, 1])
    lo, hi = t_interval(mean, sd, n)
    # The half width h satisfies P(T_{n-1} <= h / (sd / sqrt n)) = 0.975.
    for i in range(2):
        h = hi[i] - mean[i]
        assert stats.t.cdf(h / (sd[i] / np.sqrt(n[i])), n[i] - 1) == pytest.approx(0.975, abs=1e-12)
        assert mean[i] - lo[i] == pytest.approx(h)
    assert lo[2] == hi[2] == 0.5       # no spread, no width
    assert np.isnan(lo[3]) and np.isnan(hi[3])  # n = 1: no spread to estimate
