"""Property tests: no count of 1-10 people is shown or exported on the Inclusion and Volunteers & partners pages,
and none can be recovered from a published share or rate together with a published total.

The inventories are drawn by hypothesis with deliberately small counts (0-30 people per quarter), where the
rules are tested hardest. Every published cell is traced back to the true counts behind it.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.analysis import inclusion
from core.analysis.suppression import SUPPRESSED
from core.views import inclusion as inv
from core.views import volunteers as vv

QUARTERS = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
GROUP_COLUMNS = [g.column for g in inclusion.GROUPS]


def _small(x: float) -> bool:
    """A count of 1-10 people, allowing for the rounding of a share shown to 0.1 percentage points."""
    return 0.5 < x < 10.5


@st.composite
def inventories(draw):
    n_prog = draw(st.integers(1, 6))
    programs, periods = [], []
    for i in range(n_prog):
        area = draw(st.integers(1, 3))
        partner = draw(st.sampled_from([None, "s1", "A named practice"]))
        programs.append({"program_id": f"P{i}", "name": f"=Prog {i}", "area_id": area, "area_name": f"Area {area}",
                         "type": "workshop", "lon": -87.6 - 0.01 * area, "lat": 41.8, "languages": "english",
                         "weekly_capacity": 20.0, "step_free": True, "evening": False, "weekend": False,
                         "coordinator_count": draw(st.integers(0, 3)), "professional_partner": partner,
                         "partner_role": "referral" if partner else None})
        for q in QUARTERS:
            participants = draw(st.integers(0, 30))
            row = {"program_id": f"P{i}", "period": q, "participants": participants,
                   "volunteer_hours": float(draw(st.integers(0, 50)))}
            for column in GROUP_COLUMNS:
                row[column] = draw(st.one_of(st.none(), st.integers(0, participants)))
            active = draw(st.integers(0, 25))
            row.update(volunteers_active=active, volunteers_joined=draw(st.integers(0, 5)),
                       referrals_to_professional=draw(st.integers(0, participants)),
                       referrals_from_professional=draw(st.integers(0, 15)))
            periods.append(row)
    return pd.DataFrame(programs), pd.DataFrame(periods)


def _areas():
    return pd.DataFrame({"area_id": [1, 2, 3], "name": ["Area 1", "Area 2", "Area 3"],
                         "population": [5000.0, 8000.0, 3000.0], "need": [0.9, 0.5, 0.1]})


def _shares():
    return pd.DataFrame({g.key: [0.2, 0.3, np.nan] for g in inclusion.GROUPS}, index=pd.Index([1, 2, 3],
                                                                                             name="area_id"))


def _tracts():
    return pd.DataFrame({"tract_id": ["t1", "t2", "t3"], "area_id": [1, 2, 3], "population": [5000.0, 8000.0, 3000.0],
                         "lon": [-87.61, -87.62, -87.63], "lat": [41.8] * 3})


def _truth(programs, periods, keys):
    """True (k, n) per key ('area_id' or 'program_id') and group, over the four quarters."""
    c = inclusion.group_counts(periods, 4)
    if keys == "area_id":
        c["area_id"] = c["program_id"].map(programs.set_index("program_id")["area_id"])
        c = c.groupby(["area_id", "group"])[["k", "n"]].sum(min_count=1).reset_index()
    return c.set_index([keys, "group"])


def _check_share_cells(table: pd.DataFrame, truth: pd.DataFrame, key_values, group: str) -> None:
    for key, share in zip(key_values, table["Participants in group (%)"]):
        if isinstance(share, str) or pd.isna(share):
            continue
        k, n = truth.loc[(key, group), ["k", "n"]]
        # Shown: n is at least 11, and neither k nor n - k is 1-10 ...
        assert n >= 11 and not _small(k) and not _small(n - k), (key, group, k, n)
        # ... and the share times any total published for these people gives back no count of 1-10.
        recovered = share / 100 * n
        assert not _small(recovered) and not _small(n - recovered)


def _csv_cells(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inv_=inventories(), group=st.sampled_from([g.key for g in inclusion.GROUPS]))
def test_inclusion_tables_give_away_no_small_count(inv_, group):
    programs, periods = inv_
    data = inv.InclusionData(programs=programs, periods=periods, tracts=_tracts(), areas=_areas(), shares=_shares(),
                             languages=pd.DataFrame(columns=["area_id", "language", "speakers"]),
                             as_of=dt.date(2026, 1, 1))
    state = inv.InclusionState(group=group, quarters=4)
    area = inv.area_disparities(data, state)
    _check_share_cells(area, _truth(programs, periods, "area_id"), area["area_id"], group)
    prog = inv.programme_disparities(data, state)
    names = programs.set_index("name")["program_id"]
    _check_share_cells(prog, _truth(programs, periods, "program_id"), prog["Programme"].map(names), group)
    # A hidden share hides its interval and disparity too, and nothing else in the row can be multiplied back.
    for table in (area, prog):
        hidden = table["Participants in group (%)"].eq(SUPPRESSED)
        for column in ("95% CI low (%)", "95% CI high (%)", "Disparity (points)", "Disparity CI low",
                       "Disparity CI high"):
            assert table.loc[hidden, column].eq(SUPPRESSED).all()
        # The download holds the same cells: no column of counts of people, and names neutralised.
        csv = _csv_cells(inv.download(table))
        assert not any(c.lower().startswith(("participants", "volunteers", "referrals")) and "%" not in c
                       for c in csv.columns)
        if "Programme" in csv:
            assert csv["Programme"].str.startswith("'=").all()


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inv_=inventories())
def test_volunteer_rates_give_away_no_small_count(inv_):
    programs, periods = inv_
    sites = pd.DataFrame({"site_id": ["s1"], "name": ["Clinic"], "kind": ["mental_health_clinic"], "lon": [-87.7],
                          "lat": [41.85]})
    data = vv.VolunteerData(programs=programs, periods=periods, areas=_areas(), sites=sites,
                            as_of=dt.date(2026, 1, 1))
    state = vv.VolunteerState(quarters=4, hourly=30.0)
    from core.analysis import volunteers as vo

    per = vo.program_volunteers(programs, periods, 4, 30.0)
    table = vv.programme_table(data, state)
    truth = per.set_index("program_id")
    ids = programs.set_index("name")["program_id"]
    # Rates are published by area only (core.analysis.volunteer_disclosure.PUBLISHED_LEVELS).
    assert not {"Retention over the window (%)", "Volunteers per participant"} & set(table.columns)
    for _, row in table.iterrows() if "Volunteers per participant" in table.columns else ():
        t = truth.loc[ids[row["Programme"]]]
        retention = row["Retention over the window (%)"]
        if not isinstance(retention, str) and not pd.isna(retention):
            retained = retention / 100 * t["S"]
            assert t["S"] >= 11 and not _small(retained) and not _small(t["S"] - retained)
        per_100 = row["Referrals to professionals per 100 participants"]
        if not isinstance(per_100, str) and not pd.isna(per_100):
            referred = per_100 / 100 * t["to_base"]
            assert t["to_base"] >= 11 and not _small(referred) and not _small(t["to_base"] - referred)
        from_100 = row["Referrals from professionals per 100 participants"]
        if not isinstance(from_100, str) and not pd.isna(from_100):
            assert t["from_base"] >= 11 and not _small(from_100 / 100 * t["from_base"])
        ratio = row["Volunteers per participant"]
        if not isinstance(ratio, str) and not pd.isna(ratio):
            assert t["active_base"] >= 11 and not _small(t["active"])
    areas = vv.area_table(data, state)
    a_truth = vo.area_volunteers(per, _areas(), 30.0).set_index("area_id")
    for _, row in areas.iterrows():
        t = a_truth.loc[row["area_id"]]
        retention = row["Retention over the window (%)"]
        if not isinstance(retention, str) and not pd.isna(retention):
            retained = retention / 100 * t["S"]
            assert t["S"] >= 11 and not _small(retained) and not _small(t["S"] - retained)
        per_100 = row["Referrals to professionals per 100 participants"]
        if not isinstance(per_100, str) and not pd.isna(per_100):
            assert not _small(per_100 / 100 * t["to_base"])
    # Downloads carry no column counting people.
    for t in (table, areas):
        cols = _csv_cells(vv.download(t)).columns
        assert not any(c in ("Participants", "Volunteers", "Referrals") for c in cols)


def test_the_property_can_fail():
    """The checker itself catches a share that gives back 5 people: it is not always true."""
    truth = pd.DataFrame({"k": [5.0], "n": [40.0]}, index=pd.MultiIndex.from_tuples([(1, "poc")]))
    leaky = pd.DataFrame({"Participants in group (%)": [12.5]})
    try:
        _check_share_cells(leaky, truth, [1], "poc")
    except AssertionError:
        return
    raise AssertionError("a share built on 5 people passed the check")
