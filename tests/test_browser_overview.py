"""End to end: `streamlit run` on 127.0.0.1, opened in headless Chromium; the map and headlines render."""

from __future__ import annotations

import pytest

from tests.browser_support import assert_no_error, chromium_page, require_chromium, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser


def test_overview_renders_map_and_headlines(atlas_db, artifacts):
    require_chromium()
    with streamlit_server(atlas_db) as url, chromium_page() as page:
        page.goto(url + "/overview")
        wait_for_app(page)
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
        page.wait_for_selector("canvas", timeout=60_000)
        values = [e.inner_text() for e in page.query_selector_all('[data-testid="stMetricValue"]')]
        assert len(values) == 4 and all(v.strip() for v in values)
        canvas = page.query_selector("canvas")
        box = canvas.bounding_box()
        assert box["width"] > 300 and box["height"] > 300
        page.wait_for_timeout(1500)
        assert_no_error(page)
        page.screenshot(path=str(artifacts / "overview.png"), full_page=True)


def test_download_is_made_when_clicked_and_matches_the_table(atlas_db, con, tmp_path):
    """Downloads are deferred (made on the click, not on every rerun): the file must still arrive, complete."""
    from core.base.export import to_csv_bytes
    from core.store import queries
    from core.views import overview

    require_chromium()
    with streamlit_server(atlas_db) as url, chromium_page() as page:
        page.goto(url + "/overview")
        wait_for_app(page)
        button = page.get_by_role("button", name="Download this table (CSV)")
        button.wait_for(timeout=60_000)
        with page.expect_download(timeout=60_000) as info:
            button.click()
        path = tmp_path / "overview_need.csv"
        info.value.save_as(path)
        shown = overview.need_display(overview.need_table(con), queries.indicator_defs(con))
        assert path.read_bytes() == to_csv_bytes(shown)
        assert_no_error(page)
