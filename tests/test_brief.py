"""Neighbourhood brief: the PDF's text and page (checked with poppler), the map image, escaping, URL state."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest

from core.views import brief
from tests.test_pages import run_page

POPPLER = Path("/usr/bin")


def _pdf_text(pdf: Path) -> str:
    return subprocess.run([str(POPPLER / "pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def _pages(pdf: Path) -> int:
    out = subprocess.run([str(POPPLER / "pdfinfo"), str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(ln.split()[-1] for ln in out.splitlines() if ln.startswith("Pages:")))


@pytest.fixture(scope="module")
def long(atlas_db):
    import duckdb

    from core.views.compare import indicator_long

    with duckdb.connect(str(atlas_db), read_only=True) as c:
        return indicator_long(c)


@pytest.fixture(scope="module")
def englewood(atlas_db):
    import duckdb

    with duckdb.connect(str(atlas_db), read_only=True) as c:
        return brief.brief_data(c, 68)


def test_pdf_says_what_the_database_says(con, englewood, tmp_path, artifacts):
    pdf = tmp_path / "brief_68.pdf"
    pdf.write_bytes(brief.brief_pdf(englewood))
    assert _pages(pdf) == 1
    # Render the page as a reader would see it, and keep it for a look.
    subprocess.run([str(POPPLER / "pdftoppm"), "-png", "-r", "80", "-singlefile", str(pdf), str(tmp_path / "page")],
                   check=True)
    import matplotlib.image as mpimg

    img = mpimg.imread(tmp_path / "page.png")
    assert img.shape[0] > img.shape[1] > 600  # portrait Letter at 80 dpi: 680 x 880
    ink = (img[..., :3] < 0.5).any(axis=2).mean()
    assert 0.01 < ink < 0.5, "the page has text and a map, and is not a black box"
    (artifacts / "brief_68_pdf.png").write_bytes((tmp_path / "page.png").read_bytes())

    text = _pdf_text(pdf)
    name, pop = con.execute("SELECT name, population FROM area WHERE area_id = 68").fetchone()
    assert f"Neighbourhood brief: {name}" in text
    assert f"{pop:,.0f} residents" in text
    unmet = con.execute("""SELECT i.value FROM indicator i JOIN indicator_def d USING (indicator_id, period)
                           WHERE i.area_id = 68 AND i.indicator_id = 'unmet_need'""").fetchone()[0]
    median = con.execute("""SELECT median(i.value) FROM indicator i JOIN indicator_def d USING (indicator_id, period)
                            WHERE i.indicator_id = 'unmet_need'""").fetchone()[0]
    line = next(ln for ln in text.splitlines() if ln.startswith("Unmet mental-health treatment need"))
    assert f" {unmet:.1f} " in line
    assert f" {median:.1f} " in line
    suicide_unstable = con.execute("""SELECT i.unstable FROM indicator i JOIN indicator_def d USING (indicator_id, period)
                                      WHERE i.area_id = 68 AND i.indicator_id = 'suicide_rate'""").fetchone()[0]
    if suicide_unstable:
        assert "(unstable)" in next(ln for ln in text.splitlines() if ln.startswith("Suicide mortality rate"))
    flat = " ".join(text.split())
    publisher, title = con.execute("""SELECT publisher, title FROM source
                                       WHERE source_id IN ('ca_boundaries', 'demo_boundaries')""").fetchone()
    assert " ".join(f"Sources: {publisher}, {title}".split()) in flat
    need_publisher = con.execute("""SELECT s.publisher FROM indicator_def d JOIN source s USING (source_id)
                                    WHERE d.indicator_id = 'unmet_need'""").fetchone()[0]
    assert " ".join(need_publisher.split()) in flat and "Vintage: Indicator periods" in flat
    kind = con.execute("SELECT value FROM build_info WHERE key = 'inventory_kind'").fetchone()[0]
    assert ("SYNTHETIC sample" in flat) == (kind == "synthetic sample")
    for prog in englewood.programmes["Programme"].head(3):
        assert prog in flat


def test_programmes_and_runway_come_from_the_inventory(con, englewood):
    as_of = con.execute("SELECT value FROM build_info WHERE key = 'as_of'").fetchone()[0]
    caps = [r[0] for r in con.execute("""SELECT weekly_capacity FROM program WHERE area_id = 68
        AND start_date <= ?::DATE AND (end_date IS NULL OR end_date >= ?::DATE)
        ORDER BY weekly_capacity DESC""", [as_of, as_of]).fetchall()]
    assert englewood.programmes_total == len(caps)
    # The largest programmes first, at most MAX_PROGRAMMES of them.
    shown = englewood.programmes["Weekly places"].str.replace(",", "").astype(float)
    assert shown.tolist() == caps[: brief.MAX_PROGRAMMES]
    assert englewood.programmes["Runway"].str.match(r"^(\d+ months?|> 36 months|unknown)( \(at risk\))?$").all()


def test_the_busiest_area_still_fits_on_one_page(con, long, tmp_path):
    area = con.execute("SELECT area_id FROM program GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    b = brief.brief_data(con, area, long=long)
    pdf = tmp_path / "busy.pdf"
    pdf.write_bytes(brief.brief_pdf(b))
    assert _pages(pdf) == 1
    text = " ".join(_pdf_text(pdf).split())
    if b.programmes_total > brief.MAX_PROGRAMMES:
        assert f"… and {b.programmes_total - brief.MAX_PROGRAMMES} more programmes." in text
    assert "Community Mental Health Atlas · methods" in text  # the footer, so nothing ran off the page


def test_a_real_inventory_carries_no_synthetic_note(con, long, monkeypatch, tmp_path):
    real = dict(brief.queries.build_info(con), inventory_kind="city inventory", data_kind="chicago")
    monkeypatch.setattr(brief.queries, "build_info", lambda _con: real)
    b = brief.brief_data(con, 25, long=long)
    assert b.notices == [] and not b.synthetic_inventory
    pdf = tmp_path / "real.pdf"
    pdf.write_bytes(brief.brief_pdf(b))
    assert "generated from a seed, not real programmes" not in " ".join(_pdf_text(pdf).split())


def test_map_highlights_the_area_and_draws_no_tiles(englewood):
    import matplotlib.image as mpimg

    img = mpimg.imread(io.BytesIO(englewood.map_png))
    colour = np.array([int(brief.AREA_COLOUR[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    hit = (np.abs(img[..., :3] - colour) < 0.02).all(axis=2)
    assert hit.sum() > 200, "the area is filled in its colour on the city map"
    assert hit[:, : img.shape[1] // 2].sum() > hit[:, img.shape[1] // 2:].sum() * 0.2


def test_html_escapes_every_text(englewood):
    b = brief.Brief(**{**englewood.__dict__, "name": "<script>alert(1)</script>",
                       "programmes": englewood.programmes.assign(Programme="<img src=x onerror=alert(1)>"),
                       "sources": ["A & B <i>"]})
    out = brief.brief_html(b)
    # Escaped by core.base.markup.inert: character references, which the browser shows as the text itself.
    assert "<script>" not in out and "&#60;script&#62;alert&#40;1&#41;&#60;/script&#62;" in out
    assert "<img src=x" not in out and "&#60;img src=x onerror=alert&#40;1&#41;&#62;" in out
    assert "A &#38; B &#60;i&#62;" in out


def test_area_from_query():
    assert brief.area_from_query({"area": "25"}, range(1, 78), default=68) == "25"
    assert brief.area_from_query({"area": "999"}, range(1, 78), default=68) == "68"
    assert brief.area_from_query({"area": "1; DROP TABLE area"}, range(1, 78), default=68) == "68"
    assert brief.area_from_query({}, range(1, 78)) == "1"
    # Ids are text: a New York community district or a census tract is as valid as a number.
    assert brief.area_from_query({"area": "BK01"}, ["BK01", "53033000100"]) == "BK01"
    assert brief.area_from_query({"area": "053033000100"}, ["BK01", "53033000100"]) == "BK01"


def test_page_round_trips_the_area_through_the_url(use_db):
    at = run_page("pages/brief.py", {"area": "25"})
    assert not at.exception, at.exception
    assert at.selectbox(key="brief_area").value == "25"
    assert at.metric[0].label == "Austin: need index"
    at.selectbox(key="brief_area").set_value("68").run()
    assert not at.exception
    assert at.query_params["area"] in (["68"], "68")
    assert at.metric[0].label == "Englewood: need index"
