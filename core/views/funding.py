"""What the Funding page shows: runway, concentration, the cliff, source mix, funders, scenarios and volunteers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
import pydeck as pdk

from core.analysis import funding as fu
from core.analysis import funding_selection as fs
from core.analysis.coverage import PROGRAM_TYPES, TYPE_LABELS, CoverageModel, CoverageParams
from core.analysis.scenario import KINDS, MODES, Scenario
from core.analysis.scenario_coverage import ScenarioCoverage, depending_residents, published_count
from core.analysis.suppression import TOTAL_LABEL, protect_table, safe_csv, suppress_counts
from core.base import population
from core.base.formatting import money, number, percent
from core.base.markup import inert
from core.base.palettes import CATEGORICAL, DIVERGING, NO_DATA
from core.store import queries
from core.views import glossary, maps, url_state

# --- choices and their labels ------------------------------------------------------------------------------------

MEASURES: dict[str, str] = {
    "largest": "Share from the area's largest source type",
    **{s: f"Share from {s}" for s in fu.SOURCE_TYPES},
    "at_risk": "Share of weekly places at risk (runway ≤ 12 months)",
}
"""What the source-mix map can colour areas by."""
KIND_LABELS = {"funder": "A funder withdraws", "source_type": "A source type stops",
               "ends_before": "Grants ending before a date are not renewed"}
MODE_LABELS = {"close": "Close: an affected programme stops", "shrink": "Shrink: places fall with the budget lost"}
THRESHOLD_MIN, THRESHOLD_MAX, THRESHOLD_STEP, THRESHOLD_DEFAULT = 5, 95, 5, 50
HOURLY_MIN, HOURLY_MAX = 0.0, 500.0
CLIFF_QUARTERS = 8

PEOPLE_COLUMNS = ("Residents falling out of reach", "Residents near these programmes",
                  "Residents with no other programme in reach", "Volunteers")
"""Display columns that count people: downloads pass them to :func:`core.analysis.suppression.safe_csv`."""

HELP = {
    "runway": ("Runway: starting from the as-of date and stepping a calendar month at a time, the months until the "
               "committed grants' yearly rate falls below 50% of the annual budget (capped at 36, shown '> 36'). "
               "Pending grants never count. At risk: runway of 12 months or less."),
    "budget": ("Annual budget: the programme's declared budget where it gives one; otherwise the yearly rate of the "
               "grants running on the as-of date (each grant's amount × 12 ÷ its length in months), a recurring grant "
               "counted as continuing past its end date."),
    "secured": ("Secured: committed money falling in the next 12 months, as a share of the annual budget. Over 100% "
                "is shown as over-funded: more is committed for the year than the budget, which is not a risk."),
    "hhi": ("Concentration: the Herfindahl–Hirschman index of funder shares of the yearly rates the budget is made "
            "of (0–1; 1 = a single funder). Above 0.25 counts as concentrated. "
            + glossary.link("concentration", "Glossary: reliance on few funders")),
    "cliff": ("Committed grants by the calendar quarter of their last funded day, as the yearly rate of funding that "
              "stops (amount × 12 ÷ months). Residents near these programmes: living within the catchment of at "
              "least one programme with a grant ending that quarter; with no other programme: every programme in "
              "their reach has a grant ending that quarter."),
    "funders": ("Share of weekly places a funder underwrites: for each programme, its weekly places × the funder's "
                "share of the programme's annual budget, summed and divided by the weekly places of the programmes "
                "shown. Removing the funder in a 'shrink' scenario with a 0% threshold removes exactly these places."),
    "scenario": ("Affected: a programme losing more than the threshold share of its annual budget. Coverage is "
                 "recomputed (E2SFCA, " + glossary.link("places-per-1000", "glossary") + ") with the Coverage page's defaults (30-minute walk, step decay, place-based "
                 "programmes). A resident falls out of reach when no counted programme is left within 30 minutes."),
}


def type_label(code: str) -> str:
    return TYPE_LABELS.get(code, str(code).replace("_", " ").capitalize())


# --- data ----------------------------------------------------------------------------------------------------------


def active_programs(programs: pd.DataFrame, as_of) -> pd.DataFrame:
    """Programmes running on ``as_of`` (started, and not ended before it), as the coverage model counts them.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a", "b", "c"], "start_date": ["2020-01-01", "2027-01-01", "2020-01-01"],
    ...                   "end_date": [None, None, "2025-01-01"]})
    >>> active_programs(p, "2026-01-01")["program_id"].tolist()
    ['a']
    """
    day = pd.Timestamp(as_of)
    ended = pd.to_datetime(programs["end_date"])
    active = (pd.to_datetime(programs["start_date"]) <= day) & (ended.isna() | (ended >= day))
    return programs.loc[active.to_numpy()].reset_index(drop=True)


@dataclass
class FundingData:
    """The tables every Funding view starts from (picklable, so it can be cached); treat them as read-only.

    ``prepared`` holds what does not depend on the filters, computed once here so that :func:`overview_of` only
    adds up the selected rows; a copy made with ``dataclasses.replace`` computes it afresh.
    """

    programs: pd.DataFrame
    funding: pd.DataFrame
    areas: pd.DataFrame
    as_of: dt.date
    funders: list[str]
    prepared: fs.Prepared = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        self.prepared = fs.prepare(self.programs, self.funding, self.as_of, CLIFF_QUARTERS)


def funding_data(con) -> FundingData:
    """Active programmes, their funding and the as-of date (``build_info['as_of']``) from the database.

    ``funders`` lists every funder, the one underwriting most weekly places first.
    """
    info = queries.build_info(con)
    as_of = dt.date.fromisoformat(info["as_of"])
    programs = active_programs(queries.programs(con), as_of)
    funding = queries.funding(con)
    funding = funding[funding["program_id"].isin(programs["program_id"])].reset_index(drop=True)
    data = FundingData(programs=programs, funding=funding, areas=queries.areas(con)[["area_id", "name"]],
                       as_of=as_of, funders=[])
    ranked = fs.by_funder(data.prepared, np.ones(len(programs), dtype=bool))["funder"].tolist()
    data.funders = ranked + sorted(set(funding["funder"]) - set(ranked))
    return data


# --- the URL ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundingState:
    """Everything the reader chose on the Funding page; its URL form is :func:`state_to_query`."""

    types: tuple[str, ...] = PROGRAM_TYPES
    area: str | int = 0               # a text area id, or 0 for all areas
    at_risk_only: bool = False
    measure: str = "largest"
    kind: str = "funder"
    funder: str = ""
    source: str = "local government"
    before: dt.date | None = None
    threshold: int = THRESHOLD_DEFAULT
    mode: str = "close"
    hourly: float = fu.VOLUNTEER_HOUR_VALUE_USD


WIDGET_KEYS = {"types": "fu_types", "area": "fu_area", "at_risk_only": "fu_risk", "measure": "fu_measure",
               "kind": "fu_kind", "funder": "fu_funder", "source": "fu_source", "before": "fu_before",
               "threshold": "fu_thr", "mode": "fu_mode", "hourly": "fu_hourly"}
"""Streamlit widget key of each :class:`FundingState` field."""
QUERY_KEYS = {"types": "types", "area": "area", "at_risk_only": "risk", "measure": "measure", "kind": "scenario",
              "funder": "funder", "source": "source", "before": "before", "threshold": "threshold", "mode": "mode",
              "hourly": "hourly"}
"""URL parameter of each :class:`FundingState` field."""


def default_before(as_of) -> dt.date:
    """Default cut-off of the 'ends before' scenario: a year after the as-of date."""
    return (pd.Timestamp(as_of) + pd.DateOffset(months=12)).date()


def date_bounds(as_of) -> tuple[dt.date, dt.date]:
    """The cut-off dates the 'ends before' scenario accepts: the as-of date to three years on."""
    return pd.Timestamp(as_of).date(), (pd.Timestamp(as_of) + pd.DateOffset(months=36)).date()


def state_from_query(query: Mapping, funders: list[str], area_ids, as_of) -> FundingState:
    """The page's choices from URL query parameters; each value is checked against an allow-list or clamped.

    Examples
    --------
    >>> s = state_from_query({"scenario": "source_type", "source": "business", "threshold": "73", "area": "9"},
    ...                      ["X"], [1, 2], "2026-10-01")
    >>> s.kind, s.source, s.threshold, s.area, s.funder, s.before
    ('source_type', 'business', 75, 0, 'X', datetime.date(2027, 10, 1))
    """
    q = QUERY_KEYS
    lo, hi = date_bounds(as_of)
    try:
        before = dt.date.fromisoformat(url_state.first(query, q["before"]) or "")
        before = min(max(before, lo), hi)
    except ValueError:
        before = default_before(as_of)
    area = url_state.first(query, q["area"]) or "0"
    threshold = url_state.number(query, q["threshold"], THRESHOLD_MIN, THRESHOLD_MAX, THRESHOLD_DEFAULT)
    return FundingState(
        types=url_state.choices(query, q["types"], PROGRAM_TYPES, PROGRAM_TYPES),
        area=area if area in {str(a) for a in area_ids} else 0,
        at_risk_only=url_state.flag(query, q["at_risk_only"]),
        measure=url_state.choice(query, q["measure"], MEASURES, "largest"),
        kind=url_state.choice(query, q["kind"], KINDS, "funder"),
        funder=url_state.choice(query, q["funder"], funders, funders[0] if funders else ""),
        source=url_state.choice(query, q["source"], fu.SOURCE_TYPES, "local government"),
        before=before,
        threshold=int(round(threshold / THRESHOLD_STEP) * THRESHOLD_STEP),
        mode=url_state.choice(query, q["mode"], MODES, "close"),
        hourly=url_state.number(query, q["hourly"], HOURLY_MIN, HOURLY_MAX, fu.VOLUNTEER_HOUR_VALUE_USD),
    )


def state_to_query(state: FundingState) -> dict[str, str]:
    """The URL form of the choices; :func:`state_from_query` reads it back unchanged.

    Examples
    --------
    >>> q = state_to_query(FundingState(types=("workshop", "drop_in"), funder="X", before=dt.date(2027, 1, 1)))
    >>> q["types"], q["funder"], q["before"], q["threshold"], q["risk"]
    ('workshop,drop_in', 'X', '2027-01-01', '50', '0')
    """
    q = QUERY_KEYS
    return {q["types"]: ",".join(state.types), q["area"]: str(state.area or 0),
            q["at_risk_only"]: "1" if state.at_risk_only else "0", q["measure"]: state.measure,
            q["kind"]: state.kind, q["funder"]: state.funder, q["source"]: state.source,
            q["before"]: state.before.isoformat() if state.before else "", q["threshold"]: str(int(state.threshold)),
            q["mode"]: state.mode, q["hourly"]: f"{float(state.hourly):g}"}


def state_from_widgets(session: Mapping, fallback: FundingState) -> FundingState:
    """The choices as the widgets hold them (keys :data:`WIDGET_KEYS`); a missing widget keeps ``fallback``'s value."""
    values = {}
    for f in fields(FundingState):
        key = WIDGET_KEYS[f.name]
        values[f.name] = session[key] if key in session else getattr(fallback, f.name)
    values["types"] = tuple(values["types"]) or PROGRAM_TYPES
    values["area"] = str(values["area"]) if values["area"] else 0
    values["at_risk_only"] = bool(values["at_risk_only"])
    values["threshold"] = int(values["threshold"])
    values["hourly"] = float(values["hourly"])
    if isinstance(values["before"], dt.datetime):
        values["before"] = values["before"].date()
    return FundingState(**values)


