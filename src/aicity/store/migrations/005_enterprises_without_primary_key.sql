-- 005 enterprises without a PRIMARY KEY index. The ART index cost ~1.7 s of a 1M-row file's insert and
-- commit; ids stay unique because ingest refuses repeats within a file and upserts by id against the
-- store (aicity.store.ingest.upsert_entities), and the Parquet loader checks ids before appending.
-- Ids and credit codes are unique, high-entropy strings: DuckDB's dictionary/FSST analysis of them
-- cost 0.8 CPU-s per million rows to save 15 of 45 MB, so they are stored uncompressed.
CREATE TABLE enterprises_005 (
    enterprise_id TEXT NOT NULL USING COMPRESSION uncompressed,
    name          TEXT NOT NULL,
    city_code     TEXT,
    park_id       TEXT,
    park_text     TEXT,
    credit_code   TEXT USING COMPRESSION uncompressed,
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
INSERT INTO enterprises_005 SELECT * FROM enterprises;
DROP TABLE enterprises;
ALTER TABLE enterprises_005 RENAME TO enterprises;
