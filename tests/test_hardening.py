"""Issue 15's red-team findings, one test per item (item 5, the proxy's headers, is tested with `atlas serve`).

Items 1 and 2 build one hostile atlas: funders, programmes, areas, venues, service sites and sources named with
spreadsheet formulas and with phishing markdown, and open every page on it as a reader would.
"""

from __future__ import annotations

import copy
import csv
import html
import io
import logging
import re
import shutil
import tempfile
import tomllib
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import core.ingest.build
import core.ingest.inventory_load
from core.base.errors import InputError
from core.ingest.build import build
from core.ingest.inventory_load import load_inventory
from core.ingest.reference import load_reference
from core.serve import admin, auth
from core.store import queries
from tests.conftest import REPO
from tests.download_spy import capture_downloads
from tests.test_pages import app_pages

# Each formula also carries a link to the hostile site, so the markdown test (item 2) covers these rows too.
FORMULAS = ['=HYPERLINK("http://evil.example/x","funder")', "@SUM(1) [Sign in](https://evil.example/s)",
            "-1+1 [Sign in](https://evil.example/m)"]
PHISH = ("[Sign in again](https://evil.example/phish) ![px](http://evil.example/p.png) "
         "<img src=x onerror=alert(1)>")
HOSTILE = [*FORMULAS, PHISH]


def hostile_name(i: int) -> str:
    """Row i's hostile name: rows 1-3 a formula, every other row its own phishing markdown (row 0 is PHISH), so a
    name from any row that reaches markdown unescaped is caught."""
    if 1 <= i <= len(FORMULAS):
        return FORMULAS[i - 1]
    return PHISH if i == 0 else PHISH.replace("Sign in again", f"Sign in again {i}")
PASSWORD = "pw-for-hardening-tests"
SECRETS = {"admin": {"password_hash": auth.hash_password(PASSWORD, n=2**10)}}


def _grant() -> auth.Grant:
    return auth.sign_in(auth.config_from_secrets(SECRETS), "", PASSWORD, throttle=auth.Throttle())


def _published_inventory(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return admin.published_inventory(con)
    finally:
        con.close()


def _hostile_inventory(path: Path) -> dict[str, pd.DataFrame]:
    """The published inventory with its first programmes, organisations, places and funders given hostile names."""
    inv = _published_inventory(path)
    programs, funding = inv["programs.csv"], inv["funding.csv"]
    for column in ("name", "organization_name", "location_name"):
        programs[column] = [hostile_name(i) for i in range(len(programs))]
    # A few dozen funders, each its own hostile name, so the funder chart and tables still have a handful each.
    funding["funder"] = [hostile_name(i % 40) for i in range(len(funding))]
    return inv


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory, atlas_db) -> Path:
    """An atlas whose inventory and city reference data carry formula and phishing names."""
    con = duckdb.connect(str(atlas_db), read_only=True)
    try:
        info = queries.build_info(con)
    finally:
        con.close()
    reference = load_reference(None, demo=info["data_kind"] == "demo")
    for frame in (reference.areas, reference.venues, reference.service_sites):
        frame["name"] = [hostile_name(i) for i in range(len(frame))]
    for column in ("title", "publisher"):
        reference.sources[column] = [hostile_name(i) for i in range(len(reference.sources))]
    directory = tmp_path_factory.mktemp("hostile-inventory")
    for name, frame in _hostile_inventory(atlas_db).items():
        (directory / name).write_bytes(frame.to_csv(index=False).encode("utf-8"))
    out = tmp_path_factory.mktemp("hostile-atlas") / "atlas.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setattr(core.ingest.build, "load_reference", lambda *a, **k: copy.deepcopy(reference))
    try:
        build(out, None, directory)
    finally:
        mp.undo()
    return out


def _is_formula(value) -> bool:
    """Text a spreadsheet would run as a formula: starts with = + - @ tab or CR and is not a number."""
    if not isinstance(value, str) or value[:1] not in ("=", "+", "-", "@", "\t", "\r"):
        return False
    try:
        float(value)
        return False
    except ValueError:
        return True


def _csv_formulas(data: bytes | str) -> list[str]:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return [v for row in csv.reader(io.StringIO(text)) for v in row if _is_formula(v)]


# The funding page opens its scenario on a hostile funder, so the scenario sentence, facts and tables carry it.
# Coverage and Underserved open an area's details, which name the area in sentences.
PAGE_QUERIES = {"pages/funding.py": {"funder": PHISH}, "pages/coverage.py": {"area": "1"},
                "pages/underserved.py": {"area": "1"}}


