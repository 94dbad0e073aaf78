"""Inventory tables (migration 002): classify and inventory runs, classifications, run taxonomies,
learned-model registry; derived indicators go to the core ``observations`` table with the provenance
note "derived from inventory run N". Every SQL statement of the inventory feature lives here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aicity.errors import StoreError
from aicity.store._store import Store

PROVENANCE = "derived from inventory run {run_id}"
_PROVENANCE_LIKE = "derived from inventory run %"
# appended to the provenance of values counted over a firm list that holds any sample-kind firm
SAMPLE_PROVENANCE = "; over a sample firm list: illustrative, never scored"
# a row's outcome; rows without one (the rules, runs before migration 009) read from their layer
OUTCOME_SQL = "coalesce({c}outcome, CASE WHEN {c}layer IS NULL THEN 'unclassified' ELSE 'ai' END)"
NON_AI_LAYER = (
    "none"  # the layer of a non-AI firm in the derivation input (never stored as a layer)
)
CLASSIFICATION_COLUMNS = [
    "enterprise_id",
    "segment",
    "layer",
    "secondary",
    "confidence",
    "score",
    "explanation",
    "method",
]


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


# ----- classification -----------------------------------------------------------------------------
def classification_input(store: Store) -> pd.DataFrame:
    """Every firm with the fields the classifiers read; layer/segment are the labels given in the input."""
    return store.fetch_df(
        "SELECT enterprise_id, name, description, note, layer, segment, label_source, city_code "
        "FROM enterprises ORDER BY enterprise_id"
    )


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


def keyword_matches(
    names: list[str], texts: list[str], pattern: str
) -> list[tuple[list[str], list[str]]]:
    """Every match of ``pattern`` (case-insensitive RE2) in each name and text, scanned in a scratch
    in-memory DuckDB on all cores: the learned classifier's keyword features for many firms."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("_texts", pa.table({"n": names, "d": texts}))
        return con.execute(
            "SELECT regexp_extract_all(n, $p, 0, 'i'), regexp_extract_all(d, $p, 0, 'i') "
            "FROM _texts",
            {"p": pattern},
        ).fetchall()
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


def write_classifications(store: Store, run_id: int, df: pd.DataFrame) -> int:
    """Write a classify run's rows; ``outcome`` (ai / non_ai / unclassified) when the frame has it."""
    out = df[[*CLASSIFICATION_COLUMNS, *(["outcome"] if "outcome" in df else [])]].copy()
    out.insert(0, "run_id", run_id)
    return store.insert_df("classifications", out)


def classify_rules_in_db(
    store: Store,
    run_id: int,
    keywords: pd.DataFrame,
    pattern: str,
    name_weight: float,
    relation: str = "enterprises",
    batch_rows: int = 262_144,
) -> int:
    """The rules classifier at scale: RE2 matching inside DuckDB, scoring vectorised over Arrow.

    ``keywords``: keyword (case-folded), segment, layer, pos. ``pattern``: the alternation built by
    :func:`aicity.inventory.rules.keyword_pattern`. ``relation``: a table or view with enterprise_id,
    name, description, layer, segment. Labels in the input win (method 'input'); a layer label alone
    restricts the choice to that layer. Returns the rows written to ``classifications``.

    DuckDB runs the forward maximum-matching scan (``regexp_extract_all``, RE2) on all cores and
    streams the matched keywords in Arrow batches; each batch is scored with numpy (a dense firms x
    segments matrix, so no hash aggregation of per-firm lists) and the results go in with one
    INSERT ... SELECT. Memory stays bounded by the batch plus the compact results.
    """
    if relation != "enterprises" and not relation.replace("_", "").isalnum():
        raise StoreError(f"bad relation name {relation!r} (expected a plain identifier)")
    rules = _RulesArrays(keywords, name_weight)
    before = int(_scalar(store, "SELECT count(*) FROM classifications WHERE run_id = ?", [run_id]))
    columns = ", ".join(["run_id", *CLASSIFICATION_COLUMNS])
    # labels given in the input win: written directly, no matching needed
    store.execute(
        f"INSERT INTO classifications ({columns}) "
        f"SELECT {int(run_id)}, enterprise_id, segment, nullif(layer, ''), '', 1.0, NULL, "
        f"'label given in the input', 'input' FROM {relation} WHERE nullif(segment, '') IS NOT NULL"
    )
    reader = store.connection.sql(
        "SELECT enterprise_id, nullif(layer, '') AS given_layer, "
        "regexp_extract_all(coalesce(name, ''), $pattern, 0, 'i') AS name_hits, "
        "regexp_extract_all(coalesce(description, ''), $pattern, 0, 'i') AS scope_hits "
        f"FROM {relation} WHERE nullif(segment, '') IS NULL",
        params={"pattern": pattern},
    ).to_arrow_reader(batch_rows)
    scored = [rules.score(batch, run_id) for batch in reader]
    if scored:
        view = f"_inv_scored_{run_id}"
        store.register(view, pa.concat_tables(scored))
        del scored
        try:
            store.execute(f"INSERT INTO classifications ({columns}) SELECT {columns} FROM {view}")
        finally:
            store.unregister(view)
    after = int(_scalar(store, "SELECT count(*) FROM classifications WHERE run_id = ?", [run_id]))
    return after - before


