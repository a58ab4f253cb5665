"""Load benchmark: many simultaneous sessions against a real `streamlit run` on 127.0.0.1.

Each session is a websocket client speaking Streamlit's own protocol (the protobuf BackMsg/ForwardMsg the browser
sends and receives). It visits every page in app.py in turn, each visit with a different set of filters in the
URL, for ``--rounds`` rounds, and times every rerun from the request to the server's ``script_finished``. A page
change resets the page's widgets, so each visit really runs with the URL's filters. The server's resident memory
(with any children) is sampled throughout.

    uv run python bench/load.py                      # 50 sessions × 20 rounds × every page, back to back
    uv run python bench/load.py --think 30 --max-seconds 420   # each session pauses 0-60 s between clicks
    uv run python bench/load.py --sessions 10 --rounds 3 --max-seconds 120
    uv run python bench/load.py --url http://127.0.0.1:8501 --server-pid PID --think 10   # a running server

With ``--url`` it drives a server that is already running (``atlas serve``, or anything behind a proxy) instead of
starting one; ``--server-pid`` names its process, whose children's memory is then sampled one by one. Behind
``atlas serve`` each session's websocket is given a worker by HAProxy's cookie, and the report shows how the
reruns were spread over the workers.

Prints the number of reruns, errors (exceptions or error alerts on a page, pages not found, timeouts), the p50,
p95 and maximum rerun latency, and the server's peak memory. Targets: p95 under 1 s, peak under 1 GB. The run
stops starting new reruns after ``--max-seconds`` so it stays bounded; the report says how many it completed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

REPO = Path(__file__).resolve().parent.parent
DEFAULT: str | None = None  # set in main() from app.py
FINISHED_OK = {ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
               ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
TYPES = ["peer_support", "workshop", "community_event", "support_group", "drop_in", "helpline"]
AREAS = list(range(1, 78))


def _some(rng: random.Random, items: list, lo: int = 1) -> str:
    return ",".join(str(x) for x in rng.sample(items, rng.randint(lo, len(items))))


# Filters each page reads from its URL (see the page's *_view.params_from_query); a page not listed here is
# rerun without filters. Values are drawn at random per visit, so the caches see many different keys.
FILTERS = {
    "overview": lambda r: {"sites": r.choice("01")},
    "coverage": lambda r: {"d0": str(r.choice([10, 15, 20, 30, 45, 60])), "decay": r.choice(["step", "gaussian", "none"]),
                           "types": _some(r, TYPES), "eve": r.choice("01"), "free": r.choice("01"),
                           "area": str(r.choice(AREAS))},
    "underserved": lambda r: {"w_need": str(r.choice([0, 0.5, 1, 2])), "w_vul": str(r.choice([0, 1, 2])),
                              "w_bar": str(r.choice([0, 1, 2])), "d0": str(r.choice([15, 30, 45]))},
    "funding": lambda r: {"types": _some(r, TYPES), "risk": r.choice("01"),
                          "scenario": r.choice(["funder", "source", "before"]), "threshold": str(r.choice([25, 50, 75])),
                          "area": str(r.choice([0] + AREAS))},
    "impact": lambda r: {"quarters": str(r.choice([1, 2, 4, 8])), "types": _some(r, TYPES, lo=0)},
    "compare": lambda r: {"areas": ",".join(str(a) for a in r.sample(AREAS, r.randint(2, 4)))},
    "plan": lambda r: {"k": str(r.randint(1, 5)), "d0": str(r.choice([15, 30, 45])),
                       "type": r.choice(TYPES[:5]), "priority": r.choice("01")},
    "brief": lambda r: {"area": str(r.choice(AREAS))},
}


def app_pages() -> list[str]:
    """The url paths of the pages app.py registers (the Admin page is for signed-in owners only, so not here)."""
    found = re.findall(r'st\.Page\("(pages/\w+\.py)"([^)]*?)url_path="([\w-]+)"', (REPO / "app.py").read_text())
    return [path for script, _, path in found if script != "pages/admin.py"]


def default_page() -> str | None:
    """The default page's url path: the browser asks for it by the empty name (the app's root URL)."""
    found = re.search(r'st\.Page\("pages/\w+\.py"[^)]*default=True[^)]*url_path="([\w-]+)"',
                      (REPO / "app.py").read_text())
    return found.group(1) if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, ATLAS_DB=str(db))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start")


class MemorySampler(threading.Thread):
    """Samples the resident memory of the server and its children every ``every`` seconds; keeps the peaks.

    ``peak`` is the whole tree's; ``peaks`` each process's, by a label (the port of a `streamlit run` worker).
    """

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.proc, self.every, self.peak, self.stop = psutil.Process(pid), every, 0, threading.Event()
        self.peaks: dict[str, int] = {}

    @staticmethod
    def label(proc: psutil.Process) -> str:
        cmd = proc.cmdline()
        if "--server.port" in cmd:
            return f"worker on port {cmd[cmd.index('--server.port') + 1]}"
        return f"{proc.name()} (pid {proc.pid})"

    def current(self) -> dict[str, int]:
        """Each process's resident memory now, by label."""
        sizes = {}
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                sizes[self.label(p)] = p.memory_info().rss
            except psutil.Error:
                pass
        return sizes

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                sizes = self.current()
                self.peak = max(self.peak, sum(sizes.values()))
                for name, rss in sizes.items():
                    self.peaks[name] = max(self.peaks.get(name, 0), rss)
            except psutil.Error:
                pass
            self.stop.wait(self.every)


