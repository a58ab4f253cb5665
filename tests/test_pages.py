"""Every page runs under AppTest without an exception, on the real atlas and on the synthetic demo."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO


def app_pages() -> list[str]:
    """The pages app.py registers, read from its source so a new page is tested without editing this file."""
    text = (REPO / "app.py").read_text()
    # The Admin page needs a signed-in owner; tests/test_admin.py covers it.
    return [p for p in re.findall(r'st\.Page\("(pages/[\w]+\.py)"', text) if p != "pages/admin.py"]


PAGES = app_pages()


def run_page(page: str, query: dict | None = None, timeout: float = 120) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page)
    at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(use_db, page):
    at = run_page(page)
    assert not at.exception, at.exception
    assert at.title, "every page has a title"


def test_overview_headlines_and_table(use_db, con):
    at = run_page("pages/overview.py")
    metrics = {m.label: m.value for m in at.metric}
    n_prog = con.execute("SELECT count(*) FROM program").fetchone()[0]
    assert metrics["Community programmes"] == f"{n_prog:,}"
    total = con.execute("SELECT sum(population) FROM area").fetchone()[0]
    assert metrics["Residents (2020 Census)"] == f"{total:,.0f}"
    assert len(at.dataframe[0].value) == con.execute("SELECT count(*) FROM area").fetchone()[0]
    assert any("SYNTHETIC sample" in w.value for w in at.warning)


def test_demo_shows_the_synthetic_banner(demo_db, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(demo_db))
    at = run_page("pages/overview.py")
    assert not at.exception
    assert any("SYNTHETIC DEMO DATA" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == 77


def test_real_data_has_no_demo_banner(use_db, raw_dir):
    at = run_page("pages/overview.py")
    assert not any("SYNTHETIC DEMO DATA" in w.value for w in at.warning)


def test_sites_toggle_round_trips_through_url(use_db):
    at = run_page("pages/overview.py", {"sites": "0"})
    assert at.toggle(key="sites").value is False
    at.toggle(key="sites").set_value(True).run()
    assert at.query_params["sites"] == ["1"] or at.query_params["sites"] == "1"
