"""Classify firms and derive inventory indicators: the only place that wires the store to
``aicity.inventory``. The CLI (classify, inventory, map industry) and the demo call these functions.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from aicity.errors import ConfigError, InputError
from aicity.inventory import derive as inv_derive
from aicity.inventory.engines import ENGINES, duckdb_backend, spark_backend, spark_session
from aicity.inventory.evaluate import Evaluation, evaluate
from aicity.inventory.learned import NON_AI, LearnedClassifier, cross_val_predict, firm_text
from aicity.inventory.rules import NAME_WEIGHT, RulesClassifier, keyword_pattern
from aicity.inventory.taxonomy import LAYERS, Taxonomy, load_taxonomy
from aicity.io.read import read_table
from aicity.store import Store
from aicity.store import inventory as sinv
from aicity.workflows.classification import classify_rules_in_db

METHODS = ("rules", "learned")
TEXT_COLUMNS = ("name", "description")


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


@dataclass(frozen=True)
class TrainResult:
    version: int
    path: Path
    n_train: int
    n_classes: int
    metrics: dict[str, Any]
    training_sha256: str = ""


@dataclass(frozen=True)
class InventoryResult:
    run_id: int
    classify_run_id: int | None
    engine: str
    n_firms: int
    n_observations: int
    anchor_threshold: float | None
    seconds: float
    derived: pd.DataFrame = field(repr=False)
    n_ai: int = 0  # firms counted in the indicators (with a layer)
    n_non_ai: int = 0  # firms the classifier called not AI firms: counted in no indicator
    n_unclassified: int = 0  # firms with no confident classification: counted in no indicator
    city_names: dict[str, str] = field(default_factory=dict, repr=False)  # code -> 杭州
    coverage: dict[str, int] = field(
        default_factory=dict
    )  # firms per coverage kind (registry / sample)
    # per city: projects and their planned / signed / actual amounts apart, by kind, stage and the
    # layer of their firm (aicity.workflows.projects.summarise); empty without projects
    projects: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


def _taxonomy(path: str | Path | None) -> Taxonomy:
    return load_taxonomy(path)


def models_dir(store: Store) -> Path:
    """Saved models live beside the store file (``<db>.models/``), or in a temp dir for memory stores."""
    if store.path is None:
        return Path(tempfile.gettempdir()) / "aicity-models"
    return store.path.with_name(store.path.name + ".models")


BUNDLED_LABELS = "firms_labelled.csv"


def bundled_labels_path() -> Path:
    """The labelled firms shipped with the package (the bundled model's training set)."""
    return Path(str(resources.files("aicity.data").joinpath(BUNDLED_LABELS)))


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
    folder = (
        models_dir(store) if store is not None else Path(tempfile.gettempdir()) / "aicity-models"
    )
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
    unknown = sinv.unknown_segment_labels(store, tax.codes)
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
    tax = _taxonomy(taxonomy_path)
    started = time.perf_counter()
    version = None
    model: LearnedClassifier | None = None
    model_name = ""
    if method == "learned":
        model, version, model_name = _learned_model(store, tax, model_version)
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
        if method == "rules":
            _check_labels(store, tax)
            keywords = pd.DataFrame(
                tax.keyword_rows(), columns=["keyword", "segment", "layer", "pos"]
            )
            classify_rules_in_db(store, run_id, keywords, keyword_pattern(tax), name_weight)
        else:
            assert model is not None
            _check_labels(store, tax)
            firms = sinv.classification_input(store)
            firms = firms.assign(
                layer=firms["layer"].where(firms["layer"].isin(list(LAYERS)), None)
            )
            unlabelled = firms[firms["segment"].isna() | (firms["segment"].astype(str) == "")]
            predicted = (
                model.classify(unlabelled, TEXT_COLUMNS)
                if len(unlabelled)
                else pd.DataFrame(columns=[*sinv.CLASSIFICATION_COLUMNS, "outcome"])
            )
            labelled = firms.loc[~firms.index.isin(unlabelled.index), ["enterprise_id"]]
            stub = pd.DataFrame({"enterprise_id": labelled["enterprise_id"].astype(str)})
            for c in [*sinv.CLASSIFICATION_COLUMNS[1:], "outcome"]:
                stub[c] = None
            combined = pd.concat([predicted, stub], ignore_index=True) if len(stub) else predicted
            sinv.write_classifications(store, run_id, _apply_labels(combined, firms))
        counts = sinv.classification_counts(store, run_id)
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
    )


