"""The public reference data of a city, in canonical frames: from the real raw files, or the synthetic demo."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd
import pandera.pandas as pa

from core.base.errors import InputError
from core.ingest import raw_chicago as rc
from core.ingest.demo import demo_reference
from core.ingest.geo import centroids_lonlat
from core.ingest.quality import QualityLog
from core.ingest.reference_data import Reference, defs_with_periods
from core.ingest.sources import CHICAGO_SOURCES, source_frame
from core.ingest.validation import validate

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def default_raw_dir() -> Path:
    """`../shared/data/raw/chicago` beside the repo, where this workspace keeps the real Chicago files.

    ``ATLAS_RAW_DIR`` overrides it; tests point it at a missing folder to exercise the demo path.
    """
    env = os.environ.get("ATLAS_RAW_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "raw" / "chicago"


def load_reference(raw_dir: Path | None = None, progress: Progress = _quiet, *, seed: int = 20260101,
                   demo: bool = False) -> Reference:
    """Read the real raw files when ``raw_dir`` (or the default folder) exists, else build the synthetic demo."""
    if raw_dir is None:
        raw_dir = default_raw_dir()
        if demo or not raw_dir.exists():
            progress("No raw data folder found: building the SYNTHETIC demo on libpysal's Chicago boundaries")
            return check_reference(demo_reference(seed=seed, progress=progress))
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(str(raw_dir), None, None, "raw data folder not found")
    return check_reference(chicago_reference(raw_dir, progress))


def chicago_reference(raw: Path, progress: Progress = _quiet) -> Reference:
    q = QualityLog()
    progress("Reading community-area boundaries")
    areas = rc.read_areas(raw, q)
    ids = set(areas["area_id"])
    progress("Reading census tracts and their population")
    tracts = rc.read_tracts(raw, areas, q)
    progress("Reading demographics (CMAP)")
    cmap_ind, facts = rc.read_cmap(raw, ids, q)
    names = facts.set_index("area_id")["cmap_name"]
    renamed = (areas["name"].str.upper() != areas["area_id"].map(names).str.upper()).sum()
    q.add(rc.F_AREAS, "area names differ between files", int(renamed), "fixed",
          "joined on the area number; names taken from CMAP (e.g. 'LOOP' → 'The Loop', 'MONTCLARE' spelt "
          "'Montclaire' in the 2008–2012 portal files)")
    areas["name"] = areas["area_id"].map(names).fillna(areas["name"].str.title())
    areas["population"] = areas["area_id"].map(facts.set_index("area_id")["population"]).astype(float)
    progress("Reading need and vulnerability indicators (Chicago Health Atlas)")
    parts = [rc.read_cha_areas(raw, ids, q), cmap_ind,
             rc.read_suicide(raw, ids, areas.set_index("area_id")["population"], q),
             rc.read_uninsured(raw, ids, q), rc.read_bh_treatment(raw, ids, q)]
    indicators = pd.concat(parts, ignore_index=True)
    progress("Reading languages spoken")
    languages = rc.read_languages(raw, ids, q)
    progress("Reading venues and service sites")
    venues = rc.read_venues(raw, areas, q)
    sites = rc.read_service_sites(raw, areas, q)
    defs = defs_with_periods(indicators, {"cha_bh_treatment": "90% margin of error"})
    lon, lat = centroids_lonlat(areas)
    areas = areas.assign(lon=lon, lat=lat)
    return Reference(
        kind="chicago", areas=areas[["area_id", "name", "population", "lon", "lat", "geometry"]],
        tracts=tracts, indicators=indicators, indicator_defs=defs, area_language=languages, venues=venues,
        service_sites=sites, sources=source_frame(CHICAGO_SOURCES, str(date.today())), quality=q.to_frame(),
        inputs=[raw / f for f in rc.REQUIRED_FILES])


def _col(dtype, *checks, nullable=False, unique=False):
    return pa.Column(dtype, list(checks), nullable=nullable, unique=unique, coerce=True)


REFERENCE_SCHEMAS = {
    "areas": pa.DataFrameSchema({"area_id": _col(int, pa.Check.gt(0), unique=True), "name": _col(str),
                                 "population": _col(float, pa.Check.ge(0)),
                                 "lon": _col(float, pa.Check.in_range(-180, 180)),
                                 "lat": _col(float, pa.Check.in_range(-90, 90))}),
    "tracts": pa.DataFrameSchema({"tract_id": _col(str, unique=True), "area_id": _col(int),
                                  "population": _col(float, pa.Check.ge(0)),
                                  "lon": _col(float, pa.Check.in_range(-180, 180)),
                                  "lat": _col(float, pa.Check.in_range(-90, 90))}),
    "indicators": pa.DataFrameSchema({"area_id": _col(int), "indicator_id": _col(str), "period": _col(str),
                                      "value": _col(float, nullable=True)}),
    "venues": pa.DataFrameSchema({"venue_id": _col(str, unique=True), "name": _col(str), "kind": _col(str),
                                  "area_id": _col(int)}),
    "service_sites": pa.DataFrameSchema({"site_id": _col(str, unique=True), "name": _col(str), "kind": _col(str),
                                         "area_id": _col(int)}),
}


def check_reference(ref: Reference) -> Reference:
    """Validate the canonical frames, whichever path made them (real files or demo)."""
    for name, schema in REFERENCE_SCHEMAS.items():
        frame = getattr(ref, name)
        frame = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
        frame["_row"] = range(2, len(frame) + 2)
        validate(frame, schema, f"<{name}>")
    unknown = set(ref.tracts["area_id"]) - set(ref.areas["area_id"])
    if unknown:
        raise InputError("<tracts>", None, "area_id", f"tracts refer to unknown areas {sorted(unknown)[:5]}")
    ref.tracts["area_id"] = ref.tracts["area_id"].astype(int)
    return ref
