"""``aicity demo [--out DIR]``: build DIR/aicity.duckdb from the bundled China AI 20 example."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from aicity.cli._common import console, progress
from aicity.paths import DEFAULT_OUT

if TYPE_CHECKING:
    import pandas as pd

COVERAGE_CATEGORIES = ("industry", "innovation", "regional_support", "policy")
PER_TABLE = 8


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    out: Path = typer.Option(
        Path(DEFAULT_OUT), "--out", help="Folder for aicity.duckdb and the demo outputs."
    ),
    full: bool = typer.Option(
        True,
        "--full/--store-only",
        help="Also classify, inventory, evaluate, analyse uncertainty and write the report.",
    ),
) -> None:
    """Build the example store from the bundled, sourced China AI 20 facts and show its coverage."""
    from aicity.io.export import to_csv
    from aicity.workflows.demo import FULL_STEPS, STEPS, build_demo, coverage

    steps = len(STEPS) + (len(FULL_STEPS) if full else 0)
    with progress("demo", total=steps) as advance:
        run = build_demo(out, progress=lambda label: advance(1, description=label), full=full)
    try:
        for result in run.ingests:
            console.print(
                f"{escape(result.file)} -> {result.table}: {result.n_accepted}/{result.n_rows} rows"
                + (f", {result.n_rejected} rejected" if result.n_rejected else "")
            )
        grid = coverage(run.store, COVERAGE_CATEGORIES)
        to_csv(grid, out / "coverage.csv")
        # the full run ends with the ranking, so it shows coverage per category; --store-only shows every cell
        (_print_coverage_summary if full else _print_coverage)(grid)
        filled = grid["value"].notna() | grid["value_text"].notna()
        console.print(
            f"store: {escape(str(run.db_path))}; coverage {filled.sum()}/{len(grid)} city-indicator cells "
            f"({filled.mean():.0%}); full grid in {escape(str(out / 'coverage.csv'))}"
        )
        if run.evaluation_run_id:
            from aicity.cli.evaluate_cmd import print_ranking

            print_ranking(run.store, run.evaluation_run_id, top=10)
        for name, path in run.artefacts.items():
            console.print(f"{escape(name)}: {escape(str(path))}")
    finally:
        run.store.close()


def _cell(row: pd.Series) -> str:
    import pandas as pd

    if pd.isna(row["value"]):
        return "[dim]—[/dim]"
    value = float(row["value"])
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    mark = {"estimate": "~", "plan_target": "→"}.get(str(row["kind"]), "")
    unverified = "?" if row["verified"] is False or str(row["verified"]) == "False" else ""
    year = f" [dim]{int(row['year']) % 100:02d}[/dim]" if not pd.isna(row["year"]) else ""
    return f"{mark}{text}{unverified}{year}"


def _print_coverage(grid: pd.DataFrame) -> None:
    codes = list(dict.fromkeys(grid["indicator"]))
    wide = grid.set_index(["city_code", "indicator"])
    cities = grid.drop_duplicates("city_code")[["city_code", "name_zh"]]
    for start in range(0, len(codes), PER_TABLE):
        chunk = codes[start : start + PER_TABLE]
        table = Table(
            "city",
            *[escape(c) for c in chunk],
            title="coverage: value and year ('23 = 2023); ~ estimate, → plan target, ? unverified, — missing"
            if start == 0
            else None,
            title_justify="left",
        )
        for code, name in cities.itertuples(index=False):
            table.add_row(escape(str(name)), *[_cell(wide.loc[(code, c)]) for c in chunk])
        console.print(table)


def _print_coverage_summary(grid: pd.DataFrame) -> None:
    """Cities x indicator categories: how many of each category's indicators have a value."""
    filled = grid["value"].notna() | grid["value_text"].notna()
    counts = (
        grid.assign(filled=filled)
        .groupby(["city_code", "category"], sort=False)["filled"]
        .agg(["sum", "size"])
    )
    categories = list(dict.fromkeys(grid["category"]))
    table = Table(
        "city",
        *[escape(c) for c in categories],
        "all",
        title="coverage: indicators with a value / indicators, per category (cell by cell in coverage.csv)",
        title_justify="left",
    )
    cities = grid.drop_duplicates("city_code")[["city_code", "name_zh"]]
    for code, name in cities.itertuples(index=False):
        cells = [counts.loc[(code, c)] for c in categories]
        got, total = sum(int(c["sum"]) for c in cells), sum(int(c["size"]) for c in cells)
        table.add_row(
            escape(str(name)),
            *[f"{int(c['sum'])}/{int(c['size'])}" for c in cells],
            f"{got}/{total}",
        )
    console.print(table)
