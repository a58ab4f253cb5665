"""Issue 15, item 8, in headless Chromium: every page's shareable link opens that page, the first page's included."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from tests.browser_support import SHARED_LINKS, app_pages, per_page, require_chromium, streamlit_server, wait_for_app
from tests.conftest import REPO

pytestmark = pytest.mark.browser

TIMEOUT = 240_000


def _title(script: str) -> str:
    """The title the page's own source gives to core.serve.page.header."""
    return re.search(r'header\("([^"]+)"', (REPO / script).read_text()).group(1)


def _settle(page) -> None:
    wait_for_app(page, timeout=TIMEOUT)
    page.wait_for_timeout(1500)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)


def _sites_toggle(page):
    return page.locator('label:has-text("Show professional service sites") input')


@pytest.mark.parametrize("script, path", per_page())
def test_item8_every_shared_link_opens_its_own_page(page_visit, script, path):
    # The page opened by its shared link (browser_support.SHARED_LINKS): that page, at that address, with its filter.
    page = page_visit(path)
    assert page.locator("text=Page not found").count() == 0, path
    assert page.inner_text('[data-testid="stMain"] h1').strip() == _title(script), path
    here = urllib.parse.urlsplit(page.url)
    assert here.path == f"/{path}", (path, page.url)
    shown = urllib.parse.parse_qs(here.query)
    assert all(shown.get(k) == v for k, v in urllib.parse.parse_qs(SHARED_LINKS[path]).items()), (path, page.url)


def test_item8_the_first_link_to_a_fresh_server_and_the_bare_address_open_the_overview(atlas_db, open_page):
    require_chromium()
    assert app_pages()[0][1] == "overview", "the first page is the Overview"
    # A server of its own: the first link must open on a server nobody has visited yet.
    with streamlit_server(atlas_db) as url:
        page = open_page(1280, 900)
        # The Overview's own link first, on a fresh server, as a reader opening a shared link would.
        page.goto(f"{url}/overview?sites=0")
        _settle(page)
        assert page.locator("text=Page not found").count() == 0
        assert page.inner_text('[data-testid="stMain"] h1').strip() == _title("pages/overview.py")
        assert urllib.parse.urlsplit(page.url).path == "/overview", page.url
        # The overview keeps the filter its link carries: the service sites are hidden.
        assert not _sites_toggle(page).is_checked()
        # The bare address opens the Overview at its own link, with the query it was given.
        page.goto(f"{url}/?sites=0")
        _settle(page)
        here = urllib.parse.urlsplit(page.url)
        assert here.path == "/overview" and urllib.parse.parse_qs(here.query) == {"sites": ["0"]}, page.url
        assert page.inner_text('[data-testid="stMain"] h1').strip() == _title("pages/overview.py")
        assert page.locator("text=Page not found").count() == 0
        assert not _sites_toggle(page).is_checked()
