"""``aicity site --persona NAME|FILE``: where a kind of firm should locate (选址), ranked under the persona's
weights from the stored run, with rank intervals, the facts behind each rank and what would move it."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from aicity.cli._common import check_language, console, db_option


def register(app: typer.Typer) -> None:
    app.command("site")(site_cmd)


def site_cmd(
    persona: str = typer.Option(
        ...,
        "--persona",
        help="chip_startup, model_company, application_vendor, or a persona .yaml file.",
    ),
    db: Path = db_option(),
    run: str | None = typer.Option(None, "--run", help="Run id (default: the latest city run)."),
    n: int = typer.Option(
        200, "--n", help="Uncertainty replications behind the rank intervals (0: none).", min=0
    ),
    seed: int = typer.Option(1, "--seed", help="Seed of the uncertainty analysis."),
    top: int = typer.Option(0, "--top", help="Show the first N cities only (0: all).", min=0),
    lang: str = typer.Option("zh", "--lang", help="zh or en."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Rank the cities of a stored run for a kind of firm: the persona's weights over the framework's
    indicators (each with its reasoning), its hard filters, rank intervals under its weights, the 3 facts
    that put each city where it is and the one step that would move it up."""
    from aicity.workflows.persona import load_persona
    from aicity.workflows.session import open_store
    from aicity.workflows.site import site_ranking
    from aicity.workflows.site_result import as_dict

    check_language(lang)
    found = load_persona(persona)  # a bad persona file fails before the store is opened
    from aicity.workflows.info import stored_run

    with open_store(db, read_only=True) as store:
        stored = stored_run(store, run)
    result = site_ranking(stored, found, n=n, seed=seed)
    if as_json:
        console.print_json(json.dumps(as_dict(result), ensure_ascii=False, default=str))
        return
    _print(result, lang, top)


def _print(result, lang: str, top: int) -> None:  # type: ignore[no-untyped-def]
    zh = lang == "zh"
    p = result.persona
    names = result.names

    def nm(code: str) -> str:
        pair = names.get(code, (code, code))
        return pair[0] if zh else pair[1]

    console.print(
        f"[bold]{escape(p.title(lang))}[/] ({escape(p.name)}) · run {escape(result.run_id)}"
    )
    summary = p.summary_zh if zh else p.summary_en
    if summary:
        console.print(escape(summary))
    weights = Table(
        "指标" if zh else "indicator",
        "权重" if zh else "weight",
        "占比" if zh else "share",
        "理由" if zh else "why",
        title="画像权重" if zh else "the persona's weights",
        title_justify="left",
    )
    for code, w in p.weights.items():
        share = result.weights.get(code)
        shown = f"{share:.0%}" if share is not None else ("未计分" if zh else "not scored")
        weights.add_row(
            escape(nm(code)), f"{w.weight:g}", shown, escape(w.why_zh if zh else w.why_en)
        )
    console.print(weights)
    for code in result.left_out:
        console.print(
            f"{escape(nm(code))}: "
            + (
                "该评估按覆盖率下限未计入此指标，其权重不起作用"
                if zh
                else "left out of this run by the coverage floor: its weight has no effect"
            )
        )
    for note in result.notes_zh if zh else result.notes_en:
        console.print(escape(note))
    table = Table(
        "位次" if zh else "#",
        "城市" if zh else "city",
        "得分" if zh else "score",
        "排名/共" if zh else "rank / of",
        "90%区间" if zh else "90% interval",
        "基准排名" if zh else "run rank",
        "可核实数据" if zh else "real data",
        title=("画像排名（" + p.title_zh + "）") if zh else f"ranking for {p.title_en}",
        title_justify="left",
    )
    shown_cities = result.cities[:top] if top else result.cities
    for c in shown_cities:
        interval = (
            f"{round(c.rank_low)}–{round(c.rank_high)}"
            if c.rank_low is not None and c.rank_high is not None
            else "—"
        )
        table.add_row(
            str(c.position),
            escape(c.name_zh if zh else c.name_en),
            f"{c.score:.1f}",
            f"{c.rank}/{result.n_ranked}",
            interval,
            str(c.run_rank or "—"),
            f"{c.real_cells}/{c.total_cells}",
        )
    console.print(table)
    console.print(escape(result.intervals_note_zh if zh else result.intervals_note_en))
    console.print(
        "[bold]"
        + (
            "决定位次的事实（取中位数城市的值时的排名）与如何上升"
            if zh
            else "the facts behind each rank (the rank at the median city's value) and what would move it up"
        )
        + "[/]"
    )
    for c in shown_cities:
        facts = "；".join(
            f"{nm(d.code)} {d.value:g}（中位数 {d.median:g} → 第 {d.rank_at_median} 位）"
            if zh
            else f"{nm(d.code)} {d.value:g} (median {d.median:g} → rank {d.rank_at_median})"
            for d in c.facts
        ) or ("无单项事实改变其排名" if zh else "no single fact moves its rank")
        if c.move is None:
            move = (
                ("已居首位" if zh else "already first")
                if c.rank == 1
                else ("单项改进不改变排名" if zh else "no single step gains a place")
            )
        else:
            m = c.move
            move = (
                f"{nm(m.code)} {m.value:g} → {m.target:g}（如{m.held_by_zh}）：第 {m.rank} → {m.new_rank} 位"
                if zh
                else f"{nm(m.code)} {m.value:g} → {m.target:g} (as {m.held_by_en}): rank {m.rank} → {m.new_rank}"
            )
        console.print(f"{c.position}. {escape(c.name_zh if zh else c.name_en)}: {escape(facts)}")
        console.print(f"   {'上升' if zh else 'up'}: {escape(move)}")
    if result.removed:
        console.print("[bold]" + ("按硬性条件剔除" if zh else "removed by a hard filter") + "[/]")
        for r in result.removed:
            console.print(
                f"  {escape(r.name_zh if zh else r.name_en)}: {escape(r.reason_zh if zh else r.reason_en)}"
            )
    if result.not_ranked:
        console.print("[bold]" + ("未参与排名" if zh else "not ranked") + "[/]")
        for r in result.not_ranked:
            console.print(
                f"  {escape(r.name_zh if zh else r.name_en)}: {escape(r.reason_zh if zh else r.reason_en)}"
            )
