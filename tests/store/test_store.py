"""Store: opening, migrations, transactions, generic helpers, read functions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aicity.errors import StoreError
from aicity.store import Store, cities, migrations, observations

CORE_TABLES = {
    "sources",
    "cities",
    "parks",
    "enterprises",
    "indicators",
    "observations",
    "rejected_rows",
    "ingests",
}


def test_memory_store_has_core_tables_and_version() -> None:
    store = Store.memory()
    assert set(store.table_counts()) >= CORE_TABLES
    assert store.schema_version() == max(v for v, _, _ in migrations())


def test_migrations_are_numbered_and_start_with_core() -> None:
    found = migrations()
    assert found[0][:2] == (1, "core")
    assert [v for v, _, _ in found] == sorted({v for v, _, _ in found})


def test_open_file_creates_migrates_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "a.duckdb"
    with Store.open(path) as store:
        store.insert_df("cities", pd.DataFrame({"code": ["110000"], "name_zh": ["北京"]}))
    with Store.open(path, read_only=True) as store:
        assert cities(store)["name_zh"].tolist() == ["北京"]
        with pytest.raises(Exception, match="read-only"):
            store.execute("DELETE FROM cities")


def test_read_only_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store found"):
        Store.open(tmp_path / "missing.duckdb", read_only=True)


def test_missing_store_is_not_created_when_create_is_false(tmp_path: Path) -> None:
    target = tmp_path / "typo.duckdb"
    with pytest.raises(StoreError, match="no store found"):
        Store.open(target, create=False)
    assert not target.exists()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    with Store.open(path) as store:
        store.execute("INSERT INTO schema_version (version, name) VALUES (999, 'future')")
    with pytest.raises(StoreError, match="newer than this aicity knows"):
        Store.open(path)


def test_transaction_rolls_back_everything_on_error() -> None:
    store = Store.memory()
    with pytest.raises(RuntimeError), store.transaction():
        store.insert_df("cities", pd.DataFrame({"code": ["110000"], "name_zh": ["北京"]}))
        with store.transaction():  # nested block joins the outer one
            store.insert_df("cities", pd.DataFrame({"code": ["120000"], "name_zh": ["天津"]}))
        raise RuntimeError("boom")
    assert cities(store).empty
    with store.transaction():
        store.insert_df("cities", pd.DataFrame({"code": ["120000"], "name_zh": ["天津"]}))
    assert cities(store)["code"].tolist() == ["120000"]


def test_insert_df_rejects_bad_table_name_and_skips_empty() -> None:
    store = Store.memory()
    with pytest.raises(StoreError, match="bad table name"):
        store.insert_df("cities; DROP TABLE x", pd.DataFrame({"code": ["1"]}))
    assert store.insert_df("cities", pd.DataFrame({"code": []})) == 0


def test_observations_filters_current_and_unit_type() -> None:
    store = Store.memory()
    frame = pd.DataFrame(
        {
            "unit_type": ["city", "city", "nation"],
            "unit_key": ["110000", "110000", "CN"],
            "indicator": ["gdp", "gdp", "gdp"],
            "year": [2023, 2023, 2023],
            "value": [1.0, 2.0, 3.0],
            "valid_to": [pd.Timestamp("2024-01-01"), None, None],
        }
    )
    store.insert_df("observations", frame)
    assert observations(store, "city")["value"].tolist() == [2.0]
    assert observations(store, "city", current_only=False)["value"].tolist() == [1.0, 2.0]
    assert observations(store, "nation")["unit_key"].tolist() == ["CN"]
    with pytest.raises(StoreError, match="unit_type"):
        observations(store, "province")


def _store_at_version(path: Path, last: int):
    """A raw DuckDB file with the migrations up to ``last`` applied, as an older aicity left it."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    for version, name, sql in migrations():
        if version <= last:
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name])
    return con


def test_migration_005_keeps_enterprises_and_drops_the_key_index(tmp_path: Path) -> None:
    path = tmp_path / "v4.duckdb"
    con = _store_at_version(path, 4)
    con.execute(
        "INSERT INTO enterprises (enterprise_id, name, city_code, layer, founded, is_synthetic) "
        "VALUES ('iflytek', '科大讯飞', '340100', 'technology', 1999, false)"
    )
    con.close()
    with Store.open(path) as store:
        assert store.schema_version() >= 5
        row = store.fetch_df(
            "SELECT enterprise_id, name, city_code, layer, founded FROM enterprises"
        )
        assert row.to_dict("records") == [
            {
                "enterprise_id": "iflytek",
                "name": "科大讯飞",
                "city_code": "340100",
                "layer": "technology",
                "founded": 1999,
            }
        ]
        keys = store.fetch_one(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'enterprises' "
            "AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
        )
        assert keys == 0
        with pytest.raises(Exception, match="NOT NULL"):
            store.execute("INSERT INTO enterprises (enterprise_id, name) VALUES (NULL, 'x')")


def test_a_read_only_open_brings_an_older_store_up_to_date(tmp_path: Path) -> None:
    """`aicity report` / `profile` on a store written by an older aicity: migrated once, then read."""
    path = tmp_path / "v6.duckdb"
    _store_at_version(path, 6).close()
    with Store.open(path, read_only=True) as store:
        assert store.read_only
        assert store.schema_version() == max(v for v, _, _ in migrations())
        assert "coverage" in set(store.fetch_df("DESCRIBE enterprises")["column_name"])


def test_fetch_arrow_gives_the_rows_of_fetch_df():
    with Store.memory() as store:
        store.execute("CREATE TABLE t (id VARCHAR, n INTEGER, s VARCHAR)")
        store.execute("INSERT INTO t VALUES ('a', 1, '上海'), ('b', NULL, NULL), ('c', 3, '')")
        table = store.fetch_arrow("SELECT * FROM t WHERE n IS NULL OR n > ? ORDER BY id", [0])
        assert table.column_names == ["id", "n", "s"]
        assert table.to_pylist() == store.fetch_df(
            "SELECT * FROM t WHERE n IS NULL OR n > ? ORDER BY id", [0]
        ).astype(object).where(lambda f: f.notna(), None).to_dict("records")
