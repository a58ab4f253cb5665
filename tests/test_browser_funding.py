"""End to end: the Funding and Impact pages under `streamlit run` in headless Chromium, with screenshots."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import assert_no_error, next_frames, require_chromium, streamlit_server, wait_until_quiet

pytestmark = pytest.mark.browser

# A cold server imports the analysis stack and builds the coverage model on the first visit, and software
# WebGL draws slowly on a busy two-core machine: be patient, but poll (not per animation frame).
PATIENCE_MS = 300_000

_SETTLED = """([downloads, charts, maps]) => {
  const q = (s) => Array.from(document.querySelectorAll(s));
  const drawn = q('[data-testid="stVegaLiteChart"]').filter(c => c.querySelector('canvas, svg')).length;
  const buttons = q('[data-testid="stDownloadButton"] button').length;
  const decks = q('[data-testid="stDeckGlJsonChart"] canvas').length;
  return !document.querySelector('[data-testid="stStatusWidget"]') && buttons >= downloads && drawn >= charts
         && decks >= maps;
}"""


def _open(page, url: str, path: str, downloads: int, charts: int, maps: int) -> list[str]:
    # A deep link, as a shared link would arrive, with no visit to the home page first: the page must still run under
    # app.py.
    page.goto(url + "/" + path)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=PATIENCE_MS)
    page.wait_for_function(_SETTLED, arg=[downloads, charts, maps], polling=1000, timeout=PATIENCE_MS)
    wait_until_quiet(page, quiet_ms=1500, timeout=PATIENCE_MS)
    assert_no_error(page)
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stMetricValue"]')]


def _shot(page, heading: str, out) -> None:
    """Scroll a section's heading to the top and photograph the viewport (Streamlit scrolls inside a container,
    so a full-page screenshot would not reach below the first screen)."""
    page.get_by_role("heading", name=heading).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    next_frames(page)
    page.screenshot(path=str(out))


@pytest.fixture
def fresh_server(atlas_db):
    """A server of its own, that no browser has visited yet: the deep link below is its very first page."""
    require_chromium()
    with streamlit_server(atlas_db) as url:
        yield url


def test_funding_page_renders_maps_charts_and_scenario(fresh_server, open_page, artifacts):
    url, page = fresh_server, open_page(width=1400, height=1000)
    values = _open(page, url, "funding", downloads=6, charts=3, maps=2)
    assert page.get_by_role("link", name="Impact").count() >= 1, "app.py's navigation is missing"
    assert re.fullmatch(r"[\d,]+ of [\d,]+", values[0]), values
    assert len(values) == 2 and re.fullmatch(r"[\d,]+|<11|suppressed", values[1]), values
    body = page.inner_text('[data-testid="stMain"]')
    assert re.search(r"If .+ withdraws, .+ programmes? lose", body)
    assert "SYNTHETIC" in body and "Independent Sector" in body
    page.screenshot(path=str(artifacts / "funding.png"))
    _shot(page, "Runway and concentration by programme", artifacts / "funding_runway.png")
    _shot(page, "Funding cliff: the next eight quarters", artifacts / "funding_cliff.png")
    _shot(page, "What if the money stops?", artifacts / "funding_scenario.png")
    _shot(page, "Volunteer contribution", artifacts / "funding_volunteers.png")


def test_impact_page_renders_map_outcomes_and_trends(atlas_server, open_page, artifacts):
    url, page = atlas_server, open_page(width=1400, height=1000)
    values = _open(page, url, "impact", downloads=3, charts=3, maps=1)
    # The participants headline, then the pooled resilience change (a mean with its interval and n, or hidden).
    assert len(values) == 2 and re.fullmatch(r"[\d,]+|<11|suppressed", values[0]), values
    assert re.fullmatch(r"[+\-−]?[\d.]+ \(95% CI .+; n = [\d,]+\)|<11|suppressed|–", values[1]), values
    body = page.inner_text('[data-testid="stMain"]')
    assert "Participants per 1,000 residents by area" in body and "SYNTHETIC" in body
    page.screenshot(path=str(artifacts / "impact.png"))
    _shot(page, "Outcome change by programme", artifacts / "impact_outcomes.png")
    _shot(page, "Trends over the eight quarters", artifacts / "impact_trends.png")
