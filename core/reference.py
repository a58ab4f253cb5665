"""The public reference data of a city, in canonical frames: from the real raw files, or the synthetic demo."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pandera.pandas as pa

from core.errors import InputError
from core.geo import centroids_lonlat
from core.indicator_catalog import catalog_frame
from core.percentile import percentile_rank
from core.quality import QualityLog
from core.validation import validate

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class Reference:
    """Everything public the atlas knows about a city, before it goes into DuckDB."""

    kind: str                      # 'chicago' (real files) or 'demo' (synthetic)
    areas: gpd.GeoDataFrame        # area_id, name, population, lon, lat, geometry (WGS84)
    tracts: pd.DataFrame           # tract_id, area_id, population, lon, lat
    indicators: pd.DataFrame       # area_id, indicator_id, period, value, moe, numerator, denominator, unstable, source_id
    indicator_defs: pd.DataFrame   # indicator_def columns
    area_language: pd.DataFrame    # area_id, language, speakers, source_id
    venues: pd.DataFrame
    service_sites: pd.DataFrame
    sources: pd.DataFrame
    quality: pd.DataFrame
    inputs: list[Path] = field(default_factory=list)

    @property
    def area_facts(self) -> pd.DataFrame:
        """area_id, name, population, share_65plus (0–1) and need (percentile of unmet need, 0–1)."""
        latest = self.indicators.sort_values("period").groupby(["area_id", "indicator_id"]).tail(1)
        wide = latest.pivot(index="area_id", columns="indicator_id", values="value")
        facts = self.areas[["area_id", "name", "population"]].set_index("area_id")
        facts["share_65plus"] = wide.get("share_65plus", pd.Series(dtype=float)) / 100
        facts["need"] = percentile_rank(wide.get("unmet_need", pd.Series(np.nan, index=facts.index)))
        return facts.reset_index()


def default_raw_dir() -> Path:
    """`../shared/data/raw/chicago` beside the repo, where this workspace keeps the real Chicago files.

    ``ATLAS_RAW_DIR`` overrides it; tests point it at a missing folder to exercise the demo path.
    """
    env = os.environ.get("ATLAS_RAW_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "raw" / "chicago"


def load_reference(raw_dir: Path | None = None, progress: Progress = _quiet, *, seed: int = 20260101,
                   demo: bool = False) -> Reference:
    """Read the real raw files when ``raw_dir`` (or the default folder) exists, else build the synthetic demo."""
    if raw_dir is None:
        raw_dir = default_raw_dir()
        if demo or not raw_dir.exists():
            from core.demo import demo_reference

            progress("No raw data folder found: building the SYNTHETIC demo on libpysal's Chicago boundaries")
            return check_reference(demo_reference(seed=seed, progress=progress))
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(str(raw_dir), None, None, "raw data folder not found")
    return check_reference(chicago_reference(raw_dir, progress))


def chicago_reference(raw: Path, progress: Progress = _quiet) -> Reference:
    from core import raw_chicago as rc
    from core.sources import CHICAGO_SOURCES, source_frame

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
    defs = _defs_with_periods(indicators, {"cha_bh_treatment": "90% margin of error"})
    lon, lat = centroids_lonlat(areas)
    areas = areas.assign(lon=lon, lat=lat)
    return Reference(
        kind="chicago", areas=areas[["area_id", "name", "population", "lon", "lat", "geometry"]],
        tracts=tracts, indicators=indicators, indicator_defs=defs, area_language=languages, venues=venues,
        service_sites=sites, sources=source_frame(CHICAGO_SOURCES, str(date.today())), quality=q.to_frame(),
        inputs=[raw / f for f in rc.REQUIRED_FILES])


def _defs_with_periods(indicators: pd.DataFrame, moe_levels: dict[str, str]) -> pd.DataFrame:
    """The catalogue, restricted to indicators present, with each one's latest period and source."""
    cat = catalog_frame()
    latest = (indicators.sort_values("period").groupby("indicator_id")[["period", "source_id"]].last().reset_index())
    defs = cat.merge(latest, on="indicator_id", how="inner")
    defs["moe_level"] = defs["source_id"].map(moe_levels)
    return defs


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
