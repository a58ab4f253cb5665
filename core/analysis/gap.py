"""Underserved gap: need percentile minus coverage percentile, 3x3 bivariate classes and priority areas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.base.percentile import percentile_rank

# Joshua Stevens' blue-red ("GrPink" in the R package biscale) 3x3 bivariate scheme,
# https://www.joshuastevens.net/cartography/make-a-bivariate-choropleth-map/ . Stevens built his schemes to
# stay distinguishable under the common colour-vision deficiencies; biscale ships this one as
# colour-blind safe. Keys are "need tercile-coverage tercile", so the priority cell "3-1" (high need, low
# coverage) is the saturated red and "1-3" (low need, high coverage) the blue.
BIVARIATE_PALETTE: dict[str, str] = {
    "1-1": "#e8e8e8",
    "2-1": "#e4acac",
    "3-1": "#c85a5a",
    "1-2": "#b0d5df",
    "2-2": "#ad9ea5",
    "3-2": "#985356",
    "1-3": "#64acbe",
    "2-3": "#627f8c",
    "3-3": "#574249",
}

#: Colour for an area that cannot be classed (need or coverage unknown).
NO_DATA_COLOUR = "#ffffff"

PRIORITY_CLASS = "3-1"

_TERCILE_NAMES = {1: "low", 2: "middle", 3: "high"}


def tercile(pct):
    """Tercile 1, 2 or 3 of a 0-1 percentile: below 1/3 is 1, below 2/3 is 2, otherwise 3.

    Cutting the percentile rank (rather than counting areas into thirds) keeps ties in the same tercile
    and puts exactly 1/3 in the middle tercile and exactly 2/3 in the top one. Missing stays missing.

    Examples
    --------
    >>> tercile(pd.Series([0.0, 0.33, 1 / 3, 0.5, 2 / 3, 1.0, None])).tolist()
    [1, 1, 2, 2, 3, 3, <NA>]
    """
    s = pd.Series(pct, dtype=float)
    out = pd.Series(np.select([s < 1 / 3, s < 2 / 3, s.notna()], [1, 2, 3], 0), index=s.index)
    return out.astype("Int64").mask(s.isna())


def gap_table(need_pct: pd.Series, coverage_values: pd.Series, population: pd.Series | None = None) -> pd.DataFrame:
    """Rank areas by how far their coverage falls short of their need.

    Parameters
    ----------
    need_pct : Series
        Need percentile (0-1, e.g. ``NeedIndex.index``) by area_id. It defines the areas in the table.
    coverage_values : Series
        Coverage (e.g. E2SFCA places per 1,000) by area_id; it is percentile-ranked here over the areas
        of ``need_pct`` that have a value, so higher means more coverage.
    population : Series, optional
        Residents by area_id, carried into the table so a page can say how many live in priority areas.

    Returns
    -------
    DataFrame
        Index area_id, sorted by ``gap`` descending (ties by higher need first; unknown gaps last), with
        columns rank, need_pct, coverage, coverage_pct, gap, need_tercile, coverage_tercile,
        bivariate_class ("need-coverage", e.g. "3-1"), colour, priority (need tercile 3 and coverage
        tercile 1), population.

    Examples
    --------
    >>> need = pd.Series([1.0, 0.5, 0.0], index=["a", "b", "c"])
    >>> cov = pd.Series([0.0, 2.0, 5.0], index=["a", "b", "c"])
    >>> t = gap_table(need, cov)
    >>> t[["gap", "bivariate_class", "priority"]].to_dict("index")["a"]
    {'gap': 1.0, 'bivariate_class': '3-1', 'priority': True}
    """
    need = pd.Series(need_pct, dtype=float)
    idx = need.index
    coverage = pd.Series(coverage_values, dtype=float).reindex(idx)
    cov_pct = percentile_rank(coverage)
    out = pd.DataFrame(
        {
            "need_pct": need,
            "coverage": coverage,
            "coverage_pct": cov_pct,
            # Rounded so that equal gaps reached by different subtractions tie exactly when sorted.
            "gap": (need - cov_pct).round(12),
            "need_tercile": tercile(need),
            "coverage_tercile": tercile(cov_pct),
        },
        index=idx,
    )
    known = out["need_tercile"].notna() & out["coverage_tercile"].notna()
    cls = out["need_tercile"].astype(str) + "-" + out["coverage_tercile"].astype(str)
    out["bivariate_class"] = cls.where(known, None)
    out["colour"] = out["bivariate_class"].map(BIVARIATE_PALETTE).fillna(NO_DATA_COLOUR)
    out["priority"] = (out["bivariate_class"] == PRIORITY_CLASS).fillna(False).astype(bool)
    out["population"] = pd.Series(population, dtype=float).reindex(idx) if population is not None else np.nan
    out = out.sort_values(["gap", "need_pct"], ascending=[False, False], na_position="last", kind="stable")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def bivariate_legend() -> pd.DataFrame:
    """The 3x3 legend as a grid of colours: rows coverage tercile (high at top), columns need tercile.

    Laid out as the map reader sees it: need grows to the right, coverage grows upwards, so the priority
    cell (high need, low coverage) is bottom right.

    Examples
    --------
    >>> bivariate_legend().loc["low coverage", "high need"]
    '#c85a5a'
    """
    rows = [3, 2, 1]
    cols = [1, 2, 3]
    grid = [[BIVARIATE_PALETTE[f"{n}-{c}"] for n in cols] for c in rows]
    return pd.DataFrame(
        grid,
        index=[f"{_TERCILE_NAMES[c]} coverage" for c in rows],
        columns=[f"{_TERCILE_NAMES[n]} need" for n in cols],
    )
