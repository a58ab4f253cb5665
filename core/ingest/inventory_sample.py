"""A seeded, plainly SYNTHETIC programme & funding inventory placed at real venues, for demos and tests.

Every organisation and funder name is invented, every id starts with ``SYN-``, and every figure is drawn
from simple distributions chosen to look like a city's community programmes, not measured.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from core.base.ids import id_sort_key
from core.ingest.inventory_schema import FILES, FUNDING, PARTNER_ROLES, PERIODS, POPULATIONS, PROGRAMS, PSAT_DOMAINS

# Peer support, workshops and community events are what most community mental-health inventories list.
TYPE_WEIGHTS = {"peer_support": 0.26, "workshop": 0.23, "community_event": 0.21, "support_group": 0.14,
                "drop_in": 0.10, "helpline": 0.06}
TYPE_LABELS = {
    "peer_support": ("Peer Support Circle", "Peer Listening Group", "Mutual Aid Circle"),
    "workshop": ("Wellbeing Workshop", "Stress & Resilience Workshop", "Mindfulness Skills Course"),
    "community_event": ("Community Connect Café", "Neighbourhood Social", "Walk & Talk"),
    "support_group": ("Grief Support Group", "Caregivers' Support Group", "Anxiety Support Group"),
    "drop_in": ("Open Door Drop-in", "Wellbeing Drop-in Hub"),
    "helpline": ("Neighbour Warmline", "Listening Line"),
}
# Per type: weekly places, volunteers, sessions a week, and distinct people per quarter per weekly place.
_CAPACITY = {"peer_support": (8, 20), "workshop": (10, 30), "community_event": (10, 60), "support_group": (6, 15),
             "drop_in": (20, 120), "helpline": (40, 300)}
_VOLUNTEERS = {"peer_support": (2, 10), "workshop": (0, 4), "community_event": (3, 15), "support_group": (1, 5),
               "drop_in": (3, 12), "helpline": (8, 40)}
_SESSIONS_PER_WEEK = {"peer_support": 1.0, "workshop": 1.0, "community_event": 0.25, "support_group": 1.0,
                      "drop_in": 2.0, "helpline": 5.0}
_TURNOVER = {"peer_support": 1.8, "workshop": 2.5, "community_event": 3.0, "support_group": 1.5, "drop_in": 3.0,
             "helpline": 5.0}
_EVENING = {"peer_support": 0.45, "workshop": 0.4, "community_event": 0.3, "support_group": 0.45, "drop_in": 0.25,
            "helpline": 0.6}

ORGANISATIONS = (
    "Northside Neighbours Collective", "Lakeshore Peer Network", "Prairie Lantern Wellbeing", "Harbor Light Mutual Aid",
    "Cedar Hollow Community Trust", "Bridgeport Kitchen Table", "Riverbend Listening Project", "Open Porch Alliance",
    "Southline Family Circle", "Westgate Elders Forum", "Second Wind Peer Recovery", "Common Thread Youth Works",
    "Blue Heron Caregivers Network", "Firefly Parents Collective", "Maple & Main Grief Circle",
    "Tallgrass Veterans Fellowship", "Lantern House Drop-in", "Kindred Ground Association",
)
# (name, source type, how often it funds): a few funders back many programmes, so concentration varies.
FUNDERS = (
    ("Lakeside City Office of Community Wellbeing", "local government", 10.0),
    ("Lakeside Ward Small Grants Fund", "local government", 5.0),
    ("Lakeside Park District Community Fund", "local government", 2.5),
    ("Lakeside Library Partnership Programme", "local government", 1.5),
    ("Prairie State Peer Recovery Fund", "state or federal", 3.0),
    ("National Community Resilience Grant Scheme", "state or federal", 2.0),
    ("Prairie State Healthy Ageing Programme", "state or federal", 1.5),
    ("Meridian Family Foundation", "foundation", 7.0),
    ("Lindqvist Trust for Mental Health", "foundation", 4.0),
    ("Ashgrove Foundation", "foundation", 3.0),
    ("Okonkwo-Reyes Fund", "foundation", 1.5),
    ("Cedar Hollow Community Foundation", "foundation", 2.5),
    ("Wren & Marsh Charitable Trust", "foundation", 1.0),
    ("Northwind Logistics Giving", "business", 2.0),
    ("Bluegill Bank Community Fund", "business", 2.5),
    ("Tallgrass Energy Cooperative", "business", 1.0),
    ("Harborview Grocers", "business", 1.0),
    ("Quarry & Pine Insurance", "business", 0.8),
    ("Riverside Giving Circle", "community donations", 2.5),
    ("Annual Neighbourhood Walk-a-thon", "community donations", 2.0),
    ("Parish Outreach Collection", "community donations", 1.5),
    ("Online crowdfunding appeal", "community donations", 1.5),
    ("Host venue (free room use)", "in-kind", 6.0),
    ("Bakery Brothers (refreshments)", "in-kind", 1.5),
    ("PrintWorks Co-op (printing)", "in-kind", 1.0),
)
# What kind of organisation each invented funder is (the optional funder_type column).
FUNDER_KINDS = {
    "Lakeside City Office of Community Wellbeing": "city or county agency",
    "Lakeside Ward Small Grants Fund": "city or county agency",
    "Lakeside Park District Community Fund": "city or county agency",
    "Lakeside Library Partnership Programme": "city or county agency",
    "Prairie State Peer Recovery Fund": "state agency",
    "National Community Resilience Grant Scheme": "federal agency",
    "Prairie State Healthy Ageing Programme": "state agency",
    "Meridian Family Foundation": "family foundation",
    "Lindqvist Trust for Mental Health": "charitable trust",
    "Ashgrove Foundation": "private foundation",
    "Okonkwo-Reyes Fund": "family foundation",
    "Cedar Hollow Community Foundation": "community foundation",
    "Wren & Marsh Charitable Trust": "charitable trust",
    "Northwind Logistics Giving": "company",
    "Bluegill Bank Community Fund": "company",
    "Tallgrass Energy Cooperative": "company",
    "Harborview Grocers": "company",
    "Quarry & Pine Insurance": "company",
    "Riverside Giving Circle": "giving circle",
    "Annual Neighbourhood Walk-a-thon": "individual donors",
    "Parish Outreach Collection": "faith organisation",
    "Online crowdfunding appeal": "individual donors",
    "Host venue (free room use)": "other",
    "Bakery Brothers (refreshments)": "company",
    "PrintWorks Co-op (printing)": "company",
}
# Median and log-spread of a grant's amount, in dollars, by source type; clipped to $2k–$250k.
_AMOUNT = {"local government": (60_000, 0.7), "state or federal": (80_000, 0.6), "foundation": (45_000, 0.8),
           "business": (12_000, 0.7), "community donations": (5_000, 0.6), "in-kind": (3_500, 0.5)}
_RECURRING = {"local government": 0.55, "community donations": 0.6, "in-kind": 0.6}
_WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays")
_SPECIFIC_POPULATIONS = tuple(p for p in POPULATIONS if p != "general")
_SEASON = {1: 1.0, 2: 1.05, 3: 0.88, 4: 0.97}  # summer dips
# A small city's sample stays as dense as a large one's: at most three programmes per venue on average (Chicago's
# 245 at 115 venues is 2.1), and at most a quarter of its areas left empty on purpose (Chicago's 13 of 77 is 17%).
# Neither cap binds for a city of Chicago's or New York's size, so their samples are what they were.
MAX_PROGRAMS_PER_VENUE = 3
MAX_EMPTY_SHARE = 0.25


def _quarters_before(as_of: date, n: int = 8) -> list[pd.Period]:
    last = pd.Period(as_of, freq="Q") - 1
    return [last - k for k in range(n - 1, -1, -1)]


def _nearest_sites(prog_lon: np.ndarray, prog_lat: np.ndarray, sites: pd.DataFrame, k: int) -> np.ndarray:
    # Degrees of longitude shrink with latitude; scaling by cos(lat) makes the tree's distances fair locally.
    scale = np.cos(np.radians(np.nanmean(prog_lat)))
    tree = cKDTree(np.column_stack([sites["lon"].to_numpy() * scale, sites["lat"].to_numpy()]))
    k = min(k, len(sites))
    _, idx = tree.query(np.column_stack([prog_lon * scale, prog_lat]), k=k)
    return idx.reshape(len(prog_lon), k)


def _languages(area_ids: np.ndarray, areas: pd.DataFrame, area_language: pd.DataFrame,
               rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """English plus each of the area's three most-spoken other languages, with probability ∝ its share."""
    langs = area_language.copy()
    name = langs["language"].str.lower()
    usable = ~name.isin(["english", "unspecified"]) & ~name.str.startswith("other") & ~name.str.contains("languages")
    langs = langs[usable & (langs["speakers"] > 0)].assign(language=name)
    pop = areas.set_index("area_id")["population"]
    langs["share"] = langs["speakers"] / langs["area_id"].map(pop)
    langs = langs.sort_values(["area_id", "speakers", "language"], ascending=[True, False, True],
                              key=lambda s: id_sort_key(s) if s.name == "area_id" else s)
    top = langs.groupby("area_id").head(3)
    by_area = {a: (g["language"].tolist(), g["share"].to_numpy()) for a, g in top.groupby("area_id")}
    draws = rng.random((len(area_ids), 3))
    out, offered_share = [], np.zeros(len(area_ids))
    for i, a in enumerate(area_ids):
        names, shares = by_area.get(a, ([], np.zeros(0)))
        take = draws[i, : len(names)] < np.minimum(0.95, 2.5 * shares)
        out.append(";".join(["english", *[n for n, t in zip(names, take) if t]]))
        offered_share[i] = shares[take].sum() if len(names) else 0.0
    return out, offered_share


