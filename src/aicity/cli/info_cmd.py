"""``aicity info [--db]``: what a store holds (tables, years, sources, ingests, rejected rows)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from aicity.cli._common import console, db_option
from aicity.data.frameworks import DEFAULT_FRAMEWORK


def register(app: typer.Typer) -> None:
    app.command("info")(info)


def info(
    db: Path = db_option(),
    rejected: bool = typer.Option(False, "--rejected", help="List the rejected rows too."),
    limit: int = typer.Option(20, "--limit", help="Rows to list for --rejected."),
    coverage: bool = typer.Option(
        False,
        "--coverage",
        help="Instead: indicators x cities of what the store holds for a framework "
        "(real, stale, unverified, no source, other unit or year, missing).",
    ),
    framework: str = typer.Option(
        DEFAULT_FRAMEWORK, "--framework", help="With --coverage: bundled name or a .yaml file."
    ),
    year: int | None = typer.Option(
        None, "--year", help="With --coverage: reference year (default: as `aicity evaluate`)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="With --coverage: also write the grid to this CSV file."
    ),
) -> None:
    """Describe a store: counts per table, years covered, sources, ingests and rejected rows."""
    from aicity.workflows.info import store_summary
    from aicity.workflows.session import open_store

    if coverage:
        from aicity.cli.panel_cmd import print_coverage

        print_coverage(db, framework, year, out)
        return

    with open_store(db, read_only=True) as store:
        summary = store_summary(store)
    console.print(f"store {escape(str(db))}: schema version {summary.schema_version}")
    counts = Table("table", "rows", title="tables", title_justify="left")
    for name, n in summary.counts.items():
        counts.add_row(escape(name), f"{n:,}")
    console.print(counts)
    years = Table(
        "unit type",
        "facts (current)",
        "history",
        "indicators",
        "years",
        title="observations",
        title_justify="left",
    )
    for row in summary.observations.itertuples(index=False):
        span = (
            f"{row.first_year}-{row.last_year}"
            if row.first_year is not None and str(row.first_year) != "<NA>"
            else "—"
        )
        years.add_row(
            escape(str(row.unit_type)),
            f"{row.current:,}",
            f"{row.history:,}",
            str(row.indicators),
            span,
        )
    console.print(years)
    kinds = ", ".join(f"{escape(str(k))} {n:,}" for k, n in summary.kinds.items())
    console.print(f"kinds: {kinds or '—'}; unverified facts: {summary.unverified:,}")
    grades = ", ".join(f"{escape(str(g))} {n}" for g, n in summary.source_grades.items())
    console.print(
        f"sources: {summary.n_sources:,} ({grades or '—'}; A official, B media/secondary, C unverified)"
    )
    ingests = Table(
        "#",
        "file",
        "table",
        "rows",
        "accepted",
        "rejected",
        "changed",
        "status",
        title="latest ingests",
        title_justify="left",
    )
    for row in summary.ingests.itertuples(index=False):
        ingests.add_row(
            str(row.ingest_id),
            escape(str(row.file)),
            escape(str(row.table_name)),
            str(row.n_rows),
            str(row.n_accepted),
            str(row.n_rejected),
            str(row.n_changed),
            escape(str(row.status)),
        )
    console.print(ingests)
    console.print(
        f"rejected rows: {summary.n_rejected:,}"
        + ("" if rejected or not summary.n_rejected else " (list them with --rejected)")
    )
    if rejected and summary.n_rejected:
        listing = Table(
            "ingest",
            "file",
            "row",
            "column",
            "value",
            "reason",
            title="rejected rows",
            title_justify="left",
        )
        for row in summary.rejected.head(limit).itertuples(index=False):
            value = "" if row.value is None or str(row.value) in ("<NA>", "nan") else str(row.value)
            listing.add_row(
                str(row.ingest_id),
                escape(str(row.file)),
                str(row.row),
                escape(str(row.column)),
                escape(value[:40]),
                escape(str(row.reason)),
            )
        console.print(listing)
