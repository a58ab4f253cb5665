"""Build the atlas database: read and validate every input, write a new DuckDB file, then swap it in atomically."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

from core.ingest.geo import simplify_for_browser
from core.ingest.reference import load_reference
from core.ingest.reference_data import Reference
from core.ingest.sources import INVENTORY_SOURCE, SAMPLE_INVENTORY_SOURCE, source_frame
from core.store import write
from core.store.write import check_database, insert_frame

INVENTORY_FILES = ("programs.csv", "funding.csv", "program_periods.csv")
DEFAULT_SEED = 7
TEMP_PREFIX = ".atlas-build-"
# A build takes seconds to minutes and keeps writing its temporary file; one untouched for an hour was left by a
# build that was killed (its `finally` never ran), and is removed by the next build.
STALE_TEMP_SECONDS = 3600


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def remove_stale_temps(directory: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete temporary build files (``.atlas-build-*``) untouched for ``older_than`` seconds; return them.

    Only names with the build's own prefix are touched, so the published database can never be removed.
    """
    now, stale = time.time(), []
    for p in Path(directory).glob(TEMP_PREFIX + "*"):
        try:
            if now - p.stat().st_mtime > older_than:
                p.unlink()
                stale.append(p)
        except FileNotFoundError:  # another build's clean-up got there first
            pass
    return stale


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def prepare_inventory(ref: Reference, inventory_dir: Path | None, as_of: date, seed: int,
                      progress: Callable[[str], None]) -> tuple[dict[str, pd.DataFrame], bool, list[Path], Path | None]:
    """Load a supplied inventory, or generate the seeded synthetic sample and load it through the same validator."""
    from core.ingest.inventory_load import load_inventory

    synthetic = inventory_dir is None
    tmp = None
    if synthetic:
        from core.ingest.inventory_sample import generate_sample, write_inventory

        progress(f"Generating the SYNTHETIC sample inventory (seed {seed})")
        tmp = Path(tempfile.mkdtemp(prefix="atlas-sample-"))
        frames = generate_sample(ref.venues, ref.service_sites, ref.area_facts, ref.area_language,
                                 seed=seed, as_of=as_of)
        write_inventory(frames, tmp)
        inventory_dir = tmp
    progress("Validating the programme inventory")
    inv = load_inventory(Path(inventory_dir), ref.areas[["area_id", "geometry"]], set(ref.venues["venue_id"]))
    files = [Path(inventory_dir) / f for f in INVENTORY_FILES]
    return inv, synthetic, files, tmp


def write_database(path: Path, ref: Reference, inv: dict[str, pd.DataFrame], info: dict[str, str],
                   manifest: pd.DataFrame, progress: Callable[[str], None]) -> None:
    con = write.create(path)
    try:
        progress("Writing areas and tracts")
        areas = ref.areas.copy()
        areas["geometry_simplified"] = simplify_for_browser(areas.geometry).to_json(drop_id=True)
        simple = json.loads(areas["geometry_simplified"].iloc[0])["features"]
        full = json.loads(areas.geometry.to_json(drop_id=True))["features"]
        frame = pd.DataFrame(areas.drop(columns="geometry"))
        frame["geometry"] = [json.dumps(f["geometry"]) for f in full]
        frame["geometry_simplified"] = [json.dumps(f["geometry"]) for f in simple]
        insert_frame(con, "area", frame)
        insert_frame(con, "tract", ref.tracts)
        progress("Writing indicators, sources and places")
        insert_frame(con, "indicator_def", ref.indicator_defs)
        ind = ref.indicators.copy()
        ind["unstable"] = ind.get("unstable", pd.Series(False, index=ind.index)).fillna(False).astype(bool)
        insert_frame(con, "indicator", ind)
        insert_frame(con, "area_language", ref.area_language)
        insert_frame(con, "venue", ref.venues)
        insert_frame(con, "service_site", ref.service_sites)
        insert_frame(con, "source", ref.sources)
        progress("Writing the programme inventory")
        insert_frame(con, "program", inv["program"])
        insert_frame(con, "funding", inv["funding"])
        insert_frame(con, "program_period", inv["program_period"])
        insert_frame(con, "data_quality", ref.quality)
        insert_frame(con, "build_info", pd.DataFrame({"key": list(info), "value": list(info.values())}))
        insert_frame(con, "manifest", manifest)
        check_database(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def city_info(city: dict) -> dict[str, str]:
    """The pack's city.toml words kept in build_info, where the pages read the city's name and area words."""
    keys = ("name", "slug", "area_label", "area_label_plural", "headline_indicator", "as_of", "notes")
    return {f"city_{k}": str(city.get(k, "")) for k in keys}


def build(out: Path, raw_dir: Path | None = None, inventory_dir: Path | None = None, *, seed: int = DEFAULT_SEED,
          as_of: date | None = None, demo: bool = False, pack_dir: Path | None = None, reader: str = "chicago",
          progress: Callable[[str], None] = lambda _: None) -> dict[str, str]:
    """Build the database at ``out``. The old file is replaced only when the new one is complete and valid.

    The reference data come from the city pack at ``pack_dir``; without one, from the raw files (or the demo)
    turned into a pack first. Returns the build_info written into the database.
    """
    started = time.perf_counter()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    as_of = as_of or quarter_start(date.today())
    ref = load_reference(raw_dir, progress, demo=demo, pack_dir=pack_dir, reader=reader)
    inv, synthetic, inv_files, tmp_inv = prepare_inventory(ref, inventory_dir, as_of, seed, progress)
    ref.sources = pd.concat([ref.sources, source_frame([SAMPLE_INVENTORY_SOURCE if synthetic else INVENTORY_SOURCE],
                                                       str(date.today()))], ignore_index=True)
    progress("Checksumming the inputs")
    manifest = pd.DataFrame([{"file": (f"inventory/{p.name}" if p in inv_files else p.name), "sha256": sha256(p),
                              "bytes": p.stat().st_size, "rows": None} for p in ref.inputs + inv_files])
    counts = {"program": len(inv["program"]), "funding": len(inv["funding"]),
              "program_period": len(inv["program_period"]), "area": len(ref.areas), "tract": len(ref.tracts),
              "indicator": len(ref.indicators), "venue": len(ref.venues), "service_site": len(ref.service_sites)}
    manifest = pd.concat([manifest, pd.DataFrame([{"file": f"table:{k}", "sha256": "", "bytes": 0, "rows": v}
                                                  for k, v in counts.items()])], ignore_index=True)
    info = {"data_kind": ref.kind, "inventory_kind": "synthetic sample" if synthetic else "supplied",
            "inventory_seed": str(seed) if synthetic else "", "as_of": as_of.isoformat(),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "raw_dir": "" if ref.kind == "demo" or pack_dir else str(raw_dir or ""),
            "pack_dir": str(Path(pack_dir).resolve()) if pack_dir else "",
            "reader": "" if ref.kind == "demo" or pack_dir else reader,
            "tract_population": str(float(ref.tracts["population"].sum()))} | city_info(ref.city)
    remove_stale_temps(out.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".duckdb", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB wants to create the file itself
    try:
        write_database(tmp, ref, inv, info, manifest, progress)
        info["build_seconds"] = f"{time.perf_counter() - started:.1f}"
        write.set_build_info(tmp, "build_seconds", info["build_seconds"])
        os.replace(tmp, out)
        progress(f"Published {out}")
    finally:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            if leftover.exists():
                leftover.unlink()
        if tmp_inv is not None:
            for f in tmp_inv.iterdir():
                f.unlink()
            tmp_inv.rmdir()
    return info
