"""Every area's population is the same on every page where it appears, or carries a different label."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from core.base import population
from tests.test_pages import PAGES, run_page

# Austin and Near North Side: the two areas the issue found with two unlabelled populations.
QUERY = {"area": "25", "areas": "25,8"}
AREA_COLUMNS = ("Area", "Located in")


def _frames(at) -> list[pd.DataFrame]:
    out = []
    for d in at.dataframe:
        v = d.value
        out.append(v.data if hasattr(v, "data") and not isinstance(v, pd.DataFrame) else v)
    return out


def _resident_cells(frame: pd.DataFrame):
    """(label, area, value) for every per-area resident count in a table."""
    area_col = next((c for c in AREA_COLUMNS if c in frame.columns), None)
    if area_col is None:
        return
    for col in frame.columns:
        if str(col) in population.LABELS:
            for area, v in zip(frame[area_col], frame[col]):
                yield str(col), str(area), float(v)


@pytest.fixture(scope="module")
def shown(atlas_db):
    """Every page's resident counts, and the resident labels that appear anywhere."""
    import os

    os.environ["ATLAS_DB"] = str(atlas_db)
    cells, bare, texts = [], [], {}
    for page in PAGES:
        at = run_page(page, QUERY)
        assert not at.exception, (page, at.exception)
        for frame in _frames(at):
            bare += [(page, c) for c in frame.columns if str(c).strip().lower() == "residents"]
            cells += [(page, *c) for c in _resident_cells(frame)]
        bare += [(page, m.label) for m in at.metric if m.label.strip().lower() == "residents"]
        texts[page] = " ".join([m.value for m in at.markdown] + [str(h.proto.body) for h in at.get("html")])
    return cells, bare, texts


def test_no_page_shows_an_unlabelled_population(shown):
    _, bare, _ = shown
    assert not bare, f"a bare 'Residents' column or figure: {bare}"


def test_each_area_has_one_population_per_label_across_pages(shown, con):
    cells, _, _ = shown
    seen: dict[tuple[str, str], dict[str, float]] = {}
    for page, label, area, value in cells:
        seen.setdefault((label, area), {})[page] = value
    pages_with = {p for p, *_ in cells}
    # Both labels appear, on more than one page: otherwise the test would pass on nothing.
    assert {label for _, label, _, _ in cells} == set(population.LABELS)
    assert len(pages_with) >= 4, pages_with
    for (label, area), by_page in seen.items():
        assert len(set(by_page.values())) == 1, f"{area} {label} differs across pages: {by_page}"
    census = dict(con.execute("SELECT name, round(population) FROM area").fetchall())
    tracts = dict(con.execute("SELECT a.name, round(sum(t.population)) FROM tract t JOIN area a USING (area_id) "
                              "GROUP BY a.name").fetchall())
    for (label, area), by_page in seen.items():
        if area not in census:
            continue  # a totals row ("Total of shown cells"), not an area
        want = census if label == population.CENSUS else tracts
        assert next(iter(by_page.values())) == pytest.approx(want[area]), (label, area)
    # Where the two counts differ (on the real data, in every area: Austin 96,557 against 93,727), the labels matter,
    # and such an area is shown under both. The synthetic demo makes its area totals from its tracts, so none differs.
    differing = sorted(a for a in census if a in tracts and census[a] != tracts[a])
    if differing:
        area = "Austin" if "Austin" in differing else differing[0]
        assert seen[(population.CENSUS, area)] and seen[(population.TRACT_SUM, area)]


def test_the_brief_names_which_population_it_shows(shown, con):
    _, _, texts = shown
    census = con.execute("SELECT population FROM area WHERE area_id = 25").fetchone()[0]
    assert f"{census:,.0f} {population.CENSUS_SHORT}" in texts["pages/brief.py"]
    # No sentence anywhere gives a number of residents without saying which count it is.
    for page, text in texts.items():
        for m in re.finditer(r"(?<!per )\b\d[\d,]{3,} residents\b(?! \()", text):
            context = text[m.end(): m.end() + 80]
            assert "tract sum" in context or "2020 Census" in context, (page, text[m.start(): m.end() + 80])


def test_the_catchment_slider_explains_why_a_shorter_walk_can_raise_coverage(atlas_db, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(atlas_db))
    at = run_page("pages/coverage.py")
    notes = [c.value for c in at.sidebar.caption]
    assert any("shorter walk can *raise*" in n for n in notes), notes


def test_the_city_fits_a_phone_wide_map(con):
    """At 390 px the maps are about 350 px wide: the whole city must fit that width at the starting zoom."""
    import shapely

    from core.store import queries
    from core.views import maps

    areas = queries.areas(con)
    view = maps.view_for(areas)
    x0, _, x1, _ = shapely.total_bounds(shapely.from_geojson(areas["geometry_simplified"].tolist()))
    width_px = 512 * 2 ** view.zoom * (x1 - x0) / 360
    assert width_px <= maps.PHONE_MAP_WIDTH_PX + 1e-6
    assert width_px >= 0.8 * maps.PHONE_MAP_WIDTH_PX  # and not needlessly small
