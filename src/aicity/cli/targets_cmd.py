"""``aicity targets --city 杭州``: 补链招商, the city's missing or thin segments and candidate firms elsewhere
(registry-kind lists only; from a sample the output says it is illustrative)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape

from aicity.cli._common import check_language, console, db_option


def register(app: typer.Typer) -> None:
    app.command("targets")(targets_cmd)


def targets_cmd(
    city: str = typer.Option(..., "--city", help="City name (杭州 / Hangzhou) or 6-digit code."),
    db: Path = db_option(),
    per_segment: int = typer.Option(5, "--per-segment", help="Candidate firms a segment.", min=1),
    top: int = typer.Option(
        10, "--top", help="Segments to list, highest priority first (0: all).", min=0
    ),
    thin_lq: float = typer.Option(
        0.5, "--thin-lq", help="A segment is thin below this location quotient (0-1]."
    ),
    taxonomy: Path | None = typer.Option(
        None, "--taxonomy", help="Taxonomy YAML/CSV whose 'weight' column weights the segments."
    ),
    lang: str = typer.Option("zh", "--lang", help="zh or en."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """List a city's missing or thin industry-map segments, weighted by their weight in the chain, with
    candidate firms elsewhere in the store: their city, classification confidence, business text and why
    they fit. Never names a firm of the city."""
    from aicity.workflows.session import open_store
    from aicity.workflows.targets import as_dict, targets

    check_language(lang)
    with open_store(db, read_only=True) as store:
        result = targets(
            store, city, per_segment=per_segment, top=top, thin_lq=thin_lq, taxonomy=taxonomy
        )
    if as_json:
        console.print_json(json.dumps(as_dict(result), ensure_ascii=False, default=str))
        return
    zh = lang == "zh"
    kind = {
        "registry": "完整名录" if zh else "registry",
        "sample": "样本名录" if zh else "sample list",
    }
    console.print(
        f"[bold]{escape(result.name_zh if zh else result.name_en)}[/] ({result.city_code}) · "
        + (
            f"本市 {result.n_local} 家 / 全库 {result.n_pool} 家（{kind[result.basis]}）"
            if zh
            else f"{result.n_local} local firms of {result.n_pool} counted ({kind[result.basis]})"
        )
    )
    for note in result.notes_zh if zh else result.notes_en:
        console.print(escape(note))
    if not result.gaps:
        console.print("没有缺失或薄弱环节。" if zh else "no missing or thin segment.")
        return
    for g in result.gaps:
        lq = "" if g.lq is None else f", LQ {g.lq:.2f}"
        console.print(
            f"\n[bold]{escape(g.name_zh if zh else g.name_en)}[/] ({g.segment}) · "
            f"{escape(g.label_zh if zh else g.label_en)} · "
            + (
                f"本地 {g.local} / 全库 {g.pool}{lq} · 权重 {g.weight:g} · 优先度 {g.priority:g}"
                if zh
                else f"local {g.local} / all {g.pool}{lq} · weight {g.weight:g} · priority {g.priority:g}"
            )
        )
        if not g.candidates:
            console.print(
                "  库中其他城市没有该环节的企业。"
                if zh
                else "  no firm of this segment elsewhere in the store."
            )
            continue
        for c in g.candidates:
            shown = "—" if c.confidence is None else f"{c.confidence:.2f}"
            console.print(
                f"  {escape(c.name)} · {escape(c.city_zh if zh else c.city_en)} · "
                + (f"置信度 {shown}" if zh else f"confidence {shown}")
                + (" · 合成" if zh and c.is_synthetic else " · synthetic" if c.is_synthetic else "")
            )
            text = c.business_text or ("（无经营范围文本）" if zh else "(no business text)")
            text = text[:120] + ("…" if len(text) > 120 else "")
            console.print(f"    {'主营' if zh else 'business'}: {escape(text)}")
            if not c.business_text and c.note:
                console.print(f"    {'备注' if zh else 'note'}: {escape(c.note[:120])}")
            console.print(f"    {'理由' if zh else 'why'}: {escape(c.why_zh if zh else c.why_en)}")
