"""The Inclusion and Volunteers & partners pages (and the new Funding and Impact sections) under AppTest, on the
real atlas and on the synthetic demo; widgets driven by key, the URL kept in step."""

from __future__ import annotations

import pytest

from core.analysis.suppression import is_small
from tests.test_brief import _pages
from tests.test_pages import run_page

NEW_PAGES = ["pages/inclusion.py", "pages/volunteers.py"]


def _frames(at):
    return {d.proto.id: d.value for d in at.dataframe}


@pytest.fixture(params=["real", "demo"])
def any_db(request, monkeypatch):
    """Each test runs on the default atlas (real Chicago data when it is beside the clone) and on the demo."""
    db = request.getfixturevalue("atlas_db" if request.param == "real" else "demo_db")
    monkeypatch.setenv("ATLAS_DB", str(db))
    return db


@pytest.mark.parametrize("page", NEW_PAGES)
def test_new_pages_run_with_map_table_and_downloads(any_db, page):
    at = run_page(page)
    assert not at.exception, at.exception
    assert at.metric and at.metric[0].value not in ("", None)
    assert len(at.dataframe) >= 4
    assert any("SYNTHETIC" in w.value for w in at.warning)
    assert len(at.get("download_button")) >= 4
    assert at.get("deck_gl_json_chart"), "every page with a table has its map"


def test_inclusion_group_round_trips_through_the_url(any_db):
    at = run_page("pages/inclusion.py", {"group": "poc"})
    assert at.selectbox(key="in_group").value == "poc"
    assert "People of colour" in at.metric[0].label
    at.selectbox(key="in_group").set_value("disability").run()
    assert not at.exception
    assert at.query_params["group"] in (["disability"], "disability")
    assert "Disability" in at.metric[0].label


def test_inclusion_tables_show_no_small_count(any_db):
    at = run_page("pages/inclusion.py")
    for frame in at.dataframe:
        for column in frame.value.columns:
            # Only programme counts may be whole numbers here; every people figure is a share in percent.
            if column in ("Programmes",) or "%" in column or "Disparity" in column or column in (
                    "Speakers", "Within reach of a programme in it", "Speakers of other languages",
                    "Within reach in their language", "area_id", "Need percentile", "Weekly places") or \
                    "per 1,000" in column:
                continue
            assert not is_small(frame.value[column].where(frame.value[column].map(
                lambda v: isinstance(v, (int, float)))).astype(float)).any(), column


def test_volunteers_hourly_value_is_a_setting_with_its_source(any_db):
    at = run_page("pages/volunteers.py", {"hourly": "20"})
    assert at.number_input(key="vo_hourly").value == 20.0
    before = at.metric[1].value
    at.number_input(key="vo_hourly").set_value(40.0).run()
    assert not at.exception
    assert at.metric[1].value != before
    assert any("Independent Sector" in c.value for c in at.caption)


def test_funding_has_the_psat_section(any_db):
    at = run_page("pages/funding.py")
    assert not at.exception, at.exception
    assert any("Sustainability self-assessment" in s.value for s in at.subheader)
    psat = [d.value for d in at.dataframe if "Weakest domain" in d.value.columns]
    assert len(psat) == 2 and len(psat[0]) > 0
    assert {"Money risk", "Capacity risk", "Runway (months)", "Reliance on few funders (0–1)"} <= set(psat[0].columns)


def test_impact_has_resilience_with_n_and_interval(any_db):
    at = run_page("pages/impact.py")
    assert not at.exception, at.exception
    resilience = [m for m in at.metric if m.label.startswith("Resilience")]
    assert resilience and "95% CI" in resilience[0].value and "n = " in resilience[0].value


def test_brief_says_who_is_reached_and_who_carries_it(con, tmp_path):
    from core.views import brief

    b = brief.brief_data(con, 68)
    assert {"Carried by", "Backed by"} <= set(b.reach) and any(k.startswith("Reached: ") for k in b.reach)
    # Every group line is a share with its interval against residents, or says why not: never a count of people.
    for key, line in b.reach.items():
        if key.startswith("Reached: "):
            assert ("95% CI" in line) or line.startswith(("not shown", "not recorded")), line
    html_text = brief.brief_html(b)
    assert "Who is reached, who carries it" in html_text
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(brief.brief_pdf(b))
    assert _pages(pdf) == 1  # the new section still fits the one printed page
