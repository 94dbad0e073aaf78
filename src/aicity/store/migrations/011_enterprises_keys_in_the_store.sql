-- 011 enterprises keyed by the store's writes instead of two unique ART indexes. Keeping the indexes
-- of migration 008 up to date cost 1.7-2 CPU s per million rows inserted (and building them after a
-- load as much), more than the rest of a 1M-row ingest. The keys stay what 008 made them (one row
-- per enterprise_id; one per firm: credit code, else normalised name and city): every write path of
-- aicity.store checks them over the rows it writes, in its transaction (aicity.store.enterprises_keys).
-- Writes that bypass aicity.store (SQL typed into the duckdb shell) are not checked.
DROP INDEX IF EXISTS enterprises_firm;
DROP INDEX IF EXISTS enterprises_id;
