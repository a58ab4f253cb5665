"""What the Inclusion page shows: who takes part against who lives around, language access, step-free and after-hours.

Small numbers. No count of people is published here: the tables hold shares, intervals and differences. A share
is shown only where the group count k, the total n and n - k are each 0 or at least 11
(:func:`core.analysis.share_disclosure.share_publishable`), because a share with a total gives both back; its
interval and disparity are hidden with it ("<11"). Programmes, areas and the city are one linked set
(:mod:`core.analysis.inclusion_disclosure`); the totals the shown intervals give back are held fixed in Impact's and
Volunteers' linked sets (:mod:`core.analysis.reach_counts`), so no page's figures narrow another's hidden counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pydeck as pdk

from core.analysis import inclusion
from core.analysis.coverage import PLACE_BASED_TYPES, TYPE_LABELS
from core.analysis.need import need_for
from core.analysis.suppression import COMPLEMENTARY, SUPPRESSED, safe_csv
from core.base.formatting import number, percent
from core.base.palettes import CATEGORICAL, DIVERGING, NO_DATA
from core.store import queries
from core.views import maps, reach_protection, url_state
from core.views.funding import active_programs

QUARTER_CHOICES = reach_protection.QUARTER_CHOICES
DEFAULT_QUARTERS = 4
GROUP_KEYS = tuple(g.key for g in inclusion.GROUPS)
GROUP_LABELS = {g.key: g.label for g in inclusion.GROUPS}
WIDGET_KEYS = {"group": "in_group", "quarters": "in_quarters"}
QUERY_KEYS = {"group": "group", "quarters": "quarters"}
# Disparity classes in percentage points: far below, below, about equal, above, far above the residents' share.
GAP_BINS = (-10.0, -2.0, 2.0, 10.0)
GAP_LABELS = ("10+ points below residents", "2–10 below", "within 2 points", "2–10 above", "10+ points above")
PROGRAM_COLOR = CATEGORICAL[7]

HELP = {
    "disparity": (
        "Participants' share of the group minus the residents' share around the programme (the Urban Institute "
        "Spatial Equity Data Tool's disparity), in percentage points, with a Wilson 95% interval. Residents: the "
        "tracts within a 30-minute walk, each with its area's declared share. A group is compared only where the "
        "data declares its residents' share; otherwise the row says so and no share is guessed."),
    "small": ("Small numbers: a share is hidden ('<11') where the group's count, the participants or those outside "
              "the group number 1–10, since a share with its total would give them back."),
    "language": ("Residents who speak each language other than English (the city's language table) living within a "
                 "30-minute walk of a place-based programme offered in that language, against all of them."),
    "provision": ("Weekly places at step-free venues per 1,000 disabled residents (population × declared disability "
                  "share), and places meeting in the evening or at the weekend per 1,000 residents, beside the need "
                  "index. Areas are ranked by need."),
}


@dataclass(frozen=True)
class InclusionState:
    group: str = "65plus"
    quarters: int = DEFAULT_QUARTERS


def state_from_query(query: Mapping) -> InclusionState:
    """The reader's choices from the URL, each checked against an allow-list.

    >>> state_from_query({"group": "poc", "quarters": "8"}), state_from_query({"group": "x'--"}).group
    (InclusionState(group='poc', quarters=8), '65plus')
    """
    q = QUERY_KEYS
    return InclusionState(
        group=url_state.choice(query, q["group"], GROUP_KEYS, "65plus"),
        quarters=int(url_state.choice(query, q["quarters"], [str(x) for x in QUARTER_CHOICES],
                                      str(DEFAULT_QUARTERS))))


def state_to_query(state: InclusionState) -> dict[str, str]:
    return {QUERY_KEYS["group"]: state.group, QUERY_KEYS["quarters"]: str(int(state.quarters))}


def state_from_widgets(session: Mapping, fallback: InclusionState) -> InclusionState:
    k = WIDGET_KEYS
    return InclusionState(group=str(session.get(k["group"], fallback.group)),
                          quarters=int(session.get(k["quarters"], fallback.quarters)))


def quarters_label(q: int) -> str:
    return "Latest quarter" if int(q) == 1 else f"Latest {int(q)} quarters"


@dataclass
class InclusionData:
    """The tables every Inclusion view starts from (cached per database)."""

    programs: pd.DataFrame   # active on the as-of date
    periods: pd.DataFrame
    tracts: pd.DataFrame
    areas: pd.DataFrame      # area_id, name, population, need (0-1)
    shares: pd.DataFrame     # resident_shares, indexed by area_id
    languages: pd.DataFrame
    as_of: dt.date
    catchments: pd.DataFrame | None = None  # inclusion.catchment_shares, made once (it depends on no filter)
    # The inventory's digest, once computed: a memo (left out of the shared-result fingerprint).
    protected: dict = field(default_factory=dict, repr=False, metadata={"memo": True})

    def __post_init__(self) -> None:
        if self.catchments is None:
            self.catchments = inclusion.catchment_shares(self.programs, self.tracts, self.shares)


def inclusion_data(con) -> InclusionData:
    info = queries.build_info(con)
    as_of = dt.date.fromisoformat(info["as_of"])
    programs = active_programs(queries.programs(con), as_of)
    areas = queries.areas(con)[["area_id", "name", "population"]]
    indicator_ids = sorted({g.indicator for g in inclusion.GROUPS})
    shares = inclusion.resident_shares(queries.latest_indicators(con, indicator_ids), areas["area_id"])
    need = need_for(con).index
    areas = areas.assign(need=areas["area_id"].map(need).astype(float))
    return InclusionData(programs=programs, periods=queries.program_periods(con), tracts=queries.tracts(con),
                         areas=areas, shares=shares, languages=queries.area_languages(con), as_of=as_of)


def protection(data: InclusionData, group: str, quarters: int) -> dict:
    """What to hide of one group's shares over one window (the group's windows protected together), remembered in the
    process on the inventory's digest (:mod:`core.views.reach_protection`): the Inclusion page, every brief and
    Impact's protection read the same result, computed once (its audit solves linear programs)."""
    return reach_protection.shares(data.programs, data.periods, group, int(quarters),
                                   reach_protection.digest_of(data))


