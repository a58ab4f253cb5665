"""The programme & funding inventory format: its three CSV files, every column, and their pandera schemas."""

from __future__ import annotations

from dataclasses import dataclass

import pandera.pandas as pa

from core.base.psat import PSAT_DOMAINS

SERVICE_TYPES = ("peer_support", "workshop", "community_event", "support_group", "helpline", "drop_in")
POPULATIONS = ("general", "youth", "older_adults", "lgbtq", "veterans", "caregivers", "new_parents", "bereaved",
               "black", "latino", "asian")
SOURCE_TYPES = ("local government", "state or federal", "business", "foundation", "community donations", "in-kind")
FUNDING_STATUSES = ("committed", "pending", "ended")
# What kind of organisation a funder is: finer than source_type, so that a reader can find "the largest foundation"
# or "every state agency" without guessing from names.
FUNDER_TYPES = ("city or county agency", "state agency", "federal agency", "private foundation", "family foundation",
                "community foundation", "charitable trust", "company", "giving circle", "faith organisation",
                "individual donors", "other")
PARTNER_ROLES = ("training", "supervision", "referral", "co_delivery")

PSAT_MIN, PSAT_MAX = 1, 7

# Participant groups counted per quarter (program_periods.csv column, label); each is a subset of participants.
PARTICIPANT_GROUPS: dict[str, str] = {
    "participants_65plus": "Aged 65+",
    "participants_limited_english": "Limited English",
    "participants_disability": "Disability",
    "participants_low_income": "Low income",
    "participants_poc": "People of colour",
}

# Plausibility limits. They are far above anything a community programme reports, so that only a slipped
# digit, a pasted total or a value in the wrong unit trips them.
MAX_WEEKLY_CAPACITY = 2_000
MAX_AMOUNT = 10_000_000
MIN_YEAR, MAX_YEAR = 1900, 2100

# A language name: lower-case English words, as the census tables write them ('cambodian (mon-khmer)').
LANGUAGE_PATTERN = r"[a-z][a-z '()\-]{0,39}"
PERIOD_PATTERN = r"\d{4}Q[1-4]"


@dataclass(frozen=True)
class OutcomeMeasure:
    """A validated outcome scale: its name, what it measures, which direction is good, and its score range."""

    name: str
    construct: str
    higher_is: str  # 'better' or 'worse'
    min_score: float
    max_score: float

    @property
    def span(self) -> float:
        """The largest possible change between two scores, which bounds a mean change and its SD."""
        return self.max_score - self.min_score


OUTCOME_MEASURES: dict[str, OutcomeMeasure] = {m.name: m for m in (
    OutcomeMeasure("SWEMWBS", "mental wellbeing (Short Warwick-Edinburgh, 7 items)", "better", 7, 35),
    OutcomeMeasure("WEMWBS", "mental wellbeing (Warwick-Edinburgh, 14 items)", "better", 14, 70),
    OutcomeMeasure("UCLA-3", "loneliness (3-item UCLA Loneliness Scale)", "worse", 3, 9),
    OutcomeMeasure("UCLA-20", "loneliness (UCLA Loneliness Scale version 3, 20 items)", "worse", 20, 80),
    OutcomeMeasure("DJG-6", "loneliness (De Jong Gierveld 6-item scale)", "worse", 0, 6),
    OutcomeMeasure("PHQ-9", "depressive symptoms", "worse", 0, 27),
    OutcomeMeasure("GAD-7", "anxiety symptoms", "worse", 0, 21),
    OutcomeMeasure("K10", "psychological distress (Kessler 10)", "worse", 10, 50),
    OutcomeMeasure("CORE-10", "psychological distress (CORE-10)", "worse", 0, 40),
    OutcomeMeasure("BRS", "resilience (Brief Resilience Scale, mean of 6 items; Smith et al. 2008)", "better", 1, 5),
)}

