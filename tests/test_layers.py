"""The layers hold: core never imports streamlit (but for its cache and auth modules), and pages hold no SQL."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = sorted((REPO / "pages").glob("*.py"))
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP)\b\s+[\w*\"]", re.IGNORECASE)


def test_import_contract_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_pages_hold_no_sql_and_open_no_database(page):
    text = page.read_text()
    assert "duckdb" not in text
    assert not SQL.search(text), f"SQL in {page.name}: {SQL.search(text).group(0)!r}"
    assert "core.store.db" not in text and "from core import db" not in text


def test_every_core_module_says_what_it_is_for():
    for mod in (REPO / "core").rglob("*.py"):
        text = mod.read_text().lstrip()
        assert text.startswith('"""'), f"{mod.relative_to(REPO)} has no module docstring"
    assert not list((REPO / "core").rglob("utils.py"))


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_pages_hand_deep_links_to_app_navigation(page):
    """A fresh server opened on /<page> must still run app.py's st.navigation (see core.serve.cache.ensure_navigation)."""
    code = [ln for ln in page.read_text().splitlines() if ln.strip() and not ln.startswith(("#", '"""'))]
    assert code[:2] == ["from core.serve.cache import ensure_navigation", "ensure_navigation()"], page.name
