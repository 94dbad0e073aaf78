"""``aicity classify``: give every firm a layer and segment (rules or learned); ``train``; ``evaluate``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from aicity.cli._common import console, db_option, progress

classify_app = typer.Typer(
    help="Classify firms into the industry-map taxonomy (layer, segment, tags, confidence, explanation).",
    no_args_is_help=False,
    invoke_without_command=True,
)

_METHOD = typer.Option(
    "learned",
    "--method",
    help="learned (the store's trained model, else the bundled one) or rules (keywords, in the database; "
    "fastest on millions of firms).",
)
_TAXONOMY = typer.Option(
    None, "--taxonomy", help="Taxonomy YAML/CSV (default: the bundled 28 segments)."
)


def register(app: typer.Typer) -> None:
    app.add_typer(classify_app, name="classify")


@classify_app.callback()
def classify(
    ctx: typer.Context,
    db: Path = db_option(),
    method: str = _METHOD,
    taxonomy: Path | None = _TAXONOMY,
    model_version: int | None = typer.Option(
        None, "--model-version", help="Learned model version (default: latest)."
    ),
) -> None:
    """Classify every firm in the store; labels given in the input always win."""
    if ctx.invoked_subcommand is not None:
        return
    from aicity.workflows.classification import classification_summary
    from aicity.workflows.classification import classify as run_classify
    from aicity.workflows.session import open_store

    with open_store(db, create=False) as store, progress(f"classifying ({method})"):
        result = run_classify(
            store, method=method, taxonomy_path=taxonomy, model_version=model_version
        )
        counts = classification_summary(store, result.run_id)  # counted in SQL, not 1M rows read
    console.print(
        f"classify run {result.run_id} ({result.method}"
        + (f", model v{result.model_version}" if result.model_version else "")
        + (f", {escape(result.model)}" if result.model and not result.model_version else "")
        + f"): {result.n_firms} firms, {result.n_labelled} kept their input label, "
        f"{result.n_classified} with a segment, {result.n_non_ai} not AI firms, "
        f"{result.n_unclassified} unclassified ({result.seconds:.1f} s)"
    )
    if result.note:
        console.print(f"[yellow]note: {escape(result.note)}[/yellow]")
    table = Table("layer", "method", "firms", title="classified firms")
    for row in counts.itertuples():
        table.add_row(str(row.layer), str(row.method), str(row.firms))
    console.print(table)


@classify_app.command("train")
def train(
    db: Path = db_option(),
    labels: Path | None = typer.Option(
        None,
        "--labels",
        help="Labelled firms (CSV/XLSX/Parquet with a segment column); default: labelled firms in the store.",
    ),
    taxonomy: Path | None = _TAXONOMY,
    text: str = typer.Option(
        "name,description", "--text", help="Text columns the model reads, comma-separated."
    ),
) -> None:
    """Train the learned classifier (TF-IDF character 1-3-grams and the rules' keyword scores, logistic regression) and save it."""
    from aicity.workflows.models import train as run_train
    from aicity.workflows.session import open_store

    with open_store(db, create=False) as store, progress("training"):
        result = run_train(
            store, labels, taxonomy, tuple(c.strip() for c in text.split(",") if c.strip())
        )
    m = result.metrics
    cv = (
        f"; 5-fold CV segment accuracy {m['cv_segment_accuracy']:.2f}, layer accuracy {m['cv_layer_accuracy']:.2f}"
        if "cv_segment_accuracy" in m
        else "; too few labelled firms for cross-validation"
    )
    console.print(
        f"model v{result.version}: {result.n_train} labelled firms, {result.n_classes} segments{cv}; "
        f"saved to {escape(str(result.path))}"
    )


@classify_app.command("evaluate")
def evaluate(
    labels: Path = typer.Option(
        ...,
        "--labels",
        help="Labelled firms (CSV/XLSX/Parquet with a segment column: a taxonomy code or none).",
    ),
    db: Path | None = typer.Option(
        None, "--db", help="Store whose trained model to evaluate (default: the bundled model)."
    ),
    method: str = _METHOD,
    taxonomy: Path | None = _TAXONOMY,
    text: str = typer.Option(
        "name,description",
        "--text",
        help="Text columns: the first is read as the name, the rest as business scope.",
    ),
    model_version: int | None = typer.Option(None, "--model-version"),
    cv: int | None = typer.Option(
        None,
        "--cv",
        help="Cross-validate the learned model on the file itself: stratified folds, each firm "
        "predicted by a model trained without it.",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the folds."),
    segments: bool = typer.Option(
        True, "--segments/--no-segments", help="Also print per-segment scores."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON instead."),
) -> None:
    """Accuracy, precision, recall and F1 per layer and segment on labelled firms, with confusion tables."""
    import json

    from aicity.workflows.models import evaluate_labels
    from aicity.workflows.session import open_store

    columns = tuple(c.strip() for c in text.split(",") if c.strip())
    with console.status("evaluating"):
        if method == "learned" and db is not None and not cv:
            with open_store(db, read_only=True) as store:
                result = evaluate_labels(
                    labels, method, store, taxonomy, model_version, columns, cv, seed
                )
        else:
            result = evaluate_labels(
                labels, method, None, taxonomy, model_version, columns, cv, seed
            )
    ev = result.evaluation
    if as_json:
        payload = {"method": method, "model": result.model, "circular": result.circular}
        payload.update(ev.to_dict())
        console.print_json(json.dumps(payload, ensure_ascii=False, default=float))
        return
    s = ev.summary()
    console.print(
        f"{ev.n} labelled firms ({ev.n_ai} AI, {ev.n_non_ai} not AI), {method} ({escape(result.model)}): "
        f"layer accuracy {s['layer_accuracy']:.3f}, segment accuracy {s['segment_accuracy']:.3f} "
        f"(AI firms {s['segment_accuracy_ai']:.3f}), non-AI recall {s['non_ai_recall']:.3f} "
        f"({s['non_ai_called_ai']} of {ev.n_non_ai} called AI), coverage {s['coverage']:.3f}, "
        f"macro F1 segment {s['segment_macro_f1']:.3f} / layer {s['layer_macro_f1']:.3f}"
    )
    if result.circular:
        console.print(
            "[yellow]note: the model was trained on these very labels, so these figures are optimistic; "
            "pass --cv 5 for honest ones[/yellow]"
        )
    _scores_table("per layer", ev.per_layer)
    if segments:
        _scores_table("per segment", ev.per_segment)
    _confusion_table("layer confusion", ev.layer_confusion)
    mistakes = ev.top_confusions(10)
    if mistakes:
        table = Table("truth", "predicted", "firms", title="most frequent segment mistakes")
        for t, p, n in mistakes:
            table.add_row(t, p, str(n))
        console.print(table)


def _confusion_table(title: str, conf) -> None:
    table = Table("truth \\ predicted", *[str(c) for c in conf.columns], title=title)
    for idx, row in conf.iterrows():
        table.add_row(str(idx), *[str(int(v)) for v in row])
    console.print(table)


def _scores_table(title: str, frame) -> None:
    table = Table("label", "precision", "recall", "F1", "support", title=title)
    for row in frame.itertuples():
        table.add_row(
            str(row.label),
            f"{row.precision:.2f}",
            f"{row.recall:.2f}",
            f"{row.f1:.2f}",
            str(row.support),
        )
    console.print(table)
