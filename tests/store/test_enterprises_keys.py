"""Migration 011: the enterprises keys of 008 checked by the store's writes, not by ART indexes.

The refusals are the ones the indexes gave, word for word (the expected lines below were printed
by the store of migration 008, with its two unique indexes)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aicity.errors import DuplicateKey, InputError
from aicity.io.credit import check_char
from aicity.store import Store, migrations
from aicity.store.enterprises_keys import FIRM_KEY
from aicity.store.ingest import append_entities, check_appended, upsert_entities
from aicity.workflows.ingest import ingest_file

C1 = "91110108MA01ABCDE" + check_char("91110108MA01ABCDE")
C2 = "91110108MA01ABCDF" + check_char("91110108MA01ABCDF")
ALREADY = "a key names one row: change it, or let `aicity ingest` update the stored row"
TWICE = "a key names one row: drop or change the repeat"
FIRM_STORED = "is already stored under another enterprise_id; nothing written (a firm has one row: "
FIRM_STORED += "reuse its enterprise_id, or leave enterprise_id empty)"


def _firm(eid: str, name: str, city: str | None = None, code: str | None = None) -> dict:
    return {
        "enterprise_id": eid,
        "name": name,
        "city_code": city,
        "credit_code": code,
        "is_synthetic": False,
        "coverage": "sample",
    }


CASES = [  # (stored first, then written), the index-era refusal: key, value, message
    ([_firm("a", "x")], [_firm("a", "y")], "enterprise_id", "a", f"enterprise_id 'a' is already stored; nothing written ({ALREADY})"),
    ([], [_firm("d", "x"), _firm("d", "y")], "key", "d", f"key 'd' is given twice; nothing written ({TWICE})"),
    ([_firm("a", "x", code=C1)], [_firm("b", "y", code=C1)], "firm", C1, f"credit code '{C1}' {FIRM_STORED}"),
    ([], [_firm("a", "x", code=C1), _firm("b", "y", code=C1)], "key", C1, f"key '{C1}' is given twice; nothing written ({TWICE})"),
    ([], [_firm("a", "Ac me", "110000"), _firm("b", "acme", "110000")], "firm", "name:acme@110000",
     "a firm named 'acme' in city 110000 (no credit code) is given twice with different "
     "enterprise_ids; nothing written (a firm has one row: drop or merge the repeat)"),
    ([_firm("a", "Ac me", "110000")], [_firm("b", "acme", "110000")], "firm", "name:acme@110000",
     f"a firm named 'acme' in city 110000 (no credit code) {FIRM_STORED}"),
    ([], [_firm("a", "x", code=C1), _firm("a", "y", code=C1)], "key", "a", f"key 'a' is given twice; nothing written ({TWICE})"),
    ([_firm("z", "x", code=C1)], [_firm("a", "x", code=C1), _firm("a", "y", code=C2)], "firm", C1, f"credit code '{C1}' {FIRM_STORED}"),
    ([], [_firm(k, k + str(i)) for k in ("q", "p") for i in range(2)], "key", "q", f"key 'q' is given twice; nothing written ({TWICE})"),
]  # fmt: skip


@pytest.mark.parametrize(("first", "then", "key", "value", "message"), CASES)
def test_insert_df_refuses_what_the_indexes_refused_in_their_words(
    first: list[dict], then: list[dict], key: str, value: str, message: str
) -> None:
    store = Store.memory()
    if first:
        store.insert_df("enterprises", pd.DataFrame(first))
    with pytest.raises(DuplicateKey) as err:
        store.insert_df("enterprises", pd.DataFrame(then))
    assert (err.value.key, err.value.value, str(err.value)) == (
        key,
        value,
        f"enterprises: {message}",
    )
    assert store.fetch_one("SELECT count(*) FROM enterprises") == len(first)  # nothing written


def test_no_index_is_left_and_the_firm_key_is_008s() -> None:
    store = Store.memory()
    assert store.fetch_df(
        "SELECT index_name FROM duckdb_indexes() WHERE table_name = 'enterprises'"
    ).empty
    sql = next(s for v, _, s in migrations() if v == 8)
    assert f"CREATE UNIQUE INDEX enterprises_firm ON enterprises (({FIRM_KEY}));" in sql


def test_an_upsert_replaces_by_id_and_refuses_another_ids_firm() -> None:
    store = Store.memory()
    upsert_entities(
        store,
        "enterprises",
        pd.DataFrame([_firm("a", "甲", "110000", C1), _firm("b", "乙", "110000")]),
    )
    # a's row replaced (same id, new name): its own firm key is no clash; b moves to a new code
    done = upsert_entities(
        store,
        "enterprises",
        pd.DataFrame([_firm("a", "甲新", "110000", C1), _firm("b", "乙", "110000", C2)]),
    )
    assert (done.new, done.updated, done.unchanged) == (0, 2, 0)
    with pytest.raises(DuplicateKey, match=f"credit code '{C2}' is already stored under another"):
        upsert_entities(store, "enterprises", pd.DataFrame([_firm("c", "丙", "310000", C2)]))
    # keep=False rows are not written, so they are not checked either
    frame = pd.DataFrame([_firm("c", "丙", "310000", C2), _firm("d", "丁", "310000")])
    upsert_entities(store, "enterprises", frame, keep=[False, True])
    assert sorted(store.fetch_df("SELECT enterprise_id FROM enterprises")["enterprise_id"]) == [
        "a",
        "b",
        "d",
    ]


def test_a_second_file_with_a_stored_firm_is_refused_whole(tmp_path: Path) -> None:
    store = Store.memory()
    first = tmp_path / "a.csv"
    first.write_text(f"企业名称,城市,统一社会信用代码\n甲科技,北京,{C1}\n乙科技,北京,\n", "utf-8")
    ingest_file(store, first, "enterprises")
    clash = tmp_path / "b.csv"
    clash.write_text(
        f"企业编号,企业名称,城市,统一社会信用代码\nnew-1,丙科技,北京,{C2}\njia,甲科技,北京,{C1}\n",
        "utf-8",
    )
    with pytest.raises(
        InputError, match=r"row 3, column 'credit_code': credit code .* already stored"
    ):
        ingest_file(store, clash, "enterprises")
    assert store.fetch_one("SELECT count(*) FROM enterprises") == 2
    again = tmp_path / "c.csv"  # the same firms again, one renamed: an update, as before
    again.write_text(
        f"企业名称,城市,统一社会信用代码\n甲科技（新）,北京,{C1}\n乙科技,北京,\n", "utf-8"
    )
    result = ingest_file(store, again, "enterprises")
    assert (result.n_new, result.n_updated, result.n_unchanged) == (0, 1, 1)


def test_opening_an_indexed_store_drops_the_indexes_and_keeps_the_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "v10.duckdb"
    upto_010 = [m for m in migrations() if m[0] <= 10]
    with monkeypatch.context() as patched:
        patched.setattr("aicity.store._store.migrations", lambda: upto_010)
        with Store.open(path) as store:
            store.insert_df("enterprises", pd.DataFrame([_firm("a", "甲", "110000", C1)]))
            assert len(store.fetch_df("SELECT * FROM duckdb_indexes()")) == 2
    with Store.open(path) as store:
        assert store.fetch_df("SELECT * FROM duckdb_indexes()").empty
        with pytest.raises(DuplicateKey, match="enterprise_id 'a' is already stored"):
            store.insert_df("enterprises", pd.DataFrame([_firm("a", "again")]))


DISTINCT_IDS = [  # rows of a first load whose ids are distinct, and the firm key a full check names
    ([_firm("a", "x", code=C1), _firm("b", "y", code=C1)], C1),
    ([_firm("a", "Ac me", "110000"), _firm("b", "acme", "110000")], "name:acme@110000"),
    ([_firm(C1, "x", code=C1), _firm("b", "y", code=C1)], C1),  # keyed by its id, and not
    ([_firm("b", "y", code=C1), _firm(C1, "x", code=C1)], C1),
    ([_firm(C1, "x", code=C1), _firm("n", "y", code="name:y@110000"), _firm("m", "y", "110000")],
     "name:y@110000"),
    ([_firm(C1, "x", code=C1), _firm(C2, "y", code=C2), _firm("c", "z", "110000")], None),
]  # fmt: skip


@pytest.mark.parametrize(("rows", "repeated"), DISTINCT_IDS)
def test_a_load_with_distinct_ids_checks_its_firm_keys_as_the_full_check_does(
    rows: list[dict], repeated: str | None
) -> None:
    """A streamed first load (ids proven distinct) checks only rows not keyed by their own id,
    and refuses what the full check refuses, in its words."""
    refusals = []
    for ids_distinct in (False, True):
        store = Store.memory()
        with store.transaction():
            append_entities(store, "enterprises", pd.DataFrame(rows))
            try:
                check_appended(store, "enterprises", ids_distinct=ids_distinct)
                refusals.append(None)
            except DuplicateKey as exc:
                refusals.append((exc.value, str(exc)))
    assert refusals[0] == refusals[1]
    assert (refusals[1] and refusals[1][0]) == repeated
