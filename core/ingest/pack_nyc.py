"""`atlas pack nyc`: New York City's public files (../shared/data/raw/nyc, see its SOURCES.md) as a city pack.

Areas are the 59 community districts (DCP 24C, ``BoroCD`` ids); the 12 joint-interest areas (parks, airports,
Rikers) are dropped by rule. Tracts are the 2020 census tracts, placed in districts through the DCP nesting
tract → NTA → CDTA. Indicators are the DOHMH Community Health Profiles 2022 with their 95% confidence limits.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from core.base.errors import InputError
from core.ingest.csv_input import ROW_COLUMN, first_bad, read_csv_text, to_number
from core.ingest.geo import WGS84, check_polygons
from core.ingest.geojson_input import check_lonlat_order, features_frame, read_geojson
from core.ingest.pack_write import write_pack
from core.ingest.quality import QualityLog
from core.ingest.reference_data import Reference

Progress = Callable[[str], None]

F_CDS = "dcp_community_districts_nycd24c.geojson"
F_TRACTS = "thecity_demographics_ct2020.csv"
F_CENTROIDS = "thecity_demographics_centroids.geojson"
F_NTA = "dcp_nta2020_cdta2020_lookup.csv"
F_CHP = "chp2022_cd.csv"
F_CHP_META = "chp2022_metadata.csv"
F_CHP_DEATHS = "chp2022_premature_death_causes.csv"
F_MHSF = "nyc_mental_health_service_finder.csv"
F_FQHC = "geoda_FQHC_Geocoded_nyc_subset.csv"
F_HOSP = "geoda_Hospitals_Geocoded_nyc_subset.csv"
F_SUD = "geoda_SubstanceUseTreatment_Geocoded_nyc_subset.csv"
F_LIBRARIES = "nyc_libraries_311finder_2017.csv"
REQUIRED_FILES = [F_CDS, F_TRACTS, F_CENTROIDS, F_NTA, F_CHP, F_CHP_META, F_CHP_DEATHS, F_MHSF, F_FQHC, F_HOSP,
                  F_SUD, F_LIBRARIES]

BOROUGHS = {1: "Manhattan", 2: "Bronx", 3: "Brooklyn", 4: "Queens", 5: "Staten Island"}
# A residential community district is numbered 1–18 within its borough; 26–28, 55–56, 64 and 80–95 are the
# joint-interest areas (parks, airports, Rikers Island), which have no community board.
MAX_DISTRICT = 18

NYC_CITY = {
    "name": "New York City",
    "slug": "nyc",
    "area_label": "community district",
    "area_label_plural": "community districts",
    "headline_indicator": "psych_hosp",
    "notes": ("Made by `atlas pack nyc` from the public files listed in the raw folder's SOURCES.md. New York has no "
              "senior-centre or community-centre file here, so the candidate venues are the public library branches "
              "only. Survey and ACS measures are published for survey areas (PUMAs): community districts that share "
              "a PUMA show the same value."),
}

CHP = "nyc_chp2022"
CHP_DEATHS = "nyc_chp2022_deaths"
SOURCES = [
    dict(source_id="dcp_cd", publisher="NYC Department of City Planning", year="2024 (24C)",
         title="Community Districts, Bytes of the Big Apple 24C (via nychealth/EHDP-data)",
         licence="NYC open data terms", file=F_CDS),
    dict(source_id="dcp_nta", publisher="NYC Department of City Planning", year="2020 (24C)",
         title="2020 Neighborhood Tabulation Areas and their Community District Tabulation Areas", licence="NYC open data terms",
         file=F_NTA),
    dict(source_id="thecity_tracts", publisher="THE CITY, from the DCP 2020 Census redistricting tables", year="2020",
         title="2020 census tract population (know-your-district data) and tract centroids", licence="not stated",
         file=F_TRACTS),
    dict(source_id=CHP, publisher="NYC Department of Health and Mental Hygiene", year="2015-2021",
         title="Community Health Profiles 2022 public-use dataset (community districts)",
         licence="NYC public data; no licence stated", file=F_CHP),
    dict(source_id=CHP_DEATHS, publisher="NYC Department of Health and Mental Hygiene, Bureau of Vital Statistics",
         year="2015-2019", title="Community Health Profiles 2022: leading causes of premature death",
         licence="NYC public data; no licence stated", file=F_CHP_DEATHS),
    dict(source_id="mhsf", publisher="NYC Department of Health and Mental Hygiene", year="circa 2023",
         title="Mental Health Service Finder data (NYC Open Data 8nqg-ia7v)", licence="NYC open data terms",
         file=F_MHSF),
    dict(source_id="hrsa_fqhc", publisher="HRSA health-centre sites, via the US COVID Atlas and GeoDa Center",
         year="circa 2020", title="Federally qualified health centres (New York City subset)", licence="not stated",
         file=F_FQHC),
    dict(source_id="ccm_hospitals", publisher="CovidCareMap (HCRIS/HIFLD), via GeoDa Center", year="circa 2020",
         title="Hospitals (New York City subset)", licence="not stated", file=F_HOSP),
    dict(source_id="samhsa_sud", publisher="SAMHSA treatment locator, geocoded by GeoDa Center", year="circa 2020-21",
         title="Substance-use treatment facilities (New York City subset)", licence="not stated", file=F_SUD),
    dict(source_id="nyc_libraries", publisher="NYC 311 facility finder, geocoded by mgiraldo (MIT)", year="2017",
         title="Public library branches (NYPL, BPL, QPL)", licence="MIT", file=F_LIBRARIES),
]

# id, CHP column, label, unit, higher_is, domain, file
INDICATORS = [
    ("psych_hosp", "Psych_Hosp", "Psychiatric hospitalisations", "per 100,000 adults", "worse", "need", F_CHP),
    ("suicide_premature", "Premature_Mort_Suicide", "Premature deaths from suicide", "deaths per 100,000",
     "worse", "need", F_CHP_DEATHS),
    ("drug_premature", "Premature_Mort_Drug_Related", "Premature drug-related deaths", "deaths per 100,000",
     "worse", "need", F_CHP_DEATHS),
    ("unemployment", "Unemployment", "Unemployment", "% of labour force", "worse", "vulnerability", F_CHP),
    ("rent_burden", "Rent_Burden", "Rent burden", "% of renter homes", "worse", "vulnerability", F_CHP),
    ("helpful_neighbor", "Helpful_Neighbor", "Neighbours willing to help", "% of adults", "better", "vulnerability",
     F_CHP),
    ("limited_english", "Ltd_Eng_Prof", "Limited English proficiency", "% of residents 5+", "worse", "barrier", F_CHP),
    ("poverty", "Poverty", "Poverty", "% of residents", "worse", "barrier", F_CHP),
    ("uninsured", "Uninsured", "Uninsured", "% of adults", "worse", "barrier", F_CHP),
    ("unmet_med_care", "Unmet_Med_Care", "Unmet medical care", "% of adults", "worse", "barrier", F_CHP),
    ("share_65plus", "Age65plus", "Residents aged 65+", "% of residents", None, "demographic", F_CHP),
    ("race_white", "Race_White", "White (non-Hispanic)", "% of residents", None, "demographic", F_CHP),
    ("race_black", "Race_Black", "Black (non-Hispanic)", "% of residents", None, "demographic", F_CHP),
    ("race_asian", "Race_Asian", "Asian (non-Hispanic)", "% of residents", None, "demographic", F_CHP),
    ("race_hisp", "Race_Latino", "Hispanic or Latino", "% of residents", None, "demographic", F_CHP),
    ("race_other", "Race_Other", "Other (non-Hispanic)", "% of residents", None, "demographic", F_CHP),
]
META_NAMES = {"Premature_Mort_Suicide": "Premature_Mort_Cause_Rate (separate tab)",
              "Premature_Mort_Drug_Related": "Premature_Mort_Cause_Rate (separate tab)"}
UNSTABLE_BELOW = 20  # deaths: CDC WISQARS practice (DESIGN §3)


def _district_id(boro: int, number: int) -> str:
    return str(boro * 100 + number)


def read_districts(raw: Path, q: QualityLog, chp: pd.DataFrame) -> gpd.GeoDataFrame:
    doc = read_geojson(raw / F_CDS)
    gdf = features_frame(doc, F_CDS, ["BoroCD"])
    # Rounding the reprojected coordinates to 6 decimals (SOURCES.md) left a few rings touching themselves;
    # a zero-width buffer repairs them without moving the boundary by more than that rounding.
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        q.add(F_CDS, "self-intersecting ring", int(invalid.sum()), "fixed",
              "repaired with a zero-width buffer (BoroCD " + ", ".join(str(b) for b in gdf.loc[invalid, "BoroCD"]) + ")")
        gdf.loc[invalid, "geometry"] = gdf.geometry[invalid].buffer(0)
    gdf = check_polygons(gdf, F_CDS, "BoroCD")
    check_lonlat_order(gdf, F_CDS, "BoroCD")
    text = pd.DataFrame({"BoroCD": gdf["BoroCD"].astype(str), ROW_COLUMN: gdf[ROW_COLUMN]})
    code = to_number(text, "BoroCD", F_CDS, allow_blank=False)
    first_bad(text, (code % 1 != 0) | ~(code // 100).isin(list(BOROUGHS)), F_CDS, "BoroCD",
              "expected a BoroCD code: borough digit (1-5) then the district number")
    first_bad(text, code.duplicated(), F_CDS, "BoroCD", "BoroCD appears twice")
    joint = (code % 100) > MAX_DISTRICT
    q.add(F_CDS, "joint-interest area, not a community district", int(joint.sum()), "dropped",
          "parks, airports and Rikers Island (BoroCD " + ", ".join(str(int(c)) for c in code[joint]) + ")")
    names = chp.set_index("area_id")["Name"]
    ids = code[~joint].astype(int).astype(str)
    out = gpd.GeoDataFrame({"area_id": ids.to_numpy(),
                            "name": [f"{names.get(i, 'District ' + i)} ({BOROUGHS[int(i) // 100]} {int(i) % 100})"
                                     for i in ids]},
                           geometry=gdf.geometry[~joint].to_numpy(), crs=WGS84)
    return out.sort_values("area_id").reset_index(drop=True)


def read_tracts(raw: Path, q: QualityLog) -> pd.DataFrame:
    """2020 tracts: population from THE CITY's demographics.csv, centroid from its GeoJSON, district by nesting."""
    t = read_csv_text(raw / F_TRACTS, ["ct", "pop", "nta"])
    first_bad(t, ~t["ct"].str.fullmatch(r"\d{11}"), F_TRACTS, "ct", "tract GEOID must be 11 digits")
    first_bad(t, t["ct"].duplicated(), F_TRACTS, "ct", "tract GEOID appears twice")
    t["population"] = to_number(t, "pop", F_TRACTS, allow_blank=False)
    first_bad(t, t["population"] < 0, F_TRACTS, "pop", "population cannot be negative")

    doc = read_geojson(raw / F_CENTROIDS)
    xy = {}
    for pos, feat in enumerate(doc["features"], start=1):
        props = feat.get("properties") or {}
        if "ct" not in props:
            raise InputError(F_CENTROIDS, pos, "ct", "required property is missing from this feature")
        geom = feat.get("geometry")
        if geom:
            if geom.get("type") != "Point":
                raise InputError(F_CENTROIDS, pos, "geometry", f"expected a Point, got {geom.get('type')}")
            xy[str(props["ct"])] = tuple(geom["coordinates"][:2])
    # The centroid file's own population is a later vintage (SOURCES.md): only its coordinates are used.
    t["lon"] = t["ct"].map(lambda c: xy.get(c, (np.nan, np.nan))[0])
    t["lat"] = t["ct"].map(lambda c: xy.get(c, (np.nan, np.nan))[1])

    nta = read_csv_text(raw / F_NTA, ["NTAName", "CDTA2020", "BoroCode"])
    first_bad(nta, nta["NTAName"].duplicated(), F_NTA, "NTAName", "NTA name appears twice")
    first_bad(nta, ~nta["CDTA2020"].str.fullmatch(r"[A-Z]{2}\d{2}"), F_NTA, "CDTA2020", "expected a CDTA code like BK01")
    boro = to_number(nta, "BoroCode", F_NTA, allow_blank=False)
    first_bad(nta, ~boro.isin(list(BOROUGHS)), F_NTA, "BoroCode", "expected a borough code 1-5")
    nta["district"] = [_district_id(int(b), int(c[2:])) for b, c in zip(boro, nta["CDTA2020"])]
    district = nta.set_index("NTAName")["district"]
    t["area_id"] = t["nta"].map(district)

    unplaced = t["area_id"].isna() | t["lon"].isna()
    if unplaced.any():
        q.add(F_TRACTS, "tract with no NTA or no centroid", int(unplaced.sum()), "dropped",
              f"water tracts {', '.join(t.loc[unplaced, 'ct'])} ({t.loc[unplaced, 'population'].sum():,.0f} "
              "residents): no neighbourhood and no centroid in the source")
    t = t.loc[~unplaced]
    return pd.DataFrame({"tract_id": t["ct"], "area_id": t["area_id"], "population": t["population"],
                         "lon": t["lon"].astype(float), "lat": t["lat"].astype(float)}).reset_index(drop=True)


