"""``aicity profile CITY``: a city's scores, ranks, evidence, findings and verdict clauses, each with
what it rests on, and the facts that would move its rank most."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from aicity.cli._common import check_language, console, db_option


def register(app: typer.Typer) -> None:
    app.command("profile")(profile_cmd)


def profile_cmd(
    city: str = typer.Argument(..., help="City name (杭州 / Hangzhou) or 6-digit code."),
    db: Path = db_option(),
    run: str | None = typer.Option(None, "--run", help="Run id (default: the latest city run)."),
    lang: str = typer.Option("zh", "--lang", help="zh or en."),
    as_json: bool = typer.Option(False, "--json", help="Print the profile as JSON."),
) -> None:
    """Profile one city of a stored run: rank with its 90% interval, n real / N, dimension scores,
    strengths and weaknesses (real, distinctive cells only), verdict clauses with their basis, and the
    facts that move its rank most."""
    from aicity.profiles.evidence import flag_label
    from aicity.workflows.profile import unit_profile
    from aicity.workflows.session import open_store

    check_language(lang)
    with open_store(db, read_only=True) as store:
        found = unit_profile(store, city, run)
    p = found.profile
    real, total = found.evidence.unit_coverage(p.unit_key)
    if as_json:
        console.print_json(
            json.dumps(_as_dict(found, real, total), ensure_ascii=False, default=str)
        )
        return
    zh = lang == "zh"
    console.print(
        f"[bold]{escape(p.name(lang))}[/] ({escape(p.unit_key)}) · run {escape(found.run_id)}"
    )
    if p.rank is None:
        console.print(
            ("数据不足，未参与排名" if zh else "insufficient data: not ranked")
            + f" ({real}/{total})"
        )
    else:
        interval = (
            f"{round(p.rank_low)}–{round(p.rank_high)}"
            if p.rank_low is not None and p.rank_high is not None
            else "—"
        )
        console.print(
            (
                f"综合得分 {p.score:.1f}，第 {p.rank}/{p.n_units} 位，90% 区间 {interval}；可核实数据 {real}/{total}"
            )
            if zh
            else f"score {p.score:.1f}, rank {p.rank} of {p.n_units}, 90% interval {interval}; real data {real}/{total}"
        )
        dims = Table(
            "dimension" if not zh else "维度",
            "score" if not zh else "得分",
            "rank" if not zh else "排名",
        )
        for d in p.dimensions:
            shown = "—" if d.score != d.score else f"{d.score:.1f}"
            dims.add_row(escape(d.name_zh if zh else d.name_en), shown, str(d.rank or "—"))
        console.print(dims)
    for title, items in (
        ("strengths" if not zh else "优势", p.strengths),
        ("weaknesses" if not zh else "短板", p.weaknesses),
    ):
        for s in items:
            flags = flag_label(s.flags, lang)
            console.print(
                f"{title}: {escape(s.name_zh if zh else s.name_en)} {s.value:g} {escape(s.unit)} "
                f"(#{s.rank}/{s.n_ranked})" + (f" [{escape(flags)}]" if flags else "")
            )
    claims = Table(
        "clause" if not zh else "判断",
        "basis" if not zh else "依据",
        title="verdict" if not zh else "总体印象",
        title_justify="left",
    )
    for c in p.claims:
        claims.add_row(escape(c.text(lang)), f"{c.basis_n} {c.basis_kind}")
    console.print(claims)
    if found.drivers:
        moves = Table(
            "fact" if not zh else "事实",
            "value" if not zh else "数值",
            "median" if not zh else "中位数",
            "rank at median" if not zh else "取中位数时排名",
            title="facts that move its rank most" if not zh else "对排名影响最大的事实",
            title_justify="left",
        )
        for d in found.drivers:
            moves.add_row(
                escape(d.name_zh if zh else d.name_en),
                f"{d.value:g}",
                f"{d.median:g}",
                f"{d.rank} → {d.rank_at_median}",
            )
        console.print(moves)


def _as_dict(found, real: int, total: int) -> dict:  # type: ignore[no-untyped-def]
    from dataclasses import asdict

    p = found.profile
    return {
        "run_id": found.run_id,
        "unit_key": p.unit_key,
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "ranked": p.rank is not None,
        "score": None if p.score != p.score else round(p.score, 4),
        "rank": p.rank,
        "rank_low": p.rank_low,
        "rank_high": p.rank_high,
        "coverage": {"real": real, "total": total},
        "claims": [asdict(c) for c in p.claims],
        "strengths": [asdict(s) for s in p.strengths],
        "weaknesses": [asdict(s) for s in p.weaknesses],
        "drivers": [{**asdict(d), "shift": d.shift} for d in found.drivers],
        "cells": found.cells.astype(object).where(found.cells.notna(), None).to_dict("records"),
    }
