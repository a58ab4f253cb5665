"""Issue 15, item 8, in headless Chromium: every page's shareable link opens that page, the first page's included."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from tests.browser_support import require_chromium, streamlit_server, wait_for_app
from tests.conftest import REPO
from tests.test_browser_all_pages import pages

pytestmark = pytest.mark.browser

TIMEOUT = 240_000
# A filter each page reads from its URL, so the link is a real shared view and not just the page's address.
QUERIES = {"overview": "sites=0", "coverage": "d0=15", "underserved": "area=8", "funding": "risk=1",
           "impact": "quarters=4", "compare": "areas=8,25", "plan": "k=3", "brief": "area=25", "data-methods": ""}


def _title(script: str) -> str:
    """The title the page's own source gives to core.serve.page.header."""
    return re.search(r'header\("([^"]+)"', (REPO / script).read_text()).group(1)


def _settle(page) -> None:
    wait_for_app(page, timeout=TIMEOUT)
    page.wait_for_timeout(1500)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)


def _sites_toggle(page):
    return page.locator('label:has-text("Show professional service sites") input')


def test_item8_every_shared_link_opens_its_own_page(atlas_db, open_page):
    require_chromium()
    listed = pages()
    assert listed[0][1] == "overview", "the first page is the Overview"
    # A server of its own: the first link must open on a server nobody has visited yet.
    with streamlit_server(atlas_db) as url:
        page = open_page(1280, 900)
        # The Overview's own link first, on a fresh server, as a reader opening a shared link would.
        for script, path in listed:
            query = QUERIES.get(path, "")
            page.goto(f"{url}/{path}" + (f"?{query}" if query else ""))
            _settle(page)
            assert page.locator("text=Page not found").count() == 0, path
            assert page.inner_text('[data-testid="stMain"] h1').strip() == _title(script), path
            here = urllib.parse.urlsplit(page.url)
            assert here.path == f"/{path}", (path, page.url)
            shown = urllib.parse.parse_qs(here.query)
            assert all(shown.get(k) == v for k, v in urllib.parse.parse_qs(query).items()), (path, page.url)
        # The overview keeps the filter its link carries: the service sites are hidden.
        page.goto(f"{url}/overview?sites=0")
        _settle(page)
        assert not _sites_toggle(page).is_checked()
        # The bare address opens the Overview at its own link, with the query it was given.
        page.goto(f"{url}/?sites=0")
        _settle(page)
        here = urllib.parse.urlsplit(page.url)
        assert here.path == "/overview" and urllib.parse.parse_qs(here.query) == {"sites": ["0"]}, page.url
        assert page.inner_text('[data-testid="stMain"] h1').strip() == _title("pages/overview.py")
        assert page.locator("text=Page not found").count() == 0
        assert not _sites_toggle(page).is_checked()
