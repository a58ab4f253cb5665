"""What the Volunteers & partners page shows: volunteer time and value, fragility, professional partners, referrals.

Small numbers. Volunteers and referrals are people, so no count of them is published: the tables hold hours,
money, programme counts and rates. The rates are published by area only, protected as one linked set with the
counts behind them (:mod:`core.analysis.volunteer_disclosure`): "<11" where a count behind a rate is 1-10,
"suppressed" where it is hidden to protect a small count elsewhere. Hours, dollars and coordinators (a staffing
fact, as on the Data & methods downloads) are not counts of people served.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pydeck as pdk

from core.analysis import volunteers as vo
from core.analysis import volunteer_disclosure as vd
from core.analysis.coverage import TYPE_LABELS
from core.analysis.funding import VOLUNTEER_HOUR_VALUE_SOURCE, VOLUNTEER_HOUR_VALUE_USD
from core.analysis.need import need_for
from core.analysis.suppression import COMPLEMENTARY, SUPPRESSED, safe_csv
from core.base.formatting import money, number, percent
from core.base.palettes import CATEGORICAL, NO_DATA, hex_to_rgb
from core.store import queries
from core.views import maps, reach_protection, url_state
from core.views.funding import active_programs

QUARTER_CHOICES = (1, 2, 4, 8)
DEFAULT_QUARTERS = 4
HOURLY_MIN, HOURLY_MAX = 0.0, 200.0
WIDGET_KEYS = {"quarters": "vo_quarters", "hourly": "vo_hourly"}
QUERY_KEYS = {"quarters": "quarters", "hourly": "hourly"}
PROGRAM_COLOR = CATEGORICAL[1]
SITE_COLOR = CATEGORICAL[5]
LINE_COLOR = CATEGORICAL[0]

HELP = {
    "value": f"Volunteer hours over the window × the hourly value. Default hourly value: {VOLUNTEER_HOUR_VALUE_SOURCE}.",
    "fragility": ("Single coordinator: the programme names one coordinator, so it hangs on one person. Retention: of "
                  "the volunteers active in the window's first quarter, the share still active in its last "
                  "((active at the end − joined since) ÷ active at the start). Volunteers per participant: active "
                  "volunteers over participants, quarter by quarter summed."),
    "small": ("Small numbers: volunteers and referrals are people, so a rate built on 1–10 of them (or giving back "
              "1–10 retained or lost volunteers) shows '<11', and one that would give such a count back shows "
              "'suppressed'. Rates are given by area, not by programme, where most would rest on 1–10 people. Hours, "
              "dollars and programme counts are shown in full."),
    "partners": ("A professional partner trains, supervises, takes referrals from or co-delivers with the programme. "
                 "Lines join each programme to its partner where the partner is a service site in the city's list; a "
                 "partner given by name has no place on the map and is listed in the table."),
    "referrals": "Referrals to and from professional services per 100 participants, over the quarters that record them.",
    "unpartnered": ("High-need areas (need index in the top third) where no programme has a professional partner, "
                    "neediest first. An area with no programme at all is listed too."),
}


@dataclass(frozen=True)
class VolunteerState:
    quarters: int = DEFAULT_QUARTERS
    hourly: float = VOLUNTEER_HOUR_VALUE_USD


def state_from_query(query: Mapping) -> VolunteerState:
    """The reader's choices from the URL, checked and clamped.

    >>> state_from_query({"quarters": "8", "hourly": "1e9"})
    VolunteerState(quarters=8, hourly=200.0)
    """
    q = QUERY_KEYS
    return VolunteerState(
        quarters=int(url_state.choice(query, q["quarters"], [str(x) for x in QUARTER_CHOICES],
                                      str(DEFAULT_QUARTERS))),
        hourly=url_state.number(query, q["hourly"], HOURLY_MIN, HOURLY_MAX, VOLUNTEER_HOUR_VALUE_USD))


def state_to_query(state: VolunteerState) -> dict[str, str]:
    return {QUERY_KEYS["quarters"]: str(int(state.quarters)), QUERY_KEYS["hourly"]: f"{state.hourly:g}"}


def state_from_widgets(session: Mapping, fallback: VolunteerState) -> VolunteerState:
    k = WIDGET_KEYS
    return VolunteerState(quarters=int(session.get(k["quarters"], fallback.quarters)),
                          hourly=float(session.get(k["hourly"], fallback.hourly)))


def quarters_label(q: int) -> str:
    return "Latest quarter" if int(q) == 1 else f"Latest {int(q)} quarters"


@dataclass
class VolunteerData:
    programs: pd.DataFrame   # active on the as-of date
    periods: pd.DataFrame
    areas: pd.DataFrame      # area_id, name, population, need (0-1)
    sites: pd.DataFrame
    as_of: dt.date
    # The inventory's digest, once computed: a memo (left out of the shared-result fingerprint).
    protected: dict = field(default_factory=dict, repr=False, metadata={"memo": True})


def protection(data: VolunteerData, quarters: int) -> dict:
    """:func:`core.analysis.volunteer_disclosure.hidden_rates` of one window, remembered in the process on the
    inventory's digest (its audit solves linear programs). The participant totals the Inclusion shares give away
    are in the set, held fixed (:mod:`core.analysis.reach_counts`): the same programmes' participants."""
    digest = reach_protection.digest_of(data)
    return reach_protection.remembered(
        (digest, "volunteers", int(quarters), vd.PUBLISHED_LEVELS),
        lambda: vd.hidden_rates(data.programs, data.periods, int(quarters), vd.PUBLISHED_LEVELS,
                                reach_protection.totals(data.programs, data.periods, digest)))


