"""The only module that opens DuckDB: one read-only connection, one cursor per query, values always bound."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd


def connect(path: Path | str, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the published database. Read-only, so no page can change what is published."""
    if not Path(path).exists():
        raise FileNotFoundError(f"no atlas database at {path}: run `uv run atlas build`")
    return duckdb.connect(str(path), read_only=read_only)


def version(path: Path | str) -> str:
    """Changes whenever a new database is swapped in (``os.replace`` gives a new inode and mtime)."""
    st = os.stat(path)
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pd.DataFrame:
    """Run one statement on its own cursor, so concurrent sessions can share the connection safely."""
    cur = con.cursor()
    try:
        return cur.execute(sql, params or []).df()
    finally:
        cur.close()
