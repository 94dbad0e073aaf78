-- 001 core (foundation): sources, places, firms, indicators, observations with history, ingest log.
CREATE SEQUENCE IF NOT EXISTS sources_seq START 1;
CREATE TABLE sources (
    source_id   INTEGER PRIMARY KEY DEFAULT nextval('sources_seq'),
    url         TEXT NOT NULL UNIQUE,
    publisher   TEXT,
    title       TEXT,
    reliability TEXT NOT NULL DEFAULT 'B' CHECK (reliability IN ('A', 'B', 'C'))
);

CREATE TABLE cities (
    code      TEXT PRIMARY KEY CHECK (length(code) = 6),
    name_zh   TEXT NOT NULL,
    name_en   TEXT,
    province  TEXT,
    longitude DOUBLE,
    latitude  DOUBLE
);

CREATE TABLE parks (
    park_id    TEXT PRIMARY KEY,
    city_code  TEXT NOT NULL,
    name_zh    TEXT NOT NULL,
    name_en    TEXT,
    district   TEXT,
    focus      TEXT,
    opened     INTEGER,
    firms      INTEGER,
    firms_text TEXT,
    source_id  INTEGER,
    note       TEXT
);

CREATE TABLE enterprises (
    enterprise_id TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    city_code     TEXT,
    park_id       TEXT,
    park_text     TEXT,
    credit_code   TEXT,
    layer         TEXT CHECK (layer IS NULL OR layer IN ('foundation', 'technology', 'application')),
    segment       TEXT,
    label_source  TEXT,
    founded       INTEGER,
    description   TEXT,
    size          DOUBLE,
    size_unit     TEXT,
    source_id     INTEGER,
    note          TEXT,
    is_synthetic  BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE indicators (
    code       TEXT PRIMARY KEY,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    unit       TEXT,
    direction  INTEGER NOT NULL DEFAULT 1 CHECK (direction IN (-1, 1)),
    definition TEXT,
    category   TEXT,
    value_type TEXT NOT NULL DEFAULT 'number' CHECK (value_type IN ('number', 'flag', 'rank', 'text')),
    min_value  DOUBLE,
    max_value  DOUBLE,
    raw_names  TEXT
);

CREATE SEQUENCE IF NOT EXISTS ingests_seq START 1;
CREATE TABLE ingests (
    ingest_id  INTEGER PRIMARY KEY DEFAULT nextval('ingests_seq'),
    file       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    table_name TEXT NOT NULL,
    sheet      TEXT,
    encoding   TEXT,
    started_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    n_rows     BIGINT NOT NULL DEFAULT 0,
    n_accepted BIGINT NOT NULL DEFAULT 0,
    n_rejected BIGINT NOT NULL DEFAULT 0,
    n_changed  BIGINT NOT NULL DEFAULT 0,
    status     TEXT NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS observations_seq START 1;
CREATE TABLE observations (
    obs_id     BIGINT PRIMARY KEY DEFAULT nextval('observations_seq'),
    unit_type  TEXT NOT NULL CHECK (unit_type IN ('city', 'park', 'nation')),
    unit_key   TEXT NOT NULL,
    indicator  TEXT NOT NULL,
    year       INTEGER,
    value      DOUBLE,
    value_text TEXT,
    unit       TEXT,
    kind       TEXT NOT NULL DEFAULT 'actual' CHECK (kind IN ('actual', 'estimate', 'plan_target')),
    verified   BOOLEAN NOT NULL DEFAULT true,
    source_id  INTEGER,
    note       TEXT,
    file       TEXT,
    sheet      TEXT,
    "row"      INTEGER,
    ingest_id  INTEGER,
    valid_from TIMESTAMP NOT NULL DEFAULT current_timestamp,
    valid_to   TIMESTAMP
);

CREATE TABLE rejected_rows (
    ingest_id INTEGER NOT NULL,
    file      TEXT NOT NULL,
    "row"     INTEGER,
    "column"  TEXT,
    value     TEXT,
    reason    TEXT NOT NULL
);
