"""Turn a ReportData into the template context: every table formatted, every sentence filled from the numbers.

The sentences themselves are in messages.py; each section's values come from its own module (context_front,
context_ranking, context_cities); the appendix is built here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from aicity.io.outlets import grade
from aicity.profiles.evidence import run_evidence
from aicity.report.context_cities import city_chapter, parks_section
from aicity.report.context_front import framework_rows, methodology, preface, table_of_contents
from aicity.report.context_ranking import (
    comparison,
    coverage_table,
    dimension_items,
    overall_paragraphs,
    ranking_rows,
)
from aicity.report.formatting import flags_label, fmt, fmt_rank, scheme_label
from aicity.report.i18n import text
from aicity.report.messages import join, say
from aicity.report.model import ReportData


def build_context(report: ReportData, lang: str, figures, mode: str) -> dict:
    t = text(lang)
    ranking = report.ranking()
    has_uncertainty = "rank_q05" in ranking.columns and ranking["rank_q05"].notna().any()
    ev = run_evidence(report.run)
    park_paragraphs, park_header, park_rows = parks_section(report, lang, t)
    comparison_rows, disagreement_sentences = comparison(report, lang, t)
    return {
        "lang": lang,
        "t": t,
        "mode": mode,
        "meta": dict(report.meta),
        "figures": figures,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "toc": table_of_contents(report, lang, t),
        "preface": preface(report, lang, ev, has_uncertainty),
        "method_paragraphs": methodology(report, lang, ev),
        "framework_rows": framework_rows(report, lang, t),
        "overall_paragraphs": overall_paragraphs(report, lang),
        "dims": dimension_items(report, lang),
        "ranking_rows": ranking_rows(report, lang, ev, has_uncertainty),
        **coverage_table(report, lang, ev),
        "has_uncertainty": has_uncertainty,
        "alt_schemes": [scheme_label(s, lang) for s in report.alternative_schemes()],
        "city_chapters": [
            city_chapter(report, key, lang, t)
            for key in ranking["unit_key"]
            if key in report.profiles
        ],
        "park_paragraphs": park_paragraphs,
        "park_header": park_header,
        "park_rows": park_rows,
        "comparison_rows": comparison_rows,
        "disagreement_sentences": disagreement_sentences,
        **appendix(report, lang),
    }


def appendix(report: ReportData, lang: str) -> dict:
    """The appendix's tables: sources, gaps (with their summary sentence) and sensitivity indices."""
    source_rows = [
        {
            "source_id": int(s.source_id),
            "url": s.url or "",
            "publisher": s.publisher or "",
            "reliability": s.reliability or "",
            "outlet": grade(s.url).label(lang),
            "outlet_type": grade(s.url).outlet_type,
            "indicators": s.indicators,
        }
        for s in report.cell_sources().itertuples(index=False)
    ]
    gaps = report.gaps()
    gap_rows = [
        {
            "indicator": report.node_name(g.indicator, lang),
            "name": report.unit_name(g.unit_key, lang),
            "year": fmt_rank(g.year),
            "value": fmt(g.value, 2),
            "flags": flags_label(g.flags, lang),
        }
        for g in gaps.itertuples(index=False)
    ]
    all_flags = report.run.cells["flags"].fillna("").astype(str)
    counts = pd.Series([f for flags in all_flags for f in flags.split()]).value_counts()
    flag_counts = [
        say("flag_count", lang, flag=flags_label(k, lang), n=v) for k, v in counts.items()
    ]
    gaps_sentence = say(
        "gaps_summary",
        lang,
        n_cells=len(report.run.cells),
        n_flagged=int((all_flags != "").sum()),
        counts=join(flag_counts, lang, "comma_sep"),
        n_gaps=len(gaps),
    )
    sensitivity_rows = [
        {"code": str(r["code"]), "S1": fmt(r.get("S1"), 3), "ST": fmt(r.get("ST"), 3)}
        for _, r in report.sensitivity().iterrows()
    ]
    return {
        "source_rows": source_rows,
        "gap_rows": gap_rows,
        "gaps_sentence": gaps_sentence,
        "sensitivity_rows": sensitivity_rows,
    }