def volunteer_data(con) -> VolunteerData:
    as_of = dt.date.fromisoformat(queries.build_info(con)["as_of"])
    areas = queries.areas(con)[["area_id", "name", "population"]]
    need = need_for(con).index
    return VolunteerData(programs=active_programs(queries.programs(con), as_of),
                         periods=queries.program_periods(con),
                         areas=areas.assign(need=areas["area_id"].map(need).astype(float)),
                         sites=queries.service_sites(con), as_of=as_of)


# --- tables --------------------------------------------------------------------------------------------------------


def _rate(values: pd.Series, codes: pd.Series, digits: int, scale: float = 1.0) -> np.ndarray:
    """A rate column for display: rounded where shown, "<11" where a count behind it is 1-10, "suppressed" where
    it is withheld to protect a small count elsewhere, blank where there is none."""
    v = (pd.to_numeric(values, errors="coerce") * scale).round(digits).to_numpy(dtype=object, copy=True)
    codes = codes.astype(object).where(codes.notna(), "").to_numpy(dtype=object)
    present = values.notna().to_numpy()
    v[present & (codes == "small")] = SUPPRESSED
    v[present & (codes == "withheld")] = COMPLEMENTARY
    return v


RATE_COLUMNS = {"retention": ("Retention over the window (%)", 1, 100.0),
                "volunteers_per_participant": ("Volunteers per participant", 2, 1.0),
                "referrals_to_per_100": ("Referrals to professionals per 100 participants", 1, 1.0),
                "referrals_from_per_100": ("Referrals from professionals per 100 participants", 1, 1.0)}


def _rates(t: pd.DataFrame, codes: dict, level: str, key: str) -> dict[str, np.ndarray]:
    """The four rate columns, hidden as the linked protection says (``codes``: hidden_rates of the window)."""
    return {label: _rate(t[rate], t[key].map(codes[rate][level]), digits, scale)
            for rate, (label, digits, scale) in RATE_COLUMNS.items()}


