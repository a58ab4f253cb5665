"""City packs (DESIGN §2b): a hand-made pack and New York City build and run every page; bad packs are refused.

The hand-made pack in tests/packs/tiny has six census tracts, each its own area, with 11-digit text ids, only
two need-index domains (need and barrier) and no languages file. New York's values are read here straight from
the raw files with the csv and json modules, not through the atlas's readers, and compared with the database.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from core.base.errors import InputError
from core.ingest.build import build
from core.ingest.pack_read import check_pack, pack_summary
from tests.conftest import AS_OF, NYC_RAW, REPO, TINY
from tests.test_pages import PAGES, run_page

# Cities a page could wrongly name: each database's pages may name only its own.
CITY_NAMES = ("Chicago", "New York")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def page_text(at: AppTest) -> str:
    """Every element's text on a page (titles, captions, help, labels, tables, map tooltips), as one string."""
    out: list[str] = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if children:
            for child in children.values():
                walk(child)
        elif getattr(node, "proto", None) is not None:
            out.append(str(node.proto))

    walk(at._tree)
    return "\n".join(out)


def run(db: Path, page: str, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("ATLAS_DB", str(db))
    return run_page(page, query, timeout=180)


def _others(own: str) -> list[str]:
    return [c for c in CITY_NAMES if c not in own]


# ---------------------------------------------------------------- the hand-made pack


def test_tiny_pack_builds_with_text_ids_and_its_own_words(tiny_db):
    with duckdb.connect(str(tiny_db), read_only=True) as c:
        ids = [r[0] for r in c.execute("SELECT area_id FROM area").fetchall()]
        assert sorted(ids) == sorted(r["tract_id"] for r in csv.DictReader(open(TINY / "tracts.csv")))
        assert all(isinstance(a, str) and len(a) == 11 for a in ids)
        # Each area is its own tract.
        assert c.execute("SELECT count(*) FROM tract WHERE tract_id <> area_id").fetchone()[0] == 0
        info = dict(c.execute("SELECT key, value FROM build_info").fetchall())
        assert (info["city_name"], info["city_area_label"], info["city_headline_indicator"]) == (
            "Tiny Harbor", "tract", "distress")
        # The need index is built from the two domains the pack has.
        domains = {r[0] for r in c.execute("SELECT DISTINCT domain FROM indicator_def WHERE in_need_index").fetchall()}
        assert domains == {"need", "barrier"}
        assert c.execute("SELECT count(*) FROM area_language").fetchone()[0] == 0
        flags = dict(c.execute("""SELECT indicator_id || ':' || area_id, flag FROM indicator
                                  WHERE flag IS NOT NULL""").fetchall())
        assert flags == {"distress:53033000402": "suppressed", "uninsured:53033000200": "caution"}
        assert c.execute("""SELECT value FROM indicator WHERE indicator_id = 'distress'
                            AND area_id = '53033000402'""").fetchone()[0] is None
        # Drops by rule are counted: one indicator row for an unknown tract, one clinic outside every area.
        dq = {r[0]: r[1] for r in c.execute("SELECT rule, rows_affected FROM data_quality").fetchall()}
        assert dq["indicator row for an unknown area"] == 1
        assert dq["point outside the city"] == 1
        kinds = dict(c.execute("SELECT venue_id, kind FROM venue").fetchall())
        assert kinds["v4"] == "senior centre" and kinds["v5"] == "bingo hall"  # unknown words kept as written


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_tiny_pack_and_names_no_other_city(tiny_db, page, monkeypatch):
    at = run(tiny_db, page, monkeypatch)
    assert not at.exception, at.exception
    text = page_text(at)
    for other in CITY_NAMES:
        assert other not in text, f"{page} names {other} on the Tiny Harbor pack"


def test_overview_uses_the_pack_headline_and_area_words(tiny_db, monkeypatch):
    at = run(tiny_db, "pages/overview.py", monkeypatch)
    assert any(s.value == "Tiny Harbor: Frequent mental distress by tract" for s in at.subheader)


def test_check_pack_reports_what_it_would_drop():
    text = pack_summary(check_pack(TINY))
    assert "Tiny Harbor" in text and "areas: 6" in text
    assert "indicator row for an unknown area: 1 rows" in text


def test_cli_check_pack(capsys):
    from core.cli.main import main

    assert main(["check-pack", str(TINY)]) == 0
    assert "city pack OK: Tiny Harbor" in capsys.readouterr().out
    assert main(["check-pack", str(TINY / "nowhere")]) == 2


# ---------------------------------------------------------------- bad packs


def _csv_edit(name: str, fn):
    def edit(pack: Path) -> None:
        p = pack / name
        rows = list(csv.reader(open(p, encoding="utf-8")))
        rows = fn(rows)
        with open(p, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    return edit


def _set(name: str, row: int, column: str, value: str):
    """Set one cell; ``row`` counts as a spreadsheet does (header = 1)."""
    def fn(rows):
        rows[row - 1][rows[0].index(column)] = value
        return rows
    return _csv_edit(name, fn)


def _geo(fn):
    def edit(pack: Path) -> None:
        doc = json.loads((pack / "areas.geojson").read_text())
        (pack / "areas.geojson").write_text(json.dumps(fn(doc)))
    return edit


def _projected(doc):
    # Web Mercator metres written as if they were degrees, with no "crs" member to say so.
    for f in doc["features"]:
        f["geometry"]["coordinates"] = [[[x * 111_320, y * 111_320] for x, y in ring]
                                        for ring in f["geometry"]["coordinates"]]
    return doc


def _non_utf8(pack: Path) -> None:
    p = pack / "sources.csv"
    text = p.read_text(encoding="utf-8").replace("Tiny Harbor tract counts", "Tiny Harbor recensement déc")
    p.write_bytes(text.encode("cp1252"))


def _drop_column(name: str, column: str):
    def fn(rows):
        k = rows[0].index(column)
        return [r[:k] + r[k + 1:] for r in rows]
    return _csv_edit(name, fn)


BAD_PACKS = {
    # kind: (edit, file, row, column)
    "missing file": (lambda p: (p / "venues.csv").unlink(), "venues.csv", None, None),
    "missing column": (_drop_column("tracts.csv", "population"), "tracts.csv", 1, "population"),
    "duplicate ids": (_set("venues.csv", 3, "venue_id", "v1"), "venues.csv", 3, "venue_id"),
    "duplicate area ids": (_geo(lambda d: (d["features"][2]["properties"].update(area_id="53033000100"), d)[1]),
                           "areas.geojson", 3, "area_id"),
    "unknown area_id in languages": (lambda p: (p / "languages.csv").write_text(
        "area_id,language,speakers\n53033000100,spanish,120\n5303300010,polish,40\n"),
        "languages.csv", 3, "area_id"),
    "headline not in the definitions": (lambda p: (p / "city.toml").write_text(
        (p / "city.toml").read_text().replace('headline_indicator = "distress"', 'headline_indicator = "despair"')),
        "city.toml", 5, "headline_indicator"),
    "indicator not in the definitions": (_set("indicators.csv", 4, "indicator_id", "distres"),
                                         "indicators.csv", 4, "indicator_id"),
    "swapped lon/lat": (lambda p: (_set("venues.csv", 5, "lon", "47.63")(p), _set("venues.csv", 5, "lat", "-122.39")(p)),
                        "venues.csv", 5, "lon"),
    "non-numeric value": (_set("indicators.csv", 6, "value", "twelve"), "indicators.csv", 6, "value"),
    "negative population": (_set("tracts.csv", 4, "population", "-5"), "tracts.csv", 4, "population"),
    "bad higher_is": (_set("indicator_defs.csv", 3, "higher_is", "higher"), "indicator_defs.csv", 3, "higher_is"),
    "bad domain": (_set("indicator_defs.csv", 2, "domain", "mood"), "indicator_defs.csv", 2, "domain"),
    "bad flag": (_set("indicators.csv", 2, "flag", "secret"), "indicators.csv", 2, "flag"),
    "empty areas file": (lambda p: (p / "areas.geojson").write_text('{"type": "FeatureCollection", "features": []}'),
                         "areas.geojson", None, None),
    "non-UTF-8 file": (_non_utf8, "sources.csv", 3, "title"),
    "projected GeoJSON, no CRS": (_geo(_projected), "areas.geojson", 1, "geometry"),
    "city.toml without a name": (lambda p: (p / "city.toml").write_text(
        "\n".join(line for line in (p / "city.toml").read_text().splitlines() if not line.startswith("name"))),
        "city.toml", None, "name"),
    "unknown source": (_set("indicator_defs.csv", 2, "source_id", "nobody"), "indicator_defs.csv", 2, "source_id"),
}


@pytest.mark.parametrize("kind", list(BAD_PACKS))
def test_bad_pack_is_refused_with_file_row_column_and_nothing_is_published(kind, tiny_db, tmp_path):
    edit, file, row, column = BAD_PACKS[kind]
    pack = tmp_path / "pack"
    shutil.copytree(TINY, pack)
    edit(pack)
    published = tmp_path / "atlas.duckdb"
    shutil.copy(tiny_db, published)
    before = _sha(published)
    with pytest.raises(InputError) as err:
        build(published, pack_dir=pack, as_of=AS_OF)
    e = err.value
    assert (e.file, e.row, e.column) == (file, row, column), str(e)
    assert _sha(published) == before
    assert not list(tmp_path.glob(".atlas-build-*"))
    # check-pack refuses it the same way, without building anything.
    with pytest.raises(InputError) as again:
        check_pack(pack)
    assert (again.value.file, again.value.row, again.value.column) == (file, row, column)


def test_the_unedited_copy_of_the_tiny_pack_is_accepted(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(TINY, pack)
    assert check_pack(pack).counts["areas"] == 6


# ---------------------------------------------------------------- New York City, checked against the raw files


def _chp_rows() -> dict[str, dict]:
    with open(NYC_RAW / "chp2022_cd.csv", encoding="utf-8-sig", newline="") as fh:
        return {r["ID"]: r for r in csv.DictReader(fh)}


def _db(nyc_db: Path, sql: str, params=None):
    with duckdb.connect(str(nyc_db), read_only=True) as c:
        return c.execute(sql, params or []).fetchall()


def test_nyc_has_the_59_community_districts(nyc_db):
    doc = json.loads((NYC_RAW / "dcp_community_districts_nycd24c.geojson").read_text())
    residential = sorted(str(f["properties"]["BoroCD"]) for f in doc["features"] if f["properties"]["BoroCD"] % 100 <= 18)
    got = sorted(r[0] for r in _db(nyc_db, "SELECT area_id FROM area"))
    assert len(got) == 59 and got == residential
    dropped = _db(nyc_db, "SELECT rows_affected FROM data_quality WHERE rule = ?",
                  ["joint-interest area, not a community district"])
    assert dropped == [(len(doc["features"]) - 59,)]


@pytest.mark.parametrize("district", ["101", "105", "204", "303", "407", "412", "503"])
def test_nyc_psychiatric_hospitalisation_rates_and_limits_equal_raw(nyc_db, district):
    raw = _chp_rows()[district]
    value, lo, hi = _db(nyc_db, """SELECT value, ci_low, ci_high FROM indicator
                                   WHERE indicator_id = 'psych_hosp' AND area_id = ?""", [district])[0]
    assert value == pytest.approx(float(raw["Psych_Hosp"]), rel=1e-12)
    assert lo == pytest.approx(float(raw["Psych_Hosp__lower_95CL"]), rel=1e-12)
    assert hi == pytest.approx(float(raw["Psych_Hosp__upper_95CL"]), rel=1e-12)


def test_nyc_suppressed_and_caution_flags_follow_the_raw_marks(nyc_db):
    rows = _chp_rows()
    got = {a: (v, f) for a, v, f in _db(nyc_db, "SELECT area_id, value, flag FROM indicator "
                                                "WHERE indicator_id = 'uninsured'")}
    n_suppressed = n_caution = 0
    for district, r in rows.items():
        if int(district) < 100:
            continue
        if "^" in r["Uninsured"] or r["Uninsured_reliability_note"].strip() == "^":
            assert got[district] == (None, "suppressed")
            n_suppressed += 1
        elif r["Uninsured_reliability_note"].strip() == "*":
            assert got[district] == (pytest.approx(float(r["Uninsured"])), "caution")
            n_caution += 1
        else:
            assert got[district] == (pytest.approx(float(r["Uninsured"])), None)
    assert n_suppressed >= 1 and n_caution >= 1


def test_nyc_districts_sharing_a_puma_keep_the_shared_value_and_say_so(nyc_db):
    rows = _chp_rows()
    assert rows["101"]["Poverty"] == rows["102"]["Poverty"]
    got = dict(_db(nyc_db, "SELECT area_id, value FROM indicator WHERE indicator_id = 'poverty'"))
    assert got["101"] == got["102"] == float(rows["101"]["Poverty"])
    definition = _db(nyc_db, "SELECT definition FROM indicator_def WHERE indicator_id = 'poverty'")[0][0]
    assert "PUMA" in definition


def test_nyc_tract_population_is_the_raw_total_of_tracts_nesting_in_the_59(nyc_db):
    with open(NYC_RAW / "dcp_nta2020_cdta2020_lookup.csv", encoding="utf-8-sig", newline="") as fh:
        district_of_nta = {r["NTAName"]: str(int(r["BoroCode"]) * 100 + int(r["CDTA2020"][2:]))
                           for r in csv.DictReader(fh)}
    doc = json.loads((NYC_RAW / "dcp_community_districts_nycd24c.geojson").read_text())
    districts = {str(f["properties"]["BoroCD"]) for f in doc["features"] if f["properties"]["BoroCD"] % 100 <= 18}
    inside = outside = outside_people = 0
    with open(NYC_RAW / "thecity_demographics_ct2020.csv", encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            d = district_of_nta.get(r["nta"])
            if d in districts:
                inside += int(r["pop"])
            elif d is not None:
                outside += 1
                outside_people += int(r["pop"])
    total = _db(nyc_db, "SELECT sum(population) FROM tract")[0][0]
    assert total == inside
    rule = _db(nyc_db, "SELECT rows_affected, detail FROM data_quality WHERE rule = 'tract in an unknown area'")
    assert rule[0][0] == outside
    assert f"{outside_people:,} residents" in rule[0][1]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_new_york_and_names_no_other_city(nyc_db, page, monkeypatch):
    at = run(nyc_db, page, monkeypatch)
    assert not at.exception, at.exception
    text = page_text(at)
    assert "Chicago" not in text, f"{page} names Chicago on the New York atlas"
    if page == "pages/data_methods.py":  # the pack's own note on what New York's data lacks
        assert "no senior-centre or community-centre file" in text


@pytest.mark.parametrize("page", PAGES)
def test_pages_of_the_default_atlas_name_no_other_city(use_db, page, monkeypatch):
    info = dict(duckdb.connect(str(use_db), read_only=True).execute("SELECT key, value FROM build_info").fetchall())
    at = run(use_db, page, monkeypatch)
    assert not at.exception, at.exception
    text = page_text(at)
    for other in _others(info["city_name"]):
        assert other not in text, f"{page} names {other} on the {info['city_name']} atlas"


# ---------------------------------------------------------------- several cities in one deployment


@pytest.fixture
def two_cities(tiny_db, demo_db, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cities"
    folder.mkdir()
    shutil.copy(tiny_db, folder / "tiny.duckdb")
    shutil.copy(demo_db, folder / "demo.duckdb")
    monkeypatch.delenv("ATLAS_DB", raising=False)
    monkeypatch.setenv("ATLAS_CITIES_DIR", str(folder))
    return folder


def _app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    return at


def test_the_city_in_the_url_opens_that_city_and_the_switcher_writes_it(two_cities):
    at = _app({"city": "tiny"})
    assert not at.exception, at.exception
    switch = at.sidebar.selectbox(key="city_switch")
    assert switch.value == "tiny" and switch.options == ["Chicago (synthetic demo)", "Tiny Harbor"]
    assert at.subheader[0].value.startswith("Tiny Harbor:")
    switch.set_value("demo").run()
    assert not at.exception
    assert at.query_params["city"] in (["demo"], "demo")
    assert at.subheader[0].value.startswith("Chicago (synthetic demo):")
    # A page change keeps the city the reader chose.
    at.switch_page("pages/brief.py")
    at.run()
    assert at.selectbox(key="brief_area").label == "Community area"


def test_an_unknown_city_in_the_url_opens_the_first(two_cities):
    at = _app({"city": "atlantis'; DROP TABLE area"})
    assert not at.exception
    assert at.sidebar.selectbox(key="city_switch").value == "demo"


def test_one_city_shows_no_switcher(tiny_db, tmp_path, monkeypatch):
    folder = tmp_path / "cities"
    folder.mkdir()
    shutil.copy(tiny_db, folder / "tiny.duckdb")
    monkeypatch.delenv("ATLAS_DB", raising=False)
    monkeypatch.setenv("ATLAS_CITIES_DIR", str(folder))
    at = _app()
    assert not at.exception
    assert not [s for s in at.sidebar.selectbox if s.key == "city_switch"]
    assert at.subheader[0].value.startswith("Tiny Harbor:")


@pytest.mark.parametrize("present, expected", [
    ((), ["demo:atlas.duckdb"]),
    (("chicago",), ["chicago:atlas.duckdb"]),
    (("chicago", "nyc"), ["chicago:chicago.duckdb", "nyc:nyc.duckdb"]),
])
def test_first_start_builds_whatever_real_data_is_beside_the_clone(present, expected, tmp_path, monkeypatch):
    from core.ingest.first_start import first_start_plan

    raw = tmp_path / "raw"
    for city in present:
        (raw / city).mkdir(parents=True)
    monkeypatch.setenv("ATLAS_RAW_DIR", str(raw / "chicago"))
    monkeypatch.setenv("ATLAS_CITIES_DIR", str(tmp_path / "cities"))
    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "atlas.duckdb"))
    plan = first_start_plan()
    assert [f"{reader}:{out.name}" for reader, _, out in plan] == expected


def test_need_index_uses_only_the_domains_the_pack_has(tiny_db):
    from core.analysis.need import need_for, present_domains

    with duckdb.connect(str(tiny_db), read_only=True) as c:
        assert present_domains(c) == ["need", "barrier"]
        ni = need_for(c)
        vals = dict(c.execute("""SELECT area_id || ':' || indicator_id, value FROM indicator
                                 WHERE indicator_id IN ('distress', 'uninsured')""").fetchall())
    assert ni.weights == {"need": 0.5, "vulnerability": 0.0, "barrier": 0.5}
    # Naive reference: with one indicator per domain, the score is the mean of the two percentile ranks (the
    # suppressed distress value is ranked on uninsured alone), and the index is that score's percentile rank.
    areas = sorted(ni.index.index)

    def pct(ind):
        have = {a: vals[f"{a}:{ind}"] for a in areas if vals.get(f"{a}:{ind}") is not None}
        return {a: sum(w < v for w in have.values()) / (len(have) - 1) for a, v in have.items()}

    p1, p2 = pct("distress"), pct("uninsured")
    score = {a: (p1[a] + p2[a]) / 2 if a in p1 else p2[a] for a in areas}
    want = {a: sum(s < score[a] for s in score.values()) / (len(areas) - 1) for a in areas}
    assert {a: round(v, 9) for a, v in ni.index.items()} == {a: round(v, 9) for a, v in want.items()}


def test_an_inventory_is_checked_against_its_pack_s_venues(tmp_path, tiny_db):
    from core.cli.main import main

    inv = tmp_path / "inv"
    assert main(["sample-inventory", "--pack", str(TINY), "--out", str(inv), "--as-of", "2026-10-01"]) == 0
    rows = list(csv.DictReader(open(inv / "programs.csv", encoding="utf-8")))
    assert {r["venue_id"] for r in rows} <= {r["venue_id"] for r in csv.DictReader(open(TINY / "venues.csv"))}
    # A venue id the pack does not have is refused, naming the file, the row and the column.
    header = list(rows[0])
    rows[2]["venue_id"] = "v99"
    with open(inv / "programs.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    published = tmp_path / "atlas.duckdb"
    shutil.copy(tiny_db, published)
    before = _sha(published)
    with pytest.raises(InputError) as err:
        build(published, inventory_dir=inv, pack_dir=TINY, as_of=AS_OF)
    assert (err.value.file, err.value.row, err.value.column) == ("programs.csv", 4, "venue_id")
    assert _sha(published) == before


def test_cli_builds_one_city_of_several_from_a_pack(tmp_path, monkeypatch, capsys):
    from core.cli.main import main

    monkeypatch.setenv("ATLAS_CITIES_DIR", str(tmp_path / "cities"))
    assert main(["build", "--pack", str(TINY), "--city", "tiny"]) == 0
    out = tmp_path / "cities" / "tiny.duckdb"
    with duckdb.connect(str(out), read_only=True) as c:
        info = dict(c.execute("SELECT key, value FROM build_info").fetchall())
    assert info["city_name"] == "Tiny Harbor" and info["pack_dir"] == str(TINY.resolve())
    # A slug that could leave the folder is refused before anything is built.
    with pytest.raises(ValueError):
        main(["build", "--pack", str(TINY), "--city", "../escape"])
    assert not (tmp_path / "escape.duckdb").exists()


def test_sample_inventory_offers_the_pack_s_languages_only_where_it_has_a_language_mix(tmp_path):
    from core.cli.main import main

    plain, mixed = tmp_path / "plain", tmp_path / "mixed"
    pack = tmp_path / "pack"
    shutil.copytree(TINY, pack)
    # A language a third of each tract speaks: offered by many programmes, as its share makes likely.
    with open(pack / "languages.csv", "w", encoding="utf-8") as fh:
        fh.write("area_id,language,speakers\n")
        for r in csv.DictReader(open(TINY / "tracts.csv")):
            fh.write(f"{r['area_id']},Tagalog,{int(r['population']) // 3}\n")
    for folder, source in ((plain, TINY), (mixed, pack)):
        assert main(["sample-inventory", "--pack", str(source), "--out", str(folder), "--as-of", "2026-10-01"]) == 0
    langs = {name: {lang for r in csv.DictReader(open(folder / "programs.csv", encoding="utf-8"))
                    for lang in r["languages"].split(";")} for name, folder in (("plain", plain), ("mixed", mixed))}
    assert langs["plain"] == {"english"}
    assert langs["mixed"] == {"english", "tagalog"}


def test_nyc_comparison_shows_confidence_limits_and_the_publisher_s_marks(nyc_db):
    from core.views import compare as cv

    raw = _chp_rows()
    with duckdb.connect(str(nyc_db), read_only=True) as c:
        long = cv.indicator_long(c)
    comp = cv.comparison(long, ["101", "106"])
    need = cv.domain_table(comp, "need").set_index("Indicator")
    lo, hi = float(raw["101"]["Psych_Hosp__lower_95CL"]), float(raw["101"]["Psych_Hosp__upper_95CL"])
    cell = need.loc["Psychiatric hospitalisations"].iloc[-2]
    assert cell.startswith(f"{float(raw['101']['Psych_Hosp']):.1f} (95% CI {lo:.1f}–{hi:.1f})")
    barrier = cv.domain_table(comp, "barrier").set_index("Indicator")
    assert barrier.loc["Uninsured"].iloc[-1] == "suppressed"  # '^' in the raw file
    assert "(caution)" in barrier.loc["Uninsured"].iloc[-2]  # '*' in the raw file
