"""Small-number protection for every table and download: hide counts of 1-10 people and anything built on them.

The rule shown on the Data & methods page is :data:`SUPPRESSION_RULE_MD`. In short: primary suppression of
counts 1-10; complementary suppression so that no row or column that has a total holds exactly one
hidden cell; and totals that add up the shown cells only, labelled "Total of shown cells", so that a
hidden cell is never inside any total we publish.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from core.base.export import neutralised

MIN_CELL = 11
"""The smallest count of people that may be shown (CDC/CMS cell-size practice)."""
SUPPRESSED = "<11"
"""What a cell hidden because it counts 1-10 people shows."""
COMPLEMENTARY = "suppressed"
"""What a cell hidden only to protect another shows: it may hold any number, so "<11" would mislead."""
TOTAL_LABEL = "Total of shown cells"

SUPPRESSION_RULE_MD = """\
**Small numbers.** No count of people from 1 to 10 is shown or exported, and neither is any rate or
share built on such a count: the cell shows "<11" instead. Zero is shown, because 0 is not a person.
This follows the cell-size practice of the CDC and of the Centers for Medicare & Medicaid Services (CMS),
whose data-use rules forbid publishing a cell of 1 to 10.

Hiding one cell is not enough when its row or column has a total, because the total minus the shown
cells would give it back. So in every row and column that has a total, if exactly one cell is hidden we
also hide the smallest other non-zero cell of that row or column (complementary suppression), and we
repeat this until no such row or column has exactly one hidden cell. A cell hidden this way shows
"suppressed", since it may hold any number. Totals are then the sum of the
**shown cells only** and are labelled "Total of shown cells": a hidden cell is never part of a total we
publish, so no total can give it away. (Where every other cell of a row or column is zero there is no
second cell to hide; the shown total still leaves the hidden cell out.)

Tables that share people are protected together. On the Impact page the participants by area and the quarterly
trend, and the programmes' pre/post n and the trend's, are one linked set: for every hidden count we solve, by
linear program, the smallest and largest value it could take given everything the page publishes (the audit that
τ-ARGUS and sdcTable perform), and hide a further cell until each "<11" could still be 10 and spans at least 5
values. Programme-by-quarter figures and each programme's volunteers are not offered as downloads, since the pages
publish them only in these protected totals. Shares and rates from the inventory (the Inclusion page's group shares,
the Volunteers page's rates, the brief's "Reached" lines) are protected the same way, each standing for the counts
behind it in one linked set with the figures they add up to; a share or rate hidden only to protect another shows
"suppressed". The Inclusion page's shares are protected over every group and time window it offers at once: a
visitor can read them all, and a share's participants are the same in every group. Volunteer rates are published by
area, not by programme, where most rest on 1-10 people.
"""


def is_small(values) -> np.ndarray:
    """True where a count is of 1-10 people (strictly between 0 and 11); zero and missing are False.

    Examples
    --------
    >>> is_small([0, 1, 10, 11, float("nan")]).tolist()
    [False, True, True, False, False]
    """
    x = pd.to_numeric(pd.Series(np.asarray(values, dtype=object).ravel()), errors="coerce")
    x = x.to_numpy(dtype=float, na_value=np.nan).reshape(np.shape(values))
    with np.errstate(invalid="ignore"):
        return (x > 0) & (x < MIN_CELL)


def suppression_mask(df: pd.DataFrame, count_cols: Iterable[str],
                     rate_cols_by_count: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Boolean mask of the cells :func:`suppress_counts` hides.

    Columns are ``count_cols`` then the rate columns; a rate cell is hidden where its count is 1-10.

    Examples
    --------
    >>> d = pd.DataFrame({"n": [5, 40], "rate": [0.5, 0.4]})
    >>> suppression_mask(d, ["n"], {"rate": "n"}).values.tolist()
    [[True, True], [False, False]]
    """
    count_cols = list(count_cols)
    rates = dict(rate_cols_by_count or {})
    missing = [c for c in [*count_cols, *rates, *rates.values()] if c not in df.columns]
    if missing:
        raise KeyError(f"columns not in the table: {missing}")
    mask = pd.DataFrame({c: is_small(df[c]) for c in count_cols}, index=df.index)
    for rate_col, count_col in rates.items():
        mask[rate_col] = is_small(df[count_col])
    return mask


def suppress_counts(df: pd.DataFrame, count_cols: Iterable[str],
                    rate_cols_by_count: Mapping[str, str] | None = None, *, return_mask: bool = False):
    """Copy of ``df`` for display, with counts of 1-10 people and rates built on them shown as "<11".

    Parameters
    ----------
    df : any table.
    count_cols : columns holding counts of people.
    rate_cols_by_count : ``{rate_col: count_col}``; a rate is hidden where the count it is built on is
        hidden (the count column need not be in ``count_cols``).
    return_mask : also return the boolean mask of hidden cells (see :func:`suppression_mask`).

    Returns
    -------
    DataFrame (the affected columns become object dtype), or ``(DataFrame, mask)``.

    Examples
    --------
    >>> d = pd.DataFrame({"area": ["A", "B"], "n": [5, 40], "per_1000": [0.4, 3.2]})
    >>> suppress_counts(d, ["n"], {"per_1000": "n"}).values.tolist()
    [['A', '<11', '<11'], ['B', 40, 3.2]]
    """
    mask = suppression_mask(df, count_cols, rate_cols_by_count)
    out = df.copy()
    for col in mask.columns:
        values = out[col].astype(object)
        values[mask[col].to_numpy()] = SUPPRESSED
        out[col] = values
    return (out, mask) if return_mask else out


