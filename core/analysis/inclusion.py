"""Inclusion: who the programmes reach against who lives around them, language access, step-free and after-hours provision.

**Disparity** (the Urban Institute Spatial Equity Data Tool's idea, DESIGN §3 "Inclusivity"). For each
programme and each group, over the latest quarters (default 4): ``k`` is the sum of the group's quarterly
counts and ``n`` the participants of the quarters that recorded the group. The participants' share is
``k / n`` with a Wilson 95% interval; the disparity is that share minus the share of residents in the
programme's catchment, and its interval is the Wilson interval shifted by the same resident share (the
resident share is a published estimate, taken as fixed). A positive disparity means the programme reaches
the group more than its neighbourhood would suggest.

**Catchment.** The tracts within ``d0`` minutes' walk of the programme (straight-line x 1.3 at 4.8 km/h,
DESIGN §3 "Travel cost"); each tract takes its area's declared share, weighted by tract population. A
programme with no tract centroid in reach uses its own area's share. For the area roll-up, the area's own
residents are the comparison.

**Declared shares only.** A group is compared with residents only where the city pack declares that group's
resident share (:data:`GROUPS`: the indicator it comes from). A share that is not declared is never guessed:
the comparison is left out and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.analysis.intervals import wilson
from core.analysis.quarter_window import window
from core.analysis.share_disclosure import share_publishable
from core.analysis.travel import pairs_within_haversine

DEFAULT_D0 = 30.0


@dataclass(frozen=True)
class Group:
    """A participant group: its count column, label, and the indicator that declares its resident share."""

    key: str
    column: str
    label: str
    indicator: str
    complement: bool = False  # the indicator declares everyone else's share (non-Hispanic White → people of colour)


GROUPS: tuple[Group, ...] = (
    Group("65plus", "participants_65plus", "Aged 65+", "share_65plus"),
    Group("limited_english", "participants_limited_english", "Limited English", "limited_english"),
    Group("disability", "participants_disability", "Disability", "disability"),
    Group("low_income", "participants_low_income", "Low income", "poverty"),
    Group("poc", "participants_poc", "People of colour", "race_white", complement=True),
)
GROUP_BY_KEY = {g.key: g for g in GROUPS}

STATUS_WORDS = {"shown": "shown", "small": "<11", "not recorded": "not recorded",
                "no resident share": "no resident share declared"}


def resident_shares(indicators: pd.DataFrame, area_ids) -> pd.DataFrame:
    """Each area's declared resident share (0-1) of each group, NaN where the data declares none.

    ``indicators`` is long: area_id, indicator_id, value (percent). A complement group (people of colour)
    is 100% minus its declared indicator, and only where that indicator is declared.

    Examples
    --------
    >>> ind = pd.DataFrame({"area_id": [1, 1, 2], "indicator_id": ["share_65plus", "race_white", "share_65plus"],
    ...                     "value": [12.0, 30.0, 20.0]})
    >>> resident_shares(ind, [1, 2])[["65plus", "poc", "disability"]].round(2).values.tolist()
    [[0.12, 0.7, nan], [0.2, nan, nan]]
    """
    ids = pd.Index(area_ids, name="area_id")
    out = pd.DataFrame(index=ids)
    wide = indicators.pivot_table(index="area_id", columns="indicator_id", values="value", aggfunc="first")
    for g in GROUPS:
        if g.indicator in wide.columns:
            share = wide[g.indicator].reindex(ids) / 100
            out[g.key] = (1 - share) if g.complement else share
        else:
            out[g.key] = np.nan
    return out.astype(float)


def catchment_shares(programs: pd.DataFrame, tracts: pd.DataFrame, area_shares: pd.DataFrame,
                     d0: float = DEFAULT_D0) -> pd.DataFrame:
    """Per programme (indexed by program_id), the resident share of each group within ``d0`` minutes.

    ``programs``: program_id, area_id, lon, lat. ``tracts``: area_id, population, lon, lat. ``area_shares``:
    :func:`resident_shares`. Tracts whose area declares no share for a group are left out of that group's
    mean; with none left the share is NaN.
    """
    pairs = pairs_within_haversine(tracts["lon"], tracts["lat"], programs["lon"], programs["lat"], d0)
    pop = tracts["population"].to_numpy(dtype=float)
    own = area_shares.reindex(programs["area_id"].to_numpy())
    reached = np.bincount(pairs.j, minlength=len(programs)) > 0
    out = pd.DataFrame(index=pd.Index(programs["program_id"], name="program_id"))
    for g in GROUPS:
        s = area_shares[g.key].reindex(tracts["area_id"].to_numpy()).to_numpy(dtype=float)
        known = ~np.isnan(s)
        w = np.where(known, pop, 0.0)[pairs.i]
        num = np.bincount(pairs.j, weights=w * np.nan_to_num(s)[pairs.i], minlength=len(programs))
        den = np.bincount(pairs.j, weights=w, minlength=len(programs))
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(den > 0, num / den, np.nan)
        out[g.key] = np.where(reached, share, own[g.key].to_numpy(dtype=float))
    return out


def group_counts(periods: pd.DataFrame, quarters: int = 4) -> pd.DataFrame:
    """Per programme and group over the window: ``k`` (group members) and ``n`` (participants of the quarters
    that recorded the group). A group no quarter recorded has ``k`` and ``n`` NaN.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a", "a"], "period": ["2025Q1", "2025Q2"], "participants": [20, 30],
    ...                   "participants_65plus": [5, None]})
    >>> group_counts(p)[["group", "k", "n"]].values.tolist()[0]
    ['65plus', 5.0, 20.0]
    """
    rows, _, _ = window(periods, quarters)
    participants = pd.to_numeric(rows["participants"], errors="coerce").to_numpy(dtype=float)
    # Plain sums per programme (bincount), not a pandas group-by: this runs on every filter change and brief.
    program, ids = pd.factorize(rows["program_id"], sort=True)

    def total(values):   # per programme; NaN where no row has a value (a group-by sum with min_count=1)
        have = ~np.isnan(values)
        sums = np.bincount(program, weights=np.where(have, values, 0.0), minlength=len(ids))
        return np.where(np.bincount(program, weights=have, minlength=len(ids)) > 0, sums, np.nan)

    k_sums, n_sums = [], []
    for g in GROUPS:
        k = (pd.to_numeric(rows[g.column], errors="coerce").to_numpy(dtype=float) if g.column in rows
             else np.full(len(rows), np.nan))
        k_sums.append(total(k))
        n_sums.append(total(np.where(np.isnan(k), np.nan, participants)))  # only the quarters that recorded it
    return pd.DataFrame({"program_id": np.tile(np.asarray(ids, dtype=object), len(GROUPS)),
                         "group": np.repeat([g.key for g in GROUPS], len(ids)).astype(object),
                         "k": np.concatenate(k_sums), "n": np.concatenate(n_sums)})


def disparity(k, n, resident) -> pd.DataFrame:
    """Share k/n with a Wilson 95% interval, minus the resident share, and whether it may be published.

    ``status`` is ``'shown'``; ``'small'`` (a count of 1-10 would be shown or recoverable: no share, no
    interval); ``'not recorded'`` (no quarter recorded the group); or ``'no resident share'`` (the data
    declares none, so the share is shown but no disparity).

    Examples
    --------
    Worked by hand: k = 12 of n = 40 is 30%; with z² = 3.8416 the Wilson centre is (0.3 + 0.0480) / 1.0960
    = 0.3175 and the half-width 1.96 x sqrt(0.00525 + 0.00060) / 1.0960 = 0.1368, so 18.1% to 45.4%; against
    20% of residents the disparity is +10.0 points (−1.9 to +25.4).

    >>> d = disparity([12], [40], [0.20]).round(3)
    >>> d[["share", "lo", "hi", "gap", "gap_lo", "gap_hi"]].values.tolist()[0]
    [0.3, 0.181, 0.454, 0.1, -0.019, 0.254]
    >>> disparity([5, 12], [40, 40], [0.2, np.nan])["status"].tolist()
    ['small', 'no resident share']
    """
    k, n, r = (np.asarray(x, dtype=float) for x in np.broadcast_arrays(k, n, resident))
    lo, hi = wilson(k, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 0, k / n, np.nan)
    ok = share_publishable(k, n)
    status = np.select([np.isnan(n) | (n == 0), ~ok, np.isnan(r)], ["not recorded", "small", "no resident share"],
                       "shown")
    out = pd.DataFrame({"k": k, "n": n, "share": share, "lo": lo, "hi": hi, "resident_share": r,
                        "gap": share - r, "gap_lo": lo - r, "gap_hi": hi - r, "status": status})
    hidden = ~ok
    out.loc[hidden, ["share", "lo", "hi", "gap", "gap_lo", "gap_hi"]] = np.nan
    return out


def program_disparities(programs: pd.DataFrame, periods: pd.DataFrame, tracts: pd.DataFrame,
                        area_shares: pd.DataFrame, quarters: int = 4, d0: float = DEFAULT_D0,
                        catchments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long table, one row per programme and group: :func:`disparity` against the programme's catchment.

    ``catchments`` is :func:`catchment_shares` if the caller has it already (it depends on no filter).
    """
    counts = group_counts(periods, quarters)
    catch = catchment_shares(programs, tracts, area_shares, d0) if catchments is None else catchments
    resident = catch.stack().reindex(pd.MultiIndex.from_arrays([counts["program_id"], counts["group"]])).to_numpy(
        dtype=float) if len(counts) else np.zeros(0)
    d = disparity(counts["k"], counts["n"], resident)
    return pd.concat([counts[["program_id", "group"]].reset_index(drop=True), d], axis=1)


