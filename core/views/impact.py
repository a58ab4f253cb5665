"""What the Impact page shows: participation by area, outcome changes with intervals, trends; small numbers hidden."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pydeck as pdk

from core.analysis import disclosure, impact, reach_counts
from core.analysis.coverage import TYPE_LABELS
from core.analysis.funding import VOLUNTEER_HOUR_VALUE_USD
from core.analysis.suppression import (COMPLEMENTARY, SUPPRESSED, TOTAL_LABEL, is_small, protect_table, safe_csv,
                                      suppress_counts)
from core.base import population
from core.base.formatting import number
from core.base.palettes import NO_DATA
from core.store import queries
from core.views import maps, reach_protection, url_state
from core.views.funding import active_programs

QUARTER_CHOICES = (1, 2, 4, 8)
DEFAULT_QUARTERS = 4
POPULATION_LABELS = {"general": "General public", "older_adults": "Older adults", "youth": "Young people",
                     "veterans": "Veterans", "black": "Black residents", "caregivers": "Carers",
                     "latino": "Latino residents",
                     "lgbtq": "LGBTQ+ people", "asian": "Asian residents", "bereaved": "Bereaved people",
                     "new_parents": "New parents"}

PEOPLE_COLUMNS = ("Participants", "n (pre/post)", "Outcome n")
"""Display columns that count people: downloads pass them to :func:`core.analysis.suppression.safe_csv`."""

HELP = {
    "participants": ("Participants: the programmes' quarterly participant counts summed over the window, so someone "
                     "taking part in three quarters counts three times. Per 1,000: that sum per 1,000 residents of "
                     "the area where the programmes meet."),
    "suppression": ("Small numbers: an area with 1–10 participants shows '<11', and where that would leave a single "
                    "hidden cell the next-smallest area is hidden too ('suppressed'); rates built on a hidden count "
                    "are hidden with it, and the total is the total of the shown cells only. This table, the "
                    "programme outcomes and the quarterly trends are protected together: where one could be set "
                    "against another to narrow a hidden count, a further cell is hidden ('suppressed')."),
    "outcome": ("Outcome change: the mean pre/post change on the programme's own scale (SWEMWBS: higher = better "
                "wellbeing; UCLA-3: lower = less lonely), pooling the window's quarters that use its latest scale, "
                "with a Student's t 95% interval. Shown only where n ≥ 11."),
    "cost": "Cost per participant: the cost of the quarters reporting a cost divided by their participants.",
}


def type_label(code: str) -> str:
    return TYPE_LABELS.get(code, str(code).replace("_", " ").capitalize())


def population_label(code: str) -> str:
    return POPULATION_LABELS.get(code, str(code).replace("_", " ").capitalize())


# --- publishing tables that hold hidden cells ---------------------------------------------------------------

_HIDDEN_WORDS = (SUPPRESSED, COMPLEMENTARY)


def _decimals(values: pd.Series) -> int:
    """The fewest decimals (0-3) that show every value as it was rounded."""
    v = values.dropna().to_numpy(dtype=float)
    for d in range(3):
        if np.allclose(v, np.round(v, d), rtol=0, atol=1e-9):
            return d
    return 3


def styled(table: pd.DataFrame):
    """A table for ``st.dataframe`` whose hidden cells read "<11" / "suppressed" yet whose columns stay numeric.

    A column mixing numbers with those words becomes numeric with the hidden cells empty (so the hidden
    value never reaches the browser, not even as data), and the returned Styler writes the word in each
    such cell. Numeric columns keep their sort order; every number is shown with thousands separators
    and the decimals it was rounded to.

    Examples
    --------
    >>> s = styled(pd.DataFrame({"Area": ["A", "B"], "Participants": [40, "<11"]}))
    >>> s.data["Participants"].tolist()
    [40.0, nan]
    >>> "<11" in s.to_html() and ">40<" in s.to_html()
    True
    """
    data = table.copy()
    words: dict[str, pd.Series] = {}
    for column in data.columns:
        values = data[column]
        if values.dtype != object:
            continue
        is_word = values.map(lambda v: isinstance(v, str) and v in _HIDDEN_WORDS).astype(bool)
        numeric = pd.to_numeric(values.where(~is_word), errors="coerce")
        if is_word.any() and (numeric.notna() | is_word | values.isna()).all():
            data[column] = numeric.astype(float)
            words[column] = values.where(is_word)
        elif (numeric.notna() | values.isna()).all() and values.notna().any():
            data[column] = numeric.astype(float)
    formats = {c: f"{{:,.{_decimals(data[c])}f}}" for c in data.columns
               if pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])}
    styler = data.style.format(formats, na_rep="")
    for column, cells in words.items():
        for word in _HIDDEN_WORDS:
            rows = data.index[(cells == word).to_numpy()]
            if len(rows):
                styler = styler.format(lambda _, w=word: w, subset=pd.IndexSlice[rows, [column]])
    return styler


# --- data and the URL --------------------------------------------------------------------------------------------


@dataclass
class ImpactData:
    """The tables the Impact views start from."""

    programs: pd.DataFrame
    periods: pd.DataFrame
    areas: pd.DataFrame        # area_id, name, population, share_65plus, share_limited_english (0-1)
    types: list[str]
    populations: list[str]
    measures: list[str]
    quarters: list[str]        # every quarter in the data, in order
    as_of: object = None       # the build's as-of date: which programmes Inclusion lists (None: no cross-page set)
    prepared: impact.Prepared = field(init=False, repr=False)
    # The inventory's digest and the Inclusion totals, once computed: a memo (so not part of the data proper)
    protected: dict = field(init=False, repr=False, default_factory=dict, metadata={"memo": True})

    def __post_init__(self) -> None:
        # Built with the data, so a cached ImpactData carries it and no filter change rebuilds it.
        self.prepared = impact.prepare(self.programs, self.periods, self.areas)


def impact_data(con) -> ImpactData:
    programs = queries.programs(con)
    periods = queries.program_periods(con)
    areas = queries.areas(con)[["area_id", "name", "population"]]
    ind = queries.latest_indicators(con, ["share_65plus", "limited_english"])
    shares = ind.pivot(index="area_id", columns="indicator_id", values="value") / 100
    areas = areas.assign(share_65plus=areas["area_id"].map(shares.get("share_65plus", pd.Series(dtype=float))),
                         share_limited_english=areas["area_id"].map(
                             shares.get("limited_english", pd.Series(dtype=float))))
    served = programs["populations_served"].fillna("").str.split(";").explode().str.strip()
    populations = sorted(p for p in served.unique() if p)
    measures = sorted(periods["outcome_measure"].dropna().unique().tolist())
    quarters = [impact.period_label(q) for q in sorted(set(impact.period_index(periods["period"])))]
    return ImpactData(programs=programs, periods=periods, areas=areas, types=sorted(programs["type"].unique()),
                      populations=populations, measures=measures, quarters=quarters,
                      as_of=queries.build_info(con)["as_of"])


@dataclass(frozen=True)
class ImpactState:
    """The reader's choices on the Impact page; ``()`` for types or populations means every one."""

    types: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    quarters: int = DEFAULT_QUARTERS
    measure: str = ""


