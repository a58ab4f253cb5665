"""The three users' questions, acted out in headless Chromium, with the answers asserted on screen.

- A council member: which are the priority areas, and a link that reopens the view.
- A funder: which funders the programmes at risk depend on, by type, and which areas lose residents if one withdraws.
- A planner: a PDF brief that carries the chosen sites and the comparison.

Every step is photographed at 1280, 768 and 390 px wide (artifacts/screenshots/users/).
"""

from __future__ import annotations

import re
import subprocess
from urllib.parse import quote

import pytest

from tests.browser_support import assert_no_error, next_frames, settle, shoot, wait_until_quiet

pytestmark = pytest.mark.browser

TIMEOUT = 300_000
WIDTHS = (1280, 768, 390)


@pytest.fixture(scope="module")
def shots(artifacts):
    out = artifacts / "users"
    out.mkdir(parents=True, exist_ok=True)
    return out


def photograph(page, shots, name: str) -> None:
    """The page as it is now, whole, at each width; the viewport is put back once, afterwards."""
    size = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": size["height"]})
        next_frames(page)  # laid out at the new width before its full height is measured
        shoot(page, shots / f"{name}-{width}.png", restore=False)
    page.set_viewport_size(size)
    wait_until_quiet(page, quiet_ms=500, timeout=TIMEOUT)


def main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def wait_text(page, text: str) -> None:
    """Wait until ``text`` is on the page: the answer, not only a quiet app, is what the reader waits for."""
    page.get_by_text(text, exact=False).first.wait_for(timeout=TIMEOUT)
    wait_until_quiet(page, quiet_ms=500, timeout=TIMEOUT)


def go(page, title: str) -> None:
    """A click in the sidebar navigation: the same session, as a reader moves between pages."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    page.wait_for_function("(t) => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.includes(t)",
                           arg={"Neighbourhood brief": "Neighbourhood brief", "Compare": "Compare",
                                "Plan": "Plan new programme sites", "Funding": "Funding",
                                "Underserved": "Underserved"}.get(title, title), timeout=TIMEOUT)
    settle(page, timeout=TIMEOUT)
    assert_no_error(page)


def copied_link(page) -> str:
    """Open the header's "Copy link" and read the link it offers."""
    page.get_by_role("button", name=re.compile("Copy link")).first.click()
    code = page.locator('[data-testid="stPopoverBody"] code, [data-testid="stPopover"] code').first
    code.wait_for(timeout=TIMEOUT)
    return code.inner_text().strip()


def test_council_member_gets_the_priority_areas_and_a_link_that_reopens_the_view(atlas_server, open_page, con,
                                                                                   shots):
    from core.views import overview

    gap = overview.need_coverage(con)
    priority = gap.loc[gap["priority"]].sort_values("gap", ascending=False)
    page = open_page(1280, 900)
    page.goto(atlas_server)
    settle(page, timeout=TIMEOUT)
    wait_text(page, "The priority areas, largest gap first")
    text = main_text(page)
    assert f"{len(priority)} of {len(gap)} areas" in text
    names = ", ".join(priority["name"].iloc[:-1]) + " and " + priority["name"].iloc[-1]
    assert f"The priority areas, largest gap first: {names}." in text
    photograph(page, shots, "council-1-overview")

    # The Underserved page with one priority area chosen, then the link that reopens it.
    go(page, "Underserved")
    first = priority.index[0]
    page.goto(f"{atlas_server}/underserved?area={first}")
    settle(page, timeout=TIMEOUT)
    wait_text(page, "Why this area ranks where it does")
    wait_text(page, f"{priority['name'].iloc[0]}.")
    link = copied_link(page)
    assert re.search(rf"[?&]area={first}\b", link), link
    photograph(page, shots, "council-2-underserved")
    again = open_page(1280, 900)
    again.goto(atlas_server)  # a first visit starts app.py's navigation, as any browser's first request does
    settle(again, timeout=TIMEOUT)
    again.goto(link)
    settle(again, timeout=TIMEOUT)
    wait_text(again, f"{priority['name'].iloc[0]}.")
    reopened = main_text(again)
    assert "Underserved areas" in reopened and f"{priority['name'].iloc[0]}." in reopened
    # The headline of the reopened page gives the same number of priority areas (the list itself is a table).
    assert f"{len(priority)} areas ·" in reopened


