"""End to end in headless Chromium: every page in app.py renders its map, headline metric and table with no error,
and the Admin page exists only for a signed-in data owner. The pages use the session's shared server; the Admin test
has a server of its own, with a data-owner password, on a copy of the atlas."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.serve import admin, auth
from tests.browser_support import (assert_no_error, park, per_page, require_chromium, settle, shoot,
                                   streamlit_server, unpark, wait_for_canvas)
from tests.conftest import REPO

pytestmark = pytest.mark.browser

TIMEOUT = 240_000
PASSWORD = "browser-test-password"


def expectations(script: str) -> dict[str, bool]:
    """What the page's own source says it draws, so a new page is held to the same checks."""
    source = (REPO / script).read_text()
    return {"map": "pydeck_chart(" in source, "metric": ".metric(" in source,
            "table": re.search(r"\bdataframe\(|\.table\(", source) is not None}  # core.serve.tables.dataframe


@pytest.fixture(scope="module")
def admin_server(atlas_db, tmp_path_factory):
    """A server on a copy of the atlas (a publish must not touch the session's), with a test data-owner password in a
    secrets file outside the repo."""
    require_chromium()
    root = tmp_path_factory.mktemp("browser")
    db = root / "atlas.duckdb"
    shutil.copy(atlas_db, db)
    secrets = root / "secrets.toml"
    secrets.write_text(f'[admin]\npassword_hash = "{auth.hash_password(PASSWORD, n=2**12)}"\n')
    with streamlit_server(db, {"STREAMLIT_SECRETS_FILES": str(secrets)}) as url:
        yield url, db


def _settle(page) -> None:
    settle(page, timeout=TIMEOUT)


@pytest.mark.parametrize("script, path", per_page())
def test_page_renders_map_metric_and_table(page_visit, artifacts, script, path):
    want = expectations(script)
    # Straight to the page by its shared link, as a shared link arrives: it runs under app.py's navigation even on a
    # fresh server (core.serve.cache.ensure_navigation), which the visit's settle checks.
    page = page_visit(path)
    if want["metric"]:
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=TIMEOUT)
        values = [e.inner_text().strip() for e in page.query_selector_all('[data-testid="stMetricValue"]')]
        assert values and all(values), (path, values)
    if want["map"]:
        canvas = wait_for_canvas(page, timeout=TIMEOUT)
        box = canvas.bounding_box()
        assert box["width"] > 200 and box["height"] > 200, (path, box)
    if want["table"]:
        grid = page.wait_for_selector('[data-testid="stDataFrame"]', timeout=TIMEOUT)
        assert grid.bounding_box()["height"] > 40, path
    assert page.query_selector('[data-testid="stMain"] h1'), path
    assert_no_error(page)
    shoot(page, artifacts / f"all-pages-{path}.png")


@pytest.mark.parametrize("script, path", per_page())
def test_page_fetches_nothing_from_another_host(page_visit, script, path):
    # The visit has recorded its requests from the first one on; its maps and charts have drawn once their canvas
    # has its size (a basemap style or a web font would be fetched by then).
    page = page_visit(path)
    if expectations(script)["map"]:
        wait_for_canvas(page, timeout=TIMEOUT)
    page.wait_for_timeout(500)
    assert page.atlas_outside == [], (path, page.atlas_outside)
    refused = [m for m in page.atlas_console if "Content Security Policy" in m]
    assert refused == [], (path, refused)


# Asked afresh each time: a rerun may replace the button's element.
CHECK_ENABLED = """() => {
  const b = [...document.querySelectorAll('button')].find(x => x.innerText.trim() === 'Check the upload');
  return Boolean(b) && !b.disabled;
}"""


