"""Computes, once per server process and in the background, the disclosure protections every page shares.

Impact's and Volunteers' linked sets hold the participant totals of every Inclusion state fixed
(core.views.reach_protection): about 11 s of linear programs on Chicago, which the first visitor to either page
would otherwise wait for; then each Impact filter state solves its own (0.1 s on average), so the most common ones
(all types, each type alone, every window) are solved ahead too. They depend on the published inventory alone and
are remembered in the process on its digest, so a thread started with the server computes them for whoever comes
first. ``ATLAS_WARM_UP=0`` turns it off
(the tests, whose processes compute only what each test needs).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

_STARTED: dict[str, threading.Thread] = {}  # database path -> its warm-up
_LOCK = threading.Lock()


def protections(path: Path | str) -> float:
    """Compute the shared protections of the atlas at ``path``; returns the seconds it took."""
    from core.store import db
    from core.views import impact as iv
    from core.views import volunteers as vov

    t0 = time.perf_counter()
    con = db.connect(path, read_only=True)
    try:
        data = iv.impact_data(con)
        iv.reach_totals(data)
        vov.protection(vov.volunteer_data(con), vov.DEFAULT_QUARTERS)
        # Impact's own protection per filter state (0.1 s on average): all programme types and each type alone, in
        # every window, with the default measure, the views readers open most (all 2**6 type choices took 80 s).
        measure = data.measures[0] if data.measures else ""
        for chosen in itertools.chain([()], itertools.combinations(data.types, 1)):
            for quarters in iv.QUARTER_CHOICES:
                iv.protection_for(data, iv.ImpactState(tuple(chosen), (), quarters, measure))
    finally:
        con.close()
    return time.perf_counter() - t0


def start(path: Path | str) -> threading.Thread | None:
    """Start :func:`protections` for ``path`` in a daemon thread, once per process and database (else None)."""
    # app.py asks on every run: the started check comes first, before the file is looked at.
    if str(path) in _STARTED or os.environ.get("ATLAS_WARM_UP", "1") == "0" or not Path(path).exists():
        return None

    def run():
        try:
            log.info("disclosure protections of %s ready in %.1f s", path, protections(path))
        except Exception:  # a page computes them itself, and reports any error, if this fails
            log.exception("warming the disclosure protections of %s failed", path)

    thread = threading.Thread(target=run, name="atlas-warm-up", daemon=True)
    with _LOCK:
        if str(path) in _STARTED:
            return None
        _STARTED[str(path)] = thread
        thread.start()  # under the lock, so that wait() never finds it registered but not started
    return thread


def wait(timeout: float | None = None) -> None:
    """Wait for every warm-up this process started (a benchmark times the pages once they are warm)."""
    with _LOCK:
        threads = list(_STARTED.values())
    for thread in threads:
        thread.join(timeout)
