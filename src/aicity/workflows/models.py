"""The learned classifier's models: the bundled one (shipped in the package, trained on the shipped
labels; retrained once per user when out of date), the store's trained versions, training a new
version and scoring a classifier on a labels file."""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import sklearn

from aicity.errors import ConfigError
from aicity.inventory.evaluate import Evaluation, evaluate
from aicity.inventory.learned import LearnedClassifier, cross_val_predict
from aicity.inventory.rules import RulesClassifier
from aicity.inventory.taxonomy import Taxonomy, load_taxonomy
from aicity.paths import user_cache_dir
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
BUNDLED_MODEL = "bundled_model.joblib"  # in aicity/data, made by `make model`
# the modules that turn labels into a model (their source is part of the bundled model's fingerprint)
_FIT_SOURCES = ("learned.py", "learned_features.py", "learned_linear.py", "ngrams.py", "rules.py")


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
    """The store's trained models live beside the store file (``<db>.models/``), or in a temp dir
    without a store file (a memory store, or no store at all)."""
    if store is None or store.path is None:
        return Path(tempfile.gettempdir()) / "aicity-models"
    return store.path.with_name(store.path.name + ".models")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def bundled_model_path() -> Path:
    """The bundled model shipped in the package (``aicity/data/bundled_model.joblib``)."""
    return Path(str(resources.files("aicity.data").joinpath(BUNDLED_MODEL)))


def _code_sha256() -> str:
    """SHA-256 of the source that turns labels into a model: a model trained by other code is out of
    date even when its labels are the same."""
    digest = hashlib.sha256()
    for name in _FIT_SOURCES:
        digest.update(Path(str(resources.files("aicity.inventory").joinpath(name))).read_bytes())
    return digest.hexdigest()


def _taxonomy_sha256(tax: Taxonomy) -> str:
    records = json.dumps(tax.to_records(), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(records.encode("utf-8")).hexdigest()


def bundled_fingerprint(tax: Taxonomy) -> dict[str, str]:
    """What the bundled model must have been trained from to be used: the labels file, the taxonomy
    (codes and keywords), scikit-learn's version and the classifier's code (SHA-256s)."""
    return {
        "training_sha256": file_sha256(bundled_labels_path()),
        "taxonomy_sha256": _taxonomy_sha256(tax),
        "sklearn": sklearn.__version__,
        "code_sha256": _code_sha256(),
    }


_STALE = {
    "training_sha256": "the labels file {file} changed since it was trained",
    "taxonomy_sha256": "it was trained with another taxonomy",
    "sklearn": "it was saved by scikit-learn {saved}, this is {now}",
    "code_sha256": "the classifier's code changed since it was trained",
}


def _current(
    path: Path, tax: Taxonomy, want: dict[str, str]
) -> tuple[LearnedClassifier | None, str]:
    """(the model at ``path`` if it was trained from ``want``, else None; why not)."""
    if not path.exists():
        return None, "it is missing"
    try:
        model = LearnedClassifier.load(path, tax)
    except ConfigError:
        return None, "it cannot be read"
    for key, why in _STALE.items():
        if model.meta_.get(key) != want[key]:
            return None, why.format(file=BUNDLED_LABELS, saved=model.meta_.get(key), now=want[key])
    return model, ""


def train_bundled(tax: Taxonomy) -> LearnedClassifier:
    """A model trained on the bundled labels, its fingerprint in its metadata (not saved)."""
    frame = read_labels(bundled_labels_path())
    model = LearnedClassifier(taxonomy=tax).fit(frame, frame["segment"].astype(str).tolist())
    model.meta_.update({**bundled_fingerprint(tax), "training_file": BUNDLED_LABELS})
    return model


def write_bundled_model(path: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Train the bundled model on the bundled labels and taxonomy and save it where the package ships
    it (or at ``path``), compressed: what ``make model`` runs. Returns (path, its metadata)."""
    target = path or bundled_model_path()
    model = train_bundled(load_taxonomy())
    model.save(target, compress=("xz", 6))
    return target, model.meta_


def bundled_model(taxonomy: Taxonomy | None = None) -> tuple[LearnedClassifier, str]:
    """The model trained on the bundled labelled firms, and a note ('' when none is due).

    The model shipped in the package is used when its fingerprint (:func:`bundled_fingerprint`)
    matches; otherwise (labels edited, another taxonomy or scikit-learn, changed code) the model is
    trained once and cached per user (``$XDG_CACHE_HOME/aicity``), and the note says so: a stale
    model is never used. Training takes about a minute and needs nothing from the network.
    """
    tax = taxonomy or load_taxonomy()
    want = bundled_fingerprint(tax)
    model, why = _current(bundled_model_path(), tax, want)
    if model is not None:
        return model, ""
    key = hashlib.sha256(json.dumps(want, sort_keys=True).encode("utf-8")).hexdigest()
    cached = user_cache_dir() / f"bundled-{key[:16]}.joblib"
    model, _ = _current(cached, tax, want)
    if model is not None:
        return (
            model,
            f"the shipped model is out of date ({why}): using the one trained here, {cached}",
        )
    model = train_bundled(tax)
    try:
        model.save(cached)
        where = f"trained it once and cached it in {cached}"
    except OSError as exc:  # a read-only home: still right, only slower next time
        where = f"trained it (not cached: {cached}: {exc.strerror})"
    return model, f"the shipped model is out of date ({why}): {where}"


def learned_model(
    store: Store, tax: Taxonomy, model_version: int | None
) -> tuple[LearnedClassifier, int | None, str, str]:
    """The store's trained model (the given version, else the latest), else the bundled model:
    (model, its store version or None, a description of which model it is, a note or '')."""
    row = sinv.model_row(store, model_version)
    if row is None and model_version is not None:
        raise ConfigError(
            f"no learned model with version {model_version} in the store "
            "(list them with aicity classify train, or drop --model-version)",
            path="--model-version",
        )
    if row is None:
        model, note = bundled_model(tax)
        return (
            model,
            None,
            f"bundled, trained on {BUNDLED_LABELS} sha256 {model.meta_['training_sha256'][:12]}",
            note,
        )
    path = Path(row["path"])
    model = LearnedClassifier.load(path, tax)
    if file_sha256(path) != row["sha256"]:
        raise ConfigError(
            f"model v{row['version']} was changed after it was saved (sha256 differs); "
            "retrain it with aicity classify train",
            path=str(path),
        )
    return model, int(row["version"]), f"store v{row['version']}", ""


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
            model, _, name, _ = learned_model(store, tax, model_version)
        else:
            model, name = bundled_model(tax)[0], "bundled"
        circular = model.meta_.get("training_sha256") == file_sha256(Path(labels_path))
        predicted = model.classify(hidden)
    ev = evaluate(predicted, truth, tax, cv if method == "learned" else None)
    return LabelEvaluation(ev, method, name, circular, predicted)
