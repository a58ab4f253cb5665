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
    """A fresh `streamlit run` opened on /<page> must still run app.py's st.navigation (core.serve.cache)."""
    code = [ln for ln in page.read_text().splitlines() if ln.strip() and not ln.startswith(("#", '"""'))]
    assert code[:2] == ["from core.serve.cache import ensure_navigation", "ensure_navigation()"], page.name


def test_served_workers_never_enter_the_file_based_navigation():
    """`atlas serve` starts each worker through core.serve.worker, which settles the navigation before any request."""
    from core.cli.serve import worker_command

    assert worker_command(8999)[1:3] == ["-m", "core.serve.worker"]
    code = "import sys; from core.serve import worker; print(worker.PagesManager.uses_pages_directory)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True).stdout.strip() == "None"
    worker_source = (REPO / "core" / "serve" / "worker.py").read_text()
    assert "PagesManager.uses_pages_directory = False" in worker_source


BROKEN = {
    # contract id: (file to change, the line that crosses the wall)
    "streamlit-in-serve": ("core/views/maps.py", "import streamlit"),
    "duckdb-in-store": ("core/analysis/gap.py", "import duckdb"),
    "layers": ("core/base/formatting.py", "from core.views import maps"),
    # A cycle hidden in a function, the kind a local import used to dodge: funding already imports errors.
    "acyclic": ("core/base/errors.py", "def _later():\n    from core.base import formatting  # noqa\n"
                                       "\n\ndef _again():\n    from core.base import export  # noqa\n"),
}


@pytest.mark.parametrize("contract", sorted(BROKEN))
def test_a_forbidden_import_breaks_its_contract(contract, tmp_path):
    """Each contract is a wall that stops a change: a copy of core with one crossing import fails lint-imports."""
    import shutil

    shutil.copytree(REPO / "core", tmp_path / "core", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    path, line = BROKEN[contract]
    target = tmp_path / path
    if contract == "acyclic":
        # formatting and export import errors, and errors now imports them back.
        (tmp_path / "core/base/formatting.py").write_text(
            (tmp_path / "core/base/formatting.py").read_text() + "\nfrom core.base import errors  # noqa\n")
    target.write_text(target.read_text() + "\n" + line + "\n")
    lint = Path(sys.executable).with_name("lint-imports")
    clean = subprocess.run([str(lint), "--no-cache", "--contract", contract], cwd=REPO, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout
    out = subprocess.run([str(lint), "--no-cache", "--contract", contract], cwd=tmp_path, capture_output=True,
                         text=True, env={**__import__("os").environ, "PYTHONPATH": str(tmp_path)})
    assert out.returncode != 0, out.stdout
    assert "BROKEN" in out.stdout


def test_no_import_cycle_between_any_two_core_modules():
    """Belt and braces beside the acyclic contract: grimp's graph of every import (function-level ones too)."""
    import grimp

    graph = grimp.build_graph("core")
    modules = sorted(graph.modules)
    for m in modules:
        for n in graph.find_modules_directly_imported_by(m):
            if n.startswith("core") and graph.chain_exists(importer=n, imported=m):
                pytest.fail(f"import cycle: {m} -> {n} -> … -> {m}")


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_page_draws_the_one_header(page):
    """Title, build info and banners come from core.serve.page.header, so no page's copy can drift."""
    text = page.read_text()
    assert "header(" in text and "from core.serve.page import header" in text, page.name
    assert "st.title(" not in text and "provenance.banners" not in text, page.name