def _populations(kinds: np.ndarray, rng: np.random.Generator) -> list[str]:
    out = []
    for kind in kinds:
        if kind == "senior centre" and rng.random() < 0.8:
            extra = ["caregivers"] if rng.random() < 0.3 else []
            out.append(";".join(["older_adults", *extra]))
        elif kind in ("college", "city college") and rng.random() < 0.6:
            out.append("youth")
        elif rng.random() < 0.5:
            out.append("general")
        else:
            k = 1 + int(rng.random() < 0.35)
            out.append(";".join(rng.choice(_SPECIFIC_POPULATIONS, size=k, replace=False)))
    return out


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _schedule(kind: str, evening: bool, weekend: bool, rng: np.random.Generator) -> str:
    start = int((1080, 1110, 1140)[rng.integers(3)] if evening else (600, 630, 810, 840)[rng.integers(4)])
    day = ("Saturdays", "Sundays")[rng.integers(2)] if weekend else _WEEKDAYS[rng.integers(5)]
    if kind == "helpline":
        hours = "Mon–Fri 17:00–23:00" if evening else "Mon–Fri 09:00–17:00"
        return hours + (", Sat–Sun 12:00–20:00" if weekend else "")
    if kind == "drop_in":
        return f"Tuesdays & Thursdays {_clock(start)}–{_clock(start + 180)}" + (
            ", Saturdays 11:00–14:00" if weekend else "")
    if kind == "community_event":
        return f"First {day[:-1]} of the month, {_clock(start)}–{_clock(start + 120)}"
    return f"{day} {_clock(start)}–{_clock(start + 90)}"


