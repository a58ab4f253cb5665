"""Every CSV a user downloads goes through here: spreadsheet-formula text is neutralised."""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = r"^[=+\-@\t\r]"
"""Text a spreadsheet may run as a formula starts with one of these (OWASP, CSV injection)."""
PLAIN_NUMBER = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
"""Text that is just a number, such as "-3.5", stays as it is."""


def neutralise(value):
    """Prefix a quote to text a spreadsheet would run as a formula (OWASP CSV injection); numbers stay numbers.

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-12"), neutralise(-12), neutralise("Albany Park")
    ('\\'=HYPERLINK("http://x")', '-12', -12, 'Albany Park')
    """
    if isinstance(value, str) and re.match(FORMULA_START, value) and not re.fullmatch(PLAIN_NUMBER, value):
        return "'" + value
    return value


def neutralise_column(values: pd.Series) -> pd.Series:
    """:func:`neutralise` over a column at once; columns that cannot hold text are returned as they are."""
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)
            or isinstance(values.dtype, pd.CategoricalDtype)):
        return values
    values = values.astype(object)
    text = values.where(values.map(lambda v: isinstance(v, str)))
    risky = text.str.contains(FORMULA_START, regex=True, na=False) & ~text.str.fullmatch(PLAIN_NUMBER, na=False)
    if risky.any():
        values = values.copy()
        values[risky] = "'" + text[risky]
    return values


def neutralised(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell and header neutralised."""
    out = df.apply(neutralise_column) if len(df.columns) else df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    return neutralised(df).to_csv(index=False).encode("utf-8")
