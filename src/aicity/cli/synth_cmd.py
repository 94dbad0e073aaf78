"""``aicity synth enterprises``: a SYNTHETIC enterprise registry for scale tests and evaluation."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from aicity.cli._common import console, progress

synth_app = typer.Typer(help="Generate clearly labelled synthetic data.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(synth_app, name="synth")


@synth_app.command("enterprises")
def enterprises(
    rows: int = typer.Option(..., "--rows", help="Number of firms."),
    out: Path = typer.Option(..., "--out", help="Output .parquet or .csv."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same rows)."),
    label_share: float = typer.Option(
        0.1, "--label-share", help="Share of rows whose true label is given as input."
    ),
    taxonomy: Path | None = typer.Option(
        None, "--taxonomy", help="Taxonomy YAML/CSV (default: bundled)."
    ),
    into_db: Path | None = typer.Option(
        None, "--into-db", help="Also append the firms to this store (Parquet output only)."
    ),
) -> None:
    """Plausible firms (names, cities by weight, business scopes from taxonomy keywords and noise), all
    marked is_synthetic, with true labels for evaluation."""
    from aicity.inventory.synth import SynthSpec, write
    from aicity.inventory.taxonomy import load_taxonomy

    tax = load_taxonomy(taxonomy)
    spec = SynthSpec(rows=rows, seed=seed, label_share=label_share)
    with progress("synthetic firms", total=rows) as advance:
        n = write(spec, out, tax, progress=advance)
    console.print(
        f"{n} SYNTHETIC firms written to {escape(str(out))} (seed {seed}; true labels in true_segment)"
    )
    if into_db is not None:
        from aicity.errors import InputError
        from aicity.workflows.info import append_synthetic_registry
        from aicity.workflows.session import open_store

        if out.suffix.lower() != ".parquet":
            raise InputError("--into-db needs a .parquet output", file=str(out))
        with open_store(into_db) as store:
            added = append_synthetic_registry(store, out)
        console.print(f"{added} firms appended to {escape(str(into_db))}")
