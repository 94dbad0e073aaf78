-- 009 projects (项目盘点, issue 16): a city's AI projects beside its firms. One row per project.
-- * kind: industrial_project 产业项目 / platform 平台 / computing_centre 算力中心 /
--   application_scenario 应用场景;
-- * stage: signed 签约 / under_construction 在建 / in_operation 投产;
-- * investment_yi: the amount in 亿元 (a file's 万元 or 元 is converted at ingest); investment_text is
--   the cell as given, with its unit;
-- * amount_kind says what the amount is: planned (a plan's or an announced total), signed (a signing's
--   amount) or actual (investment made). Only 'actual' amounts are investment; planned and signed ones
--   are never added to them (aicity.store.projects sums each kind apart).
CREATE TABLE projects (
    project_id      TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    city_code       TEXT NOT NULL,
    park_id         TEXT,
    park_text       TEXT,
    enterprise      TEXT,
    enterprise_id   TEXT,
    kind            TEXT NOT NULL CHECK (
        kind IN ('industrial_project', 'platform', 'computing_centre', 'application_scenario')
    ),
    investment_yi   DOUBLE CHECK (investment_yi IS NULL OR investment_yi >= 0),
    investment_text TEXT,
    amount_kind     TEXT CHECK (amount_kind IS NULL OR amount_kind IN ('planned', 'signed', 'actual')),
    stage           TEXT CHECK (
        stage IS NULL OR stage IN ('signed', 'under_construction', 'in_operation')
    ),
    year            INTEGER,
    source_id       INTEGER,
    note            TEXT,
    CHECK ((investment_yi IS NULL) = (amount_kind IS NULL))
);
