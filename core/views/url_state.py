"""Filters in the URL: parse query parameters defensively (allow-lists, clamps) and write them back."""

from __future__ import annotations

from typing import Iterable
from urllib.parse import urlencode


def first(query: dict, key: str, default: str | None = None) -> str | None:
    """One value from Streamlit's query params (a str, or a list when repeated)."""
    v = query.get(key, default)
    if isinstance(v, (list, tuple)):
        v = v[0] if v else default
    return v if v is None else str(v)[:200]


def choice(query: dict, key: str, allowed: Iterable[str], default: str) -> str:
    """A value from an allow-list; anything else (including injection attempts) falls back to the default.

    >>> choice({"decay": "gaussian"}, "decay", ["step", "gaussian"], "step")
    'gaussian'
    >>> choice({"decay": "x' OR 1=1"}, "decay", ["step", "gaussian"], "step")
    'step'
    """
    v = first(query, key)
    return v if v in set(allowed) else default


def choices(query: dict, key: str, allowed: Iterable[str], default: Iterable[str]) -> tuple[str, ...]:
    """A comma-separated list, filtered to the allow-list (order kept); empty or all-invalid → default."""
    allowed = list(allowed)
    v = first(query, key)
    if v is None:
        return tuple(default)
    picked = tuple(x for x in v.split(",") if x in allowed)
    return picked if picked or v == "" else tuple(default)


def number(query: dict, key: str, lo: float, hi: float, default: float) -> float:
    """A number clamped to [lo, hi]; unparseable → default.

    >>> number({"d0": "45"}, "d0", 5, 60, 30), number({"d0": "1e9"}, "d0", 5, 60, 30), number({}, "d0", 5, 60, 30)
    (45.0, 60.0, 30.0)
    """
    v = first(query, key)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return float(default)
    if x != x:
        return float(default)
    return float(min(max(x, lo), hi))


def flag(query: dict, key: str, default: bool = False) -> bool:
    v = first(query, key)
    return default if v is None else v in ("1", "true", "yes")


def ids(query: dict, key: str, allowed: Iterable, limit: int) -> tuple[str, ...]:
    """Comma-separated text ids from an allow-list (order kept, no repeats), at most ``limit`` of them.

    >>> ids({"areas": "BK01,101,x' OR 1=1,101"}, "areas", ["101", "BK01"], 4)
    ('BK01', '101')
    """
    allowed = {str(a) for a in allowed}
    out: list[str] = []
    for part in (first(query, key) or "").split(","):
        part = part.strip()
        if part in allowed and part not in out:
            out.append(part)
    return tuple(out[:limit])


def integers(query: dict, key: str, allowed: Iterable[int], limit: int) -> tuple[int, ...]:
    """Comma-separated ids from an allow-list, at most ``limit`` of them."""
    allowed = set(allowed)
    v = first(query, key) or ""
    out = []
    for part in v.split(","):
        try:
            x = int(part)
        except ValueError:
            continue
        if x in allowed and x not in out:
            out.append(x)
    return tuple(out[:limit])


def share_link(page_url: str | None, query: dict) -> str:
    """The link that reopens this view: the page's address with its filters as query parameters.

    Any query string already on ``page_url`` is replaced by ``query`` (the filters in force now).

    >>> share_link("http://127.0.0.1:8501/compare?x=1", {"areas": "25,68", "d0": "20"})
    'http://127.0.0.1:8501/compare?areas=25%2C68&d0=20'
    >>> share_link(None, {})
    ''
    """
    base = (page_url or "").split("?", 1)[0].split("#", 1)[0]
    flat = {k: (v[-1] if isinstance(v, (list, tuple)) and v else v) for k, v in query.items()}
    text = urlencode({k: str(v) for k, v in flat.items() if v is not None})
    return f"{base}?{text}" if text and base else base
