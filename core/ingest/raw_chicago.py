"""Readers for the Chicago raw files: each returns tidy frames and logs every quirk it handled (SOURCES.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandera.pandas as pa
import shapely

from core.base.errors import InputError
from core.ingest.csv_input import ROW_COLUMN, first_bad, read_csv_text, to_number
from core.ingest.geo import WGS84, centroids_lonlat, check_polygons, place_points
from core.ingest.geojson_input import check_lonlat_order as _check_lonlat_order
from core.ingest.geojson_input import features_frame as _features_frame
from core.ingest.geojson_input import raw_text as _raw_text
from core.ingest.geojson_input import read_geojson as _geojson
from core.ingest.quality import QualityLog
from core.ingest.validation import validate

F_AREAS = "Boundaries - Community Areas (current).geojson"
F_TRACTS = "Boundaries - Census Tracts - 2010.geojson"
F_CHA_TRACTS = "Chicago Health Atlas Data Download - Census Tracts.csv"
F_CHA_AREAS = "Chicago Health Atlas Data Download - Community areas.csv"
F_SUICIDE = "Chicago_Health_Suicide_Mortality_Rate.csv"
F_UNINSURED = "Chicago_Health_Uninsured.csv"
F_BH = "Chicago Health Atlas Data Download - Behavioral health treatment rate in Community areas.csv"
F_CMAP = "ReferenceCCAProfiles20162020.csv"
F_LANGUAGES = "Census_Data_-_Languages_spoken_in_Chicago__2008___2012.csv"
F_LIBRARIES = "Libraries_-_Locations__Hours_and_Contact_Information.csv"
F_COOLING = "cooling-centers.geojson"
F_METRO = "metro_chicago_health_facilities_cleaned.csv"
F_FQHC = "Public_Health_Services-_Chicago_Primary_Care_Community_Health_Centers.csv"
F_PB = "pb_programs.json"

REQUIRED_FILES = [F_AREAS, F_TRACTS, F_CHA_TRACTS, F_CHA_AREAS, F_SUICIDE, F_UNINSURED, F_BH, F_CMAP, F_LANGUAGES,
                  F_LIBRARIES, F_COOLING, F_METRO, F_FQHC, F_PB]

CHA_LAYERS = {"Community area", "Census tract", "City"}


def _cha_csv(path: Path, quality: QualityLog, layer: str, columns: list[str]) -> pd.DataFrame:
    """A Chicago Health Atlas export: drop its metadata rows and keep one layer."""
    df = read_csv_text(path, ["Layer", "GEOID"] + columns)
    is_data = df["Layer"].isin(CHA_LAYERS)
    meta = (~is_data) & (df["Layer"].str.startswith("(") | (df["Layer"] == "---") | (df["Layer"] == ""))
    if meta.any():
        quality.add(path.name, "metadata rows under the header", int(meta.sum()), "dropped",
                    "(Indicator name), (Definition), (Citation) and '---' rows")
    first_bad(df, ~is_data & ~meta, path.name, "Layer", f"unknown layer; expected one of {sorted(CHA_LAYERS)}")
    city = df["Layer"] == "City"
    if city.any():
        quality.add(path.name, "city-total row", int(city.sum()), "dropped", "the Layer == City row")
    return df.loc[df["Layer"] == layer].copy()


def _area_key(df: pd.DataFrame, column: str, file: str, valid_ids: set[int], quality: QualityLog,
              city_ids: tuple[int, ...] = ()) -> pd.DataFrame:
    ids = to_number(df, column, file, allow_blank=False)
    first_bad(df, (ids % 1 != 0), file, column, "community-area number must be a whole number")
    df = df.assign(area_id=ids.astype(int))
    city = df["area_id"].isin(city_ids)
    if city.any():
        quality.add(file, "city-total row", int(city.sum()), "dropped",
                    f"area id {', '.join(str(c) for c in city_ids)} is the city total, not an area")
        df = df.loc[~city]
    first_bad(df, ~df["area_id"].isin(valid_ids), file, column, "unknown community-area number")
    first_bad(df, df["area_id"].duplicated(), file, column, "community-area number appears twice")
    return df


def read_areas(raw: Path, quality: QualityLog) -> gpd.GeoDataFrame:
    name = F_AREAS
    gdf = _features_frame(_geojson(raw / name), name, ["area_numbe", "community"])
    gdf = check_polygons(gdf, name, "area_numbe")
    _check_lonlat_order(gdf, name, "area_numbe")
    df = pd.DataFrame({"area_numbe": gdf["area_numbe"].astype(str), ROW_COLUMN: gdf[ROW_COLUMN]})
    ids = to_number(df, "area_numbe", name, allow_blank=False)
    first_bad(df, ids % 1 != 0, name, "area_numbe", "community-area number must be a whole number")
    first_bad(df, ids.duplicated(), name, "area_numbe", "community-area number appears twice")
    out = gpd.GeoDataFrame({"area_id": ids.astype(int).values, "name": gdf["community"].astype(str).str.strip().values,
                            ROW_COLUMN: gdf[ROW_COLUMN].values}, geometry=gdf.geometry.values, crs=WGS84)
    return out.sort_values("area_id").reset_index(drop=True)


def read_tracts(raw: Path, areas: gpd.GeoDataFrame, quality: QualityLog) -> pd.DataFrame:
    name = F_TRACTS
    gdf = _features_frame(_geojson(raw / name), name, ["geoid10", "commarea_n"])
    gdf = check_polygons(gdf, name, "geoid10")
    _check_lonlat_order(gdf, name, "geoid10")
    df = pd.DataFrame({"tract_id": gdf["geoid10"].astype(str).str.strip(), "commarea_n": gdf["commarea_n"].astype(str),
                       ROW_COLUMN: gdf[ROW_COLUMN]})
    first_bad(df, ~df["tract_id"].str.fullmatch(r"\d{11}"), name, "geoid10", "tract GEOID must be 11 digits")
    first_bad(df, df["tract_id"].duplicated(), name, "geoid10", "tract GEOID appears twice")
    area = to_number(df, "commarea_n", name, allow_blank=False)
    first_bad(df, ~area.isin(set(areas["area_id"])), name, "commarea_n", "unknown community-area number")
    # A tract that does not even touch the area it names has a mistyped number or misplaced coordinates; either
    # way its residents would be counted in the wrong place.
    named = areas.set_index("area_id").geometry.reindex(area.astype(int)).to_numpy()
    first_bad(df, ~pd.Series(shapely.intersects(gdf.geometry.to_numpy(), named), index=df.index), name,
              "commarea_n", "the tract's polygon does not touch the community area this number names")
    lon, lat = centroids_lonlat(gdf)
    tracts = pd.DataFrame({"tract_id": df["tract_id"], "area_id": area.astype(int), "lon": lon, "lat": lat})

    cha = _cha_csv(raw / F_CHA_TRACTS, quality, "Census tract", ["Population"])
    cha["population"] = to_number(cha, "Population", F_CHA_TRACTS, allow_blank=False)
    first_bad(cha, cha["population"] < 0, F_CHA_TRACTS, "Population", "population cannot be negative")
    first_bad(cha, cha["GEOID"].duplicated(), F_CHA_TRACTS, "GEOID", "tract GEOID appears twice")
    outside = ~cha["GEOID"].isin(set(tracts["tract_id"]))
    if outside.any():
        quality.add(F_CHA_TRACTS, "tract not in the 2010 city tract layer", int(outside.sum()), "dropped",
                    "GEOIDs " + ", ".join(cha.loc[outside, "GEOID"]) + " (O'Hare and DuPage County tracts)")
    tracts = tracts.merge(cha.loc[~outside, ["GEOID", "population"]], left_on="tract_id", right_on="GEOID",
                          how="left").drop(columns="GEOID")
    missing = tracts["population"].isna()
    if missing.any():
        quality.add(F_CHA_TRACTS, "tract with no population row", int(missing.sum()), "kept",
                    "tracts " + ", ".join(tracts.loc[missing, "tract_id"]) +
                    " have no population in the source; kept with population 0, so they add no demand")
        tracts["population"] = tracts["population"].fillna(0.0)
    return tracts


def _wide_indicators(df: pd.DataFrame, file: str, columns: dict[str, tuple[str, str, str]]) -> pd.DataFrame:
    """Melt selected source columns to (area_id, indicator_id, period, value, source_id) rows."""
    rows = []
    for col, (indicator_id, period, source_id) in columns.items():
        vals = to_number(df, col, file)
        first_bad(df, vals < 0, file, col, "a rate or count cannot be negative")
        rows.append(pd.DataFrame({"area_id": df["area_id"].values, "indicator_id": indicator_id, "period": period,
                                  "value": vals.values, "source_id": source_id}))
    return pd.concat(rows, ignore_index=True)


def read_cha_areas(raw: Path, valid_ids: set[int], quality: QualityLog) -> pd.DataFrame:
    cols = {
        "HCSUMHAP_2021-2022": ("unmet_need", "2021-2022", "cha_areas_hcs"),
        "CHAVQOS_2021-2022": ("loneliness", "2021-2022", "cha_areas_hcs"),
        "SVI_2020": ("svi", "2020", "cha_areas_svi"),
        "UMP_2018-2022": ("unemployment", "2018-2022", "cha_areas_acs"),
        "LEQ_2018-2022": ("limited_english", "2018-2022", "cha_areas_acs"),
        "DIS_2018-2022": ("disability", "2018-2022", "cha_areas_acs"),
        "POV_2018-2022": ("poverty", "2018-2022", "cha_areas_acs"),
    }
    df = _cha_csv(raw / F_CHA_AREAS, quality, "Community area", list(cols))
    df = _area_key(df, "GEOID", F_CHA_AREAS, valid_ids, quality)
    out = _wide_indicators(df, F_CHA_AREAS, cols)
    pct = out["indicator_id"] != "svi"
    bad = pct & (out["value"] > 100)
    if bad.any():
        i = bad.idxmax()
        col = [c for c, v in cols.items() if v[0] == out.loc[i, "indicator_id"]][0]
        row = int(df.loc[df["area_id"] == out.loc[i, "area_id"], ROW_COLUMN].iloc[0])
        raise InputError(F_CHA_AREAS, row, col, f"a percentage cannot exceed 100 (got {out.loc[i, 'value']})")
    missing = out["value"].isna()
    if missing.any():
        detail = "; ".join(f"{k}: {g['area_id'].tolist()}" for k, g in out.loc[missing].groupby("indicator_id"))
        quality.add(F_CHA_AREAS, "indicator not published for an area", int(missing.sum()), "kept",
                    f"blank in the source, stored as missing and flagged in the need index ({detail})")
    return out


def read_suicide(raw: Path, valid_ids: set[int], population: pd.Series, quality: QualityLog) -> pd.DataFrame:
    cols = {"VRSUR_2015-2019": ("suicide_rate", "2015-2019", "cha_suicide"),
            "VRSUR_2011-2015": ("suicide_rate", "2011-2015", "cha_suicide")}
    df = _cha_csv(raw / F_SUICIDE, quality, "Community area", list(cols))
    df = _area_key(df, "GEOID", F_SUICIDE, valid_ids, quality)
    out = _wide_indicators(df, F_SUICIDE, cols)
    # Deaths over the five-year period, estimated from the average annual rate: small counts make the rate unstable.
    # The estimate only sets the flag; it is not stored, because the publisher shows the rate and not the deaths, and
    # a figure republished from a public source is shown as its publisher shows it (DESIGN §3).
    deaths = (out["value"] / 1e5 * out["area_id"].map(population) * 5).round(1)
    out["unstable"] = deaths < 20
    quality.add(F_SUICIDE, "rate on fewer than 20 deaths", int(out["unstable"].sum()), "kept",
                "flagged unstable (CDC WISQARS); deaths estimated as rate × population × 5 years")
    return out


def read_uninsured(raw: Path, valid_ids: set[int], quality: QualityLog) -> pd.DataFrame:
    df = _cha_csv(raw / F_UNINSURED, quality, "Community area", ["UNI_2016-2020", "Population"])
    df = _area_key(df, "GEOID", F_UNINSURED, valid_ids, quality)
    count = to_number(df, "UNI_2016-2020", F_UNINSURED)
    pop = to_number(df, "Population", F_UNINSURED, allow_blank=False)
    first_bad(df, pop <= 0, F_UNINSURED, "Population", "population must be positive")
    first_bad(df, count > pop, F_UNINSURED, "UNI_2016-2020", "more uninsured residents than residents")
    first_bad(df, count < 0, F_UNINSURED, "UNI_2016-2020", "a count cannot be negative")
    return pd.DataFrame({"area_id": df["area_id"].values, "indicator_id": "uninsured", "period": "2016-2020",
                         "value": (count / pop * 100).values, "numerator": count.values, "denominator": pop.values,
                         "source_id": "cha_uninsured"})


def read_bh_treatment(raw: Path, valid_ids: set[int], quality: QualityLog) -> pd.DataFrame:
    cols = ["HCSBHP_2020-2021", "HCSBHP_2020-2021_moe"]
    df = read_csv_text(raw / F_BH, ["Layer", "GEOID"] + cols)
    meta = ~df["Layer"].isin(CHA_LAYERS)
    if meta.any():
        quality.add(F_BH, "metadata rows under the header", int(meta.sum()), "dropped", "label and margin-of-error rows")
    df = df.loc[df["Layer"] == "Community area"].copy()
    df = _area_key(df, "GEOID", F_BH, valid_ids, quality)
    value = to_number(df, cols[0], F_BH)
    moe = to_number(df, cols[1], F_BH)
    quality.add(F_BH, "sparse indicator", len(valid_ids) - len(df), "kept",
                f"published for {len(df)} of {len(valid_ids)} areas only; not used in the need index")
    return pd.DataFrame({"area_id": df["area_id"].values, "indicator_id": "bh_treatment", "period": "2020-2021",
                         "value": value.values, "moe": moe.values, "source_id": "cha_bh_treatment"})


def read_cmap(raw: Path, valid_ids: set[int], quality: QualityLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """CMAP profiles: area population (2020 Census) and the age, race and home-language mix (ACS 2016-2020)."""
    from core.ingest.indicator_catalog import AGE_BANDS, RACE_GROUPS

    counts = [c for c, _ in AGE_BANDS] + [c for c, _ in RACE_GROUPS] + ["TOT_POP", "2020_POP", "POP_OV5", "NOT_ENGLISH"]
    df = read_csv_text(raw / F_CMAP, ["GEOID", "GEOG"] + counts)
    df = _area_key(df, "GEOID", F_CMAP, valid_ids, quality)
    num = {c: to_number(df, c, F_CMAP, allow_blank=False) for c in counts}
    frame = pd.DataFrame(num)
    frame[ROW_COLUMN] = df[ROW_COLUMN].values
    schema = pa.DataFrameSchema({c: pa.Column(float, pa.Check.ge(0)) for c in counts}
                                | {"TOT_POP": pa.Column(float, pa.Check.gt(0))})
    validate(frame, schema, F_CMAP)
    tot = num["TOT_POP"]
    rows = []
    for code, _ in AGE_BANDS:
        rows.append((f"age_{code.lower()}", num[code], tot))
    for code, _ in RACE_GROUPS:
        rows.append((f"race_{code.lower()}", num[code], tot))
    rows.append(("share_65plus", num["A65_74"] + num["A75_84"] + num["OV85"], tot))
    rows.append(("non_english_home", num["NOT_ENGLISH"], num["POP_OV5"]))
    ind = pd.concat([pd.DataFrame({"area_id": df["area_id"].values, "indicator_id": i, "period": "2016-2020",
                                   "value": (n / d * 100).values, "numerator": n.values, "denominator": d.values,
                                   "source_id": "cmap_profiles"}) for i, n, d in rows], ignore_index=True)
    facts = pd.DataFrame({"area_id": df["area_id"].values, "cmap_name": df["GEOG"].values,
                          "population": num["2020_POP"].values})
    return ind, facts


LANGUAGE_RENAMES = {"OTHER INDO EURPOEAN": "other indo-european", "CAMBODIAN (MON-KHMER)": "cambodian (mon-khmer)"}


def read_languages(raw: Path, valid_ids: set[int], quality: QualityLog) -> pd.DataFrame:
    df = read_csv_text(raw / F_LANGUAGES, ["Community Area", "SPANISH"])
    df = _area_key(df, "Community Area", F_LANGUAGES, valid_ids, quality, city_ids=(0,))
    skip = {"Community Area", "Community Area Name", "PREDOMINANT NON-ENGLISH LANGUAGE (%)", ROW_COLUMN, "area_id"}
    rows = []
    for col in [c for c in df.columns if c not in skip]:
        vals = to_number(df, col, F_LANGUAGES, allow_blank=False)
        first_bad(df, vals < 0, F_LANGUAGES, col, "a count of speakers cannot be negative")
        rows.append(pd.DataFrame({"area_id": df["area_id"].values,
                                  "language": LANGUAGE_RENAMES.get(col, col.lower()), "speakers": vals.values}))
    out = pd.concat(rows, ignore_index=True)
    out["source_id"] = "portal_languages"
    return out


def _lonlat_from_text(df: pd.DataFrame, column: str, file: str) -> tuple[pd.Series, pd.Series]:
    pat = re.compile(r"^\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\)$")
    parsed = df[column].str.extract(pat)
    first_bad(df, parsed[0].isna(), file, column, "expected '(latitude, longitude)'")
    return parsed[1].astype(float), parsed[0].astype(float)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _unique_ids(prefix: str, names: pd.Series) -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for name in names:
        base = f"{prefix}:{_slug(name)}"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def read_venues(raw: Path, areas: gpd.GeoDataFrame, quality: QualityLog) -> pd.DataFrame:
    lib = read_csv_text(raw / F_LIBRARIES, ["NAME", "ADDRESS", "LOCATION"])
    lib["lon"], lib["lat"] = _lonlat_from_text(lib, "LOCATION", F_LIBRARIES)
    lib = place_points(lib, areas, F_LIBRARIES, quality, what="libraries")
    libraries = pd.DataFrame({"venue_id": _unique_ids("library", lib["NAME"]),
                              "name": lib["NAME"] + " Library", "kind": "library", "address": lib["ADDRESS"],
                              "lon": lib["lon"], "lat": lib["lat"], "area_id": lib["area_id"], "source_id": "libraries"})

    doc = _geojson(raw / F_COOLING)
    gdf = _features_frame(doc, F_COOLING, ["site_type", "site_name"])
    kinds = {"Satellite Senior Center": "senior centre", "Regional Senior Center": "senior centre",
             "Community Service Center": "community service centre", "Chicago Community College": "city college"}
    cc = pd.DataFrame({"name": gdf["site_name"].astype(str).str.strip(), "site_type": gdf["site_type"].astype(str),
                       "address": gdf.get("address", pd.Series("", index=gdf.index)).astype(str),
                       "lon": gdf.geometry.x, "lat": gdf.geometry.y, ROW_COLUMN: gdf[ROW_COLUMN]})
    dup = cc["site_type"] == "Library"
    spray = cc["site_type"] == "Park District Spray Feature"
    quality.add(F_COOLING, "library listed again as a cooling centre", int(dup.sum()), "dropped",
                "libraries come from the Chicago Public Library file")
    quality.add(F_COOLING, "not a venue for a group", int(spray.sum()), "dropped", "Park District spray features")
    other = ~cc["site_type"].isin(list(kinds) + ["Library", "Park District Spray Feature"])
    if other.any():
        quality.add(F_COOLING, "unknown site type", int(other.sum()), "dropped",
                    ", ".join(sorted(cc.loc[other, "site_type"].unique())))
    cc = cc.loc[cc["site_type"].isin(list(kinds))].copy()
    cc = place_points(cc, areas, F_COOLING, quality, what="venues")
    centres = pd.DataFrame({"venue_id": _unique_ids("centre", cc["name"]), "name": cc["name"],
                            "kind": cc["site_type"].map(kinds), "address": cc["address"], "lon": cc["lon"],
                            "lat": cc["lat"], "area_id": cc["area_id"], "source_id": "cooling_centers"})
    return pd.concat([libraries, centres], ignore_index=True)


def read_service_sites(raw: Path, areas: gpd.GeoDataFrame, quality: QualityLog) -> pd.DataFrame:
    metro = read_csv_text(raw / F_METRO, ["ID", "Name", "Address", "Latitude", "Longitude"])
    mhc = metro["Name"].str.replace(r"\s+", " ", regex=True).str.strip().str.endswith(" MHC")
    quality.add(F_METRO, "not a CDPH mental-health clinic", int((~mhc).sum()), "dropped",
                "only the CDPH 'MHC' clinics are used from this file (the rest are WIC, STI, senior and county sites)")
    quality.add(F_METRO, "clinic list predates 2012 closures", int(mhc.sum()), "kept",
                "the source is the pre-2012 list; six of these clinics closed in 2012 and the file does not say which")
    metro = metro.loc[mhc].copy()
    metro["lon"] = to_number(metro, "Longitude", F_METRO, allow_blank=False)
    metro["lat"] = to_number(metro, "Latitude", F_METRO, allow_blank=False)
    metro = place_points(metro, areas, F_METRO, quality, what="clinics")
    clinics = pd.DataFrame({"site_id": "mhc:" + metro["ID"], "name": metro["Name"].str.replace(r"\s+", " ", regex=True).str.strip(),
                            "kind": "mental-health clinic",
                            "address": metro["Address"].str.replace(r"\s+", " ", regex=True).str.strip(),
                            "lon": metro["lon"], "lat": metro["lat"], "area_id": metro["area_id"],
                            "source_id": "metro_facilities"})

    fq = read_csv_text(raw / F_FQHC, ["Facility", "LAT", "LON"])
    fq["lon"] = to_number(fq, "LON", F_FQHC, allow_blank=False)
    fq["lat"] = to_number(fq, "LAT", F_FQHC, allow_blank=False)
    address = fq["Address.1"] if "Address.1" in fq.columns else fq.get("Address", "")
    fq = fq.assign(address=address)
    fq = place_points(fq, areas, F_FQHC, quality, what="health centres")
    centres = pd.DataFrame({"site_id": _unique_ids("chc", fq["Facility"]), "name": fq["Facility"],
                            "kind": "community health centre", "address": fq["address"], "lon": fq["lon"],
                            "lat": fq["lat"], "area_id": fq["area_id"], "source_id": "fqhc"})

    pb = read_pb_programs(raw, quality)
    pb = place_points(pb, areas, F_PB, quality, what="mental-health programme sites")
    programmes = pd.DataFrame({"site_id": pb["site_id"], "name": pb["name"], "kind": "mental-health programme",
                               "address": pb["address"], "lon": pb["lon"], "lat": pb["lat"],
                               "area_id": pb["area_id"], "source_id": "purple_binder"})
    return pd.concat([clinics, centres, programmes], ignore_index=True)


def read_pb_programs(raw: Path, quality: QualityLog) -> pd.DataFrame:
    try:
        doc = json.loads(_raw_text(raw / F_PB))
    except json.JSONDecodeError as exc:
        raise InputError(F_PB, None, None, f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from exc
    if not isinstance(doc, list):
        raise InputError(F_PB, None, None, "expected a JSON array of programmes")
    rows, outside, not_mh = [], 0, 0
    for pos, prog in enumerate(doc, start=1):
        if not isinstance(prog, dict) or "locations" not in prog:
            raise InputError(F_PB, pos, "locations", "programme record has no locations list")
        if "mental_health" not in (prog.get("categories") or []):
            not_mh += 1
            continue
        for k, loc in enumerate(prog["locations"] or [], start=1):
            if loc.get("community_area_id") in (None, ""):
                outside += 1
                continue
            try:
                lon, lat = float(loc["lng"]), float(loc["lat"])
            except (KeyError, TypeError, ValueError):
                raise InputError(F_PB, pos, "locations.lat/lng", f"location {k} has no usable coordinates") from None
            rows.append({"site_id": f"pb:{prog.get('id', pos)}:{k}",
                         "name": f"{prog.get('organization_name') or ''}: {prog.get('name') or ''}".strip(": "),
                         "address": loc.get("address") or "", "lon": lon, "lat": lat,
                         "area_id": loc.get("community_area_id"), ROW_COLUMN: pos})
    quality.add(F_PB, "not a mental-health programme", not_mh, "dropped", "categories without 'mental_health'")
    quality.add(F_PB, "location outside Chicago", outside, "dropped",
                "locations with no community_area_id (suburban or out of state)")
    return pd.DataFrame(rows)
