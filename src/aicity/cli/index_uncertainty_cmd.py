"""``aicity index uncertainty``: how much each rank moves when the assumptions move."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from aicity.cli._common import console


def register(app: typer.Typer) -> None:
    # the `index` group belongs to index_cmd; this module only adds a command to it
    from aicity.cli.index_cmd import index_app

    index_app.command("uncertainty")(uncertainty_cmd)


def uncertainty_cmd(
    meta: Path | None = typer.Option(
        None, "--meta", help="COINr-style iMeta CSV (Level, iCode, Parent, ...)."
    ),
    data: Path = typer.Option(
        ..., "--data", help="iData CSV: uCode, uName, groups, denominators, indicators."
    ),
    framework: Path | None = typer.Option(
        None, "--framework", help="YAML framework (instead of --meta)."
    ),
    recipe: Path | None = typer.Option(
        None, "--recipe", help="Recipe YAML. Default: COINr's quick pipeline."
    ),
    spec: Path = typer.Option(
        ..., "--spec", help="Uncertainty spec YAML (target, assumptions, sensitivity)."
    ),
    n: int = typer.Option(1000, "--n", min=1, help="Replications of the uncertainty analysis."),
    seed: int = typer.Option(1, "--seed", help="Random seed: same seed, same output."),
    sobol: bool = typer.Option(
        False, "--sobol", help="Also estimate Sobol indices (sensitivity.csv)."
    ),
    sobol_n: int | None = typer.Option(
        None,
        "--sobol-n",
        min=2,
        help="Base sample of the Sobol design (default --n); runs n x (assumptions + 2).",
    ),
    out: Path = typer.Option(..., "--out", help="Output folder (created if needed)."),
    level_names: str | None = typer.Option(
        None, "--level-names", help="Comma-separated level names, indicators first (iMeta input)."
    ),
    charts: bool = typer.Option(
        False, "--charts", help="Also write rank_intervals.png and rank_intervals.html."
    ),
) -> None:
    """Run the uncertainty analysis (and with --sobol the sensitivity analysis) and write CSV tables:
    rank_stats, rank_probabilities, score_stats (and sensitivity); the replications in samples.parquet."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from aicity.cli.index_cmd import _read_csv
    from aicity.errors import ConfigError
    from aicity.index import Framework, Recipe
    from aicity.index.uncertainty import UncertaintySpec, run_sensitivity, run_uncertainty
    from aicity.index.uncertainty.engine import EngineModel
    from aicity.io.export import to_csv

    if (meta is None) == (framework is None):
        raise ConfigError(
            "give exactly one of --meta (COINr iMeta CSV) or --framework (YAML)",
            path="--meta/--framework",
        )
    ua_spec = UncertaintySpec.from_yaml(spec)
    idata = _read_csv(data)
    if framework is not None:
        fw = Framework.from_yaml(framework, idata)
    else:
        names = [x.strip() for x in level_names.split(",")] if level_names else None
        fw = Framework.from_coinr(_read_csv(meta), idata, level_names=names)  # type: ignore[arg-type]
    rec = Recipe.from_yaml(recipe) if recipe is not None else Recipe.quick()
    model = EngineModel(fw, rec, target=ua_spec.target)
    out.mkdir(parents=True, exist_ok=True)

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("uncertainty", total=n)
        started = time.perf_counter()
        ua = run_uncertainty(model, ua_spec, n, seed, progress=lambda k: bar.advance(task, k))
        ua_seconds = time.perf_counter() - started
        sa = None
        if sobol:
            base = sobol_n or n
            task = bar.add_task("sensitivity", total=base * (len(ua_spec.assumptions) + 2))
            started = time.perf_counter()
            sa = run_sensitivity(
                model, ua_spec, base, seed, progress=lambda k: bar.advance(task, k)
            )
            sa_seconds = time.perf_counter() - started

    written = {
        "rank_stats.csv": ua.rank_stats(),
        "rank_probabilities.csv": ua.rank_probabilities(),
        "score_stats.csv": ua.score_stats(),
    }
    if sa is not None:
        written["sensitivity.csv"] = sa
    for name, frame in written.items():
        to_csv(frame, out / name)
    # one row per replication: Parquet (typed, compact, ~10x faster to write than CSV at N = 10,000)
    ua.samples.to_parquet(out / "samples.parquet", index=False)
    written["samples.parquet"] = ua.samples
    summary = {
        "target": ua.target,
        "n": n,
        "seed": seed,
        "units": len(ua.units),
        "assumptions": ua_spec.labels,
        "failed_replications": ua.failures,
        "sobol_n": (sobol_n or n) if sobol else None,
        "sobol_base_samples_used": sa.attrs.get("base_samples") if sa is not None else None,
        "sobol_failures": sa.attrs.get("failures") if sa is not None else None,
    }
    (out / "summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    if charts:
        from aicity.viz.rank_intervals import plot_rank_intervals, plot_rank_intervals_plotly

        stats = ua.rank_stats()
        plot_rank_intervals(stats, title=f"{ua.target}: rank intervals, N = {n}").savefig(
            out / "rank_intervals.png"
        )
        plot_rank_intervals_plotly(stats, title=f"{ua.target}: rank intervals, N = {n}").write_html(
            out / "rank_intervals.html", include_plotlyjs=True
        )

    console.print(
        f"uncertainty on {ua.target}: {n} replications of {len(ua_spec.assumptions)} assumptions "
        f"over {len(ua.units)} units in {ua_seconds:.2f} s"
    )
    if ua.failures:
        failed = sum(ua.failures.values())
        first = next(iter(ua.failures))
        console.print(
            f"[yellow]{failed} replications failed and are left out of the statistics[/]: {first}"
        )
    if sa is not None and sa.attrs.get("base_samples", 0) < (sobol_n or n):
        console.print(
            f"[yellow]Sobol: {(sobol_n or n) - sa.attrs['base_samples']} of {sobol_n or n} base samples set aside"
            " because a replication failed[/]"
        )
    if sa is not None:
        top = sa.sort_values("ST", ascending=False).iloc[0]
        console.print(
            f"sensitivity ({ua_spec.sensitivity.output}) in {sa_seconds:.2f} s: "
            f"largest total effect {top['assumption']} (ST {top['ST']:.2f})"
        )
    console.print(f"wrote {len(written) + 1 + (2 if charts else 0)} files to {out}")
