"""``aicity projects [--city C]``: the stored AI projects (项目盘点), per city or one city's list, with
planned, signed and actual amounts in their own columns (never added together)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from aicity.cli._common import check_language, console, db_option


def register(app: typer.Typer) -> None:
    app.command("projects")(projects_cmd)


def _yi(value: object) -> str:
    return "–" if value is None else f"{float(value):,.2f}"


def projects_cmd(
    city: str | None = typer.Option(
        None, "--city", help="One city (杭州 / Hangzhou / 330100): its projects and sources."
    ),
    db: Path = db_option(),
    lang: str = typer.Option("zh", "--lang", help="zh or en."),
    as_json: bool = typer.Option(False, "--json", help="Print the records as JSON."),
) -> None:
    """Projects per city (count; planned, signed and actual amounts in 亿元, each apart), or with
    --city that city's projects by kind, stage and the layer of their firm, each with its source."""
    from aicity.errors import InputError
    from aicity.workflows.industry_map import resolve_unit
    from aicity.workflows.info import city_names
    from aicity.workflows.projects import PROJECTS_NOTE, city_projects, projects_by_city
    from aicity.workflows.session import open_store

    check_language(lang)
    zh = lang == "zh"
    amount_heads = (
        ["计划额（亿元）", "签约额（亿元）", "实际投资（亿元）"]
        if zh
        else ["planned (亿元)", "signed (亿元)", "actual (亿元)"]
    )
    with open_store(db, read_only=True) as store:
        if city is None:
            found = projects_by_city(store)
            names = city_names(store, lang)
        else:
            _, code, name_zh, name_en = resolve_unit(store, city)
            found = {code: city_projects(store, code)}
            names = {code: name_zh if zh else name_en}
    if not any(data["items"] for data in found.values()):
        raise InputError(
            "no projects stored" + (f" for {city}" if city else ""),
            fix="ingest a projects file: aicity ingest FILE --table projects (see docs/ingest.md)",
        )
    if as_json:
        console.print_json(json.dumps(found, ensure_ascii=False, default=str))
        return
    if city is None:
        table = Table("城市" if zh else "city", "项目数" if zh else "projects", *amount_heads)
        for code, data in found.items():
            total = next(g for g in data["summary"] if g["dimension"] == "all")
            table.add_row(
                escape(str(names.get(code, code))),
                str(total["n_projects"]),
                *(_yi(total[f"{k}_yi"]) for k in ("planned", "signed", "actual")),
            )
        console.print(table)
        console.print(PROJECTS_NOTE[lang])
        return
    ((code, data),) = found.items()
    console.print(f"[bold]{escape(str(names[code]))}[/] ({code})")
    summary = Table("分组" if zh else "group", "项目数" if zh else "projects", *amount_heads)
    for g in data["summary"]:
        summary.add_row(
            escape(g[f"label_{lang}"]),
            str(g["n_projects"]),
            *(_yi(g[f"{k}_yi"]) for k in ("planned", "signed", "actual")),
        )
    console.print(summary)
    listed = Table(
        *(
            ["项目", "类型", "阶段", "金额", "年份", "来源"]
            if zh
            else ["project", "kind", "stage", "amount", "year", "source"]
        )
    )
    for p in data["items"]:
        listed.add_row(
            escape(p["name"]),
            escape(p[f"kind_{lang}"]),
            escape(p[f"stage_{lang}"] or "–"),
            escape(p[f"amount_{lang}"]),
            str(p["year"] or ""),
            escape(p["source_url"] or ""),
        )
    console.print(listed)
    console.print(data[f"note_{lang}"])