def _place(venues: pd.DataFrame, area_ids: np.ndarray, n: int,
           rng: np.random.Generator) -> tuple[np.ndarray, pd.DataFrame]:
    """Each programme's area and venue: a heavy-tailed weight per area, 10–15 areas left empty on purpose (at most
    a quarter of them)."""
    # Venues arrive sorted by area in natural id order; keep that order (np.unique would sort the text ids).
    venue_areas = pd.unique(venues["area_id"].to_numpy())
    no_venue = len(area_ids) - len(venue_areas)
    empty = min(int(rng.integers(10, 16)), int(MAX_EMPTY_SHARE * len(area_ids)))
    extra_empty = int(np.clip(empty - no_venue, 0, len(venue_areas) - 1))
    zeroed = rng.choice(venue_areas, size=extra_empty, replace=False) if extra_empty else np.array([], dtype=object)
    active = venue_areas[~np.isin(venue_areas, zeroed)]
    weights = rng.lognormal(0.0, 1.1, len(active))
    weights /= weights.sum()
    if n >= len(active):
        counts = 1 + rng.multinomial(n - len(active), weights)
    else:
        counts = np.zeros(len(active), int)
        counts[rng.choice(len(active), size=n, replace=False, p=weights)] = 1
    prog_area = np.repeat(active, counts)
    # Venues are sorted by area, so an area's venues are a contiguous block: pick uniformly within it.
    first = venues.groupby("area_id").cumcount().eq(0)
    start_of = pd.Series(venues.index[first], index=venues.loc[first, "area_id"].to_numpy())
    size_of = venues.groupby("area_id").size()
    pick = start_of.loc[prog_area].to_numpy() + np.floor(
        rng.random(n) * size_of.loc[prog_area].to_numpy()).astype(int)
    return prog_area, venues.loc[pick].reset_index(drop=True)


