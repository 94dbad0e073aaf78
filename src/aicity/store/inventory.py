"""Inventory tables (migration 002): classify and inventory runs, classifications, run taxonomies,
learned-model registry; derived indicators go to the core ``observations`` table with the provenance
note "derived from inventory run N". Every SQL statement of the inventory feature lives here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from aicity.errors import StoreError
from aicity.store._store import Store

PROVENANCE = "derived from inventory run {run_id}"
_PROVENANCE_LIKE = "derived from inventory run %"
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


def count_enterprises(store: Store) -> int:
    return int(_scalar(store, "SELECT count(*) FROM enterprises"))


def write_classifications(store: Store, run_id: int, df: pd.DataFrame) -> int:
    out = df[CLASSIFICATION_COLUMNS].copy()
    out.insert(0, "run_id", run_id)
    return store.insert_df("classifications", out)


def classify_rules_in_db(
    store: Store,
    run_id: int,
    keywords: pd.DataFrame,
    pattern: str,
    name_weight: float,
    relation: str = "enterprises",
    chunk_rows: int = 1_000_000,
) -> int:
    """The rules classifier as one set-based statement (forward maximum matching with RE2).

    ``keywords``: keyword (case-folded), segment, layer, pos. ``pattern``: the alternation built by
    :func:`aicity.inventory.rules.keyword_pattern`. ``relation``: a table or view with enterprise_id,
    name, description, layer, segment. Labels in the input win (method 'input'); a layer label alone
    restricts the choice to that layer. Returns the rows written to ``classifications``.

    Firms are independent, so above ``chunk_rows`` the statement runs once per hash partition of the
    ids: memory stays bounded (no spilling of the per-firm aggregates) and time grows linearly.
    """
    if relation != "enterprises" and not relation.replace("_", "").isalnum():
        raise StoreError(f"bad relation name {relation!r} (expected a plain identifier)")
    view = f"_inv_keywords_{run_id}"
    store.register(view, keywords)
    sql = f"""
    INSERT INTO classifications
    WITH src AS (
        SELECT enterprise_id, nullif(layer, '') AS given_layer, nullif(segment, '') AS given_segment,
               CASE WHEN nullif(segment, '') IS NULL THEN
                   list_distinct(list_transform(
                       regexp_extract_all(coalesce(name, ''), $pattern, 0, 'i'), lambda x: lower(x)))
               END AS name_hits,
               CASE WHEN nullif(segment, '') IS NULL THEN
                   list_distinct(list_transform(
                       regexp_extract_all(coalesce(description, ''), $pattern, 0, 'i'), lambda x: lower(x)))
               END AS scope_hits
        FROM {relation} WHERE CHUNK_FILTER
    ),
    hits AS (
        SELECT enterprise_id, given_layer, unnest(name_hits) AS kw, 'name' AS field, $w AS w
        FROM src WHERE len(name_hits) > 0
        UNION ALL
        SELECT enterprise_id, given_layer, unnest(scope_hits) AS kw, 'scope' AS field, 1.0 AS w
        FROM src WHERE len(scope_hits) > 0
    ),
    scored AS (
        SELECT h.enterprise_id, k.segment, any_value(k.layer) AS layer, any_value(k.pos) AS pos,
               sum(h.w) AS score,
               array_to_string(list_sort(list(h.kw) FILTER (WHERE h.field = 'name')), ', ') AS name_kw,
               array_to_string(list_sort(list(h.kw) FILTER (WHERE h.field = 'scope')), ', ') AS scope_kw
        FROM hits h JOIN {view} k ON h.kw = k.keyword
        WHERE h.given_layer IS NULL OR h.given_layer = k.layer
        GROUP BY h.enterprise_id, k.segment
    ),
    best AS (
        SELECT enterprise_id, sum(score) AS total,
               list_sort(list({{'neg': -score, 'pos': pos, 'segment': segment, 'layer': layer,
                               'score': score, 'name_kw': name_kw, 'scope_kw': scope_kw}})) AS ranked
        FROM scored GROUP BY enterprise_id
    ),
    top AS (
        SELECT enterprise_id, total, ranked[1] AS r1,
               array_to_string(list_transform(ranked[2:], lambda x: x.segment), ';') AS secondary
        FROM best
    )
    SELECT ? AS run_id, s.enterprise_id,
           CASE WHEN s.given_segment IS NOT NULL THEN s.given_segment ELSE t.r1.segment END,
           CASE WHEN s.given_segment IS NOT NULL THEN s.given_layer
                ELSE coalesce(t.r1.layer, s.given_layer) END,
           CASE WHEN s.given_segment IS NOT NULL THEN '' ELSE coalesce(t.secondary, '') END,
           CASE WHEN s.given_segment IS NOT NULL THEN 1.0
                WHEN t.r1 IS NULL THEN 0.0
                ELSE (t.r1.score / t.total) * (t.r1.score / (t.r1.score + 1.0)) END,
           CASE WHEN s.given_segment IS NOT NULL THEN NULL ELSE coalesce(t.r1.score, 0.0) END,
           CASE WHEN s.given_segment IS NOT NULL THEN 'label given in the input'
                WHEN t.r1 IS NULL THEN 'no taxonomy keyword matched'
                ELSE concat_ws('; ', 'name: ' || nullif(t.r1.name_kw, ''),
                               'scope: ' || nullif(t.r1.scope_kw, '')) END,
           CASE WHEN s.given_segment IS NOT NULL THEN 'input' ELSE 'rules' END
    FROM src s LEFT JOIN top t USING (enterprise_id)
    """
    # positional ? for run_id, named for the rest: DuckDB wants one style, so inline run_id
    sql = sql.replace("SELECT ? AS run_id", f"SELECT {int(run_id)} AS run_id")
    try:
        before = int(
            _scalar(store, "SELECT count(*) FROM classifications WHERE run_id = ?", [run_id])
        )
        n_rows = int(_scalar(store, f"SELECT count(*) FROM {relation}"))
        n_chunks = max(1, -(-n_rows // max(1, chunk_rows)))
        for i in range(n_chunks):
            where = "true" if n_chunks == 1 else f"hash(enterprise_id) % {n_chunks} = {i}"
            # fetch the inserted-row count: DuckDB 2 wants a result consumed before the next statement
            _scalar(
                store,
                sql.replace("CHUNK_FILTER", where),
                {"pattern": pattern, "w": float(name_weight)},
            )
    finally:
        store.unregister(view)
    after = int(_scalar(store, "SELECT count(*) FROM classifications WHERE run_id = ?", [run_id]))
    return after - before


def classification_counts(store: Store, run_id: int) -> dict[str, int]:
    df = store.fetch_df(
        "SELECT count(*) AS n, count(segment) AS n_classified, "
        "count(*) FILTER (WHERE method = 'input') AS n_labelled "
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
        "c.secondary, c.confidence, c.score, c.explanation, c.method "
        "FROM classifications c JOIN enterprises e USING (enterprise_id) WHERE c.run_id = ?"
        + (" AND e.city_code = ?" if city_code else "")
        + " ORDER BY c.enterprise_id"
    )
    return store.fetch_df(sql, [rid, city_code] if city_code else [rid])


# ----- derivation input ---------------------------------------------------------------------------
def _firms_select(
    classify_run_id: int | None, relation: str = "enterprises"
) -> tuple[str, list[Any]]:
    """Firms with their final layer/segment: the run's classification, else the label in the input."""
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
        "coalesce(c.layer, e.layer) AS layer, coalesce(c.segment, e.segment) AS segment, "
        "CAST(e.founded AS BIGINT) AS founded, CAST(e.size AS DOUBLE) AS size "
        f"FROM {relation} e LEFT JOIN classifications c "
        f"ON c.enterprise_id = e.enterprise_id AND c.run_id = {int(classify_run_id)}",
        [],
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


def write_derived(store: Store, run_id: int, derived: pd.DataFrame, units: dict[str, str]) -> int:
    """Replace the current derived observations with this run's; older runs stay as history.

    ``derived``: unit_type, unit_key, indicator, year, value. ``units``: indicator -> unit text.
    """
    rows = derived.copy()
    rows["unit"] = rows["indicator"].map(units)
    rows["kind"] = "actual"
    rows["verified"] = False
    rows["note"] = PROVENANCE.format(run_id=run_id)
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
        where.append("note = ?")
        params.append(PROVENANCE.format(run_id=run_id))
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
    ]
    present = [c for c in wanted if c in cols]
    collist = ", ".join(present)
    before = count_enterprises(store)
    store.execute(
        f"INSERT INTO enterprises ({collist}) SELECT {collist} FROM read_parquet('{target}')"
    )
    return count_enterprises(store) - before
