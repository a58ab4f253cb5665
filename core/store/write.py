"""Writing database files: a new file with the schema, frames appended by column name, consistency checks, overlays."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from core.base.errors import InputError

SCHEMA = Path(__file__).with_name("schema.sql")


def create(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A new, writable database file at ``path`` with the atlas schema. Only builds call this, on a temporary file."""
    con = duckdb.connect(str(path))
    con.execute(SCHEMA.read_text())
    return con


def open_writable(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A writable connection to an unpublished file (a build's temporary file, before it is swapped in)."""
    return duckdb.connect(str(path))


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    """Append ``df`` to ``table``, matching columns by name; columns the table lacks are ignored, missing ones NULL."""
    # ``table`` is always one of the schema's own table names, chosen by code, never by a user.
    cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    frame = df.reindex(columns=cols)
    con.register("_frame", frame)
    con.execute(f"INSERT INTO {table} SELECT * FROM _frame")
    con.unregister("_frame")


CONSISTENCY_CHECKS = {
    "no areas": "SELECT count(*) = 0 FROM area",
    "no tracts": "SELECT count(*) = 0 FROM tract",
    "tract in unknown area": "SELECT count(*) > 0 FROM tract t ANTI JOIN area a USING (area_id)",
    "programme in unknown area": "SELECT count(*) > 0 FROM program p ANTI JOIN area a USING (area_id)",
    "grant for unknown programme": "SELECT count(*) > 0 FROM funding f ANTI JOIN program p USING (program_id)",
    "indicator without definition": "SELECT count(*) > 0 FROM indicator i ANTI JOIN indicator_def d USING (indicator_id)",
}


def check_database(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse to publish a database that is internally inconsistent."""
    for name, sql in CONSISTENCY_CHECKS.items():
        if con.execute(sql).fetchone()[0]:
            raise InputError("<database>", None, None, f"consistency check failed: {name}")


def set_build_info(path: Path | str, key: str, value: str) -> None:
    """Write one build_info entry into an unpublished file and checkpoint it."""
    con = open_writable(path)
    try:
        con.execute("INSERT OR REPLACE INTO build_info VALUES (?, ?)", [key, value])
        con.execute("CHECKPOINT")
    finally:
        con.close()


def overlay(published: str | Path, inventory: Mapping[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    """An in-memory database that reads as the published one with its inventory tables replaced by ``inventory``.

    The published file is attached READ_ONLY and every other table is a view onto it, so the queries and
    models the pages use (``core.store.queries``, ``coverage.build_model``) run unchanged on the candidate data.
    """
    con = duckdb.connect(":memory:")
    # The path is the server's own database path, not user input; quotes are doubled for SQL.
    con.execute(f"ATTACH '{str(published).replace(chr(39), chr(39) * 2)}' AS pub (READ_ONLY)")
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'pub' ORDER BY table_name").fetchall()]
    for table in tables:
        if table in inventory:
            con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM pub."{table}" WHERE false')
            insert_frame(con, table, inventory[table])
        else:
            con.execute(f'CREATE VIEW "{table}" AS SELECT * FROM pub."{table}"')
    return con
