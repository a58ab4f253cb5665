"""Readers' latency while a data owner's upload is checked: Coverage page reruns, idle against during a large check.

A real `streamlit run` serves a copy of the atlas on 127.0.0.1. One reader (a websocket client speaking Streamlit's
protocol, as in bench/load.py) reruns the Coverage page back to back with random filters: first for ``--idle``
seconds with nothing else running, then while ``core.serve.admin.check`` checks a large upload, the call the Admin
page makes (a job process, ``core.serve.admin_job``). The upload is the published inventory with its quarters
repeated up to the row limit (``admin.MAX_ROWS``), the heaviest upload the atlas accepts. Then a 600,000-row upload,
which is refused at the limit.

    uv run python bench/admin_check.py                  # defaults: 30 s idle, a check of MAX_ROWS quarters
    uv run python bench/admin_check.py --idle 15 --rows 100000

Prints the reader's p50, p95 and maximum rerun latency in both phases and their ratio (target: within 2x idle),
the check's duration, the server's peak resident memory (the serving process alone) and the job's.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import websockets

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import load  # noqa: E402  (bench/load.py: the server and the websocket rerun)

from core.base.errors import InputError  # noqa: E402
from core.serve import admin  # noqa: E402
from core.store import db  # noqa: E402
from core.store.paths import database_path  # noqa: E402


def atlas_copy(root: Path) -> Path:
    """A private copy of the published atlas (built first if there is none), which the bench may replace."""
    source, out = database_path(), root / "atlas.duckdb"
    if source.exists():
        shutil.copy(source, out)
    else:  # built in the bench's own folder, never into the clone
        from core.ingest.build import build

        build(out)
    return out


def large_upload(published: Path, rows: int, root: Path) -> Path:
    """The published inventory with its quarters repeated (new programme ids) up to ``rows`` quarter rows."""
    con = db.connect(published, read_only=True)
    try:
        inv = admin.published_inventory(con)
    finally:
        con.close()
    programs, funding, periods = inv["programs.csv"], inv["funding.csv"], inv["program_periods.csv"]
    # Programmes and grants are copied only as far as the row limit needs; beyond it, quarters repeat (a file that
    # long is refused at its first row over the limit, before keys are compared).
    copies = max(1, -(-min(rows, admin.MAX_ROWS) // len(periods)))
    def repeat(frame: pd.DataFrame, n: int) -> pd.DataFrame:
        return pd.concat([frame.assign(program_id=frame["program_id"] + (f"-{i}" if i else "")) for i in range(n)],
                         ignore_index=True)
    out_programs = repeat(programs, copies)
    files = {"programs.csv": out_programs, "funding.csv": repeat(funding, copies).assign(
        funding_id=lambda f: f["funding_id"] + "-" + f.index.astype(str)),
        "program_periods.csv": _tile(repeat(periods, copies), rows)}
    return admin.stage_upload({n: f.to_csv(index=False).encode() for n, f in files.items()}, root=root)


def _tile(frame: pd.DataFrame, rows: int) -> pd.DataFrame:
    return pd.concat([frame] * -(-rows // len(frame)), ignore_index=True).iloc[:rows]


async def reader(url: str, until: threading.Event | float, latencies: list[float], errors: list[str],
                 seed: int) -> None:
    """Rerun the Coverage page back to back until ``until`` (a deadline, or an event set when the check ends)."""
    rng = random.Random(seed)
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=60) as ws:
        while not (until.is_set() if isinstance(until, threading.Event) else time.time() > until):
            latency, found = await load.rerun(ws, "coverage", load.FILTERS["coverage"](rng), 300)
            latencies.append(latency)
            errors.extend(found)


def summary(latencies: list[float]) -> str:
    a = np.array(latencies)
    return (f"{len(a)} reruns, p50 {np.percentile(a, 50):.2f} s, p95 {np.percentile(a, 95):.2f} s, "
            f"max {a.max():.2f} s")


class Peak(threading.Thread):
    """Peak resident memory of the server process alone, and of its children (the job process) apart."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.proc, self.server, self.children, self.stop = psutil.Process(pid), 0, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.server = max(self.server, self.proc.memory_info().rss)
                me = psutil.Process()
                jobs = [p for p in me.children(recursive=True) if "admin_job" in " ".join(p.cmdline())]
                self.children = max(self.children, sum(p.memory_info().rss for p in jobs))
            except psutil.Error:
                pass
            self.stop.wait(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of reruns with nothing else running")
    parser.add_argument("--rows", type=int, default=admin.MAX_ROWS, help="quarter rows in the large upload")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="atlas-bench-check-"))
    try:
        published = atlas_copy(root)
        staged = large_upload(published, args.rows, root)
        port = load.free_port()
        server = load.start_server(published, port)
        url = f"ws://127.0.0.1:{port}/_stcore/stream"
        peak = Peak(server.pid)
        peak.start()
        try:
            warm: list[float] = []
            asyncio.run(reader(url, time.time() + 10, warm, [], seed=0))  # caches and imports, not measured
            idle: list[float] = []
            errors: list[str] = []
            asyncio.run(reader(url, time.time() + args.idle, idle, errors, seed=1))

            done, outcome = threading.Event(), {}

            def run_check() -> None:
                started = time.perf_counter()
                try:
                    outcome["preview"] = admin.check(staged, published)
                except InputError as exc:
                    outcome["refused"] = str(exc)
                outcome["seconds"] = time.perf_counter() - started
                done.set()

            busy: list[float] = []
            threading.Thread(target=run_check, daemon=True).start()
            asyncio.run(reader(url, done, busy, errors, seed=2))
            print(f"upload checked: {args.rows:,} quarter rows; "
                  + (f"refused: {outcome['refused']}" if "refused" in outcome else
                     f"preview of {outcome['preview'].counts['uploaded rows'].sum():,} rows")
                  + f"; the check took {outcome['seconds']:.1f} s", flush=True)
            print(f"reader idle:            {summary(idle)}", flush=True)
            print(f"reader during check:    {summary(busy)}")
            ratio50 = np.percentile(busy, 50) / np.percentile(idle, 50)
            ratio95 = np.percentile(busy, 95) / np.percentile(idle, 95)
            print(f"during / idle:          p50 x{ratio50:.2f}, p95 x{ratio95:.2f} (target: within x2)", flush=True)

            started = time.perf_counter()
            try:  # refused at staging (over 20 MB) or by the job (over the row limit)
                admin.check(large_upload(published, 600_000, root), published)
                refused = "accepted (unexpected)"
            except InputError as exc:
                refused = str(exc)
            refused_seconds = time.perf_counter() - started
        finally:
            peak.stop.set()
            server.terminate()
            server.wait(15)

        print(f"peak memory:            server {peak.server / 2**20:,.0f} MiB, check job {peak.children / 2**20:,.0f} MiB")
        print(f"600,000-row upload:     {refused} ({refused_seconds:.1f} s)")
        print(f"errors: {len(errors)}" + ("".join(f"\n  {e}" for e in errors[:5])))
        return 0 if not errors else 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
