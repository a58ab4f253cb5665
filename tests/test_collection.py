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


def test_tests_marked_to_share_a_process_run_in_one(tmp_path):
    # pytest-xdist's loadgroup sends every test of an xdist_group to one process (the page visits, `atlas serve` and
    # New York's atlas are made once for them); with pytest 9.2 it silently stopped doing so.
    seen = tmp_path / "seen"
    seen.mkdir()
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_grouped.py").write_text(
        "import os, pathlib, pytest\n"
        "@pytest.mark.xdist_group('one')\n"
        "@pytest.mark.parametrize('i', range(8))\n"
        "def test_grouped(i):\n"
        f"    (pathlib.Path({str(seen)!r}) / str(i)).write_text(os.environ['PYTEST_XDIST_WORKER'])\n")
    out = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider",
                          "-q", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True)
    assert "8 passed" in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]
    workers = {p.read_text() for p in seen.iterdir()}
    assert len(workers) == 1, workers


def test_the_longest_tests_are_sent_first(request):
    # conftest's order: the slow audits, then the browser tests, then the rest; the test command keeps it
    # (--no-loadscope-reorder), so that the two processes end together.
    rank = [(item.get_closest_marker("slow") is None, item.get_closest_marker("browser") is None)
            for item in request.session.items]
    assert rank == sorted(rank)
    assert "--no-loadscope-reorder" in request.config.getini("addopts")
