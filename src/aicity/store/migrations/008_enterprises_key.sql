-- 008 enterprises keyed by the store again (migration 005 had dropped the PRIMARY KEY index):
-- * enterprises_id: one row per enterprise_id, whatever path writes it;
-- * enterprises_firm: one row per firm, keyed by its credit code (统一社会信用代码) when it has one,
--   else by its normalised name (no case, no white space, ASCII brackets; the same rule as
--   aicity.io.credit.firm_name_key) and city. A firm with neither credit code nor city is keyed by id.
-- Each index costs about 1.5 s per million rows inserted. A store that already holds a repeat (which
-- nothing in the schema refused since 005) is not changed: the migration stops and names the repeat.
-- DuckDB cannot build a unique index in the transaction that deleted the repeats, and rebuilding the
-- table would have to restate every column, so the repeat is left for its owner to settle.
SELECT error(
    'enterprises holds ' || what || ' in ' || n || ' rows; keep one row per id and firm (delete the '
    || 'others in the duckdb shell, or rebuild the store with aicity ingest) and open it again'
)
FROM (
    SELECT 'enterprise_id ''' || enterprise_id || '''' AS what, count(*) AS n
    FROM enterprises GROUP BY enterprise_id HAVING count(*) > 1
    UNION ALL
    SELECT 'the firm key ''' || firm_key || '''', count(*)
    FROM (
        SELECT coalesce(credit_code, 'name:' || lower(translate(regexp_replace(name, '[\s\x{00A0}\x{3000}]+', '', 'g'), '（）', '()')) || '@' || city_code) AS firm_key
        FROM enterprises
    )
    WHERE firm_key IS NOT NULL GROUP BY firm_key HAVING count(*) > 1
    LIMIT 1
);
CREATE UNIQUE INDEX enterprises_id ON enterprises (enterprise_id);
CREATE UNIQUE INDEX enterprises_firm ON enterprises ((coalesce(credit_code, 'name:' || lower(translate(regexp_replace(name, '[\s\x{00A0}\x{3000}]+', '', 'g'), '（）', '()')) || '@' || city_code)));
