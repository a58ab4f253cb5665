"""Page text says what a number means for a person; method names live in help text and the Data & methods glossary."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from core.views import compare as cv
from core.views import glossary
from tests.test_pages import PAGES, run_page

# Issue 14, item 10: words a new reader met in the main text with no explanation.
JARGON = re.compile(r"(?i)E2SFCA|2SFCA|Luo ?& ?Qi|\bHHI\b|greedy|solver status|maximal covering|spopt|\bCBC\b|"
                    r"tercile|z-scor|euclidean")
QUERY = {"area": "25", "areas": "25,8"}


def visible_text(at) -> list[str]:
    """Everything a reader sees without opening a help icon: headings, text, labels, options, table headers."""
    out = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success")
           for e in at.get(kind)]
    out += [f"{m.label} {m.value}" for m in at.metric]
    for kind in ("selectbox", "multiselect", "radio"):
        for w in at.get(kind):
            out.append(w.label)
            out += [str(o) for o in getattr(w, "options", [])]
    out += [w.label for kind in ("slider", "toggle", "number_input", "date_input", "button", "expander")
            for w in at.get(kind) if hasattr(w, "label")]
    for d in at.dataframe:
        out += [str(c) for c in d.value.columns]
    return out


def help_texts(at) -> list[str]:
    texts = []
    for kind in ("metric", "selectbox", "multiselect", "radio", "slider", "toggle", "caption", "subheader"):
        for e in at.get(kind):
            h = getattr(e, "help", None) or getattr(getattr(e, "proto", None), "help", "")
            if h:
                texts.append(h)
    return texts


@pytest.fixture(scope="module")
def pages(atlas_db):
    import os

    os.environ["ATLAS_DB"] = str(atlas_db)
    return {page: run_page(page, QUERY) for page in PAGES}


@pytest.mark.parametrize("page", [p for p in PAGES if p != "pages/data_methods.py"])
def test_no_method_jargon_in_page_text(pages, page):
    at = pages[page]
    assert not at.exception, at.exception
    found = sorted({m.group(0) for t in visible_text(at) for m in JARGON.finditer(t)})
    assert not found, f"{page} shows {found} in its text; say it in plain words and link the glossary from help"


def test_help_icons_link_to_glossary_entries_that_exist(pages):
    anchors = {t.anchor for t in glossary.TERMS}
    links = [a for at in pages.values() for h in help_texts(at) for a in re.findall(r"/data-methods#([\w-]+)", h)]
    assert len(set(links)) >= 5, links
    assert set(links) <= anchors, set(links) - anchors


def test_data_and_methods_carries_the_glossary(pages):
    at = pages["pages/data_methods.py"]
    headings = [h.value for h in at.subheader]
    for term in glossary.TERMS:
        assert term.term in headings
    # Each term the pages no longer say is explained there.
    text = " ".join(t.term + " " + t.plain for t in glossary.TERMS)
    for word in ["E2SFCA", "Herfindahl", "greedy", "maximal covering", "terciles", "Euclidean", "z-scores"]:
        assert word in text, word


def test_overview_table_is_labelled_rounded_and_has_no_none(pages, con):
    at = pages["pages/overview.py"]
    table = at.dataframe[0].value
    assert not [c for c in table.columns if "_" in str(c)], list(table.columns)
    assert "Residents (2020 Census)" in table.columns
    assert any("per 100,000" in str(c) for c in table.columns) and any("%" in str(c) for c in table.columns)
    for c in table.columns:
        if table[c].dtype.kind == "f":
            finite = table[c].dropna()
            assert (finite.round(1) == finite).all(), c
        else:
            assert not table[c].map(lambda v: v is None or str(v) == "None").any(), c
    # A missing value reads as words in the styled table, not "None".
    from core.store import queries
    from core.views import overview

    shown = overview.need_styler(overview.need_display(overview.need_table(con), queries.indicator_defs(con))).to_html()
    assert ">None<" not in shown and ">nan<" not in shown


def test_compare_leaves_out_indicators_with_no_value_for_any_chosen_area(long_table):
    # An indicator present for some areas but missing for these two.
    counts = long_table.groupby("indicator_id")["value"].apply(lambda v: v.isna().sum())
    partly = counts[(counts > 0) & (counts < long_table["area_id"].nunique())].index
    for iid in partly:
        rows = long_table.loc[long_table["indicator_id"] == iid]
        missing = rows.loc[rows["value"].isna(), "area_id"].tolist()
        if len(missing) >= 2:
            comp = cv.comparison(long_table, missing[:2])
            assert iid not in set(comp["indicator_id"])
            label = rows["label"].iloc[0]
            for domain in cv.DOMAINS:
                t = cv.domain_table(comp, domain)
                assert t.empty or label not in set(t["Indicator"])
            return
    pytest.fail("no indicator is missing for two areas, so nothing was tested")


def test_compare_keeps_an_indicator_missing_for_only_some_chosen_areas(long_table):
    rows = long_table.loc[long_table["value"].isna()]
    iid, missing_area = rows["indicator_id"].iloc[0], int(rows["area_id"].iloc[0])
    have = long_table.loc[(long_table["indicator_id"] == iid) & long_table["value"].notna(), "area_id"]
    comp = cv.comparison(long_table, [missing_area, int(have.iloc[0])])
    assert iid in set(comp["indicator_id"])
    assert np.isnan(comp.loc[(comp["indicator_id"] == iid) & (comp["area_id"] == missing_area), "value"]).all()


@pytest.fixture(scope="module")
def long_table(atlas_db) -> pd.DataFrame:
    from core.store import db

    con = db.connect(str(atlas_db), read_only=True)
    try:
        return cv.indicator_long(con)
    finally:
        con.close()
