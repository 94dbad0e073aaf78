"""``aicity evaluate``: evaluate cities (or parks) from the store; ``aicity runs``: list and compare runs."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from aicity.cli._common import console, db_option, progress
from aicity.data.frameworks import DEFAULT_FRAMEWORK, DEFAULT_RECIPE

runs_app = typer.Typer(help="Stored evaluation runs: list them, compare two.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_cmd)
    app.add_typer(runs_app, name="runs")


def evaluate_cmd(
    db: Path = db_option(),
    framework: str = typer.Option(
        DEFAULT_FRAMEWORK, "--framework", help="Bundled framework name or a framework .yaml file."
    ),
    recipe: str = typer.Option(
        DEFAULT_RECIPE,
        "--recipe",
        help="Bundled recipe (default, entropy, ahp, geometric) or a .yaml file.",
    ),
    year: int | None = typer.Option(
        None,
        "--year",
        help="Reference year (default: the year most of the framework's data refer to).",
    ),
    max_age: int = typer.Option(
        3, "--max-age", min=0, help="Oldest usable value, in years before --year."
    ),
    unit_type: str | None = typer.Option(
        None, "--unit-type", help="city or park (default: the framework's)."
    ),
    alternatives: bool = typer.Option(
        True,
        "--alternatives/--no-alternatives",
        help="Also rank with the entropy, AHP and geometric recipes.",
    ),
    uncertainty: int = typer.Option(
        0,
        "--uncertainty",
        min=0,
        help="Monte Carlo replications of the uncertainty analysis (0: none).",
    ),
    sobol: int = typer.Option(
        256, "--sobol", min=0, help="Sobol base sample with --uncertainty (0: none)."
    ),
    seed: int = typer.Option(1, "--seed", help="Random seed of the uncertainty analysis."),
    label: str | None = typer.Option(None, "--label", help="A note stored with the run."),
    top: int = typer.Option(10, "--top", min=0, help="Rows of the ranking to print."),
    carry_forward: bool | None = typer.Option(
        None,
        "--carry-forward/--no-carry-forward",
        help="Before imputing, give a unit without a real value for an indicator's year its own "
        "latest earlier real value within --max-age, flagged stale (default: the framework's "
        "carry_forward setting, else off).",
        show_default=False,
    ),
) -> None:
    """Evaluate every unit with the framework: latest in-scope value within --max-age of --year per cell,
    flags for stale, estimated, unverified, derived and imputed cells; the run is stored with all stages."""
    from aicity.workflows.evaluate import ALTERNATIVE_RECIPES, evaluate
    from aicity.workflows.evaluate_uncertainty import run_uncertainty_for
    from aicity.workflows.session import open_store

    with open_store(db, create=False) as store:
        with progress("evaluating"):
            ev = evaluate(
                store,
                framework=framework,
                recipe=recipe,
                year=year,
                max_age=max_age,
                alternatives=ALTERNATIVE_RECIPES if alternatives else None,
                unit_type=unit_type,
                label=label,
                carry_forward=carry_forward,
            )
        if uncertainty:
            with progress("uncertainty", total=uncertainty) as advance:
                run_uncertainty_for(
                    store,
                    ev.run_id,
                    n=uncertainty,
                    seed=seed,
                    sobol_n=sobol or None,
                    progress=advance,
                )
        print_ranking(store, ev.run_id, top)


def print_ranking(store, run_id: str, top: int) -> None:
    from aicity.profiles.evidence import run_evidence
    from aicity.workflows.info import stored_run

    run = stored_run(store, run_id)
    meta, cells, units = run.meta, run.cells, run.units
    flagged = int((cells["flags"].fillna("") != "").sum())
    console.print(
        f"run [bold]{escape(run_id)}[/]: {meta['n_units']} {run.unit_type} units, "
        f"{meta['n_indicators']} indicators, reference year {run.reference_year}, "
        f"{flagged} of {len(cells)} cells flagged"
    )
    evidence = run_evidence(run)
    ranked = [u for u, r in evidence.ranked.items() if r]
    console.print(
        f"evidence: {evidence.n_real_scored} of {evidence.n_scored_cells} scored cells real, "
        f"{evidence.n_imputed} imputed ({evidence.imputed_share:.1%}); "
        f"{len(ranked)} of {len(units)} units ranked"
    )
    for code, reason in evidence.indicators_left_out.items():
        console.print(f"left out: {escape(code)} ({escape(reason)})")
    for row in units[~units["unit_key"].isin(ranked)].itertuples(index=False):
        console.print(
            f"数据不足 / insufficient data, not ranked: {escape(str(row.name_zh))} "
            f"({row.real_cells} of {row.total_cells} cells real)"
        )
    if not top:
        return
    best = run.ranking().head(top)
    names = units.set_index("unit_key")["name_zh"]
    interval = {k: f"{lo:.0f}–{hi:.0f}" for k, (lo, hi) in run.intervals().items()}
    table = Table("rank", "unit", "score", *(["90% rank interval"] if interval else []))
    for row in best.itertuples(index=False):
        cols = [
            str(int(row.rank)),
            escape(str(names.get(row.unit_key, row.unit_key))),
            f"{row.score:.1f}",
        ]
        if interval:
            cols.append(interval.get(row.unit_key, "–"))
        table.add_row(*cols)
    console.print(table)


@runs_app.command("list")
def list_cmd(db: Path = db_option()) -> None:
    """Every stored run, newest first."""
    from aicity.workflows.info import evaluation_runs
    from aicity.workflows.session import open_store

    with open_store(db, read_only=True) as store:
        runs = evaluation_runs(store)
    table = Table("run id", "created", "framework", "units", "year", "max age", "data hash")
    for r in runs.itertuples(index=False):
        table.add_row(
            escape(r.run_id),
            str(r.created_at)[:19],
            escape(r.framework_name),
            f"{r.n_units} {r.unit_type}",
            str(r.reference_year),
            str(r.max_age),
            r.data_hash[:12],
        )
    console.print(table)


@runs_app.command("compare")
def compare_cmd(
    run_a: str = typer.Argument(..., help="The earlier run (or the baseline recipe)."),
    run_b: str = typer.Argument(..., help="The later run (or the alternative)."),
    db: Path = db_option(),
    out: Path | None = typer.Option(
        None, "--out", help="Also write every change to this CSV file."
    ),
    top: int = typer.Option(5, "--top", min=0, help="Units in the 'moved most' list."),
) -> None:
    """Rank and score changes of the overall index from run A to run B (positive = moved up), with
    both runs' 90% rank intervals where stored, and the units that moved most."""
    from aicity.cli.runs_view import print_comparison
    from aicity.io.export import to_csv
    from aicity.workflows.series import compare_series
    from aicity.workflows.session import open_store

    with open_store(db, read_only=True) as store:
        comparison = compare_series(store, run_a, run_b)
    if out is not None:
        to_csv(comparison.changes, out)
    print_comparison(comparison, top)
