"""``aicity template``: a workbook for your own data; ``aicity framework new``: a framework from its
weights sheet. (``aicity info --coverage`` shows what the store holds once it is ingested.)"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from aicity.cli._common import console
from aicity.data.frameworks import DEFAULT_FRAMEWORK

framework_app = typer.Typer(
    help="Frameworks of your own: make one from a weights sheet.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.command("template")(template_cmd)
    app.add_typer(framework_app, name="framework")


def template_cmd(
    out: Path = typer.Option(Path("panel.xlsx"), "--out", "-o", help="Workbook to write (.xlsx)."),
    framework: str = typer.Option(
        DEFAULT_FRAMEWORK,
        "--framework",
        help="Bundled framework name or a framework .yaml file: its indicators and weights pre-fill "
        "the indicators and weights sheets.",
    ),
    year: int | None = typer.Option(
        None, "--year", help="The year to collect data for (default: last year)."
    ),
) -> None:
    """Write an Excel template for your own data: cities, parks, enterprises, observations and
    indicators sheets with the headers `aicity ingest` reads, drop-down lists, and the framework's
    weights. 填写模板：各表表头即入库所读列名（英文见批注）。"""
    from aicity.workflows.panel_columns import TEMPLATE_COLUMNS
    from aicity.workflows.panel_template import write_template

    if out.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"expected an .xlsx path, got {out.name!r}", param_hint="--out")
    path = write_template(out, framework=framework, year=year)
    console.print(f"模板 / template: {escape(str(path))}")
    sheets = ", ".join(TEMPLATE_COLUMNS)
    console.print(f"sheets to fill: {sheets}; weights and settings make a framework")
    console.print("next / 下一步:")
    for table in ("indicators", "cities", "parks", "enterprises", "observations"):
        console.print(
            f"  aicity ingest {escape(str(path))} --table {table} --sheet {table}", highlight=False
        )
    console.print("  aicity info --coverage", highlight=False)
    console.print(
        f"  aicity framework new --from {escape(str(path))} --out my_framework.yaml"
        "   (optional: your own weights)",
        highlight=False,
    )
    console.print("  aicity evaluate [--framework my_framework.yaml]", highlight=False)


@framework_app.command("new")
def framework_new(
    source: Path = typer.Option(
        ..., "--from", help="Workbook with a weights sheet (the template's), or a CSV of weights."
    ),
    out: Path = typer.Option(Path("my_framework.yaml"), "--out", "-o", help="YAML file to write."),
    sheet: str = typer.Option("weights", "--sheet", help="Sheet holding the weights."),
    name: str | None = typer.Option(
        None, "--name", help="Framework name (default: the settings sheet's, else the file name)."
    ),
) -> None:
    """Turn a weights sheet (dimension, indicator code, weight, direction, unit) into a framework YAML
    for `aicity evaluate --framework`. 由权重表生成评价框架。"""
    from aicity.workflows.panel_framework import framework_from_sheet

    spec, text = framework_from_sheet(source, sheet=sheet, name=name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    indicators = [n for n in spec["nodes"] if n["level"] == 1]
    dimensions = [n for n in spec["nodes"] if n["level"] == 2]
    console.print(
        f"框架 / framework {escape(spec['name'])}: {len(dimensions)} dimensions, "
        f"{len(indicators)} indicators -> {escape(str(out))}"
    )
    console.print(f"next: aicity evaluate --framework {escape(str(out))}", highlight=False)


# ----- aicity info --coverage -----------------------------------------------------------------------------
SYMBOLS = {
    "real": ("●", "green"),
    "stale": ("◐", "green"),
    "unverified": ("○", "yellow"),
    "no_source": ("?", "yellow"),
    "other_scope": ("≠", "magenta"),
    "other_year": ("~", "magenta"),
    "missing": ("·", "red"),
}


def print_coverage(db: Path, framework: str, year: int | None, out: Path | None) -> None:
    """The coverage grid of ``aicity info --coverage``: one symbol per indicator x city, a legend, and
    each indicator's real count against the framework's floor."""
    from rich.table import Table

    from aicity.workflows.panel import COVERAGE_NAMES, store_coverage
    from aicity.workflows.session import open_store

    with open_store(db, read_only=True) as store:
        cov = store_coverage(store, framework=framework, year=year)
    if out is not None:
        from aicity.io.export import to_csv

        to_csv(cov.matrix(), out)
    n = len(cov.units)
    console.print(
        f"覆盖 / coverage of framework {escape(cov.framework)}: {len(cov.indicators)} indicators x "
        f"{n} units, reference year {cov.reference_year}"
    )
    statuses = cov.cells.set_index(["indicator", "unit_key"])["status"]
    names = list(cov.units["name_zh"].fillna(cov.units["unit_key"]))
    keys = list(cov.units["unit_key"])
    # indicators as rows and cities as columns where they fit; else cities as rows
    wide = 24 + 4 * n <= console.width
    if wide:
        table = Table("indicator 指标", *names, "real", box=None, pad_edge=False)
        for row in cov.indicators.itertuples(index=False):
            cells = [_symbol(statuses.get((row.code, k), "missing")) for k in keys]
            table.add_row(escape(str(row.name_zh)), *cells, _real(row))
    else:
        numbers = [str(i + 1) for i in range(len(cov.indicators))]
        table = Table("city 城市", *numbers, box=None, pad_edge=False)
        for key, name in zip(keys, names, strict=True):
            cells = [
                _symbol(statuses.get((code, key), "missing")) for code in cov.indicators["code"]
            ]
            table.add_row(escape(str(name)), *cells)
    console.print(table)
    if not wide:
        for i, row in enumerate(cov.indicators.itertuples(index=False), start=1):
            console.print(
                f"  {i} {escape(str(row.name_zh))} / {escape(str(row.name_en))}: {_real(row)}"
            )
    legend = "  ".join(
        f"[{SYMBOLS[s][1]}]{SYMBOLS[s][0]}[/] {zh} {en}" for s, (zh, en) in COVERAGE_NAMES.items()
    )
    console.print(legend)
    thin = cov.indicators[~cov.indicators["scored"]]
    console.print(
        f"scored only with real data (sourced, verified, actual) for >= {cov.floor:.0%} of the units; "
        f"{len(thin)} of {len(cov.indicators)} indicators below that would be left out"
        + (f": {escape(', '.join(thin['code']))}" if len(thin) else "")
    )
    if out is not None:
        console.print(f"grid: {escape(str(out))}")


def _symbol(status: str) -> str:
    symbol, colour = SYMBOLS.get(status, ("·", "red"))
    return f"[{colour}]{symbol}[/]"


def _real(row) -> str:  # type: ignore[no-untyped-def]
    mark = "" if row.scored else " (below floor)"
    return f"{row.real}/{row.n_units}{mark}"
