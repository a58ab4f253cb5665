"""Need index: a five-area case worked by hand, missing data, weights, explanations, and a loop reference."""

import math

import numpy as np
import pandas as pd
import pytest

from core.analysis.need_index import explain, need_index

NAN = math.nan

# Five areas and six indicators, small enough to rank by hand. "employment_rate" is higher-is-better so
# that the flip is exercised; its C/D tie tells a negated-value flip (0.5) from 1 - percentile (0.75).
# B lacks suicide_rate and C lacks uninsured, so both must be flagged.
DEFS = pd.DataFrame(
    {
        "indicator_id": ["unmet_need", "suicide_rate", "svi", "employment_rate", "poverty", "uninsured", "pct_over_65"],
        "label": [
            "Unmet mental-health need",
            "Suicide rate",
            "SVI",
            "Employment rate",
            "Poverty",
            "Uninsured",
            "Aged 65+",
        ],
        "higher_is": ["worse", "worse", "worse", "better", "worse", "worse", None],
        "domain": ["need", "need", "vulnerability", "vulnerability", "barrier", "barrier", "demographic"],
    }
)
VALUES = pd.DataFrame(
    {
        "unmet_need": [10, 20, 30, 40, 50],
        "suicide_rate": [5, NAN, 5, 1, 9],
        "svi": [0.9, 0.1, 0.5, 0.5, 0.3],
        "employment_rate": [50, 70, 60, 60, 80],
        "poverty": [3, 1, 2, 5, 4],
        "uninsured": [10, 10, NAN, 20, 5],
        "pct_over_65": [1, 2, 3, 4, 5],
    },
    index=pd.Index(["A", "B", "C", "D", "E"], name="area_id"),
)


