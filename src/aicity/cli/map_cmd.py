"""``aicity map``: maps. ``map industry`` draws a city's (or park's) industry map (产业图谱).

``map_app`` is the group object; other command modules may add commands to it (e.g. ``map china``).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from aicity.cli._common import console, db_option

map_app = typer.Typer(
    help="Draw maps: the industry map of a city or park (and more).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(map_app, name="map")


@map_app.command("industry")
def industry(
    city: str = typer.Option(
        ...,
        "--city",
        help="City name (杭州 / Hangzhou), 6-digit code, or 'all' (every city with firms).",
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        help="Output file: .html, .svg, .png or .pdf (with --city all: FOLDER/any.png).",
    ),
    db: Path = db_option(),
    park: str | None = typer.Option(None, "--park", help="A park of the city (park id or name)."),
    lang: str = typer.Option("zh", "--lang", help="zh or en."),
    margin: float = typer.Option(
        0.05, "--margin", help="Layer share difference (vs national) that counts as leaning."
    ),
) -> None:
    """Layers as bands, segments as cells with counts and leading firms, missing links marked, and the
    layer mix against the national mix with a one-line finding."""
    from aicity.viz.industry_map import write_industry_map
    from aicity.workflows.industry_map import industry_map_data
    from aicity.workflows.session import open_store

    if city == "all":
        from aicity.workflows.industry_map import cities_with_firms

        written = 0
        with open_store(db, read_only=True) as store:
            for code, name in cities_with_firms(store):
                data = industry_map_data(store, code, None, lang, margin)
                target = out.with_name(f"industry-map-{code}-{name}{out.suffix}")
                write_industry_map(data, target)
                console.print(f"{escape(name)}: {escape(data.finding)}")
                written += 1
        console.print(f"{written} maps written to {escape(str(out.parent))}")
        return
    with open_store(db, read_only=True) as store:
        data = industry_map_data(store, city, park, lang, margin)
    write_industry_map(data, out)
    console.print(escape(data.finding))
    gaps = (
        f"{len(data.missing_links)} segments with no listed firm (a sample list: illustrative, not missing links)"
        if data.sample
        else f"{len(data.missing_links)} missing links"
    )
    console.print(f"{gaps}; map written to {escape(str(out))}")