WIDGET_KEYS = {"types": "im_types", "populations": "im_pop", "quarters": "im_quarters", "measure": "im_measure"}
QUERY_KEYS = {"types": "types", "populations": "pop", "quarters": "quarters", "measure": "measure"}


def state_from_query(query: Mapping, types, populations, measures) -> ImpactState:
    """The choices from URL parameters, each checked against the values in the data.

    Examples
    --------
    >>> state_from_query({"types": "workshop,bogus", "quarters": "3", "measure": "UCLA-3"},
    ...                  ["workshop", "drop_in"], ["youth"], ["SWEMWBS", "UCLA-3"])
    ImpactState(types=('workshop',), populations=(), quarters=4, measure='UCLA-3')
    """
    q = QUERY_KEYS
    quarters = url_state.choice(query, q["quarters"], [str(x) for x in QUARTER_CHOICES], str(DEFAULT_QUARTERS))
    return ImpactState(
        types=url_state.choices(query, q["types"], types, ()),
        populations=url_state.choices(query, q["populations"], populations, ()),
        quarters=int(quarters),
        measure=url_state.choice(query, q["measure"], measures, measures[0] if measures else ""),
    )


def state_to_query(state: ImpactState) -> dict[str, str]:
    """The URL form of the choices.

    >>> state_to_query(ImpactState(types=("workshop",), quarters=8, measure="SWEMWBS"))
    {'types': 'workshop', 'pop': '', 'quarters': '8', 'measure': 'SWEMWBS'}
    """
    q = QUERY_KEYS
    return {q["types"]: ",".join(state.types), q["populations"]: ",".join(state.populations),
            q["quarters"]: str(int(state.quarters)), q["measure"]: state.measure}