def scenario_of(state: FundingState) -> Scenario:
    """The :class:`core.analysis.scenario.Scenario` the choices describe (threshold from percent to a share)."""
    value = {"funder": state.funder, "source_type": state.source, "ends_before": state.before}[state.kind]
    return Scenario(state.kind, value, threshold=state.threshold / 100, mode=state.mode)


# --- the programmes shown and their funding ----------------------------------------------------------------------


@dataclass
class FundingOverview:
    """The funding views for the programmes the filters select."""

    metrics: pd.DataFrame        # program_metrics + name, area, type, weekly_capacity
    areas: pd.DataFrame          # per area (every area): by_area + name, largest source
    cliff: pd.DataFrame          # funding_cliff by source
    cliff_totals: pd.DataFrame   # funding_cliff per quarter
    cliff_programs: dict         # quarter -> programme ids with committed money ending then
    funders: pd.DataFrame        # by_funder
    n_programs: int
    as_of: dt.date


def select_programs(programs: pd.DataFrame, types, area: int = 0, only=None) -> pd.DataFrame:
    """Programmes of the given types, in one area (``area`` 0 = every area), and among ``only`` (a mask) if given.

    Examples
    --------
    >>> p = pd.DataFrame({"program_id": ["a", "b", "c"], "type": ["workshop", "drop_in", "workshop"],
    ...                   "area_id": [1, 1, 2]})
    >>> select_programs(p, ["workshop"], 1)["program_id"].tolist()
    ['a']
    """
    keep = _selected(programs, types, area)
    if only is not None:
        keep = keep & np.asarray(only, dtype=bool)
    return programs.loc[keep].reset_index(drop=True)