def _protect(d: pd.DataFrame, codes) -> pd.DataFrame:
    """The disparity rows with the linked-set protection applied: "small" and "withheld" shares hidden."""
    codes = pd.Series(codes, index=d.index, dtype=object).fillna("")
    recorded = ~d["status"].isin(["not recorded"])
    status = d["status"].where(~(recorded & codes.eq("small")), "small")
    # Withheld overrides the share's own "small": its "at most 10" would pin a count it adds up to.
    status = status.where(~(recorded & codes.eq("withheld")), "withheld")
    d = d.assign(status=status)
    d.loc[d["status"].isin(["small", "withheld"]), ["share", "lo", "hi", "gap", "gap_lo", "gap_hi"]] = np.nan
    return d


# --- disparities ---------------------------------------------------------------------------------------------------


def _pts(x) -> pd.Series:
    return (pd.Series(x, dtype=float) * 100).round(1)


def _published(d: pd.DataFrame) -> pd.DataFrame:
    """The display columns of a disparity table, with hidden and missing cells in words."""
    status = d["status"].to_numpy()
    out = pd.DataFrame({
        "Participants in group (%)": _pts(d["share"]).astype(object),
        "95% CI low (%)": _pts(d["lo"]).astype(object), "95% CI high (%)": _pts(d["hi"]).astype(object),
        "Residents in group (%)": _pts(d["resident_share"]),
        "Disparity (points)": _pts(d["gap"]).astype(object),
        "Disparity CI low": _pts(d["gap_lo"]).astype(object), "Disparity CI high": _pts(d["gap_hi"]).astype(object),
        "Note": [{"shown": "", "small": "fewer than 11 in a count behind it",
                  "withheld": "withheld: it would give back a hidden small count",
                  "not recorded": "group not recorded",
                  "no resident share": "no residents' share declared"}[s] for s in status],
    })
    hidden, withheld = status == "small", status == "withheld"
    for column in ("Participants in group (%)", "95% CI low (%)", "95% CI high (%)", "Disparity (points)",
                   "Disparity CI low", "Disparity CI high"):
        values = out[column].to_numpy(dtype=object, copy=True)
        values[hidden] = SUPPRESSED
        values[withheld] = COMPLEMENTARY
        out[column] = values
    return out


def _order(d: pd.DataFrame, names: pd.Series) -> np.ndarray:
    """Most under-reached first: shown disparities ascending, then the rest by name."""
    key = np.where(d["status"].to_numpy() == "shown", d["gap"].to_numpy(dtype=float), np.inf)
    return np.lexsort((names.astype(str).to_numpy(), key))


