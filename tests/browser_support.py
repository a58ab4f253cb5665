"""Running `streamlit run` on 127.0.0.1 and driving Debian's headless Chromium with Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
def chromium_page(width: int = 1280, height: int = 900):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator) and the page has content."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout)
    # Wait for app.py's navigation as well as the page's title.
    page.wait_for_function(
        "() => (document.querySelector('[data-testid=\"stSidebarNav\"]') || {}).innerText?.includes('Data & methods')",
        timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)


def assert_no_error(page) -> None:
    errors = page.query_selector_all('[data-testid="stException"], [data-testid="stAlertContentError"]')
    texts = [e.inner_text()[:300] for e in errors]
    assert not errors, f"error elements on the page: {texts}"
