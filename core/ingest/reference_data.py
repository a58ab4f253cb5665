"""The Reference: everything public the atlas knows about a city, as frames, before it goes into DuckDB."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from core.base.percentile import percentile_rank
from core.ingest.indicator_catalog import catalog_frame


@dataclass
class Reference:
    """Everything public the atlas knows about a city, before it goes into DuckDB."""

    kind: str                      # 'pack' (a city's real data), a reader's name, or 'demo' (synthetic)
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
    city: dict = field(default_factory=dict)  # city.toml: name, area_label, area_label_plural, headline_indicator…

    @property
    def area_facts(self) -> pd.DataFrame:
        """area_id, name, population, share_65plus (0–1) and need (percentile of the headline indicator, 0–1).

        The share aged 65+ is the ``share_65plus`` indicator where the pack has one, else the tracts' ``pop_65plus``.
        """
        latest = self.indicators.sort_values("period").groupby(["area_id", "indicator_id"]).tail(1)
        wide = latest.pivot(index="area_id", columns="indicator_id", values="value")
        facts = self.areas[["area_id", "name", "population"]].set_index("area_id")
        if "share_65plus" in wide.columns:
            facts["share_65plus"] = wide["share_65plus"] / 100
        elif "pop_65plus" in self.tracts.columns:
            sums = self.tracts.groupby("area_id")[["pop_65plus", "population"]].sum(min_count=1)
            facts["share_65plus"] = sums["pop_65plus"] / sums["population"].where(sums["population"] > 0)
        else:
            facts["share_65plus"] = np.nan
        headline = self.city.get("headline_indicator", "unmet_need")
        facts["need"] = percentile_rank(wide.get(headline, pd.Series(np.nan, index=facts.index)))
        return facts.reset_index()


def defs_with_periods(indicators: pd.DataFrame, moe_levels: dict[str, str]) -> pd.DataFrame:
    """The catalogue, restricted to indicators present, with each one's latest period and source."""
    cat = catalog_frame()
    latest = (indicators.sort_values("period").groupby("indicator_id")[["period", "source_id"]].last().reset_index())
    defs = cat.merge(latest, on="indicator_id", how="inner")
    defs["moe_level"] = defs["source_id"].map(moe_levels)
    return defs
