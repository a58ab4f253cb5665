"""The Data & methods page's content: indicator provenance, method notes, the data-quality report, downloads."""

from __future__ import annotations

import html
import re

import pandas as pd

from core.store import queries

METHOD_NOTES_MD = """
**Percentile rank.** (rank − 1) / (N − 1) over the areas that have a value, ties at the lowest rank (CDC/ATSDR SVI).

**Unstable rates.** A rate built on fewer than 20 events (e.g. suicide deaths in an area over five years) is flagged
*unstable*, following CDC WISQARS. Deaths are estimated from the published rate × population × 5 years only to set
the flag; the estimate is not published.

**Public figures and our own.** Figures republished from a public source (census counts, survey estimates, death
rates) are shown exactly as their publisher shows them, with the publisher's own suppression and flags such as
*unstable*, the same way on every page and in every download. The small-numbers rule below governs every figure we
compute from the programme inventory, which is not public.

**Travel cost.** Straight-line (haversine) distance × 1.3 circuity ÷ 4.8 km/h walking speed, in minutes, unless a city
supplies its own travel-time matrix.

**Coverage (E2SFCA, Luo & Qi 2009).** Demand is tract population at the tract centroid; supply is a programme's weekly
places. Step decay 1.00 / 0.68 / 0.22 in the three thirds of the catchment (default 30 minutes); Gaussian and no decay
are offered. An area's value is the population-weighted mean of its tracts, reported per 1,000 residents.

**Tract populations.** From the city pack's tracts file (census tracts or the city's own demand units). Group populations of a tract (aged 65+, in
poverty, limited English) are the tract population × its area's share, because the sources publish those shares by area.

**Inclusion (the Urban Institute Spatial Equity Data Tool's disparity).** For each group (aged 65+, limited English,
disability, low income, people of colour), the participants' share over the latest quarters, with a Wilson 95%
interval, minus the residents' share within a 30-minute walk of the programme (each tract at its area's share). A
group is compared only with a residents' share the data declares (65+, limited English, disability, poverty, and
people of colour as 100% minus non-Hispanic White); none is ever guessed. A share is shown only where the group,
the participants and those outside the group are each 0 or at least 11.

**Volunteers and partners.** Volunteer hours × an hourly value (a setting; default Independent Sector's Value of
Volunteer Time). Retention over the window: (active at the end − joined since the start) ÷ active at the start.
Single coordinator: a programme naming one. Referrals per 100 participants, over the quarters that record them.

**Sustainability self-assessment.** The Program Sustainability Assessment Tool's eight domain scores (1–7, Luke et al.
2014); overall = their mean; weakest = the lowest. Capacity risk: overall below 4 (our threshold), set beside runway
and funder concentration.

**Resilience.** The Brief Resilience Scale (Smith et al. 2008; 1–5) change, pooled like every outcome, with a t 95%
interval, shown only where n ≥ 11.
"""


def small_numbers_md() -> str:
    """The suppression rule as the Data & methods page states it."""
    from core.analysis.suppression import SUPPRESSION_RULE_MD

    return SUPPRESSION_RULE_MD


def indicator_table(con) -> pd.DataFrame:
    d = queries.indicator_defs(con)
    return d[["label", "domain", "unit", "higher_is", "period", "definition", "publisher", "source_title",
              "licence", "moe_level"]].rename(columns={
                  "label": "Indicator", "domain": "Domain", "unit": "Unit", "higher_is": "Higher is",
                  "period": "Period", "definition": "Definition", "publisher": "Publisher",
                  "source_title": "Dataset", "licence": "Licence", "moe_level": "Uncertainty given"})


def source_table(con) -> pd.DataFrame:
    return queries.sources(con)[["publisher", "title", "years", "licence", "file", "retrieved"]]


def quality_table(con) -> pd.DataFrame:
    return queries.data_quality(con).rename(columns={"rows_affected": "rows"})


def manifest_inputs(con) -> pd.DataFrame:
    """The input files the published database was built from: name, SHA-256 and size, to check a copy against."""
    m = queries.manifest(con)
    files = m.loc[~m["file"].str.startswith("table:")]
    return pd.DataFrame({"Input file": files["file"].to_numpy(), "SHA-256": files["sha256"].to_numpy(),
                         "Bytes": files["bytes"].to_numpy()})