def _grants(program_ids: list[str], as_of: date, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """1–4 grants per programme from the funder pool, and each programme's annualised funding.

    The first grant is always committed and running on ``as_of``; the others may have ended or be pending.
    """
    funder_names = np.array([f[0] for f in FUNDERS])
    funder_types = np.array([f[1] for f in FUNDERS])
    funder_w = np.array([f[2] for f in FUNDERS])
    n = len(program_ids)
    n_grants = rng.choice([1, 2, 3, 4], size=n, p=[0.30, 0.35, 0.22, 0.13])
    rows = []
    annual = np.zeros(n)
    for i in range(n):
        chosen = rng.choice(len(FUNDERS), size=n_grants[i], replace=False, p=funder_w / funder_w.sum())
        for g, f in enumerate(chosen):
            source = funder_types[f]
            median, spread = _AMOUNT[source]
            amount = int(np.clip(np.round(median * rng.lognormal(0, spread), -2), 2_000, 250_000))
            term = int(rng.choice([365, 730, 1095], p=[0.5, 0.3, 0.2]))
            state = "committed" if g == 0 else rng.choice(["committed", "ended", "pending"], p=[0.75, 0.12, 0.13])
            if state == "committed":
                start = as_of - timedelta(days=int(rng.integers(30, term)))
            elif state == "ended":
                start = as_of - timedelta(days=int(rng.integers(1, 365)) + term - 1)
            else:
                start = as_of + timedelta(days=int(rng.integers(14, 180)))
            end = start + timedelta(days=term - 1)
            recurring = "true" if rng.random() < _RECURRING.get(source, 0.25) else "false"
            if state != "pending":
                annual[i] += amount * 365 / term
            rows.append((program_ids[i], funder_names[f], source, FUNDER_KINDS[funder_names[f]], amount, str(start),
                         str(end), recurring, state))
    funding = pd.DataFrame(rows, columns=[c for c in FUNDING.columns if c != "funding_id"])
    funding.insert(0, "funding_id", [f"SYN-G{j + 1:04d}" for j in range(len(funding))])
    return funding, annual


def generate_sample(venues: pd.DataFrame, service_sites: pd.DataFrame, areas: pd.DataFrame,
                    area_language: pd.DataFrame, seed: int = 7, as_of: date | None = None) -> dict[str, pd.DataFrame]:
    """A synthetic inventory in the CSV format: ``{'programs.csv': …, 'funding.csv': …, 'program_periods.csv': …}``.

    Programmes (150–250, a seeded count, but at most three per venue) sit at real venues with their coordinates
    and ``venue_id``. They are spread unevenly: a heavy-tailed (log-normal) weight per area, and 10–15 areas
    with none (at most a quarter of the areas), counting those without a venue. Need is deliberately not used,
    so that the atlas has real gaps to find. Each programme has 1–4 grants from a pool of 25 fictional funders
    and eight quarters of activity ending with the quarter before ``as_of``.

    Parameters
    ----------
    venues
        venue_id, name, kind ('library', 'senior centre', 'community service centre', 'city college'),
        lon, lat, area_id.
    service_sites
        site_id, lon, lat (for ``professional_partner``: one of the three nearest).
    areas
        area_id, population, share_65plus (0–1 or NaN); ``need`` may be present and is ignored.
    area_language
        area_id, language, speakers.
    seed
        Same seed, same inputs, same ``as_of`` → byte-identical CSV files.
    as_of
        The date the inventory describes; defaults to today.

    Examples
    --------
    >>> v = pd.DataFrame({"venue_id": [f"v{i}" for i in range(100)], "name": "Hall", "kind": "library",
    ...                   "lon": -87.7, "lat": 41.9, "area_id": [1 + i % 50 for i in range(100)]})
    >>> s = pd.DataFrame({"site_id": ["s1"], "lon": [-87.71], "lat": [41.91]})
    >>> a = pd.DataFrame({"area_id": range(1, 51), "population": 30000.0, "share_65plus": 0.12})
    >>> lang = pd.DataFrame({"area_id": [1], "language": ["spanish"], "speakers": [9000.0]})
    >>> out = generate_sample(v, s, a, lang, seed=1, as_of=date(2026, 1, 15))
    >>> 150 <= len(out["programs.csv"]) <= 250, sorted(out["program_periods.csv"]["period"].unique())[-1]
    (True, '2025Q4')
    >>> len(generate_sample(v[:4], s, a, lang, seed=1, as_of=date(2026, 1, 15))["programs.csv"])  # four venues
    12
    """
    as_of = as_of or date.today()
    rng = np.random.default_rng(seed)
    # Sort every input so the output depends on its content, not on the order it arrived in.
    areas = areas.assign(area_id=areas["area_id"].astype(str)).sort_values("area_id", key=id_sort_key)
    areas = areas.reset_index(drop=True)
    area_ids_all = areas["area_id"].to_numpy()
    venues = venues.assign(area_id=venues["area_id"].astype(str))
    venues = (venues[venues["area_id"].isin(area_ids_all)]
              .sort_values(["area_id", "venue_id"], key=lambda s: id_sort_key(s) if s.name == "area_id" else s)
              .reset_index(drop=True))
    sites = service_sites.sort_values("site_id").reset_index(drop=True)
    area_language = (area_language.assign(area_id=area_language["area_id"].astype(str))
                     .sort_values(["area_id", "language"],
                                  key=lambda s: id_sort_key(s) if s.name == "area_id" else s)
                     .reset_index(drop=True))
    if venues.empty:
        raise ValueError("no venues inside the given areas: the sample places every programme at a venue")

    n = min(int(rng.integers(150, 251)), MAX_PROGRAMS_PER_VENUE * len(venues))

    prog_area, venue = _place(venues, area_ids_all, n, rng)

    # What.
    types = rng.choice(list(TYPE_WEIGHTS), size=n, p=list(TYPE_WEIGHTS.values()))
    label_pick = rng.random(n)
    labels = [TYPE_LABELS[t][int(u * len(TYPE_LABELS[t]))] for t, u in zip(types, label_pick)]
    names = pd.Series([f"{lab} — {vn}" for lab, vn in zip(labels, venue["name"])])
    repeat = names.groupby(names).cumcount()
    names = names.where(repeat.eq(0), names + " (" + (repeat + 1).astype(str) + ")")
    orgs_w = 1.0 / np.arange(1, len(ORGANISATIONS) + 1) ** 0.8
    orgs = rng.choice(ORGANISATIONS, size=n, p=orgs_w / orgs_w.sum())
    languages, offered_share = _languages(prog_area, areas, area_language, rng)
    kinds = venue["kind"].to_numpy()
    step_free = rng.random(n) < np.select([np.isin(kinds, ["library", "college", "city college"]), kinds == "senior centre"],
                                          [0.9, 0.8], 0.65)
    evening = rng.random(n) < np.array([_EVENING[t] for t in types])
    weekend = rng.random(n) < np.where(types == "community_event", 0.45, 0.2)
    free = rng.random(n) < np.where(types == "workshop", 0.75, 0.88)
    pops = _populations(kinds, rng)
    childcare = rng.random(n) < np.where([("new_parents" in p) or ("caregivers" in p) for p in pops], 0.5, 0.08)
    schedules = [_schedule(t, e, w, rng) for t, e, w in zip(types, evening, weekend)]
    cap_lo = np.array([_CAPACITY[t][0] for t in types])
    cap_hi = np.array([_CAPACITY[t][1] for t in types])
    capacity = rng.integers(cap_lo, cap_hi + 1)
    vol_lo = np.array([_VOLUNTEERS[t][0] for t in types])
    vol_hi = np.array([_VOLUNTEERS[t][1] for t in types])
    volunteers = rng.integers(vol_lo, vol_hi + 1)
    volunteer_hours_year = np.round(volunteers * rng.uniform(40, 160, n)).astype(int)
    coordinators = rng.choice([1, 2, 3, 4], size=n, p=[0.35, 0.40, 0.17, 0.08])
    partner = np.full(n, "", dtype=object)
    if len(sites):
        near = _nearest_sites(venue["lon"].to_numpy(), venue["lat"].to_numpy(), sites, 3)
        which = near[np.arange(n), rng.integers(0, near.shape[1], n)]
        has = rng.random(n) < 0.7
        partner[has] = sites["site_id"].to_numpy()[which[has]]

    quarters = _quarters_before(as_of)
    first_q = quarters[0].start_time.date()
    started = [first_q - timedelta(days=int(d)) for d in rng.integers(0, 9 * 365, n)]
    planned_end = rng.random(n) < 0.08
    end_days = rng.integers(90, 720, n)
    ended = [str(as_of + timedelta(days=int(d))) if e else "" for e, d in zip(planned_end, end_days)]
    program_ids = [f"SYN-P{i + 1:03d}" for i in range(n)]

    funding, annual = _grants(program_ids, as_of, rng)

    declared = pd.array(np.where(rng.random(n) < 0.3, np.round(annual * rng.uniform(0.9, 1.25, n), -2), np.nan),
                        dtype="Int64")

    programs = pd.DataFrame({
        "program_id": program_ids, "name": names, "organization_name": orgs, "service_type": types,
        "venue_id": venue["venue_id"].to_numpy(), "location_name": venue["name"].to_numpy(),
        "latitude": venue["lat"].to_numpy(), "longitude": venue["lon"].to_numpy(),
        "weekly_capacity": capacity, "languages": languages,
        **{k: np.where(v, "true", "false") for k, v in
           {"step_free": step_free, "evening": evening, "weekend": weekend, "free": free,
            "childcare": childcare}.items()},
        "populations_served": pops, "schedule_description": schedules, "volunteer_count": volunteers,
        "coordinator_count": coordinators, "volunteer_hours_year": volunteer_hours_year,
        "professional_partner": partner, "declared_budget": declared,
        "start_date": [str(d) for d in started], "end_date": ended,
    })

    periods = _periods(programs, types, kinds, prog_area, pops, offered_share, annual, areas, quarters, rng)
    # The inclusion, volunteer, partnership and sustainability fields draw from their own stream, so adding them
    # left every figure above exactly as it was for a given seed.
    extra = np.random.default_rng([seed, 12])
    programs, periods = _reach_and_backing(programs, periods, types, as_of, extra)
    return {PROGRAMS.name: programs[PROGRAMS.columns], FUNDING.name: funding[FUNDING.columns],
            PERIODS.name: periods[PERIODS.columns]}


# Group shares among participants: (low, high) of a uniform draw per programme. Invented, broadly the range
# community programmes in a large US city report.
_GROUP_SHARES = {"participants_disability": (0.08, 0.30), "participants_low_income": (0.15, 0.55),
                 "participants_poc": (0.25, 0.85)}


def _reach_and_backing(programs: pd.DataFrame, periods: pd.DataFrame, types: np.ndarray, as_of: date,
                       rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Participants by group, volunteer turnover, partner roles and referrals, PSAT scores, and BRS outcomes."""
    programs, periods = programs.copy(), periods.copy()
    n, rows = len(programs), len(periods)
    q = rows // n if n else 0
    participants = periods["participants"].to_numpy()
    # Not every programme records every group: about one in six leaves a group blank.
    for column, (lo, hi) in _GROUP_SHARES.items():
        share = np.repeat(rng.uniform(lo, hi, n), q)
        counts = pd.array(rng.binomial(participants, share), dtype="Int64")
        records = np.repeat(rng.random(n) < 0.85, q)
        counts[~records] = pd.NA
        periods[column] = counts

    active = periods["volunteers_active"].to_numpy()
    rate = np.repeat(rng.uniform(0.03, 0.25, n), q)
    periods["volunteers_left"] = rng.binomial(active, rate)
    periods["volunteers_joined"] = rng.binomial(np.maximum(active, 1), rate * rng.uniform(0.6, 1.4, rows))

    partner = programs["professional_partner"].astype(str).ne("") & programs["professional_partner"].notna()
    roles = []
    for has in partner:
        if not has:
            roles.append("")
            continue
        k = 1 + int(rng.random() < 0.45) + int(rng.random() < 0.15)
        roles.append(";".join(sorted(rng.choice(PARTNER_ROLES, size=k, replace=False),
                                     key=PARTNER_ROLES.index)))
    programs["partner_role"] = roles
    refers = np.repeat([("referral" in r) for r in roles], q)
    to_rate = np.where(refers, rng.uniform(0.04, 0.15, rows), rng.uniform(0.0, 0.03, rows))
    periods["referrals_to_professional"] = rng.binomial(participants, to_rate)
    periods["referrals_from_professional"] = rng.poisson(np.where(refers, 4.0, 0.5) * np.ones(rows))

    # PSAT: about 60% of programmes have assessed themselves; a programme's level plus a spread per domain, with
    # funding stability and strategic planning the usual weak spots.
    assessed = rng.random(n) < 0.6
    level = rng.normal(4.6, 0.8, n)
    offsets = {"psat_funding_stability": -0.7, "psat_strategic_planning": -0.4, "psat_partnerships": 0.2,
               "psat_program_adaptation": 0.3}
    for column in PSAT_DOMAINS:
        score = np.clip(np.round(level + offsets.get(column, 0.0) + rng.normal(0, 0.7, n), 1), 1.0, 7.0)
        programs[column] = np.where(assessed, score, np.nan)
    when = [str(as_of - timedelta(days=int(d))) for d in rng.integers(20, 540, n)]
    programs["psat_assessed"] = np.where(assessed, when, "")

    # The Brief Resilience Scale (1-5, a rise is good) for a share of the programmes that measured nothing.
    unmeasured = periods["outcome_measure"].eq("").to_numpy()[::q] if q else np.zeros(0, bool)
    brs = unmeasured & (rng.random(n) < 0.35) & (types != "helpline")
    rows_brs = np.repeat(brs, q)
    n_pp = rng.binomial(participants, np.repeat(rng.uniform(0.3, 0.7, n), q))
    effect = np.repeat(rng.normal(0.2, 0.12, n), q)
    periods.loc[rows_brs, "outcome_measure"] = "BRS"
    periods["n_pre_post"] = periods["n_pre_post"].astype("Int64")
    periods.loc[rows_brs, "n_pre_post"] = n_pp[rows_brs]
    mean = np.clip(np.round(effect + rng.normal(0, 0.6, rows) / np.sqrt(np.maximum(n_pp, 1)), 2), -4, 4)
    sd = np.round(rng.uniform(0.45, 0.75, rows), 2)
    periods.loc[rows_brs & (n_pp >= 1), "mean_change"] = mean[rows_brs & (n_pp >= 1)]
    periods.loc[rows_brs & (n_pp >= 2), "sd_change"] = sd[rows_brs & (n_pp >= 2)]
    return programs, periods


def _periods(programs: pd.DataFrame, types: np.ndarray, kinds: np.ndarray, prog_area: np.ndarray,
             pops: list[str], offered_share: np.ndarray, annual: np.ndarray, areas: pd.DataFrame,
             quarters: list[pd.Period], rng: np.random.Generator) -> pd.DataFrame:
    """Eight quarters per programme: sessions, participants and who they were, volunteers, outcomes, cost."""
    n, q = len(programs), len(quarters)
    shape = (n, q)
    season = np.array([_SEASON[p.quarter] for p in quarters])
    spw = np.array([_SESSIONS_PER_WEEK[k] for k in types])
    sessions = rng.poisson(13 * spw[:, None] * rng.uniform(0.8, 1.0, (n, 1)) * np.ones(q))
    capacity = programs["weekly_capacity"].to_numpy(float)
    base = capacity * rng.uniform(0.5, 1.0, n) * np.array([_TURNOVER[k] for k in types])
    # Some programmes are small enough that their counts fall under the suppression threshold of 11.
    small = rng.random(n) < 0.12
    base = np.where(small, rng.uniform(2, 9, n), base)
    growth = rng.normal(0.015, 0.04, n)
    participants = rng.poisson(base[:, None] * (1 + growth[:, None]) ** np.arange(q) * season)

    share65 = pd.Series(prog_area).map(areas.set_index("area_id")["share_65plus"]).to_numpy(float)
    share65 = np.where(np.isnan(share65), 0.12, share65)
    older = np.array([k == "senior centre" or "older_adults" in p for k, p in zip(kinds, pops)])
    p65 = np.clip(share65 * np.where(older, 2.8, 1.0) * rng.uniform(0.6, 1.4, n), 0.01, 0.95)
    p65plus = rng.binomial(participants, p65[:, None] * np.ones(q))
    p_le = np.clip(0.02 + 0.6 * offered_share * rng.uniform(0.6, 1.4, n), 0.01, 0.85)
    limited_english = rng.binomial(participants, p_le[:, None] * np.ones(q))

    vol_hours = np.round(programs["volunteer_hours_year"].to_numpy(float)[:, None] / 4
                         * rng.uniform(0.75, 1.2, shape), 1)
    vol_active = rng.binomial(programs["volunteer_count"].to_numpy()[:, None] * np.ones(q, int),
                              rng.uniform(0.6, 1.0, shape))

    # Outcomes: SWEMWBS (wellbeing, a rise is good) or UCLA-3 (loneliness, a fall is good).
    measured = (rng.random(n) < 0.45) & (types != "helpline")
    swemwbs_first = np.isin(types, ["workshop", "peer_support"])
    use_swemwbs = rng.random(n) < np.where(swemwbs_first, 0.75, 0.3)
    measure = np.where(measured, np.where(use_swemwbs, "SWEMWBS", "UCLA-3"), "")
    effect = np.where(use_swemwbs, rng.normal(1.5, 0.8, n), rng.normal(-0.45, 0.3, n))
    sd = np.where(use_swemwbs, rng.uniform(2.5, 4.5, n), rng.uniform(1.0, 1.8, n))
    span = np.where(use_swemwbs, 28.0, 6.0)
    n_pp = rng.binomial(participants, rng.uniform(0.3, 0.75, n)[:, None] * np.ones(q))
    noise = rng.normal(0, 1, shape) * sd[:, None] / np.sqrt(np.maximum(n_pp, 1))
    mean_change = np.clip(np.round(effect[:, None] + noise, 2), -span[:, None], span[:, None])
    sd_change = np.round(sd[:, None] * rng.uniform(0.85, 1.15, shape), 2)
    reports_cost = rng.random(n) < 0.9
    cost = np.round(annual[:, None] / 4 * rng.uniform(0.85, 1.15, shape))

    flat = np.ravel  # row-major: programme by programme, quarters in order within each
    m_rep = np.repeat(measured, q)
    n_flat = flat(n_pp)
    frame = pd.DataFrame({
        "program_id": np.repeat(programs["program_id"].to_numpy(), q),
        "period": np.tile([str(p) for p in quarters], n),
        "sessions": flat(sessions),
        "participants": flat(participants),
        "participants_65plus": flat(p65plus),
        "participants_limited_english": flat(limited_english),
        "volunteer_hours": flat(vol_hours),
        "volunteers_active": flat(vol_active),
        "outcome_measure": np.repeat(measure, q),
        "n_pre_post": pd.array(np.where(m_rep, n_flat, 0), dtype="Int64"),
        "mean_change": np.where(m_rep & (n_flat >= 1), flat(mean_change), np.nan),
        "sd_change": np.where(m_rep & (n_flat >= 2), flat(sd_change), np.nan),
        "cost": pd.array(np.where(np.repeat(reports_cost, q), flat(cost), np.nan), dtype="Int64"),
    })
    frame.loc[~m_rep, "n_pre_post"] = pd.NA
    return frame


def write_inventory(frames: dict[str, pd.DataFrame], out_dir: str | Path) -> None:
    """Write ``programs.csv``, ``funding.csv`` and ``program_periods.csv`` (UTF-8, '\\n' line ends) to ``out_dir``.

    Columns are written in the documented order; a frame missing a column is an error. Booleans are
    written ``true``/``false`` and missing values as empty cells.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> write_inventory({s.name: pd.DataFrame(columns=s.columns) for s in FILES}, d)
    >>> sorted(os.listdir(d))
    ['funding.csv', 'program_periods.csv', 'programs.csv']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for spec in FILES:
        frame = frames[spec.name]
        missing = [c for c in spec.columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{spec.name}: missing columns {missing}")
        frame = frame[spec.columns].copy()
        for column in frame.columns:
            if frame[column].dtype == bool:
                frame[column] = frame[column].map({True: "true", False: "false"})
        frame.to_csv(out / spec.name, index=False, lineterminator="\n", encoding="utf-8")
