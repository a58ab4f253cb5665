"""Where the atlas keeps its files: the published database and the shipped inventory template."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def database_path() -> Path:
    """The published database; ``ATLAS_DB`` overrides it (tests and the load benchmark use their own copy)."""
    return Path(os.environ.get("ATLAS_DB", REPO / "data" / "atlas.duckdb"))
