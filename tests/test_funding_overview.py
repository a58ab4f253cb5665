"""overview_of adds up figures prepared once for every programme; it must equal the pandas oracle on the selection."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import duckdb
import numpy as np
import pandas as pd
import pytest

from core.analysis import funding as fu
from core.analysis import funding_selection as fs
from core.analysis.coverage import PROGRAM_TYPES
from core.views import funding as fv
from tests.oracles import funding_reference as ref


def reference(data: fv.FundingData, types, area: int) -> fv.FundingOverview:
    """The overview from scratch: the oracle's functions on the selected programmes and their grants only."""
    progs = fv.select_programs(data.programs, types, area)
    funding = data.funding[data.funding["program_id"].isin(progs["program_id"])].reset_index(drop=True)
    as_of = data.as_of
    metrics = fu.program_metrics(progs, funding, as_of)
    for column in fs.LABEL_COLUMNS:
        metrics[column] = progs[column].to_numpy()
    areas = data.areas.copy()
    if len(progs):
        areas = areas.merge(fu.by_area(metrics.drop(columns=["area_id", "weekly_capacity"]), progs), on="area_id",
                            how="left")
    else:
        areas = areas.assign(n_programs=0, **{c: np.nan for c in fu.SOURCE_MIX_COLUMNS.values()})
    areas["n_programs"] = areas["n_programs"].fillna(0).astype(int)
    areas["largest_source"], areas["largest_share"] = fv.largest_source(areas)
    g = fu.grant_intervals(funding)
    g = g[g["status"] == "committed"]
    quarter = np.asarray(fu.last_quarter(g["end_excl"]))
    labels = [f"{p.year}Q{p.quarter}" for p in fu.cliff_quarters(as_of, fv.CLIFF_QUARTERS)]
    funders = (ref.by_funder(progs, funding, as_of) if len(funding)
               else ref.by_funder(progs.head(0), funding.head(0), as_of))
    return fv.FundingOverview(
        metrics=metrics, areas=areas,
        cliff=ref.funding_cliff(funding, progs, as_of, quarters=fv.CLIFF_QUARTERS, by_source=True),
        cliff_totals=ref.funding_cliff(funding, progs, as_of, quarters=fv.CLIFF_QUARTERS, by_source=False),
        cliff_programs={q: sorted(set(g.loc[quarter == q, "program_id"])) for q in labels},
        funders=funders, n_programs=len(progs), as_of=as_of)


def assert_same(got: fv.FundingOverview, want: fv.FundingOverview) -> None:
    # Exact: the fast path promises the very same numbers, not close ones (see funding_selection.group_sums).
    for name in ["metrics", "areas", "cliff", "cliff_totals", "funders"]:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name), check_exact=True, obj=name)
    assert got.cliff_programs == want.cliff_programs
    assert list(got.cliff_programs) == list(want.cliff_programs)
    assert (got.n_programs, got.as_of) == (want.n_programs, want.as_of)


def filters(data: fv.FundingData, n_random: int = 6) -> list[tuple[tuple[str, ...], int]]:
    """All, one type, one area, an area without programmes, no type at all, and a few random choices."""
    counts = data.programs["area_id"].value_counts()
    empty = sorted(set(data.areas["area_id"]) - set(data.programs["area_id"]))
    busiest = int(counts.index[0])
    out = [(PROGRAM_TYPES, 0), (("workshop",), 0), (("helpline",), busiest), (PROGRAM_TYPES, busiest),
           (PROGRAM_TYPES, int(empty[0]) if empty else busiest), (("no such type",), 0)]
    rng = random.Random(7)
    for _ in range(n_random):
        out.append((tuple(rng.sample(PROGRAM_TYPES, rng.randint(1, len(PROGRAM_TYPES)))),
                    rng.choice([0, *[int(a) for a in counts.index]])))
    return out


def data_of(path) -> fv.FundingData:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return fv.funding_data(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def data(atlas_db) -> fv.FundingData:
    return data_of(atlas_db)


def test_overview_of_equals_the_functions_on_the_selection(data):
    for types, area in filters(data):
        assert_same(fv.overview_of(data, types, area), reference(data, types, area))


def test_overview_of_equals_them_on_the_demo(demo_db):
    demo = data_of(demo_db)
    for types, area in filters(demo, n_random=3):
        assert_same(fv.overview_of(demo, types, area), reference(demo, types, area))


def test_overview_of_follows_the_as_of_date_and_edge_cases(data):
    # replace() prepares afresh. A year earlier many grants have not started; pending grants,
    # programmes without grants and missing places exercise the paths where nothing contributes.
    earlier = dataclasses.replace(data, as_of=dt.date(data.as_of.year - 1, 1, 31))
    ids = data.programs["program_id"].to_numpy()
    funding = data.funding.copy()
    funding.loc[funding["program_id"].isin(ids[::7]), "status"] = "pending"
    funding = funding[~funding["program_id"].isin(ids[3::11])].reset_index(drop=True)
    programs = data.programs.copy()
    programs.loc[programs.index[::5], "weekly_capacity"] = np.nan
    edited = dataclasses.replace(data, programs=programs, funding=funding)
    for d in (earlier, edited):
        assert d.prepared is not data.prepared
        for types, area in filters(d, n_random=4):
            assert_same(fv.overview_of(d, types, area), reference(d, types, area))


def test_funders_are_ranked_as_by_funder_ranks_them(data):
    ranked = ref.by_funder(data.programs, data.funding, data.as_of)["funder"].tolist()
    assert data.funders[: len(ranked)] == ranked
    assert set(data.funders) == set(data.funding["funder"])


@pytest.mark.parametrize("sorted_codes", [True, False])
@pytest.mark.parametrize("with_nan", [True, False])
def test_group_sums_are_pandas_groupby_sums_to_the_bit(sorted_codes, with_nan):
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 9, 400)
    codes = np.sort(codes) if sorted_codes else codes
    values = rng.random((400, 3)) * 10.0 ** rng.integers(0, 7, (400, 3))
    if with_nan:
        values[rng.integers(0, 400, 30), 1] = np.nan
    frame = pd.DataFrame(values, columns=["a", "b", "c"])
    # pandas groups one column at a time, as the funding functions' named aggregations do.
    want = np.column_stack([frame[c].groupby(codes).sum().reindex(range(10), fill_value=0.0) for c in frame])
    got = fs.group_sums(codes, values, 10)
    assert np.array_equal(got, want)


def test_cliff_adds_a_quarters_grants_in_the_order_pandas_does():
    # pandas sorts source types by name when it groups (business before local government), and adds a group with
    # np.add.reduceat when the rows come sorted so, else with Kahan compensation. These three rates add up to
    # different last bits the two ways, so ranking source types in SOURCE_TYPES order instead would show here.
    programs = pd.DataFrame({"program_id": ["a"], "name": ["A"], "area_id": [1], "area_name": ["One"],
                             "type": ["workshop"], "weekly_capacity": [10.0], "declared_budget": [np.nan]})
    amounts = [5000.0, 81769.0, 67416.0, 1271.0]
    funding = pd.DataFrame({"funding_id": ["g0", "g1", "g2", "g3"], "program_id": "a", "funder": "F",
                            "source_type": ["business"] + ["local government"] * 3, "amount": amounts,
                            "start_date": "2025-07-01", "end_date": "2026-06-30", "status": "committed"})
    areas = pd.DataFrame({"area_id": [1, 2], "name": ["One", "Two"]})
    data = fv.FundingData(programs, funding, areas, dt.date(2026, 1, 1), ["F"])
    assert_same(fv.overview_of(data), reference(data, PROGRAM_TYPES, 0))