def _learned_model(
    store: Store, tax: Taxonomy, model_version: int | None
) -> tuple[LearnedClassifier, int | None, str]:
    """The store's trained model (the given version, else the latest), else the bundled model."""
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


# ----- learned model: train and evaluate ----------------------------------------------------------
def read_labels(path: str | Path, text_columns: tuple[str, ...] = TEXT_COLUMNS) -> pd.DataFrame:
    """A labels file (CSV/XLSX/Parquet): a segment column (a taxonomy code, or ``none`` for a firm that
    is not an AI firm; a ``layer`` of ``none`` with no segment means the same) plus the text columns;
    ids made if absent. Rows without a label are left out."""
    raw = read_table(path).frame
    if "segment" not in raw.columns:
        raise InputError(
            f"expected a 'segment' column with taxonomy codes or none, received columns {list(raw.columns)}",
            file=str(path),
            column="segment",
        )
    present = [c for c in text_columns if c in raw.columns]
    if not present:
        raise InputError(
            f"expected at least one text column of {list(text_columns)}, received {list(raw.columns)}",
            file=str(path),
            fix="add a name or description column, or pass --text",
        )
    frame = raw.copy()
    if "enterprise_id" not in frame.columns:
        frame["enterprise_id"] = [f"row{i + 2}" for i in range(len(frame))]
    frame["enterprise_id"] = frame["enterprise_id"].astype(str)
    frame["segment"] = frame["segment"].astype("string").str.strip()
    if "layer" in frame.columns:
        layer = frame["layer"].astype("string").str.strip().str.lower()
        frame.loc[frame["segment"].isna() & layer.eq(NON_AI).fillna(False), "segment"] = NON_AI
    frame["_row"] = frame.index + 2
    return frame[frame["segment"].notna() & (frame["segment"] != "")].reset_index(drop=True)


def _validated_labels(frame: pd.DataFrame, tax: Taxonomy, path: str | Path | None) -> None:
    bad = frame.loc[~frame["segment"].isin([*tax.codes, NON_AI])]
    if len(bad):
        raise InputError(
            f"segment {bad.iloc[0]['segment']!r} is not a taxonomy code nor none ({len(bad)} rows like this)",
            file=str(path) if path else None,
            row=int(bad.iloc[0]["_row"]) if "_row" in bad else None,
            column="segment",
            fix=f"use one of {', '.join(tax.codes[:4])}, ... or none for a firm that is not an AI firm",
        )


def _model_frame(frame: pd.DataFrame, text_columns: tuple[str, ...]) -> pd.DataFrame:
    """What the model reads: the first text column as the name, the others joined as the scope."""
    first, rest = text_columns[0], tuple(text_columns[1:])
    return pd.DataFrame(
        {
            "enterprise_id": frame["enterprise_id"].astype(str),
            "name": frame[first].fillna("").astype(str) if first in frame else "",
            "description": firm_text(frame, rest) if rest else "",
        }
    )


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
    tax = _taxonomy(taxonomy_path)
    if labels_path is not None:
        frame = read_labels(labels_path, text_columns)
        digest = file_sha256(Path(labels_path))
    else:
        frame = sinv.classification_input(store)
        frame = frame[frame["segment"].notna() & (frame["segment"].astype(str) != "")]
        frame = frame.reset_index(drop=True)
        digest = hashlib.sha256(
            frame[["enterprise_id", *[c for c in text_columns if c in frame], "segment"]]
            .to_csv(index=False)
            .encode("utf-8")
        ).hexdigest()
    _validated_labels(frame, tax, labels_path)
    data, labels = _model_frame(frame, text_columns), frame["segment"].astype(str).tolist()
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


