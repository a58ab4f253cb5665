"""`atlas pack chicago`: the Chicago raw public files (../shared/data/raw/chicago) turned into a city pack."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd

from core.ingest import raw_chicago as rc
from core.ingest.geo import centroids_lonlat
from core.ingest.pack_write import write_pack
from core.ingest.quality import QualityLog
from core.ingest.reference_data import Reference, defs_with_periods
from core.ingest.sources import CHICAGO_SOURCES, source_frame

Progress = Callable[[str], None]

CHICAGO_CITY = {
    "name": "Chicago",
    "slug": "chicago",
    "area_label": "community area",
    "area_label_plural": "community areas",
    "headline_indicator": "unmet_need",
    "notes": "Made by `atlas pack chicago` from the public files listed in the raw folder's SOURCES.md.",
}


def chicago_city() -> dict:
    return dict(CHICAGO_CITY, as_of=str(date.today()))


def chicago_reference(raw: Path, progress: Progress = lambda _: None) -> Reference:
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



def make_chicago_pack(raw: Path | str, out: Path | str, progress: Callable[[str], None] = lambda _: None) -> Reference:
    """Read the Chicago raw files and write them as a pack into ``out``; return the reader's Reference."""
    raw = Path(raw)
    ref = chicago_reference(raw, progress)
    progress(f"Writing the Chicago city pack to {out}")
    write_pack(ref, chicago_city(), out)
    return ref