def _error_in(msg: ForwardMsg) -> str | None:
    """An exception or an error alert drawn on the page, or a page the server could not find."""
    if msg.HasField("page_not_found"):
        return f"page not found: {msg.page_not_found.page_name}"
    if msg.HasField("delta") and msg.delta.HasField("new_element"):
        el = msg.delta.new_element
        kind = el.WhichOneof("type")
        if kind == "exception":
            return f"exception: {el.exception.type}: {el.exception.message[:200]}"
        if kind == "alert" and el.alert.format == el.alert.ERROR:
            return f"error alert: {el.alert.body[:200]}"
    return None


async def rerun(ws, page: str, query: dict[str, str], timeout: float) -> tuple[float, list[str]]:
    """Ask for one run of ``page`` with ``query`` in the URL; return its latency and the errors it drew."""
    back = BackMsg()
    back.rerun_script.query_string = urllib.parse.urlencode(query)
    back.rerun_script.page_name = "" if page == DEFAULT else page
    started = time.perf_counter()
    await ws.send(back.SerializeToString())
    errors = []
    while True:
        raw = await asyncio.wait_for(ws.recv(), timeout)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        if (error := _error_in(msg)) is not None:
            errors.append(f"{page}?{back.rerun_script.query_string}: {error}")
        if msg.HasField("script_finished"):
            status = msg.script_finished
            if status in FINISHED_OK:
                return time.perf_counter() - started, errors
            if status != ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN:
                return time.perf_counter() - started, errors + [f"{page}: script finished with status {status}"]
            # A page may rerun itself (e.g. after writing its filters to the URL): wait for the final run.


WORKER_COOKIE = "atlas_worker"  # set by atlas serve's HAProxy (core.cli.proxy_config.COOKIE)


def _worker_of(ws) -> str:
    """The worker a proxy gave this websocket (from its sticky cookie), or '-' when nothing says so."""
    for value in ws.response.headers.get_all("Set-Cookie"):
        name, _, rest = value.partition("=")
        if name.strip() == WORKER_COOKIE:
            return rest.split(";", 1)[0]
    return "-"


async def session(url: str, pages: list[str], rounds: int, seed: int, deadline: float, timeout: float,
                  latencies: list[tuple[str, float]], errors: list[str], think: float = 0.0,
                  workers: list[str] | None = None) -> None:
    rng = random.Random(seed)
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=60) as ws:
        worker = _worker_of(ws)
        for _ in range(rounds):
            for page in rng.sample(pages, len(pages)):
                if think:
                    await asyncio.sleep(rng.uniform(0, 2 * think))  # a person reading before the next click
                if time.time() > deadline:
                    return
                try:
                    latency, found = await rerun(ws, page, FILTERS.get(page, lambda r: {})(rng), timeout)
                except asyncio.TimeoutError:
                    errors.append(f"{page}: no answer within {timeout:g} s")
                    return
                latencies.append((page, latency))
                if workers is not None:
                    workers.append(worker)
                errors.extend(found)


