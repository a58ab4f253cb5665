"""Writing a city pack from a reader's Reference: what `atlas pack CITY` produces, in the fixed §2b format."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from core.ingest import pack_format as pf
from core.ingest.reference_data import Reference


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(str(v), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def city_toml(city: dict) -> str:
    return "".join(f"{k} = {_toml_value(v)}\n" for k, v in city.items() if v is not None)


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _flag(row) -> str:
    return "unstable" if bool(row) else ""


def write_pack(ref: Reference, city: dict, out: Path | str) -> Path:
    """Write ``ref`` as a city pack into the folder ``out`` (created if needed); return the folder."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / pf.CITY_FILE).write_text(city_toml(city), encoding="utf-8")

    areas = ref.areas[["area_id", "name", "population", "geometry"]].copy()
    areas["area_id"] = areas["area_id"].astype(str)
    (out / pf.AREAS_FILE).write_text(areas.to_json(drop_id=True, ensure_ascii=False), encoding="utf-8")

    tracts = ref.tracts.copy()
    tracts["area_id"] = tracts["area_id"].astype(str)
    _csv(tracts[[c for c in pf.REQUIRED[pf.TRACTS_FILE] + pf.OPTIONAL[pf.TRACTS_FILE] if c in tracts]],
         out / pf.TRACTS_FILE)

    ind = ref.indicators.copy()
    ind["area_id"] = ind["area_id"].astype(str)
    if "flag" not in ind.columns:
        unstable = ind["unstable"] if "unstable" in ind.columns else pd.Series(False, index=ind.index)
        ind["flag"] = unstable.fillna(False).map(_flag)
    cols = pf.REQUIRED[pf.INDICATORS_FILE] + pf.OPTIONAL[pf.INDICATORS_FILE]
    _csv(ind.reindex(columns=cols), out / pf.INDICATORS_FILE)

    defs = ref.indicator_defs.copy()
    defs["in_need_index"] = defs["in_need_index"].map(lambda b: "yes" if b else "no")
    cols = pf.REQUIRED[pf.DEFS_FILE] + pf.OPTIONAL[pf.DEFS_FILE]
    _csv(defs.sort_values("sort_order").reindex(columns=cols) if "sort_order" in defs else defs.reindex(columns=cols),
         out / pf.DEFS_FILE)

    src = ref.sources.rename(columns={"years": "year"})
    _csv(src.reindex(columns=pf.REQUIRED[pf.SOURCES_FILE] + pf.OPTIONAL[pf.SOURCES_FILE]), out / pf.SOURCES_FILE)

    for frame, name, id_col, known in ((ref.service_sites, pf.SITES_FILE, "site_id", pf.SITE_KINDS),
                                       (ref.venues, pf.VENUES_FILE, "venue_id", pf.VENUE_KINDS)):
        f = frame.copy()
        f["kind"] = f["kind"].map(lambda k: pf.kind_word(k, known))
        _csv(f.reindex(columns=pf.REQUIRED[name] + pf.OPTIONAL[name]), out / name)

    if len(ref.area_language):
        lang = ref.area_language.copy()
        lang["area_id"] = lang["area_id"].astype(str)
        _csv(lang.reindex(columns=pf.REQUIRED[pf.LANGUAGES_FILE] + pf.OPTIONAL[pf.LANGUAGES_FILE]),
             out / pf.LANGUAGES_FILE)
    if len(ref.quality):
        _csv(ref.quality.reindex(columns=pf.REQUIRED[pf.QUALITY_FILE] + pf.OPTIONAL[pf.QUALITY_FILE]),
             out / pf.QUALITY_FILE)
    return out