KINDS = ("id", "text", "enum", "enum_list", "languages", "number", "integer", "boolean", "date", "period",
         "latitude", "longitude", "measure")


@dataclass(frozen=True)
class Field:
    """One CSV column: how it is parsed, its limits, and the words that document it in the README."""

    name: str
    kind: str
    required: bool
    description: str
    example: str
    hsds: str = "—"
    db: str | None = None          # the DB column name when it differs from the CSV name
    minimum: float | None = None
    min_exclusive: bool = False
    maximum: float | None = None
    allowed: tuple[str, ...] = ()
    max_length: int = 200
    money: bool = False            # accept a leading '$'
    rule: str = ""                 # a rule across columns or files, for the README

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")

    @property
    def db_name(self) -> str:
        return self.db or self.name


@dataclass(frozen=True)
class FileSpec:
    """One inventory file: its name, the DB table it fills, its columns, its key and how many rows it needs."""

    name: str
    table: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    min_rows: int
    description: str

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _bool_field(name: str, description: str, hsds: str) -> Field:
    return Field(name, "boolean", True, description, "true", hsds)


PROGRAMS = FileSpec(
    name="programs.csv", table="program", key=("program_id",), min_rows=1,
    description="One row per community programme (an HSDS *service* delivered at one *location*).",
    fields=(
        Field("program_id", "id", True, "Your identifier for the programme; unique in this file.", "P-0001",
              "service.id", max_length=64),
        Field("name", "text", True, "The programme's public name.", "Peer Support Circle — Albany Park Library",
              "service.name"),
        Field("organization_name", "text", True, "The organisation that runs it.", "Northside Neighbours Collective",
              "organization.name"),
        Field("service_type", "enum", True, "What kind of support it is.", "peer_support",
              "attribute → taxonomy_term.name", db="type", allowed=SERVICE_TYPES),
        Field("venue_id", "id", False, "The atlas venue it meets at (a `venue_id` from the atlas venue list), if "
              "any. Leave blank for a place that is not in the list.", "library:albany-park",
              "location.external_identifier", max_length=64, rule="must be a venue in the atlas"),
        Field("location_name", "text", False, "The name of the place it meets.", "Albany Park Library",
              "location.name"),
        Field("latitude", "latitude", True, "Latitude of the meeting place, WGS84 decimal degrees.", "41.9758",
              "location.latitude", db="lat", rule="the point must fall inside one of the city's areas"),
        Field("longitude", "longitude", True, "Longitude of the meeting place, WGS84 decimal degrees.", "-87.7130",
              "location.longitude", db="lon", rule="the point must fall inside one of the city's areas"),
        Field("weekly_capacity", "number", True, "Places offered per week (people × sessions).", "24",
              "service_capacity.maximum (unit: places per week)", minimum=0, min_exclusive=True,
              maximum=MAX_WEEKLY_CAPACITY),
        Field("languages", "languages", True, "Languages the programme is delivered in, lower-case English names "
              "as the census writes them, separated by ';'.", "english;spanish", "language.name"),
        _bool_field("step_free", "The meeting place can be reached without steps.", "accessibility.description"),
        _bool_field("evening", "Meets after 17:00 on at least one day.", "schedule.opens_at / closes_at"),
        _bool_field("weekend", "Meets on Saturday or Sunday.", "schedule.byday"),
        _bool_field("free", "Free to attend.", "cost_option.amount (0) / service.fees_description"),
        _bool_field("childcare", "Childcare is offered during sessions.", "attribute (taxonomy term)"),
        Field("populations_served", "enum_list", True, "Who it is for, separated by ';'. Use `general` for "
              "everyone.", "older_adults;caregivers", "service.eligibility_description / attribute",
              allowed=POPULATIONS),
        Field("schedule_description", "text", False, "When it meets, in words.", "Tuesdays 18:00–19:30",
              "schedule.description", db="hours", max_length=500),
        Field("volunteer_count", "integer", True, "Volunteers currently involved.", "6", minimum=0, maximum=5_000),
        Field("coordinator_count", "integer", True, "People who coordinate it (paid or not). 1 means it depends "
              "on a single person.", "1", minimum=0, maximum=500),
        Field("volunteer_hours_year", "number", True, "Volunteer hours given in the last 12 months.", "480",
              minimum=0, maximum=1_000_000),
        Field("professional_partner", "text", False, "A professional mental-health service it refers to or works "
              "with: a `site_id` from the atlas service-site list, or a name.", "mhc:62"),
        Field("partner_role", "enum_list", False, "What the professional partner does with the programme, "
              "separated by ';'.", "training;referral", allowed=PARTNER_ROLES, rule="needs professional_partner"),
        Field("declared_budget", "number", False, "Annual budget in US dollars, if you prefer to state it rather "
              "than have it summed from funding.csv.", "18000", minimum=0, maximum=MAX_AMOUNT, money=True),
        Field("start_date", "date", True, "When the programme started.", "2019-09-01",
              "schedule.valid_from"),
        Field("end_date", "date", False, "When it ended or will end; blank if open-ended.", "2026-06-30",
              "schedule.valid_to", rule="on or after start_date"),
        *(Field(column, "number", False, f"Program Sustainability Assessment Tool: the {label.lower()} domain "
                "score (the mean of its items, 1-7).", "4.6", minimum=PSAT_MIN, maximum=PSAT_MAX,
                rule="needs psat_assessed") for column, label in PSAT_DOMAINS.items()),
        Field("psat_assessed", "date", False, "The date the sustainability self-assessment (the PSAT scores) was "
              "made.", "2025-10-01", rule="needed when any psat_ score is given"),
    ),
)