def _cell(text: str) -> tuple[str, str | None]:
    """A CHP value cell: '^' is suppressed (no value), a trailing '*' means interpret with caution."""
    text = text.strip()
    if "^" in text:
        return "", "suppressed"
    if text.endswith("*"):
        return text.rstrip("*").strip(), "caution"
    return text, None


def _period(years: str) -> str:
    """'2015-2019 (community district and citywide),\\n2019 (borough…)' → '2015-2019'."""
    m = re.search(r"\d{4}(?:\s*-\s*\d{4})?", years or "")
    return m.group(0).replace(" ", "") if m else "unknown"


def read_metadata(raw: Path) -> dict[str, dict]:
    meta = read_csv_text(raw / F_CHP_META, ["Variable name", "Definition", "Data Source", "Data Years"])
    level = [c for c in meta.columns if c.startswith("PUMA")]
    out = {}
    for _, r in meta.iterrows():
        for name in re.split(r",\s*(?:and\s+)?|\s+and\s+", r["Variable name"]):
            out[name.strip()] = {"definition": r["Definition"], "source": r["Data Source"],
                                 "years": r["Data Years"], "level": r[level[0]] if level else "",
                                 "age_adjusted": r.get("Age-adjusted?", "")}
    return out


def _chp_rows(raw: Path, name: str, columns: list[str], q: QualityLog) -> pd.DataFrame:
    df = read_csv_text(raw / name, ["ID"] + columns)
    # The workbook's footnotes ('*Interpret with caution…', '^Data not shown…') follow the last data row.
    # A footnote has text in its first cell and nothing in the others.
    others_blank = (df.drop(columns=["ID", ROW_COLUMN]) == "").all(axis=1)
    note = others_blank & ~df["ID"].str.fullmatch(r"\d+")
    last_data = (~note)[::-1].idxmax()
    footer = note & (df.index > last_data)
    if footer.any():
        q.add(name, "footnote rows under the table", int(footer.sum()), "dropped", "the workbook's explanatory notes")
        df = df.loc[~footer]
    ids = to_number(df, "ID", name, allow_blank=False)
    first_bad(df, ids % 1 != 0, name, "ID", "expected a whole-number district ID")
    df["area_id"] = ids.astype(int).astype(str)
    first_bad(df, df["area_id"].duplicated(), name, "ID", "ID appears twice")
    return df


