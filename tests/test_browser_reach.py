"""End to end in headless Chromium: the Inclusion and Volunteers & partners pages render their maps (the partner
lines among them), metrics, tables and downloads, and a deep link reopens the chosen group. The session's shared
browser and server (conftest: `open_page`, `atlas_server`)."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import assert_no_error, settle, shoot, wait_for_canvas, wait_until_quiet

pytestmark = pytest.mark.browser


def _open(page, url: str, path: str, title: str) -> None:
    page.goto(url)  # the first visit runs app.py's navigation, so the deep link below is a registered page
    settle(page, timeout=120_000)
    page.goto(f"{url}/{path}")
    settle(page, timeout=120_000)
    page.wait_for_function(
        "(t) => [...document.querySelectorAll('[data-testid=\"stMain\"] h1')].some(h => h.innerText.includes(t))",
        arg=title, timeout=90_000)
    page.wait_for_selector('[data-testid="stDownloadButton"]', timeout=90_000)


def test_inclusion_deep_link_map_and_tables(atlas_server, open_page, artifacts):
    page = open_page(1280, 900)
    _open(page, atlas_server, "inclusion?group=poc&quarters=4", "Inclusion")
    labels = [e.inner_text() for e in page.query_selector_all('[data-testid="stMetricLabel"]')]
    assert any("People of colour" in label for label in labels), labels
    box = wait_for_canvas(page).bounding_box()
    assert box["width"] > 300 and box["height"] > 300, box
    assert len(page.query_selector_all('[data-testid="stDataFrame"]')) >= 4
    assert len(page.query_selector_all('[data-testid="stDownloadButton"]')) >= 4
    text = page.inner_text('[data-testid="stMain"]')
    assert "Language access" in text and "Step-free" in text
    wait_until_quiet(page)
    assert_no_error(page)
    shoot(page, artifacts / "inclusion.png")


def test_volunteers_map_draws_partner_lines(atlas_server, open_page, artifacts):
    page = open_page(1280, 900)
    _open(page, atlas_server, "volunteers", "Volunteers & partners")
    values = [e.inner_text().strip() for e in page.query_selector_all('[data-testid="stMetricValue"]')]
    assert len(values) == 4 and all(values), values
    assert re.fullmatch(r"\d+ of \d+", values[2]), values
    text = page.inner_text('[data-testid="stMain"]')
    assert "programme → partner" in text and "High need, no professional partner" in text
    box = wait_for_canvas(page).bounding_box()
    assert box["width"] > 300 and box["height"] > 300, box
    wait_until_quiet(page)
    assert_no_error(page)
    shoot(page, artifacts / "volunteers.png")