def area_disparities(programs: pd.DataFrame, periods: pd.DataFrame, area_shares: pd.DataFrame,
                     quarters: int = 4) -> pd.DataFrame:
    """Long table, one row per area with programmes and group: the area's programmes pooled, against its residents."""
    counts = group_counts(periods, quarters)
    counts["area_id"] = counts["program_id"].map(programs.set_index("program_id")["area_id"])
    pooled = counts.groupby(["area_id", "group"], sort=True)[["k", "n"]].sum(min_count=1).reset_index()
    resident = area_shares.stack(future_stack=True).reindex(
        pd.MultiIndex.from_arrays([pooled["area_id"], pooled["group"]])).to_numpy(dtype=float)
    d = disparity(pooled["k"], pooled["n"], resident)
    return pd.concat([pooled[["area_id", "group"]], d.drop(columns=["k", "n"])], axis=1).assign(
        k=pooled["k"].to_numpy(), n=pooled["n"].to_numpy())


def language_reach(programs: pd.DataFrame, tracts: pd.DataFrame, area_languages: pd.DataFrame,
                   d0: float = DEFAULT_D0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Speakers of each non-English language within ``d0`` of a programme offered in that language.

    An area's speakers of a language (``area_languages``: area_id, language, speakers) are spread over its
    tracts by population. Returns ``(by_language, by_area)``: speakers, speakers in reach and the share, per
    language (largest first) and per area (all non-English languages together). English is left out: the
    question is whether people with limited English can take part in their own language. Grouped categories
    such as 'other slavic' name no one language and are left out.

    Examples
    --------
    Two tracts of 100 people in area 1, one programme beside tract 0 offering Polish: 40 Polish speakers
    in the area, half of them (20) in tract 0's reach; the 10 Spanish speakers have no programme.

    >>> tr = pd.DataFrame({"area_id": [1, 1], "population": [100, 100], "lon": [-87.60, -87.90],
    ...                    "lat": [41.80, 41.80]})
    >>> pr = pd.DataFrame({"lon": [-87.60], "lat": [41.80], "languages": ["english;polish"]})
    >>> la = pd.DataFrame({"area_id": [1, 1], "language": ["polish", "spanish"], "speakers": [40.0, 10.0]})
    >>> by_lang, by_area = language_reach(pr, tr, la)
    >>> by_lang[["language", "speakers", "in_reach"]].values.tolist()
    [['polish', 40.0, 20.0], ['spanish', 10.0, 0.0]]
    >>> by_area[["speakers", "in_reach", "share"]].values.tolist()
    [[50.0, 20.0, 0.4]]
    """
    name = area_languages["language"].astype(str).str.lower()
    # Grouped census categories ('other slavic', 'african languages', 'unspecified') name no language a programme
    # could be offered in, so only languages named one by one are counted.
    named = ~(name.str.startswith("other") | name.str.contains("languages") | name.eq("unspecified"))
    langs = area_languages.loc[named & (name != "english") & (area_languages["speakers"] > 0)]
    pop = tracts["population"].to_numpy(dtype=float)
    area_pop = pd.Series(pop).groupby(tracts["area_id"].to_numpy()).sum()
    weight = pop / tracts["area_id"].map(area_pop).replace(0, np.nan).to_numpy(dtype=float)
    pairs = pairs_within_haversine(tracts["lon"], tracts["lat"], programs["lon"], programs["lat"], d0)
    offered = programs["languages"].fillna("").str.split(";").map(set)
    area_of = tracts["area_id"].to_numpy()
    rows = []
    for language, group in langs.groupby("language", sort=True):
        speakers = pd.Series(group["speakers"].to_numpy(float), index=group["area_id"].to_numpy())
        tract_speakers = np.nan_to_num(pd.Series(area_of).map(speakers).to_numpy(dtype=float) * weight)
        offers = offered.map(lambda s, lang=language: lang in s).to_numpy(dtype=bool)
        ok = offers[pairs.j]
        reached = np.bincount(pairs.i[ok], minlength=len(tracts)) > 0
        rows.append(pd.DataFrame({"language": language, "area_id": area_of, "speakers": tract_speakers,
                                  "in_reach": tract_speakers * reached}))
    if not rows:
        empty = pd.DataFrame(columns=["speakers", "in_reach", "share"])
        return empty.assign(language=pd.Series(dtype=object)), empty.assign(area_id=pd.Series(dtype=object))
    long = pd.concat(rows, ignore_index=True)
    # Every speaker is kept: an area whose tracts are missing still counts its speakers, out of reach.
    placed = long.groupby(["language", "area_id"])["speakers"].sum()
    declared = langs.set_index(["language", "area_id"])["speakers"]
    lost = (declared - placed.reindex(declared.index).fillna(0)).clip(lower=0)
    long = pd.concat([long, lost[lost > 1e-9].rename("speakers").reset_index().assign(in_reach=0.0)],
                     ignore_index=True)

    def rollup(key: str) -> pd.DataFrame:
        t = long.groupby(key, sort=True)[["speakers", "in_reach"]].sum().reset_index()
        t["share"] = np.where(t["speakers"] > 0, t["in_reach"] / t["speakers"], np.nan)
        return t

    by_language = rollup("language").sort_values(["speakers", "language"], ascending=[False, True])
    return by_language.reset_index(drop=True), rollup("area_id")


def provision(programs: pd.DataFrame, areas: pd.DataFrame, area_shares: pd.DataFrame) -> pd.DataFrame:
    """Per area: weekly places, the step-free and the evening-or-weekend ones, against the residents who need them.

    ``areas``: area_id, name, population and optionally ``need`` (a 0-1 need percentile). Step-free places
    are set against disabled residents (population x the declared disability share; NaN where none is
    declared); evening-or-weekend places against all residents, since working people and carers need them.
    Places are capacity, not people, so nothing here needs suppressing.

    Examples
    --------
    >>> pr = pd.DataFrame({"area_id": [1, 1], "weekly_capacity": [20.0, 10.0], "step_free": [True, False],
    ...                    "evening": [False, False], "weekend": [True, False], "type": ["workshop"] * 2})
    >>> ar = pd.DataFrame({"area_id": [1], "name": ["A"], "population": [10000.0]})
    >>> sh = pd.DataFrame({"disability": [0.1]}, index=pd.Index([1], name="area_id"))
    >>> provision(pr, ar, sh)[["places", "step_free_places", "step_free_per_1000_disabled",
    ...                        "after_hours_per_1000"]].values.tolist()
    [[30.0, 20.0, 20.0, 2.0]]
    """
    cap = programs["weekly_capacity"].to_numpy(dtype=float)
    after = (programs["evening"].astype(bool) | programs["weekend"].astype(bool)).to_numpy()
    frame = pd.DataFrame({"area_id": programs["area_id"].to_numpy(), "places": cap,
                          "step_free_places": cap * programs["step_free"].astype(bool).to_numpy(),
                          "after_hours_places": cap * after, "programmes": 1})
    sums = frame.groupby("area_id").sum()
    out = areas.copy()
    for column in ("places", "step_free_places", "after_hours_places", "programmes"):
        out[column] = out["area_id"].map(sums[column]).fillna(0).astype(float).to_numpy()
    disability = out["area_id"].map(area_shares["disability"]) if "disability" in area_shares else np.nan
    out["disabled_residents"] = out["population"] * disability
    with np.errstate(invalid="ignore", divide="ignore"):
        out["step_free_share"] = np.where(out["places"] > 0, out["step_free_places"] / out["places"], np.nan)
        out["after_hours_share"] = np.where(out["places"] > 0, out["after_hours_places"] / out["places"], np.nan)
        out["step_free_per_1000_disabled"] = np.where(out["disabled_residents"] > 0, out["step_free_places"] * 1000
                                                      / out["disabled_residents"], np.nan)
        out["after_hours_per_1000"] = np.where(out["population"] > 0, out["after_hours_places"] * 1000
                                               / out["population"], np.nan)
    return out
