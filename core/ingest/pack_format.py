"""The city pack format (DESIGN.md §2b): its files, their columns, and the words a pack may use."""

from __future__ import annotations

CITY_FILE = "city.toml"
AREAS_FILE = "areas.geojson"
TRACTS_FILE = "tracts.csv"
INDICATORS_FILE = "indicators.csv"
DEFS_FILE = "indicator_defs.csv"
SOURCES_FILE = "sources.csv"
SITES_FILE = "service_sites.csv"
VENUES_FILE = "venues.csv"
LANGUAGES_FILE = "languages.csv"
# Optional: the rules the reader that made the pack applied to the raw files, carried into the data-quality table.
QUALITY_FILE = "data_quality.csv"

CITY_REQUIRED = ("name", "area_label", "area_label_plural", "headline_indicator")

# Required columns of each CSV file; every other documented column is optional (data/city-pack/README.md).
REQUIRED = {
    TRACTS_FILE: ["tract_id", "area_id", "population", "lon", "lat"],
    INDICATORS_FILE: ["area_id", "indicator_id", "period", "value"],
    DEFS_FILE: ["indicator_id", "label", "unit", "higher_is", "domain", "source_id"],
    SOURCES_FILE: ["source_id", "publisher", "title", "year"],
    SITES_FILE: ["site_id", "name", "kind", "lon", "lat"],
    VENUES_FILE: ["venue_id", "name", "kind", "lon", "lat"],
    LANGUAGES_FILE: ["area_id", "language", "speakers"],
    QUALITY_FILE: ["file", "rule", "rows_affected", "action"],
}
OPTIONAL = {
    TRACTS_FILE: ["pop_65plus", "pop_poverty", "pop_limited_english"],
    INDICATORS_FILE: ["moe", "ci_low", "ci_high", "numerator", "denominator", "flag", "source_id"],
    DEFS_FILE: ["definition", "moe_level", "in_need_index"],
    SOURCES_FILE: ["licence", "url", "file"],
    SITES_FILE: ["address", "source_id"],
    VENUES_FILE: ["address", "source_id"],
    LANGUAGES_FILE: ["source_id"],
    QUALITY_FILE: ["detail"],
}
# A file that may have a header and no rows.
MAY_BE_EMPTY = {SITES_FILE, LANGUAGES_FILE, QUALITY_FILE}

HIGHER_IS = ("worse", "better")
DOMAINS = ("need", "vulnerability", "barrier", "demographic")
INDEX_DOMAINS = ("need", "vulnerability", "barrier")
FLAGS = ("suppressed", "unstable", "caution")

# Known kind words and how the atlas writes them; any other word is kept and shown as written.
SITE_KINDS = {
    "mental_health_clinic": "mental-health clinic",
    "community_health_centre": "community health centre",
    "mental_health_programme": "mental-health programme",
    "hospital": "hospital",
    "substance_use_treatment": "substance-use treatment",
}
VENUE_KINDS = {
    "library": "library",
    "senior_centre": "senior centre",
    "community_centre": "community centre",
    "college": "college",
    "school": "school",
    "faith": "faith",
    "park": "park",
}


def kind_word(label: str, known: dict[str, str]) -> str:
    """The pack word for a display label ('mental-health clinic' → 'mental_health_clinic'); unknown labels unchanged.

    >>> kind_word("senior centre", VENUE_KINDS), kind_word("bingo hall", VENUE_KINDS)
    ('senior_centre', 'bingo hall')
    """
    back = {v: k for k, v in known.items()}
    return back.get(label, label)


def kind_label(word: str, known: dict[str, str]) -> str:
    """The display label for a pack word ('senior_centre' → 'senior centre'); unknown words unchanged."""
    return known.get(word, word)
