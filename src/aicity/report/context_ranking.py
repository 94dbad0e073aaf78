"""The report's ranking sections: overall ranking, dimensions, coverage table and published rankings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aicity.profiles.evidence import STATUS_NAMES, STATUS_NOTES, STATUSES, RunEvidence
from aicity.report.formatting import fmt, fmt_rank, fmt_score, scheme_label
from aicity.report.i18n import RANKING_NAMES
from aicity.report.messages import join, pick, say
from aicity.report.model import MIN_COMMON_FOR_CORRELATION, ReportData


def how_sure(low: int, high: int, lang: str) -> str:
    """A 90 % rank interval in words."""
    if low == high:
        return say("rank_single", lang, low=low)
    return say("rank_between", lang, low=low, high=high)


def alternative_ranks(report: ReportData) -> dict[str, pd.Series]:
    return {
        s: report.ranking(s).set_index("unit_key")["rank"] for s in report.alternative_schemes()
    }


def ranking_rows(
    report: ReportData, lang: str, ev: RunEvidence, has_uncertainty: bool
) -> list[dict]:
    alt_ranks = alternative_ranks(report)
    dims = report.dimensions["code"]
    rows = []
    for row in report.ranking().itertuples(index=False):
        interval = sure = ""
        if has_uncertainty and not pd.isna(getattr(row, "rank_q05", np.nan)):
            low, high = round(row.rank_q05), round(row.rank_q95)
            interval = f"{low}–{high}"
            sure = how_sure(low, high, lang)
        real, total = ev.unit_coverage(row.unit_key)
        rows.append(
            {
                "unit_key": row.unit_key,
                "rank": fmt_rank(row.rank),
                "name": report.unit_name(row.unit_key, lang),
                "score": fmt_score(row.score),
                "dims": [fmt_score(getattr(row, f"{c}_score")) for c in dims],
                "interval": interval,
                "how_sure": sure,
                "evidence": f"{real}/{total}",
                "full": real == total,
                "alts": [fmt_rank(alt.get(row.unit_key)) for alt in alt_ranks.values()],
            }
        )
    return rows


def coverage_table(report: ReportData, lang: str, ev: RunEvidence) -> dict:
    """Indicators x cities (ranked cities in rank order, then the unranked), with the unranked and a legend."""
    unranked = [u for u, r in ev.ranked.items() if not r]
    matrix = ev.matrix()
    order = [u for u in report.ranking()["unit_key"] if u in matrix.columns] + [
        u for u in unranked if u in matrix.columns
    ]
    status_counts = ev.cells["status"].value_counts()
    return {
        "unranked_rows": [
            {"name": report.unit_name(u, lang), "evidence": "{}/{}".format(*ev.unit_coverage(u))}
            for u in unranked
        ],
        "coverage_rows": [
            {
                "name": report.node_name(code, lang),
                "left_out": code in ev.indicators_left_out,
                "cells": [
                    str(matrix.at[code, u]) if pd.notna(matrix.at[code, u]) else "missing"
                    for u in order
                ],
            }
            for code in matrix.index
        ],
        "coverage_columns": [report.unit_name(u, lang) for u in order],
        "coverage_legend": [
            {
                "status": st,
                "name": pick(STATUS_NAMES[st], lang),
                "note": pick(STATUS_NOTES[st], lang),
                "n": int(status_counts.get(st, 0)),
            }
            for st in STATUSES
        ],
    }


def overall_paragraphs(report: ReportData, lang: str) -> list[str]:
    ranking = report.ranking()
    top = ranking.head(3)
    entries = [
        say("top_entry", lang, name=report.unit_name(k, lang), score=fmt_score(s))
        for k, s in zip(top["unit_key"], top["score"], strict=True)
    ]
    spread = float(ranking["score"].max() - ranking["score"].min()) if len(ranking) else 0.0
    paragraphs = [
        say(
            "top_three",
            lang,
            entries=join(entries, lang),
            spread=spread,
            median=ranking["score"].median(),
        )
    ]
    alt_ranks = alternative_ranks(report)
    if alt_ranks:
        default_rank = ranking.set_index("unit_key")["rank"]
        moved = []
        for scheme, alt in alt_ranks.items():
            diff = (alt - default_rank).abs().dropna()
            most = int(diff.max()) if len(diff) else 0
            mean = float(diff.mean()) if len(diff) else 0.0
            moved.append(
                say("alt_moved", lang, scheme=scheme_label(scheme, lang), most=most, mean=mean)
            )
        paragraphs.append(say("alt_changes", lang, entries=join(moved, lang, "clause_sep")))
    return paragraphs


def dimension_items(report: ReportData, lang: str) -> list[dict]:
    ranking = report.ranking()
    items = []
    for code in report.dimensions["code"]:
        col = f"{code}_score"
        best = ranking.sort_values(col, ascending=False).iloc[0]
        name = report.node_name(code, lang)
        sentence = say(
            "dimension_lead",
            lang,
            name=name,
            city=report.unit_name(best["unit_key"], lang),
            best=best[col],
            median=ranking[col].median(),
            std=ranking[col].std(),
        )
        items.append({"code": code, "name": name, "sentence": sentence})
    return items


def ranking_name(ranking: str, lang: str) -> str:
    return pick(RANKING_NAMES.get(ranking, (ranking, ranking)), lang)


def comparison(report: ReportData, lang: str, t: dict) -> tuple[list[dict], list[str]]:
    """The published rankings' agreement with ours, and a sentence per main disagreement."""
    summary, disagreements = report.comparison()

    def correlation(value: float, n_common: int) -> str:
        return fmt(value, 2) if n_common >= MIN_COMMON_FOR_CORRELATION else t["too_few"]

    rows = [
        {
            "ranking": ranking_name(r.ranking, lang),
            "year": fmt_rank(r.year),
            "n_common": r.n_common,
            "spearman": correlation(r.spearman, r.n_common),
            "kendall": correlation(r.kendall, r.n_common),
            "top": f"{r.top_overlap}/{r.top_n}" if r.top_n else "–",
        }
        for r in summary.itertuples(index=False)
    ]
    sentences = []
    parents = dict(zip(report.nodes["code"], report.nodes["parent"], strict=True))
    for d in disagreements.itertuples(index=False) if len(disagreements) else []:
        tier = str(d.ranking).startswith("tier_")
        reason = disagreement_reason(
            report.profiles.get(d.unit_key), d.difference > 0, lang, parents
        )
        sentence = say(
            "disagreement",
            lang,
            city=report.unit_name(d.unit_key, lang),
            ours=d.ours,
            ranking=ranking_name(d.ranking, lang),
            year=fmt_rank(d.year),
            theirs=say("their_tier" if tier else "their_rank", lang, n=fmt(d.theirs)),
            diff=abs(d.difference),
            reason=reason,
        )
        sentences.append(sentence if lang == "zh" else sentence.rstrip())
    return rows, sentences


def disagreement_reason(profile, lower_here: bool, lang: str, parents: dict) -> str:  # type: ignore[no-untyped-def]
    """Why our rank differs, from our own data: the dimension furthest from the median city in the
    direction of the difference, and its most telling real indicator."""
    if profile is None or not profile.dimensions:
        return ""
    dims = [d for d in profile.dimensions if d.score == d.score and d.median == d.median]
    if not dims:
        return ""
    pick_dim = min if lower_here else max
    dim = pick_dim(dims, key=lambda d: d.score - d.median)
    gap = dim.score - dim.median
    if (gap >= 0) == lower_here and abs(gap) > 0:
        return ""
    facts = profile.weaknesses if lower_here else profile.strengths
    fact = next((f for f in facts if parents.get(f.code) == dim.code), None)
    zh = lang == "zh"
    head = say(
        "reason_dimension",
        lang,
        dim=dim.name_zh if zh else dim.name_en,
        score=dim.score,
        side=say("reason_below" if gap < 0 else "reason_above", lang),
        gap=abs(gap),
    )
    if fact:
        name = fact.name_zh if zh else fact.name_en
        head += say("reason_fact", lang, name=name, rank=fact.rank, n=fact.n_ranked)
    return head + say("full_stop", lang)
