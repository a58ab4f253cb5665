"""Underserved gap: hand-worked table, tercile edges, missing data and the bivariate palette."""

import math
import re

import pandas as pd

from core.analysis.gap import BIVARIATE_PALETTE, bivariate_legend, gap_table, tercile


def test_tercile_cut_points():
    got = tercile(pd.Series([0.0, 0.3333, 1 / 3, 0.6666, 2 / 3, 0.99, 1.0]))
    assert got.tolist() == [1, 1, 2, 2, 3, 3, 3]
    assert tercile(pd.Series([math.nan])).isna().all()


def test_hand_worked_gap_table():
    # Seven areas; need percentiles given, coverage raw (ranked here).
    need = pd.Series([1.0, 0.9, 0.5, 0.2, 0.0, 0.7, 0.4], index=list("ABCDEFG"))
    coverage = pd.Series([0.0, 0.0, 3.0, 1.0, 9.0, 6.0, 2.0], index=list("ABCDEFG"))
    pop = pd.Series([100, 200, 300, 400, 500, 600, 700], index=list("ABCDEFG"))
    t = gap_table(need, coverage, pop)
    # Coverage sorted: A 0, B 0 (tie, rank 1), D 1 (3), G 2 (4), C 3 (5), F 6 (6), E 9 (7); N - 1 = 6.
    cov_pct = {"A": 0, "B": 0, "D": 2 / 6, "G": 3 / 6, "C": 4 / 6, "F": 5 / 6, "E": 1}
    for a, p in cov_pct.items():
        assert t.at[a, "coverage_pct"] == p
    gaps = {"A": 1.0, "B": 0.9, "C": 0.5 - 4 / 6, "D": 0.2 - 2 / 6, "E": -1.0, "F": 0.7 - 5 / 6, "G": 0.4 - 0.5}
    for a, g in gaps.items():
        assert math.isclose(t.at[a, "gap"], g)
    # Ranked by gap descending: A 1, B .9, G -.1, D -.133, F -.133, C -.167, E -1. D and F have the
    # same gap; F has the higher need, so it ranks first.
    assert math.isclose(gaps["D"], gaps["F"])
    assert list(t.index) == ["A", "B", "G", "F", "D", "C", "E"]
    assert t["rank"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    # Terciles: need .2 -> 1, .4/.5 -> 2, .7/.9/1 -> 3; coverage 0 -> 1, 1/3 and .5 -> 2, 2/3+ -> 3.
    assert t.loc["A", "bivariate_class"] == "3-1" and t.loc["B", "bivariate_class"] == "3-1"
    assert t.loc["D", "bivariate_class"] == "1-2"
    assert t.loc["G", "bivariate_class"] == "2-2"
    assert t.loc["C", "bivariate_class"] == "2-3"
    assert t.loc["F", "bivariate_class"] == "3-3"
    assert t.loc["E", "bivariate_class"] == "1-3"
    assert t.index[t["priority"]].tolist() == ["A", "B"]
    assert t.loc["A", "colour"] == BIVARIATE_PALETTE["3-1"]
    assert t.loc[t["priority"], "population"].sum() == 300


def test_missing_need_or_coverage_sorts_last_and_is_not_classed():
    need = pd.Series([0.0, 1.0, math.nan, 0.5], index=["a", "b", "c", "d"])
    coverage = pd.Series({"a": 5.0, "b": 1.0, "c": 3.0})  # d has no coverage value at all
    t = gap_table(need, coverage)
    assert list(t.index[:2]) == ["b", "a"]
    assert set(t.index[2:]) == {"c", "d"}
    # Coverage is ranked over a, b, c only.
    assert t.at["b", "coverage_pct"] == 0.0 and t.at["c", "coverage_pct"] == 0.5 and t.at["a", "coverage_pct"] == 1.0
    for a in ["c", "d"]:
        assert pd.isna(t.at[a, "bivariate_class"])
        assert not t.at[a, "priority"]
        assert math.isnan(t.at[a, "gap"])
    assert t["population"].isna().all()


def test_coverage_outside_the_need_areas_is_ignored():
    need = pd.Series([0.0, 1.0], index=["a", "b"])
    coverage = pd.Series({"a": 1.0, "b": 2.0, "zz": -100.0})
    t = gap_table(need, coverage)
    assert set(t.index) == {"a", "b"}
    assert t.at["a", "coverage_pct"] == 0.0


def _luminance(hex_colour):
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_palette_is_complete_distinct_and_ordered_in_lightness():
    assert set(BIVARIATE_PALETTE) == {f"{n}-{c}" for n in (1, 2, 3) for c in (1, 2, 3)}
    assert all(re.fullmatch(r"#[0-9a-f]{6}", v) for v in BIVARIATE_PALETTE.values())
    assert len(set(BIVARIATE_PALETTE.values())) == 9
    # Along each axis the colour gets darker, which is what survives colour-vision deficiency.
    for fixed in (1, 2, 3):
        need_axis = [_luminance(BIVARIATE_PALETTE[f"{n}-{fixed}"]) for n in (1, 2, 3)]
        cov_axis = [_luminance(BIVARIATE_PALETTE[f"{fixed}-{c}"]) for c in (1, 2, 3)]
        assert need_axis == sorted(need_axis, reverse=True)
        assert cov_axis == sorted(cov_axis, reverse=True)


def test_legend_grid_layout():
    g = bivariate_legend()
    assert g.shape == (3, 3)
    assert list(g.index) == ["high coverage", "middle coverage", "low coverage"]
    assert list(g.columns) == ["low need", "middle need", "high need"]
    assert g.loc["low coverage", "high need"] == BIVARIATE_PALETTE["3-1"]
    assert g.loc["high coverage", "low need"] == BIVARIATE_PALETTE["1-3"]
    assert g.loc["low coverage", "low need"] == BIVARIATE_PALETTE["1-1"]