def test_funder_sees_whom_the_at_risk_programmes_depend_on_and_who_loses_in_a_withdrawal(atlas_server, open_page,
                                                                                          atlas_db, shots):
    from core.analysis import coverage
    from core.analysis.scenario import Scenario
    from core.analysis.scenario_coverage import scenario_coverage
    from core.store import db
    from core.views import funding as fv

    con = db.connect(str(atlas_db), read_only=True)
    data = fv.funding_data(con)
    model = coverage.build_model(con)
    con.close()
    kinds = fv.funder_kinds(data.funding)
    risky = fv.funder_table(fv.overview_of(data, at_risk_only=True), kinds)
    top_kind = risky.groupby("Type")["Share of weekly places (%)"].sum().idxmax()
    withdrawal = next(r for f in data.funders
                      for r in [scenario_coverage(model, data.funding, Scenario("funder", f), data.as_of)]
                      if r.summary["n_areas_out_of_reach"] >= 2)
    losing = fv.scenario_area_table(withdrawal)
    losing = losing[losing["Residents falling out of reach"].map(lambda v: isinstance(v, str) or v > 0)]
    # The summary names the areas that lose most first.
    losing = losing.assign(_n=losing["Residents falling out of reach"].map(lambda v: 0 if isinstance(v, str) else v))
    losing = losing.sort_values("_n", ascending=False, kind="stable")

    page = open_page(1280, 900)
    page.goto(atlas_server)
    settle(page, timeout=TIMEOUT)
    go(page, "Funding")
    page.get_by_text("Only programmes at risk").click()
    settle(page, timeout=TIMEOUT)
    wait_text(page, "The programmes at risk depend most on")
    text = main_text(page)
    assert "The programmes at risk depend most on" in text
    assert f"{top_kind} funders (" in text
    assert f"{int(fv.overview_of(data).metrics['at_risk'].sum())} programmes running then" in text
    photograph(page, shots, "funder-1-at-risk")

    funder = withdrawal.scenario.value
    page.goto(f"{atlas_server}/funding?risk=1&scenario=funder&funder={quote(funder)}")
    settle(page, timeout=TIMEOUT)
    wait_text(page, f"If {funder} withdraws")
    text = main_text(page)
    for name, n in zip(losing["Area"].head(8), losing["Residents falling out of reach"].head(8)):
        shown = "fewer than 11" if n == "<11" else f"{n:,}"
        assert f"{name} ({shown})" in text, name
    photograph(page, shots, "funder-2-withdrawal")


def test_planner_gets_a_pdf_brief_with_the_chosen_sites_and_the_comparison(atlas_server, open_page, shots, tmp_path):
    page = open_page(1280, 900)
    page.goto(atlas_server)
    settle(page, timeout=TIMEOUT)
    go(page, "Plan")
    page.get_by_role("heading", name="The sites chosen").wait_for(timeout=TIMEOUT)
    photograph(page, shots, "planner-1-plan")
    go(page, "Compare")
    wait_text(page, "Areas most like")
    photograph(page, shots, "planner-2-compare")
    compared = re.findall(r"^(.+): need-index percentile$", main_text(page), flags=re.M)
    assert len(compared) == 2, compared
    go(page, "Neighbourhood brief")
    wait_text(page, "Compared areas")
    text = main_text(page)
    assert "Your plan: new programme sites" in text and "Compared areas" in text
    photograph(page, shots, "planner-3-brief")
    button = page.get_by_role("button", name="Download this brief (PDF)")
    with page.expect_download(timeout=TIMEOUT) as info:
        button.click()
    pdf = tmp_path / "brief.pdf"
    info.value.save_as(pdf)
    body = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = " ".join(body.split())
    assert "Your plan: new programme sites" in flat and "Compared areas" in flat
    # The sites the Plan page chose are in the PDF, with their addresses; so are the compared areas.
    sites = re.search(r"Your plan: new programme sites(.*?)(Compared areas|$)", text, flags=re.S).group(1)
    venues = [v for v in re.findall(r"^\d+\t([^\t]+)\t", sites, flags=re.M)]
    assert venues, sites[:500]
    for venue in venues:
        assert venue[:20] in flat, venue
    for area in compared:
        assert area in flat, area
