"""``aicity index``: build a composite index from COINr-style tables or a YAML framework."""

from __future__ import annotations

from pathlib import Path

import typer

from aicity.cli._common import console

index_app = typer.Typer(
    name="index",
    help="Build composite indices: framework + recipe -> every stage, scores, ranks and audit tables.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(index_app, name="index")


def _read_csv(path: Path):
    import pandas as pd

    from aicity.errors import InputError

    if not path.exists():
        raise InputError("file not found", file=str(path), fix="check the path")
    last: Exception | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, encoding=encoding)
        except UnicodeDecodeError as exc:
            last = exc
        except pd.errors.ParserError as exc:
            raise InputError(
                f"not a readable CSV: {exc}".replace("\n", " "), file=str(path)
            ) from None
    raise InputError(f"cannot decode as UTF-8 or GB18030 ({last})", file=str(path))


@index_app.command("build")
def build_cmd(
    meta: Path | None = typer.Option(
        None, "--meta", help="COINr-style iMeta CSV (Level, iCode, Parent, ...)."
    ),
    data: Path = typer.Option(
        ..., "--data", help="iData CSV: uCode, uName, groups, denominators, indicators."
    ),
    framework: Path | None = typer.Option(
        None,
        "--framework",
        help="YAML framework (instead of --meta); --data then holds the unit table.",
    ),
    recipe: Path | None = typer.Option(
        None, "--recipe", help="Recipe YAML (steps: ...). Default: COINr's quick pipeline."
    ),
    out: Path = typer.Option(..., "--out", help="Output folder (created if needed)."),
    level_names: str | None = typer.Option(
        None, "--level-names", help="Comma-separated level names, indicators first (iMeta input)."
    ),
    top: int = typer.Option(5, "--top", min=1, help="Strengths and weaknesses per unit."),
) -> None:
    """Build the index and write every stage, ranks, treatment log, the full recipe and audit tables."""
    from aicity.errors import ConfigError
    from aicity.index import Framework, Recipe, build
    from aicity.index.export import write_result

    if (meta is None) == (framework is None):
        raise ConfigError(
            "give exactly one of --meta (COINr iMeta CSV) or --framework (YAML)",
            path="--meta/--framework",
        )
    idata = _read_csv(data)
    if framework is not None:
        fw = Framework.from_yaml(framework, idata)
    else:
        names = [n.strip() for n in level_names.split(",")] if level_names else None
        fw = Framework.from_coinr(_read_csv(meta), idata, level_names=names)  # type: ignore[arg-type]
    rec = Recipe.from_yaml(recipe) if recipe is not None else Recipe.quick()
    with console.status("building the index ..."):
        result = build(fw, recipe=rec)
        written = write_result(result, out, top=top)
    console.print(
        f"built {fw.name}: {len(result.units)} units, {len(fw.indicators)} indicators, "
        f"{fw.n_levels} levels; stages {', '.join(result.stage_names)}"
    )
    console.print(f"wrote {len(written)} files to {out}")
    if "aggregated" in result.stages:
        best = result.index_scores.sort_values(ascending=False).head(5)
        console.print("top 5: " + ", ".join(f"{u} {v:.2f}" for u, v in best.items()))
    else:
        console.print("no aggregate step in the recipe: indicator scores only (no index)")
