"""Filters in the URL: parse query parameters defensively (allow-lists, clamps) and write them back."""

from __future__ import annotations

from typing import Iterable


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
