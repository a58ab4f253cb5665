"""SQL injection: hostile strings in every URL parameter and free-text filter of every page change nothing and leak
nothing. The pages are read from app.py at test time, so a new page is covered without editing this file."""

from __future__ import annotations

import ast
import hashlib
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from tests.test_bad_input_corpus import open_page
from tests.test_pages import app_pages

PAYLOADS = [
    "' OR '1'='1'; DROP TABLE program; --",
    "1; DELETE FROM area WHERE 1=1; --",
    "x') UNION SELECT key, value FROM build_info --",
    "\"; ATTACH '/tmp/atlas-evil.duckdb' AS evil; CREATE TABLE evil.t AS SELECT 1; --",
    "%' AND 1=CAST((SELECT version()) AS INTEGER) --",
    "0 OR 1=1",
]
# What a database or Python error shows when it escapes to the page.
LEAKS = re.compile(r"Traceback|File \"|Error:|Exception|duckdb|Binder|Catalog|Parser Error|SELECT |syntax error",
                   re.IGNORECASE)
FREE_TEXT = ("text_input", "text_area", "chat_input")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(tmp_path_factory, atlas_db) -> Path:
    out = tmp_path_factory.mktemp("injection") / "atlas.duckdb"
    shutil.copy(atlas_db, out)
    return out


def _core_modules(source: str) -> list[Path]:
    """The core modules a page imports (``from core.views import a, b``, ``from core.views.x import y``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "core":
            base = REPO.joinpath(*node.module.split("."))
            found += [base.with_suffix(".py")] + [base / f"{a.name}.py" for a in node.names]
    return [p for p in found if p.exists()]


def parameter_names(page: str, at: AppTest) -> set[str]:
    """Every name a page might read from the URL: its widget keys, and each identifier-like string literal in the
    page and the core modules it imports (where url_state reads the query). A superset does no harm."""
    source = (REPO / page).read_text()
    literals = set()
    for path in [REPO / page, *_core_modules(source)]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(
                    r"[a-z][a-z0-9_]{0,24}", node.value):
                literals.add(node.value)
    keys = {getattr(e, "key", None) for e in _walk(at.main)} | {getattr(e, "key", None) for e in _walk(at.sidebar)}
    return literals | {k for k in keys if isinstance(k, str) and re.fullmatch(r"[A-Za-z_]\w{0,40}", k)}


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _texts(at: AppTest) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "text", "code", "error", "warning", "info", "success", "exception",
                 "title", "header", "subheader", "json"):
        for element in at.get(kind):
            out.append(str(getattr(element, "value", "") or getattr(element.proto, "body", "")))
    return out


def _assert_clean(at: AppTest, page: str, context: str) -> None:
    assert not at.exception, (page, context, at.exception)
    assert not at.error, (page, context, [e.value for e in at.error])
    assert at.title, (page, context, "the page did not render")
    for text in _texts(at):
        # The payloads may be echoed back as text; a database or Python error must not be.
        scrubbed = text
        for p in PAYLOADS:
            scrubbed = scrubbed.replace(p, "")
        assert not LEAKS.search(scrubbed), (page, context, text[:300])


@pytest.mark.parametrize("page", app_pages())
def test_injection_through_every_url_parameter_and_filter(page, published, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(published))
    before = _digest(published)
    at = open_page(page)
    _assert_clean(at, page, "plain")
    names = sorted(parameter_names(page, at))
    assert names, page

    for round_ in range(2):
        # Each parameter gets a different payload each round; the second round also repeats parameters.
        query = {n: PAYLOADS[(i + round_) % len(PAYLOADS)] for i, n in enumerate(names)}
        if round_:
            query = {n: [v, PAYLOADS[0]] for n, v in query.items()}
        at.query_params.clear()
        at.query_params.update(query)
        at.run()
        _assert_clean(at, page, f"url round {round_}")

    at.query_params.clear()
    for kind in FREE_TEXT:
        for i, widget in enumerate(at.get(kind)):
            for payload in PAYLOADS:
                widget.set_value(payload) if kind == "chat_input" else widget.input(payload)
                at.run()
                _assert_clean(at, page, f"{kind} {i}: {payload}")
    assert _digest(published) == before
    assert not Path("/tmp/atlas-evil.duckdb").exists()


def test_url_parameters_reach_the_page(published, monkeypatch):
    """The mechanism the test above relies on: a query parameter set on the AppTest reaches the page's widgets."""
    monkeypatch.setenv("ATLAS_DB", str(published))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180).run()
    at.switch_page("pages/coverage.py")
    at.query_params["d0"] = "45"
    at.run()
    assert at.slider(key="d0").value == 45
