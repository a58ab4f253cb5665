"""A build killed with SIGKILL while writing leaves the published database serving, byte for byte, and nothing else."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from core.ingest.build import STALE_TEMP_SECONDS, TEMP_PREFIX, remove_stale_temps
from tests.conftest import REPO


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _build_info(path: Path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return dict(con.execute("SELECT key, value FROM build_info").fetchall())
    finally:
        con.close()


def _unfinished(path: Path) -> bool:
    """A killed build's file either does not open or has no build_info, which a build writes last."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return True
    try:
        return con.execute("SELECT count(*) FROM build_info").fetchone()[0] == 0
    except duckdb.Error:
        return True
    finally:
        con.close()


def test_sigkill_while_writing_leaves_the_previous_database_published(atlas_db, tmp_path, monkeypatch):
    published = tmp_path / "atlas.duckdb"
    shutil.copy(atlas_db, published)
    before, info = _digest(published), _build_info(published)

    proc = subprocess.Popen([sys.executable, "-m", "core.cli", "build", "--out", str(published)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line)
            # write_database has created the temporary file and is filling it when it reports this.
            if "Writing areas and tracts" in line:
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        proc.kill()
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    assert any("Writing" in line for line in seen)

    # The published file is untouched; the killed build's partial file sits beside it under its temporary name.
    assert _digest(published) == before
    leftovers = list(tmp_path.glob(TEMP_PREFIX + "*"))
    assert leftovers and all(p.name.startswith(TEMP_PREFIX) for p in leftovers)
    partial = next(p for p in leftovers if p.suffix == ".duckdb")
    assert _unfinished(partial), "the partial file must not look like a finished atlas"

    # The app, pointed at the published path, serves the previous build.
    monkeypatch.setenv("ATLAS_DB", str(published))
    at = AppTest.from_file(str(REPO / "app_pages" / "data_methods.py"), default_timeout=120).run()
    assert not at.exception
    summary = " ".join(m.value for m in at.markdown)
    assert info["built_at"].replace("T", " ")[:16] in summary
    rows = next(d.value for d in at.dataframe if list(d.value.columns) == ["Table", "Rows"]).set_index("Table")
    con = duckdb.connect(str(atlas_db), read_only=True)
    try:
        assert int(rows.loc["program", "Rows"]) == con.execute("SELECT count(*) FROM program").fetchone()[0]
    finally:
        con.close()

    # A later build clears what a killed one left, once it is clearly abandoned, and never the database.
    assert remove_stale_temps(tmp_path) == []  # fresh: it could still be a build in progress
    old = time.time() - STALE_TEMP_SECONDS - 60
    for p in list(tmp_path.iterdir()):
        os.utime(p, (old, old))
    assert sorted(remove_stale_temps(tmp_path)) == sorted(leftovers)
    assert list(tmp_path.iterdir()) == [published] and _digest(published) == before
