"""Per-page warm rerun time under Streamlit's AppTest, against an empty page, in one run.

    uv run python bench/reruns.py [--db FILE] [--runs 15] [--profile funding]

Each page is opened through app.py (as a visitor's deep link is) and run once cold; then it is rerun ``--runs``
times with nothing changed, which is what every click elsewhere on the page costs when the whole script reruns.
Printed per page: the cold run and the median and p90 of the warm reruns, in ms, beside an empty page's
(``st.title`` alone) through the same AppTest machinery. Target: every page's warm median under 80 ms.
``--profile PAGE`` prints the top functions of that page's warm reruns (cProfile, cumulative).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
TARGET_MS = 80.0


def app_pages() -> list[tuple[str, str]]:
    """(script, url path) of every public page app.py registers."""
    found = re.findall(r'st\.Page\("(pages/\w+\.py)"[^)]*?url_path="([\w-]+)"', (REPO / "app.py").read_text())
    return [(script, path) for script, path in found if script != "pages/admin.py"]


def _profile_new_threads(profiler: cProfile.Profile | None) -> None:
    # AppTest runs the script in a thread of its own: start the profiler there, on the thread's first event.
    def start(*_):
        sys.setprofile(None)
        profiler.enable()

    threading.setprofile(start if profiler else None)


def timed_reruns(at, runs: int, profiler: cProfile.Profile | None = None) -> list[float]:
    out = []
    _profile_new_threads(profiler)
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        out.append((time.perf_counter() - t0) * 1000)
        if at.exception:
            raise RuntimeError(f"exception on rerun: {at.exception[0].value}")
    _profile_new_threads(None)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--profile", default=None, help="url path of a page to profile")
    parser.add_argument("--pages", default=None, help="comma-separated url paths (default: all)")
    args = parser.parse_args(argv)
    if args.db:
        os.environ["ATLAS_DB"] = str(args.db)
    from streamlit.testing.v1 import AppTest

    from core.serve import warm_up
    from core.store.paths import database_path

    if not database_path().exists():
        print(f"no database at {database_path()}: run `uv run atlas build` first")
        return 1

    empty = AppTest.from_string("import streamlit as st\nst.title('Empty')", default_timeout=60)
    empty.run()
    base = timed_reruns(empty, args.runs)
    rows = [("(empty page)", 0.0, statistics.median(base), sorted(base)[int(0.9 * (len(base) - 1))])]
    chosen = set(args.pages.split(",")) if args.pages else None
    for script, path in app_pages():
        if chosen and path not in chosen:
            continue
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
        at.run()
        warm_up.wait()  # the server's background warm-up (core.serve.warm_up) would compete with the timed reruns
        t0 = time.perf_counter()
        at.switch_page(script)
        at.run()
        cold = (time.perf_counter() - t0) * 1000
        if at.exception:
            print(f"{path}: exception: {at.exception[0].value}")
            return 1
        profiler = cProfile.Profile() if args.profile == path else None
        warm = timed_reruns(at, args.runs, profiler)
        rows.append((path, cold, statistics.median(warm), sorted(warm)[int(0.9 * (len(warm) - 1))]))
        if profiler:
            pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(45)

    print(f"| page | cold run (ms) | warm rerun median (ms) | warm p90 (ms) |")
    print("| --- | --- | --- | --- |")
    for path, cold, med, p90 in rows:
        flag = "" if med < TARGET_MS else " (over target)"
        print(f"| {path} | {cold:,.0f} | {med:,.0f}{flag} | {p90:,.0f} |")
    print(f"target: every page's warm median under {TARGET_MS:.0f} ms; load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