def programme_table(data: VolunteerData, state: VolunteerState) -> pd.DataFrame:
    """Per programme: coordinators, hours, value, retention, volunteers per participant, referrals, partner and roles.

    Ranked with single-coordinator programmes first, then by volunteer hours (largest first): the programmes that
    carry the most on the fewest shoulders lead.
    """
    t = vo.program_volunteers(data.programs, data.periods, state.quarters, state.hourly)
    p = data.programs.set_index("program_id")
    site_names = data.sites.set_index("site_id")["name"]
    site = vo.partner_site(data.programs, data.sites)
    partner = [site_names.get(s, s) if isinstance(s, str) else (raw if isinstance(raw, str) else "")
               for s, raw in zip(site, data.programs["professional_partner"])]
    out = pd.DataFrame({
        "Programme": t["program_id"].map(p["name"]).to_numpy(),
        "Area": t["program_id"].map(p["area_name"]).to_numpy(),
        "Type": t["program_id"].map(p["type"]).map(TYPE_LABELS).to_numpy(),
        "Coordinators": t["coordinators"].astype("Int64").to_numpy(),
        "Single coordinator": np.where(t["single_coordinator"], "Yes", "No"),
        "Volunteer hours": t["hours"].round(0).to_numpy(),
        "Value of volunteer time ($)": t["value"].round(0).to_numpy(),
        # Rates by programme only where they are published (core.analysis.volunteer_disclosure.PUBLISHED_LEVELS).
        **(_rates(t, protection(data, state.quarters), "programme", "program_id")
           if "programme" in vd.PUBLISHED_LEVELS else {}),
        "Professional partner": partner,
        "Partner role": data.programs["partner_role"].fillna("").map(
            lambda r: ", ".join(vo.PARTNER_ROLES.get(x, x) for x in r.split(";") if x)).to_numpy(),
    })
    order = np.lexsort((out["Programme"].astype(str).to_numpy(), -np.nan_to_num(out["Volunteer hours"].astype(float)),
                        (~t["single_coordinator"].to_numpy(dtype=bool)).astype(int)))
    return out.iloc[order].reset_index(drop=True)


def area_table(data: VolunteerData, state: VolunteerState) -> pd.DataFrame:
    """Per area: programmes, single-coordinator ones, hours and value, pooled rates, share with a partner."""
    per = vo.program_volunteers(data.programs, data.periods, state.quarters, state.hourly)
    a = vo.area_volunteers(per, data.areas, state.hourly)
    share = vo.partnership_shares(data.programs, by="area_id").set_index("area_id")["share_with_partner"]
    out = pd.DataFrame({
        "Area": a["name"].to_numpy(), "area_id": a["area_id"].to_numpy(),
        "Programmes": a["programmes"].to_numpy(),
        "Single-coordinator programmes": a["single_coordinator"].to_numpy(),
        "Volunteer hours": a["hours"].round(0).to_numpy(),
        "Value of volunteer time ($)": a["value"].round(0).to_numpy(),
        **_rates(a, protection(data, state.quarters), "area", "area_id"),
        "Programmes with a professional partner (%)": (a["area_id"].map(share) * 100).round(1).to_numpy(),
    })
    return out.sort_values(["Volunteer hours", "Area"], ascending=[False, True], na_position="last").reset_index(
        drop=True)


def role_table(data: VolunteerData) -> pd.DataFrame:
    """The share of programmes with a professional partner, and with each role (programmes, not people)."""
    s = vo.partnership_shares(data.programs).iloc[0]
    rows = [("Any professional partner", s["with_partner"], s["share_with_partner"])]
    for role, label in vo.PARTNER_ROLES.items():
        rows.append((label, round(s[f"share_{role}"] * s["programmes"]), s[f"share_{role}"]))
    return pd.DataFrame({"Partnership": [r[0] for r in rows], "Programmes": [int(r[1]) for r in rows],
                         "Share of programmes (%)": [round(r[2] * 100, 1) for r in rows]})


def unpartnered_table(data: VolunteerData) -> pd.DataFrame:
    u = vo.unpartnered_need(data.programs, data.areas)
    return pd.DataFrame({"Area": u["name"], "Need percentile": (u["need"] * 100).round(0),
                         "Programmes": u["programmes"]})


def headlines(data: VolunteerData, state: VolunteerState) -> list[tuple[str, str, str]]:
    per = vo.program_volunteers(data.programs, data.periods, state.quarters, state.hourly)
    shares = vo.partnership_shares(data.programs).iloc[0]
    n = len(per)
    single = int(per["single_coordinator"].sum())
    return [
        (f"Volunteer hours, {quarters_label(state.quarters).lower()}", number(per["hours"].sum()), HELP["value"]),
        ("Their value", money(per["value"].sum()), HELP["value"]),
        ("Programmes with a single coordinator", f"{single} of {n}" if n else "–", HELP["fragility"]),
        ("Programmes with a professional partner", percent(shares["share_with_partner"] * 100) if n else "–",
         HELP["partners"]),
    ]


