"""``aicity runs compare`` output: the ranking of run B against run A with arrows, both runs' rank
intervals, and the units that moved most."""

from __future__ import annotations

import pandas as pd
from rich.markup import escape
from rich.table import Table

from aicity.cli._common import console

ARROW_STYLES = {"↑": "green", "↓": "red", "→": "dim", "·": "dim"}


def _rank(value: object) -> str:
    return "–" if value is None or pd.isna(value) else str(int(value))


def _interval(low: object, high: object) -> str:
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    return f" [{low:.0f}–{high:.0f}]"


def _score(value: object) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.1f}"


def print_comparison(comparison, top: int = 5) -> None:  # type: ignore[no-untyped-def]
    a, b = comparison.run_a, comparison.run_b
    console.print(
        f"A {escape(str(a['run_id']))} ({a['framework_name']}, {a['reference_year']}) -> "
        f"B {escape(str(b['run_id']))} ({b['framework_name']}, {b['reference_year']})"
    )
    if comparison.same_data:
        console.print(
            "同一输入数据 / same input data in both runs (equal data hash): every change comes from "
            "the method, not from new data"
        )
    console.print(
        "scores are min-max within each run: a score change is a change of position against the "
        "other units, not growth"
    )
    has_intervals = comparison.has_intervals
    columns = ["unit 城市", "rank A", "rank B", "", "change", "score A", "score B", "Δ score"]
    table = Table(*columns)
    for r in comparison.table.itertuples(index=False):
        style = ARROW_STYLES.get(r.arrow, "dim")
        change = "" if pd.isna(r.rank_change) else f"{int(r.rank_change):+d}".replace("+0", "0")
        table.add_row(
            escape(str(r.name_zh if isinstance(r.name_zh, str) else r.unit_key)),
            _rank(r.rank_a) + _interval(r.q05_a, r.q95_a),
            _rank(r.rank_b) + _interval(r.q05_b, r.q95_b),
            f"[{style}]{r.arrow}[/]",
            change,
            _score(r.score_a),
            _score(r.score_b),
            "" if pd.isna(r.score_change) else f"{r.score_change:+.1f}",
        )
    console.print(table)
    held = [x for x, col in (("A", "q05_a"), ("B", "q05_b")) if comparison.table[col].notna().any()]
    if has_intervals:
        console.print("\\[a–b] 90% rank interval of the run's uncertainty analysis")
    elif held:
        console.print(
            f"\\[a–b] 90% rank interval: stored for run {held[0]} only; run `aicity evaluate "
            "--uncertainty 1000` for the other year too to tell real moves from noise"
        )
    else:
        console.print(
            "no rank intervals stored: run `aicity evaluate --uncertainty 1000` (or "
            "`aicity index uncertainty`) for both years to tell real moves from noise"
        )
    if not top:
        return
    moved = comparison.moved_most(top)
    if moved.empty:
        console.print("变化最大 / moved most: no unit changed rank")
        return
    console.print("变化最大 / moved most:")
    for r in moved.itertuples(index=False):
        if r.beyond_intervals is True:
            verdict = "beyond both years' 90% intervals / 超出两年的不确定区间"
        elif r.beyond_intervals is False:
            verdict = "within the intervals: may be noise / 在不确定区间内"
        else:
            verdict = "no intervals stored"
        console.print(
            f"  {r.arrow} {escape(str(r.name_zh))} {int(r.rank_change):+d} "
            f"({_rank(r.rank_a)} -> {_rank(r.rank_b)}; score {_score(r.score_a)} -> "
            f"{_score(r.score_b)}): {verdict}"
        )
