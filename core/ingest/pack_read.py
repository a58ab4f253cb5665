"""Reading and validating a city pack (DESIGN.md §2b): every file checked, errors name the file, row and column."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pandera.pandas as pa
import shapely

from core.base.errors import InputError
from core.ingest import pack_format as pf
from core.ingest.csv_input import ROW_COLUMN, first_bad, read_csv_text, to_number
from core.ingest.geo import WGS84, centroids_lonlat, check_polygons, place_points
from core.ingest.geojson_input import check_lonlat_order, features_frame, read_geojson
from core.ingest.quality import QualityLog
from core.ingest.reference_data import Reference
from core.ingest.validation import validate

Progress = Callable[[str], None]
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n"}


@dataclass
class PackCheck:
    """What ``check_pack`` found: the counts of each table and the rows the build would drop."""

    city: dict
    counts: dict[str, int] = field(default_factory=dict)
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame)


def _quiet(_: str) -> None:
    return None


def check_utf8(path: Path) -> None:
    """Refuse a file that is not UTF-8, naming the line (row) and, for a CSV, the column of the first bad byte.

    A pack is a published format: one encoding, so that a file made anywhere reads the same everywhere.
    """
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        column = None
        if path.suffix == ".csv":
            header = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip()
            names = next(csv.reader([header]), [])
            current = before.rsplit("\n", 1)[-1]
            fields = next(csv.reader([current + "x"]), [""])
            k = len(fields) - 1
            column = names[k] if 0 <= k < len(names) else None
        raise InputError(path.name, line, column,
                         f"is not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None


def _path(pack: Path, name: str, required: bool = True) -> Path | None:
    p = pack / name
    if not p.exists():
        if required:
            raise InputError(name, None, None,
                             f"required file of the city pack is missing from {pack} (see data/city-pack/README.md)")
        return None
    check_utf8(p)
    return p


def _toml_line(text: str, key: str) -> int | None:
    for k, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return k
    return None


def read_city(pack: Path) -> dict:
    """city.toml as a dict, with its required keys checked (the row reported is the line in the file)."""
    p = _path(pack, pf.CITY_FILE)
    text = p.read_text(encoding="utf-8")
    try:
        city = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(pf.CITY_FILE, int(m.group(1)) if m else None, None, f"is not valid TOML: {exc}") from None
    for key in pf.CITY_REQUIRED:
        value = city.get(key)
        if not isinstance(value, str) or not value.strip():
            raise InputError(pf.CITY_FILE, _toml_line(text, key), key, "required key is missing or blank")
    city["_lines"] = {k: _toml_line(text, k) for k in city}
    return city


def _csv(pack: Path, name: str, required: bool = True) -> pd.DataFrame | None:
    p = _path(pack, name, required)
    if p is None:
        return None
    return read_csv_text(p, pf.REQUIRED[name], allow_empty=name in pf.MAY_BE_EMPTY)


def _text_id(df: pd.DataFrame, column: str, file: str, unique: bool) -> None:
    first_bad(df, df[column] == "", file, column, "an id is required here")
    if unique:
        first_bad(df, df[column].duplicated(), file, column, "duplicate id: ids must be unique")


def _required_text(df: pd.DataFrame, columns: list[str], file: str) -> None:
    for c in columns:
        first_bad(df, df[c] == "", file, c, "a value is required here")


def _optional_number(df: pd.DataFrame, column: str, file: str) -> pd.Series:
    if column not in df.columns:
        return pd.Series(np.nan, index=df.index)
    return to_number(df, column, file)


def _lonlat(df: pd.DataFrame, file: str, union) -> None:
    """Numbers, not swapped, in range; the frame gets float ``lon``/``lat`` columns."""
    df["lon"] = to_number(df, "lon", file, allow_blank=False)
    df["lat"] = to_number(df, "lat", file, allow_blank=False)
    # Swapped pairs first: a western longitude written as a latitude is also out of range, and "swapped" is
    # the message that tells the person what to fix.
    _refuse_swapped(df, union, file)
    schema = pa.DataFrameSchema({"lon": pa.Column(float, pa.Check.in_range(-180, 180)),
                                 "lat": pa.Column(float, pa.Check.in_range(-90, 90))})
    validate(df[["lon", "lat", ROW_COLUMN]], schema, file)


def _refuse_swapped(df: pd.DataFrame, union, file: str) -> None:
    """A point outside the city that falls inside once lon and lat are exchanged was written (lat, lon): refuse it."""
    x, y = df["lon"].to_numpy(float), df["lat"].to_numpy(float)
    swapped = ~shapely.contains_xy(union, x, y) & shapely.contains_xy(union, y, x)
    first_bad(df, pd.Series(swapped, index=df.index), file, "lon",
              "longitude and latitude look swapped: the point falls inside the city only when the two are exchanged")


def read_sources(pack: Path) -> pd.DataFrame:
    df = _csv(pack, pf.SOURCES_FILE)
    _text_id(df, "source_id", pf.SOURCES_FILE, unique=True)
    _required_text(df, ["publisher", "title", "year"], pf.SOURCES_FILE)
    get = lambda c: df[c] if c in df.columns else ""  # noqa: E731
    return pd.DataFrame({"source_id": df["source_id"], "publisher": df["publisher"], "title": df["title"],
                         "years": df["year"], "licence": get("licence"),
                         "file": df["file"] if "file" in df.columns else get("url"), "retrieved": "",
                         "notes": get("url")})


def read_defs(pack: Path, source_ids: set[str]) -> pd.DataFrame:
    f = pf.DEFS_FILE
    df = _csv(pack, f)
    _text_id(df, "indicator_id", f, unique=True)
    _required_text(df, ["label", "unit", "domain", "source_id"], f)
    first_bad(df, ~df["domain"].isin(pf.DOMAINS), f, "domain", f"domain must be one of {list(pf.DOMAINS)}")
    # Demographic shares describe an area without ranking it, so they alone may leave higher_is blank.
    bad_dir = ~df["higher_is"].isin(pf.HIGHER_IS) & ~((df["higher_is"] == "") & (df["domain"] == "demographic"))
    first_bad(df, bad_dir, f, "higher_is", f"higher_is must be one of {list(pf.HIGHER_IS)}")
    first_bad(df, ~df["source_id"].isin(source_ids), f, "source_id", "unknown source_id: not in sources.csv")
    in_domain = df["domain"].isin(pf.INDEX_DOMAINS) & (df["higher_is"] != "")
    if "in_need_index" in df.columns:
        flag = df["in_need_index"].str.lower()
        first_bad(df, ~flag.isin(_TRUE | _FALSE | {""}), f, "in_need_index", "expected yes, no or blank")
        in_index = in_domain & ~flag.isin(_FALSE)
    else:
        in_index = in_domain
    return pd.DataFrame({
        "indicator_id": df["indicator_id"], "label": df["label"], "unit": df["unit"],
        "higher_is": df["higher_is"].replace("", None), "domain": df["domain"], "source_id": df["source_id"],
        "definition": df["definition"] if "definition" in df.columns else "",
        "moe_level": (df["moe_level"].replace("", None) if "moe_level" in df.columns else None),
        "in_need_index": in_index.astype(bool), "sort_order": range(len(df)), ROW_COLUMN: df[ROW_COLUMN]})


def read_areas(pack: Path) -> gpd.GeoDataFrame:
    f = pf.AREAS_FILE
    _path(pack, f)
    gdf = features_frame(read_geojson(pack / f), f, ["area_id", "name"])
    gdf["area_id"] = [("" if v is None else str(v).strip()) for v in gdf["area_id"]]
    gdf["name"] = [("" if v is None else str(v).strip()) for v in gdf["name"]]
    _text_id(gdf, "area_id", f, unique=True)
    first_bad(gdf, gdf["name"] == "", f, "name", "a name is required here")
    gdf = check_polygons(gdf, f, "area_id")
    check_lonlat_order(gdf, f, "area_id")
    if "population" in gdf.columns:
        text = gdf[["population", ROW_COLUMN]].assign(population=gdf["population"].map(
            lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)))
        pop = to_number(text, "population", f)
        first_bad(text, pop < 0, f, "population", "population cannot be negative")
        gdf["population"] = pop.to_numpy()
    out = gpd.GeoDataFrame(gdf[["area_id", "name"] + (["population"] if "population" in gdf else []) + [ROW_COLUMN]],
                           geometry=gdf.geometry.to_crs(WGS84).values, crs=WGS84)
    return out.reset_index(drop=True)


def read_tracts(pack: Path, areas: gpd.GeoDataFrame, union, q: QualityLog) -> pd.DataFrame:
    f = pf.TRACTS_FILE
    df = _csv(pack, f)
    _text_id(df, "tract_id", f, unique=True)
    first_bad(df, df["area_id"] == "", f, "area_id", "an area_id is required here")
    df["population"] = to_number(df, "population", f, allow_blank=False)
    first_bad(df, df["population"] < 0, f, "population", "population cannot be negative")
    _lonlat(df, f, union)
    groups = [c for c in pf.OPTIONAL[f] if c in df.columns]
    for c in groups:
        df[c] = to_number(df, c, f)
        first_bad(df, df[c] < 0, f, c, "a count cannot be negative")
        first_bad(df, df[c] > df["population"], f, c, "a group cannot be larger than the tract's population")
    unknown = ~df["area_id"].isin(set(areas["area_id"]))
    if unknown.any():
        q.add(f, "tract in an unknown area", int(unknown.sum()), "dropped",
              f"{df.loc[unknown, 'population'].sum():,.0f} residents in tracts whose area_id is not in areas.geojson "
              f"(e.g. {', '.join(df.loc[unknown, 'area_id'].unique()[:5])})")
    df = df.loc[~unknown]
    return df[["tract_id", "area_id", "population", "lon", "lat"] + groups].reset_index(drop=True)


def read_indicators(pack: Path, area_ids: set[str], defs: pd.DataFrame, source_ids: set[str],
                    q: QualityLog) -> pd.DataFrame:
    f = pf.INDICATORS_FILE
    df = _csv(pack, f)
    first_bad(df, df["area_id"] == "", f, "area_id", "an area_id is required here")
    first_bad(df, ~df["indicator_id"].isin(set(defs["indicator_id"])), f, "indicator_id",
              "unknown indicator_id: not in indicator_defs.csv")
    first_bad(df, df["period"] == "", f, "period", "a period is required here")
    first_bad(df, df.duplicated(["area_id", "indicator_id", "period"]), f, "period",
              "this area, indicator and period appear twice")
    out = pd.DataFrame({"area_id": df["area_id"], "indicator_id": df["indicator_id"], "period": df["period"],
                        ROW_COLUMN: df[ROW_COLUMN]})
    for c in ("value", "moe", "ci_low", "ci_high", "numerator", "denominator"):
        out[c] = _optional_number(df, c, f)
    for c in ("moe", "numerator", "denominator"):
        first_bad(df, out[c] < 0, f, c, "cannot be negative")
    first_bad(df, out["ci_low"] > out["ci_high"], f, "ci_low", "the lower confidence limit is above the upper one")
    flag = df["flag"].str.lower() if "flag" in df.columns else pd.Series("", index=df.index)
    first_bad(df.assign(flag=flag), ~flag.isin(set(pf.FLAGS) | {""}), f, "flag",
              f"flag must be blank or one of {list(pf.FLAGS)}")
    out["flag"] = flag.replace("", None)
    out["unstable"] = flag == "unstable"
    def_source = defs.set_index("indicator_id")["source_id"]
    given = df["source_id"] if "source_id" in df.columns else pd.Series("", index=df.index)
    first_bad(df, (given != "") & ~given.isin(source_ids), f, "source_id", "unknown source_id: not in sources.csv")
    out["source_id"] = given.where(given != "", df["indicator_id"].map(def_source))
    unknown = ~out["area_id"].isin(area_ids)
    if unknown.any():
        q.add(f, "indicator row for an unknown area", int(unknown.sum()), "dropped",
              f"area_id not in areas.geojson (e.g. {', '.join(out.loc[unknown, 'area_id'].unique()[:5])})")
    suppressed = out["flag"].eq("suppressed") & ~unknown
    if suppressed.any():
        q.add(f, "value suppressed by its publisher", int(suppressed.sum()), "kept",
              "shown as its publisher shows it: no value, marked suppressed")
    return out.loc[~unknown].drop(columns=ROW_COLUMN).reset_index(drop=True)


def read_places(pack: Path, name: str, id_col: str, known: dict[str, str], areas: gpd.GeoDataFrame, union,
                source_ids: set[str], q: QualityLog, what: str) -> pd.DataFrame:
    df = _csv(pack, name)
    cols = [id_col, "name", "kind", "address", "lon", "lat", "area_id", "source_id"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    _text_id(df, id_col, name, unique=True)
    _required_text(df, ["name", "kind"], name)
    _lonlat(df, name, union)
    src = df["source_id"] if "source_id" in df.columns else pd.Series("", index=df.index)
    first_bad(df, (src != "") & ~src.isin(source_ids), name, "source_id", "unknown source_id: not in sources.csv")
    df = df.drop(columns=["area_id"], errors="ignore")
    placed = place_points(df, areas, name, q, what=what)
    return pd.DataFrame({id_col: placed[id_col], "name": placed["name"],
                         "kind": placed["kind"].map(lambda k: pf.kind_label(k, known)),
                         "address": placed["address"] if "address" in placed.columns else "",
                         "lon": placed["lon"], "lat": placed["lat"], "area_id": placed["area_id"],
                         "source_id": placed["source_id"] if "source_id" in placed.columns else ""}
                        ).reset_index(drop=True)


def read_languages(pack: Path, area_ids: set[str], source_ids: set[str], q: QualityLog) -> pd.DataFrame:
    f = pf.LANGUAGES_FILE
    df = _csv(pack, f, required=False)
    cols = ["area_id", "language", "speakers", "source_id"]
    if df is None or df.empty:
        return pd.DataFrame(columns=cols)
    _required_text(df, ["area_id", "language"], f)
    df["speakers"] = to_number(df, "speakers", f, allow_blank=False)
    first_bad(df, df["speakers"] < 0, f, "speakers", "a count of speakers cannot be negative")
    df["language"] = df["language"].str.lower()
    first_bad(df, df.duplicated(["area_id", "language"]), f, "language", "this area and language appear twice")
    # Unlike tracts and indicator rows (dropped by rule, DESIGN §2b), a language row names an area the pack
    # made itself, so an unknown id is a typing error and is refused.
    first_bad(df, ~df["area_id"].isin(area_ids), f, "area_id", "unknown area_id: not in areas.geojson")
    src = df["source_id"] if "source_id" in df.columns else pd.Series("", index=df.index)
    first_bad(df, (src != "") & ~src.isin(source_ids), f, "source_id", "unknown source_id: not in sources.csv")
    df["source_id"] = src
    return df[cols].reset_index(drop=True)


def read_quality(pack: Path) -> pd.DataFrame:
    f = pf.QUALITY_FILE
    df = _csv(pack, f, required=False)
    cols = ["file", "rule", "rows_affected", "action", "detail"]
    if df is None or df.empty:
        return pd.DataFrame(columns=cols)
    rows = to_number(df, "rows_affected", f, allow_blank=False)
    first_bad(df, (rows < 0) | (rows % 1 != 0), f, "rows_affected", "expected a whole number of rows")
    return pd.DataFrame({"file": df["file"], "rule": df["rule"], "rows_affected": rows.astype(int),
                         "action": df["action"], "detail": df["detail"] if "detail" in df.columns else ""})


def _pack_files(pack: Path) -> list[Path]:
    names = [pf.CITY_FILE, pf.AREAS_FILE, pf.TRACTS_FILE, pf.INDICATORS_FILE, pf.DEFS_FILE, pf.SOURCES_FILE,
             pf.SITES_FILE, pf.VENUES_FILE, pf.LANGUAGES_FILE, pf.QUALITY_FILE]
    return [pack / n for n in names if (pack / n).exists()]


def read_pack(pack: Path | str, progress: Progress = _quiet) -> Reference:
    """Read and validate every file of the pack at ``pack``; return the city's Reference.

    Raises
    ------
    InputError
        At the first problem, naming the file, the row (header = row 1; a feature's position in the GeoJSON;
        a line of city.toml) and the column.
    """
    pack = Path(pack)
    if not pack.is_dir():
        raise InputError(str(pack), None, None, "city pack folder not found")
    for name in (pf.CITY_FILE, pf.AREAS_FILE, pf.TRACTS_FILE, pf.INDICATORS_FILE, pf.DEFS_FILE, pf.SOURCES_FILE,
                 pf.SITES_FILE, pf.VENUES_FILE):
        _path(pack, name)
    q = QualityLog()
    progress("Reading the city pack: city.toml, sources and indicator definitions")
    city = read_city(pack)
    sources = read_sources(pack)
    source_ids = set(sources["source_id"])
    defs = read_defs(pack, source_ids)
    if city["headline_indicator"] not in set(defs["indicator_id"]):
        raise InputError(pf.CITY_FILE, city["_lines"].get("headline_indicator"), "headline_indicator",
                         f"{city['headline_indicator']!r} is not an indicator_id in indicator_defs.csv")
    progress("Reading areas")
    areas = read_areas(pack)
    ids = set(areas["area_id"])
    union = shapely.union_all(areas.geometry.values)
    shapely.prepare(union)
    progress("Reading tracts")
    tracts = read_tracts(pack, areas, union, q)
    progress("Reading indicators")
    indicators = read_indicators(pack, ids, defs, source_ids, q)
    progress("Reading service sites, venues and languages")
    sites = read_places(pack, pf.SITES_FILE, "site_id", pf.SITE_KINDS, areas, union, source_ids, q,
                        "service sites")
    venues = read_places(pack, pf.VENUES_FILE, "venue_id", pf.VENUE_KINDS, areas, union, source_ids, q, "venues")
    languages = read_languages(pack, ids, source_ids, q)

    tract_pop = tracts.groupby("area_id")["population"].sum()
    if "population" in areas.columns:
        areas["population"] = areas["population"].fillna(areas["area_id"].map(tract_pop))
    else:
        areas["population"] = areas["area_id"].map(tract_pop)
    areas["population"] = areas["population"].fillna(0.0).astype(float)
    lon, lat = centroids_lonlat(areas)
    areas = areas.assign(lon=lon, lat=lat)

    latest = (indicators.sort_values("period").groupby("indicator_id")[["period"]].last().reset_index())
    used = defs.merge(latest, on="indicator_id", how="inner")
    unused = defs.loc[~defs["indicator_id"].isin(used["indicator_id"])]
    if city["headline_indicator"] in set(unused["indicator_id"]):
        raise InputError(pf.INDICATORS_FILE, None, "indicator_id",
                         f"the headline indicator {city['headline_indicator']!r} has no rows for any known area")
    if len(unused):
        q.add(pf.DEFS_FILE, "definition with no values", len(unused), "dropped",
              "indicators with no rows for a known area: " + ", ".join(unused["indicator_id"]))
    quality = pd.concat([read_quality(pack), q.to_frame()], ignore_index=True)
    city = {k: v for k, v in city.items() if k != "_lines"}
    return Reference(
        kind="demo" if city.get("synthetic") else "pack",
        areas=areas[["area_id", "name", "population", "lon", "lat", "geometry"]], tracts=tracts,
        indicators=indicators, indicator_defs=used.drop(columns=ROW_COLUMN), area_language=languages,
        venues=venues, service_sites=sites, sources=sources, quality=quality, inputs=_pack_files(pack), city=city)


def check_pack(pack: Path | str) -> PackCheck:
    """Validate a pack without building anything: the counts it would publish and the rows it would drop."""
    ref = read_pack(pack)
    counts = {"areas": len(ref.areas), "tracts": len(ref.tracts), "indicators": len(ref.indicators),
              "indicator definitions": len(ref.indicator_defs), "service sites": len(ref.service_sites),
              "venues": len(ref.venues), "language rows": len(ref.area_language), "sources": len(ref.sources),
              "tract population": int(round(ref.tracts["population"].sum()))}
    dropped = ref.quality.loc[ref.quality["action"] == "dropped"].reset_index(drop=True)
    return PackCheck(city=ref.city, counts=counts, dropped=dropped)


def pack_summary(check: PackCheck) -> str:
    """The text ``atlas check-pack`` prints."""
    out = io.StringIO()
    out.write(f"city pack OK: {check.city.get('name')} ({check.city.get('area_label_plural')})\n")
    for k, v in check.counts.items():
        out.write(f"  {k}: {v:,}\n")
    if check.dropped.empty:
        out.write("nothing would be dropped\n")
    else:
        out.write("would drop:\n")
        for r in check.dropped.itertuples():
            out.write(f"  {r.file}: {r.rule}: {r.rows_affected:,} rows ({r.detail})\n")
    return out.getvalue()
