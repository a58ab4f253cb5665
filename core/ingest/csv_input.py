"""Reading a CSV file that a person supplied: size limit, encodings, empty files, missing columns, row numbers."""

from __future__ import annotations

import difflib
import io
from pathlib import Path

import pandas as pd

from core.base.errors import InputError

DEFAULT_MAX_BYTES = 50_000_000
ROW_COLUMN = "_row"


def decode_bytes(raw: bytes, file: str) -> str:
    """Decode UTF-8 (with or without BOM), else Windows-1252, else Latin-1, which every byte string decodes as.

    Windows-1252 and Latin-1 are accepted because spreadsheet exports on Windows use them and the meaning of
    letters such as 'é' is then unambiguous. Windows-1252 is tried first: it agrees with Latin-1 on letters
    but reads bytes 0x80–0x9F as the curly quotes and dashes Excel writes, where Latin-1 would give invisible
    control characters. A NUL byte means a binary file and is refused.

    >>> decode_bytes("Café’s".encode("cp1252"), "x.csv"), decode_bytes("\ufeffid".encode("utf-8"), "x.csv")
    ('Café’s', 'id')
    """
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # Excel's "Unicode text" export.
        return raw.decode("utf-16")
    if b"\x00" in raw:
        raise InputError(file, None, None, "is not a text CSV file (it contains NUL bytes); save it as CSV")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")


def suggest(name: str, expected: list[str]) -> str:
    near = difflib.get_close_matches(name, expected, n=1, cutoff=0.5)
    return f" (did you mean {near[0]!r}?)" if near else ""


def read_csv_text(
    path: Path | str,
    required: list[str],
    *,
    skip_rows: int = 0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_empty: bool = False,
    strip_header: bool = True,
) -> pd.DataFrame:
    """Read a CSV as text columns, with a ``_row`` column giving each record's spreadsheet row number.

    The header is row 1, so the first data record is row 2; ``skip_rows`` metadata rows directly under
    the header (the Chicago Health Atlas exports have up to four) shift the numbering accordingly.

    Raises
    ------
    InputError
        For a missing, oversized, empty, header-only (unless ``allow_empty``) file, or a missing column.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.csv")
    >>> _ = open(p, "w").write("id,value\\na,1\\n")
    >>> read_csv_text(p, ["id", "value"])[["id", "value", "_row"]].values.tolist()
    [['a', '1', 2]]
    """
    path = Path(path)
    name = path.name
    if not path.exists():
        raise InputError(name, None, None, f"file not found at {path}")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(name, None, None, f"is {size:,} bytes, over the limit of {max_bytes:,} bytes")
    text = decode_bytes(path.read_bytes(), name)
    if not text.strip():
        raise InputError(name, None, None, "is empty: expected a header row and data rows")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        raise InputError(name, None, None, f"could not be parsed as CSV: {exc}") from exc
    if strip_header:
        df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        col = missing[0]
        extra = [c for c in df.columns if c not in required]
        hint = suggest(col, extra) if extra else ""
        raise InputError(name, 1, col, f"required column is missing{hint}")
    df = df.iloc[skip_rows:].reset_index(drop=True)
    df[ROW_COLUMN] = range(2 + skip_rows, 2 + skip_rows + len(df))
    if df.empty and not allow_empty:
        raise InputError(name, None, None, "has a header but no data rows")
    for col in df.columns:
        if col != ROW_COLUMN:
            df[col] = df[col].astype(object).where(df[col].notna(), "").map(lambda s: str(s).strip())
    return df


def to_number(df: pd.DataFrame, column: str, file: str, *, allow_blank: bool = True,
              blank_tokens: tuple[str, ...] = ("", "NA", "N/A", ".", "-", "NaN")) -> pd.Series:
    """Parse a text column as numbers; blanks (and the given tokens) become NaN, anything else is an error."""
    raw = df[column].astype(str).str.replace(",", "", regex=False).str.strip()
    blank = raw.isin(blank_tokens)
    values = pd.to_numeric(raw.where(~blank), errors="coerce")
    bad = values.isna() & ~blank
    if bad.any():
        i = bad.idxmax()
        raise InputError(file, int(df.loc[i, ROW_COLUMN]), column, f"expected a number, got {df.loc[i, column]!r}")
    if not allow_blank and blank.any():
        i = blank.idxmax()
        raise InputError(file, int(df.loc[i, ROW_COLUMN]), column, "a value is required here")
    return values.astype(float)


def first_bad(df: pd.DataFrame, mask: pd.Series, file: str, column: str, message: str) -> None:
    """Raise an InputError for the first row where ``mask`` is true, if any."""
    if mask.any():
        i = mask.idxmax()
        value = df.loc[i, column] if column in df.columns else None
        shown = f" (got {value!r})" if value is not None else ""
        raise InputError(file, int(df.loc[i, ROW_COLUMN]), column, message + shown)
