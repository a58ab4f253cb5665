"""Who carries the programmes and who backs them: volunteer hours and value, fragility, partners, referrals.

Over the latest quarters (default 4, :func:`core.analysis.quarter_window.window`):

- **Volunteer hours** are summed; their **value** is hours x an hourly value, a setting whose default is
  Independent Sector's Value of Volunteer Time (:data:`core.analysis.funding.VOLUNTEER_HOUR_VALUE_USD`).
- **Single coordinator**: ``coordinator_count == 1``, the programme hangs on one person (DESIGN §3
  "Volunteer fragility").
- **Retention** over the window, by the usual retention-rate formula (as for staff, e.g. SHRM's):
  ``(E - N) / S``, where S is the volunteers active in the window's first quarter, E those active in its
  last quarter and N those who joined after the first quarter; clipped to 0-1. It is a share of S, so it
  is published only where S, the retained and the lost volunteers are each 0 or at least 11.
- **Volunteers per participant**: volunteers active summed over the quarters that record them, over those
  quarters' participants.
- **Referrals per 100 participants**, to and from professionals, over the quarters that record them.

Partnerships are facts about programmes, not people: the share of programmes with a professional partner,
by role, and the lines from each programme to its partner's site.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.analysis.funding import VOLUNTEER_HOUR_VALUE_USD
from core.analysis.quarter_window import window
from core.analysis.share_disclosure import rate_publishable, share_publishable

PARTNER_ROLES = {"training": "Training", "supervision": "Supervision", "referral": "Referral",
                 "co_delivery": "Co-delivery"}
HIGH_NEED = 2 / 3
"""Areas at or above this need percentile (the top third) are "high need"."""


def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _volunteer_sums(rows: pd.DataFrame, quarters: int) -> pd.DataFrame:
    """Per programme: hours, S, E, N, the active-volunteer and participant sums, and referrals with their base."""
    f = pd.DataFrame({"program_id": rows["program_id"], "q": rows["q"], "hours": _num(rows, "volunteer_hours"),
                      "active": _num(rows, "volunteers_active"), "joined": _num(rows, "volunteers_joined"),
                      "participants": _num(rows, "participants"),
                      "to": _num(rows, "referrals_to_professional"),
                      "from": _num(rows, "referrals_from_professional")})
    f["start"] = f["active"].where(f["q"] == 0)
    f["end"] = f["active"].where(f["q"] == quarters - 1)
    f["joined_after"] = f["joined"].where(f["q"] > 0)
    f["active_base"] = f["participants"].where(f["active"].notna())
    f["to_base"] = f["participants"].where(f["to"].notna())
    f["from_base"] = f["participants"].where(f["from"].notna())
    g = f.groupby("program_id")
    out = g[["hours", "start", "end", "joined_after", "active", "active_base", "participants", "to", "to_base",
             "from", "from_base"]].sum(min_count=1).rename(columns={
                 "start": "S", "end": "E", "joined_after": "N", "to": "referrals_to", "from": "referrals_from"})
    out["quarters_joined"] = g["joined_after"].count()
    # Retention needs every quarter after the first to say how many joined.
    out.loc[out["quarters_joined"] < quarters - 1, "N"] = np.nan
    return out.drop(columns="quarters_joined")


def _rates(t: pd.DataFrame, hourly_value: float) -> pd.DataFrame:
    t = t.copy()
    t["value"] = t["hours"] * hourly_value
    with np.errstate(invalid="ignore", divide="ignore"):
        t["retained"] = np.minimum(np.maximum(t["E"] - t["N"], 0), t["S"])
        t["retention"] = (t["retained"] / t["S"]).where(t["S"] > 0)
        t["volunteers_per_participant"] = (t["active"] / t["active_base"]).where(t["active_base"] > 0)
        t["referrals_to_per_100"] = (100 * t["referrals_to"] / t["to_base"]).where(t["to_base"] > 0)
        t["referrals_from_per_100"] = (100 * t["referrals_from"] / t["from_base"]).where(t["from_base"] > 0)
    # What may be published: each rate only where no count behind it is 1-10.
    # Retention x S gives back the retained volunteers, and S minus them those who left: both must be safe.
    t["retention_shown"] = t["retention"].notna() & share_publishable(t["retained"], t["S"])
    t["volunteers_per_participant_shown"] = t["volunteers_per_participant"].notna() & rate_publishable(
        t["active"], t["active_base"])
    t["referrals_to_shown"] = t["referrals_to_per_100"].notna() & share_publishable(t["referrals_to"], t["to_base"])
    t["referrals_from_shown"] = t["referrals_from_per_100"].notna() & rate_publishable(t["referrals_from"],
                                                                                        t["from_base"])
    return t


def program_volunteers(programs: pd.DataFrame, periods: pd.DataFrame, quarters: int = 4,
                       hourly_value: float = VOLUNTEER_HOUR_VALUE_USD) -> pd.DataFrame:
    """Per programme: hours, value, coordinators, retention, volunteers per participant, referrals per 100.

    Raw counts (S, E, N, active, participants, referrals) are kept for roll-ups and tests; a page publishes
    only the rates whose ``*_shown`` flag is True.

    Examples
    --------
    Worked by hand: 40 volunteers active at the start, 31 at the end, 2 joined after the start: 29 retained,
    11 lost, retention 29 / 40 = 72.5%. Hours 50 + 60 = 110, worth 110 x $34.79 = $3,826.90. Referrals
    5 + 7 = 12 of 40 + 40 participants = 15 per 100.

    >>> pr = pd.DataFrame({"program_id": ["a"], "area_id": [1], "coordinator_count": [1]})
    >>> pe = pd.DataFrame({"program_id": ["a", "a"], "period": ["2025Q1", "2025Q2"], "participants": [40, 40],
    ...                    "volunteer_hours": [50.0, 60.0], "volunteers_active": [40, 31],
    ...                    "volunteers_joined": [0, 2], "referrals_to_professional": [5, 7]})
    >>> v = program_volunteers(pr, pe, quarters=2).iloc[0]
    >>> round(float(v["retention"]), 3), round(float(v["value"]), 2), float(v["referrals_to_per_100"])
    (0.725, 3826.9, 15.0)
    >>> bool(v["single_coordinator"]), bool(v["retention_shown"])
    (True, True)
    """
    rows, _, _ = window(periods, quarters)
    sums = _volunteer_sums(rows, quarters)
    out = programs[["program_id", "area_id"]].copy()
    out = out.join(sums, on="program_id")
    out["coordinators"] = _num(programs, "coordinator_count").to_numpy()
    out["single_coordinator"] = (out["coordinators"] == 1).to_numpy()
    return _rates(out, hourly_value)


RATE_FLAGS = {"retention": "retention_shown", "volunteers_per_participant": "volunteers_per_participant_shown",
              "referrals_to_per_100": "referrals_to_shown", "referrals_from_per_100": "referrals_from_shown"}
"""Each published rate and the flag that says whether it may be shown."""


def area_volunteers(per_program: pd.DataFrame, areas: pd.DataFrame,
                    hourly_value: float = VOLUNTEER_HOUR_VALUE_USD) -> pd.DataFrame:
    """Per area: the programmes' sums pooled (retention of the pooled S, E, N), single-coordinator programmes."""
    cols = ["hours", "S", "E", "N", "active", "active_base", "participants", "referrals_to", "to_base",
            "referrals_from", "from_base"]
    g = per_program.groupby("area_id")
    sums = g[cols].sum(min_count=1)
    # Pooled retention uses only programmes that report all of S, E and N.
    complete = per_program[["S", "E", "N"]].notna().all(axis=1)
    for c in ("S", "E", "N"):
        sums[c] = per_program[c].where(complete).groupby(per_program["area_id"]).sum(min_count=1)
    sums["programmes"] = g.size()
    sums["single_coordinator"] = g["single_coordinator"].sum()
    out = areas[["area_id", "name"]].join(sums, on="area_id")
    out["programmes"] = out["programmes"].fillna(0).astype(int)
    out["single_coordinator"] = out["single_coordinator"].fillna(0).astype(int)
    out = _rates(out, hourly_value)
    # An area's rate is the sum of its programmes' counts: beside the other programmes' rates, it would give back a
    # programme's hidden one. So it is published only where none of its programmes' same rate is hidden.
    for rate, shown in RATE_FLAGS.items():
        hidden = (per_program[rate].notna() & ~per_program[shown].astype(bool)).groupby(per_program["area_id"]).any()
        out[shown] = out[shown] & ~out["area_id"].map(hidden).fillna(False).astype(bool).to_numpy()
    return out


