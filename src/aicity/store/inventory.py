"""Inventory tables (migration 002): classify and inventory runs, run taxonomies, the learned-model
registry; derived indicators go to the core ``observations`` table with the provenance note "derived
from inventory run N". The classifications of a run are in :mod:`aicity.store.classifications`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from aicity.errors import StoreError
from aicity.store import enterprises_keys
from aicity.store._store import Store

PROVENANCE = "derived from inventory run {run_id}"
_PROVENANCE_LIKE = "derived from inventory run %"
# appended to the provenance of values counted over a firm list that holds any sample-kind firm
SAMPLE_PROVENANCE = "; over a sample firm list: illustrative, never scored"
NON_AI_LAYER = (
    "none"  # the layer of a non-AI firm in the derivation input (never stored as a layer)
)


def _scalar(store: Store, sql: str, params: Any = None) -> Any:
    """First cell of a query, with the result fully consumed (DuckDB 2 refuses new work on a
    connection whose last result was only partly fetched)."""
    df = store.fetch_df(sql, params)
    if df.empty:
        return None
    value = df.iat[0, 0]
    return None if pd.isna(value) else value


# ----- runs ---------------------------------------------------------------------------------------
def new_run(store: Store, kind: str, taxonomy_source: str, **fields: Any) -> int:
    """Insert an inventory run row and return its id. ``fields``: any inventory_runs column."""
    if "params" in fields and not isinstance(fields["params"], str | None):
        fields["params"] = json.dumps(fields["params"], ensure_ascii=False, sort_keys=True)
    cols = ["kind", "taxonomy_source", *fields]
    values = [kind, taxonomy_source, *fields.values()]
    marks = ", ".join("?" for _ in cols)
    return int(
        _scalar(
            store,
            f"INSERT INTO inventory_runs ({', '.join(cols)}) VALUES ({marks}) RETURNING run_id",
            values,
        )
    )


def update_run(store: Store, run_id: int, **fields: Any) -> None:
    if not fields:
        return
    sets = ", ".join(f"{k} = ?" for k in fields)
    store.execute(f"UPDATE inventory_runs SET {sets} WHERE run_id = ?", [*fields.values(), run_id])


def runs(store: Store, kind: str | None = None) -> pd.DataFrame:
    sql = "SELECT * FROM inventory_runs" + (" WHERE kind = ?" if kind else "") + " ORDER BY run_id"
    return store.fetch_df(sql, [kind] if kind else None)


def latest_run(store: Store, kind: str) -> int | None:
    rid = _scalar(
        store, "SELECT max(run_id) FROM inventory_runs WHERE kind = ? AND status = 'done'", [kind]
    )
    return int(rid) if rid is not None else None


def run_row(store: Store, run_id: int) -> dict[str, Any]:
    df = store.fetch_df("SELECT * FROM inventory_runs WHERE run_id = ?", [run_id])
    if df.empty:
        raise StoreError(f"no inventory run {run_id} in the store (see `aicity inventory --list`)")
    return df.iloc[0].to_dict()


# ----- taxonomy of a run --------------------------------------------------------------------------
def save_taxonomy(store: Store, run_id: int, records: list[dict[str, str]]) -> None:
    df = pd.DataFrame(records)
    df.insert(0, "position", range(len(df)))
    df.insert(0, "run_id", run_id)
    store.insert_df("inventory_taxonomy", df.drop(columns=["layer_zh"], errors="ignore"))


def run_taxonomy(store: Store, run_id: int) -> list[dict[str, Any]]:
    df = store.fetch_df(
        "SELECT code, layer, name_zh, name_en, keywords_zh, keywords_en FROM inventory_taxonomy "
        "WHERE run_id = ? ORDER BY position",
        [run_id],
    )
    return df.to_dict("records")


# ----- firms ---------------------------------------------------------------------------------------
def keyword_matches(names: list[str], texts: list[str], pattern: str) -> pa.Table:
    """Every match of ``pattern`` (case-insensitive RE2) in each name and text, scanned in a scratch
    in-memory DuckDB on all cores: the learned classifier's keyword features for many firms. Each
    distinct name and text is scanned once (registry scopes repeat: 1M synthetic firms hold 354k).
    Columns ``name_hits``, ``scope_hits`` (list<string>), a row per input row."""
    import duckdb

    con = duckdb.connect()
    columns = {}
    try:
        for column, values in (("name_hits", names), ("scope_hits", texts)):
            codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
            con.register("_texts", pa.table({"t": pa.array(distinct.tolist(), pa.string())}))
            found = con.sql(
                "SELECT regexp_extract_all(t, $p, 0, 'i') FROM _texts", params={"p": pattern}
            ).to_arrow_table()
            con.unregister("_texts")
            columns[column] = found.column(0).take(pa.array(codes))
        return pa.table(columns)
    finally:
        con.close()


def all_synthetic(store: Store, coverage: str) -> bool:
    """True when every firm of a coverage kind is synthetic (False when there is none)."""
    value = store.fetch_one(
        "SELECT bool_and(is_synthetic) FROM enterprises WHERE coverage = ?", [coverage]
    )
    return bool(value)


def coverage_counts(store: Store) -> dict[str, int]:
    """How many firms of each coverage kind (registry / sample) the store holds."""
    df = store.fetch_df("SELECT coverage, count(*) AS n FROM enterprises GROUP BY coverage")
    return {str(k): int(n) for k, n in zip(df["coverage"], df["n"], strict=True)}


def count_enterprises(store: Store) -> int:
    return int(_scalar(store, "SELECT count(*) FROM enterprises"))


def _checked_relation(relation: str) -> str:
    """``relation`` when it is a plain identifier (it is written into the SQL text)."""
    if relation != "enterprises" and not relation.replace("_", "").isalnum():
        raise StoreError(f"bad relation name {relation!r} (expected a plain identifier)")
    return relation


# ----- derivation input ---------------------------------------------------------------------------
def _firms_select(
    classify_run_id: int | None, relation: str = "enterprises"
) -> tuple[str, list[Any]]:
    """Firms with their final layer/segment: the run's classification, else the label in the input.

    A firm the run calls non-AI gets layer ``none`` and no segment (the derivation counts it apart);
    an unclassified firm has neither layer nor segment."""
    _checked_relation(relation)
    if classify_run_id is None:
        return (
            "SELECT enterprise_id, city_code, park_id, layer, segment, "
            f"CAST(founded AS BIGINT) AS founded, CAST(size AS DOUBLE) AS size FROM {relation}",
            [],
        )
    return (
        "SELECT e.enterprise_id, e.city_code, e.park_id, "
        f"CASE WHEN c.outcome = 'non_ai' THEN '{NON_AI_LAYER}' "
        "ELSE coalesce(c.layer, e.layer) END AS layer, "
        "CASE WHEN c.outcome = 'non_ai' THEN NULL "
        "ELSE coalesce(c.segment, e.segment) END AS segment, "
        "CAST(e.founded AS BIGINT) AS founded, CAST(e.size AS DOUBLE) AS size "
        f"FROM {relation} e LEFT JOIN classifications c "
        f"ON c.enterprise_id = e.enterprise_id AND c.run_id = {int(classify_run_id)}",
        [],
    )


def registry_layer_counts(store: Store, classify_run_id: int | None) -> pd.DataFrame:
    """Firms of registry-kind lists counted by city, park and final layer: city_code, park_id, layer, n,
    is_synthetic (true when every counted firm is synthetic). Sample-kind firms are not counted."""
    sql, _ = _firms_select(classify_run_id)
    return store.fetch_df(
        f"SELECT f.city_code, f.park_id, f.layer, count(*) AS n, bool_and(e.is_synthetic) AS is_synthetic "
        f"FROM ({sql}) f JOIN enterprises e USING (enterprise_id) "
        "WHERE e.coverage = 'registry' AND f.layer IN ('foundation', 'technology', 'application') "
        "GROUP BY ALL ORDER BY ALL"
    )


def create_firms_view(
    store: Store, classify_run_id: int | None, relation: str = "enterprises"
) -> str:
    """A temporary view of the classified firms for the Ibis DuckDB backend; returns its name.

    ``relation``: the firms' table or view (``enterprises``, or a Parquet view from :func:`attach_parquet`).
    """
    name = f"inventory_firms_{classify_run_id or 0}"
    sql, _ = _firms_select(classify_run_id, relation)
    store.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
    return name


def export_firms_parquet(
    store: Store, classify_run_id: int | None, path: Path, relation: str = "enterprises"
) -> int:
    """Write the classified firms to Parquet (input of the Spark engine); returns the row count."""
    sql, _ = _firms_select(classify_run_id, relation)
    target = str(path).replace("'", "''")
    store.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet)")
    return int(_scalar(store, f"SELECT count(*) FROM read_parquet('{target}')"))


# ----- derived observations -----------------------------------------------------------------------
def register_indicators(store: Store, definitions: pd.DataFrame) -> None:
    """Add the derived indicator codes to the registry (category 'inventory'); existing codes stay."""
    defs = definitions.assign(category="inventory")
    store.register("_inv_defs", defs)
    try:
        store.execute(
            "INSERT INTO indicators (code, name_zh, name_en, unit, direction, definition, category) "
            "SELECT code, name_zh, name_en, unit, direction, definition, category FROM _inv_defs "
            "WHERE code NOT IN (SELECT code FROM indicators)"
        )
    finally:
        store.unregister("_inv_defs")


def write_derived(
    store: Store, run_id: int, derived: pd.DataFrame, units: dict[str, str], sample: bool = False
) -> int:
    """Replace the current derived observations with this run's; older runs stay as history.

    ``derived``: unit_type, unit_key, indicator, year, value. ``units``: indicator -> unit text.
    ``sample``: the firms counted include a sample-kind list, so the values are illustrative.
    """
    rows = derived.copy()
    rows["unit"] = rows["indicator"].map(units)
    rows["kind"] = "actual"
    rows["verified"] = False
    rows["note"] = PROVENANCE.format(run_id=run_id) + (SAMPLE_PROVENANCE if sample else "")
    with store.transaction():
        store.execute(
            "UPDATE observations SET valid_to = current_timestamp "
            "WHERE valid_to IS NULL AND indicator LIKE 'inv\\_%' ESCAPE '\\' AND note LIKE ?",
            [_PROVENANCE_LIKE],
        )
        n = store.insert_df(
            "observations",
            rows[
                [
                    "unit_type",
                    "unit_key",
                    "indicator",
                    "year",
                    "value",
                    "unit",
                    "kind",
                    "verified",
                    "note",
                ]
            ],
        )
    return n


def derived_observations(
    store: Store,
    run_id: int | None = None,
    unit_type: str | None = None,
    unit_key: str | None = None,
) -> pd.DataFrame:
    """Derived observations of an inventory run (default: the current ones)."""
    where = ["indicator LIKE 'inv\\_%' ESCAPE '\\'"]
    params: list[Any] = []
    if run_id is None:
        where.append("valid_to IS NULL AND note LIKE ?")
        params.append(_PROVENANCE_LIKE)
    else:
        where.append("note IN (?, ?)")
        params.append(PROVENANCE.format(run_id=run_id))
        params.append(PROVENANCE.format(run_id=run_id) + SAMPLE_PROVENANCE)
    if unit_type:
        where.append("unit_type = ?")
        params.append(unit_type)
    if unit_key:
        where.append("unit_key = ?")
        params.append(unit_key)
    return store.fetch_df(
        "SELECT unit_type, unit_key, indicator, year, value, unit, note FROM observations WHERE "
        + " AND ".join(where)
        + " ORDER BY unit_type, unit_key, indicator, year",
        params,
    )


def leading_firms(
    store: Store, classify_run_id: int | None, city_code: str, park_id: str | None = None
) -> pd.DataFrame:
    """A unit's firms with final layer/segment, largest first (size, then founded, then name)."""
    sql, _ = _firms_select(classify_run_id)
    where = "f.city_code = ?" + (" AND f.park_id = ?" if park_id else "")
    return store.fetch_df(
        f"SELECT f.enterprise_id, e.name, f.layer, f.segment, f.size, e.size_unit, f.founded, "
        f"e.is_synthetic FROM ({sql}) f JOIN enterprises e USING (enterprise_id) WHERE {where} "
        "ORDER BY f.size DESC NULLS LAST, f.founded NULLS LAST, e.name",
        [city_code, park_id] if park_id else [city_code],
    )


