"""Compare page: values, percentiles and medians against the database and naive references; peers; URL round trip."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core.views import compare as cv
from tests.test_pages import run_page


@pytest.fixture(scope="module")
def long(atlas_db):
    import duckdb

    c = duckdb.connect(str(atlas_db), read_only=True)
    try:
        yield cv.indicator_long(c)
    finally:
        c.close()


def _latest(con) -> pd.DataFrame:
    """Each indicator's value in its defined (latest) period, straight from SQL."""
    return con.execute("""SELECT i.area_id, i.indicator_id, i.value, i.moe, i.unstable
                          FROM indicator i JOIN indicator_def d USING (indicator_id, period)""").df()


def test_every_value_is_the_databases(con, long):
    db = _latest(con).set_index(["indicator_id", "area_id"])
    mine = long.loc[~long["indicator_id"].isin(cv.DERIVED_IDS)].set_index(["indicator_id", "area_id"])
    n_areas = con.execute("SELECT count(*) FROM area").fetchone()[0]
    n_defs = con.execute("SELECT count(*) FROM indicator_def").fetchone()[0]
    # One row per area and indicator, even where the source has no value for the area.
    assert len(mine) == n_areas * n_defs
    joined = mine.join(db.add_suffix("_db"), how="left")
    np.testing.assert_array_equal(joined["value"].isna(), joined["value_db"].isna())
    have = joined["value_db"].notna()
    np.testing.assert_allclose(joined.loc[have, "value"], joined.loc[have, "value_db"], rtol=0, atol=0)
    np.testing.assert_array_equal(joined.loc[have, "unstable"], joined.loc[have, "unstable_db"].astype(bool))


def test_percentiles_follow_the_svi_rule_by_hand(long):
    for iid in ["unmet_need", "suicide_rate", "bh_treatment", "coverage_per_1000", "n_programs"]:
        rows = long.loc[long["indicator_id"] == iid]
        values = [v for v in rows["value"] if not math.isnan(v)]
        n = len(values)
        for v, p in zip(rows["value"], rows["percentile"]):
            if math.isnan(v):
                assert math.isnan(p)
            else:
                # rank - 1 with ties at the lowest rank = how many values are strictly smaller.
                assert p == pytest.approx(100 * sum(x < v for x in values) / (n - 1), abs=1e-9), iid


def test_city_median_is_the_sql_median(con, long):
    med = con.execute("""SELECT i.indicator_id, median(i.value) AS m FROM indicator i
                         JOIN indicator_def d USING (indicator_id, period) GROUP BY 1""").df().set_index(
        "indicator_id")["m"]
    mine = long.drop_duplicates("indicator_id").set_index("indicator_id")["city_median"]
    np.testing.assert_allclose(mine.reindex(med.index), med, rtol=1e-12)


def test_funding_rows_count_the_programmes_based_in_each_area(con, long):
    as_of = con.execute("SELECT value FROM build_info WHERE key = 'as_of'").fetchone()[0]
    sql = con.execute("""SELECT a.area_id, count(p.program_id) AS n, coalesce(sum(p.weekly_capacity), 0) AS places
                         FROM area a LEFT JOIN program p ON p.area_id = a.area_id AND p.start_date <= ?::DATE
                              AND (p.end_date IS NULL OR p.end_date >= ?::DATE)
                         GROUP BY 1 ORDER BY 1""", [as_of, as_of]).df().set_index("area_id")
    wide = long.pivot(index="area_id", columns="indicator_id", values="value")
    np.testing.assert_array_equal(wide["n_programs"].reindex(sql.index), sql["n"])
    np.testing.assert_allclose(wide["weekly_places"].reindex(sql.index), sql["places"])
    none = sql.index[sql["n"] == 0]
    assert (wide.loc[none, "annual_budget"] == 0).all() and (wide.loc[none, "n_at_risk"] == 0).all()
    assert (wide["n_at_risk"] <= wide["n_programs"]).all()


