"""`atlas serve`: the HAProxy configuration it writes, the headers and closed paths seen through it, and a sign-in
lockout that counts failures made on any worker."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from core.cli import proxy_config
from core.serve import auth
from tests.browser_support import free_port
from tests.conftest import REPO

needs_haproxy = pytest.mark.skipif(shutil.which("haproxy") is None and not os.environ.get("ATLAS_REQUIRE_BROWSER"),
                                   reason="haproxy is not installed (apt-get install -y haproxy)")


def _haproxy_accepts(text: str, tmp_path: Path) -> subprocess.CompletedProcess:
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(text)
    return subprocess.run(["haproxy", "-c", "-f", str(cfg)], capture_output=True, text=True)


@needs_haproxy
def test_local_config_is_valid_haproxy(tmp_path):
    text = proxy_config.haproxy_config("127.0.0.1:9000", [("w1", "127.0.0.1:9001"), ("w2", "127.0.0.1:9002")])
    out = _haproxy_accepts(text, tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr


def test_compose_mounts_the_config_the_module_writes():
    """deploy/haproxy.cfg is what proxy_config writes for compose, so both deployments send the same headers."""
    assert (REPO / "deploy" / "haproxy.cfg").read_text() == proxy_config.compose_config()
    compose = (REPO / "compose.yaml").read_text()
    assert "./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in compose
    assert "./data:/app/data:ro" in compose  # the database is mounted read-only


def test_compose_config_closes_metrics_and_sets_every_header():
    text = proxy_config.compose_config()
    assert "http-request deny deny_status 404 if { path_beg /_stcore/metrics }" in text
    for name in proxy_config.SECURITY_HEADERS:
        assert f"http-response set-header {name} " in text
    assert "cookie atlas_worker insert indirect nocache httponly dynamic" in text


def test_policy_forbids_framing_and_other_hosts():
    csp = dict(part.split(" ", 1) for part in proxy_config.CONTENT_SECURITY_POLICY.split("; "))
    assert csp["frame-ancestors"] == "'none'"
    assert csp["default-src"] == "'self'"
    for sources in csp.values():  # nothing but our own origin (and inline/data/blob forms of it)
        assert "http" not in sources and "*" not in sources, sources


@pytest.fixture(scope="module")
def served(atlas_db, tmp_path_factory):
    """`atlas serve --workers 1` on a copy of the atlas; yields (proxy url, process)."""
    if shutil.which("haproxy") is None:
        pytest.skip("haproxy is not installed")
    root = tmp_path_factory.mktemp("serve")
    db = root / "atlas.duckdb"
    shutil.copy(atlas_db, db)
    port = free_port()
    log = open(root / "serve.log", "wb")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("atlas")), "serve", "--workers", "1", "--port",
                             str(port)], cwd=REPO, env=dict(os.environ, ATLAS_DB=str(db)), stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                assert proc.poll() is None, (root / "serve.log").read_text()
                time.sleep(0.3)
        else:
            pytest.fail("atlas serve did not start: " + (root / "serve.log").read_text())
        yield url, proc
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
        log.close()


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/", "/coverage", "/_stcore/health", "/static/nothing-here.js"])
def test_issue15_item5_no_framing_and_usual_headers(served, path):
    """Issue 15 item 5: every answer through the proxy forbids framing and sniffing and sets a policy."""
    url, _ = served
    try:
        response = urllib.request.urlopen(url + path, timeout=10)
    except urllib.error.HTTPError as exc:  # a 404 must carry the headers too
        response = exc
    headers = response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.slow
def test_issue15_item5_metrics_closed(served):
    url, _ = served
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url + "/_stcore/metrics", timeout=10)
    assert refused.value.code == 404


@pytest.mark.slow
def test_proxy_sets_the_sticky_cookie(served):
    url, _ = served
    response = urllib.request.urlopen(url + "/", timeout=10)
    assert "atlas_worker=w1" in response.headers["Set-Cookie"]


FAIL_FIVE_TIMES = textwrap.dedent("""
    from core.serve import auth
    cfg = auth.AdminConfig(users={"owner": auth.hash_password("the-right-password", n=2**10)})
    for _ in range(5):
        try:
            auth.sign_in(cfg, "owner", "a-wrong-guess")
        except auth.SignInRefused:
            pass
""")


def test_lockout_counts_failures_made_in_another_worker(tmp_path, monkeypatch):
    """Five failures in one process (a worker) lock the name out in another process: the count is shared."""
    db = tmp_path / "atlas.duckdb"
    db.touch()
    env = dict(os.environ, ATLAS_DB=str(db))
    env.pop("ATLAS_STATE_DIR", None)
    subprocess.run([sys.executable, "-c", FAIL_FIVE_TIMES], cwd=REPO, env=env, check=True)
    monkeypatch.setenv("ATLAS_DB", str(db))
    monkeypatch.delenv("ATLAS_STATE_DIR", raising=False)
    cfg = auth.AdminConfig(users={"owner": auth.hash_password("the-right-password", n=2**10)})
    with pytest.raises(auth.SignInRefused, match="too many failed attempts"):
        auth.sign_in(cfg, "owner", "the-right-password")
    # A different deployment (another state folder) is not affected.
    monkeypatch.setenv("ATLAS_STATE_DIR", str(tmp_path / "elsewhere"))
    assert auth.is_valid(auth.sign_in(cfg, "owner", "the-right-password"))
