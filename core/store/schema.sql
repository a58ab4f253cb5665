-- The atlas database: aggregated tables only, never a row about a person (DESIGN.md §2).
-- Geometries are GeoJSON text in WGS84 lon/lat; *_simplified is the copy sent to browsers.

CREATE TABLE source (
    source_id   TEXT PRIMARY KEY,
    publisher   TEXT NOT NULL,
    title       TEXT NOT NULL,
    years       TEXT,
    licence     TEXT,
    file        TEXT,
    retrieved   TEXT,
    notes       TEXT
);

CREATE TABLE area (
    area_id              TEXT PRIMARY KEY,   -- text: '77', '101', 'BK01', '53033000100' (DESIGN §2b)
    name                 TEXT NOT NULL,
    geometry             TEXT NOT NULL,
    geometry_simplified  TEXT NOT NULL,
    population           DOUBLE NOT NULL,
    lon                  DOUBLE NOT NULL,
    lat                  DOUBLE NOT NULL
);

CREATE TABLE tract (
    tract_id    TEXT PRIMARY KEY,
    area_id     TEXT NOT NULL,
    population  DOUBLE NOT NULL,
    lon         DOUBLE NOT NULL,
    lat         DOUBLE NOT NULL,
    pop_65plus  DOUBLE,            -- optional group counts a city pack may give per tract
    pop_poverty DOUBLE,
    pop_limited_english DOUBLE
);

CREATE TABLE indicator_def (
    indicator_id  TEXT PRIMARY KEY,
    label         TEXT NOT NULL,
    unit          TEXT NOT NULL,
    higher_is     TEXT,            -- 'worse', 'better', or NULL for descriptive demographics
    domain        TEXT NOT NULL,   -- need, vulnerability, barrier, demographic
    period        TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    definition    TEXT NOT NULL,
    moe_level     TEXT,            -- e.g. '90% margin of error' where the source gives one
    in_need_index BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE indicator (
    area_id       TEXT NOT NULL,
    indicator_id  TEXT NOT NULL,
    period        TEXT NOT NULL,
    value         DOUBLE,
    moe           DOUBLE,
    numerator     DOUBLE,
    denominator   DOUBLE,
    unstable      BOOLEAN NOT NULL DEFAULT FALSE,
    ci_low        DOUBLE,          -- the publisher's 95% confidence limits, where it gives them
    ci_high       DOUBLE,
    flag          TEXT,            -- the publisher's mark: suppressed, unstable or caution
    source_id     TEXT NOT NULL,
    PRIMARY KEY (area_id, indicator_id, period)
);

CREATE TABLE area_language (
    area_id   TEXT NOT NULL,
    language  TEXT NOT NULL,      -- lower-case English name, e.g. 'spanish', 'polish'
    speakers  DOUBLE NOT NULL,
    source_id TEXT NOT NULL,
    PRIMARY KEY (area_id, language)
);

CREATE TABLE venue (
    venue_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,     -- library, senior centre, community centre, college, … (pack words, DESIGN §2b)
    address    TEXT,
    lon        DOUBLE NOT NULL,
    lat        DOUBLE NOT NULL,
    area_id    TEXT NOT NULL,
    source_id  TEXT NOT NULL
);

CREATE TABLE service_site (
    site_id    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,     -- mental-health clinic, community health centre, hospital, … (DESIGN §2b)
    address    TEXT,
    lon        DOUBLE NOT NULL,
    lat        DOUBLE NOT NULL,
    area_id    TEXT NOT NULL,
    source_id  TEXT NOT NULL
);

CREATE TABLE program (
    program_id            TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    organization_name     TEXT NOT NULL,
    type                  TEXT NOT NULL,
    venue_id              TEXT,
    location_name         TEXT,
    lon                   DOUBLE NOT NULL,
    lat                   DOUBLE NOT NULL,
    area_id               TEXT NOT NULL,
    weekly_capacity       DOUBLE NOT NULL,
    languages             TEXT NOT NULL,  -- ';'-separated lower-case names
    step_free             BOOLEAN NOT NULL,
    evening               BOOLEAN NOT NULL,
    weekend               BOOLEAN NOT NULL,
    free                  BOOLEAN NOT NULL,
    childcare             BOOLEAN NOT NULL,
    populations_served    TEXT NOT NULL,  -- ';'-separated
    hours                 TEXT,
    volunteer_count       INTEGER NOT NULL,
    coordinator_count     INTEGER NOT NULL,
    volunteer_hours_year  DOUBLE NOT NULL,
    professional_partner  TEXT,
    partner_role          TEXT,           -- ';'-separated: training, supervision, referral, co_delivery
    declared_budget       DOUBLE,
    start_date            DATE NOT NULL,
    end_date              DATE,
    -- The Program Sustainability Assessment Tool's eight domain scores (1-7) and when they were assessed.
    psat_environmental_support    DOUBLE,
    psat_funding_stability        DOUBLE,
    psat_partnerships             DOUBLE,
    psat_organizational_capacity  DOUBLE,
    psat_program_evaluation       DOUBLE,
    psat_program_adaptation       DOUBLE,
    psat_communications           DOUBLE,
    psat_strategic_planning       DOUBLE,
    psat_assessed                 DATE
);

CREATE TABLE funding (
    funding_id   TEXT PRIMARY KEY,
    program_id   TEXT NOT NULL,
    funder       TEXT NOT NULL,
    source_type  TEXT NOT NULL,
    funder_type  TEXT,                   -- optional: what kind of organisation the funder is
    amount       DOUBLE NOT NULL,
    start_date   DATE NOT NULL,
    end_date     DATE NOT NULL,
    recurring    BOOLEAN NOT NULL,
    status       TEXT NOT NULL
);

CREATE TABLE program_period (
    program_id           TEXT NOT NULL,
    period               TEXT NOT NULL,   -- e.g. '2025Q3'
    sessions             INTEGER NOT NULL,
    participants         INTEGER NOT NULL,
    participants_65plus  INTEGER,
    participants_limited_english INTEGER,
    participants_disability      INTEGER,
    participants_low_income      INTEGER,
    participants_poc             INTEGER,
    volunteer_hours      DOUBLE NOT NULL,
    volunteers_active    INTEGER,
    volunteers_joined    INTEGER,
    volunteers_left      INTEGER,
    referrals_to_professional    INTEGER,
    referrals_from_professional  INTEGER,
    outcome_measure      TEXT,
    n_pre_post           INTEGER,
    mean_change          DOUBLE,
    sd_change            DOUBLE,
    cost                 DOUBLE,
    PRIMARY KEY (program_id, period)
);

CREATE TABLE data_quality (
    file          TEXT NOT NULL,
    rule          TEXT NOT NULL,
    rows_affected INTEGER NOT NULL,
    action        TEXT NOT NULL,   -- dropped, fixed, kept, imputed
    detail        TEXT
);

CREATE TABLE build_info (
    key    TEXT PRIMARY KEY,
    value  TEXT
);

CREATE TABLE manifest (
    file     TEXT PRIMARY KEY,
    sha256   TEXT NOT NULL,
    bytes    BIGINT NOT NULL,
    rows     BIGINT
);
