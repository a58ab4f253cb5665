"""Disclosure protections kept on disk, so that every process reading the same inventory solves each one once.

A protection (what a page hides for a choice of filters) depends only on the published inventory, the choice and
the code that computes it. Each solves linear programs, seconds of them for the Inclusion totals and the Volunteers
windows, so the server's workers, a restarted server and the test processes would otherwise each solve the same
programs again. A file is named by its key (which starts with the inventory's digest) under a folder named by a
digest of ``core``'s source: changed code reads none of the old files.

The folder is ``ATLAS_PROTECTION_CACHE`` ("off" turns the files off), else ``.atlas-protections`` beside the
published database. Only the atlas writes there (it is as trusted as the database beside it, which is why reading
the files back with pickle is safe). A process that finds another one solving a key waits for its file (a lock on
the key) instead of solving it too. Any file that cannot be read is solved again; a folder that cannot be written
(a read-only deployment) only loses the sharing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import shutil
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: there each process solves its own
    fcntl = None

from core.store import paths

log = logging.getLogger(__name__)

ENV = "ATLAS_PROTECTION_CACHE"
STALE_SECONDS = 24 * 3600  # another code version's folder not written this long is removed
_CORE = Path(__file__).resolve().parents[1]
_code: str | None = None
_pruned: set[Path] = set()


def code_digest() -> str:
    """A digest of every Python source in ``core`` (computed once per process)."""
    global _code
    if _code is None:
        digest = hashlib.sha1()
        for path in sorted(_CORE.rglob("*.py")):
            digest.update(str(path.relative_to(_CORE)).encode())
            digest.update(path.read_bytes())
        _code = digest.hexdigest()[:16]
    return _code


def folder() -> Path | None:
    """Where this code version's protections are kept, or None where the files are turned off."""
    configured = os.environ.get(ENV)
    if configured is not None and configured.strip().lower() in ("", "off", "0"):
        return None
    base = Path(configured) if configured else paths.database_path().parent / ".atlas-protections"
    return base / code_digest()


def file_of(key: tuple) -> Path | None:
    """The file that keeps ``key``'s protection (a key is a tuple of strings, numbers, booleans and bytes)."""
    where = folder()
    return None if where is None else where / (hashlib.sha1(repr(key).encode()).hexdigest() + ".pickle")


def _read(path: Path):
    try:
        with open(path, "rb") as f:
            return True, pickle.load(f)
    except FileNotFoundError:
        return False, None
    except Exception:  # a torn or foreign file: solved again and written over
        log.warning("could not read the kept protection %s; solving it again", path, exc_info=True)
        return False, None


def _write(path: Path, value) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)   # readers see the whole file or none
    except OSError:
        log.warning("could not keep the protection in %s", path.parent, exc_info=True)
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass


def _prune(where: Path) -> None:
    """Remove other code versions' folders that no process has written to for a day (once per process and folder)."""
    if where in _pruned:
        return
    _pruned.add(where)
    for other in where.parent.iterdir():
        try:
            if other.is_dir() and other != where and time.time() - other.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(other, ignore_errors=True)
        except OSError:
            pass


def kept(key: tuple, build):
    """``build()``'s value for ``key``: read from its file, else built (by this process or by the one already
    building it) and written there."""
    path = file_of(key)
    if path is None:
        return build()
    found, value = _read(path)
    if found:
        return value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _prune(path.parent)
        lock = open(path.with_suffix(".lock"), "a+b")
    except OSError:
        return build()
    with lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)   # released when the file closes, or when its process dies
        found, value = _read(path)   # written by the process that held the lock before us
        if found:
            return value
        value = build()
        _write(path, value)
        return value
