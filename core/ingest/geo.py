"""Placing points and polygons: CRS checks, swapped coordinates, points outside the city, centroids."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from core.base.errors import InputError
from core.ingest.csv_input import ROW_COLUMN
from core.ingest.quality import QualityLog

WGS84 = "EPSG:4326"


def local_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries):
    """A metric CRS for the city's own extent (its UTM zone), for centroids and distances in metres, not degrees."""
    return gdf.estimate_utm_crs()


def check_polygons(gdf: gpd.GeoDataFrame, file: str, id_column: str) -> gpd.GeoDataFrame:
    """Refuse empty, non-polygon, invalid (self-intersecting) or projected polygons; reproject a declared CRS.

    The row reported is the feature's 1-based position in the file.
    """
    if gdf.crs is not None and not gdf.crs.equals(WGS84) and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(WGS84)
    for pos, (geom, fid) in enumerate(zip(gdf.geometry, gdf[id_column]), start=1):
        if geom is None or geom.is_empty:
            raise InputError(file, pos, "geometry", f"feature {fid!r} has no geometry")
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputError(file, pos, "geometry", f"feature {fid!r} is a {geom.geom_type}, expected a polygon")
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            raise InputError(file, pos, "geometry", f"feature {fid!r} is an invalid polygon: {reason}")
    minx, miny, maxx, maxy = gdf.total_bounds
    if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
        raise InputError(file, 1, "geometry",
                         "coordinates look projected (values beyond ±180/±90): expected WGS84 lon/lat degrees, "
                         "or declare the CRS in the file")
    return gdf


def place_points(df: pd.DataFrame, areas: gpd.GeoDataFrame, file: str, quality: QualityLog,
                 *, lon: str = "lon", lat: str = "lat", what: str = "points") -> pd.DataFrame:
    """Assign each point its area by point-in-polygon, fixing swapped lon/lat and dropping points outside the city.

    Rules (each counted in the data-quality log):
    - a point whose lon and lat are swapped, and which falls inside the city once swapped back, is fixed;
    - a point outside every area polygon (mis-geocoded or outside the city) is dropped;
    - the area found by point-in-polygon wins over any area code the source carries.
    """
    out = df.copy()
    areas = areas.assign(area_id=areas["area_id"].astype(str))  # ids are text (DESIGN §2b)
    x = out[lon].to_numpy(dtype=float)
    y = out[lat].to_numpy(dtype=float)
    union = shapely.union_all(areas.geometry.values)
    shapely.prepare(union)
    inside = shapely.contains_xy(union, x, y)
    swapped = ~inside & shapely.contains_xy(union, y, x)
    if swapped.any():
        x2, y2 = np.where(swapped, y, x), np.where(swapped, x, y)
        out[lon], out[lat] = x2, y2
        quality.add(file, "swapped longitude/latitude", int(swapped.sum()), "fixed",
                    f"{what} whose coordinates were given as (lat, lon); swapped back")
        inside = inside | swapped
    dropped = ~inside
    if dropped.any():
        rows = ", ".join(str(r) for r in out.loc[dropped, ROW_COLUMN].head(5)) if ROW_COLUMN in out else ""
        quality.add(file, "point outside the city", int(dropped.sum()), "dropped",
                    f"{what} outside every area polygon (mis-geocoded or outside the city); rows {rows}")
    out = out.loc[inside].copy()
    pts = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out[lon], out[lat]), crs=WGS84)
    joined = gpd.sjoin(pts, areas[["area_id", "geometry"]].rename(columns={"area_id": "_area"}),
                       how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    # A point exactly on a shared boundary is 'within' neither polygon; take the nearest one.
    missing = joined["_area"].isna()
    if missing.any():
        near = gpd.sjoin_nearest(pts.loc[missing[missing].index],
                                 areas[["area_id", "geometry"]].rename(columns={"area_id": "_area"}), how="left")
        joined.loc[missing, "_area"] = near.loc[~near.index.duplicated(), "_area"].values
    if "area_id" in out.columns:
        given = out["area_id"].astype("string").str.strip().replace("", pd.NA)
        found = joined["_area"].astype(str).to_numpy(dtype=object)
        differs = given.notna().to_numpy() & (given.astype(str).to_numpy(dtype=object) != found)
        if differs.any():
            quality.add(file, "area code disagrees with location", int(differs.sum()), "fixed",
                        f"{what} whose stated area differs from the polygon they fall in; "
                        "the polygon wins")
    out["area_id"] = joined["_area"].astype(str).values
    return out


def centroids_lonlat(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Centroids computed in the local planar CRS (not in degrees), returned as WGS84 lon/lat."""
    c = gdf.geometry.to_crs(local_crs(gdf)).centroid.to_crs(WGS84)
    return c.x.to_numpy(), c.y.to_numpy()


def simplify_for_browser(geoms: gpd.GeoSeries, tolerance_deg: float = 0.0004) -> gpd.GeoSeries:
    """A lighter copy for the browser: about 40 m tolerance, topology preserved, 5 decimal places."""
    simple = geoms.simplify(tolerance_deg, preserve_topology=True)
    return simple.set_precision(1e-5)
