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
    if not read_only:
        return duckdb.connect(str(path))
    # DuckDB keeps one instance per path while any connection to it is open, so after os.replace a plain
    # connect would hand back the old file; attaching to a fresh in-memory instance opens the new one.
    con = duckdb.connect(":memory:")
    con.execute("ATTACH ? AS atlas (READ_ONLY)", [str(path)])
    con.execute("USE atlas")
    return con


def version(path: Path | str) -> str:
    """Changes whenever a new database is swapped in (``os.replace`` gives a new inode and mtime)."""
    st = os.stat(path)
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


def _attached(cur: duckdb.DuckDBPyConnection) -> bool:
    # Asked on the query's own cursor: the shared connection refuses a second call while another thread uses it.
    return bool(cur.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = 'atlas'").fetchone()[0])


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pd.DataFrame:
    """Run one statement on its own cursor, so concurrent sessions can share the connection safely."""
    cur = con.cursor()
    try:
        if _attached(cur):
            cur.execute("USE atlas")  # a new cursor starts in the in-memory catalogue
        return cur.execute(sql, params or []).df()
    finally:
        cur.close()
