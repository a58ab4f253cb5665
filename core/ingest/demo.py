"""The SYNTHETIC demo city: libpysal's 77 Chicago community areas with seeded tracts, indicators and places.

Used when no raw data folder exists (a clone on its own). It produces the same canonical frames as the real
Chicago readers, so everything after this point (validation, the database, the inventory, the pages) runs the
same code. Every figure it makes is synthetic and the app says so.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from core.ingest.geo import WGS84, centroids_lonlat
from core.ingest.indicator_catalog import AGE_BANDS, RACE_GROUPS
from core.ingest.quality import QualityLog
from core.ingest.reference_data import Reference, defs_with_periods
from core.ingest.sources import DEMO_SOURCES, source_frame

# The libpysal shapefile has no .prj: it is Illinois State Plane East, in US feet.
LIBPYSAL_CRS = "EPSG:3435"

DEMO_LANGUAGES = ["spanish", "polish", "chinese", "arabic", "tagalog", "korean", "russian", "vietnamese", "urdu"]


def libpysal_chicago_path() -> Path:
    import libpysal

    return Path(libpysal.__file__).parent / "examples" / "chicago" / "Chicago77.shp"


def demo_areas() -> gpd.GeoDataFrame:
    """The 77 areas from the libpysal wheel. The shapefile has no .prj: it is Illinois State Plane East, US feet."""
    raw = gpd.read_file(libpysal_chicago_path())
    raw = raw.set_crs(LIBPYSAL_CRS, allow_override=True).to_crs(WGS84)
    raw["geometry"] = raw.geometry.make_valid()
    gdf = gpd.GeoDataFrame({"area_id": raw["AREA_NUMBE"].astype(int), "name": raw["COMMUNITY"].str.title()},
                           geometry=raw.geometry, crs=WGS84)
    return gdf.sort_values("area_id").reset_index(drop=True)


def _points_in(poly, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = poly.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        cand = np.column_stack([rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)])
        keep = shapely.contains_xy(poly, cand[:, 0], cand[:, 1])
        out = np.vstack([out, cand[keep]])
    return out[:n]


def demo_reference(seed: int = 20260101, progress=lambda _: None) -> Reference:
    rng = np.random.default_rng(seed)
    q = QualityLog()
    progress("Reading libpysal Chicago77 boundaries (reprojected from Illinois State Plane feet)")
    areas = demo_areas()
    q.add("Chicago77.shp", "synthetic demo", len(areas), "kept",
          "no .prj in the wheel: read as EPSG:3435 (Illinois State Plane East, US feet) and reprojected to WGS84")
    lon, lat = centroids_lonlat(areas)
    areas["lon"], areas["lat"] = lon, lat
    # A smooth south/west gradient plus noise gives the synthetic need a plausible, but invented, geography.
    south = (lat.max() - lat) / (lat.max() - lat.min())
    west = (lon.max() - lon) / (lon.max() - lon.min())
    base = 0.55 * south + 0.25 * west + rng.normal(0, 0.12, len(areas))
    pop = np.round(rng.lognormal(np.log(33000), 0.55, len(areas)), -1)
    areas["population"] = pop

    progress("Placing synthetic tracts")
    tract_rows = []
    for (aid, geom), apop in zip(zip(areas["area_id"], areas.geometry), pop):
        n = int(rng.integers(6, 16))
        pts = _points_in(geom, n, rng)
        share = rng.dirichlet(np.full(n, 4.0))
        alloc = np.floor(share * apop)
        alloc[0] += apop - alloc.sum()
        for k in range(n):
            tract_rows.append({"tract_id": f"D{aid:02d}{k:03d}", "area_id": int(aid), "population": float(alloc[k]),
                               "lon": pts[k, 0], "lat": pts[k, 1]})
    tracts = pd.DataFrame(tract_rows)

    progress("Drawing synthetic indicators")
    def scaled(lo, hi, noise=0.1):
        v = np.clip(base + rng.normal(0, noise, len(areas)), 0, None)
        v = (v - v.min()) / (v.max() - v.min())
        return lo + v * (hi - lo)
    ids = areas["area_id"].to_numpy()
    specs = {"unmet_need": (scaled(42, 97), "2021-2022"), "loneliness": (scaled(12, 60), "2021-2022"),
             "svi": (scaled(1, 99), "2020"), "unemployment": (scaled(3, 30), "2018-2022"),
             "limited_english": (np.round(rng.gamma(1.5, 5, len(areas)), 1), "2018-2022"),
             "uninsured": (scaled(3, 25), "2016-2020"), "disability": (scaled(6, 20), "2018-2022"),
             "poverty": (scaled(4, 45), "2018-2022")}
    rows = [pd.DataFrame({"area_id": ids, "indicator_id": k, "period": p, "value": np.round(v, 1)})
            for k, (v, p) in specs.items()]
    rows[0].loc[rng.choice(len(ids), 2, replace=False), "value"] = np.nan  # like the real survey, two areas unpublished
    suicide = np.round(scaled(0, 16, 0.3), 1)
    deaths = np.round(suicide / 1e5 * pop * 5, 1)
    # As for the real files: the estimated deaths set the flag and are not stored (the publisher shows rates only).
    rows.append(pd.DataFrame({"area_id": ids, "indicator_id": "suicide_rate", "period": "2015-2019", "value": suicide,
                              "unstable": deaths < 20}))
    ages = rng.dirichlet([6, 20, 25, 20, 16, 7, 4, 2], len(ids))
    for k, (code, _) in enumerate(AGE_BANDS):
        rows.append(pd.DataFrame({"area_id": ids, "indicator_id": f"age_{code.lower()}", "period": "2016-2020",
                                  "value": np.round(ages[:, k] * 100, 1), "numerator": np.round(ages[:, k] * pop),
                                  "denominator": pop}))
    rows.append(pd.DataFrame({"area_id": ids, "indicator_id": "share_65plus", "period": "2016-2020",
                              "value": np.round(ages[:, 5:].sum(1) * 100, 1),
                              "numerator": np.round(ages[:, 5:].sum(1) * pop), "denominator": pop}))
    other_lang = rng.uniform(0.05, 0.6, len(ids))
    rows.append(pd.DataFrame({"area_id": ids, "indicator_id": "non_english_home", "period": "2016-2020",
                              "value": np.round(other_lang * 100, 1), "numerator": np.round(other_lang * pop * 0.94),
                              "denominator": np.round(pop * 0.94)}))
    race = rng.dirichlet([2, 2, 2, 1, 0.4], len(ids))
    for k, (code, _) in enumerate(RACE_GROUPS):
        rows.append(pd.DataFrame({"area_id": ids, "indicator_id": f"race_{code.lower()}", "period": "2016-2020",
                                  "value": np.round(race[:, k] * 100, 1), "numerator": np.round(race[:, k] * pop),
                                  "denominator": pop}))
    indicators = pd.concat(rows, ignore_index=True)
    indicators["source_id"] = "demo_synthetic"

    lang = []
    for aid, p in zip(ids, pop):
        for language in rng.choice(DEMO_LANGUAGES, 4, replace=False):
            lang.append({"area_id": int(aid), "language": str(language),
                         "speakers": float(np.round(p * rng.uniform(0.002, 0.2)))})
    area_language = pd.DataFrame(lang)
    area_language["source_id"] = "demo_synthetic"

    progress("Placing synthetic venues and service sites")
    def places(n, prefix, kinds, label):
        chosen = rng.choice(len(areas), n, replace=True)
        out = []
        for k, idx in enumerate(chosen):
            x, y = _points_in(areas.geometry.iloc[idx], 1, rng)[0]
            kind = kinds[k % len(kinds)]
            out.append({"id": f"{prefix}:demo-{k + 1}", "name": f"Demo {label(kind)} {k + 1}", "kind": kind,
                        "address": "synthetic", "lon": x, "lat": y, "area_id": int(areas["area_id"].iloc[idx]),
                        "source_id": "demo_synthetic"})
        return pd.DataFrame(out)
    venues = places(118, "venue", ["library"] * 4 + ["senior centre", "community service centre", "city college"],
                    lambda k: k.title()).rename(columns={"id": "venue_id"})
    sites = places(330, "site", ["mental-health programme"] * 8 + ["community health centre"] * 3 + ["mental-health clinic"],
                   lambda k: k.title()).rename(columns={"id": "site_id"})
    defs = defs_with_periods(indicators, {})
    return Reference(kind="demo", areas=areas[["area_id", "name", "population", "lon", "lat", "geometry"]],
                     tracts=tracts, indicators=indicators, indicator_defs=defs, area_language=area_language,
                     venues=venues, service_sites=sites, sources=source_frame(DEMO_SOURCES, str(date.today())),
                     quality=q.to_frame(), inputs=[libpysal_chicago_path()])
