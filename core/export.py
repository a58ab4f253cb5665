"""Every CSV a user downloads goes through here: spreadsheet-formula text is neutralised."""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a quote to text a spreadsheet would run as a formula (OWASP CSV injection); numbers stay numbers.

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-12"), neutralise(-12), neutralise("Albany Park")
    ('\\'=HYPERLINK("http://x")', '-12', -12, 'Albany Park')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    safe = df.copy()
    for c in safe.columns:
        if safe[c].dtype == object or pd.api.types.is_string_dtype(safe[c]):
            safe[c] = safe[c].map(neutralise)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8")
