"""axe-core (npm, WCAG 2.1 A and AA rules) injected with Playwright into every page: no violation on any of them.

axe-core is installed by `.ci/run` with `npm ci --prefix tests/axe` into tests/axe/node_modules (never committed).
Each page's full report is kept as an artefact (artifacts/axe/<page>.json).
"""

from __future__ import annotations

import json
import os

import pytest

from tests.browser_support import assert_no_error, per_page, settle
from tests.conftest import ARTIFACTS, REPO

pytestmark = pytest.mark.browser

AXE = REPO / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT = 240_000


def axe_script() -> str:
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci --prefix tests/axe` (.ci/run does)"
        if os.environ.get("ATLAS_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return str(AXE)


def run_axe(page) -> dict:
    page.add_script_tag(path=axe_script())
    return page.evaluate("""async (tags) => await axe.run(document, {
        runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""", WCAG_21_AA)


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        for node in v["nodes"][:5]:
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}: "
                         f"{node.get('failureSummary', '')[:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("script, path", per_page())
def test_page_has_no_wcag_21_aa_violation(page_visit, script, path):
    axe_script()
    page = page_visit(path)
    assert_no_error(page)
    report = run_axe(page)
    out = ARTIFACTS / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{path}.json").write_text(json.dumps(report["violations"], indent=1))
    assert not report["violations"], describe(report["violations"])


def test_keyboard_focus_is_a_visible_outline_unlike_the_current_page_highlight(atlas_server, open_page):
    page = open_page(1280, 900)
    page.goto(atlas_server)
    settle(page, timeout=TIMEOUT)
    link = page.locator('[data-testid="stSidebarNav"] a').nth(1)
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {tag: document.activeElement.tagName, width: s.outlineWidth, style: s.outlineStyle,
                colour: s.outlineColor, shadow: s.boxShadow}; }""")
    assert style["tag"] == "A", style
    assert style["style"] == "solid" and float(style["width"].rstrip("px")) >= 3, style
    assert style["colour"] == "rgb(17, 17, 17)" and "255, 213, 79" in style["shadow"], style
    # The current page's link (not focused) has no such outline.
    current = page.evaluate("""() => { const a = document.querySelector('[data-testid="stSidebarNav"] a');
        return getComputedStyle(a).outlineStyle; }""")
    assert current != "solid"