def test_admin_page_only_after_signing_in(admin_server, open_page, artifacts):
    url, db = admin_server
    inventory = _published_inventory(db)
    page = open_page(1280, 900)
    page.goto(url)
    _settle(page)
    page.goto(f"{url}/admin")  # not registered for a visitor: Streamlit runs the default page instead
    # The default page passes the reader on to /overview. Streamlit's "Page not found" dialog is drawn on the way,
    # but a loaded machine can take both messages in one render and never draw it (two full runs here did), so the
    # test waits for where the reader lands: the Overview, with no Admin page anywhere.
    try:
        page.wait_for_url(re.compile(r"/overview(\?|$)"), timeout=TIMEOUT)
        page.wait_for_selector('[data-testid="stMain"] h1', timeout=TIMEOUT)
    except PlaywrightTimeout:
        shoot(page, artifacts / "admin-as-visitor-timeout.png")   # what the reader saw instead, for the record
        raise AssertionError(f"a visitor opening /admin did not land on the Overview: at {page.url}, showing "
                             f"{page.inner_text('body')[:300]!r}") from None
    _settle(page)
    if page.query_selector('[role="dialog"]'):
        page.keyboard.press("Escape")
        page.wait_for_selector('[role="dialog"]', state="detached", timeout=TIMEOUT)
    assert not page.query_selector('[data-testid="stFileUploader"]')
    assert "Admin" not in page.inner_text('[data-testid="stSidebarNav"]')

    page.get_by_text("Data owners").click()
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("text=wrong user name or password", timeout=TIMEOUT)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    admin_link = page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Admin")
    admin_link.wait_for(timeout=TIMEOUT)
    admin_link.click()
    page.wait_for_selector('[data-testid="stFileUploader"]', timeout=TIMEOUT)
    _settle(page)  # the Admin page's first run may be followed by another, which would drop files given meanwhile

    check = page.get_by_role("button", name="Check the upload")
    # The button is enabled once all three files are in. A rerun that starts while a file is still uploading can drop
    # it (seen on a loaded machine), so the files are given again, up to three times, until the button is enabled.
    for attempt in range(3):
        inputs = page.query_selector_all('[data-testid="stFileUploader"] input[type="file"]')
        assert len(inputs) == 3
        for element, name in zip(inputs, admin.INVENTORY_FILES):
            element.set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": inventory[name]}])
        try:
            page.wait_for_function(CHECK_ENABLED, timeout=TIMEOUT // 4)
            break
        except PlaywrightTimeout:
            _settle(page)
    check.click(timeout=TIMEOUT)
    page.wait_for_selector("text=What would change", timeout=TIMEOUT)
    _settle(page)
    assert "0 added, 0 removed, 0 changed" in page.inner_text('[data-testid="stMain"]').replace("*", "")
    assert_no_error(page)
    shoot(page, artifacts / "admin-preview.png")
    page.get_by_role("button", name="Discard").click()
    _settle(page)
    assert not page.query_selector("text=What would change")


def _published_inventory(db) -> dict[str, bytes]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: frame.to_csv(index=False).encode() for name, frame in admin.published_inventory(con).items()}
    finally:
        con.close()


# How many animation frames the page draws within ``ms`` (it stops asking for more once the time is up).
_FRAMES_WITHIN = """(ms) => new Promise((done) => {
  let drawn = 0, over = false;
  const ask = () => requestAnimationFrame(() => { drawn += 1; if (!over) ask(); });
  ask();
  setTimeout(() => { over = true; done(drawn); }, ms);
})"""


def test_a_parked_tab_holds_its_frames_and_gets_them_back(open_page):
    # The kept tabs of page_visit are parked between tests (a map drawing every frame costs a tenth of a core): a
    # parked tab draws no frame, and once unparked draws again, the frame it asked for while parked among them.
    page = open_page(400, 300)
    page.set_content("<p>frames</p>")
    assert page.evaluate(_FRAMES_WITHIN, 300) > 3
    park(page)
    page.evaluate("() => { window.__heldFrame = false; requestAnimationFrame(() => { window.__heldFrame = true; }); }")
    assert page.evaluate(_FRAMES_WITHIN, 300) == 0
    assert page.evaluate("() => window.__heldFrame") is False
    unpark(page)
    assert page.evaluate(_FRAMES_WITHIN, 300) > 3
    assert page.evaluate("() => window.__heldFrame") is True