# ----- learned models -----------------------------------------------------------------------------
def next_model_version(store: Store) -> int:
    return int(_scalar(store, "SELECT coalesce(max(version), 0) + 1 FROM classifier_models"))


def register_model(store: Store, **fields: Any) -> None:
    if "metrics" in fields and not isinstance(fields["metrics"], str):
        fields["metrics"] = json.dumps(fields["metrics"], ensure_ascii=False, sort_keys=True)
    cols = list(fields)
    store.execute(
        f"INSERT INTO classifier_models ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        list(fields.values()),
    )


def models(store: Store) -> pd.DataFrame:
    return store.fetch_df("SELECT * FROM classifier_models ORDER BY version")


def model_row(store: Store, version: int | None = None) -> dict[str, Any] | None:
    df = (
        store.fetch_df("SELECT * FROM classifier_models WHERE version = ?", [version])
        if version is not None
        else store.fetch_df("SELECT * FROM classifier_models ORDER BY version DESC LIMIT 1")
    )
    return None if df.empty else df.iloc[0].to_dict()


# ----- scale: synthetic registries ----------------------------------------------------------------
def attach_parquet(store: Store, name: str, path: Path) -> int:
    """Expose a Parquet file (or glob) as view ``name``; returns its row count."""
    if not name.replace("_", "").isalnum():
        raise StoreError(f"bad view name {name!r} (expected a plain identifier)")
    target = str(path).replace("'", "''")
    store.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet('{target}')")
    return int(_scalar(store, f"SELECT count(*) FROM {name}"))


