"""End to end: `streamlit run` on 127.0.0.1, opened in headless Chromium; the map and headlines render."""

from __future__ import annotations

import pytest

from tests.browser_support import assert_no_error, wait_for_app, wait_for_canvas, wait_until_quiet

pytestmark = pytest.mark.browser

# The Overview is app.py's default page, which Streamlit serves at the root whatever its url_path says: on a server
# that has already run app.py, /overview shows a "Page not found" dialog over the Overview, and the dialog makes the
# page inert (nothing can be clicked). So these tests open the Overview where the app itself links to it.


def test_overview_renders_map_and_headlines(atlas_server, open_page, artifacts):
    url, page = atlas_server, open_page()
    page.goto(url)  # the Overview's own address (see above)
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    canvas = wait_for_canvas(page)   # the map's: a table's grid is a canvas too, and may come first
    values = [e.inner_text() for e in page.query_selector_all('[data-testid="stMetricValue"]')]
    assert len(values) == 4 and all(v.strip() for v in values)
    box = canvas.bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    wait_until_quiet(page)
    assert_no_error(page)
    page.screenshot(path=str(artifacts / "overview.png"), full_page=True)


def test_download_is_made_when_clicked_and_matches_the_table(atlas_server, open_page, con, tmp_path):
    """Downloads are deferred (made on the click, not on every rerun): the file must still arrive, complete."""
    from core.base.export import to_csv_bytes
    from core.store import queries
    from core.views import overview

    url, page = atlas_server, open_page()
    page.goto(url)
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