# --- the map -------------------------------------------------------------------------------------------------------


def partner_links(data: VolunteerData) -> pd.DataFrame:
    """One row per programme whose partner is a known service site: both ends, for the lines on the map."""
    site = vo.partner_site(data.programs, data.sites)
    keep = site.notna().to_numpy()
    p = data.programs.loc[keep]
    s = data.sites.set_index("site_id").loc[site[keep].to_numpy()]
    return pd.DataFrame({"name": p["name"].to_numpy(), "site": s["name"].to_numpy(),
                         "role": p["partner_role"].fillna("").str.replace(";", ", ").to_numpy(),
                         "from_lon": p["lon"].to_numpy(), "from_lat": p["lat"].to_numpy(),
                         "to_lon": s["lon"].to_numpy(), "to_lat": s["lat"].to_numpy()})


def partner_map(areas_geo: pd.DataFrame, data: VolunteerData, table: pd.DataFrame) -> tuple[pdk.Deck, str]:
    """Areas shaded by the share of programmes with a partner; each programme joined by a line to its partner site."""
    body = table.set_index("area_id").reindex(areas_geo["area_id"].to_numpy())
    share = pd.to_numeric(body["Programmes with a professional partner (%)"], errors="coerce").to_numpy(dtype=float)
    classes = maps.classify(share, k=4, fmt="{:,.0f}%")
    colours = [classes.colors[i] if i >= 0 else NO_DATA for i in classes.index]
    props = pd.DataFrame({
        "name": areas_geo["name"].to_numpy(),
        "label": [f"{number(s, 0)}% of programmes have a professional partner" if not np.isnan(s) else "No programme"
                  for s in share],
        "detail": [f"{number(h)} volunteer hours" for h in pd.to_numeric(body["Volunteer hours"], errors="coerce")],
    })
    layers = [maps.area_layer(maps.area_features(areas_geo, colours, props))]
    links = partner_links(data)
    if len(links):
        lines = links.assign(name=links["name"].map(html.escape),
                             label=("Partner: " + links["site"]).map(html.escape),
                             detail=("Role: " + links["role"].replace("", "not given")).map(html.escape))
        layers.append(pdk.Layer("LineLayer", id="partner-links", data=lines, get_source_position=["from_lon", "from_lat"],
                                get_target_position=["to_lon", "to_lat"], get_color=hex_to_rgb(LINE_COLOR, 200),
                                get_width=2, width_min_pixels=1, pickable=True))
        used = data.sites.loc[data.sites["site_id"].isin(set(vo.partner_site(data.programs, data.sites).dropna()))]
        layers.append(maps.points_layer(used[["name", "lon", "lat"]].assign(label="Professional partner site",
                                                                           detail=used["kind"].astype(str)),
                                        "partner-sites", SITE_COLOR, radius=90))
    p = data.programs
    if len(p):
        pts = pd.DataFrame({"name": p["name"], "lon": p["lon"], "lat": p["lat"],
                            "label": p["type"].map(TYPE_LABELS).fillna(p["type"]),
                            "detail": ["Coordinators: " + number(c) for c in p["coordinator_count"]]})
        layers.append(maps.points_layer(pts, "programmes", PROGRAM_COLOR, radius=50))
    deck = maps.deck(layers, areas_geo, "<b>{name}</b><br/>{label}<br/>{detail}")
    legend = maps.legend_html(maps.legend_items(classes), "Programmes with a professional partner")
    legend += maps.legend_html([(PROGRAM_COLOR, "community programme"), (SITE_COLOR, "partner's service site"),
                                (LINE_COLOR, "programme → partner")], "Points and lines")
    return deck, legend


def download(table: pd.DataFrame) -> bytes:
    """CSV of a published table (rates already checked, no counts of people); names neutralised."""
    return safe_csv(table.drop(columns=[c for c in ("area_id",) if c in table.columns]))
