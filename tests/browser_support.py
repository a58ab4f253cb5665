"""Running `streamlit run` on 127.0.0.1 and driving Debian's headless Chromium with Playwright.

A browser test asks tests/conftest.py for the session's shared pieces, so no test starts a server or a browser:

    from tests.browser_support import assert_no_error, settle, shoot

    pytestmark = pytest.mark.browser          # browser tests run last, after every other test

    def test_coverage_draws(atlas_server, open_page, artifacts):
        page = open_page(1280, 900)           # a new tab, with its own cookies, in the session's one Chromium
        page.goto(atlas_server + "/coverage")  # the one `streamlit run` on the session's atlas database
        settle(page)                           # the script has run and the app has been quiet for a moment
        assert_no_error(page)
        shoot(page, artifacts / "coverage.png")

A test that needs a server of its own (a secrets file, another environment, a database it changes) starts one in a
fixture with `streamlit_server(db, extra_env)`, as test_browser_all_pages.py does for the Admin page.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# A filter each page reads from its URL, so a page's visit opens a real shared view and not just its address.
SHARED_LINKS = {"overview": "sites=0", "coverage": "d0=15", "underserved": "area=8", "funding": "risk=1",
                "impact": "quarters=4", "inclusion": "group=poc&quarters=4", "volunteers": "quarters=2",
                "compare": "areas=8,25", "plan": "k=3", "brief": "area=25", "data-methods": ""}
# --disable-gpu-compositing: without a GPU, Chromium otherwise composites every frame through SwiftShader, its
# software Vulkan, as it draws a map's WebGL. Composited on the CPU instead, Chromium took 0.84x and 0.89x the CPU
# over three map-heavy browser test files (two runs each), 0.96x over every browser test (one run each); the maps
# draw the same.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-gpu-compositing"]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("ATLAS_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing but browser tests are required here")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(db: Path, extra_env: dict[str, str] | None = None):
    port = free_port()
    env = dict(os.environ, ATLAS_DB=str(db), **(extra_env or {}))
    log_path = REPO / "artifacts" / f"streamlit-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        # Logs go to a file, not a pipe: an unread pipe fills at 64 KB and then blocks the server.
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def chromium():
    """Headless Chromium under Playwright, for as long as the block lasts (conftest keeps one per session)."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def app_pages() -> list[tuple[str, str]]:
    """(script, url path) of every public page app.py registers, read from its source at test time."""
    text = (REPO / "app.py").read_text()
    found = re.findall(r'st\.Page\("(pages/\w+\.py)"[^)]*?url_path="([\w-]+)"', text)
    return [(script, path) for script, path in found if script != "pages/admin.py"]


def shared_link(path: str) -> str:
    """The page's address with its :data:`SHARED_LINKS` filter, relative to the server."""
    query = SHARED_LINKS.get(path, "")
    return f"/{path}" + (f"?{query}" if query else "")


def per_page():
    """``pytest.mark.parametrize("script, path", per_page())``: one case per public page, grouped by page.

    The cases of one page, in whichever test module, run in the same test process (pytest-xdist's ``loadgroup``),
    so they share that page's one visit (conftest ``page_visit``) instead of each loading it again.
    """
    return [pytest.param(script, path, id=path, marks=pytest.mark.xdist_group(f"page-{path}"))
            for script, path in app_pages()]


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator) and the page has content."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout)
    # Wait for app.py's navigation as well as the page's title.
    page.wait_for_function(
        "() => (document.querySelector('[data-testid=\"stSidebarNav\"]') || {}).innerText?.includes('Data & methods')",
        timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)


def watch_hosts(page, url: str) -> tuple[list[str], list[str]]:
    """Start recording every request ``page`` makes to a host other than ``url``'s, and every console error (a
    Content Security Policy refusal among them): the two lists fill as the page runs."""
    own = urllib.parse.urlsplit(url).netloc
    outside, console = [], []

    def on_request(request):
        parts = urllib.parse.urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != own:
            outside.append(request.url)

    page.on("request", on_request)
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    return outside, console


def assert_no_error(page) -> None:
    errors = page.query_selector_all('[data-testid="stException"], [data-testid="stAlertContentError"]')
    texts = [e.inner_text()[:300] for e in errors]
    assert not errors, f"error elements on the page: {texts}"