def _open(page: str, db: Path, monkeypatch) -> tuple[AppTest, list]:
    monkeypatch.setenv("ATLAS_DB", str(db))
    downloads = capture_downloads(monkeypatch)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    for k, v in PAGE_QUERIES.get(page, {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at, downloads


def _hostile_admin(db: Path, tmp_path: Path, monkeypatch) -> tuple[AppTest, list]:
    """The Admin page of a signed-in owner who has checked an upload with hostile names."""
    published = tmp_path / "atlas.duckdb"
    shutil.copy(db, published)
    monkeypatch.setenv("ATLAS_DB", str(published))
    downloads = capture_downloads(monkeypatch)
    at = AppTest.from_file(str(REPO / "pages" / "admin.py"), default_timeout=300)
    at.secrets.update(SECRETS)
    at.session_state[auth.GRANT_KEY] = _grant()
    at.run()
    inv = _hostile_inventory(published)
    inv["programs.csv"].loc[1, "weekly_capacity"] = 97.0  # so the hostile programme is among those that differ
    for name, frame in inv.items():
        at.get("file_uploader")[list(admin.INVENTORY_FILES).index(name)].set_value(
            (name, frame.to_csv(index=False).encode("utf-8"), "text/csv"))
    at.run()
    at.button(key="admin_check").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    admin.discard(at.session_state["admin_staged"])
    return at, downloads


PAGES = [*app_pages(), "pages/admin.py"]


def _page(page, hostile_db, tmp_path, monkeypatch):
    if page == "pages/admin.py":
        return _hostile_admin(hostile_db, tmp_path, monkeypatch)
    return _open(page, hostile_db, monkeypatch)


# ---------------------------------------------------------------------------------------------------------------
# Item 1: spreadsheet formulas survive the table's own download.


def _table_cells(frame: pd.DataFrame) -> list:
    return [*map(str, frame.columns), *frame.to_numpy().ravel().tolist()]


@pytest.mark.parametrize("page", PAGES)
def test_item1_displayed_tables_and_csvs_hold_no_live_formula(page, hostile_db, tmp_path, monkeypatch):
    """Every table a page shows (whose toolbar downloads what it shows) and every CSV it offers is neutralised."""
    at, downloads = _page(page, hostile_db, tmp_path, monkeypatch)
    cells = [v for table in at.dataframe for v in _table_cells(table.value)]
    assert at.dataframe or page == "pages/brief.py", page  # the brief's tables are HTML, with no toolbar
    assert [v for v in cells if _is_formula(v)] == [], page
    for name, mime, data in downloads:
        if name.endswith(".csv") or mime == "text/csv":
            assert _csv_formulas(data) == [], (page, name)
    # The tables of these pages show hostile names, neutralised as in our downloads.
    shown = {v for v in cells if isinstance(v, str)}
    expected = {"pages/funding.py": FORMULAS, "pages/coverage.py": ["'" + FORMULAS[0]],
                "pages/admin.py": ["'" + FORMULAS[0]]}.get(page, [])
    for text in expected:
        assert ("'" + text if not text.startswith("'") else text) in shown, (page, text)


def test_item1_pages_draw_tables_only_through_the_neutralising_helper():
    """A page calling st.dataframe directly would show (and let readers download) un-neutralised text."""
    for path in sorted((REPO / "pages").glob("*.py")):
        calls = re.findall(r"\b(?:st|left|right|col|c\d)\.(?:dataframe|data_editor|table)\(", path.read_text())
        assert calls == [], path.name


# ---------------------------------------------------------------------------------------------------------------
# Item 2: names are rendered as markdown.

# Proto fields Streamlit renders as markdown: bodies of markdown, captions, alerts and headings; labels and help
# of widgets, metrics, expanders, tabs and page links. A metric's value and st.text/st.code are plain text.
MARKDOWN_FIELDS = {"body", "label", "help", "caption"}
PLAIN_ELEMENTS = {"Text", "Code", "Metric.body", "Exception"}
# A raw address of the hostile site is a link (or an image) in markdown, whether in [..](..) or bare (GFM).
LIVE_MARKUP = re.compile(r"https?://evil\.example|<img src=x")
LIVE_HTML = re.compile(r"<img src=x")


def _element_protos(node):
    proto = getattr(node, "proto", None)
    if proto is not None:
        yield proto
    for child in getattr(node, "children", {}).values():
        yield from _element_protos(child)


def _markdown_texts(message, owner: str = ""):
    """(where, text) of every string field of ``message`` that Streamlit renders as markdown."""
    name = message.DESCRIPTOR.name
    if name in PLAIN_ELEMENTS:
        return
    for field, value in message.ListFields():
        if field.type not in (field.TYPE_MESSAGE, field.TYPE_STRING):
            continue
        items = [value] if isinstance(value, str) or hasattr(value, "DESCRIPTOR") else list(value)
        if field.type == field.TYPE_MESSAGE:
            for item in items:
                yield from _markdown_texts(item, name)
        elif field.type == field.TYPE_STRING and field.name in MARKDOWN_FIELDS:
            if f"{name}.{field.name}" not in PLAIN_ELEMENTS:
                for text in items:
                    yield f"{name}.{field.name}", text


@pytest.mark.parametrize("page", PAGES)
def test_item2_names_are_inert_wherever_they_meet_markdown(page, hostile_db, tmp_path, monkeypatch):
    at, _ = _page(page, hostile_db, tmp_path, monkeypatch)
    texts = [t for proto in _element_protos(at._tree) for t in _markdown_texts(proto)]
    assert texts, page
    # st.html renders HTML, not markdown: there only a live tag counts.
    live = [(where, text[:300]) for where, text in texts
            if (LIVE_HTML if where == "Html.body" else LIVE_MARKUP).search(text)]
    assert live == [], page
    # Names still reach the reader, as text: the funding scenario names its (hostile) funder.
    if page == "pages/funding.py":
        assert any("Sign in again" in t and "evil.example" in t for _, t in texts)


# ---------------------------------------------------------------------------------------------------------------
# Item 3: impossible years crash the check.


def _write(directory: Path, inv: dict[str, pd.DataFrame]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, frame in inv.items():
        (directory / name).write_bytes(frame.to_csv(index=False).encode("utf-8"))
    return directory


@pytest.fixture
def published(tmp_path, atlas_db, monkeypatch) -> Path:
    out = tmp_path / "pub" / "atlas.duckdb"
    out.parent.mkdir()
    shutil.copy(atlas_db, out)
    monkeypatch.setenv("ATLAS_DB", str(out))
    return out


def _admin_page() -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / "admin.py"), default_timeout=300)
    at.secrets.update(SECRETS)
    at.session_state[auth.GRANT_KEY] = _grant()
    return at.run()


def _check_upload(at: AppTest, inv: dict[str, pd.DataFrame]) -> AppTest:
    for name, frame in inv.items():
        at.get("file_uploader")[list(admin.INVENTORY_FILES).index(name)].set_value(
            (name, frame.to_csv(index=False).encode("utf-8"), "text/csv"))
    at.run()
    return at.button(key="admin_check").click().run()


@pytest.mark.parametrize("file,column,value", [
    ("programs.csv", "start_date", "2999-01-01"), ("programs.csv", "start_date", "0001-01-01"),
    ("funding.csv", "end_date", "2999-12-31"), ("program_periods.csv", "period", "9999Q4"),
    ("program_periods.csv", "period", "0000Q1")])
def test_item3_impossible_years_are_refused_with_file_row_and_column(file, column, value, published, tmp_path,
                                                                      monkeypatch, caplog, jobs_in_process):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    inv = _published_inventory(published)
    inv[file].loc[2, column] = value
    areas, venues = admin.published_places(duckdb.connect(str(published), read_only=True))
    with pytest.raises(InputError) as refused:
        load_inventory(_write(tmp_path / "inv", inv), areas, venues)
    assert (refused.value.file, refused.value.row, refused.value.column) == (file, 4, column)
    assert "year" in str(refused.value)

    at = _check_upload(_admin_page(), inv)
    assert not at.exception, at.exception
    message = html.unescape(" ".join(e.value for e in at.error))
    assert f"{file}: row 4, column '{column}'" in message and "nothing was published" in message
    assert not list((tmp_path / "tmp").glob(admin.STAGE_PREFIX + "*")), "the staging folder is removed"


def test_item3_any_error_in_the_check_is_caught_logged_and_cleaned_up(published, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()

    def crash(*args, **kwargs):
        raise RuntimeError("boom in /srv/atlas/secret/path.py")

    monkeypatch.setattr(admin, "check", crash)
    with caplog.at_level(logging.ERROR):
        at = _check_upload(_admin_page(), _published_inventory(published))
    assert not at.exception, at.exception
    shown = " ".join(e.value for e in at.error)
    assert "nothing was published" in shown and "/srv/atlas" not in shown and "boom" not in shown
    assert any(r.exc_info and "boom in /srv/atlas" in str(r.exc_info[1]) for r in caplog.records), \
        "the traceback is kept in the server log"
    assert not list((tmp_path / "tmp").glob(admin.STAGE_PREFIX + "*"))


# ---------------------------------------------------------------------------------------------------------------
# Item 4: tracebacks for the public.


def test_item4_visitors_see_no_error_details(monkeypatch):
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    # The setting as Streamlit applies it: a crash shows readers neither the message nor a path.
    from streamlit.testing.v1.util import patch_config_options

    with patch_config_options({"client.showErrorDetails": config["client"]["showErrorDetails"]}):
        at = AppTest.from_string("raise RuntimeError('secret detail in /srv/atlas/core/x.py')",
                                 default_timeout=30).run()
    shown = " ".join(str(e.proto) for e in at.exception)
    assert at.exception and "/srv/atlas" not in shown and "secret detail" not in shown


# ---------------------------------------------------------------------------------------------------------------
# Item 6: lockout as denial of service.


def test_item6_failures_from_one_client_neither_lock_out_the_owner_nor_stop_growing():
    now = [1000.0]
    throttle = auth.Throttle(clock=lambda: now[0])
    config = auth.config_from_secrets(SECRETS)
    attacker, owner = "203.0.113.9", "198.51.100.7"
    for _ in range(10):
        with pytest.raises(auth.SignInRefused):
            auth.sign_in(config, "", "a wrong guess", client=attacker, throttle=throttle)
    # The owner signs in from her own address at once, while the attacker's address is made to wait.
    assert auth.is_valid(auth.sign_in(config, "", PASSWORD, client=owner, throttle=throttle))
    key = (attacker, auth.SHARED_USER)
    with pytest.raises(auth.SignInRefused, match="try again"):
        auth.sign_in(config, "", PASSWORD, client=attacker, throttle=throttle)
    # Each further failure after a wait makes the next wait longer, up to the cap; never a fixed lockout.
    waits = []
    for _ in range(6):
        waits.append(throttle.wait(key))
        now[0] += waits[-1]
        with pytest.raises(auth.SignInRefused, match="wrong"):
            auth.sign_in(config, "", "another wrong guess", client=attacker, throttle=throttle)
    assert all(0 < a < b or b == throttle.cap for a, b in zip(waits, waits[1:])), waits
    assert max(waits) <= throttle.cap
    now[0] += throttle.wait(key)
    assert auth.is_valid(auth.sign_in(config, "", PASSWORD, client=attacker, throttle=throttle))
    # The client is the address the proxy forwards, trusted only when the request comes from the proxy itself.
    forwarded = {"X-Forwarded-For": "10.9.9.9, 203.0.113.9"}
    assert auth.client_address(forwarded, "127.0.0.1") == "203.0.113.9"
    assert auth.client_address(forwarded, "192.0.2.1") == "192.0.2.1"
    assert auth.client_address({}, None) == "local"


# ---------------------------------------------------------------------------------------------------------------
# Item 7: a heavy upload slows every reader.


@pytest.mark.slow
def test_item7_the_check_and_publish_run_outside_the_serving_process(published, tmp_path, monkeypatch):
    inv = _published_inventory(published)
    staged = admin.stage_upload({n: f.to_csv(index=False).encode() for n, f in inv.items()}, root=tmp_path)

    def in_this_process(*args, **kwargs):
        raise AssertionError("ran in the serving process")

    # Were the check or the rebuild run here, these would raise; a subprocess imports its own copies.
    monkeypatch.setattr(core.ingest.inventory_load, "load_inventory", in_this_process)
    monkeypatch.setattr(core.ingest.build, "build", in_this_process)
    monkeypatch.setattr(admin, "load_inventory", in_this_process, raising=False)
    monkeypatch.setattr(admin, "build", in_this_process, raising=False)
    preview = admin.check(staged, published)
    assert preview.summary() == {"added": 0, "removed": 0, "changed": 0}
    info = admin.publish(_grant(), staged, published)
    assert info["inventory_kind"] == "supplied"
    admin.discard(staged)

    # A file over the documented row limit is refused before it is checked, naming the file and the first row over.
    # The published rows repeated past the limit, as text (writing 200,000 rows through pandas takes seconds).
    head, body = inv["program_periods.csv"].to_csv(index=False).split("\n", 1)
    big = head + "\n" + body * (admin.MAX_ROWS // len(inv["program_periods.csv"]) + 1)
    staged = admin.stage_upload({"programs.csv": inv["programs.csv"].to_csv(index=False).encode(),
                                 "funding.csv": inv["funding.csv"].to_csv(index=False).encode(),
                                 "program_periods.csv": big.encode()}, root=tmp_path)
    try:
        with pytest.raises(InputError) as refused:
            admin.check(staged, published)
    finally:
        admin.discard(staged)
    assert (refused.value.file, refused.value.row) == ("program_periods.csv", admin.MAX_ROWS + 2)
    assert f"{admin.MAX_ROWS:,}" in str(refused.value)
    assert f"{admin.MAX_ROWS:,}" in (REPO / "data" / "inventory" / "README.md").read_text()
