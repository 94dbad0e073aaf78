-- 004 entity history (foundation): the previous version of a city, park, firm or indicator row that a
-- changed file replaced. Observations keep their own history (valid_from / valid_to).
CREATE TABLE entity_history (
    table_name  TEXT NOT NULL,
    entity_key  TEXT NOT NULL,
    old_row     JSON NOT NULL,
    replaced_at TIMESTAMP NOT NULL,
    ingest_id   INTEGER
);
