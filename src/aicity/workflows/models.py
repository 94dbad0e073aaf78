"""The learned classifier's models: the bundled one (trained on the shipped labels, cached), the
store's trained versions, training a new version and scoring a classifier on a labels file."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from aicity.errors import ConfigError
from aicity.inventory.evaluate import Evaluation, evaluate
from aicity.inventory.learned import LearnedClassifier, cross_val_predict
from aicity.inventory.rules import RulesClassifier
from aicity.inventory.taxonomy import Taxonomy, load_taxonomy
from aicity.store import Store
from aicity.store import classifications as scls
from aicity.store import inventory as sinv
from aicity.workflows.labels import (
    BUNDLED_LABELS,
    TEXT_COLUMNS,
    bundled_labels_path,
    model_frame,
    read_labels,
    validated_labels,
)

METHODS = ("rules", "learned")


@dataclass(frozen=True)
class TrainResult:
    version: int
    path: Path
    n_train: int
    n_classes: int
    metrics: dict[str, Any]
    training_sha256: str = ""


@dataclass(frozen=True)
class LabelEvaluation:
    evaluation: Evaluation
    method: str
    model: str  # what was evaluated: "5-fold CV", "bundled model", "store v2", "rules"
    circular: bool  # the model was trained on these very labels (no --cv): figures are optimistic
    predictions: pd.DataFrame = field(repr=False)


def models_dir(store: Store | None) -> Path:
    """Saved models live beside the store file (``<db>.models/``), or in a temp dir without a store
    file (a memory store, or no store at all)."""
    if store is None or store.path is None:
        return Path(tempfile.gettempdir()) / "aicity-models"
    return store.path.with_name(store.path.name + ".models")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def bundled_model(store: Store | None, taxonomy: Taxonomy | None = None) -> LearnedClassifier:
    """The model trained on the bundled labelled firms, cached beside the store (or in the temp dir).

    The cache file is named by the training file's SHA-256 and records it; a cache whose hash differs
    from the shipped file (the labels changed) or that cannot be read is retrained, so the model always
    matches its training data. Training takes a few seconds and needs nothing from the network.
    """
    tax = taxonomy or load_taxonomy()
    labels = bundled_labels_path()
    digest = file_sha256(labels)
    folder = models_dir(store)
    path = folder / f"bundled-{digest[:16]}.joblib"
    if path.exists():
        try:
            model = LearnedClassifier.load(path, tax)
        except ConfigError:
            model = None
        if (
            model is not None
            and model.meta_.get("training_sha256") == digest
            and model.meta_.get("taxonomy_codes") == tax.codes
        ):
            return model
    frame = read_labels(labels)
    model = LearnedClassifier(taxonomy=tax).fit(frame, frame["segment"].astype(str).tolist())
    model.save(path, {"training_sha256": digest, "training_file": BUNDLED_LABELS})
    return model


def learned_model(
    store: Store, tax: Taxonomy, model_version: int | None
) -> tuple[LearnedClassifier, int | None, str]:
    """The store's trained model (the given version, else the latest), else the bundled model:
    (model, its store version or None, a description of which model it is)."""
    row = sinv.model_row(store, model_version)
    if row is None and model_version is not None:
        raise ConfigError(
            f"no learned model with version {model_version} in the store "
            "(list them with aicity classify train, or drop --model-version)",
            path="--model-version",
        )
    if row is None:
        model = bundled_model(store, tax)
        return (
            model,
            None,
            f"bundled, trained on {BUNDLED_LABELS} sha256 {model.meta_['training_sha256'][:12]}",
        )
    path = Path(row["path"])
    model = LearnedClassifier.load(path, tax)
    if file_sha256(path) != row["sha256"]:
        raise ConfigError(
            f"model v{row['version']} was changed after it was saved (sha256 differs); "
            "retrain it with aicity classify train",
            path=str(path),
        )
    return model, int(row["version"]), f"store v{row['version']}"


def train(
    store: Store,
    labels_path: str | Path | None = None,
    taxonomy_path: str | Path | None = None,
    text_columns: tuple[str, ...] = TEXT_COLUMNS,
    cv_folds: int = 5,
    seed: int = 0,
) -> TrainResult:
    """Train the learned classifier on a labels file (or the store's labelled firms) and save it
    versioned, with the SHA-256 of its training data and its cross-validated figures."""
    tax = load_taxonomy(taxonomy_path)
    if labels_path is not None:
        frame = read_labels(labels_path, text_columns)
        digest = file_sha256(Path(labels_path))
    else:
        frame = scls.classification_input(store)
        frame = frame[frame["segment"].notna() & (frame["segment"].astype(str) != "")]
        frame = frame.reset_index(drop=True)
        digest = hashlib.sha256(
            frame[["enterprise_id", *[c for c in text_columns if c in frame], "segment"]]
            .to_csv(index=False)
            .encode("utf-8")
        ).hexdigest()
    validated_labels(frame, tax, labels_path)
    data, labels = model_frame(frame, text_columns), frame["segment"].astype(str).tolist()
    version = sinv.next_model_version(store)
    model = LearnedClassifier(taxonomy=tax, version=version, seed=seed).fit(data, labels)
    metrics: dict[str, Any] = {
        "n_train": len(data),
        "text_columns": list(text_columns),
        "training_sha256": digest,
    }
    counts = pd.Series(labels).value_counts()
    if len(data) >= 2 * cv_folds and counts.max() >= cv_folds:
        pred = cross_val_predict(data, labels, tax, folds=cv_folds, seed=seed)
        ev = evaluate(
            pred,
            pd.DataFrame({"enterprise_id": data["enterprise_id"], "segment": labels}),
            tax,
            cv_folds,
        )
        metrics.update({f"cv_{k}": v for k, v in ev.summary().items()})
    path = models_dir(store) / f"classifier-v{version}.joblib"
    file_digest = model.save(
        path, {"training_sha256": digest, "training_file": str(labels_path or "store labels")}
    )
    sinv.register_model(
        store,
        version=version,
        path=str(path),
        sha256=file_digest,
        n_train=len(data),
        n_classes=len(model.classes_),
        taxonomy_source=tax.source,
        metrics=metrics,
    )
    return TrainResult(version, path, len(data), len(model.classes_), metrics, digest)


def evaluate_labels(
    labels_path: str | Path,
    method: str = "learned",
    store: Store | None = None,
    taxonomy_path: str | Path | None = None,
    model_version: int | None = None,
    text_columns: tuple[str, ...] = TEXT_COLUMNS,
    cv: int | None = None,
    seed: int = 0,
) -> LabelEvaluation:
    """Score a classifier on labelled firms with their labels hidden.

    ``cv``: stratified, seeded ``cv``-fold cross-validation of the learned model on the file itself (each
    firm predicted by a model that never saw it). Without ``cv``: the store's model (``--db``), else the
    bundled one; if that model was trained on this very file the result says so (``circular``).
    """
    tax = load_taxonomy(taxonomy_path)
    frame = read_labels(labels_path, text_columns)
    validated_labels(frame, tax, labels_path)
    hidden = model_frame(frame, text_columns)
    truth = frame[["enterprise_id", "segment"]]
    if method not in METHODS:
        raise ConfigError(f"method {method!r} is not one of {', '.join(METHODS)}", path="--method")
    circular = False
    if method == "rules":
        predicted, name = RulesClassifier(tax).classify(hidden), "rules"
    elif cv:
        if cv < 2:
            raise ConfigError(f"--cv must be at least 2 folds, received {cv}", path="--cv")
        predicted = cross_val_predict(
            hidden, frame["segment"].astype(str).tolist(), tax, folds=cv, seed=seed
        )
        name = f"{cv}-fold stratified CV (seed {seed})"
    else:
        if store is not None:
            model, _, name = learned_model(store, tax, model_version)
        else:
            model, name = bundled_model(None, tax), "bundled"
        circular = model.meta_.get("training_sha256") == file_sha256(Path(labels_path))
        predicted = model.classify(hidden)
    ev = evaluate(predicted, truth, tax, cv if method == "learned" else None)
    return LabelEvaluation(ev, method, name, circular, predicted)
