"""What follows the reader from page to page: the selected area, and the plan and comparison the brief carries."""

from __future__ import annotations

import subprocess

import pytest
from streamlit.testing.v1 import AppTest

from core.base.markup import inert
from core.serve import page as shared
from core.views import brief
from tests.conftest import REPO


def _app() -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    at.run()
    return at


def _go(at: AppTest, page: str) -> AppTest:
    # A click in the navigation: Streamlit starts the new page without the old page's query string.
    for key in list(at.query_params):
        del at.query_params[key]
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _html(at) -> str:
    return " ".join(str(h.proto.body) for h in at.get("html"))


def test_an_area_chosen_on_one_page_opens_on_the_others(use_db):
    at = _go(_app(), "pages/coverage.py")
    at.selectbox(key="area_pick").set_value("25").run()
    assert at.session_state[shared.AREA_KEY] == "25"
    _go(at, "pages/brief.py")
    assert at.selectbox(key="brief_area").value == "25"
    assert "Neighbourhood brief: Austin" in _html(at)
    _go(at, "pages/underserved.py")
    assert at.selectbox(key="area_pick").value == "25"
    _go(at, "pages/compare.py")
    assert at.multiselect(key="areas").value[0] == "25"
    # Choosing another area in the brief moves the shared selection, and the link carries it.
    _go(at, "pages/brief.py")
    at.selectbox(key="brief_area").set_value("68").run()
    assert at.session_state[shared.AREA_KEY] == "68"
    assert at.query_params["area"] in ("68", ["68"])
    _go(at, "pages/coverage.py")
    assert at.selectbox(key="area_pick").value == "68"


def test_a_link_with_an_area_wins_over_the_session(use_db):
    at = _go(_app(), "pages/coverage.py")
    at.selectbox(key="area_pick").set_value("25").run()
    at.query_params["area"] = "8"
    at.switch_page("pages/brief.py")
    at.run()
    assert at.selectbox(key="brief_area").value == "8"


@pytest.fixture(scope="module")
def planned(atlas_db):
    """One session that plans sites, compares two areas, then opens the brief on a third."""
    import os

    os.environ["ATLAS_DB"] = str(atlas_db)
    at = _go(_app(), "pages/plan.py")
    at.slider(key="plan_k").set_value(3).run()
    plan = at.session_state[shared.PLAN_KEY]
    _go(at, "pages/compare.py")
    at.multiselect(key="areas").set_value(["25", "68"]).run()
    _go(at, "pages/brief.py")
    at.selectbox(key="brief_area").set_value("8").run()
    return at, plan


def test_the_brief_carries_the_plan_with_addresses_and_coordinates(planned):
    at, plan = planned
    assert len(plan.sites) == 3
    text = _html(at)
    assert "Your plan: new programme sites" in text
    for venue, address, lon, lat in zip(plan.sites["Venue"], plan.sites["Address"], plan.sites["Longitude"],
                                        plan.sites["Latitude"]):
        assert inert(venue) in text and inert(address) in text
        assert str(lon) in text and str(lat) in text
    assert "3 new peer support programmes" in text and "catchment 30 minutes" in text
    assert "your plan from the Plan page" in " ".join(c.value for c in at.caption)


def test_the_brief_carries_the_comparison(planned):
    at, _ = planned
    text = _html(at)
    assert "Compared areas" in text
    head = text[text.index("Compared areas"):]
    assert "<th>Austin</th>" in head and "<th>Englewood</th>" in head


def test_the_pdf_has_the_sites_and_the_comparison(planned, tmp_path):
    at, plan = planned
    from core.store import db
    from core.views.compare import indicator_long

    con = db.connect(str(shared_db()), read_only=True)
    long = indicator_long(con)
    b = brief.with_context(brief.brief_data(con, "8", long), plan, brief.compared_table(long, ("25", "68")))
    con.close()
    path = tmp_path / "brief.pdf"
    path.write_bytes(brief.brief_pdf(b))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "Your plan: new programme sites" in text and "Compared areas" in text
    for venue in plan.sites["Venue"]:
        assert venue[:25] in text
    assert "Austin" in text and "Englewood" in text and "Near North Side" in text


def shared_db():
    import os

    return os.environ["ATLAS_DB"]


def test_top_pick_outside_the_priority_areas_is_explained():
    import pandas as pd

    from core.views import plan as pv

    class R:  # the fields of PlanResult the note reads
        params = pv.PlanParams(d0=25)
        picks = pd.DataFrame({"Venue": ["Library [main]"], "Area": ["Loop"], "Priority area": [False],
                              "Residents newly within reach": [1500.0],
                              "Newly reached residents live in": ["Loop, Near South Side"]})

    note = pv.outside_priority_note(R())
    assert note.startswith("The first site, Library &#91;main&#93; in Loop, is not in a priority area.")
    assert "1,500 residents with no programme within a 25-minute walk" in note
    assert "average coverage" in note
    R.picks = R.picks.assign(**{"Priority area": [True]})
    assert pv.outside_priority_note(R()) == ""
