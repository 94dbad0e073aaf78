"""``aicity inventory``: derive cluster indicators from the classified firms (DuckDB or Spark)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from aicity.cli._common import console, db_option, progress


def register(app: typer.Typer) -> None:
    app.command("inventory")(inventory)


def inventory(
    db: Path = db_option(),
    engine: str = typer.Option(
        "duckdb",
        "--engine",
        help="duckdb (default) or spark (pip install 'aicity[spark]', Java 17).",
    ),
    year: int | None = typer.Option(
        None, "--year", help="Reference year of the stock indicators (default: this year)."
    ),
    anchor_share: float = typer.Option(
        0.05, "--anchor-share", help="Anchor firms: the national top share by size."
    ),
    spark_master: str = typer.Option(
        "local[2]", "--spark-master", help="Spark master: local[N] or a cluster URL."
    ),
    list_runs: bool = typer.Option(
        False, "--list", help="List the inventory and classify runs instead."
    ),
    codes: bool = typer.Option(
        False, "--codes", help="Show each city's admin code beside its name."
    ),
) -> None:
    """Firm counts by layer and segment, shares, chain completeness, location quotients, HHI, anchors and
    new firms per year, per city, park and the nation; written to observations ("derived from inventory run N")."""
    from aicity.workflows.info import inventory_runs
    from aicity.workflows.inventory import inventory as run_inventory
    from aicity.workflows.session import open_store

    if list_runs:
        with open_store(db, read_only=True) as store:
            runs = inventory_runs(store)
        for r in runs.itertuples():
            how = r.method if r.kind == "classify" else r.engine
            secs = f"{r.seconds:.1f} s" if r.seconds == r.seconds else "-"
            console.print(
                f"run {r.run_id}: {r.kind} ({how}), {r.n_firms} firms, {r.n_labelled} labelled, "
                f"{r.n_classified} classified, {r.n_observations} observations, {secs}, "
                f"{str(r.started_at)[:19]}"
            )
        return
    with (
        open_store(db, create=False) as store,
        progress(f"deriving indicators on {engine}") as advance,
    ):
        result = run_inventory(
            store,
            engine=engine,
            year=year,
            anchor_share=anchor_share,
            spark_master=spark_master,
            progress=lambda m: advance(0, description=m),
        )
    d = result.derived
    console.print(
        f"inventory run {result.run_id} ({result.engine}) from classify run {result.classify_run_id}: "
        f"{result.n_firms} firms -> {result.n_observations} observations in {result.seconds:.1f} s"
        + (
            f"; anchor firms: size >= {result.anchor_threshold:g}"
            if result.anchor_threshold is not None
            else "; no size measure in the data, so no anchor firms"
        )
    )
    # firms that are not AI firms, or unclassified, are in no indicator: say how many there were
    console.print(
        f"counted: {result.n_ai} AI firms; left out of every indicator: {result.n_non_ai} not AI "
        f"firms, {result.n_unclassified} unclassified"
    )
    cities = d[d["unit_type"] == "city"].pivot_table(
        index="unit_key", columns="indicator", values="value", aggfunc="first"
    )
    cols = [
        c
        for c in (
            "inv_firms_total",
            "inv_share_foundation",
            "inv_share_technology",
            "inv_share_application",
            "inv_chain_completeness",
            "inv_hhi",
        )
        if c in cities.columns
    ]
    sample = result.coverage.get("sample", 0)
    if sample:
        console.print(
            f"{sample} of {result.n_firms} firms come from sample-kind lists: these counts are "
            "illustrative, never scored or compared across cities (ingest a registry with --coverage registry)"
        )
    table = Table(
        "城市 city",
        *(["code"] if codes else []),
        *[c.removeprefix("inv_") for c in cols],
        title="per city (top 12 by firms)",
    )
    for key, row in cities.sort_values("inv_firms_total", ascending=False).head(12).iterrows():
        table.add_row(
            escape(result.city_names.get(str(key), str(key))),
            *([escape(str(key))] if codes else []),
            *[f"{row[c]:.0f}" if c == "inv_firms_total" else f"{row[c]:.2f}" for c in cols],
        )
    console.print(table)
