"""Reading a GeoJSON FeatureCollection someone supplied: size limit, text, required properties, CRS, swapped axes."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyproj
import shapely

from core.base.errors import InputError
from core.ingest.csv_input import ROW_COLUMN, decode_bytes
from core.ingest.geo import WGS84

MAX_RAW_BYTES = 50_000_000


# GeoJSON is [longitude, latitude]. No city lies beyond 85° of latitude, so a "latitude" out there is a longitude
# (Chicago's −87.6) written first: swapped pairs that the ±90° range check alone lets through.
MAX_CITY_LATITUDE = 85.0


def raw_text(path: Path) -> str:
    """A raw file's text: refused when missing or over MAX_RAW_BYTES, decoded as csv_input.decode_bytes does."""
    name = path.name
    if not path.exists():
        raise InputError(name, None, None, f"file not found at {path}")
    size = path.stat().st_size
    if size > MAX_RAW_BYTES:
        raise InputError(name, None, None, f"is {size:,} bytes, over the limit of {MAX_RAW_BYTES:,} bytes")
    return decode_bytes(path.read_bytes(), name)


def read_geojson(path: Path) -> dict:
    name = path.name
    text = raw_text(path)
    if not text.strip():
        raise InputError(name, None, None, "is empty: expected a GeoJSON FeatureCollection")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(name, None, None, f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not doc.get("features"):
        raise InputError(name, None, None, "expected a GeoJSON FeatureCollection with at least one feature")
    return doc


def features_frame(doc: dict, name: str, required: list[str]) -> gpd.GeoDataFrame:
    for pos, feat in enumerate(doc["features"], start=1):
        props = feat.get("properties") or {}
        for col in required:
            if col not in props:
                raise InputError(name, pos, col, "required property is missing from this feature")
    crs = WGS84
    declared = ((doc.get("crs") or {}).get("properties") or {}).get("name")
    if declared:
        try:
            crs = pyproj.CRS.from_user_input(declared)
        except pyproj.exceptions.CRSError:
            raise InputError(name, None, "crs", f"declares a coordinate reference system that is not known: "
                                                f"{declared!r}") from None
    try:
        gdf = gpd.GeoDataFrame.from_features(doc["features"], crs=crs)
    except Exception as exc:  # shapely raises several types for broken coordinates
        # Read the features one by one to name the one at fault.
        for pos, feat in enumerate(doc["features"], start=1):
            try:
                if feat.get("geometry"):
                    shapely.geometry.shape(feat["geometry"])
            except Exception as one:
                raise InputError(name, pos, "geometry", f"could not read this feature's geometry: {one}") from None
        raise InputError(name, None, "geometry", f"could not read the geometries: {exc}") from exc
    gdf[ROW_COLUMN] = range(1, len(gdf) + 1)
    return gdf


def check_lonlat_order(gdf: gpd.GeoDataFrame, name: str, id_column: str) -> None:
    """Refuse polygons whose latitudes lie beyond ±MAX_CITY_LATITUDE: their coordinates are (lat, lon) pairs."""
    bounds = gdf.geometry.bounds
    polar = (bounds[["miny", "maxy"]].abs() > MAX_CITY_LATITUDE).any(axis=1)
    if polar.any():
        i = polar.idxmax()
        raise InputError(name, int(gdf.loc[i, ROW_COLUMN]), "geometry",
                         f"feature {gdf.loc[i, id_column]!r} has latitudes beyond ±{MAX_CITY_LATITUDE:g}° "
                         f"(y from {bounds.loc[i, 'miny']:.4f} to {bounds.loc[i, 'maxy']:.4f}): longitude and latitude "
                         "look swapped; GeoJSON positions are [longitude, latitude]")
