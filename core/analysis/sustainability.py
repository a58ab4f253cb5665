"""The sustainability self-assessment: PSAT domain scores per programme, weakest domains, area roll-up, beside money risk.

The Program Sustainability Assessment Tool (Luke et al. 2014, sustaintool.org) scores eight domains, each the
mean of its items on a 1-7 scale. Its overall score is the mean of the domain scores; the tool's own reports
point to the lowest-scoring domains as where to act first, which is what ``weakest`` lists. A programme is
shown as a **capacity risk** where its overall score is below :data:`LOW_CAPACITY` (the scale's midpoint, our
threshold, not the tool's), and as a **money risk** where the funding analysis flags it (runway of 12 months
or less, or funder concentration HHI above 0.25); the Funding page sets the two side by side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.base.psat import PSAT_DOMAINS

LOW_CAPACITY = 4.0
"""An overall PSAT score below this (the midpoint of 1-7) counts as a capacity risk."""


def _weakest(scores: pd.DataFrame) -> pd.Series:
    """The lowest-scoring domain(s) of each row, ties all named, '' where nothing is scored."""
    low = scores.min(axis=1)
    names = list(PSAT_DOMAINS.values())

    def row(values: np.ndarray, m: float) -> str:
        if np.isnan(m):
            return ""
        return ", ".join(n for n, v in zip(names, values) if np.isclose(v, m))

    return pd.Series([row(v, m) for v, m in zip(scores.to_numpy(dtype=float), low.to_numpy())], index=scores.index)


def program_scores(programs: pd.DataFrame) -> pd.DataFrame:
    """Per assessed programme: the eight scores, the overall mean, the weakest domain(s), the date assessed.

    A programme with no score at all is left out. The overall score is the mean of the domains scored.

    Examples
    --------
    Worked by hand: seven domains at 5 and funding stability at 2: overall (7 x 5 + 2) / 8 = 4.625, weakest
    "Funding stability", not a capacity risk (4.625 ≥ 4).

    >>> row = {c: 5.0 for c in PSAT_DOMAINS} | {"psat_funding_stability": 2.0}
    >>> pr = pd.DataFrame([{"program_id": "a", "area_id": 1, "psat_assessed": "2025-10-01", **row},
    ...                    {"program_id": "b", "area_id": 1, "psat_assessed": None}])
    >>> s = program_scores(pr)
    >>> s[["program_id", "overall", "weakest", "capacity_risk"]].values.tolist()
    [['a', 4.625, 'Funding stability', False]]
    """
    present = [c for c in PSAT_DOMAINS if c in programs]
    scores = programs.reindex(columns=list(PSAT_DOMAINS)).apply(pd.to_numeric, errors="coerce").astype(float)
    assessed = scores.notna().any(axis=1) if present else pd.Series(False, index=programs.index)
    out = programs.loc[assessed, ["program_id", "area_id"]].copy()
    s = scores.loc[assessed]
    out[list(PSAT_DOMAINS)] = s.to_numpy()
    out["overall"] = s.mean(axis=1).to_numpy()
    out["weakest"] = _weakest(s).to_numpy()
    out["weakest_score"] = s.min(axis=1).to_numpy()
    out["assessed"] = programs.loc[assessed, "psat_assessed"].to_numpy() if "psat_assessed" in programs else None
    out["capacity_risk"] = (out["overall"] < LOW_CAPACITY).to_numpy(dtype=bool)
    return out.reset_index(drop=True)


def area_scores(scores: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Per area with an assessed programme: how many, the mean of each domain, the overall mean, the weakest domain.

    Examples
    --------
    >>> sc = pd.DataFrame({"area_id": [1, 1], **{c: [4.0, 6.0] for c in PSAT_DOMAINS}, "overall": [4.0, 6.0],
    ...                    "capacity_risk": [False, False]})
    >>> sc["psat_communications"] = [2.0, 3.0]
    >>> a = area_scores(sc, pd.DataFrame({"area_id": [1, 2], "name": ["A", "B"]}))
    >>> a[["name", "assessed", "psat_communications", "weakest"]].values.tolist()
    [['A', 2, 2.5, 'Communications']]
    """
    domains = list(PSAT_DOMAINS)
    g = scores.groupby("area_id")
    means = g[domains].mean()
    out = areas[["area_id", "name"]].merge(means, left_on="area_id", right_index=True, how="inner")
    out.insert(2, "assessed", out["area_id"].map(g.size()).astype(int).to_numpy())
    out["overall"] = out[domains].mean(axis=1)
    out["weakest"] = _weakest(out[domains]).to_numpy()
    out["capacity_risk_programmes"] = out["area_id"].map(g["capacity_risk"].sum()).astype(int).to_numpy()
    return out.sort_values(["overall", "name"]).reset_index(drop=True)


def money_and_capacity(scores: pd.DataFrame, money: pd.DataFrame) -> pd.DataFrame:
    """The assessed programmes with their funding runway and concentration, and both risks flagged.

    ``money``: :func:`core.analysis.funding.program_metrics` (program_id, runway_months, hhi, at_risk,
    concentrated).

    Examples
    --------
    >>> sc = pd.DataFrame({"program_id": ["a", "b"], "overall": [3.5, 5.0], "capacity_risk": [True, False]})
    >>> mo = pd.DataFrame({"program_id": ["a", "b"], "runway_months": [6, 30], "hhi": [0.3, 0.5],
    ...                    "at_risk": [True, False], "concentrated": [True, True]})
    >>> money_and_capacity(sc, mo)[["program_id", "money_risk", "both"]].values.tolist()
    [['a', True, True], ['b', True, False]]
    """
    m = money.set_index("program_id")
    out = scores.copy()
    for column in ("runway_months", "hhi"):
        out[column] = out["program_id"].map(m[column]).astype(float).to_numpy()
    at_risk = out["program_id"].map(m["at_risk"]).fillna(False).astype(bool)
    concentrated = out["program_id"].map(m["concentrated"]).fillna(False).astype(bool)
    out["money_risk"] = (at_risk | concentrated).to_numpy()
    out["both"] = (out["money_risk"] & out["capacity_risk"]).to_numpy()
    return out