@dataclass(frozen=True)
class LabelEvaluation:
    evaluation: Evaluation
    method: str
    model: str  # what was evaluated: "5-fold CV", "bundled model", "store v2", "rules"
    circular: bool  # the model was trained on these very labels (no --cv): figures are optimistic
    predictions: pd.DataFrame = field(repr=False)


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
    tax = _taxonomy(taxonomy_path)
    frame = read_labels(labels_path, text_columns)
    _validated_labels(frame, tax, labels_path)
    hidden = _model_frame(frame, text_columns)
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
            model, _, name = _learned_model(store, tax, model_version)
        else:
            model, name = bundled_model(None, tax), "bundled"
        circular = model.meta_.get("training_sha256") == file_sha256(Path(labels_path))
        predicted = model.classify(hidden)
    ev = evaluate(predicted, truth, tax, cv if method == "learned" else None)
    return LabelEvaluation(ev, method, name, circular, predicted)


# ----- derivation ---------------------------------------------------------------------------------
def inventory(
    store: Store,
    engine: str = "duckdb",
    year: int | None = None,
    anchor_share: float = 0.05,
    classify_run_id: int | None = None,
    spark_master: str = "local[2]",
    spark: Any | None = None,
    progress: Callable[[str], None] | None = None,
) -> InventoryResult:
    """Derive the cluster indicators from the latest classification and write them to observations."""
    if engine not in ENGINES:
        raise ConfigError(f"engine {engine!r} is not one of {', '.join(ENGINES)}", path="--engine")
    if not 0 < anchor_share <= 1:
        raise ConfigError(
            f"anchor share must be in (0, 1], received {anchor_share}", path="--anchor-share"
        )
    n_firms = sinv.count_enterprises(store)
    if n_firms == 0:
        raise InputError(
            "the store has no enterprises to inventory",
            fix="ingest an enterprises file (aicity ingest FILE --table enterprises) or run aicity demo",
        )
    rid = classify_run_id if classify_run_id is not None else sinv.latest_run(store, "classify")
    if rid is not None:
        tax = Taxonomy(
            segments=tuple(load_taxonomy_records(sinv.run_taxonomy(store, rid))),
            source=f"classify run {rid}",
        )
    else:
        tax = load_taxonomy()
    params = inv_derive.DeriveParams(year=year or date.today().year, anchor_share=anchor_share)
    started = time.perf_counter()
    if progress:
        progress(f"deriving on {engine}")
    if engine == "duckdb":
        view = sinv.create_firms_view(store, rid)
        con = duckdb_backend(store.connection)
        derived = inv_derive.run_derivation(con, con.table(view), tax, params)
    else:
        session = spark or spark_session(spark_master)
        with tempfile.TemporaryDirectory(prefix="aicity-inventory-") as tmp:
            path = Path(tmp) / "firms.parquet"
            sinv.export_firms_parquet(store, rid, path)
            con = spark_backend(session)
            derived = inv_derive.run_derivation(con, con.read_parquet(str(path)), tax, params)
    seconds = time.perf_counter() - started
    defs = inv_derive.indicator_definitions(tax)
    with store.transaction():
        run_id = sinv.new_run(
            store,
            "inventory",
            tax.source,
            engine=engine,
            classify_run_id=rid,
            year=params.year,
            params={
                "anchor_share": anchor_share,
                "anchor_threshold": derived.attrs.get("anchor_threshold"),
            },
            n_firms=n_firms,
            status="running",
        )
        sinv.save_taxonomy(store, run_id, tax.to_records())
        sinv.register_indicators(store, defs)
        n_obs = sinv.write_derived(
            store,
            run_id,
            derived,
            dict(zip(defs["code"], defs["unit"], strict=True)),
            sample=sinv.coverage_counts(store).get("sample", 0) > 0,
        )
        sinv.update_run(store, run_id, n_observations=n_obs, seconds=seconds, status="done")
    from aicity.io.cities import CityResolver
    from aicity.store import core as score

    # names for every code: the store's cities first, the admin-code reference for the others
    resolver = CityResolver(score.cities(store))
    codes = derived.loc[derived["unit_type"] == "city", "unit_key"].astype(str).unique()
    names = {c: (resolver.cities[c].name_zh if c in resolver.cities else c) for c in codes}
    nation = derived[derived["unit_type"] == "nation"].set_index("indicator")["value"]

    def count(code: str) -> int:
        return int(nation.get(code, 0) or 0)

    return InventoryResult(
        run_id,
        rid,
        engine,
        n_firms,
        n_obs,
        derived.attrs.get("anchor_threshold"),
        seconds,
        derived,
        n_ai=count("inv_firms_total"),
        n_non_ai=count("inv_firms_non_ai"),
        n_unclassified=count("inv_firms_unclassified"),
        city_names=names,
        coverage=sinv.coverage_counts(store),
        projects=_project_summary(store, rid),
    )


