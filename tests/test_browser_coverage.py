"""End to end: Coverage and Underserved opened by deep link in headless Chromium: map, metric, no error."""

from __future__ import annotations

import pytest

from tests.browser_support import assert_no_error, chromium_page, require_chromium, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser

# What each page must show once its script has finished: its title and its headline metric's label.
PAGES = {
    "coverage": ("Coverage", "Residents within reach of a programme"),
    "underserved?w_need=2&d0=20": ("Underserved areas", "Priority areas (high need, low coverage)"),
}


def wait_for_page(page, title: str) -> None:
    """Wait for the page's own title and for app.py's navigation (the page titles, not file names) to be drawn."""
    wait_for_app(page)
    page.wait_for_function(
        "(t) => [...document.querySelectorAll('[data-testid=\"stMain\"] h1')].some(h => h.innerText.includes(t))"
        " && [...document.querySelectorAll('[data-testid=\"stSidebarNav\"] a')]"
        ".some(a => a.innerText.includes('Data & methods'))", arg=title, timeout=90_000)
    page.wait_for_selector('[data-testid="stDownloadButton"]', timeout=90_000)
    page.wait_for_selector("canvas", timeout=90_000)


@pytest.fixture(scope="module")
def url(atlas_db):
    """One server for the module: starting Streamlit and its first run is most of these tests' time."""
    require_chromium()
    with streamlit_server(atlas_db) as u:
        yield u


def shoot(page, path) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so grow the viewport to fit it."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').getBoundingClientRect().height")
    page.set_viewport_size({"width": 1280, "height": int(height) + 120})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_coverage_and_underserved_render(url, artifacts):
    with chromium_page(1280, 900) as page:
        for path, (title, metric) in PAGES.items():
            page.goto(f"{url}/{path}")
            wait_for_page(page, title)
            labels = [e.inner_text() for e in page.query_selector_all('[data-testid="stMetricLabel"]')]
            values = [e.inner_text().strip() for e in page.query_selector_all('[data-testid="stMetricValue"]')]
            assert any(metric in label for label in labels), labels
            assert values and all(values), values
            box = page.query_selector("canvas").bounding_box()
            assert box["width"] > 300 and box["height"] > 300, box
            page.wait_for_timeout(1500)
            assert_no_error(page)
            name = path.split("?")[0]
            shoot(page, artifacts / f"{name}.png")


def test_clicking_the_underserved_map_explains_that_area(url, artifacts):
    with chromium_page(1280, 900) as page:
        page.goto(f"{url}/underserved")
        wait_for_page(page, "Underserved areas")
        page.wait_for_timeout(1500)
        canvas = page.query_selector('[data-testid="stDeckGlJsonChart"] canvas')
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        # The city fills the middle of the map, so its centre is inside some community area. deck.gl picks
        # what is under the pointer, so hover until the tooltip names the area, then click.
        x, y = box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.5
        page.mouse.move(x - 5, y)
        page.mouse.move(x, y)
        page.wait_for_selector(".deck-tooltip", state="visible", timeout=30_000)
        page.mouse.click(x, y)
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=\"stMarkdownContainer\"]')]"
            ".some(m => m.innerText.startsWith('Need:'))", timeout=60_000)
        text = page.inner_text('[data-testid="stMain"]')
        assert "Ranks in the" in text and "gap of" in text
        assert "area=" in page.url
        assert_no_error(page)
        shoot(page, artifacts / "underserved_clicked.png")
