"""End to end through `atlas serve --workers 2`: Chromium opens the app through HAProxy, visits every page with no
request to another host (the first one by deep link on the fresh server), changes a filter, survives a worker's
death, and the server leaves no process behind when stopped."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.browser_support import app_pages, assert_no_error, free_port, require_chromium, wait_for_app
from tests.conftest import REPO

pytestmark = pytest.mark.browser

TIMEOUT = 180_000


def _processes(root: psutil.Process) -> list[psutil.Process]:
    return [root, *root.children(recursive=True)]


@pytest.fixture(scope="module")
def served(atlas_db, tmp_path_factory):
    """`atlas serve --workers 2` on a copy of the atlas, as a visitor's admin would start it."""
    require_chromium()
    if shutil.which("haproxy") is None:
        pytest.fail("haproxy is not installed (apt-get install -y haproxy)")
    root = tmp_path_factory.mktemp("served")
    db = root / "atlas.duckdb"
    shutil.copy(atlas_db, db)
    port = free_port()
    log_path = root / "serve.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("atlas")), "serve", "--workers", "2",
                             "--port", str(port)], cwd=REPO, env=dict(os.environ, ATLAS_DB=str(db)),
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while b"Atlas at" not in log_path.read_bytes():
        assert proc.poll() is None and time.time() < deadline, log_path.read_text()
        time.sleep(0.3)
    try:
        yield url, proc, log_path
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()


# The browser is the session's one Chromium (tests/conftest.py): a second Playwright would clash with it.


def _watch(page, url: str) -> tuple[list[str], list[str]]:
    """Every request to another host than the app's, and every console error (CSP refusals among them)."""
    own = urllib.parse.urlsplit(url).netloc
    outside, console = [], []

    def on_request(request):
        parts = urllib.parse.urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != own:
            outside.append(request.url)

    page.on("request", on_request)
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    return outside, console


def _sidebar_links(page) -> list[str]:
    return [a.inner_text().strip() for a in page.query_selector_all('[data-testid="stSidebarNav"] a')]


# Records the sidebar's navigation every time the DOM changes, from before the app's first paint.
RECORD_NAVIGATION = """
window.__navs = [];
new MutationObserver(() => {
  const nav = document.querySelector('[data-testid="stSidebarNav"]');
  if (!nav) return;
  const links = [...nav.querySelectorAll('a')].map(a => a.innerText.trim()).join('|');
  if (window.__navs[window.__navs.length - 1] !== links) window.__navs.push(links);
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def test_a_deep_link_on_the_fresh_server_shows_the_page_and_the_real_navigation(served, browser):
    """The very first request to the fresh server is a deep link: never the old pages/ sidebar, not even briefly."""
    url, _, _ = served
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(RECORD_NAVIGATION)
    page.goto(f"{url}/coverage?d0=20")
    wait_for_app(page, timeout=TIMEOUT)
    page.wait_for_timeout(1000)
    assert page.inner_text('[data-testid="stMain"] h1').startswith("Coverage")
    navs = [n for n in page.evaluate("window.__navs") if n]
    assert navs, "no navigation was drawn"
    # Every navigation ever drawn is app.py's: its titles, never file names (Streamlit's old file-based sidebar
    # titles pages/data_methods.py "data methods" and lists admin).
    assert all("Data & methods" in links for links in navs), navs
    assert not any(x.strip().lower() in ("admin", "data methods") for links in navs for x in links.split("|")), navs
    page.close()


def test_every_page_fetches_nothing_from_another_host(served, browser):
    url, _, _ = served
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside, console = _watch(page, url)
    for _, path in app_pages():
        page.goto(f"{url}/{path}")
        wait_for_app(page, timeout=TIMEOUT)
        page.wait_for_timeout(1500)  # maps and charts draw after the script has finished
        assert_no_error(page)
    assert outside == [], outside
    refused = [m for m in console if "Content Security Policy" in m]
    assert refused == [], refused
    page.close()


def test_filter_change_worker_death_and_clean_stop(served, browser):
    url, proc, log_path = served
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/coverage")
    wait_for_app(page, timeout=TIMEOUT)
    before = page.inner_text('[data-testid="stMetricValue"]')
    # Change a filter, the catchment: the URL follows it and the headline is recomputed.
    slider = page.get_by_role("slider").first
    slider.focus()
    for _ in range(4):
        slider.press("ArrowLeft")
    page.wait_for_function("() => location.search.includes('d0=')", timeout=TIMEOUT)
    wait_for_app(page, timeout=TIMEOUT)
    page.wait_for_timeout(1000)
    assert page.inner_text('[data-testid="stMetricValue"]') != before
    assert_no_error(page)

    cookie = {c["name"]: c["value"] for c in context.cookies()}["atlas_worker"]
    workers = {p.pid: p for p in _processes(psutil.Process(proc.pid)) if "core.serve.worker" in " ".join(p.cmdline())}
    assert len(workers) == 2
    # Kill the worker this browser is stuck to: its port is in the haproxy.cfg line named by the cookie.
    cfg = next(Path(line.split("logs in ")[1].strip(" )\n")) for line in log_path.read_text().splitlines()
               if "logs in " in line) / "haproxy.cfg"
    port = re.search(rf"server {cookie} 127\.0\.0\.1:(\d+)", cfg.read_text()).group(1)
    victim = next(p for p in workers.values() if f"--server.port {port}" in " ".join(p.cmdline()))
    victim.kill()
    victim.wait(10)
    context.close()

    # A new browser session, even one holding the dead worker's cookie, is served by the other worker.
    fresh = browser.new_context(viewport={"width": 1280, "height": 900})
    fresh.add_cookies([{"name": "atlas_worker", "value": cookie, "url": url}])
    page = fresh.new_page()
    page.goto(f"{url}/overview")
    wait_for_app(page, timeout=TIMEOUT)
    assert_no_error(page)
    fresh.close()

    # The dead worker is started again.
    deadline = time.time() + 60
    while time.time() < deadline:
        alive = [p for p in _processes(psutil.Process(proc.pid)) if "core.serve.worker" in " ".join(p.cmdline())]
        if len(alive) == 2:
            break
        time.sleep(0.5)
    assert len(alive) == 2 and victim.pid not in {p.pid for p in alive}

    # Stop it as Ctrl-C would: nothing it started is left.
    started = _processes(psutil.Process(proc.pid))
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 0
    time.sleep(0.5)
    left = [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert left == [], [p.cmdline() for p in left]