def load_enterprises_parquet(store: Store, path: Path) -> int:
    """Append the enterprises of a Parquet file written by ``aicity synth enterprises``."""
    target = str(path).replace("'", "''")
    cols = store.fetch_df(f"DESCRIBE SELECT * FROM read_parquet('{target}')")[
        "column_name"
    ].tolist()
    wanted = [
        "enterprise_id",
        "name",
        "city_code",
        "park_id",
        "credit_code",
        "layer",
        "segment",
        "label_source",
        "founded",
        "description",
        "size",
        "size_unit",
        "note",
        "is_synthetic",
        "coverage",
    ]
    present = [c for c in wanted if c in cols]
    collist = ", ".join(present)
    if "enterprise_id" not in present:
        raise StoreError(
            f"{path}: no enterprise_id column (write it with `aicity synth enterprises`)"
        )
    # ids are kept unique by the loaders (the table has no key index, see migration 005)
    repeated = store.fetch_df(
        f"SELECT enterprise_id, count(*) AS n FROM read_parquet('{target}') "
        "GROUP BY enterprise_id HAVING count(*) > 1 OR enterprise_id IS NULL "
        "ORDER BY enterprise_id NULLS FIRST LIMIT 1"
    )
    if not repeated.empty:
        key, times = repeated.iloc[0, 0], int(repeated.iloc[0, 1])
        what = (
            f"{times} rows have no enterprise_id"
            if pd.isna(key)
            else f"enterprise_id {key!r} appears {times} times"
        )
        raise StoreError(f"{path}: {what} (expected one id per firm); nothing appended")
    stored = store.fetch_df(
        f"SELECT p.enterprise_id FROM read_parquet('{target}') p "
        "SEMI JOIN enterprises e ON p.enterprise_id = e.enterprise_id ORDER BY 1"
    )
    if not stored.empty:
        raise StoreError(
            f"{path}: {len(stored)} enterprise ids are already in the store (first: "
            f"{stored.iloc[0, 0]!r}); nothing appended (use another --seed or a fresh --into-db)"
        )
    before = count_enterprises(store)
    enterprises_keys.check_relation(store, f"read_parquet('{target}')")  # one row per firm
    store.execute(
        f"INSERT INTO enterprises ({collist}) SELECT {collist} FROM read_parquet('{target}')"
    )
    return count_enterprises(store) - before
