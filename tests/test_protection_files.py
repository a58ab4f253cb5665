"""Protections kept on disk: solved once for every process reading the same inventory, never read across code
versions, keys or a torn file."""

from __future__ import annotations

import collections
import multiprocessing
import os
import time

import pytest

from core.views import protection_files as pf
from core.views import reach_protection


@pytest.fixture
def kept_in(tmp_path, monkeypatch):
    monkeypatch.setenv(pf.ENV, str(tmp_path))
    return tmp_path


def _counted(calls, value):
    def build():
        calls.append(1)
        return value
    return build


def test_a_kept_protection_is_read_back_not_solved_again(kept_in):
    calls = []
    value = {"area": {"1": "small"}, "city": "withheld"}
    assert pf.kept(("digest", "shares", "65plus", 4), _counted(calls, value)) == value
    assert pf.kept(("digest", "shares", "65plus", 4), _counted(calls, "never")) == value
    assert len(calls) == 1
    # Another key, and the same key under other code, are solved on their own.
    assert pf.kept(("digest", "shares", "65plus", 8), _counted(calls, "8 quarters")) == "8 quarters"
    files = list(kept_in.rglob("*.pickle"))
    assert len(files) == 2 and {f.parent.name for f in files} == {pf.code_digest()}


def test_changed_code_reads_none_of_the_old_files(kept_in, monkeypatch):
    calls = []
    pf.kept(("d", "totals"), _counted(calls, 1))
    monkeypatch.setattr(pf, "_code", "another-version")
    assert pf.kept(("d", "totals"), _counted(calls, 2)) == 2
    assert len(calls) == 2


def test_a_torn_file_is_solved_again_and_written_over(kept_in):
    key = ("d", "volunteers", 4)
    pf.kept(key, lambda: "first")
    pf.file_of(key).write_bytes(b"\x80\x05 torn")
    assert pf.kept(key, lambda: "again") == "again"
    assert pf.kept(key, lambda: "never") == "again"


def test_off_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(pf.ENV, "off")
    calls = []
    pf.kept(("d", "x"), _counted(calls, 1))
    pf.kept(("d", "x"), _counted(calls, 1))
    assert len(calls) == 2 and pf.file_of(("d", "x")) is None


def test_other_versions_folders_unused_for_a_day_are_removed(kept_in, monkeypatch):
    old, recent = kept_in / "0ld0ld", kept_in / "recent"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "x.pickle").write_bytes(b"")
    day_ago = time.time() - pf.STALE_SECONDS - 60
    os.utime(old, (day_ago, day_ago))
    monkeypatch.setattr(pf, "_pruned", set())
    pf.kept(("d", "y"), lambda: 0)
    assert not old.exists() and recent.exists()


def _solve_slowly(folder, log, out):
    os.environ[pf.ENV] = str(folder)

    def build():
        with open(log, "a") as f:
            f.write("solved\n")
        time.sleep(1.0)
        return {"hidden": [1, 2, 3]}
    out.put(pf.kept(("digest", "impact", b"\x01\x02", 4), build))


def test_two_processes_asking_at_once_solve_it_once(tmp_path):
    log = tmp_path / "solves.txt"
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_solve_slowly, args=(tmp_path / "kept", log, out)) for _ in range(2)]
    for p in procs:
        p.start()
    values = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(60)
    assert values == [{"hidden": [1, 2, 3]}] * 2
    assert log.read_text().splitlines() == ["solved"]


def test_a_new_process_memo_reads_the_disk(kept_in, monkeypatch):
    # What one server process solved, a second one (an empty memo) reads: reach_protection.remembered's disk layer.
    calls = []
    monkeypatch.setattr(reach_protection, "_KEPT", collections.OrderedDict())
    assert reach_protection.remembered(("digest", "totals"), _counted(calls, "totals")) == "totals"
    monkeypatch.setattr(reach_protection, "_KEPT", collections.OrderedDict())
    assert reach_protection.remembered(("digest", "totals"), _counted(calls, "again")) == "totals"
    assert len(calls) == 1
