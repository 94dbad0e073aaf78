"""Migration 008: the store itself keys enterprises (by id, and by credit code else name and city)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aicity.errors import DuplicateKey, StoreError
from aicity.io.credit import check_char, firm_name_key
from aicity.store import Store, migrations

CODE = "91110108MA01" + "ABCDE"
CODE = CODE + check_char(CODE)


def _firms(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_insert_df_refuses_a_stored_id_and_writes_nothing() -> None:
    store = Store.memory()
    store.insert_df("enterprises", _firms(enterprise_id=["iflytek"], name=["科大讯飞"]))
    with pytest.raises(DuplicateKey, match=r"enterprise_id 'iflytek' is already stored") as err:
        store.insert_df(
            "enterprises", _firms(enterprise_id=["new-firm", "iflytek"], name=["甲", "乙"])
        )
    assert "\n" not in str(err.value) and "nothing written" in str(err.value)
    assert store.fetch_df("SELECT enterprise_id FROM enterprises")["enterprise_id"].tolist() == [
        "iflytek"
    ]


def test_insert_df_refuses_an_id_given_twice() -> None:
    store = Store.memory()
    with pytest.raises(DuplicateKey, match=r"'dup' is given twice"):
        store.insert_df("enterprises", _firms(enterprise_id=["dup", "dup"], name=["甲", "乙"]))
    assert store.fetch_one("SELECT count(*) FROM enterprises") == 0


def test_one_row_per_credit_code() -> None:
    store = Store.memory()
    store.insert_df("enterprises", _firms(enterprise_id=["a"], name=["甲"], credit_code=[CODE]))
    with pytest.raises(DuplicateKey, match=f"credit code '{CODE}' is already stored") as err:
        store.insert_df("enterprises", _firms(enterprise_id=["b"], name=["乙"], credit_code=[CODE]))
    assert err.value.key == "firm" and err.value.value == CODE


def test_one_row_per_normalised_name_and_city_without_credit_code() -> None:
    store = Store.memory()
    store.insert_df(
        "enterprises",
        _firms(enterprise_id=["a"], name=["Acme （Beijing） Ltd"], city_code=["110000"]),
    )
    with pytest.raises(DuplicateKey, match=r"a firm named 'acme\(beijing\)ltd' in city 110000"):
        store.insert_df(
            "enterprises",
            _firms(enterprise_id=["b"], name=["ACME\u3000(Beijing)LTD"], city_code=["110000"]),
        )
    # the same name in another city, a firm without a city, and a credit-coded namesake are others
    store.insert_df(
        "enterprises",
        _firms(
            enterprise_id=["c", "d", "e", "f"],
            name=["Acme (Beijing) Ltd"] * 4,
            city_code=["310000", None, None, "110000"],
            credit_code=[None, None, None, CODE],
        ),
    )
    assert store.fetch_one("SELECT count(*) FROM enterprises") == 5


NAMES = st.text(
    alphabet=st.sampled_from(list("aAbB 　\u00a0\t（）()科技Ltd")), min_size=1, max_size=8
)


@settings(max_examples=60, deadline=None)
@given(names=st.lists(NAMES, min_size=1, max_size=6))
def test_the_python_name_key_is_the_index_expression(names: list[str]) -> None:
    """firm_name_key (Arrow, used for derived ids) and the store's index (DuckDB) agree."""
    con = duckdb.connect()
    sql = next(s for v, _, s in migrations() if v == 8)
    expression = sql.split("CREATE UNIQUE INDEX enterprises_firm ON enterprises ((")[1].rsplit(
        "));", 1
    )[0]
    frame = pd.DataFrame({"name": names, "credit_code": None, "city_code": "110000"})
    con.register("f", frame)
    in_sql = con.execute(f"SELECT {expression} AS k FROM f").df()["k"].tolist()
    in_python = ("name:" + firm_name_key(frame["name"]) + "@110000").tolist()
    assert in_sql == in_python


def _store_before_008(path: Path, rows: str) -> None:
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    for version, name, sql in migrations():
        if version < 8:
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name])
    con.execute(
        f"INSERT INTO enterprises (enterprise_id, name, city_code, credit_code) VALUES {rows}"
    )
    con.close()


def test_migration_008_keys_a_clean_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v7.duckdb"
    _store_before_008(path, f"('p', 'P1', '110000', '{CODE}'), ('solo', 'S', '110000', NULL)")
    # the store as 008 left it (011 hands the keys from the indexes to the store's writes)
    upto_008 = [m for m in migrations() if m[0] <= 8]
    monkeypatch.setattr("aicity.store._store.migrations", lambda: upto_008)
    with Store.open(path) as store:
        assert store.schema_version() >= 8
        assert store.fetch_one("SELECT count(*) FROM enterprises") == 2
        indexes = store.fetch_df("SELECT index_name, is_unique FROM duckdb_indexes()")
        assert {"enterprises_id", "enterprises_firm"} <= set(indexes["index_name"])
        assert indexes["is_unique"].all()
        with pytest.raises(DuplicateKey):
            store.insert_df("enterprises", _firms(enterprise_id=["solo"], name=["again"]))


@pytest.mark.parametrize(
    ("rows", "named"),
    [
        (
            "('x', 'old', '110000', NULL), ('x', 'new', '110000', NULL)",
            "enterprise_id 'x' in 2 rows",
        ),
        (
            f"('p', 'P1', '110000', '{CODE}'), ('q', 'P2', '110000', '{CODE}')",
            f"'{CODE}' in 2 rows",
        ),
    ],
)
def test_migration_008_names_a_repeat_and_changes_nothing(
    tmp_path: Path, rows: str, named: str
) -> None:
    """What 005 allowed (an id twice, one credit code under two ids) stops the migration, one line."""
    path = tmp_path / "v7.duckdb"
    _store_before_008(path, rows)
    with pytest.raises(StoreError, match=named) as err:
        Store.open(path)
    assert "\n" not in str(err.value) and "keep one row per id and firm" in str(err.value)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] < 8
    assert con.execute("SELECT count(*) FROM enterprises").fetchone() == (2,)
    con.close()