FUNDING = FileSpec(
    name="funding.csv", table="funding", key=("funding_id",), min_rows=0,
    description="One row per grant, contract, donation stream or in-kind gift (an HSDS *funding* record, with "
                "the amount and dates HSDS leaves out).",
    fields=(
        Field("funding_id", "id", True, "Your identifier for the grant; unique in this file.", "G-0001",
              "funding.id", max_length=64),
        Field("program_id", "id", True, "The programme it pays for.", "P-0001", "funding.service_id",
              max_length=64, rule="must be a program_id in programs.csv"),
        Field("funder", "text", True, "Who gives the money.", "Meridian Family Foundation", "funding.source"),
        Field("source_type", "enum", True, "The kind of funder.", "foundation", allowed=SOURCE_TYPES),
        Field("funder_type", "enum", False, "What kind of organisation the funder is; blank: the pages show the "
              "source_type instead.", "family foundation", allowed=FUNDER_TYPES,
              rule="a funder's first funder_type is the one shown"),
        Field("amount", "number", True, "US dollars over the whole period from start_date to end_date (in-kind: "
              "its value).", "25000", minimum=0, min_exclusive=True, maximum=MAX_AMOUNT, money=True),
        Field("start_date", "date", True, "First day the money covers.", "2025-01-01"),
        Field("end_date", "date", True, "Last day the money covers.", "2025-12-31", rule="on or after start_date"),
        Field("recurring", "boolean", True, "Expected to be renewed in the normal course of things.", "false"),
        Field("status", "enum", True, "`committed`: agreed; `pending`: applied for or promised, not yet agreed; "
              "`ended`: finished or withdrawn.", "committed", allowed=FUNDING_STATUSES),
    ),
)

_MEASURES = tuple(OUTCOME_MEASURES)