def programme_disparities(data: InclusionData, state: InclusionState) -> pd.DataFrame:
    """One row per programme for the chosen group, most under-reached first."""
    d = inclusion.program_disparities(data.programs, data.periods, data.tracts, data.shares, state.quarters,
                                      catchments=data.catchments)
    # Only the programmes running now are listed (a closed one would be a row without a name).
    d = d.loc[(d["group"] == state.group) & d["program_id"].isin(set(data.programs["program_id"]))]
    d = _protect(d.reset_index(drop=True), d["program_id"].map(
        protection(data, state.group, state.quarters)["programme"]).to_numpy())
    lookup = data.programs.set_index("program_id")
    names = d["program_id"].map(lookup["name"])
    out = pd.concat([pd.DataFrame({"Programme": names.to_numpy(),
                                   "Area": d["program_id"].map(lookup["area_name"]).to_numpy(),
                                   "Type": d["program_id"].map(lookup["type"]).map(TYPE_LABELS).to_numpy()}),
                     _published(d)], axis=1)
    return out.iloc[_order(d, names)].reset_index(drop=True)


def area_disparities(data: InclusionData, state: InclusionState) -> pd.DataFrame:
    """One row per area for the chosen group (areas without programmes say so), most under-reached first."""
    d = inclusion.area_disparities(data.programs, data.periods, data.shares, state.quarters)
    d = d.loc[d["group"] == state.group].set_index("area_id")
    d = d.reindex(data.areas["area_id"].to_numpy())
    d["resident_share"] = data.shares[state.group].reindex(d.index).to_numpy()
    d["status"] = d["status"].fillna("not recorded")
    d = d.reset_index()
    d = _protect(d, d["area_id"].map(protection(data, state.group, state.quarters)["area"]).to_numpy())
    names = data.areas["name"].reset_index(drop=True)
    out = pd.concat([pd.DataFrame({"Area": names, "area_id": data.areas["area_id"].to_numpy()}), _published(d)],
                    axis=1)
    return out.iloc[_order(d, names)].reset_index(drop=True)


def group_summary(data: InclusionData, state: InclusionState) -> pd.DataFrame:
    """Every group across the city: all programmes pooled against the residents of the areas that declare a share."""
    counts = inclusion.group_counts(data.periods, state.quarters)
    pooled = counts.groupby("group", sort=False)[["k", "n"]].sum(min_count=1).reindex(list(GROUP_KEYS))
    pop = data.areas.set_index("area_id")["population"]
    resident = []
    for key in GROUP_KEYS:
        s = data.shares[key].dropna()
        w = pop.reindex(s.index)
        resident.append(float((s * w).sum() / w.sum()) if len(s) and w.sum() > 0 else np.nan)
    d = inclusion.disparity(pooled["k"].to_numpy(), pooled["n"].to_numpy(), resident)
    # Each group's city share is the city cell of that group's own linked set (as the brief and the tables use it).
    d = _protect(d, [protection(data, key, state.quarters)["city"] for key in GROUP_KEYS])
    return pd.concat([pd.DataFrame({"Group": [GROUP_LABELS[k] for k in GROUP_KEYS]}), _published(d)], axis=1)


def _gap_class(gap_points: np.ndarray) -> np.ndarray:
    idx = np.digitize(gap_points, GAP_BINS)
    return np.where(np.isnan(gap_points), -1, idx)


def disparity_map(areas_geo: pd.DataFrame, table: pd.DataFrame, state: InclusionState) -> tuple[pdk.Deck, str]:
    """Areas coloured by the disparity class (purple above residents, orange below); hidden or missing in grey."""
    body = table.set_index("area_id").reindex(areas_geo["area_id"].to_numpy())
    gap = pd.to_numeric(body["Disparity (points)"], errors="coerce").to_numpy(dtype=float)
    cls = _gap_class(gap)
    colours = [DIVERGING[5][c] if c >= 0 else NO_DATA for c in cls]
    label = GROUP_LABELS[state.group]
    props = pd.DataFrame({
        "name": areas_geo["name"].to_numpy(),
        "label": [f"{label}: participants {_cell(s)} vs residents {_cell(r)}"
                  for s, r in zip(body["Participants in group (%)"], body["Residents in group (%)"])],
        "detail": [f"Disparity {_cell(g, ' points')}" + (f" ({n})" if n else "")
                   for g, n in zip(body["Disparity (points)"], body["Note"].fillna(""))],
    })
    deck = maps.deck([maps.area_layer(maps.area_features(areas_geo, colours, props))], areas_geo,
                     "<b>{name}</b><br/>{label}<br/>{detail}")
    items = list(zip(DIVERGING[5], GAP_LABELS)) + [(NO_DATA, "no programme, hidden (<11), or no declared share")]
    return deck, maps.legend_html(items, f"{label}: participants' share minus residents' share")


