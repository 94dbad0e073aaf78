-- 003 runs (evaluation): one row per evaluation run, plus everything needed to reproduce and compare it.
CREATE TABLE eval_runs (
    run_id         TEXT PRIMARY KEY,
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    framework_name TEXT NOT NULL,
    framework_yaml TEXT NOT NULL,
    recipe_yaml    TEXT NOT NULL,
    data_hash      TEXT NOT NULL,
    version        TEXT NOT NULL,
    unit_type      TEXT NOT NULL,
    reference_year INTEGER NOT NULL,
    max_age        INTEGER NOT NULL,
    n_units        INTEGER NOT NULL,
    n_indicators   INTEGER NOT NULL,
    label          TEXT
);

-- The framework tree as evaluated (names, weights and sources frozen with the run).
CREATE TABLE eval_nodes (
    run_id      TEXT NOT NULL,
    code        TEXT NOT NULL,
    parent      TEXT,
    level       INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    name_zh     TEXT,
    name_en     TEXT,
    unit        TEXT,
    direction   INTEGER,
    weight      DOUBLE,
    effective_weight DOUBLE,
    denominator TEXT,
    definition  TEXT,
    PRIMARY KEY (run_id, code)
);

-- The units evaluated (cities or parks) with names and coordinates for maps.
CREATE TABLE eval_units (
    run_id    TEXT NOT NULL,
    unit_key  TEXT NOT NULL,
    unit_type TEXT NOT NULL,
    name_zh   TEXT,
    name_en   TEXT,
    city_code TEXT,
    longitude DOUBLE,
    latitude  DOUBLE,
    PRIMARY KEY (run_id, unit_key)
);

-- The input cell chosen for every unit x indicator: which observation, and its flags
-- (space-separated: missing stale estimate unverified imputed other_scope plan_target_ignored).
CREATE TABLE eval_cells (
    run_id     TEXT NOT NULL,
    unit_key   TEXT NOT NULL,
    indicator  TEXT NOT NULL,
    obs_id     BIGINT,
    year       INTEGER,
    value      DOUBLE,
    unit       TEXT,
    source_id  INTEGER,
    flags      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, unit_key, indicator)
);

-- Every stage of the pipeline in long form (raw, denominated, imputed, treated, normalised, aggregated).
CREATE TABLE eval_values (
    run_id   TEXT NOT NULL,
    stage    TEXT NOT NULL,
    unit_key TEXT NOT NULL,
    code     TEXT NOT NULL,
    value    DOUBLE
);

-- Scores and ranks of every node (indicator, dimension, index) under the run's recipe and its alternatives.
CREATE TABLE eval_results (
    run_id   TEXT NOT NULL,
    scheme   TEXT NOT NULL,          -- 'default' or an alternative recipe name (entropy, ahp, geometric)
    unit_key TEXT NOT NULL,
    code     TEXT NOT NULL,
    level    INTEGER NOT NULL,
    score    DOUBLE,
    rank     INTEGER,
    PRIMARY KEY (run_id, scheme, unit_key, code)
);

-- Weights actually used by each scheme (renormalised within parent).
CREATE TABLE eval_weights (
    run_id TEXT NOT NULL,
    scheme TEXT NOT NULL,
    code   TEXT NOT NULL,
    weight DOUBLE,
    PRIMARY KEY (run_id, scheme, code)
);

-- Flags raised by the pipeline (imputed, winsorised, log-transformed, screened out ...).
CREATE TABLE eval_flags (
    run_id   TEXT NOT NULL,
    unit_key TEXT,
    code     TEXT,
    stage    TEXT NOT NULL,
    flag     TEXT NOT NULL
);

-- Uncertainty and sensitivity results in long form: per unit (rank interval, median, ...) and per input
-- (first-order / total Sobol indices); `stat` names the quantity.
CREATE TABLE eval_uncertainty (
    run_id   TEXT NOT NULL,
    unit_key TEXT,
    code     TEXT,
    stat     TEXT NOT NULL,
    value    DOUBLE
);
