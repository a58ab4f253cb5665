"""Where the atlas keeps its files: the published database and the shipped inventory template."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def cities_dir() -> Path:
    """Where a several-city deployment keeps one database per city (``ATLAS_CITIES_DIR`` overrides it)."""
    return Path(os.environ.get("ATLAS_CITIES_DIR", REPO / "data" / "cities"))


def city_database_path(slug: str) -> Path:
    """``data/cities/<slug>.duckdb``; the slug is letters, digits, '-' and '_' only, so it cannot leave the folder."""
    if not slug or not all(c.isalnum() or c in "-_" for c in slug):
        raise ValueError(f"a city slug is letters, digits, '-' and '_' only, got {slug!r}")
    return cities_dir() / f"{slug}.duckdb"


def city_databases() -> dict[str, Path]:
    """The cities of a several-city deployment, slug → database, in slug order; empty for a one-city deployment.

    ``ATLAS_DB`` (tests, benchmarks) pins a single database, so it turns the several-city layout off.
    """
    if os.environ.get("ATLAS_DB"):
        return {}
    folder = cities_dir()
    return {p.stem: p for p in sorted(folder.glob("*.duckdb"))} if folder.is_dir() else {}


def database_path() -> Path:
    """The published database; ``ATLAS_DB`` overrides it (tests and the load benchmark use their own copy)."""
    return Path(os.environ.get("ATLAS_DB", REPO / "data" / "atlas.duckdb"))