def test_table_shows_moe_unstable_and_missing(con, long):
    moe_row = con.execute("""SELECT area_id, value, moe FROM indicator
        WHERE indicator_id = 'bh_treatment' AND moe IS NOT NULL ORDER BY area_id LIMIT 1""").fetchone()
    unstable_area, rate = con.execute("""SELECT i.area_id, i.value FROM indicator i JOIN indicator_def d
        USING (indicator_id, period) WHERE i.indicator_id = 'suicide_rate' AND i.unstable ORDER BY 1 LIMIT 1""").fetchone()
    if moe_row is None:
        # The synthetic demo publishes no margin of error: then no cell may claim one, and unstable rates still show.
        comp = cv.comparison(long, [unstable_area])
        t = cv.domain_table(comp, "need").set_index("Indicator")
        name = con.execute("SELECT name FROM area WHERE area_id = ?", [unstable_area]).fetchone()[0]
        assert t.loc["Suicide mortality rate", name].startswith(f"{rate:,.1f} (unstable) · ")
        assert not t.astype(str).apply(lambda col: col.str.contains("±")).any().any()
        return
    moe_area, moe_value, moe = moe_row
    missing_area = con.execute("""SELECT min(area_id) FROM area WHERE area_id NOT IN
        (SELECT area_id FROM indicator WHERE indicator_id = 'bh_treatment')""").fetchone()[0]
    ids = [moe_area, unstable_area] + ([missing_area] if missing_area not in (moe_area, unstable_area) else [])
    comp = cv.comparison(long, ids)
    names = dict(con.execute("SELECT area_id, name FROM area").fetchall())
    t = cv.domain_table(comp, "need").set_index("Indicator")
    assert t.loc["Behavioural-health treatment", names[moe_area]].startswith(f"{moe_value:,.1f} ± {moe:,.1f} · ")
    assert t.loc["Suicide mortality rate", names[unstable_area]].startswith(f"{rate:,.1f} (unstable) · ")
    if missing_area is not None and missing_area not in (moe_area, unstable_area):
        assert t.loc["Behavioural-health treatment", names[missing_area]] == "–"


def test_comparison_keeps_the_order_chosen_and_every_domain(long):
    comp = cv.comparison(long, ["25", "68"])
    assert comp.loc[comp["indicator_id"] == "unmet_need", "area_id"].tolist() == ["25", "68"]
    assert set(comp["domain"]) == set(cv.DOMAINS)
    t = cv.domain_table(comp, "coverage")
    assert list(t.columns) == ["Indicator", "Unit", "City median", "Austin", "Englewood"]


def test_percentile_chart_carries_the_tables_numbers(long):
    comp = cv.comparison(long, ["68", "25"])
    spec = cv.percentile_chart(comp, "barrier", cv.area_colours(["68", "25"]))
    data = spec["data"]["values"]
    got = {(r["area_id"], r["label"]): r["percentile"] for r in data}
    want = comp.loc[comp["domain"] == "barrier"]
    assert len(got) == len(want)
    for a, lab, p in zip(want["area_id"], want["label"], want["percentile"]):
        assert got[(a, lab)] == pytest.approx(p)
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["range"] == [cv.CATEGORICAL[0], cv.CATEGORICAL[1]]


def test_percentile_chart_is_a_valid_vega_lite_spec(long):
    import altair as alt

    comp = cv.comparison(long, ["68", "25", "8"])
    for domain in cv.DOMAINS:
        spec = cv.percentile_chart(comp, domain, cv.area_colours(["68", "25", "8"]))
        alt.LayerChart.from_dict(spec, validate=True)  # raises on anything outside the schema
        names = [comp.loc[comp["area_id"] == a, "area"].iloc[0] for a in ("68", "25", "8")]
        assert spec["layer"][0]["encoding"]["yOffset"]["sort"] == names
        assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == names
    bad = {**spec, "layer": [{**spec["layer"][0], "mark": {"type": "no-such-mark"}}]}
    with pytest.raises(Exception):
        alt.LayerChart.from_dict(bad, validate=True)


def test_locator_map_fills_only_the_chosen_area(atlas_db):
    import altair as alt
    import duckdb

    from core.store import queries

    with duckdb.connect(str(atlas_db), read_only=True) as c:
        areas = queries.areas(c)
    spec = cv.locator_chart(areas, "25", "#123456")
    alt.Chart.from_dict(spec, validate=True)
    assert '== "25" ?' in spec["transform"][0]["calculate"]
    assert spec["encoding"]["color"]["scale"]["range"][0] == "#123456"
    assert len(spec["data"]["values"]) == len(areas)


