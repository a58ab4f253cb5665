"""Figures republished from a public source read the same, with the same flags, on every page and in every download."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from core.views import brief, compare, methods, overview


def published_suicide_rates(con) -> pd.DataFrame:
    """The latest suicide rates as the database holds them from the publisher's file, with the 'unstable' flag."""
    return con.execute("""
        SELECT area_id, value, unstable, numerator, denominator FROM indicator
        WHERE indicator_id = 'suicide_rate' AND period = (SELECT max(period) FROM indicator
                                                          WHERE indicator_id = 'suicide_rate')
        ORDER BY area_id""").df().set_index("area_id")


@pytest.fixture(params=["atlas_db", "demo_db"])
def con(request):
    import duckdb

    c = duckdb.connect(str(request.getfixturevalue(request.param)), read_only=True)
    yield c
    c.close()


def test_rates_on_few_deaths_are_published_as_the_publisher_shows_them(con):
    rates = published_suicide_rates(con)
    # The check means something only if some rates rest on 1-10 estimated deaths (the audit found 30 on Chicago).
    pop = con.execute("SELECT area_id, population FROM area").df().set_index("area_id")["population"]
    deaths = rates["value"] / 1e5 * pop.reindex(rates.index) * 5
    assert deaths.between(1, 10).sum() >= 5
    # Our estimate of the deaths sets the flag only; it is not stored, so no download can give it.
    assert rates["numerator"].isna().all() and rates["denominator"].isna().all()
    assert rates["unstable"].any() and not rates["unstable"].all()

    # Data & methods' download of the indicator table.
    table = pd.read_csv(io.BytesIO(methods.table_csv(con, "indicator")), dtype=str, keep_default_na=False)
    table = table[(table["indicator_id"] == "suicide_rate") & table["area_id"].isin(rates.index)]
    table = table[table["period"] == table["period"].max()]
    table.index = table["area_id"]
    assert "<11" not in set(table["value"])
    np.testing.assert_allclose(table["value"].astype(float).reindex(rates.index), rates["value"])
    assert (table["unstable"].str.lower().map({"true": True, "false": False}).reindex(rates.index)
            == rates["unstable"]).all()

    # The Overview's table (and its download, which writes the same frame).
    need = overview.need_table(con).set_index("area_id")
    np.testing.assert_allclose(need["suicide_rate"].reindex(rates.index), rates["value"])
    assert (need["suicide_rate_unstable"].reindex(rates.index).astype(bool) == rates["unstable"]).all()

    # Compare's download and the brief, for a stable and an unstable area.
    long = compare.indicator_long(con)
    for area in (rates.index[rates["unstable"]][0], rates.index[~rates["unstable"]][0]):
        comp = compare.download_frame(compare.comparison(long, [area]))
        row = comp[(comp["indicator_id"] == "suicide_rate") & (comp["area_id"] == area)].iloc[0]
        assert row["value"] == pytest.approx(rates.loc[area, "value"]) and row["unstable"] == rates.loc[area, "unstable"]
        b = brief.brief_data(con, int(area), long)
        cell = b.indicators.set_index("Indicator").filter(like="uicide", axis=0)["Value"].iloc[0]
        assert cell.startswith(f"{rates.loc[area, 'value']:.1f}")
        assert ("(unstable)" in cell) == bool(rates.loc[area, "unstable"])


def test_public_tables_are_downloaded_whole_and_inventory_tables_keep_the_rule(con):
    # Census counts are the publisher's: a tract of 1-10 residents is shown as published.
    tract = pd.read_csv(io.BytesIO(methods.table_csv(con, "tract")), dtype=str, keep_default_na=False)
    assert "<11" not in set(tract["population"])
    assert set(methods.PERSON_COUNTS) <= {"program", "program_period", "funding"}