def partner_site(programs: pd.DataFrame, sites: pd.DataFrame) -> pd.Series:
    """Per programme, the partner's ``site_id`` where ``professional_partner`` is one, else NaN (a name or none)."""
    known = set(sites["site_id"].astype(str))
    partner = programs["professional_partner"].astype(object)
    return partner.where(partner.map(lambda p: isinstance(p, str) and p in known))


def partnership_shares(programs: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """The share of programmes with a professional partner, and with each role (programmes, not people).

    Examples
    --------
    >>> pr = pd.DataFrame({"professional_partner": ["mhc:1", None, "Dr Lee"],
    ...                    "partner_role": ["training;referral", None, "referral"]})
    >>> partnership_shares(pr).round(3).values.tolist()
    [[3.0, 2.0, 0.667, 0.333, 0.0, 0.667, 0.0]]
    """
    has = programs["professional_partner"].fillna("").astype(str).str.strip().ne("")
    roles = programs["partner_role"].fillna("").astype(str).str.split(";") if "partner_role" in programs else \
        pd.Series([[]] * len(programs), index=programs.index)
    frame = pd.DataFrame({"programmes": 1, "with_partner": has.astype(int)}, index=programs.index)
    for role in PARTNER_ROLES:
        frame[role] = (has & roles.map(lambda r, x=role: x in r)).astype(int)
    if by is not None:
        frame[by] = programs[by].to_numpy()
        sums = frame.groupby(by).sum()
    else:
        sums = frame.sum().to_frame().T
    out = sums[["programmes", "with_partner"]].copy()
    out["share_with_partner"] = out["with_partner"] / out["programmes"]
    for role in PARTNER_ROLES:
        out[f"share_{role}"] = sums[role] / out["programmes"]
    return out.reset_index() if by is not None else out.reset_index(drop=True)


def unpartnered_need(programs: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """High-need areas (need percentile ≥ 2/3) where no programme has a professional partner, neediest first.

    ``areas``: area_id, name, need (0-1). An area with no programme at all is listed too (``programmes`` 0).

    Examples
    --------
    >>> pr = pd.DataFrame({"area_id": [1, 2], "professional_partner": [None, "mhc:1"]})
    >>> ar = pd.DataFrame({"area_id": [1, 2, 3, 4], "name": list("ABCD"), "need": [0.9, 0.8, 0.7, 0.1]})
    >>> unpartnered_need(pr, ar)[["name", "programmes"]].values.tolist()
    [['A', 1], ['C', 0]]
    """
    has = programs["professional_partner"].fillna("").astype(str).str.strip().ne("")
    n = programs.groupby("area_id").size()
    partnered = has.groupby(programs["area_id"]).sum()
    out = areas[["area_id", "name", "need"]].copy()
    out["programmes"] = out["area_id"].map(n).fillna(0).astype(int)
    out["partnered"] = out["area_id"].map(partnered).fillna(0).astype(int)
    keep = (out["need"] >= HIGH_NEED) & (out["partnered"] == 0)
    return out.loc[keep].sort_values(["need", "name"], ascending=[False, True]).reset_index(drop=True)