def read_indicators(raw: Path, q: QualityLog, meta: dict[str, dict]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The CHP 2022 indicators in long form, their definitions, and the district rows (names) of the CHP table."""
    chp_cols = [c for _, c, *_rest in INDICATORS if _rest[-1] == F_CHP]
    chp = _chp_rows(raw, F_CHP, chp_cols + ["Name", "Borough"], q)
    deaths = _chp_rows(raw, F_CHP_DEATHS, [c + s for _, c, *r in INDICATORS if r[-1] == F_CHP_DEATHS
                                           for s in ("_Rate", "_Number")], q)
    rows, defs = [], []
    for file, df in ((F_CHP, chp), (F_CHP_DEATHS, deaths)):
        totals = df["area_id"].astype(int) < 100
        q.add(file, "city and borough rows", int(totals.sum()), "dropped", "ID 0 is New York City, 1-5 the boroughs")
    chp, deaths = chp.loc[chp["area_id"].astype(int) >= 100], deaths.loc[deaths["area_id"].astype(int) >= 100]
    for order, (ind_id, col, label, unit, higher, domain, file) in enumerate(INDICATORS):
        df = chp if file == F_CHP else deaths
        value_col = col if file == F_CHP else col + "_Rate"
        cells = df[value_col].map(_cell)
        text = pd.DataFrame({value_col: cells.map(lambda c: c[0]), ROW_COLUMN: df[ROW_COLUMN]})
        value = to_number(text, value_col, file)
        first_bad(text, value < 0, file, value_col, "a rate or share cannot be negative")
        flag = cells.map(lambda c: c[1])
        note = df.get(col + "_reliability_note", pd.Series("", index=df.index)).str.strip()
        flag = flag.where(flag.notna(), note.map({"*": "caution", "^": "suppressed"}))
        value = value.where(flag != "suppressed")
        out = pd.DataFrame({"area_id": df["area_id"], "indicator_id": ind_id, "value": value, "flag": flag})
        for side, suffix in (("ci_low", "__lower_95CL"), ("ci_high", "__upper_95CL")):
            if col + suffix in df.columns:
                ci_text = pd.DataFrame({col + suffix: df[col + suffix].map(lambda s: _cell(s)[0]),
                                        ROW_COLUMN: df[ROW_COLUMN]})
                out[side] = to_number(ci_text, col + suffix, file).where(flag != "suppressed")
        if file == F_CHP_DEATHS:
            deaths_n = to_number(df, col + "_Number", file)
            out["numerator"] = deaths_n
            small = deaths_n < UNSTABLE_BELOW
            out["flag"] = out["flag"].where(~small | out["flag"].notna(), "unstable")
            q.add(file, f"{label.lower()}: rate on fewer than {UNSTABLE_BELOW} deaths", int(small.sum()), "kept",
                  "flagged unstable (CDC WISQARS practice)")
        m = meta.get(META_NAMES.get(col, col)) or meta.get(col) or {}
        period = _period(m.get("years", "2015-2019" if file == F_CHP_DEATHS else ""))
        out["period"] = period
        out["source_id"] = CHP if file == F_CHP else CHP_DEATHS
        rows.append(out)
        definition = (m.get("definition") or label).strip()
        if m.get("age_adjusted", "").lower().startswith("yes"):
            definition += " Age-adjusted to the US 2000 standard population."
        if "PUMA" in m.get("level", ""):
            definition += (" Published for the survey area (PUMA), not the district: community districts that share "
                           "a PUMA (for example 101 and 102) show the same value.")
        if m.get("source"):
            definition += f" Source: {' '.join(m['source'].split())} ({period})."
        defs.append(dict(indicator_id=ind_id, label=label, unit=unit, higher_is=higher, domain=domain,
                         source_id=CHP if file == F_CHP else CHP_DEATHS, definition=definition,
                         moe_level="95% confidence limits" if f"{col}__lower_95CL" in df.columns else None,
                         in_need_index=higher is not None, sort_order=order, period=period))
    ind = pd.concat(rows, ignore_index=True)
    for flag, what in (("suppressed", "value suppressed by DOHMH (^)"), ("caution", "interpret with caution (*)")):
        n = int((ind["flag"] == flag).sum())
        q.add(F_CHP, what, n, "kept", "kept as DOHMH publishes it: " + ("blank, flagged suppressed" if flag ==
              "suppressed" else "value kept, flagged caution"))
    return ind, pd.DataFrame(defs), chp


def _points(df: pd.DataFrame, file: str, lon: str, lat: str, q: QualityLog) -> pd.DataFrame:
    blank = df[lon].isin(["", "NA"]) | df[lat].isin(["", "NA"])
    if blank.any():
        q.add(file, "no coordinates", int(blank.sum()), "dropped", "rows without a longitude and latitude")
    df = df.loc[~blank].copy()
    df["lon"] = to_number(df, lon, file, allow_blank=False)
    df["lat"] = to_number(df, lat, file, allow_blank=False)
    return df


def _join(*parts: pd.Series) -> pd.Series:
    out = parts[0].astype(str)
    for p in parts[1:]:
        p = p.astype(str)
        out = out.where(p.isin(["", "NA"]), out + ": " + p)
    return out.str.strip(": ")


def read_sites(raw: Path, q: QualityLog) -> pd.DataFrame:
    mh = _points(read_csv_text(raw / F_MHSF, ["name_1", "name_2", "street_1", "latitude", "longitude"]), F_MHSF,
                 "longitude", "latitude", q)
    fq = _points(read_csv_text(raw / F_FQHC, ["name", "address", "lon", "lat"]), F_FQHC, "lon", "lat", q)
    ho = _points(read_csv_text(raw / F_HOSP, ["Name", "Address", "Latitude", "Longitude"]), F_HOSP,
                 "Longitude", "Latitude", q)
    su = _points(read_csv_text(raw / F_SUD, ["name1", "name2", "street1", "latitude", "longitude"]), F_SUD,
                 "longitude", "latitude", q)
    parts = [
        pd.DataFrame({"site_id": "mhsf:" + mh[ROW_COLUMN].astype(str), "name": _join(mh["name_1"], mh["name_2"]),
                      "kind": "mental_health_clinic", "address": mh["street_1"], "lon": mh["lon"], "lat": mh["lat"],
                      "source_id": "mhsf"}),
        pd.DataFrame({"site_id": "fqhc:" + fq[ROW_COLUMN].astype(str), "name": fq["name"],
                      "kind": "community_health_centre", "address": fq["address"], "lon": fq["lon"],
                      "lat": fq["lat"], "source_id": "hrsa_fqhc"}),
        pd.DataFrame({"site_id": "hosp:" + ho[ROW_COLUMN].astype(str), "name": ho["Name"].str.title(),
                      "kind": "hospital", "address": ho["Address"].str.title(), "lon": ho["lon"], "lat": ho["lat"],
                      "source_id": "ccm_hospitals"}),
        pd.DataFrame({"site_id": "sud:" + su[ROW_COLUMN].astype(str), "name": _join(su["name1"], su["name2"]),
                      "kind": "substance_use_treatment", "address": su["street1"], "lon": su["lon"],
                      "lat": su["lat"], "source_id": "samhsa_sud"}),
    ]
    return pd.concat(parts, ignore_index=True)


def read_venues(raw: Path, q: QualityLog) -> pd.DataFrame:
    lib = _points(read_csv_text(raw / F_LIBRARIES, ["name", "street address", "lon", "lat"]), F_LIBRARIES,
                  "lon", "lat", q)
    return pd.DataFrame({"venue_id": "library:" + lib[ROW_COLUMN].astype(str), "name": lib["name"],
                         "kind": "library", "address": lib["street address"], "lon": lib["lon"], "lat": lib["lat"],
                         "source_id": "nyc_libraries"}).reset_index(drop=True)


def nyc_reference(raw: Path, progress: Progress = lambda _: None) -> Reference:
    """Read the New York City raw files into a Reference (checked again when the pack is read)."""
    raw = Path(raw)
    if not raw.is_dir():
        raise InputError(str(raw), None, None, "raw data folder not found")
    q = QualityLog()
    progress("Reading the Community Health Profiles 2022")
    ind, defs, chp = read_indicators(raw, q, read_metadata(raw))
    progress("Reading community-district boundaries")
    areas = read_districts(raw, q, chp)
    progress("Reading 2020 census tracts and their nesting")
    tracts = read_tracts(raw, q)
    progress("Reading service sites and library branches")
    sites = read_sites(raw, q)
    venues = read_venues(raw, q)
    sources = pd.DataFrame(SOURCES).rename(columns={"year": "years"})
    return Reference(kind="nyc", areas=areas.assign(population=np.nan, lon=np.nan, lat=np.nan), tracts=tracts,
                     indicators=ind, indicator_defs=defs, area_language=pd.DataFrame(
                         columns=["area_id", "language", "speakers", "source_id"]),
                     venues=venues, service_sites=sites, sources=sources, quality=q.to_frame(),
                     inputs=[raw / f for f in REQUIRED_FILES])


def nyc_city() -> dict:
    return dict(NYC_CITY, as_of=str(date.today()))


def make_nyc_pack(raw: Path | str, out: Path | str, progress: Progress = lambda _: None) -> Reference:
    """Read the New York City raw files and write them as a pack into ``out``; return the reader's Reference."""
    ref = nyc_reference(Path(raw), progress)
    progress(f"Writing the New York City pack to {out}")
    write_pack(ref, nyc_city(), out)
    return ref
