"""The HAProxy configuration in front of the app's workers: sticky sessions, health checks and security headers.

One function writes it for both deployments: ``atlas serve`` (workers on local ports) and ``compose.yaml``
(replicas found through Docker's DNS), so the two send the same headers and close the same paths.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import re
import sys
from pathlib import Path

COOKIE = "atlas_worker"
HEALTH_PATH = "/_stcore/health"
# Paths no visitor needs: Streamlit's metrics show who is running what (an owner on Admin, say).
CLOSED_PATHS = ("/_stcore/metrics",)



def inline_script_hashes() -> list[str]:
    """CSP hashes of the inline scripts in Streamlit's index.html, read from the installed package.

    Streamlit is located, not imported (the command line never imports it). A Streamlit upgrade that changes
    them changes deploy/haproxy.cfg, which a test compares with this module's output.
    """
    spec = importlib.util.find_spec("streamlit")
    index = Path(next(iter(spec.submodule_search_locations))) / "static" / "index.html"
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", index.read_text(encoding="utf-8"), re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts]


# What the app needs, and nothing from another host: Streamlit's bundle, its one inline script (by hash) and
# inline styles, images and workers made from data/blob URLs (deck.gl, Vega), the websocket to its own origin.
# No page may frame it.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    " ".join(["script-src 'self' 'unsafe-eval'", *inline_script_hashes()]),  # Vega compiles with Function()
    "style-src 'self' 'unsafe-inline'",  # Streamlit's emotion styles are inline
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",  # includes the websocket to the same host and port
    "worker-src 'self' blob:",
    "frame-src 'self' blob: data:",  # st.download_button and components use same-origin frames
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def haproxy_config(bind: str, servers: list[tuple[str, str]] | None = None, *, template: tuple[str, int, str] | None
                   = None, check_every: str = "1s") -> str:
    """The text of haproxy.cfg.

    ``bind`` is HAProxy's listening address (``127.0.0.1:8501``, ``:8080``). Either ``servers``, a list of
    (name, host:port) for local workers, or ``template``, (prefix, count, host:port) for replicas that Docker's DNS
    resolves; then each browser's cookie is derived from the replica's address (``dynamic``).

    Examples
    --------
    >>> cfg = haproxy_config("127.0.0.1:9000", [("w1", "127.0.0.1:9001"), ("w2", "127.0.0.1:9002")])
    >>> "server w2 127.0.0.1:9002 cookie w2 check" in cfg, 'X-Frame-Options "DENY"' in cfg
    (True, True)
    """
    if (servers is None) == (template is None):
        raise ValueError("give either servers or template")
    lines = [
        "# Written by core.cli.proxy_config: edit that module, not this file.",
        "global",
        "    log stderr format short local0 notice",
        "    maxconn 4096",
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option dontlognull",
        "    timeout connect 5s",
        "    timeout client 60s",
        "    timeout server 120s",
        "    timeout tunnel 8h  # a browser's websocket lives as long as its tab",
        "    timeout http-request 10s",
        "",
    ]
    if template is not None:
        lines += [
            "resolvers docker",
            "    nameserver dns 127.0.0.11:53",
            "    hold valid 5s",
            "",
        ]
    lines += [
        "frontend atlas",
        f"    bind {bind}",
        "    option forwardfor  # the visitor's address reaches the app as X-Forwarded-For",
        *(f"    http-request deny deny_status 404 if {{ path_beg {p} }}" for p in CLOSED_PATHS),
        *(f"    http-response set-header {name} {_quote(value)}" for name, value in SECURITY_HEADERS.items()),
        "    default_backend workers",
        "",
        "backend workers",
        "    balance roundrobin",
        # A session's state and downloads live in one worker: the cookie keeps each browser on it. If that worker
        # is down, redispatch sends the browser to a healthy one (where it starts a new session).
    ]
    if template is not None:
        prefix, count, address = template
        lines += [
            f"    cookie {COOKIE} insert indirect nocache httponly dynamic",
            "    dynamic-cookie-key atlas-replicas",
            "    option redispatch",
            f"    option httpchk GET {HEALTH_PATH}",
            "    http-check expect string ok",
            f"    server-template {prefix} {count} {address} check inter {check_every} fall 2 rise 1 "
            "resolvers docker init-addr none",
        ]
    else:
        lines += [
            f"    cookie {COOKIE} insert indirect nocache httponly",
            "    option redispatch",
            f"    option httpchk GET {HEALTH_PATH}",
            "    http-check expect string ok",
            *(f"    server {name} {address} cookie {name} check inter {check_every} fall 2 rise 1"
              for name, address in servers),
        ]
    return "\n".join(lines) + "\n"


def compose_config() -> str:
    """The haproxy.cfg that ``compose.yaml`` mounts: up to 8 replicas of the ``app`` service on port 8501."""
    return haproxy_config(":8080", template=("app", 8, "app:8501"), check_every="2s")


def main(argv: list[str] | None = None) -> int:
    """``python -m core.cli.proxy_config --compose``: print the compose deployment's haproxy.cfg."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--compose", action="store_true", required=True)
    parser.parse_args(argv)
    sys.stdout.write(compose_config())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
