"""Named questions to the atlas database: one function per question, values bound, names from an allow-list."""

from __future__ import annotations

import duckdb
import pandas as pd

from core.store.db import query

Con = duckdb.DuckDBPyConnection

# Area ids are text ('9', '77', 'BK01'); left-padding orders numeric ids by value, as core.base.ids does.
AREA_ORDER = "lpad(area_id, 24, '0')"

# Tables a user may download whole (Data & methods). Anything else is refused, so a widget value can never
# name an arbitrary table.
EXPORTABLE_TABLES = ("area", "tract", "indicator", "indicator_def", "area_language", "source", "venue",
                     "service_site", "program", "funding", "program_period", "data_quality", "manifest", "build_info")


def areas(con: Con) -> pd.DataFrame:
    return query(con, "SELECT area_id, name, population, lon, lat, geometry_simplified FROM area ORDER BY " + AREA_ORDER)


def tracts(con: Con) -> pd.DataFrame:
    return query(con, "SELECT tract_id, area_id, population, lon, lat, pop_65plus, pop_poverty, pop_limited_english "
                      "FROM tract ORDER BY tract_id")


def indicator_defs(con: Con) -> pd.DataFrame:
    return query(con, """
        SELECT d.*, s.publisher, s.title AS source_title, s.years AS source_years, s.licence
        FROM indicator_def d LEFT JOIN source s USING (source_id)
        ORDER BY d.sort_order""")


def need_index_ids(con: Con) -> list[str]:
    """The indicators the need index is built from, in display order."""
    return query(con, "SELECT indicator_id FROM indicator_def WHERE in_need_index ORDER BY sort_order")[
        "indicator_id"].tolist()


def latest_indicators(con: Con, indicator_ids: list[str] | None = None) -> pd.DataFrame:
    """Each area's value in the latest period of each indicator (long form)."""
    return query(con, """
        SELECT i.area_id, i.indicator_id, i.period, i.value, i.moe, i.numerator, i.denominator, i.unstable,
               i.ci_low, i.ci_high, i.flag
        FROM indicator i JOIN indicator_def d USING (indicator_id, period)
        WHERE ? IS NULL OR list_contains(?, i.indicator_id)
        ORDER BY lpad(i.area_id, 24, '0'), d.sort_order""", [indicator_ids, indicator_ids])


def area_languages(con: Con) -> pd.DataFrame:
    return query(con, "SELECT area_id, language, speakers FROM area_language ORDER BY " + AREA_ORDER +
                 ", speakers DESC")


def venues(con: Con) -> pd.DataFrame:
    return query(con, "SELECT venue_id, name, kind, address, lon, lat, area_id FROM venue ORDER BY venue_id")


def service_sites(con: Con, kinds: list[str] | None = None) -> pd.DataFrame:
    return query(con, """SELECT site_id, name, kind, address, lon, lat, area_id, source_id FROM service_site
                         WHERE ? IS NULL OR list_contains(?, kind) ORDER BY site_id""", [kinds, kinds])


def programs(con: Con) -> pd.DataFrame:
    return query(con, """SELECT p.*, v.name AS venue_name, a.name AS area_name
                         FROM program p LEFT JOIN venue v ON v.venue_id = p.venue_id
                         JOIN area a ON a.area_id = p.area_id
                         ORDER BY p.program_id""")


def funding(con: Con) -> pd.DataFrame:
    return query(con, "SELECT * FROM funding ORDER BY program_id, funding_id")


def program_periods(con: Con) -> pd.DataFrame:
    return query(con, "SELECT * FROM program_period ORDER BY program_id, period")


def data_quality(con: Con) -> pd.DataFrame:
    return query(con, "SELECT * FROM data_quality ORDER BY file, rule")


def sources(con: Con) -> pd.DataFrame:
    return query(con, "SELECT * FROM source ORDER BY source_id")


def manifest(con: Con) -> pd.DataFrame:
    return query(con, "SELECT * FROM manifest ORDER BY file")


def latest_indicator_flags(con: Con) -> pd.DataFrame:
    """The publisher's confidence limits and flags (suppressed, unstable, caution) of each latest value."""
    return query(con, """
        SELECT i.area_id, i.indicator_id, i.period, i.ci_low, i.ci_high, i.flag
        FROM indicator i JOIN indicator_def d USING (indicator_id, period)
        ORDER BY lpad(i.area_id, 24, '0'), d.sort_order""")


def build_info(con: Con) -> dict[str, str]:
    df = query(con, "SELECT key, value FROM build_info")
    return dict(zip(df["key"], df["value"]))


def table(con: Con, name: str) -> pd.DataFrame:
    """A whole table for download; ``name`` must be in EXPORTABLE_TABLES."""
    if name not in EXPORTABLE_TABLES:
        raise ValueError(f"unknown table {name!r}")
    # The name comes from the allow-list above, never from free text, so quoting it is safe.
    return query(con, f'SELECT * FROM "{name}"')
