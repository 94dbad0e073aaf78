-- 002 inventory: classification runs and their results, learned models, inventory (derivation) runs.
CREATE SEQUENCE IF NOT EXISTS inventory_runs_seq START 1;
CREATE TABLE inventory_runs (
    run_id          INTEGER PRIMARY KEY DEFAULT nextval('inventory_runs_seq'),
    kind            TEXT NOT NULL CHECK (kind IN ('classify', 'inventory')),
    method          TEXT,               -- classify: rules / learned
    engine          TEXT,               -- inventory: duckdb / spark
    taxonomy_source TEXT NOT NULL,
    model_version   INTEGER,            -- learned classifier version used, if any
    classify_run_id INTEGER,            -- inventory: the classification it derived from
    year            INTEGER,            -- inventory: reference year of stock indicators
    params          TEXT,               -- JSON of the remaining parameters
    n_firms         BIGINT NOT NULL DEFAULT 0,
    n_labelled      BIGINT NOT NULL DEFAULT 0,  -- labels given in the input (they win)
    n_classified    BIGINT NOT NULL DEFAULT 0,  -- firms that ended with a segment
    n_observations  BIGINT NOT NULL DEFAULT 0,
    started_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    seconds         DOUBLE,
    status          TEXT NOT NULL DEFAULT 'done'
);

-- one row per firm per classify run; method 'input' when the firm's own label won. No primary key on
-- purpose: the writers produce one row per (run_id, enterprise_id) by construction, and a DuckDB index
-- makes bulk inserts of millions of rows about four times slower.
CREATE TABLE classifications (
    run_id        INTEGER NOT NULL,
    enterprise_id TEXT NOT NULL,
    segment       TEXT,
    layer         TEXT CHECK (layer IS NULL OR layer IN ('foundation', 'technology', 'application')),
    secondary     TEXT,                 -- other matching segments, ';'-separated, strongest first
    confidence    DOUBLE NOT NULL DEFAULT 0,
    score         DOUBLE,
    explanation   TEXT,
    method        TEXT NOT NULL         -- rules / learned / input
);

-- the taxonomy a run used, so maps and indicators of an old run stay readable after edits
CREATE TABLE inventory_taxonomy (
    run_id   INTEGER NOT NULL,
    position INTEGER NOT NULL,
    code     TEXT NOT NULL,
    layer    TEXT NOT NULL,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    keywords_zh TEXT,
    keywords_en TEXT,
    PRIMARY KEY (run_id, code)
);

CREATE TABLE classifier_models (
    version    INTEGER PRIMARY KEY,
    path       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    trained_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    n_train    INTEGER NOT NULL,
    n_classes  INTEGER NOT NULL,
    taxonomy_source TEXT,
    metrics    TEXT                     -- JSON: cross-validated figures at training time
);