def _selected(programs: pd.DataFrame, types, area: int) -> np.ndarray:
    keep = programs["type"].isin(list(types)).to_numpy()
    if area:
        keep = keep & (programs["area_id"].astype(str) == str(area)).to_numpy()
    return keep


def largest_source(area_mix: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each row's largest source type and its share, from the source-mix share columns (NaN where no money).

    Examples
    --------
    >>> m = pd.DataFrame({c: [0.0, np.nan] for c in fu.SOURCE_MIX_COLUMNS.values()})
    >>> m.loc[0, "share_business"], m.loc[0, "share_foundation"] = 0.3, 0.7
    >>> name, share = largest_source(m)
    >>> name.tolist(), share.tolist()
    (['foundation', nan], [0.7, nan])
    """
    # In numpy: frame operations on the page's many-column frame cost milliseconds on every filter change.
    shares = np.column_stack([area_mix[c].to_numpy(dtype=float) for c in fu.SOURCE_MIX_COLUMNS.values()])
    known = ~np.isnan(shares)
    has = known.any(axis=1) & (np.where(known, shares, 0.0).sum(axis=1) > 0)
    pos = np.where(known, shares, -1.0).argmax(axis=1)
    name = pd.Series(np.array(fu.SOURCE_TYPES, dtype=object)[pos], index=area_mix.index).where(has)
    share = pd.Series(shares[np.arange(len(shares)), pos], index=area_mix.index).where(has)
    return name, share


def overview_of(data: FundingData, types=PROGRAM_TYPES, area: int = 0, at_risk_only: bool = False) -> FundingOverview:
    """Metrics, area roll-up, cliff and funder dependence for the selected programmes.

    ``at_risk_only`` keeps only the programmes with 12 months' runway or less, so that every table, map, chart and
    total built from the overview answers "what do the programmes at risk depend on".
    """
    # The pandas oracle on the selected programmes alone gives the same frames (tests/test_funding_overview.py);
    # this adds up data.prepared's rows instead because the page reruns it for every filter a reader picks.
    keep = _selected(data.programs, types, area)
    if at_risk_only:
        keep = keep & data.prepared.at_risk
    p = data.prepared
    metrics = fs.metrics(p, keep)
    areas = fs.area_rollup(p, keep, data.areas)
    areas["largest_source"], areas["largest_share"] = largest_source(areas)
    return FundingOverview(metrics=metrics, areas=areas, cliff=fs.funding_cliff(p, keep, by_source=True),
                           cliff_totals=fs.funding_cliff(p, keep, by_source=False),
                           cliff_programs=fs.cliff_programs(p, keep), funders=fs.by_funder(p, keep),
                           n_programs=int(keep.sum()), as_of=data.as_of)


def as_of_caption(view: FundingOverview) -> str:
    """Which date every funding figure is measured from."""
    d = view.as_of
    return (f"Every funding figure is measured from {d.day} {d:%B %Y} (the build's as-of date), over the "
            f"{number(view.n_programs)} programmes running then that the filters select.")


def headline(view: FundingOverview) -> tuple[str, str, str]:
    """The page's headline: programmes whose runway is 12 months or less.

    Examples
    --------
    >>> m = pd.DataFrame({"at_risk": [True, False, True]})
    >>> v = FundingOverview(m, None, None, None, {}, None, 3, dt.date(2026, 10, 1))
    >>> headline(v)[1]
    '2 of 3'
    """
    n = int(view.metrics["at_risk"].sum())
    return ("Programmes running out of money in the next 12 months", f"{n:,} of {view.n_programs:,}",
            HELP["runway"])


# --- runway and concentration table --------------------------------------------------------------------------------

RUNWAY_COLUMNS = ["Programme", "Runway (months)", "At risk", "Secured next 12 months (%)",
                  "Reliance on few funders (0–1)",
                  "Concentrated", "Largest funder", "Largest funder share (%)", "Annual budget ($)", "Budget from",
                  "Weekly places", "Area", "Type"]
"""The runway table's columns: the figures a funder scans first come first."""


def runway_table(view: FundingOverview, at_risk_only: bool = False) -> pd.DataFrame:
    """One row per programme, shortest runway first; numbers stay numbers so that every column sorts.

    ``Runway (months)`` is 36 where the runway reaches the 36-month horizon (:func:`runway_styler` shows
    it as "> 36"); ``Secured next 12 months (%)`` above 100 is shown as "over-funded" (DESIGN §3).
    """
    m = view.metrics
    t = pd.DataFrame({
        "Programme": m["name"], "Area": m["area_name"], "Type": m["type"].map(type_label),
        "Weekly places": m["weekly_capacity"].astype(float).round(0),
        "Annual budget ($)": m["annual_budget"].round(0),
        "Budget from": m["budget_source"].map({"grants": "grants", "declared": "declared budget", "none": "unknown"}),
        "Runway (months)": m["runway_months"].astype("Float64"),
        "Secured next 12 months (%)": (m["secured_ratio"] * 100).round(0),
        "Reliance on few funders (0–1)": m["hhi"].round(2),
        "Largest funder": m["top_funder"].astype(object),
        "Largest funder share (%)": (m["top_funder_share"] * 100).round(0),
        "At risk": m["at_risk"].astype(bool), "Concentrated": m["concentrated"].astype(bool),
    })
    t = t[RUNWAY_COLUMNS].copy()
    t["_capped"] = m["runway_capped"].astype(bool).to_numpy()
    t["_over"] = m["over_funded"].astype(bool).to_numpy()
    if at_risk_only:
        t = t[t["At risk"]]
    t = t.sort_values(["Runway (months)", "Annual budget ($)"], ascending=[True, False], na_position="last")
    return t.reset_index(drop=True)


OVER_FUNDED = "over-funded"
"""How a secured ratio above 100% is shown: more is committed for the year than the budget, not a risk figure."""
SECURED = "Secured next 12 months (%)"


def _over_funded_shown(styler, over: np.ndarray):
    """A table's styler with :data:`OVER_FUNDED` written in the secured column of the rows ``over`` flags."""
    if not over.any():
        return styler
    return styler.format(OVER_FUNDED, subset=pd.IndexSlice[styler.data.index[over], [SECURED]])


def _over_funded_written(t: pd.DataFrame, over: np.ndarray) -> pd.DataFrame:
    """``t`` (a copy) with :data:`OVER_FUNDED` in the secured column of the rows ``over`` flags, for a download."""
    t[SECURED] = t[SECURED].astype(object)
    t.loc[over, SECURED] = OVER_FUNDED
    return t
AT_RISK_FILL = DIVERGING[5][1]
CONCENTRATED_FILL = DIVERGING[5][3]


def runway_styler(table: pd.DataFrame):
    """The runway table with at-risk runways and concentrated HHIs highlighted (with the flags as columns too).

    Colour is never the only cue: the ``At risk`` and ``Concentrated`` columns say the same in words.
    """
    shown = table.drop(columns=["_capped", "_over"])
    capped, over = table["_capped"].to_numpy(), table["_over"].to_numpy()

    def fill(row_flags, colour):
        return [f"background-color: {colour}; font-weight: 600" if f else "" for f in row_flags]

    styler = shown.style
    styler = styler.apply(lambda col: fill(shown["At risk"].to_numpy(), AT_RISK_FILL), subset=["Runway (months)"])
    styler = styler.apply(lambda col: fill(shown["Concentrated"].to_numpy(), CONCENTRATED_FILL),
                          subset=["Reliance on few funders (0–1)"])
    styler = styler.format({"Weekly places": "{:,.0f}", "Annual budget ($)": "${:,.0f}", "Runway (months)": "{:.0f}",
                            "Secured next 12 months (%)": "{:.0f}%", "Reliance on few funders (0–1)": "{:.2f}",
                            "Largest funder share (%)": "{:.0f}%"}, na_rep="–")
    if capped.any():
        styler = styler.format("> 36", subset=pd.IndexSlice[shown.index[capped], ["Runway (months)"]])
    return _over_funded_shown(styler, over)


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as a download: people counts of 1-10 written "<11", spreadsheet formulas defused."""
    return safe_csv(table, count_cols=[c for c in PEOPLE_COLUMNS if c in table.columns] or None)


def runway_download(table: pd.DataFrame) -> bytes:
    t = table.drop(columns=["_capped", "_over"]).copy()
    t["Runway (months)"] = t["Runway (months)"].astype(object)
    t.loc[table["_capped"].to_numpy(), "Runway (months)"] = "> 36"
    return safe_csv(_over_funded_written(t, table["_over"].to_numpy()))


# --- funding cliff ---------------------------------------------------------------------------------------------------


def cliff_table(view: FundingOverview, model: CoverageModel | None,
                params: CoverageParams | None = None) -> pd.DataFrame:
    """Per quarter: yearly funding ending, grants, programmes, weekly places, and the residents depending on them.

    Residents are counts of people, so 1-10 show as "<11"; the quarters overlap in people and have no total.
    """
    t = view.cliff_totals
    out = pd.DataFrame({"Quarter": t["quarter"], "Yearly funding ending ($)": t["annualised_ending"].round(0),
                        "Grants ending": t["n_grants"], "Programmes affected": t["n_programs"],
                        "Weekly places affected": t["capacity_affected"].round(0)})
    if model is not None:
        dep = depending_residents(model, params or CoverageParams(), view.cliff_programs)
        dep = dep.reindex(t["quarter"].to_numpy())
        out["Residents near these programmes"] = dep["within_reach"].round(0).to_numpy()
        out["Residents with no other programme in reach"] = dep["only_these"].round(0).to_numpy()
        cols = [c for c in PEOPLE_COLUMNS if c in out]
        out = suppress_counts(out, cols)
    return out


# --- source mix by area ------------------------------------------------------------------------------------------


def measure_values(view: FundingOverview, measure: str) -> pd.Series:
    """The chosen map measure per area, in percent (NaN where the area has no programme or no money)."""
    a = view.areas
    if measure == "largest":
        v = a["largest_share"]
    elif measure == "at_risk":
        v = a["share_capacity_at_risk"] if "share_capacity_at_risk" in a else pd.Series(np.nan, index=a.index)
    else:
        v = a[fu.SOURCE_MIX_COLUMNS[measure]]
    return (v.astype(float) * 100).where(a["n_programs"] > 0)


MEASURE_COLUMNS = {"largest": "Largest share (%)", **{s: f"{s.capitalize()} (%)" for s in fu.SOURCE_TYPES},
                   "at_risk": "Places at risk (%)"}
"""The column of :func:`area_mix_table` holding each map measure."""


def area_mix_table(view: FundingOverview, measure: str) -> pd.DataFrame:
    """The map's numbers per area, the chosen measure's column first and highest first (no programme: last)."""
    a = view.areas

    def col(name, scale=1.0, digits=1):
        return (a[name].astype(float) * scale).round(digits) if name in a else pd.Series(np.nan, index=a.index)

    out = pd.DataFrame({"Area": a["name"], "Largest source type": a["largest_source"],
                        "Largest share (%)": col("largest_share", 100),
                        "Places at risk (%)": col("share_capacity_at_risk", 100).where(a["n_programs"] > 0)})
    for s, c in fu.SOURCE_MIX_COLUMNS.items():
        out[MEASURE_COLUMNS[s]] = col(c, 100)
    out["Programmes"] = a["n_programs"]
    out["At risk"] = a["n_at_risk"].fillna(0).astype(int) if "n_at_risk" in a else 0
    out["Annual budget ($)"] = col("annual_budget", 1, 0)
    secured = col("secured_ratio", 100, 0)
    out["Secured next 12 months (%)"] = secured
    # Over-funded by the unrounded ratio, as the runway table flags it (100.3% is over, though it rounds to 100).
    out["_over"] = (col("secured_ratio", 100, 6) > 100).to_numpy()
    first = MEASURE_COLUMNS[measure]
    out = out[["Area", first, *[c for c in out.columns if c not in ("Area", first)]]]
    return out.sort_values(first, ascending=False, na_position="last").reset_index(drop=True)


def area_mix_styler(table: pd.DataFrame):
    """The source-mix table for the page: its numbers stay numbers (every column sorts, and Arrow gets one type per
    column), and a secured share over 100% reads "over-funded" (DESIGN §3)."""
    shown = table.drop(columns=["_over"])
    over = table["_over"].to_numpy()
    styler = shown.style.format({c: "{:.1f}" for c in shown.columns if c.endswith("(%)")}, na_rep="–")
    styler = styler.format({"Annual budget ($)": "{:,.0f}", "Secured next 12 months (%)": "{:.0f}"}, na_rep="–")
    return _over_funded_shown(styler, over)


def area_mix_download(table: pd.DataFrame) -> bytes:
    """The source-mix table as a download, with "over-funded" written where the secured share is over 100%."""
    return csv_bytes(_over_funded_written(table.drop(columns=["_over"]).copy(), table["_over"].to_numpy()))


def area_mix_long(view: FundingOverview, measure: str) -> tuple[pd.DataFrame, list[str]]:
    """Long source-mix shares of the areas with money, and their order (highest measure first), for the bars."""
    table = area_mix_table(view, measure)
    table = table[table["Largest source type"].notna()]
    long = pd.DataFrame({
        "area": np.repeat(table["Area"].to_numpy(), len(fu.SOURCE_TYPES)),
        "source_type": np.tile(np.array(fu.SOURCE_TYPES, dtype=object), len(table)),
        "share": table[[MEASURE_COLUMNS[s] for s in fu.SOURCE_TYPES]].to_numpy(dtype=float).ravel() / 100,
    })
    return long, table["Area"].tolist()


def mix_map(areas_geo: pd.DataFrame, view: FundingOverview, measure: str) -> tuple[pdk.Deck, str]:
    """Choropleth of the chosen source-mix measure, with a tooltip naming the area's largest source type."""
    a = view.areas.set_index("area_id").reindex(areas_geo["area_id"].to_numpy())
    values = measure_values(view, measure).set_axis(view.areas["area_id"]).reindex(areas_geo["area_id"].to_numpy())
    classes = maps.classify(values.to_numpy(), k=5, fmt="{:,.0f}%")
    colours = [classes.colors[i] if i >= 0 else NO_DATA for i in classes.index]
    props = pd.DataFrame({
        "name": areas_geo["name"].to_numpy(),
        "label": [f"{MEASURES[measure]}: {percent(v, 1)}" if pd.notna(v) else "No funded programme selected here"
                  for v in values],
        "detail": [(f"Largest source: {s} ({percent(sh * 100, 0)}) · {int(n)} programmes, {int(r)} at risk")
                   if isinstance(s, str) else ""
                   for s, sh, n, r in zip(a["largest_source"], a["largest_share"], a["n_programs"].fillna(0),
                                          a["n_at_risk"].fillna(0) if "n_at_risk" in a else a["n_programs"] * 0)],
    })
    d = maps.deck([maps.area_layer(maps.area_features(areas_geo, colours, props))], areas_geo,
                  "<b>{name}</b><br/>{label}<br/>{detail}")
    items = maps.legend_items(classes)
    items = [(c, "no funded programme selected" if lab == "no data" else lab) for c, lab in items]
    return d, maps.legend_html(items, MEASURES[measure])


# --- funder dependence -----------------------------------------------------------------------------------------------


def funder_kinds(funding: pd.DataFrame) -> pd.Series:
    """What kind of organisation each funder is: its ``funder_type`` where the inventory gives one, else the
    source type of most of its grants (the optional column may be blank or absent).

    Examples
    --------
    >>> f = pd.DataFrame({"funder": ["A", "A", "B"], "source_type": ["foundation"] * 2 + ["business"],
    ...                   "funder_type": [None, "family foundation", None]})
    >>> funder_kinds(f).to_dict()
    {'A': 'family foundation', 'B': 'business'}
    """
    source = funding.groupby("funder")["source_type"].agg(lambda s: s.mode().iloc[0])
    if "funder_type" not in funding:
        return source.rename("kind")
    given = funding.dropna(subset=["funder_type"]).groupby("funder")["funder_type"].first()
    return given.reindex(source.index).fillna(source).rename("kind")


def funder_table(view: FundingOverview, kinds: pd.Series | None = None) -> pd.DataFrame:
    """Funders of the selected programmes, largest share of weekly places first, with what kind each is."""
    f = view.funders
    kind = f["funder"].map(kinds) if kinds is not None else pd.Series("", index=f.index)
    return pd.DataFrame({
        "Funder": f["funder"], "Type": kind.fillna("").to_numpy(),
        "Share of weekly places (%)": (f["capacity_share"] * 100).round(1),
        "Weekly places underwritten": f["capacity_underwritten"].round(1),
        "Programmes funded": f["n_programs"].astype(int), "Programmes it funds over half of": f["n_programs_majority"]
        .astype(int), "Money in the last 12 months ($)": f["budget_contribution"].round(0),
        "Committed for the next 12 months ($)": f["committed_next_12m"].round(0),
    })


def funder_type_sentence(table: pd.DataFrame, at_risk_only: bool = False, top: int = 3) -> str:
    """Whom the shown programmes depend on, by kind of funder, in one sentence (from :func:`funder_table`).

    Examples
    --------
    >>> t = pd.DataFrame({"Funder": ["A", "B", "C"], "Type": ["family foundation", "company", "family foundation"],
    ...                   "Share of weekly places (%)": [30.0, 20.0, 10.0]})
    >>> print(funder_type_sentence(t, True))  # doctest: +NORMALIZE_WHITESPACE
    The programmes at risk depend most on family foundation funders (40.0% of their weekly places: A, C)
    and company funders (20.0%: B).
    """
    who = "The programmes at risk" if at_risk_only else "The programmes shown"
    if table.empty:
        return f"{who} have no recorded funders."
    by = (table.groupby("Type", sort=False)
          .agg(share=("Share of weekly places (%)", "sum"), names=("Funder", list))
          .sort_values("share", ascending=False, kind="stable").head(top))
    parts = []
    for k, (kind, row) in enumerate(by.iterrows()):
        names = ", ".join(inert(n) for n in row["names"][:3]) + (", …" if len(row["names"]) > 3 else "")
        what = "% of their weekly places: " if k == 0 else "%: "
        parts.append(f"{inert(kind or 'unknown')} funders ({number(row['share'], 1)}{what}{names})")
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{who} depend most on {joined}."


# --- scenario --------------------------------------------------------------------------------------------------------


def scenario_headline(result: ScenarioCoverage) -> tuple[str, str, str]:
    """The scenario's figure: residents who fall out of reach, as published (small numbers protected)."""
    s = result.summary
    help_text = (f"Residents in reach of a programme before and of none after, summed over areas as published: "
                 f"areas where 1–10 residents fall out of reach show '<11' and are left out of the total"
                 f"{' (' + str(s['n_areas_hidden']) + ' such areas)' if s['n_areas_hidden'] else ''}. "
                 f"{number(s['capacity_lost'])} of {number(s['capacity_before'])} weekly places are lost.")
    return "Residents who fall out of reach", s["residents_out_of_reach_text"], help_text


def scenario_facts(result: ScenarioCoverage) -> str:
    s = result.summary
    return (f"{s['n_affected']:,} of {s['n_programs']:,} programmes affected · {money(s['budget_lost'])} of yearly "
            f"budget lost · {number(s['capacity_lost'])} weekly places lost "
            f"({percent(s['share_capacity_lost'] * 100 if s['capacity_before'] else None)}) · coverage falls in "
            f"{s['n_areas_coverage_falls']} areas")


def _change_classes(change: np.ndarray) -> tuple[np.ndarray, list[str], list[str]]:
    """No change in the neutral colour; losses in three orange classes (terciles of the losses)."""
    colours = [DIVERGING[7][3], DIVERGING[7][2], DIVERGING[7][1], DIVERGING[7][0]]
    idx = np.zeros(len(change), dtype=int)
    loss = np.nan_to_num(-change) > 0
    labels = ["no change"]
    if loss.any():
        mags = -change[loss]
        cuts = np.unique(np.quantile(mags, [1 / 3, 2 / 3]))
        k = np.searchsorted(cuts, mags, side="left") + 1
        idx[loss] = k
        edges = [mags.min(), *cuts, mags.max()]
        for j in range(1, int(k.max()) + 1):
            labels.append(f"−{edges[j - 1]:,.2f} to −{edges[j]:,.2f}")
    return idx, colours[: len(labels)], labels


def scenario_map(areas_geo: pd.DataFrame, result: ScenarioCoverage) -> tuple[pdk.Deck, str]:
    """Change in coverage per area (diverging palette: orange = loss) with the affected programmes as points."""
    a = result.areas.set_index("area_id").reindex(areas_geo["area_id"].to_numpy())
    change = a["coverage_change"].to_numpy(dtype=float)
    idx, colours, labels = _change_classes(np.where(a["coverage_falls"].to_numpy(dtype=bool), change, 0.0))
    props = pd.DataFrame({
        "name": areas_geo["name"].to_numpy(),
        "label": [f"Coverage {number(b, 2)} → {number(x, 2)} weekly places per 1,000 ({number(c, 2)})"
                  for b, x, c in zip(a["coverage_before"], a["coverage_after"], change)],
        "detail": [f"Residents falling out of reach: {_cell_text(v)}" for v in a["residents_out_of_reach_shown"]],
    })
    layers = [maps.area_layer(maps.area_features(areas_geo, [colours[i] for i in idx], props))]
    hit = result.programs[result.programs["affected"]]
    if len(hit):
        pts = pd.DataFrame({
            "name": hit["name"], "lon": hit["lon"], "lat": hit["lat"],
            "label": [f"{type_label(t)} · loses {percent(x * 100, 0)} of its budget"
                      for t, x in zip(hit["type"], hit["lost_share"])],
            "detail": [f"{number(b)} → {number(x)} weekly places"
                       for b, x in zip(hit["capacity_before"], hit["capacity_after"])],
        })
        layers.append(maps.points_layer(pts, "affected", CATEGORICAL[7], radius=90))
    d = maps.deck(layers, areas_geo, "<b>{name}</b><br/>{label}<br/>{detail}")
    legend = maps.legend_html(list(zip(colours, labels)), "Change in weekly places per 1,000 residents")
    legend += maps.legend_html([(CATEGORICAL[7], "affected programme")], "Points")
    return d, legend


def _cell_text(v) -> str:
    if isinstance(v, str):
        return v
    return number(v)


def scenario_area_table(result: ScenarioCoverage, only_changed: bool = True) -> pd.DataFrame:
    """Per area: coverage before and after, and the residents falling out of reach as published.

    The share of residents falling out of reach is built on that count, so it is hidden with it.
    """
    a = result.areas
    hidden = a["residents_out_of_reach_hidden"].to_numpy(dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (a["residents_out_of_reach"].round() / a["population"] * 100).round(1).astype(object)
    share[hidden] = a["residents_out_of_reach_shown"][hidden]
    out = pd.DataFrame({
        "area_id": a["area_id"], "Area": a["name"], "Coverage before (per 1,000)": a["coverage_before"].round(3),
        "Coverage after (per 1,000)": a["coverage_after"].round(3), "Change (per 1,000)": a["coverage_change"].round(3),
        "Change (%)": a["coverage_change_pct"].round(1),
        "Residents falling out of reach": a["residents_out_of_reach_shown"],
        "Share of the area falling out of reach (%)": share,
        "Affected programmes located here": a["programmes_affected"],
        "Weekly places lost here": a["capacity_lost"].round(1),
    })
    if only_changed:
        out = out[a["coverage_falls"].to_numpy() | (a["residents_out_of_reach"].round() > 0).to_numpy()]
    return out.sort_values("Change (per 1,000)").reset_index(drop=True)


def scenario_programme_table(result: ScenarioCoverage) -> pd.DataFrame:
    p = result.programs[result.programs["affected"]]
    return pd.DataFrame({
        "Programme": p["name"], "Area": p["area_name"], "Type": p["type"].map(type_label),
        "Share of budget lost (%)": (p["lost_share"] * 100).round(0), "Budget lost ($)": p["budget_lost"].round(0),
        "Weekly places before": p["capacity_before"].round(0), "Weekly places after": p["capacity_after"].round(1),
    }).sort_values("Share of budget lost (%)", ascending=False).reset_index(drop=True)


def _published(text: str):
    """A published count back as a number where it is one, so the column sorts ("<11" stays text)."""
    digits = text.replace(",", "")
    return int(digits) if digits.isdigit() else text


def scenario_group_table(result: ScenarioCoverage) -> pd.DataFrame:
    """Residents falling out of reach per group; the all-residents row is the published (protected) total.

    Group counts are modelled (the tract's share of its area's group), rounded to whole residents; 1-10
    show "<11" and the share built on them is hidden too.
    """
    g = result.groups
    texts = [published_count(x) for x in g["out_of_reach"]]
    texts[0] = result.summary["residents_out_of_reach_text"]
    cells = [_published(t) for t in texts]
    shares = [round(c / r * 100, 2) if isinstance(c, int) and r > 0 else (c if isinstance(c, str) else None)
              for c, r in zip(cells, g["residents"])]
    return pd.DataFrame({"Group": g["group"], "Residents falling out of reach": pd.Series(cells, dtype=object),
                         "Share of the group (%)": pd.Series(shares, dtype=object),
                         "Residents (modelled)": g["residents"].round(0)})


def scenario_download(result: ScenarioCoverage) -> bytes:
    t = scenario_area_table(result, only_changed=False)
    return safe_csv(t, count_cols=["Residents falling out of reach"])


# --- volunteers ------------------------------------------------------------------------------------------------------


def volunteer_table(programs: pd.DataFrame, hourly_value: float) -> pd.DataFrame:
    """Volunteers, hours and their value per area, with a total row.

    Volunteers are people: the column goes through :func:`core.analysis.suppression.protect_table` (1-10 shown
    "<11", complementary suppression, total of shown cells). Hours and money are not counts of people and
    are totalled in full.
    """
    p = programs.assign(value=fu.volunteer_value(programs, hourly_value).to_numpy(),
                        hours=pd.to_numeric(programs["volunteer_hours_year"], errors="coerce").fillna(0.0),
                        people=pd.to_numeric(programs["volunteer_count"], errors="coerce").fillna(0))
    per = p.groupby(["area_id", "area_name"], as_index=False).agg(
        programmes=("program_id", "size"), volunteers=("people", "sum"), hours=("hours", "sum"), value=("value", "sum"))
    per = per.sort_values("hours", ascending=False).reset_index(drop=True)
    body = pd.DataFrame({"Area": per["area_name"].astype(object), "Programmes": per["programmes"],
                         "Volunteers": per["volunteers"].astype(int), "Volunteer hours a year": per["hours"].round(0),
                         "Value a year ($)": per["value"].round(0)})
    table = protect_table(body, ["Volunteers"], total_row=True)
    table.loc[TOTAL_LABEL, ["Programmes", "Volunteer hours a year", "Value a year ($)"]] = [
        int(per["programmes"].sum()), float(per["hours"].sum().round(0)), float(per["value"].sum().round(0))]
    return table.reset_index(drop=True)


def volunteer_summary(programs: pd.DataFrame, hourly_value: float) -> str:
    hours = float(pd.to_numeric(programs["volunteer_hours_year"], errors="coerce").fillna(0).sum())
    return (f"Volunteers give {number(hours)} hours a year to the programmes shown, worth "
            f"{money(hours * hourly_value)} "
            f"at {money(hourly_value) if hourly_value >= 100 else f'${hourly_value:,.2f}'} an hour.")


def _join_names(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def scenario_summary(result: ScenarioCoverage, max_named: int = 8) -> str:
    """The scenario in plain words, naming the areas where residents fall out of reach and how many in each.

    Residents are the coverage model's (tract sums, as published: 1–10 show "fewer than 11"). Areas whose coverage
    only thins (residents keep a programme within reach) are counted, not named: that is the map's wider shading.
    Names from data are escaped for markdown.
    """
    s = result.summary
    a = result.areas
    shown = a["residents_out_of_reach_shown"]
    lost = a.assign(_n=[v if isinstance(v, (int, float, np.integer, np.floating)) else 0 for v in shown],
                    _t=[_cell_text(v) for v in shown])
    lost = lost[[(isinstance(v, str) and v != "0") or (not isinstance(v, str) and round(float(v)) > 0)
                 for v in shown]].sort_values("_n", ascending=False)
    who = inert(result.scenario.describe())
    n_aff = s["n_affected"]
    share = percent(float(result.scenario.threshold) * 100, 0)
    head = (f"If {who}, {n_aff} programme{' loses' if n_aff == 1 else 's lose'} more than {share} of "
            f"{'its' if n_aff == 1 else 'their'} budget.")
    if lost.empty:
        out = " No resident falls out of reach of every programme."
    else:
        named = [f"{inert(n)} ({t.replace('<11', 'fewer than 11')})"
                 for n, t in zip(lost["name"].head(max_named), lost["_t"].head(max_named))]
        rest = len(lost) - len(named)
        if rest:
            named.append(f"{rest} more area{'s' if rest != 1 else ''} listed below")
        total = s["residents_out_of_reach_text"].replace("<11", "fewer than 11")
        out = (f" {total} {population.TRACT_SUM_SHORT} lose every programme within reach, in "
               f"{len(lost)} area{'s' if len(lost) != 1 else ''}: {_join_names(named)}.")
    thinner = int(s["n_areas_coverage_falls"]) - int(lost["area_id"].isin(a.loc[a["coverage_falls"], "area_id"]).sum())
    if thinner > 0:
        more = "" if lost.empty else " more"
        out += (f" In {thinner}{more} area{'s' if thinner != 1 else ''} places per 1,000 fall but everyone keeps a "
                "programme within reach; the map shades these too.")
    return head + out
