"""End to end: the Funding and Impact pages under `streamlit run` in headless Chromium, with screenshots."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import assert_no_error, chromium_page, require_chromium, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser

# A cold server imports the analysis stack and builds the coverage model on the first visit.
FIRST_VISIT_MS = 240_000
# Tall enough that a full-page screenshot holds every section (Streamlit scrolls inside its own container).
PAGE_HEIGHT = {"funding": 5200, "impact": 3200}


def _open(page, url: str, path: str) -> list[str]:
    page.goto(url + "/" + path)
    wait_for_app(page, timeout=FIRST_VISIT_MS)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=FIRST_VISIT_MS)
    page.wait_for_selector("canvas", timeout=FIRST_VISIT_MS)
    # Let deck.gl and vega finish drawing before anything is read or photographed.
    page.wait_for_timeout(3000)
    assert_no_error(page)
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stMetricValue"]')]


def test_funding_page_renders_maps_charts_and_scenario(atlas_db, artifacts):
    require_chromium()
    with streamlit_server(atlas_db) as url, chromium_page(width=1400, height=PAGE_HEIGHT["funding"]) as page:
        values = _open(page, url, "funding")
        assert re.fullmatch(r"[\d,]+ of [\d,]+", values[0]), values
        assert len(values) == 2 and values[1].strip(), values
        body = page.inner_text('[data-testid="stMain"]')
        assert re.search(r"If .+ withdraws, .+ programmes? lose", body)
        assert "SYNTHETIC" in body
        # Two maps (source mix, scenario change) and the altair charts.
        assert len(page.query_selector_all('[data-testid="stDeckGlJsonChart"]')) == 2
        assert len(page.query_selector_all('[data-testid="stVegaLiteChart"]')) >= 2
        page.screenshot(path=str(artifacts / "funding.png"), full_page=True)


def test_impact_page_renders_map_outcomes_and_trends(atlas_db, artifacts):
    require_chromium()
    with streamlit_server(atlas_db) as url, chromium_page(width=1400, height=PAGE_HEIGHT["impact"]) as page:
        values = _open(page, url, "impact")
        assert len(values) == 1 and re.fullmatch(r"[\d,]+|<11|suppressed", values[0]), values
        body = page.inner_text('[data-testid="stMain"]')
        assert "Participants per 1,000 residents by area" in body and "SYNTHETIC" in body
        assert len(page.query_selector_all('[data-testid="stDeckGlJsonChart"]')) == 1
        assert len(page.query_selector_all('[data-testid="stVegaLiteChart"]')) >= 2
        page.screenshot(path=str(artifacts / "impact.png"), full_page=True)
