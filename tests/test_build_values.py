"""The built database holds exactly what the raw files say: values are re-read here with the stdlib csv module."""

from __future__ import annotations

import csv
import json

import pytest

from core.store import queries


def _cha_rows(path):
    """Data rows of a Chicago Health Atlas export, read independently of core's reader."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["Layer"] == "Community area"]


def _db_values(con, indicator_id, period=None):
    sql = "SELECT area_id, value FROM indicator WHERE indicator_id = ?" + (" AND period = ?" if period else "")
    params = [indicator_id] + ([period] if period else [])
    return {int(a): v for a, v in con.execute(sql, params).fetchall()}


def test_all_77_areas_with_their_boundary_numbers(con, raw_dir):
    doc = json.loads((raw_dir / "Boundaries - Community Areas (current).geojson").read_text())
    expected = sorted(int(f["properties"]["area_numbe"]) for f in doc["features"])
    ids = [r[0] for r in con.execute("SELECT area_id FROM area").fetchall()]
    assert all(isinstance(a, str) for a in ids)  # ids are text (DESIGN §2b)
    got = sorted(int(a) for a in ids)
    assert got == expected
    assert len(got) == 77
    geoms = con.execute("SELECT geometry, geometry_simplified FROM area").fetchall()
    for full, simple in geoms:
        assert json.loads(full)["type"] in ("Polygon", "MultiPolygon")
        assert len(simple) < len(full)


def test_tract_population_total_equals_raw(con, raw_dir):
    tracts = json.loads((raw_dir / "Boundaries - Census Tracts - 2010.geojson").read_text())
    layer = {f["properties"]["geoid10"] for f in tracts["features"]}
    with open(raw_dir / "Chicago Health Atlas Data Download - Census Tracts.csv", encoding="utf-8", newline="") as fh:
        pops = {r["GEOID"]: float(r["Population"]) for r in csv.DictReader(fh) if r["Layer"] == "Census tract"}
    expected = sum(v for k, v in pops.items() if k in layer)
    n, total = con.execute("SELECT count(*), sum(population) FROM tract").fetchone()
    assert n == len(layer) == 801
    assert total == pytest.approx(expected, rel=0, abs=1e-6)


@pytest.mark.parametrize("column, indicator_id", [
    ("HCSUMHAP_2021-2022", "unmet_need"), ("CHAVQOS_2021-2022", "loneliness"), ("POV_2018-2022", "poverty"),
    ("LEQ_2018-2022", "limited_english"), ("DIS_2018-2022", "disability"), ("SVI_2020", "svi"),
    ("UMP_2018-2022", "unemployment"),
])
def test_cha_indicator_values_equal_raw(con, raw_dir, column, indicator_id):
    rows = _cha_rows(raw_dir / "Chicago Health Atlas Data Download - Community areas.csv")
    expected = {int(r["GEOID"]): (float(r[column]) if r[column] else None) for r in rows}
    got = _db_values(con, indicator_id)
    assert set(got) == set(expected)
    for area, value in expected.items():
        if value is None:
            assert got[area] is None or got[area] != got[area]  # NULL or NaN
        else:
            assert got[area] == pytest.approx(value, rel=1e-12)


def test_suicide_rates_and_unstable_flag(con, raw_dir):
    rows = _cha_rows(raw_dir / "Chicago_Health_Suicide_Mortality_Rate.csv")
    got = {int(a): (v, u, n) for a, v, u, n in con.execute(
        "SELECT area_id, value, unstable, numerator FROM indicator WHERE indicator_id='suicide_rate' "
        "AND period='2015-2019'").fetchall()}
    pop = {int(a): p for a, p in con.execute("SELECT area_id, population FROM area").fetchall()}
    for r in rows:
        area = int(r["GEOID"])
        value = float(r["VRSUR_2015-2019"])
        deaths = value / 1e5 * pop[area] * 5
        assert got[area][0] == pytest.approx(value)
        assert got[area][1] == (round(deaths, 1) < 20)


def test_uninsured_rate_is_count_over_population(con, raw_dir):
    rows = _cha_rows(raw_dir / "Chicago_Health_Uninsured.csv")
    got = _db_values(con, "uninsured")
    for r in rows[:77]:
        assert got[int(r["GEOID"])] == pytest.approx(float(r["UNI_2016-2020"]) / float(r["Population"]) * 100)


def test_cmap_population_and_65plus_share(con, raw_dir):
    with open(raw_dir / "ReferenceCCAProfiles20162020.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    pop = {int(a): p for a, p in con.execute("SELECT area_id, population FROM area").fetchall()}
    share = _db_values(con, "share_65plus")
    for r in rows:
        area = int(r["GEOID"])
        assert pop[area] == float(r["2020_POP"])
        older = float(r["A65_74"]) + float(r["A75_84"]) + float(r["OV85"])
        assert share[area] == pytest.approx(older / float(r["TOT_POP"]) * 100)


def test_languages_drop_the_city_total(con, raw_dir):
    with open(raw_dir / "Census_Data_-_Languages_spoken_in_Chicago__2008___2012.csv", encoding="utf-8", newline="") as fh:
        rows = {int(r["Community Area"]): r for r in csv.DictReader(fh)}
    got = dict(((int(a), l), s) for a, l, s in con.execute("SELECT area_id, language, speakers FROM area_language").fetchall())
    assert 0 not in {a for a, _ in got}
    for area in (1, 2, 24, 77):
        assert got[(area, "spanish")] == float(rows[area]["SPANISH"])
        assert got[(area, "polish")] == float(rows[area]["POLISH"])


def test_places_are_all_inside_the_city_and_counted(con, raw_dir):
    kinds = dict(con.execute("SELECT kind, count(*) FROM venue GROUP BY kind").fetchall())
    with open(raw_dir / "Libraries_-_Locations__Hours_and_Contact_Information.csv", encoding="utf-8", newline="") as fh:
        n_libraries = sum(1 for _ in csv.DictReader(fh))
    assert kinds["library"] == n_libraries
    sites = dict(con.execute("SELECT kind, count(*) FROM service_site GROUP BY kind").fetchall())
    with open(raw_dir / "Public_Health_Services-_Chicago_Primary_Care_Community_Health_Centers.csv",
              encoding="utf-8", newline="") as fh:
        fq = list(csv.DictReader(fh))
    assert sites["community health centre"] == len(fq) - 1  # TCA Health, geocoded to Kansas, is dropped
    dq = queries.data_quality(con)
    outside = dq[(dq["rule"] == "point outside the city") & dq["file"].str.startswith("Public_Health_Services")]
    assert outside["rows_affected"].sum() == 1


def test_every_indicator_traces_to_a_source(con):
    orphans = con.execute("SELECT count(*) FROM indicator i ANTI JOIN source s USING (source_id)").fetchone()[0]
    assert orphans == 0
    defs = con.execute("SELECT count(*) FROM indicator_def d ANTI JOIN source s USING (source_id)").fetchone()[0]
    assert defs == 0
    for col in ("publisher", "years", "licence", "file"):
        missing = con.execute(f"SELECT count(*) FROM source WHERE {col} IS NULL OR {col} = ''").fetchone()[0]
        assert missing == 0, col
