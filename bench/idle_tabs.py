"""What a browser tab left open on a page costs Chromium while nobody reads it, drawing and parked.

Run with ``uv run python bench/idle_tabs.py [--db PATH] [--pages overview,coverage,data-methods] [--seconds 10]``:
one `streamlit run` and Debian's headless Chromium, as the browser tests use them; each page opened in its own tab
and settled, then Chromium's CPU seconds per second of wall time, per page alone, with its frames drawn and with
them held (tests/browser_support.park, which the tests' kept tabs get between tests). Medians of three spans.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser_support import chromium, park, settle, shared_link, streamlit_server, unpark  # noqa: E402


def _chromium_seconds() -> float:
    total = 0.0
    for p in psutil.process_iter(["name"]):
        try:
            if "chrom" in (p.info["name"] or ""):
                t = p.cpu_times()
                total += t.user + t.system
        except psutil.Error:
            pass
    return total


def _share(seconds: float) -> float:
    """The median over three spans of Chromium's CPU seconds per wall second."""
    shares = []
    for _ in range(3):
        before = _chromium_seconds()
        time.sleep(seconds)
        shares.append((_chromium_seconds() - before) / seconds)
    return statistics.median(shares)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="data/atlas.duckdb")
    parser.add_argument("--pages", default="overview,coverage,data-methods")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with streamlit_server(Path(args.db).resolve(), {"ATLAS_WARM_UP": "0"}) as url, chromium() as browser:
        for path in args.pages.split(","):
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.goto(url + shared_link(path))
            settle(page, timeout=240_000)
            time.sleep(args.seconds)   # past the first seconds, while a map's first draws finish
            drawing = _share(args.seconds)
            park(page)
            parked = _share(args.seconds)
            unpark(page)
            print(f"{path}: {drawing:.3f} of a core drawing, {parked:.3f} parked")
            page.context.close()


if __name__ == "__main__":
    main()