def manifest_rows(con) -> pd.DataFrame:
    """Rows written to each table of the published database."""
    m = queries.manifest(con)
    tables = m.loc[m["file"].str.startswith("table:")]
    return pd.DataFrame({"Table": tables["file"].str.removeprefix("table:").to_numpy(),
                         "Rows": tables["rows"].to_numpy()})


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~$])")


def _md_text(text: str) -> str:
    """Text from a file made safe for st.markdown: HTML escaped, markdown punctuation backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def city_notes_md(info: dict[str, str]) -> str:
    """The city pack's own notes (what it lacks, how it was made), escaped: they are text from a file.

    >>> city_notes_md({"city_name": "Tiny", "city_notes": "No *senior* centres <here>."})
    '**About the Tiny data.** No \\\\*senior\\\\* centres &lt;here&gt;.'
    """
    return f"**About the {_md_text(info.get('city_name') or 'city')} data.** {_md_text(info.get('city_notes', ''))}"


def build_summary_md(info: dict[str, str]) -> str:
    """One sentence on when and from what the published database was built, from its ``build_info``.

    Examples
    --------
    >>> build_summary_md({"built_at": "2026-11-25T22:01:00+00:00", "build_seconds": "10.2", "data_kind": "pack",
    ...                   "city_name": "Springfield", "inventory_kind": "supplied", "as_of": "2026-10-01"})[:73]
    'Built **2026-11-25 22:01 UTC** in 10.2 s from **the Springfield city pack'
    """
    built = info.get("built_at", "?").replace("T", " ")[:16] + " UTC"
    city = info.get("city_name") or "the city"
    data = {"pack": f"the {city} city pack", "chicago": f"the {city} raw files",
            "demo": "SYNTHETIC demo data"}.get(info.get("data_kind", ""), "unknown data")
    seed = f" (seed {info['inventory_seed']})" if info.get("inventory_seed") else ""
    return (f"Built **{built}** in {info.get('build_seconds', '?')} s from **{data}** and a "
            f"**{info.get('inventory_kind', 'unknown')}** inventory{seed}; funding figures as of {info.get('as_of', '?')}. "
            "The database is rebuilt into a new file, checked, and only then swapped in whole, so the checksums and "
            "row counts below always describe exactly what this atlas shows.")


# Inventory counts of people are published only at the granularities the pages need, where they are protected as a
# linked set (core.analysis.disclosure): a table of each programme's quarters, or each programme's volunteers, would
# hand over the cells those pages hide (issue 13: a hidden area count was the trend total minus program_period.csv).
WITHHELD_TABLES = ("program_period",)
WITHHELD_COLUMNS = {"program": ("volunteer_count",)}


def export_tables() -> tuple[str, ...]:
    """The tables Data & methods offers whole: every public one, and the inventory's without its people counts."""
    return tuple(t for t in queries.EXPORTABLE_TABLES if t not in WITHHELD_TABLES)


# Columns of the inventory tables that count people, and the rates or means built on each count. Should one of them
# be offered whole again, its download obeys the small-numbers rule: a count of 1-10 and what is built on it become
# "<11". Tables republished from public sources (area, tract, indicator, area_language) are written as their
# publishers publish them (METHOD_NOTES_MD). A programme's coordinator_count is a staffing fact the Impact page shows
# (one coordinator = fragile), not a count of the people it serves, so it stays.
PERSON_COUNTS: dict[str, tuple[list[str], dict[str, str]]] = {
    "program": (["volunteer_count"], {}),
    "program_period": (["participants", "participants_65plus", "participants_limited_english",
                        "participants_disability", "participants_low_income", "participants_poc", "volunteers_active",
                        "volunteers_joined", "volunteers_left", "referrals_to_professional",
                        "referrals_from_professional", "n_pre_post"], {"mean_change": "n_pre_post", "sd_change": "n_pre_post"}),
}


def table_csv(con, name: str) -> bytes:
    """A whole table as CSV for download: counts of 1-10 people suppressed, spreadsheet formulas defused.

    ``name`` must be one of :func:`export_tables`; the inventory's people counts are not in it.
    """
    from core.analysis.suppression import safe_csv

    if name not in export_tables():
        raise ValueError(f"table {name!r} is not offered for download")
    table = queries.table(con, name).drop(columns=list(WITHHELD_COLUMNS.get(name, ())), errors="ignore")
    counts, rates = PERSON_COUNTS.get(name, ([], {}))
    return safe_csv(table, [c for c in counts if c in table], {r: c for r, c in rates.items() if r in table})
