"""The first start of a fresh clone: build whatever real data is beside it (Chicago, New York), else the demo."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from core.ingest.build import build
from core.ingest.reference import default_raw_dirs
from core.store.paths import city_database_path, database_path


def first_start_plan() -> list[tuple[str, Path | None, Path]]:
    """(reader, raw folder, database) for each build: one real city keeps the one-database layout
    (``data/atlas.duckdb``); two or more get ``data/cities/<slug>.duckdb`` each; none builds the demo."""
    found = default_raw_dirs()
    if not found:
        return [("demo", None, database_path())]
    if len(found) == 1:
        (reader, raw), = found.items()
        return [(reader, raw, database_path())]
    return [(reader, raw, city_database_path(reader)) for reader, raw in found.items()]


def build_first_start(progress: Callable[[str], None] = lambda _: None) -> list[Path]:
    built = []
    for reader, raw, out in first_start_plan():
        progress(f"Building {out.name} from the {reader} data")
        build(out, raw, None, demo=reader == "demo", reader="chicago" if reader == "demo" else reader,
              progress=progress)
        built.append(out)
    return built
