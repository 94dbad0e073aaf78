"""Classification workflows: every firm in the store classified into the taxonomy, under a new
classify run (rules in the database, or the learned model); labels given in the input always win."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from aicity.errors import ConfigError, InputError
from aicity.inventory.learned import CHUNK_ROWS, LearnedClassifier
from aicity.inventory.rules import NAME_WEIGHT, keyword_pattern
from aicity.inventory.rules_vectorised import VectorisedRules
from aicity.inventory.taxonomy import LAYERS, Taxonomy, load_taxonomy
from aicity.store import Store
from aicity.store import classifications as scls
from aicity.store import inventory as sinv
from aicity.workflows.labels import TEXT_COLUMNS
from aicity.workflows.models import METHODS, learned_model

STREAM_ROWS = 4 * CHUNK_ROWS  # firms classified and written at a time (two chunks per worker)


@dataclass(frozen=True)
class ClassifyResult:
    run_id: int
    method: str
    n_firms: int
    n_labelled: int
    n_classified: int
    model_version: int | None
    taxonomy_source: str
    seconds: float
    n_non_ai: int = 0
    n_unclassified: int = 0
    model: str = ""  # which model: "bundled (firms_labelled.csv, sha256 ...)" or "store v3"
    note: str = ""  # e.g. the shipped model was out of date and was retrained


def _apply_labels(predicted: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """Labels given in the input always win: a firm with a segment label keeps it (method 'input')."""
    out = predicted.set_index("enterprise_id")
    labelled = firms[firms["segment"].notna() & (firms["segment"].astype(str) != "")]
    if len(labelled):
        ids = labelled["enterprise_id"].astype(str)
        out.loc[ids, "segment"] = labelled["segment"].astype(str).to_numpy()
        out.loc[ids, "layer"] = labelled["layer"].to_numpy()
        out.loc[ids, "secondary"] = ""
        out.loc[ids, "confidence"] = 1.0
        out.loc[ids, "score"] = float("nan")
        out.loc[ids, "explanation"] = "label given in the input"
        out.loc[ids, "method"] = "input"
    return out.reset_index()


def _check_labels(store: Store, tax: Taxonomy) -> None:
    unknown = scls.unknown_segment_labels(store, tax.codes)
    if unknown:
        raise ConfigError(
            f"firms in the store carry segment labels {unknown} that taxonomy {tax.source} lacks "
            "(add them to the taxonomy YAML or fix the labels)",
            path="--taxonomy",
        )


def classify(
    store: Store,
    method: str = "rules",
    taxonomy_path: str | Path | None = None,
    model_version: int | None = None,
    name_weight: float = NAME_WEIGHT,
) -> ClassifyResult:
    """Classify every firm in the store; results go to ``classifications`` under a new run id.

    rules: matched inside DuckDB, scored over Arrow batches (scales to millions of rows).
    learned: the saved model (latest version unless given) over the firms' name and business scope.
    """
    if method not in METHODS:
        raise ConfigError(f"method {method!r} is not one of {', '.join(METHODS)}", path="--method")
    if sinv.count_enterprises(store) == 0:
        raise InputError(
            "the store has no enterprises to classify",
            fix="run `aicity ingest FILE --table enterprises` or `aicity demo`",
        )
    tax = load_taxonomy(taxonomy_path)
    started = time.perf_counter()
    version = None
    model: LearnedClassifier | None = None
    model_name = note = ""
    if method == "learned":
        model, version, model_name, note = learned_model(store, tax, model_version)
    with store.transaction():
        run_id = sinv.new_run(
            store,
            "classify",
            tax.source,
            method=method,
            model_version=version,
            params={"name_weight": name_weight} if method == "rules" else {},
            status="running",
        )
        sinv.save_taxonomy(store, run_id, tax.to_records())
        _check_labels(store, tax)
        if method == "rules":
            keywords = pd.DataFrame(
                tax.keyword_rows(), columns=["keyword", "segment", "layer", "pos"]
            )
            classify_rules_in_db(store, run_id, keywords, keyword_pattern(tax), name_weight)
        else:
            assert model is not None
            _classify_learned(store, run_id, model)
        counts = scls.classification_counts(store, run_id)
        seconds = time.perf_counter() - started
        sinv.update_run(
            store,
            run_id,
            n_firms=counts["n"],
            n_labelled=counts["n_labelled"],
            n_classified=counts["n_classified"],
            seconds=seconds,
            status="done",
        )
    return ClassifyResult(
        run_id,
        method,
        counts["n"],
        counts["n_labelled"],
        counts["n_classified"],
        version,
        tax.source,
        seconds,
        n_non_ai=counts["n_non_ai"],
        n_unclassified=counts["n_unclassified"],
        model=model_name,
        note=note,
    )


def _classify_learned(store: Store, run_id: int, model: LearnedClassifier) -> None:
    """The learned model over the firms without a segment label; the labelled ones keep theirs."""
    firms = scls.classification_input(store)
    firms = firms.assign(layer=firms["layer"].where(firms["layer"].isin(list(LAYERS)), None))
    unlabelled = firms[firms["segment"].isna() | (firms["segment"].astype(str) == "")]
    labelled = firms.loc[~firms.index.isin(unlabelled.index), ["enterprise_id"]]
    stub = pd.DataFrame({"enterprise_id": labelled["enterprise_id"].astype(str)})
    for c in [*scls.CLASSIFICATION_COLUMNS[1:], "outcome"]:
        stub[c] = None
    ids = pd.concat([unlabelled["enterprise_id"].astype(str), stub["enterprise_id"]])
    if ids.is_unique:
        # written a slice at a time (the predictions of 10M firms need not all sit in memory), then
        # the labelled firms, whose labels land on their own rows
        for i in range(0, len(unlabelled), STREAM_ROWS):
            part = model.classify(unlabelled.iloc[i : i + STREAM_ROWS], TEXT_COLUMNS)
            scls.write_classifications(store, run_id, part)
        if len(stub):
            scls.write_classifications(store, run_id, _apply_labels(stub, firms))
        return
    predicted = (
        model.classify(unlabelled, TEXT_COLUMNS)
        if len(unlabelled)
        else pd.DataFrame(columns=[*scls.CLASSIFICATION_COLUMNS, "outcome"])
    )
    combined = pd.concat([predicted, stub], ignore_index=True) if len(stub) else predicted
    scls.write_classifications(store, run_id, _apply_labels(combined, firms))


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

    The store streams the matched keywords in Arrow batches; each batch is scored with numpy
    (:class:`VectorisedRules`) and the results go in with one INSERT ... SELECT. Memory stays bounded
    by the batch plus the compact results. Runs inside the caller's transaction, if any.
    """
    rules = VectorisedRules(keywords, name_weight)
    before = scls.count_classifications(store, run_id)
    scls.write_input_labels(store, run_id, relation)
    batches = scls.keyword_hit_batches(store, pattern, relation, batch_rows)
    scored = [rules.score(batch, run_id) for batch in batches]  # read to the end before writing
    if scored:
        scls.write_scored_classifications(store, run_id, pa.concat_tables(scored))
    return scls.count_classifications(store, run_id) - before


def classifications(store: Store, run_id: int | None = None) -> pd.DataFrame:
    """The firms' classifications of a classify run (default: the latest)."""
    return scls.classifications(store, run_id)


def classification_summary(store: Store, run_id: int) -> pd.DataFrame:
    """Firms per layer (or non_ai / unclassified) and method of a classify run: layer, method, firms."""
    return scls.classification_summary(store, run_id)