def state_from_widgets(session: Mapping, fallback: ImpactState) -> ImpactState:
    values = {name: session[key] if key in session else getattr(fallback, name) for name, key in WIDGET_KEYS.items()}
    return ImpactState(types=tuple(values["types"]), populations=tuple(values["populations"]),
                       quarters=int(values["quarters"]), measure=str(values["measure"] or ""))


# --- the views ---------------------------------------------------------------------------------------------------


@dataclass
class ImpactViews:
    """Impact of the programmes the filters select."""

    areas: pd.DataFrame       # core.analysis.impact.area_table
    programs: pd.DataFrame    # core.analysis.impact.program_table, with area name and populations served
    trends: pd.DataFrame      # core.analysis.impact.trend_table with the chosen measure
    period: str
    quarters: int
    first_period: str
    n_programs: int
    measure: str
    # What the linked-set protection hides (core.analysis.disclosure), per row of the tables above: "" shown,
    # SUPPRESSED ("<11") or COMPLEMENTARY ("suppressed"). Keys: area (areas' participants), trend (trends'
    # participants), programme_n (programs' outcome n), trend_n (trends' outcome n).
    hidden: dict = field(default_factory=dict)


def _codes(primary: np.ndarray, secondary: np.ndarray) -> np.ndarray:
    return np.where(primary, SUPPRESSED, np.where(secondary, COMPLEMENTARY, "")).astype(object)


def protection(p: impact.Prepared, keep: np.ndarray, quarters: int, measure: str | None,
               reach: reach_counts.Fixed | None = None) -> dict:
    """What to hide so that no published count of 1-10 people can be narrowed from everything the atlas publishes.

    The area table and the quarterly trend share their participants, and the programme table and the trend their
    pre/post n: each pair is protected as one linked set (:func:`core.analysis.disclosure.protect`), after the area
    column's own rule (no column with a total holds a single hidden cell). ``reach``: the participant totals the
    Inclusion shares give away in all their states (:mod:`core.analysis.reach_counts`), in the participants' set as
    fixed cells: Impact hides what it must so that neither its hidden counts nor Inclusion's can be narrowed.
    """
    part = impact.linked_participants(p, keep, quarters)
    areas = part.values[: part.n_first]
    _, own = protect_table(pd.DataFrame({"n": areas}), ["n"], total_row=True, return_mask=True)
    also = np.concatenate([own["n"].to_numpy() & ~is_small(areas), np.zeros(len(part.values) - part.n_first, bool)])
    cells, values, fixed, targets, loose, mine = list(part.cells), part.values, None, None, None, len(part.values)
    if reach is not None and len(reach.cells):
        cells += reach.cells
        values = np.concatenate([values, reach.values])
        also = np.concatenate([also, np.zeros(len(reach.values), bool)])
        fixed = np.arange(len(values)) >= mine
        targets = np.concatenate([np.ones(mine, bool), reach.targets])
        loose = np.concatenate([np.zeros(mine, bool), reach.uncapped])
    primary, secondary = disclosure.protect(cells, values, also, fixed=fixed, targets=targets, uncapped=loose)
    codes = _codes(primary[:mine], secondary[:mine])
    n = impact.linked_outcome_n(p, keep, quarters, measure)
    n_primary, n_secondary = disclosure.protect(n.cells, n.values)
    n_codes = _codes(n_primary, n_secondary)
    return {"area": codes[: part.n_first], "trend": codes[part.n_first:], "programme_n": n_codes[: n.n_first],
            "trend_n": n_codes[n.n_first:]}