def test_hand_worked_five_areas_equal_weights():
    r = need_index(VALUES, DEFS)
    # Oriented indicator percentiles.
    np.testing.assert_allclose(r.indicator_pct["unmet_need"], [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(r.indicator_pct["suicide_rate"], [1 / 3, NAN, 1 / 3, 0, 1])
    np.testing.assert_allclose(r.indicator_pct["employment_rate"], [1, 0.25, 0.5, 0.5, 0])
    np.testing.assert_allclose(r.indicator_pct["uninsured"], [1 / 3, 1 / 3, NAN, 1, 0])
    assert "pct_over_65" not in r.indicator_pct.columns
    # Domain means over the indicators each area has, then ranked again.
    np.testing.assert_allclose(r.domain_mean["need"], [1 / 6, 0.25, 5 / 12, 0.375, 1])
    np.testing.assert_allclose(r.domain_rank["need"], [0, 0.25, 0.75, 0.5, 1])
    np.testing.assert_allclose(r.domain_mean["vulnerability"], [1, 0.125, 0.5, 0.5, 0.125])
    np.testing.assert_allclose(r.domain_rank["vulnerability"], [1, 0, 0.5, 0.5, 0])
    np.testing.assert_allclose(r.domain_mean["barrier"], [5 / 12, 1 / 6, 0.25, 1, 0.375])
    np.testing.assert_allclose(r.domain_rank["barrier"], [0.75, 0, 0.25, 1, 0.5])
    # Scores A 1.75/3, B 0.25/3, C 1.5/3, D 2/3, E 1.5/3: C and E tie and take the lower rank.
    np.testing.assert_allclose(r.score, [1.75 / 3, 0.25 / 3, 0.5, 2 / 3, 0.5])
    np.testing.assert_allclose(r.index, [0.75, 0, 0.25, 1, 0.25])
    assert r.missing.to_dict() == {"A": [], "B": ["suicide_rate"], "C": ["uninsured"], "D": [], "E": []}
    assert r.flagged.to_dict() == {"A": False, "B": True, "C": True, "D": False, "E": False}
    assert r.weights == pytest.approx({"need": 1 / 3, "vulnerability": 1 / 3, "barrier": 1 / 3})


def test_custom_weights_are_normalised_and_zero_is_allowed():
    r = need_index(VALUES, DEFS, {"need": 2, "vulnerability": 0, "barrier": 1})
    assert r.weights == pytest.approx({"need": 2 / 3, "vulnerability": 0.0, "barrier": 1 / 3})
    # need rank x 2/3 + barrier rank x 1/3: A .25, B .1667, C .5833, D .6667, E .8333.
    np.testing.assert_allclose(r.index, [0.25, 0, 0.5, 0.75, 1])
    # The zero-weighted domain is still reported.
    np.testing.assert_allclose(r.domain_rank["vulnerability"], [1, 0, 0.5, 0.5, 0])


def test_weights_naming_only_some_domains_give_the_rest_zero():
    r = need_index(VALUES, DEFS, {"need": 5})
    np.testing.assert_allclose(r.index, r.domain_rank["need"])


@pytest.mark.parametrize(
    "weights",
    [{"need": 0, "vulnerability": 0, "barrier": 0}, {}, {"need": -1, "barrier": 2}, {"need": NAN}, {"housing": 1}],
)
def test_bad_weights_raise(weights):
    with pytest.raises(ValueError):
        need_index(VALUES, DEFS, weights)


def test_area_missing_a_whole_domain_is_scored_on_the_others():
    defs = DEFS[DEFS.indicator_id.isin(["unmet_need", "svi", "poverty"])]
    values = pd.DataFrame({"unmet_need": [1, 2, 3], "poverty": [2, 1, NAN]}, index=["x", "y", "z"])
    r = need_index(values, defs)
    # svi is absent for every area: the vulnerability domain is empty and all are flagged.
    assert r.domain_rank["vulnerability"].isna().all()
    assert r.flagged.all()
    assert r.missing["z"] == ["svi", "poverty"]
    # x (0 + 1) / 2 = .5, y (.5 + 0) / 2 = .25, z has only need: 1 / 1 = 1 (not (1 + 0) / 2).
    np.testing.assert_allclose(r.score, [0.5, 0.25, 1.0])
    np.testing.assert_allclose(r.index, [0.5, 0.0, 1.0])


def test_area_with_nothing_gets_no_index():
    defs = DEFS[DEFS.indicator_id.isin(["unmet_need"])]
    values = pd.DataFrame({"unmet_need": [1, NAN, 3]}, index=["x", "y", "z"])
    r = need_index(values, defs)
    assert math.isnan(r.index["y"])
    np.testing.assert_allclose(r.index[["x", "z"]], [0, 1])
    assert "No need index" in explain(r, "y")


def test_unknown_indicator_and_unoriented_index_indicator_raise():
    with pytest.raises(ValueError, match="no_such"):
        need_index(VALUES.assign(no_such=1.0), DEFS)
    defs = DEFS.copy()
    defs.loc[defs.indicator_id == "svi", "higher_is"] = None
    with pytest.raises(ValueError, match="svi"):
        need_index(VALUES, defs)


def test_defs_indexed_by_indicator_id_work_too():
    a = need_index(VALUES, DEFS).index
    b = need_index(VALUES, DEFS.set_index("indicator_id")).index
    pd.testing.assert_series_equal(a, b)


def test_explain_high_area_names_its_highest_indicators_with_labels():
    r = need_index(VALUES, DEFS)
    text = explain(r, "D")
    assert text.startswith("Ranks in the top 10% overall (100th percentile of 5 areas)")
    assert "highest for barriers to access (100th)" in text
    # D: poverty 1.0 and uninsured 1.0, then unmet need 0.75; suicide rate (0) is not a driver.
    assert "driven by poverty (100th percentile), uninsured (100th) and unmet mental-health need (75th)" in text
    assert "suicide" not in text and "Ranked without" not in text


def test_explain_low_area_names_its_lowest_indicators_and_what_is_missing():
    r = need_index(VALUES, DEFS)
    text = explain(r, "B", top=2)
    assert text.startswith("Ranks in the bottom 10% overall (0th percentile")
    assert "kept low by SVI (0th percentile) and poverty (0th)" in text
    assert "Ranked without suicide rate" in text


def test_explain_ignores_zero_weight_domains():
    r = need_index(VALUES, DEFS, {"need": 1})
    text = explain(r, "A", top=5)
    assert "SVI" not in text and "poverty" not in text and "employment" not in text
    with pytest.raises(KeyError):
        explain(r, "nowhere")


def naive_need_index(values, defs, weights):
    """The same method with loops and the counting definition of percentile rank."""

    def prank(xs):
        present = [x for x in xs if not math.isnan(x)]
        n = len(present)
        return [NAN if math.isnan(x) else (0.0 if n == 1 else sum(p < x for p in present) / (n - 1)) for x in xs]

    d = defs.set_index("indicator_id")
    total = sum(weights.values())
    areas = list(values.index)
    dom_ranks = {}
    for dom in ["need", "vulnerability", "barrier"]:
        cols = [c for c in d.index if d.at[c, "domain"] == dom]
        pcts = {}
        for c in cols:
            sign = -1 if d.at[c, "higher_is"] == "better" else 1
            pcts[c] = prank([sign * float(values.at[a, c]) if c in values.columns else NAN for a in areas])
        means = []
        for i in range(len(areas)):
            have = [pcts[c][i] for c in cols if not math.isnan(pcts[c][i])]
            means.append(round(sum(have) / len(have), 12) if have else NAN)
        dom_ranks[dom] = prank(means)
    scores = []
    for i in range(len(areas)):
        num = sum(weights[dm] / total * dom_ranks[dm][i] for dm in dom_ranks if not math.isnan(dom_ranks[dm][i]))
        den = sum(weights[dm] / total for dm in dom_ranks if not math.isnan(dom_ranks[dm][i]))
        scores.append(round(num / den, 12) if den > 0 else NAN)
    return prank(scores)


@pytest.mark.parametrize("seed", range(6))
def test_matches_loop_reference_on_random_data(seed):
    rng = np.random.default_rng(seed)
    ids = [
        "unmet_need",
        "loneliness",
        "suicide_rate",
        "svi",
        "unemployment",
        "limited_english",
        "uninsured",
        "disability",
        "poverty",
    ]
    domains = ["need"] * 3 + ["vulnerability"] * 2 + ["barrier"] * 4
    defs = pd.DataFrame(
        {
            "indicator_id": ids,
            "label": ids,
            "domain": domains,
            "higher_is": rng.choice(["worse", "better"], size=len(ids)),
        }
    )
    n = 40
    vals = rng.integers(0, 8, size=(n, len(ids))).astype(float)  # small integers force many ties
    vals[rng.random(vals.shape) < 0.15] = NAN
    values = pd.DataFrame(vals, columns=ids, index=[f"a{i}" for i in range(n)])
    weights = {"need": float(rng.integers(0, 4)), "vulnerability": float(rng.integers(0, 4)), "barrier": 1.0}
    got = need_index(values, defs, weights).index.to_numpy()
    want = naive_need_index(values, defs, weights)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
