"""``aicity ingest PATH... --table T``: validated, transactional ingest of CSV / XLSX / Parquet files."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from aicity.cli._common import console, db_option, err_console, progress
from aicity.errors import RowProblems


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)


def ingest(
    paths: list[Path] = typer.Argument(
        ..., help="Files to ingest (.csv, .tsv, .xlsx, .parquet).", show_default=False
    ),
    table: str = typer.Option(
        ...,
        "--table",
        "-t",
        help="Target table: cities, parks, enterprises, observations, indicators or projects.",
    ),
    db: Path = db_option(),
    sheet: str | None = typer.Option(
        None, "--sheet", help="XLSX sheet name (default: the first sheet)."
    ),
    encoding: str | None = typer.Option(
        None, "--encoding", help="CSV encoding (default: UTF-8, then GB18030)."
    ),
    strict: bool = typer.Option(
        False, "--strict", help="Write nothing from a file with any bad row."
    ),
    show: int = typer.Option(10, "--show", help="How many rejected rows to list per file."),
    coverage: str | None = typer.Option(
        None,
        "--coverage",
        help="enterprises: 'registry' if the file is a full registry export or official list, "
        "'sample' for a curated selection (default, where the file has no coverage column). "
        "Layer mixes and firm counts are compared across cities only for registries.",
    ),
) -> None:
    """Ingest files: each file in one transaction; bad rows go to rejected_rows (exit 3)."""
    from aicity.workflows.ingest import TABLES, ingest_file
    from aicity.workflows.session import open_store

    if table not in TABLES:
        raise typer.BadParameter(
            f"expected one of {', '.join(TABLES)}, got {table!r}", param_hint="--table"
        )
    any_rejected = 0
    with open_store(db) as store, progress(f"ingest into {table}", total=len(paths)) as advance:
        for path in paths:
            advance(0, description=f"ingesting {escape(path.name)} into {table}")
            result = ingest_file(
                store, path, table, sheet=sheet, encoding=encoding, strict=strict, coverage=coverage
            )
            advance(1)
            where = escape(result.file)
            if result.status == "unchanged":
                console.print(
                    f"{where}: unchanged (same content as ingest #{result.previous_ingest}); nothing added"
                    + (f" ({_written(result)})" if result.n_new is not None else "")
                    + (
                        f"; {result.n_rejected} rows were rejected then"
                        if result.n_rejected
                        else ""
                    )
                )
                any_rejected += result.n_rejected
                continue
            details = ", ".join(
                x for x in (result.encoding, f"sheet {result.sheet}" if result.sheet else None) if x
            )
            console.print(
                f"{where} -> {table}: {result.n_rows} rows, {result.n_accepted} accepted, "
                f"{result.n_rejected} rejected, {_written(result)}"
                + (f" ({escape(details)})" if details else "")
                + f" [ingest #{result.ingest_id}]"
            )
            if result.unknown_columns:
                console.print(f"  ignored columns: {escape(', '.join(result.unknown_columns))}")
            if result.n_rejected:
                any_rejected += result.n_rejected
                _print_rejected(result.rejected, show)
    if any_rejected:
        raise RowProblems(
            f"{any_rejected} rows rejected; see `aicity info --rejected` (accepted rows were written)"
        )


def _written(result) -> str:  # type: ignore[no-untyped-def]
    """What the accepted rows did: new, updated, unchanged (entity tables), else added or changed."""
    if result.n_new is None:
        return f"{result.n_changed} added or changed"
    return f"{result.n_new} new, {result.n_updated} updated, {result.n_unchanged} unchanged"


def _print_rejected(rejected, show: int) -> None:  # type: ignore[no-untyped-def]
    listing = Table("row", "column", "value", "reason", title="rejected rows", title_justify="left")
    for item in rejected.head(show).itertuples(index=False):
        value = "" if item.value is None or str(item.value) == "<NA>" else str(item.value)
        listing.add_row(
            str(item.row), escape(str(item.column)), escape(value[:40]), escape(str(item.reason))
        )
    err_console.print(listing)
    if len(rejected) > show:
        err_console.print(f"  ... and {len(rejected) - show} more problems")