def _cell(value, suffix: str = "%") -> str:
    if isinstance(value, str):
        return value
    return "–" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{number(value, 1)}{suffix}"


# --- language access, step-free and after-hours ---------------------------------------------------------------------


def _place_based(data: InclusionData) -> pd.DataFrame:
    return data.programs.loc[data.programs["type"].isin(PLACE_BASED_TYPES)]


def language_tables(data: InclusionData) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """(by language, by area, city share in reach). Speakers are the published estimates, not inventory counts."""
    by_lang, by_area = inclusion.language_reach(_place_based(data), data.tracts, data.languages)
    total = float(by_lang["speakers"].sum())
    share = float(by_lang["in_reach"].sum() / total) if total > 0 else np.nan
    lang = pd.DataFrame({"Language": by_lang["language"].str.capitalize(),
                         "Speakers": by_lang["speakers"].round(0),
                         "Within reach of a programme in it": by_lang["in_reach"].round(0),
                         "Share within reach (%)": (by_lang["share"] * 100).round(1)})
    names = data.areas.set_index("area_id")["name"]
    area = pd.DataFrame({"Area": by_area["area_id"].map(names),
                         "Speakers of other languages": by_area["speakers"].round(0),
                         "Within reach in their language": by_area["in_reach"].round(0),
                         "Share within reach (%)": (by_area["share"] * 100).round(1)})
    area = area.sort_values(["Share within reach (%)", "Area"]).reset_index(drop=True)
    return lang, area, share


def provision_table(data: InclusionData) -> pd.DataFrame:
    """Step-free and after-hours places against need, one row per area, neediest first."""
    p = inclusion.provision(data.programs, data.areas, data.shares)
    out = pd.DataFrame({
        "Area": p["name"], "Need percentile": (p["need"] * 100).round(0), "Programmes": p["programmes"].astype(int),
        "Weekly places": p["places"].round(0), "Step-free share of places (%)": (p["step_free_share"] * 100).round(1),
        "Step-free places per 1,000 disabled residents": p["step_free_per_1000_disabled"].round(2),
        "Evening/weekend share of places (%)": (p["after_hours_share"] * 100).round(1),
        "Evening/weekend places per 1,000 residents": p["after_hours_per_1000"].round(2),
    })
    return out.sort_values(["Need percentile", "Area"], ascending=[False, True], na_position="last").reset_index(
        drop=True)


def headline(data: InclusionData, state: InclusionState) -> tuple[str, str, str]:
    s = group_summary(data, state)
    row = s.loc[s["Group"] == GROUP_LABELS[state.group]].iloc[0]
    value = _cell(row["Disparity (points)"], " points")
    return (f"{GROUP_LABELS[state.group]}: participants' share minus residents' share, all programmes",
            value if not value.startswith("-") else value.replace("-", "−", 1), HELP["disparity"])


def download(table: pd.DataFrame) -> bytes:
    """CSV of a published table: it holds no counts of people, only shares already checked; names neutralised."""
    return safe_csv(table.drop(columns=[c for c in ("area_id",) if c in table.columns]))


def caption(data: InclusionData, state: InclusionState) -> str:
    n = len(data.programs)
    return (f"{n} programmes running on {data.as_of:%Y-%m-%d}; participants over the {quarters_label(state.quarters).lower()}"
            f" in the data. {HELP['small']}")


def language_sentence(share: float) -> str:
    """The language-access headline, or why there is none.

    >>> language_sentence(float("nan"))
    "The city's data lists no languages spoken at home, so language access cannot be measured."
    """
    if np.isnan(share):
        return "The city's data lists no languages spoken at home, so language access cannot be measured."
    return (f"{percent(share * 100)} of residents who speak a language other than English live within a 30-minute "
            "walk of a programme offered in their language.")