# Busy while a script runs (the status widget) or a rerun is replacing elements (marked stale). Quiet since when is
# kept on the window, so the wait polls a condition rather than sleeping a fixed time.
_QUIET = """(quietMs) => {
  const busy = document.querySelector('[data-testid="stStatusWidget"], [data-stale="true"]');
  const now = performance.now();
  if (busy || window.__atlasQuietSince === undefined) window.__atlasQuietSince = now;
  return !busy && now - window.__atlasQuietSince >= quietMs;
}"""


def wait_until_quiet(page, quiet_ms: int = 1000, timeout: float = 60_000) -> None:
    """Wait until no script has run for `quiet_ms`: a rerun that follows the first (a chart sizing itself to its
    column, a widget settling its value) starts within that and is waited for too."""
    page.evaluate("() => { window.__atlasQuietSince = undefined; }")
    page.wait_for_function(_QUIET, arg=quiet_ms, polling=100, timeout=timeout)


def settle(page, timeout: float = 60_000, quiet_ms: int = 1000) -> None:
    """The page's script has run under app.py's navigation and the app has gone quiet."""
    wait_for_app(page, timeout=timeout)
    wait_until_quiet(page, quiet_ms=quiet_ms, timeout=timeout)


# A deck.gl map asks for every animation frame, drawn or not: in a headless Chromium without a GPU each map tab left
# open costs a renderer about a tenth of a core, idle. A tab kept for later tests (conftest ``page_visit``) is parked
# while no test reads it: its frame requests are held, and handed back to the browser when it is read again.
_PARK = """() => { if (window.__atlasFrames) return;
  window.__atlasFrames = {request: window.requestAnimationFrame, held: []};
  window.requestAnimationFrame = (callback) => { window.__atlasFrames.held.push(callback); return 0; }; }"""
_UNPARK = """() => { const f = window.__atlasFrames; if (!f) return;
  window.requestAnimationFrame = f.request; delete window.__atlasFrames;
  f.held.forEach((callback) => window.requestAnimationFrame(callback)); }"""


def park(page) -> None:
    """Hold ``page``'s animation frames until :func:`unpark` (a tab kept open while no test reads it)."""
    page.evaluate(_PARK)


def unpark(page) -> None:
    """Give ``page`` its animation frames back, the ones it asked for while parked first."""
    page.evaluate(_UNPARK)


def wait_for_canvas(page, selector: str = '[data-testid="stDeckGlJsonChart"] canvas', timeout: float = 60_000):
    """The first canvas that `selector` finds, once laid out: a map's canvas is created at the HTML default of
    300 x 150 px and takes its map's size a moment later, sometimes in more than one step (a run once measured it
    300 px wide on its way). So it is taken once its size is not the default and has held for 300 ms. The test then
    checks the size it got."""
    page.wait_for_function(
        """(s) => { const c = document.querySelector(s);
                    if (!c) return false;
                    const r = c.getBoundingClientRect();
                    if (r.width === 300 && r.height === 150) return false;
                    const size = r.width + "x" + r.height, now = performance.now();
                    const sizes = window.__atlasCanvasSizes = window.__atlasCanvasSizes || {};
                    const seen = sizes[s];
                    if (!seen || seen.size !== size) { sizes[s] = {size, since: now}; return false; }
                    return now - seen.since >= 300; }""", arg=selector, polling=100, timeout=timeout)
    return page.query_selector(selector)


def next_frames(page) -> None:
    """Let the browser lay out and paint twice (after a resize or a scroll), so a screenshot shows the new state."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def shoot(page, path, restore: bool = True) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so grow the viewport to fit it.
    ``restore=False`` leaves the viewport grown (a caller photographing several widths restores it once)."""
    width = page.viewport_size["width"]
    height = page.viewport_size["height"]
    content = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').getBoundingClientRect().height")
    page.set_viewport_size({"width": width, "height": int(content) + 120})
    # Maps and charts redraw to the new size; a width change may also make Streamlit rerun the page.
    wait_until_quiet(page, quiet_ms=500)
    next_frames(page)
    page.screenshot(path=str(path), full_page=True)
    if restore:
        page.set_viewport_size({"width": width, "height": height})
