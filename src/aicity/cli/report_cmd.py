"""``aicity report``: render a stored evaluation run as HTML (offline folder), PDF and Excel."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from aicity.cli._common import console, db_option, progress
from aicity.paths import DEFAULT_OUT


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)


def report_cmd(
    db: Path = db_option(),
    run: str | None = typer.Option(None, "--run", help="Run id (default: the latest city run)."),
    lang: str = typer.Option("zh", "--lang", help="zh or en."),
    formats: str = typer.Option(
        "html,pdf,xlsx", "--format", help="Comma-separated: html, pdf, xlsx."
    ),
    out: Path = typer.Option(Path(DEFAULT_OUT), "--out", help="Output folder (created if needed)."),
) -> None:
    """Cover, preface, methodology, rankings, one chapter per city, parks, comparison with published
    rankings, appendix (sources, gaps, sensitivity, reproducibility)."""
    from aicity.workflows.report import build_report
    from aicity.workflows.session import open_store

    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    with open_store(db, read_only=True) as store, progress("report") as advance:
        written = build_report(
            store,
            out,
            run_id=run,
            lang=lang,
            formats=wanted,
            on_step=lambda step: advance(0, description=f"report: {step}"),
        )
    for fmt, path in written.items():
        console.print(f"{fmt}: {escape(str(path))}")