async def run_all(url: str, pages: list[str], sessions: int, rounds: int, deadline: float,
                  timeout: float, think: float = 0.0,
                  workers: list[str] | None = None) -> tuple[list[tuple[str, float]], list[str]]:
    latencies: list[tuple[str, float]] = []
    errors: list[str] = []
    await asyncio.gather(*(session(url, pages, rounds, seed, deadline, timeout, latencies, errors, think, workers)
                           for seed in range(sessions)))
    return latencies, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="atlas database (default: ATLAS_DB or data/)")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20, help="visits of every page per session")
    parser.add_argument("--max-seconds", type=float, default=900, help="stop starting reruns after this long")
    parser.add_argument("--timeout", type=float, default=120, help="seconds one rerun may take before it counts "
                                                                    "as an error")
    parser.add_argument("--url", default=None, help="drive this running server (http://host:port) instead of "
                                                     "starting one")
    parser.add_argument("--server-pid", type=int, default=None, help="with --url: the server's process id, whose "
                                                                      "memory (and its children's) is sampled")
    parser.add_argument("--warm-sessions", type=int, default=1, help="sessions that first visit every page once "
                                                                       "(with several workers, enough to reach each)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a session waits between reruns (default 0: every session reruns "
                             "back to back, the harshest case)")
    args = parser.parse_args(argv)
    global DEFAULT
    DEFAULT = default_page()

    pages = app_pages()
    workers: list[str] = []
    if args.url:
        if args.server_pid:
            sampler = MemorySampler(args.server_pid)
            sampler.start()
        else:
            sampler = None
        url = urllib.parse.urlsplit(args.url)._replace(scheme="wss" if args.url.startswith("https") else "ws",
                                                        path="/_stcore/stream").geturl()
        try:
            cold, warm, warm_errors, latencies, errors, wall = measure(url, pages, args, workers, sampler)
        finally:
            if sampler is not None:
                sampler.stop.set()
                sampler.join()
    else:
        from core.store.paths import database_path

        source = args.db or database_path()
        if not source.exists():
            print(f"no database at {source}: run `uv run atlas build` first")
            return 1
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "atlas.duckdb"
            shutil.copy(source, db)  # the server reads a private copy
            port = free_port()
            server = start_server(db, port)
            sampler = MemorySampler(server.pid)
            sampler.start()
            url = f"ws://127.0.0.1:{port}/_stcore/stream"
            try:
                cold, warm, warm_errors, latencies, errors, wall = measure(url, pages, args, workers, sampler)
            finally:
                sampler.stop.set()
                sampler.join()
                server.terminate()
                try:
                    server.wait(15)
                except subprocess.TimeoutExpired:
                    server.kill()

    planned = args.sessions * args.rounds * len(pages)
    lat = np.array([t for _, t in latencies])
    p50, p95, worst = (np.percentile(lat, 50), np.percentile(lat, 95), lat.max()) if len(lat) else (np.nan,) * 3
    print(f"pages: {', '.join(pages)}")
    print(f"warm-up: {args.warm_sessions} session(s) visiting each page once took {cold:.1f} s in all, "
          f"{len(warm_errors)} errors")
    print(f"sessions: {args.sessions} (think time {args.think:g} s), reruns completed: {len(lat)} of {planned} planned, in {wall:.1f} s "
          f"({len(lat) / wall:.1f} reruns/s)")
    print(f"errors: {len(errors)}")
    for error in (warm_errors + errors)[:10]:
        print(f"  {error}")
    print(f"rerun latency: p50 {p50:.3f} s, p95 {p95:.3f} s, max {worst:.3f} s  (target p95 < 1 s)")
    if sampler is not None:
        print(f"server peak memory: {sampler.peak / 2**20:.0f} MiB in all")
        for name, peak in sorted(sampler.peaks.items()):
            idle = f", {IDLE[name] / 2**20:.0f} MiB idle after the warm-up visits" if name in IDLE else ""
            print(f"  {name}: peak {peak / 2**20:.0f} MiB{idle}")
    spread = {w: workers.count(w) for w in sorted(set(workers))}
    if spread:
        print("reruns by worker: " + ", ".join(f"{w} {n} ({n / len(workers):.0%})" for w, n in spread.items()))
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("per page (p50 / p95 s): " + ", ".join(
        f"{page} {np.percentile(t, 50):.2f}/{np.percentile(t, 95):.2f}"
        for page in pages if len(t := [x for p, x in latencies if p == page])))
    print(f"warm-up visits (s): " + ", ".join(f"{p} {t:.1f}" for p, t in warm))
    return 0 if not errors and not warm_errors else 1


IDLE: dict[str, int] = {}  # each process's memory after the warm-up visits, once idle


def measure(url: str, pages: list[str], args, workers: list[str], sampler: MemorySampler | None = None):
    """Warm every page (cold start, reported apart), then run the sessions; return what main() reports."""
    # One visit per page first: the first run of each page builds its shared models. Behind a proxy, enough
    # warm-up sessions that round-robin reaches every worker.
    t0 = time.perf_counter()
    warm, warm_errors = asyncio.run(run_all(url, pages, args.warm_sessions, 1, time.time() + args.max_seconds,
                                            args.timeout))
    cold = time.perf_counter() - t0
    if sampler is not None:
        time.sleep(5)  # let the sessions' last messages go before reading idle memory
        IDLE.update(sampler.current())
    started = time.perf_counter()
    latencies, errors = asyncio.run(run_all(url, pages, args.sessions, args.rounds, time.time() + args.max_seconds,
                                            args.timeout, args.think, workers))
    return cold, warm, warm_errors, latencies, errors, time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