def _complete_suppression(values: np.ndarray, mask: np.ndarray, rows: bool, cols: bool) -> np.ndarray:
    """Add complementary suppressions until no protected line holds exactly one hidden cell."""
    mask = mask.copy()
    present = ~np.isnan(values)
    while True:
        changed = False
        for axis, protect in ((1, rows), (0, cols)):
            if not protect:
                continue
            candidate = ~mask & present & (values > 0)
            lonely = (mask.sum(axis=axis) == 1) & candidate.any(axis=axis)
            if not lonely.any():
                continue
            # The smallest non-zero shown cell of each such line goes too: it costs the reader least.
            pick = np.where(candidate, values, np.inf).argmin(axis=axis)
            lines = np.flatnonzero(lonely)
            if axis == 1:
                mask[lines, pick[lines]] = True
            else:
                mask[pick[lines], lines] = True
            changed = True
        if not changed:
            return mask


def _tidy(x: np.ndarray) -> np.ndarray:
    """Whole numbers as ints, so a total of counts reads 120 rather than 120.0."""
    out = x.astype(object)
    whole = np.isfinite(x) & (np.mod(np.nan_to_num(x), 1) == 0)
    out[whole] = x[whole].astype(np.int64)
    return out


def protect_table(df: pd.DataFrame, count_cols: Iterable[str], total_row: bool = True,
                  total_col: str | None = None, *, return_mask: bool = False):
    """A table of counts of people made safe to publish with its totals (rule: :data:`SUPPRESSION_RULE_MD`).

    Primary suppression hides counts of 1-10 (shown "<11"). Then every row (when ``total_col`` is given)
    and every column (when ``total_row`` is True) that holds exactly one hidden cell also loses its
    smallest other non-zero cell (shown "suppressed"), repeated until stable. Totals are computed from
    the shown cells only.

    Parameters
    ----------
    df : the body of the table, one row per category, without totals. Columns not in ``count_cols``
        (labels) are carried through.
    count_cols : the columns of counts.
    total_row : append a row of column totals, indexed :data:`TOTAL_LABEL` (the first label column, if
        any, says so too).
    total_col : name of a column of row totals to write (replaced if it exists); None for no row totals.
    return_mask : also return the boolean mask (body rows x ``count_cols``) of hidden cells.

    Returns
    -------
    DataFrame of object columns for display, or ``(DataFrame, mask)``.

    Examples
    --------
    The 5 is hidden; its row then loses the 20 and its column the 25, and the 20's column the 35:

    >>> d = pd.DataFrame({"age": ["18-39", "40-64", "65+"], "men": [5, 30, 25], "women": [20, 40, 35]})
    >>> t = protect_table(d, ["men", "women"], total_row=True, total_col="Total of shown cells")
    >>> for row in t.values.tolist(): print(row)
    ['18-39', '<11', 'suppressed', 0]
    ['40-64', 30, 40, 70]
    ['65+', 'suppressed', 'suppressed', 0]
    ['Total of shown cells', 30, 40, 70]
    """
    count_cols = list(count_cols)
    values = df[count_cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if (values < 0).any():
        raise ValueError("counts of people cannot be negative")
    primary = is_small(values)
    mask = _complete_suppression(values, primary, rows=total_col is not None, cols=total_row)
    shown = np.where(mask | np.isnan(values), 0.0, values)

    out = df.drop(columns=[total_col] if total_col in df.columns else []).copy()
    for j, col in enumerate(count_cols):
        cells = df[col].astype(object).to_numpy().copy()
        cells[mask[:, j]] = COMPLEMENTARY
        cells[primary[:, j]] = SUPPRESSED
        out[col] = cells
    if total_col is not None:
        out[total_col] = _tidy(shown.sum(axis=1))
    if total_row:
        totals = {col: t for col, t in zip(count_cols, _tidy(shown.sum(axis=0)))}
        if total_col is not None:
            totals[total_col] = _tidy(np.array([shown.sum()]))[0]
        labels = [c for c in out.columns if c not in totals]
        if labels:
            totals[labels[0]] = TOTAL_LABEL
        total = pd.DataFrame([totals], index=[TOTAL_LABEL], columns=out.columns).astype(object)
        out = pd.concat([out.astype(object), total])
    mask_df = pd.DataFrame(mask, index=df.index, columns=count_cols)
    return (out, mask_df) if return_mask else out


def safe_csv(df: pd.DataFrame, count_cols: Iterable[str] | None = None,
             rate_cols_by_count: Mapping[str, str] | None = None) -> bytes:
    """CSV bytes for a download: small counts suppressed and spreadsheet formulas defused.

    Every text cell (and header) starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
    prefixed with a single quote so that a spreadsheet shows it as text instead of running it (OWASP's
    advice on CSV injection). Numbers, negative ones included, are written as numbers, and so is text
    that is just a number such as ``"-3.5"``. Given ``count_cols`` (and ``rate_cols_by_count``), counts of
    1-10 and the rates built on them are written as "<11" (:func:`suppress_counts`). The index is not
    written; UTF-8, CRLF line ends (RFC 4180).

    Examples
    --------
    >>> d = pd.DataFrame({"name": ["=HYPERLINK(1)", "ok"], "change": [-2.5, 1.0], "n": [3, 12]})
    >>> safe_csv(d, count_cols=["n"]).decode().splitlines()
    ['name,change,n', "'=HYPERLINK(1),-2.5,<11", 'ok,1.0,12']
    """
    protect = count_cols or rate_cols_by_count
    out = suppress_counts(df, count_cols or [], rate_cols_by_count) if protect else df.copy()
    out = neutralised(out)
    buffer = io.StringIO()
    # CRLF line ends (RFC 4180) also make the writer quote any field holding a lone CR or LF.
    out.to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8")
