"""The README's `uv run pytest` collects every docstring example in core, and never the CLI entry, pages or bench."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest

from tests.conftest import REPO


def _collected(request) -> list[str]:
    """Node ids the README's test command would run outside tests/ (collection only: nothing is executed).

    Under the README's command itself this session collected exactly that, so its items are read; a narrower run
    (this file alone) asks a collection-only pytest in a new process (tests/ left out: importing every test module
    is slow and they are not in question here)."""
    if request.config.args_source == pytest.Config.ArgsSource.TESTPATHS:  # a bare `pytest`, as the README runs it
        return [item.nodeid for item in request.session.items if not item.nodeid.startswith("tests/")]
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0", "-p", "no:cacheprovider",
                          "--ignore", str(REPO / "tests")],
                         cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return [line for line in out.stdout.splitlines() if "::" in line]


def _docstring_examples() -> set[str]:
    """The node id of every docstring in core that holds an example, found by doctest itself."""
    ids = set()
    for path in sorted((REPO / "core").rglob("*.py")):
        rel = path.relative_to(REPO)
        if rel.name == "__main__.py":
            continue
        module = importlib.import_module(".".join(rel.with_suffix("").parts))
        for test in doctest.DocTestFinder().find(module):
            if test.examples:
                ids.add(f"{rel.as_posix()}::{test.name}")
    return ids


def test_the_test_command_runs_every_doctest_in_core_and_nothing_it_must_not(request):
    collected = _collected(request)
    expected = _docstring_examples()
    assert len(expected) > 50  # the finder works: core's public functions carry runnable examples
    assert expected <= set(collected), sorted(expected - set(collected))[:10]
    for forbidden in ("core/cli/__main__.py", "pages/", "bench/", "app.py"):
        assert not [i for i in collected if i.startswith(forbidden)], forbidden