PERIODS = FileSpec(
    name="program_periods.csv", table="program_period", key=("program_id", "period"), min_rows=0,
    description="One row per programme per calendar quarter: activity, reach, outcomes and cost. Counts of "
                "people, never a row about a person.",
    fields=(
        Field("program_id", "id", True, "The programme.", "P-0001", max_length=64,
              rule="must be a program_id in programs.csv"),
        Field("period", "period", True, "Calendar quarter, written YYYYQn (2025-Q3 is also read).", "2025Q3"),
        Field("sessions", "integer", True, "Sessions held in the quarter.", "13", minimum=0, maximum=5_000),
        Field("participants", "integer", True, "Different people who took part in the quarter.", "18", minimum=0,
              maximum=100_000),
        Field("participants_65plus", "integer", False, "Of those, aged 65 or over.", "5", minimum=0,
              maximum=100_000, rule="at most participants"),
        Field("participants_limited_english", "integer", False, "Of those, speaking English less than very well.",
              "4", minimum=0, maximum=100_000, rule="at most participants"),
        Field("participants_disability", "integer", False, "Of those, people with a disability (as they "
              "describe themselves).", "3", minimum=0, maximum=100_000, rule="at most participants"),
        Field("participants_low_income", "integer", False, "Of those, people on a low income (below the federal "
              "poverty level, or receiving a means-tested benefit).", "7", minimum=0, maximum=100_000,
              rule="at most participants"),
        Field("participants_poc", "integer", False, "Of those, people of colour (everyone other than "
              "non-Hispanic White, as they describe themselves).", "9", minimum=0, maximum=100_000,
              rule="at most participants"),
        Field("volunteer_hours", "number", True, "Volunteer hours given in the quarter.", "120", minimum=0,
              maximum=250_000),
        Field("volunteers_active", "integer", False, "Volunteers who gave any time in the quarter.", "6",
              minimum=0, maximum=5_000),
        Field("volunteers_joined", "integer", False, "Volunteers who started in the quarter.", "1",
              minimum=0, maximum=5_000),
        Field("volunteers_left", "integer", False, "Volunteers who stopped in the quarter.", "1",
              minimum=0, maximum=5_000),
        Field("referrals_to_professional", "integer", False, "Participants the programme referred on to a "
              "professional service in the quarter.", "2", minimum=0, maximum=100_000),
        Field("referrals_from_professional", "integer", False, "People a professional service referred to the "
              "programme in the quarter.", "3", minimum=0, maximum=100_000),
        Field("outcome_measure", "measure", False, "The validated scale used before and after, if any.", "SWEMWBS",
              allowed=_MEASURES),
        Field("n_pre_post", "integer", False, "People with both a before and an after score.", "11", minimum=0,
              maximum=100_000, rule="at most participants; needed when outcome_measure is given"),
        Field("mean_change", "number", False, "Mean of (after − before) on the scale's own units. For SWEMWBS a "
              "rise is good; for UCLA-3 a fall is good.", "1.8",
              rule="needed when n_pre_post ≥ 1; within ± the scale's range"),
        Field("sd_change", "number", False, "Standard deviation of (after − before).", "3.2", minimum=0,
              rule="needed when n_pre_post ≥ 2; at most the scale's range"),
        Field("cost", "number", False, "Money spent in the quarter, US dollars.", "4500", minimum=0,
              maximum=MAX_AMOUNT, money=True),
    ),
)

FILES: tuple[FileSpec, ...] = (PROGRAMS, FUNDING, PERIODS)

# Column order of the DB tables in core/store/schema.sql; area_id is added by the loader (point in polygon).
DB_COLUMNS: dict[str, list[str]] = {
    "program": ["program_id", "name", "organization_name", "type", "venue_id", "location_name", "lon", "lat",
                "area_id", "weekly_capacity", "languages", "step_free", "evening", "weekend", "free", "childcare",
                "populations_served", "hours", "volunteer_count", "coordinator_count", "volunteer_hours_year",
                "professional_partner", "partner_role", "declared_budget", "start_date", "end_date",
                *PSAT_DOMAINS, "psat_assessed"],
    "funding": FUNDING.columns,
    "program_period": PERIODS.columns,
}


