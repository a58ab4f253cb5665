"""End to end on New York City: `streamlit run` in headless Chromium; Overview, Coverage, Underserved and Compare
render without an error, in the city's own words, and their screenshots are kept as artefacts."""

from __future__ import annotations

import pytest

from tests.browser_support import assert_no_error, require_chromium, settle, streamlit_server

pytestmark = pytest.mark.browser

PAGES = {"overview": "New York City", "coverage": "Coverage", "underserved": "Underserved", "compare": "Compare"}


def test_new_york_pages_render_and_are_kept_as_screenshots(nyc_db, artifacts, open_page):
    require_chromium()
    with streamlit_server(nyc_db) as url:  # New York's own database
        page = open_page()
        for path, words in PAGES.items():
            page.goto(url + "/" + path)
            settle(page, timeout=120_000)
            page.wait_for_selector("canvas", timeout=60_000)
            assert_no_error(page)
            text = page.inner_text('[data-testid="stMain"]')
            assert words in text
            assert "Chicago" not in text
            page.screenshot(path=str(artifacts / f"nyc_{path}.png"), full_page=True)
            assert (artifacts / f"nyc_{path}.png").stat().st_size > 20_000