def views_of(data: ImpactData, state: ImpactState) -> ImpactViews:
    """Area, programme and quarterly impact for the chosen filters, from ``data.prepared`` in a few numpy steps."""
    if state.quarters < 1:
        raise ValueError(f"quarters must be at least 1, got {state.quarters}")
    p = data.prepared
    keep = impact.chosen(p, list(state.types) or None, list(state.populations) or None)
    hourly = VOLUNTEER_HOUR_VALUE_USD
    areas = impact.area_table(p, keep, state.quarters, hourly)
    progs = impact.program_table(p, keep, state.quarters, hourly)
    period = impact.period_label(p.end)
    for frame in (areas, progs):
        frame.attrs.update(period=period, quarters=state.quarters)
    trends = impact.trend_table(p, keep, state.measure or None)
    return ImpactViews(areas=areas, programs=progs, trends=trends, period=period, quarters=state.quarters,
                       first_period=impact.period_label(p.end - state.quarters + 1), n_programs=len(progs),
                       measure=state.measure, hidden=_protection(data, keep, state))


def _protection(data: ImpactData, keep: np.ndarray, state: ImpactState) -> dict:
    """:func:`protection`, remembered per filter choice in the process on the inventory's digest
    (:func:`core.views.reach_protection.remembered`), so that the server's warm-up (core.serve.warm_up) and every
    session share it: its audit solves linear programs (0.1 s on average, up to 1.4 s on Chicago)."""
    fixed = reach_totals(data)
    key = (reach_protection.digest_of(data), "impact", str(data.as_of), fixed is None, np.packbits(keep).tobytes(),
           len(keep), state.quarters, state.measure)
    return reach_protection.remembered(
        key, lambda: protection(data.prepared, keep, state.quarters, state.measure or None, fixed))


def protection_for(data: ImpactData, state: ImpactState) -> dict:
    """What the page hides for ``state`` (:func:`protection`, remembered): the warm-up computes common states ahead."""
    return _protection(data, impact.chosen(data.prepared, list(state.types) or None,
                                           list(state.populations) or None), state)


def reach_totals(data: ImpactData) -> reach_counts.Fixed | None:
    """The participant totals the Inclusion page gives away (None where the data has no as-of date to tell which
    programmes it lists), shared with it through :mod:`core.views.reach_protection`."""
    if data.as_of is None:
        return None
    found = data.protected.get("reach")
    if found is None:
        active = active_programs(data.programs, data.as_of)
        found = reach_protection.totals(active, data.periods, reach_protection.fingerprint(active, data.periods))
        data.protected["reach"] = found
    return found


def quarters_label(q: int) -> str:
    """'Latest 4 quarters' (or 'Latest quarter')."""
    return "Latest quarter" if int(q) == 1 else f"Latest {int(q)} quarters"


def window_text(v: ImpactViews) -> str:
    if v.quarters == 1:
        return f"quarter {v.period}"
    return f"the {v.quarters} quarters {v.first_period}–{v.period}"


def filter_caption(v: ImpactViews, state: ImpactState) -> str:
    types = ", ".join(type_label(t) for t in state.types) if state.types else "all types"
    pops = ", ".join(population_label(p) for p in state.populations) if state.populations else "everyone"
    return f"{v.n_programs} programmes ({types}; serving {pops}) over {window_text(v)}."