def dtype_of(field: Field) -> str:
    """The pandas dtype of a parsed column: float64, int64 (Int64 when optional), bool, datetime64[ns] or str."""
    if field.kind in ("number", "latitude", "longitude"):
        return "float64"
    if field.kind == "integer":
        return "int64" if field.required else "Int64"
    if field.kind == "boolean":
        return "bool"
    if field.kind == "date":
        return "datetime64[ns]"
    return "str"


def bounds_text(field: Field) -> str:
    """The numeric limits in words, e.g. '> 0 and ≤ 2,000'.

    Examples
    --------
    >>> bounds_text(PROGRAMS.field("weekly_capacity"))
    '> 0 and ≤ 2,000'
    """
    parts = []
    if field.minimum is not None:
        parts.append(f"{'>' if field.min_exclusive else '≥'} {field.minimum:,g}")
    if field.maximum is not None:
        parts.append(f"≤ {field.maximum:,.0f}")
    return " and ".join(parts)


def _checks(field: Field) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if field.kind in ("number", "integer") and (field.minimum is not None or field.maximum is not None):
        error = f"must be {bounds_text(field)}"
        lo = field.minimum if field.minimum is not None else float("-inf")
        hi = field.maximum if field.maximum is not None else float("inf")
        checks.append(pa.Check.in_range(lo, hi, include_min=not field.min_exclusive, error=error))
    if field.kind in ("enum", "measure"):
        checks.append(pa.Check.isin(list(field.allowed), error="must be one of: " + ", ".join(field.allowed)))
    if field.kind == "enum_list":
        allowed = frozenset(field.allowed)
        checks.append(pa.Check(lambda v: set(v.split(";")) <= allowed, element_wise=True,
                               error="every item must be one of: " + ", ".join(field.allowed)))
    if field.kind == "languages":
        checks.append(pa.Check.str_matches(rf"^{LANGUAGE_PATTERN}(;{LANGUAGE_PATTERN})*$",
                                           error="must be lower-case language names separated by ';'"))
    if field.kind == "period":
        checks.append(pa.Check.str_matches(rf"^{PERIOD_PATTERN}$", error="must be a quarter written YYYYQn"))
    if field.kind in ("id", "text"):
        checks.append(pa.Check.str_length(1, field.max_length,
                                          error=f"must be 1 to {field.max_length} characters long"))
    if field.kind == "date":
        checks.append(pa.Check(lambda s: s.dt.year.between(MIN_YEAR, MAX_YEAR),
                               error=f"the year must be between {MIN_YEAR} and {MAX_YEAR}"))
    if field.kind == "latitude":
        checks.append(pa.Check.in_range(-90, 90, error="must be between -90 and 90"))
    if field.kind == "longitude":
        checks.append(pa.Check.in_range(-180, 180, error="must be between -180 and 180"))
    return checks


def pandera_schema(spec: FileSpec) -> pa.DataFrameSchema:
    """The pandera schema of one file after parsing: CSV column names, parsed dtypes, limits, enums and keys.

    Rules that span columns or files (end after start, sub-counts within totals, keys that must exist,
    points inside the city) are checked by :func:`core.ingest.inventory_load.load_inventory`, which can name the
    cell at fault.

    Examples
    --------
    >>> s = pandera_schema(FUNDING)
    >>> s.columns["amount"].dtype, s.columns["status"].nullable
    (DataType(float64), False)
    """
    single_key = len(spec.key) == 1
    columns = {
        f.name: pa.Column(dtype_of(f), _checks(f), nullable=not f.required,
                          unique=single_key and f.name == spec.key[0])
        for f in spec.fields
    }
    return pa.DataFrameSchema(columns, strict=True, ordered=True, coerce=False,
                              unique=None if single_key else list(spec.key), name=spec.name)


SCHEMAS: dict[str, pa.DataFrameSchema] = {spec.name: pandera_schema(spec) for spec in FILES}