def _project_summary(store: Store, classify_run_id: int | None) -> pd.DataFrame:
    from aicity.workflows.projects import project_summary

    return project_summary(store, classify_run_id=classify_run_id)


def load_taxonomy_records(records: list[dict[str, Any]]) -> list[Any]:
    """Segments from a run's stored taxonomy (same validation as a user file)."""
    from aicity.inventory.taxonomy import _from_entries

    return list(_from_entries(records, source="stored run taxonomy").segments)


# ----- industry map -------------------------------------------------------------------------------
def resolve_unit(store: Store, city: str, park: str | None = None) -> tuple[str, str, str, str]:
    """(unit_type, unit_key, display name zh, display name en) for a city name/code and optional park."""
    from aicity.store import core as score

    cities = score.cities(store)
    wanted = city.strip().removesuffix("市")
    match = cities[
        (cities["code"] == wanted)
        | (cities["name_zh"].str.removesuffix("市") == wanted)
        | (cities["name_en"].fillna("").str.lower() == wanted.lower())
    ]
    if cities.empty:
        raise InputError(
            "the store has no cities",
            fix="run `aicity demo`, or `aicity ingest FILE --table cities`",
        )
    if match.empty:
        raise InputError(
            f"unknown city {city!r}; the store has {', '.join(cities['name_zh'].head(8))}, ...",
            fix="pass a city name (杭州 / Hangzhou) or its 6-digit code",
        )
    row = match.iloc[0]
    if park is None:
        return "city", str(row["code"]), str(row["name_zh"]), str(row["name_en"] or row["name_zh"])
    parks = score.parks(store, str(row["code"]))
    pm = parks[(parks["park_id"] == park) | (parks["name_zh"] == park) | (parks["name_en"] == park)]
    if pm.empty:
        names = ", ".join(f"{r.park_id} ({r.name_zh})" for r in parks.itertuples()) or "none"
        raise InputError(
            f"no park {park!r} in {row['name_zh']}; its parks: {names}", fix="pass --park PARK_ID"
        )
    p = pm.iloc[0]
    return "park", str(p["park_id"]), str(p["name_zh"]), str(p["name_en"] or p["name_zh"])


def cities_with_firms(store: Store) -> list[tuple[str, str]]:
    """(code, name_zh) of every city of the current inventory run with at least one firm, most firms first."""
    obs = sinv.derived_observations(store, unit_type="city")
    totals = obs[(obs["indicator"] == "inv_firms_total") & (obs["value"] > 0)]
    from aicity.store import core as score

    names = score.cities(store).set_index("code")["name_zh"]
    ordered = totals.sort_values(["value", "unit_key"], ascending=[False, True])["unit_key"]
    return [(str(k), str(names.get(k, k))) for k in ordered]


