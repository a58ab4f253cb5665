"""Need index by the CDC/ATSDR SVI method: indicator percentiles, domain means re-ranked, weighted overall rank."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.base.percentile import percentile_rank

#: The domains that make up the index, in display order. Other domains (e.g. demographic) are ignored.
DOMAINS: tuple[str, ...] = ("need", "vulnerability", "barrier")

_TIE_DECIMALS = 12

DOMAIN_LABELS: dict[str, str] = {
    "need": "mental-health need",
    "vulnerability": "social vulnerability",
    "barrier": "barriers to access",
}


@dataclass(frozen=True)
class NeedIndex:
    """Every step of the need index, one row per area.

    Attributes
    ----------
    indicator_pct : DataFrame
        Area x indicator percentile ranks, oriented so that higher always means more need.
    domain_mean : DataFrame
        Area x domain mean of the indicator percentiles the area has.
    domain_rank : DataFrame
        Area x domain percentile rank of ``domain_mean``.
    score : Series
        Weighted sum of the domain ranks (weights renormalised over the domains the area has).
    index : Series
        The overall need index: the percentile rank of ``score``.
    missing : Series
        For each area, the list of index indicators it has no value for.
    flagged : Series
        True where ``missing`` is not empty: the area was ranked on fewer indicators than the others.
    weights : dict
        Domain weights in force, normalised to sum to 1.
    labels : dict
        Indicator id to plain-language label, for explanations.
    domains : dict
        Indicator id to domain.
    """

    indicator_pct: pd.DataFrame
    domain_mean: pd.DataFrame
    domain_rank: pd.DataFrame
    score: pd.Series
    index: pd.Series
    missing: pd.Series
    flagged: pd.Series
    weights: dict[str, float]
    labels: dict[str, str] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """One flat row per area for tables and downloads: index, domain ranks, flags, indicator percentiles."""
        out = pd.DataFrame({"need_index": self.index, "flagged": self.flagged})
        for d in self.domain_rank.columns:
            out[f"{d}_rank"] = self.domain_rank[d]
        out["missing"] = self.missing.map(lambda ids: ", ".join(ids))
        for ind in self.indicator_pct.columns:
            out[f"{ind}_pct"] = self.indicator_pct[ind]
        return out


def _normalise_weights(weights: dict[str, float] | None) -> dict[str, float]:
    if weights is None:
        return {d: 1.0 / len(DOMAINS) for d in DOMAINS}
    unknown = set(weights) - set(DOMAINS)
    if unknown:
        raise ValueError(f"unknown need-index domain(s) {sorted(unknown)}; expected some of {list(DOMAINS)}")
    w = {d: float(weights.get(d, 0.0)) for d in DOMAINS}
    for d, v in w.items():
        if not math.isfinite(v) or v < 0:
            raise ValueError(f"weight for domain {d!r} must be a finite number >= 0, got {weights.get(d)!r}")
    total = sum(w.values())
    if total == 0:
        raise ValueError("at least one need-index domain needs a weight above 0")
    return {d: v / total for d, v in w.items()}


def _tidy_defs(defs: pd.DataFrame) -> pd.DataFrame:
    d = defs.reset_index() if "indicator_id" not in defs.columns else defs
    missing_cols = {"indicator_id", "higher_is", "domain"} - set(d.columns)
    if missing_cols:
        raise ValueError(f"indicator definitions lack column(s) {sorted(missing_cols)}")
    d = d.drop_duplicates("indicator_id").set_index("indicator_id")
    if "label" not in d.columns:
        d = d.assign(label=d.index.astype(str))
    return d


def need_index(values: pd.DataFrame, defs: pd.DataFrame, weights: dict[str, float] | None = None) -> NeedIndex:
    """Compute the need index of every area from its indicator values.

    Each index indicator (one whose ``domain`` is need, vulnerability or barrier) is percentile-ranked
    across the areas that have it, flipped where ``higher_is == 'better'``. The percentiles are averaged
    within each domain over the indicators the area has, each domain mean is ranked again, and the
    overall index is the percentile rank of the weighted sum of the domain ranks. An area that lacks a
    whole domain is scored on the other domains with their weights renormalised, so that it is not
    pushed down by a zero. An area missing any index indicator, including one absent from ``values``
    altogether, is flagged.

    A ``'better'`` indicator is ranked on its negated value rather than as ``1 - percentile``, so ties
    still take the lowest rank on the oriented scale.

    Parameters
    ----------
    values : DataFrame
        Index area_id, one column per indicator_id, raw values (NaN where unknown).
    defs : DataFrame
        Columns indicator_id (or the index), label, higher_is ('worse' or 'better'), domain.
    weights : dict, optional
        Domain to weight (>= 0). Domains not named get 0. Default: equal weights on the three domains.

    Returns
    -------
    NeedIndex

    Raises
    ------
    ValueError
        For a column not in ``defs``, an index indicator whose ``higher_is`` is not worse/better, or bad weights.

    Examples
    --------
    >>> values = pd.DataFrame({"unmet_need": [1.0, 2.0, 3.0], "svi": [3.0, 2.0, 1.0],
    ...                        "poverty": [1.0, 3.0, 2.0]}, index=["a", "b", "c"])
    >>> defs = pd.DataFrame({"indicator_id": ["unmet_need", "svi", "poverty"],
    ...                      "label": ["Unmet need", "SVI", "Poverty"],
    ...                      "higher_is": ["worse", "worse", "worse"],
    ...                      "domain": ["need", "vulnerability", "barrier"]})
    >>> need_index(values, defs).index.tolist()
    [0.0, 1.0, 0.5]
    """
    w = _normalise_weights(weights)
    d = _tidy_defs(defs)

    unknown = [c for c in values.columns if c not in d.index]
    if unknown:
        raise ValueError(f"indicator(s) {unknown} have no definition in indicator_def")

    index_defs = d[d["domain"].isin(DOMAINS)]
    bad = index_defs[~index_defs["higher_is"].isin(["worse", "better"])]
    if len(bad):
        raise ValueError(
            f"indicator(s) {list(bad.index)} are in a need-index domain but higher_is is not 'worse' or 'better'"
        )

    expected = list(index_defs.index)
    raw = values.reindex(columns=expected).apply(pd.to_numeric).astype(float)
    sign = np.where(index_defs.loc[expected, "higher_is"].to_numpy() == "better", -1.0, 1.0)
    pct = percentile_rank(raw * sign)

    domain_mean = pd.DataFrame(index=values.index, columns=list(DOMAINS), dtype=float)
    for dom in DOMAINS:
        cols = [c for c in expected if index_defs.at[c, "domain"] == dom]
        # mean(skipna) over an area's available indicators is the "ranked on those it has" rule.
        domain_mean[dom] = pct[cols].mean(axis=1) if cols else np.nan
    # Means and weighted sums of equal ranks can differ in the last bit depending on the order of
    # addition; rounding keeps genuine ties tied before they are ranked again.
    domain_mean = domain_mean.round(_TIE_DECIMALS)
    domain_rank = percentile_rank(domain_mean)

    wv = np.array([w[dom] for dom in DOMAINS])
    r = domain_rank.to_numpy()
    have = ~np.isnan(r)
    weight_have = (have * wv).sum(axis=1)
    weighted = np.where(have, r, 0.0) @ wv
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(weight_have > 0, weighted / weight_have, np.nan)
    score = pd.Series(score, index=values.index, name="score").round(_TIE_DECIMALS)
    overall = percentile_rank(score).rename("need_index")

    isna = raw.isna()
    missing = pd.Series([list(isna.columns[row]) for row in isna.to_numpy()], index=values.index, name="missing")
    flagged = isna.any(axis=1).rename("flagged")

    labels = {k: (str(v) if isinstance(v, str) and v else k) for k, v in index_defs["label"].items()}
    return NeedIndex(
        indicator_pct=pct,
        domain_mean=domain_mean,
        domain_rank=domain_rank,
        score=score,
        index=overall,
        missing=missing,
        flagged=flagged,
        weights=w,
        labels=labels,
        domains={k: str(v) for k, v in index_defs["domain"].items()},
    )


def _ordinal(p: float) -> str:
    n = round(100 * p)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _band(p: float) -> str:
    if p >= 0.9:
        return "top 10%"
    if p >= 0.75:
        return "top quarter"
    if p >= 0.5:
        return "upper half"
    if p < 0.1:
        return "bottom 10%"
    if p < 0.25:
        return "bottom quarter"
    return "lower half"


def _mid_sentence(label: str) -> str:
    # Lower-case "Suicide rate" but leave "SVI" or "WEMWBS score" alone.
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def explain(result: NeedIndex, area_id, top: int = 3) -> str:
    """A plain-language sentence on where an area ranks and which indicators put it there.

    For an area in the upper half the drivers are its highest indicator percentiles; for one in the
    lower half, its lowest. Only domains with a weight above zero are considered. Missing indicators
    are named.

    Parameters
    ----------
    result : NeedIndex
    area_id : the area's id, as in ``result.index``
    top : int
        How many indicators to name.

    Returns
    -------
    str

    Examples
    --------
    >>> values = pd.DataFrame({"suicide_rate": [1.0, 2.0, 3.0]}, index=["a", "b", "c"])
    >>> defs = pd.DataFrame({"indicator_id": ["suicide_rate"], "label": ["Suicide rate"],
    ...                      "higher_is": ["worse"], "domain": ["need"]})
    >>> explain(need_index(values, defs, {"need": 1}), "c")
    'Ranks in the top 10% overall (100th percentile of 3 areas), driven by suicide rate (100th percentile).'
    """
    if area_id not in result.index.index:
        raise KeyError(f"no area {area_id!r} in the need index")
    p = result.index.loc[area_id]
    missing = result.missing.loc[area_id]
    missing_txt = ""
    if missing:
        names = [_mid_sentence(result.labels.get(m, m)) for m in missing]
        missing_txt = f" Ranked without {_join(names)}, which {'has' if len(names) == 1 else 'have'} no value here."
    if pd.isna(p):
        return "No need index: none of its weighted indicators has a value." + missing_txt

    n = int(result.index.notna().sum())
    used_domains = [dom for dom in DOMAINS if result.weights.get(dom, 0) > 0]
    ranks = result.domain_rank.loc[area_id, used_domains].dropna()
    high = p >= 0.5
    head = f"Ranks in the {_band(p)} overall ({_ordinal(p)} percentile of {n} areas)"
    if len(ranks) > 1:
        dom = ranks.idxmax() if high else ranks.idxmin()
        head += f", {'highest' if high else 'lowest'} for {DOMAIN_LABELS[dom]} ({_ordinal(ranks[dom])})"

    ind = result.indicator_pct.loc[area_id]
    ind = ind[[c for c in ind.index if result.domains.get(c) in used_domains]].dropna()
    ind = ind.sort_values(ascending=not high, kind="stable").head(top)
    parts = []
    for i, (ind_id, v) in enumerate(ind.items()):
        label = _mid_sentence(result.labels.get(ind_id, ind_id))
        parts.append(f"{label} ({_ordinal(v)}{' percentile' if i == 0 else ''})")
    if parts:
        head += f", {'driven by' if high else 'kept low by'} {_join(parts)}"
    return head + "." + missing_txt
