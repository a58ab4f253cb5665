"""Display formats for figures, so every page writes a number the same way."""

from __future__ import annotations

import math


def number(value, digits: int = 0) -> str:
    """'12,345' or '12.3'; missing values show as '–'.

    >>> number(12345.6), number(None), number(3.14159, 1)
    ('12,346', '–', '3.1')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def percent(value, digits: int = 1) -> str:
    """A value already in percent: '41.9%'."""
    s = number(value, digits)
    return s if s == "–" else f"{s}%"


def money(value) -> str:
    """'$12,345'."""
    s = number(value, 0)
    return s if s == "–" else f"${s}"