# --- participation by area ---------------------------------------------------------------------------------------

AREA_RATES = {"Per 1,000 residents": "Participants", "Cost per participant ($)": "Participants"}


def area_table(v: ImpactViews) -> tuple[pd.DataFrame, pd.Series]:
    """Participation by area, protected for publication, with a "Total of shown cells" row.

    ``Participants`` goes through :func:`core.analysis.suppression.protect_table` (1-10 "<11", then complementary
    "suppressed" cells, totals of shown cells only); ``Per 1,000 residents`` and ``Cost per participant``
    are built on it and are hidden wherever it is. Sessions and volunteer hours are not people.

    Returns
    -------
    (table, hidden): the display table (body rows then the total row) and, per body row, whether its
    participant count is hidden.
    """
    a = v.areas
    body = pd.DataFrame({
        "Area": a["name"].astype(object), "Per 1,000 residents": a["per_1000"].round(2),
        "Participants": _whole(a["participants"]), "Programmes": a["n_programs"].astype(np.int64),
        "Sessions": _whole(a["sessions"]), "Cost per participant ($)": a["cost_per_participant"].round(2),
        "Volunteer hours": a["volunteer_hours"].round(0), population.CENSUS: a["population"].round(0).astype(np.int64),
        "area_id": a["area_id"],
    })
    body["_hidden"] = v.hidden["area"] if "area" in v.hidden else np.full(len(body), "", dtype=object)
    body = body.sort_values(["Per 1,000 residents", "Area"], ascending=[False, True], na_position="last")
    body = body.reset_index(drop=True)
    codes = body.pop("_hidden").to_numpy()
    hidden = pd.Series(codes != "", index=body.index)
    table = body.astype(object)
    for column in ["Participants", *AREA_RATES]:
        cells = table[column].to_numpy().copy()
        cells[hidden.to_numpy()] = codes[hidden.to_numpy()]
        table[column] = cells
    shown = pd.to_numeric(body["Participants"].where(~hidden), errors="coerce").fillna(0).sum()
    total = TOTAL_LABEL
    table.loc[total] = None
    table.loc[total, "Area"] = TOTAL_LABEL
    table.loc[total, "Participants"] = int(shown)
    for column in [population.CENSUS, "Programmes", "Sessions", "Volunteer hours"]:
        table.loc[total, column] = body[column].sum().item()
    table = table.reset_index(drop=True)
    return table, hidden.reset_index(drop=True)


def headline(v: ImpactViews) -> tuple[str, str, str]:
    """Participants over the window, as the total of the published area cells."""
    table, hidden = area_table(v)
    total = table.iloc[-1]["Participants"]
    raw = float(v.areas["participants"].fillna(0).sum())
    text = f"{int(total):,}" if (total or raw == 0) else (SUPPRESSED if 0 < raw < 11 else COMPLEMENTARY)
    n_hidden = int(hidden.sum())
    help_text = HELP["participants"] + (f" Total of the shown cells: {n_hidden} areas with hidden counts are left "
                                        "out." if n_hidden else "")
    return f"Participants over {window_text(v)}", text, help_text


def participation_map(areas_geo: pd.DataFrame, v: ImpactViews) -> tuple[pdk.Deck, str]:
    """Participants per 1,000 residents by area; hidden areas in the no-data grey, their tooltip "<11"."""
    table, _ = area_table(v)
    body = table.iloc[:-1].set_index("area_id").reindex(areas_geo["area_id"].to_numpy())
    rate = pd.to_numeric(body["Per 1,000 residents"], errors="coerce")
    classes = maps.classify(rate.to_numpy(dtype=float), k=5, fmt="{:,.1f}")
    colours = [classes.colors[i] if i >= 0 else NO_DATA for i in classes.index]
    props = pd.DataFrame({
        "name": areas_geo["name"].to_numpy(),
        "label": [f"Participants: {_text(p)} · per 1,000 residents: {_text(r, 1)}"
                  for p, r in zip(body["Participants"], body["Per 1,000 residents"])],
        "detail": [f"{_text(n)} programmes · {_text(s)} sessions"
                   for n, s in zip(body["Programmes"], body["Sessions"])],
    })
    d = maps.deck([maps.area_layer(maps.area_features(areas_geo, colours, props))], areas_geo,
                  "<b>{name}</b><br/>{label}<br/>{detail}")
    items = [(c, lab) for c, lab in zip(classes.colors, classes.labels)]
    if (classes.index == -1).any():
        items.append((NO_DATA, "hidden: fewer than 11 participants, or withheld to protect one"))
    return d, maps.legend_html(items, "Participants per 1,000 residents")


