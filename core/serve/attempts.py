"""Where failed sign-in attempts are counted: in memory for one process, or in a SQLite file every worker shares.

`atlas serve` runs several app processes and a new session may land on any of them, so a lockout that counted
only one process's attempts could be dodged by reconnecting. :class:`SharedAttempts` keeps them in one small
SQLite file (beside the database, or in ``ATLAS_STATE_DIR``); SQLite's own file locks make each change atomic
across processes. Times are wall-clock seconds, because monotonic clocks are not comparable between processes.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from core.store.paths import database_path


class AttemptStore(Protocol):
    """Failed attempts per key, as times in seconds; what a throttle needs and nothing more."""

    def add(self, key: str, when: float) -> None: ...

    def since(self, key: str, cutoff: float) -> list[float]:
        """The key's attempts at or after ``cutoff``, oldest first (older ones may be forgotten)."""
        ...

    def clear(self, key: str) -> None: ...


class MemoryAttempts:
    """Attempts kept in this process only (tests, and a single `streamlit run`)."""

    def __init__(self) -> None:
        self._times: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def add(self, key: str, when: float) -> None:
        with self._lock:
            self._times.setdefault(key, []).append(when)

    def since(self, key: str, cutoff: float) -> list[float]:
        with self._lock:
            kept = sorted(t for t in self._times.get(key, []) if t >= cutoff)
            self._times[key] = kept
            return list(kept)

    def clear(self, key: str) -> None:
        with self._lock:
            self._times.pop(key, None)


def state_dir() -> Path:
    """Where the server keeps small shared state: ``ATLAS_STATE_DIR``, else the database's folder.

    A deployment that mounts the database read-only (compose.yaml) points this at a writable shared volume.
    """
    configured = os.environ.get("ATLAS_STATE_DIR")
    return Path(configured) if configured else database_path().parent


class SharedAttempts:
    """Attempts in a SQLite file shared by every worker that sees the same path.

    ``path`` is a callable so the file follows ``ATLAS_DB``/``ATLAS_STATE_DIR`` as they are when asked. Old rows
    are pruned on every write, so the file stays a few kilobytes.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> def at(): return folder / "a.sqlite"
    >>> one, two = SharedAttempts(at, clock=lambda: 200.0), SharedAttempts(at, clock=lambda: 200.0)
    >>> one.add("owner", 100.0); two.add("owner", 101.0)
    >>> one.since("owner", 0.0), two.since("owner", 100.5)
    ([100.0, 101.0], [101.0])
    """

    KEEP_SECONDS = 24 * 3600

    def __init__(self, path: Callable[[], Path] | None = None, clock: Callable[[], float] = time.time):
        self._path = path or (lambda: state_dir() / "atlas-signin-attempts.sqlite")
        self._clock = clock

    def _connect(self) -> sqlite3.Connection:
        path = self._path()
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, timeout=10, isolation_level=None)
        con.execute("CREATE TABLE IF NOT EXISTS failure (key TEXT NOT NULL, at REAL NOT NULL)")
        return con

    def add(self, key: str, when: float) -> None:
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("DELETE FROM failure WHERE at < ?", [self._clock() - self.KEEP_SECONDS])
            con.execute("INSERT INTO failure (key, at) VALUES (?, ?)", [key, when])
            con.execute("COMMIT")
        finally:
            con.close()

    def since(self, key: str, cutoff: float) -> list[float]:
        con = self._connect()
        try:
            rows = con.execute("SELECT at FROM failure WHERE key = ? AND at >= ? ORDER BY at", [key, cutoff])
            return [float(at) for (at,) in rows]
        finally:
            con.close()

    def clear(self, key: str) -> None:
        con = self._connect()
        try:
            con.execute("DELETE FROM failure WHERE key = ?", [key])
        finally:
            con.close()