def industry_map_data(
    store: Store,
    city: str,
    park: str | None = None,
    lang: str = "zh",
    margin: float = 0.05,
    max_firms: int = 3,
):
    """Everything the industry map of a city (or park) shows, from the current inventory run."""
    from aicity.viz.industry_map import Band, Cell, IndustryMapData, finding_sentence, layer_mix

    if lang not in ("zh", "en"):
        raise ConfigError(f"lang must be zh or en, received {lang!r}", path="--lang")
    unit_type, unit_key, name_zh, name_en = resolve_unit(store, city, park)
    inv_run = sinv.latest_run(store, "inventory")
    if inv_run is None:
        raise InputError("the store has no inventory run yet", fix="run `aicity inventory` first")
    run = sinv.run_row(store, inv_run)
    tax = Taxonomy(
        segments=tuple(load_taxonomy_records(sinv.run_taxonomy(store, inv_run))),
        source=f"inventory run {inv_run}",
    )
    obs = sinv.derived_observations(store, inv_run)
    local = obs[(obs["unit_type"] == unit_type) & (obs["unit_key"] == unit_key)]
    nation = obs[obs["unit_type"] == "nation"]
    values = dict(zip(local["indicator"], local["value"], strict=True))
    nat_values = dict(zip(nation["indicator"], nation["value"], strict=True))
    cid = run["classify_run_id"]
    classify_run = None if pd.isna(cid) else int(cid)
    if unit_type == "city":
        city_key = unit_key
    else:
        from aicity.store import core as score

        parks = score.parks(store)
        city_key = str(parks.loc[parks["park_id"] == unit_key, "city_code"].iloc[0])
    firms = sinv.leading_firms(
        store, classify_run, city_key, unit_key if unit_type == "park" else None
    )
    bands = []
    for layer in ("foundation", "technology", "application"):
        cells = []
        for seg in tax.in_layer(layer):
            count = int(values.get(f"inv_firms_seg_{seg.code}", 0) or 0)
            names = tuple(firms.loc[firms["segment"] == seg.code, "name"].head(max_firms))
            cells.append(Cell(seg.code, seg.name(lang), count, names))
        from aicity.layers import LAYER_NAMES_EN, LAYER_NAMES_ZH

        bands.append(
            Band(layer, (LAYER_NAMES_ZH if lang == "zh" else LAYER_NAMES_EN)[layer], tuple(cells))
        )
    mix = layer_mix(
        {
            k: values[f"inv_share_{k}"]
            for k in ("foundation", "technology", "application")
            if f"inv_share_{k}" in values
        },
        {
            k: nat_values[f"inv_share_{k}"]
            for k in ("foundation", "technology", "application")
            if f"inv_share_{k}" in nat_values
        },
        lang,
    )
    n_firms = int(values.get("inv_firms_total", 0) or 0)
    n_seg = sum(c.count for b in bands for c in b.cells)
    unit_name = name_zh if lang == "zh" else name_en
    missing = sum(c.count == 0 for b in bands for c in b.cells)
    # values counted over a sample-kind firm list carry it in their provenance (store.inventory)
    sample = bool(local["note"].fillna("").str.contains(sinv.SAMPLE_PROVENANCE, regex=False).any())
    finding = finding_sentence(unit_name, mix, missing, len(tax), n_seg, lang, margin, sample)
    return IndustryMapData(
        unit_type=unit_type,
        unit_key=unit_key,
        unit_name=unit_name,
        lang=lang,
        bands=tuple(bands),
        mix=mix,
        finding=finding,
        n_firms=n_firms,
        # unclassified firms (no layer) plus AI firms whose segment is unknown
        n_unclassified=int(values.get("inv_firms_unclassified", 0) or 0) + n_firms - n_seg,
        inventory_run=inv_run,
        has_synthetic=bool(firms["is_synthetic"].any()) if len(firms) else False,
        margin=margin,
        sample=sample,
    )


def classifications(store: Store, run_id: int | None = None) -> pd.DataFrame:
    """The firms' classifications of a classify run (default: the latest)."""
    return sinv.classifications(store, run_id)
