"""Classification tables (migrations 002, 010): what the classifiers read, the rows a classify run
writes (input labels, rules scored over keyword-hit batches, learned-model rows), and reading them
back with each firm's outcome. The runs they belong to are in :mod:`aicity.store.inventory`.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from aicity.layers import CLASSIFICATION_COLUMNS
from aicity.store._store import Store
from aicity.store.inventory import _checked_relation, _scalar, latest_run

# a row's outcome; rows without one (the rules, runs before migration 009) read from their layer
OUTCOME_SQL = "coalesce({c}outcome, CASE WHEN {c}layer IS NULL THEN 'unclassified' ELSE 'ai' END)"


def classification_input(store: Store) -> pd.DataFrame:
    """Every firm with the fields the classifiers read; layer/segment are the labels given in the input."""
    # Through Arrow: the same frame (all text columns) as fetch_df, 6x faster on 1M firms
    return store.fetch_arrow(
        "SELECT enterprise_id, name, description, note, layer, segment, label_source, city_code "
        "FROM enterprises ORDER BY enterprise_id"
    ).to_pandas()


def unknown_segment_labels(store: Store, codes: list[str]) -> list[str]:
    """Segment labels in ``enterprises`` that are not among ``codes`` (set-based: fine at 10M rows)."""
    store.register("_inv_codes", pd.DataFrame({"code": codes}))
    try:
        df = store.fetch_df(
            "SELECT DISTINCT segment FROM enterprises WHERE nullif(segment, '') IS NOT NULL "
            "AND segment NOT IN (SELECT code FROM _inv_codes) ORDER BY segment LIMIT 20"
        )
    finally:
        store.unregister("_inv_codes")
    return df["segment"].tolist()


def write_classifications(store: Store, run_id: int, df: pd.DataFrame) -> int:
    """Write a classify run's rows; ``outcome`` (ai / non_ai / unclassified) when the frame has it."""
    out = df[[*CLASSIFICATION_COLUMNS, *(["outcome"] if "outcome" in df else [])]].copy()
    out.insert(0, "run_id", run_id)
    return store.insert_df("classifications", out)


def count_classifications(store: Store, run_id: int) -> int:
    return int(_scalar(store, "SELECT count(*) FROM classifications WHERE run_id = ?", [run_id]))


def write_input_labels(store: Store, run_id: int, relation: str = "enterprises") -> None:
    """Classify run rows for the firms whose segment is given in the input (method 'input'): labels
    given in the input win, no matching needed. ``relation``: a table or view with enterprise_id,
    name, description, layer, segment."""
    columns = ", ".join(["run_id", *CLASSIFICATION_COLUMNS])
    store.execute(
        f"INSERT INTO classifications ({columns}) "
        f"SELECT {int(run_id)}, enterprise_id, segment, nullif(layer, ''), '', 1.0, NULL, "
        f"'label given in the input', 'input' FROM {_checked_relation(relation)} "
        "WHERE nullif(segment, '') IS NOT NULL"
    )


def keyword_hit_batches(
    store: Store, pattern: str, relation: str = "enterprises", batch_rows: int = 262_144
) -> pa.RecordBatchReader:
    """The taxonomy keywords found in each firm without a segment label, streamed in Arrow batches:
    enterprise_id, given_layer (the layer label, or null), name_hits, scope_hits.

    ``pattern``: the alternation built by :func:`aicity.inventory.rules.keyword_pattern`; DuckDB runs
    the forward maximum-matching scan (``regexp_extract_all``, RE2) on all cores. Read the reader to
    its end before the next statement on the store (DuckDB refuses new work on a connection whose
    last result was only partly fetched).
    """
    return store.connection.sql(
        "SELECT enterprise_id, nullif(layer, '') AS given_layer, "
        "regexp_extract_all(coalesce(name, ''), $pattern, 0, 'i') AS name_hits, "
        "regexp_extract_all(coalesce(description, ''), $pattern, 0, 'i') AS scope_hits "
        f"FROM {_checked_relation(relation)} WHERE nullif(segment, '') IS NULL",
        params={"pattern": pattern},
    ).to_arrow_reader(batch_rows)


def write_scored_classifications(store: Store, run_id: int, scored: pa.Table) -> None:
    """Append scored classification rows (run_id and :data:`CLASSIFICATION_COLUMNS`) with one
    INSERT ... SELECT from the Arrow table."""
    columns = ", ".join(["run_id", *CLASSIFICATION_COLUMNS])
    view = f"_inv_scored_{int(run_id)}"
    store.register(view, scored)
    try:
        store.execute(f"INSERT INTO classifications ({columns}) SELECT {columns} FROM {view}")
    finally:
        store.unregister(view)


def classification_counts(store: Store, run_id: int) -> dict[str, int]:
    df = store.fetch_df(
        "SELECT count(*) AS n, count(segment) AS n_classified, "
        "count(*) FILTER (WHERE method = 'input') AS n_labelled, "
        f"count(*) FILTER (WHERE {OUTCOME_SQL.format(c='')} = 'non_ai') AS n_non_ai, "
        f"count(*) FILTER (WHERE {OUTCOME_SQL.format(c='')} = 'unclassified') AS n_unclassified "
        "FROM classifications WHERE run_id = ?",
        [run_id],
    )
    return {k: int(v) for k, v in df.iloc[0].items()}


def classification_summary(store: Store, run_id: int) -> pd.DataFrame:
    """Firms per (layer, method) of a classify run, counted in the database: ``layer`` is the
    outcome (non_ai, unclassified) for a firm that is not an AI firm."""
    outcome = OUTCOME_SQL.format(c="")
    return store.fetch_df(
        f"SELECT CASE WHEN {outcome} = 'ai' THEN layer ELSE {outcome} END AS layer, method, "
        "count(*) AS firms FROM classifications WHERE run_id = ? "
        "GROUP BY ALL ORDER BY layer NULLS LAST, method NULLS LAST",
        [run_id],
    )


def classifications(
    store: Store, run_id: int | None = None, city_code: str | None = None
) -> pd.DataFrame:
    """Results of a classify run (default: the latest) with the firm's name, city and park."""
    rid = run_id if run_id is not None else latest_run(store, "classify")
    if rid is None:
        return pd.DataFrame(
            columns=["run_id", "enterprise_id", "name", *CLASSIFICATION_COLUMNS[1:]]
        )
    sql = (
        "SELECT c.run_id, c.enterprise_id, e.name, e.city_code, e.park_id, c.segment, c.layer, "
        "c.secondary, c.confidence, c.score, c.explanation, c.method, "
        f"{OUTCOME_SQL.format(c='c.')} AS outcome "
        "FROM classifications c JOIN enterprises e USING (enterprise_id) WHERE c.run_id = ?"
        + (" AND e.city_code = ?" if city_code else "")
        + " ORDER BY c.enterprise_id"
    )
    return store.fetch_df(sql, [rid, city_code] if city_code else [rid])