def _whole(values: pd.Series) -> pd.Series:
    """Counts as int64 (missing as 0), so tables read 80 rather than 80.0."""
    return pd.to_numeric(values, errors="coerce").fillna(0).round().astype(np.int64)


def _text(value, digits: int = 0) -> str:
    if isinstance(value, str):
        return value
    return number(value, digits)


def area_download(v: ImpactViews) -> bytes:
    table, _ = area_table(v)
    return safe_csv(table.drop(columns="area_id"), count_cols=["Participants"],
                    rate_cols_by_count=AREA_RATES)


# --- outcomes ----------------------------------------------------------------------------------------------------


def programme_table(v: ImpactViews) -> pd.DataFrame:
    """Per programme: sessions and the outcome change on its own scale with n and a 95% CI (n ≥ 11 only).

    Participant counts are published by area only, so that no programme's count can be taken away from its
    area's total. Where the pooled n is 1-10 the n shows "<11" and the change and interval are blank.
    """
    p = v.programs
    status, n, shown = _outcome_cells(p, v.hidden.get("programme_n"))
    out = pd.DataFrame({
        "Programme": p["name"], "Outcome scale": p["outcome_measure"], "n (pre/post)": n,
        "Mean change": p["outcome_mean"].where(shown).round(2), "95% CI low": p["outcome_lo"].where(shown).round(2),
        "95% CI high": p["outcome_hi"].where(shown).round(2), "Type": p["type"].map(type_label), "Area": p["area_name"],
        "Serves": p["populations_served"].fillna("").map(
            lambda s: ", ".join(population_label(x) for x in s.split(";") if x)),
        "Quarters reported": _whole(p["quarters_reported"]), "Sessions": _whole(p["sessions"]),
    })
    order = np.argsort(np.where(shown, 0, np.where(status == "no data", 2, 1)), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def _outcome_cells(t: pd.DataFrame, codes) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Status, the n column as published and whether the change is shown, for rows with ``outcome_*`` columns.

    The n is hidden where it is 1-10 ("<11") or where the linked-set protection hides it ("suppressed"); the
    mean and interval built on it go with it.
    """
    status = t["outcome_status"].to_numpy()
    codes = np.full(len(t), "", dtype=object) if codes is None else np.asarray(codes, dtype=object)
    shown = (status == "shown") & (codes == "")
    n = pd.Series(t["outcome_n"].to_numpy(dtype=float), dtype=object)
    n[shown] = t.loc[shown, "outcome_n"].astype(int).to_numpy()
    n[status == "n<11"] = SUPPRESSED
    n[codes != ""] = codes[codes != ""]
    n[status == "no data"] = None
    return status, n.to_numpy(), pd.Series(shown, index=t.index)


def outcome_points(v: ImpactViews) -> pd.DataFrame:
    """The programmes whose outcome may be shown, in the shape of :func:`core.views.charts.outcome_chart`."""
    _, _, shown = _outcome_cells(v.programs, v.hidden.get("programme_n"))
    p = v.programs[shown.to_numpy()]
    return pd.DataFrame({"programme": p["name"], "measure": p["outcome_measure"], "mean": p["outcome_mean"],
                         "lo": p["outcome_lo"], "hi": p["outcome_hi"], "n": p["outcome_n"].astype(int)})


def outcome_summary(v: ImpactViews) -> str:
    s = v.programs["outcome_status"].value_counts()
    _, _, shown = _outcome_cells(v.programs, v.hidden.get("programme_n"))
    withheld = int(s.get("shown", 0)) - int(shown.sum())
    return (f"{int(shown.sum())} programmes report a pre/post change with n ≥ 11"
            + (f" ({withheld} more withheld to protect a small one)" if withheld else "") + "; "
            f"{int(s.get('n<11', 0))} have fewer than 11 paired responses (not shown); "
            f"{int(s.get('no data', 0))} report none in the window.")


def programme_download(v: ImpactViews) -> bytes:
    return safe_csv(programme_table(v), count_cols=["n (pre/post)"])


# --- trends ------------------------------------------------------------------------------------------------------


def trends_table(v: ImpactViews) -> pd.DataFrame:
    """Quarterly totals for the filtered programmes; participants 1-10 (and the cost per participant built on
    them) show "<11", and the outcome only where the quarter's pooled n is at least 11."""
    t = v.trends
    out = pd.DataFrame({"Quarter": t["period"], "Programmes reporting": _whole(t["programs_reporting"]),
                        "Sessions": _whole(t["sessions"]), "Participants": _whole(t["participants"]),
                        "Cost per participant ($)": t["cost_per_participant"].round(2),
                        "Volunteer hours": t["volunteer_hours"].round(0)})
    if v.measure and "outcome_status" in t:
        _, n, shown = _outcome_cells(t, v.hidden.get("trend_n"))
        out[f"{v.measure} mean change"] = t["outcome_mean"].where(shown).round(2)
        out["Outcome n"] = n
        out["95% CI low"] = t["outcome_lo"].where(shown).round(2)
        out["95% CI high"] = t["outcome_hi"].where(shown).round(2)
    out = suppress_counts(out, ["Participants"], {"Cost per participant ($)": "Participants"})
    codes = v.hidden.get("trend")
    if codes is not None:
        withheld = np.asarray(codes, dtype=object) == COMPLEMENTARY
        for column in ("Participants", "Cost per participant ($)"):
            cells = out[column].astype(object).to_numpy().copy()
            cells[withheld] = COMPLEMENTARY
            out[column] = cells
    return out


def trends_long(v: ImpactViews) -> pd.DataFrame:
    """Long form of the quarterly counts for :func:`core.views.charts.trend_chart`; hidden values are NaN, text "<11"."""
    table = trends_table(v)
    parts = []
    for column, digits in (("Participants", 0), ("Sessions", 0), ("Cost per participant ($)", 2),
                           ("Volunteer hours", 0)):
        values = pd.to_numeric(table[column], errors="coerce")
        parts.append(pd.DataFrame({"period": table["Quarter"], "measure": column, "value": values,
                                   "text": [_text(x, digits) for x in table[column]]}))
    return pd.concat(parts, ignore_index=True)


def outcome_trend(v: ImpactViews) -> pd.DataFrame:
    """Quarterly outcome for :func:`core.views.charts.outcome_trend_chart`: the quarters with n ≥ 11 only."""
    t = v.trends
    if not v.measure or "outcome_status" not in t:
        return pd.DataFrame(columns=["period", "outcome_mean", "outcome_lo", "outcome_hi", "n_text"])
    _, _, shown = _outcome_cells(t, v.hidden.get("trend_n"))
    t = t[shown.to_numpy()]
    return pd.DataFrame({"period": t["period"], "outcome_mean": t["outcome_mean"], "outcome_lo": t["outcome_lo"],
                         "outcome_hi": t["outcome_hi"], "n_text": t["outcome_n"].astype(int).map("{:,}".format)})


def trends_download(v: ImpactViews) -> bytes:
    return safe_csv(trends_table(v), count_cols=["Participants", "Outcome n"] if v.measure else ["Participants"],
                    rate_cols_by_count={"Cost per participant ($)": "Participants"})
