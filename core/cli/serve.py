"""The `atlas serve` sub-command: N `streamlit run` workers behind HAProxy, restarted when they die.

Streamlit runs every session in threads of one Python process, so one process is one core's worth of reruns.
This starts one worker per core on local ports, HAProxy in front (sticky cookie, health checks, security headers;
see :mod:`core.cli.proxy_config`), and watches them: a worker that exits is started again on its port, and HAProxy
sends no one to it until its health check passes. Ctrl-C (or SIGTERM) stops everything it started; the children
also get SIGTERM from the kernel if this process is killed outright, so none is left behind.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from core.cli.proxy_config import HEALTH_PATH, haproxy_config
from core.store.paths import REPO, database_path

HAPROXY = "haproxy"
_PR_SET_PDEATHSIG = 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run N app workers behind HAProxy with sticky sessions")
    p.add_argument("--workers", type=int, default=None, help="app processes (default: the number of cores)")
    p.add_argument("--port", type=int, default=8501, help="the port visitors use (default 8501)")
    p.add_argument("--address", default="127.0.0.1", help="the address HAProxy listens on (default 127.0.0.1)")
    p.set_defaults(func=run)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: ask Linux to send it SIGTERM when `atlas serve` dies, even by SIGKILL.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def worker_command(port: int) -> list[str]:
    """The command line of one worker (`streamlit run app.py`) on 127.0.0.1:``port``."""
    # core.serve.worker is `streamlit run` that never runs pages/ as the old file-based navigation.
    return [sys.executable, "-m", "core.serve.worker", str(REPO / "app.py"),
            "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
            "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]


@dataclass
class Worker:
    """One `streamlit run` process and the port it keeps across restarts."""

    name: str
    port: int
    log: Path
    proc: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = field(default=0.0)

    def start(self, env: dict[str, str]) -> None:
        with open(self.log, "ab") as log:  # a file, not a pipe: an unread pipe fills and blocks the worker
            self.proc = subprocess.Popen(worker_command(self.port), cwd=REPO, env=env, stdout=log,
                                         stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        self.started_at = time.monotonic()

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{HEALTH_PATH}", timeout=2) as r:
                return r.read() == b"ok"
        except OSError:
            return False


def _stop(procs: list[subprocess.Popen], grace: float = 10.0) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop(signum)


def serve(workers: int, port: int, address: str = "127.0.0.1", *, check_every: float = 0.5,
          ready=print) -> int:
    """Run the workers and the proxy until SIGINT or SIGTERM; return the exit code."""
    if shutil.which(HAPROXY) is None:
        print("error: haproxy is not installed (Debian: apt-get install -y haproxy)", file=sys.stderr)
        return 2
    if workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    db = database_path()
    if not db.exists():
        print(f"error: no database at {db}: run `atlas build` first", file=sys.stderr)
        return 2
    run_dir = Path(tempfile.mkdtemp(prefix="atlas-serve-"))
    env = dict(os.environ, ATLAS_DB=str(db), MALLOC_ARENA_MAX="2", PYTHONUNBUFFERED="1")
    pool = [Worker(f"w{i + 1}", free_port(), run_dir / f"w{i + 1}.log") for i in range(workers)]
    config = run_dir / "haproxy.cfg"
    config.write_text(haproxy_config(f"{address}:{port}", [(w.name, f"127.0.0.1:{w.port}") for w in pool]))
    check = subprocess.run([HAPROXY, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
    if check.returncode != 0:
        print(f"error: haproxy refused its configuration:\n{check.stderr}", file=sys.stderr)
        return 2

    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    proxy: subprocess.Popen | None = None
    try:
        for w in pool:
            w.start(env)
        proxy_log = open(run_dir / "haproxy.log", "ab")
        # -db: stay in the foreground, so this process owns it and sees it exit.
        proxy = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=proxy_log, stderr=subprocess.STDOUT,
                                 preexec_fn=_die_with_parent)
        proxy_log.close()
        deadline = time.monotonic() + 120
        while not all(w.healthy() for w in pool):
            if any(w.proc.poll() is not None for w in pool) or proxy.poll() is not None:
                print(f"error: a process exited while starting; logs in {run_dir}", file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                print(f"error: the workers did not become healthy in 120 s; logs in {run_dir}", file=sys.stderr)
                return 1
            time.sleep(0.3)
        ready(f"Atlas at http://{address}:{port}/ ({workers} worker{'s' * (workers > 1)} on ports "
              f"{', '.join(str(w.port) for w in pool)}; pid {os.getpid()}; logs in {run_dir})")
        sys.stdout.flush()
        while True:
            if proxy.poll() is not None:
                print(f"error: haproxy exited ({proxy.returncode}); see {run_dir / 'haproxy.log'}", file=sys.stderr)
                return 1
            now = time.monotonic()
            for w in pool:
                if w.proc.poll() is None:
                    continue
                if w.next_start == 0.0:
                    # Back off a worker that keeps crashing, so a broken deployment does not spin a core.
                    quick = now - w.started_at < 30
                    w.restarts = w.restarts + 1 if quick else 1
                    w.next_start = now + min(30.0, 0.5 * 2 ** (w.restarts - 1))
                    print(f"worker {w.name} (port {w.port}) exited with {w.proc.returncode}; restarting",
                          file=sys.stderr, flush=True)
                if now >= w.next_start:
                    w.next_start = 0.0
                    w.start(env)
            time.sleep(check_every)
    except _Stop:
        shutil.rmtree(run_dir, ignore_errors=True)  # a clean stop: the logs go too
        return 0
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        # Ignore a second Ctrl-C while stopping: the children are being stopped anyway.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            _stop([w.proc for w in pool if w.proc is not None] + ([proxy] if proxy is not None else []))
        finally:
            signal.signal(signal.SIGINT, previous[signal.SIGINT])


def run(args: argparse.Namespace) -> int:
    return serve(args.workers or default_workers(), args.port, args.address)