def test_similar_areas_match_a_naive_z_score_distance(con, long):
    ids = cv.SIMILARITY_IDS
    wide = _latest(con).pivot(index="area_id", columns="indicator_id", values="value")[ids]
    z = {}
    for col in ids:
        vals = [v for v in wide[col] if not math.isnan(v)]
        mean = sum(vals) / len(vals)
        sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / len(vals))
        z[col] = {a: (0.0 if math.isnan(v) or sd == 0 else (v - mean) / sd) for a, v in wide[col].items()}
    dist = {a: math.sqrt(sum((z[c][a] - z[c]["68"]) ** 2 for c in ids)) for a in wide.index if a != "68"}
    nearest = sorted(dist, key=lambda a: dist[a])[:5]
    sim = cv.similar_areas(long, "68", k=5)
    assert sim["area_id"].tolist() == ["68"] + nearest
    np.testing.assert_allclose(sim["Distance"].iloc[1:], [round(dist[a], 3) for a in nearest], atol=1e-9)
    cov = long.loc[long["indicator_id"] == "coverage_per_1000"].set_index("area_id")["value"]
    np.testing.assert_allclose(sim["Difference in places per 1,000"],
                               [round(cov[a] - cov["68"], 2) for a in sim["area_id"]], atol=0.011)


def test_similar_chart_uses_the_diverging_palette(long):
    spec = cv.similar_chart(cv.similar_areas(long, "68"))
    assert spec["encoding"]["color"]["scale"]["range"] == [cv.DIVERGING[5][4], cv.DIVERGING[5][0]]


def test_areas_from_url_are_checked_and_capped():
    valid = range(1, 78)
    assert cv.area_ids_from_query({"areas": "25,68,1,2,3"}, valid) == ("25", "68", "1", "2")
    assert cv.area_ids_from_query({"areas": "0,99,abc"}, valid, default=("68", "25")) == ("68", "25")
    assert cv.area_ids_from_query({"areas": "0,99,abc"}, valid) == ("1", "2")
    assert cv.area_ids_from_query({"areas": "7,7,8"}, valid) == ("7", "8")
    assert cv.area_ids_from_query(cv.area_ids_to_query(("3", "1")), valid) == ("3", "1")
    # Text ids of any shape, checked against the allow-list and never parsed as numbers.
    nyc = ["101", "BK01", "53033000100"]
    assert cv.area_ids_from_query({"areas": "BK01,053033000100,53033000100"}, nyc) == ("BK01", "53033000100")


def test_default_areas_are_the_two_of_highest_need():
    need = pd.DataFrame({"area": ["a", "b", "c"], "need_index": [10.0, 95.0, 60.0]}, index=["7", "BK01", "101"])
    assert cv.highest_need(need) == ("BK01", "101")


def test_page_round_trips_areas_through_the_url(use_db, con):
    at = run_page("pages/compare.py", {"areas": "25,68,32"})
    assert not at.exception, at.exception
    assert at.multiselect(key="areas").value == ["25", "68", "32"]
    names = [con.execute("SELECT name FROM area WHERE area_id = ?", [a]).fetchone()[0] for a in ("25", "68", "32")]
    # One headline per area, the need table with a value column per area, and a table for every domain.
    assert [m.label for m in at.metric] == [f"{n}: need-index percentile" for n in names]
    tables = [d.value for d in at.dataframe if d.value.columns[:3].tolist() == ["Indicator", "Unit", "City median"]]
    assert len(tables) == len(cv.DOMAINS)
    assert tables[0].columns.tolist()[3:] == names
    assert tables[0]["Indicator"].iloc[0] == "Unmet mental-health treatment need"
    at.multiselect(key="areas").unselect("32").run()
    assert not at.exception
    assert at.query_params["areas"] in (["25,68"], "25,68")
    assert [m.label for m in at.metric] == ["Austin: need-index percentile", "Englewood: need-index percentile"]