class _RulesArrays:
    """The taxonomy keywords as arrays for vectorised scoring (same rules as ``RulesClassifier``)."""

    def __init__(self, keywords: pd.DataFrame, name_weight: float) -> None:
        kw = keywords.assign(pos=keywords["pos"].astype(int))
        segs = kw.drop_duplicates("pos").sort_values("pos")
        n_seg = int(segs["pos"].max()) + 1 if len(segs) else 0
        codes: list[str | None] = [None] * n_seg
        layers: list[str | None] = [None] * n_seg
        for r in segs.itertuples():
            codes[r.pos], layers[r.pos] = r.segment, r.layer
        self.n_seg = n_seg
        self.codes = pa.array(codes, pa.string())
        self.layers = pa.array(layers, pa.string())
        self.layer_names = pa.array(sorted({x for x in layers if x is not None}), pa.string())
        self.seg_layer_id = pc.index_in(self.layers, value_set=self.layer_names).to_numpy(
            zero_copy_only=False
        )
        # keywords sorted by code point (the order list_sort / sorted() give); rank = index
        distinct = sorted(kw["keyword"].unique())
        self.keywords = pa.array(distinct, pa.string())
        kid = kw["keyword"].map({k: i for i, k in enumerate(distinct)}).to_numpy()
        order = np.argsort(kid, kind="stable")  # a keyword under two segments counts for both
        self.kw_pos = kw["pos"].to_numpy()[order].astype(np.int64)
        self.kw_ptr = np.concatenate([[0], np.cumsum(np.bincount(kid, minlength=len(distinct)))])
        self.name_weight = float(name_weight)

    def _hits(self, lists: pa.ListArray, field: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values = pc.utf8_lower(lists.flatten().cast(pa.string()))
        rows = pc.list_parent_indices(lists).to_numpy()
        kid = pc.index_in(values, value_set=self.keywords)
        known = kid.is_valid().to_numpy(zero_copy_only=False)
        kid_np = kid.to_numpy(zero_copy_only=False)
        return (
            rows[known].astype(np.int64),
            kid_np[known].astype(np.int64),
            np.full(int(known.sum()), field, np.int64),
        )

    def score(self, batch: pa.RecordBatch, run_id: int) -> pa.Table:
        n, n_seg, n_kw = batch.num_rows, self.n_seg, len(self.keywords)
        r1, k1, f1 = self._hits(batch.column("name_hits"), 0)
        r2, k2, f2 = self._hits(batch.column("scope_hits"), 1)
        # distinct keywords per firm and field (field 0 = name, 1 = scope)
        key = _distinct(
            (np.concatenate([r1, r2]) * 2 + np.concatenate([f1, f2])) * n_kw
            + np.concatenate([k1, k2])
        )
        kid, rest = key % n_kw, key // n_kw
        field, row = rest % 2, rest // 2
        # one evidence row per (firm, field, keyword, segment of the keyword)
        counts = self.kw_ptr[kid + 1] - self.kw_ptr[kid]
        starts = np.repeat(self.kw_ptr[kid], counts)
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        pos = self.kw_pos[starts + within]
        row, field, kid = np.repeat(row, counts), np.repeat(field, counts), np.repeat(kid, counts)
        # a layer label restricts the choice to that layer's segments
        given_layers = batch.column("given_layer").cast(pa.string())
        given = pc.index_in(given_layers, value_set=self.layer_names)
        given_np = given.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        keep = (given_np[row] < 0) | (given_np[row] == self.seg_layer_id[pos])
        row, field, kid, pos = row[keep], field[keep], kid[keep], pos[keep]
        weight = np.where(field == 0, self.name_weight, 1.0)
        cell = row * n_seg + pos
        scores = np.bincount(cell, weights=weight, minlength=n * n_seg).reshape(n, n_seg)
        present = np.bincount(cell, minlength=n * n_seg).reshape(n, n_seg) > 0
        # primary: highest score, ties to the segment listed first (argmax takes the first)
        ranking = np.where(present, scores, -np.inf)
        top = ranking.argmax(axis=1)
        found = np.asarray(present.any(axis=1), dtype=bool)
        top_score = np.where(found, scores[np.arange(n), top], 0.0)
        total = scores.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            conf = (top_score / total) * (top_score / (top_score + 1.0))
        conf = np.where(found & (top_score > 0) & (total > 0), conf, 0.0)
        # secondary: the other segments with evidence, strongest first, ties by position
        srow, spos = np.nonzero(present & (np.arange(n_seg)[None, :] != top[:, None]))
        sscore = scores[srow, spos]
        order = np.lexsort((spos, -sscore, srow))
        secondary = pc.binary_join(_lists(self.codes.take(spos[order]), srow[order], n), ";")
        # explanation: the keywords behind the primary segment, per field, distinct and sorted
        on_top = found[row] & (pos == top[row])
        ek = _distinct((row[on_top] * 2 + field[on_top]) * n_kw + kid[on_top])
        e_kid, e_rest = ek % n_kw, ek // n_kw
        e_field, e_row = e_rest % 2, e_rest // 2
        parts = []
        for f, label in ((0, "name: "), (1, "scope: ")):
            sel = e_field == f
            joined = pc.binary_join(_lists(self.keywords.take(e_kid[sel]), e_row[sel], n), ", ")
            has = pc.greater(pc.utf8_length(joined), 0)
            parts.append(pc.if_else(has, pc.binary_join_element_wise(label, joined, ""), None))
        name_part, scope_part = parts
        both = pc.and_(pc.is_valid(name_part), pc.is_valid(scope_part))
        explanation = pc.if_else(
            both,
            pc.binary_join_element_wise(name_part, scope_part, "; "),
            pc.coalesce(name_part, scope_part),
        )
        explanation = pc.if_else(pa.array(found), explanation, "no taxonomy keyword matched")
        top_idx = pa.array(np.where(found, top, -1)).cast(pa.int64())
        top_idx = pc.if_else(pa.array(found), top_idx, None)
        layer = pc.coalesce(self.layers.take(top_idx), given_layers)
        return pa.table(
            {
                "run_id": pa.array(np.full(n, run_id, np.int64)),
                "enterprise_id": batch.column("enterprise_id"),
                "segment": self.codes.take(top_idx),
                "layer": layer,
                "secondary": secondary,
                "confidence": pa.array(conf, pa.float64()),
                "score": pa.array(top_score, pa.float64()),
                "explanation": explanation,
                "method": pa.array(["rules"] * n, pa.string()) if n else pa.array([], pa.string()),
            }
        )


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort and a neighbour test: faster than np.unique's hashing here)."""
    keys = np.sort(keys)
    if len(keys) == 0:
        return keys
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])]


def _lists(values: pa.Array, rows: np.ndarray, n: int) -> pa.ListArray:
    """Group ``values`` (already ordered by ``rows``) into one list per firm, empty where none."""
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values)


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


# ----- derivation input ---------------------------------------------------------------------------
def _firms_select(
    classify_run_id: int | None, relation: str = "enterprises"
) -> tuple[str, list[Any]]:
    """Firms with their final layer/segment: the run's classification, else the label in the input.

    A firm the run calls non-AI gets layer ``none`` and no segment (the derivation counts it apart);
    an unclassified firm has neither layer nor segment."""
    if relation != "enterprises" and not relation.replace("_", "").isalnum():
        raise StoreError(f"bad relation name {relation!r} (expected a plain identifier)")
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
    store.execute(
        f"INSERT INTO enterprises ({collist}) SELECT {collist} FROM read_parquet('{target}')"
    )
    return count_enterprises(store) - before
