"""Turn a ReportData into the template context: every sentence built from numbers, every table formatted."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from aicity.io.outlets import grade
from aicity.layers import LAYERS
from aicity.profiles.evidence import (
    STATUS_NAMES,
    STATUS_NOTES,
    STATUSES,
    flag_label,
    run_evidence,
)
from aicity.report.i18n import RANKING_NAMES, text
from aicity.report.model import MIN_COMMON_FOR_CORRELATION, ReportData

SCHEME_NAMES = {
    "zh": {"entropy": "熵权法", "ahp": "AHP权重", "geometric": "几何平均"},
    "en": {"entropy": "Entropy weights", "ahp": "AHP weights", "geometric": "Geometric mean"},
}


def fmt(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or pd.isna(value):
        return "–"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if value.is_integer() and abs(value) >= 1 and digits <= 1:
        return f"{value:,.0f}" if abs(value) >= 10000 else f"{value:.0f}"
    return f"{value:,.{digits}f}"


def fmt_value(value, unit: str | None, lang: str) -> str:
    """A raw indicator value in its unit: designations as yes/no, shares as percentages."""
    if value is None or pd.isna(value):
        return "–"
    unit = unit or ""
    if unit == "flag":
        yes = float(value) >= 0.5
        return ("是" if yes else "否") if lang == "zh" else ("yes" if yes else "no")
    if unit == "share":
        return f"{float(value):.0%}"
    number = float(value)
    shown = fmt(number, 0 if number.is_integer() else 2)
    if lang == "zh":
        unit = UNIT_LABELS_ZH.get(unit, unit)
        if unit[:1] > "\u2e80":  # a Chinese unit follows the number directly: 1,234亿元, 34所
            return f"{shown}{unit}"
    return f"{shown} {unit}".strip()


# How the framework's English scope units read in a Chinese sentence. Display only: the unit itself stays the
# scope key that decides which observations are comparable.
UNIT_LABELS_ZH = {
    "universities": "所",
    "institutions": "所",
    "% of GDP": "％（占GDP）",
    "labs": "个",
    "models": "个",
    "firms": "家",
    "A-share listed firms": "家A股上市公司",
}


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def fmt_score(value) -> str:
    """Scores always with one decimal, so a column reads evenly (100.0, 58.1, 0.0)."""
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):.1f}"


def fmt_rank(value) -> str:
    return "–" if value is None or pd.isna(value) else str(int(value))


def _scheme_label(scheme: str, lang: str) -> str:
    return SCHEME_NAMES[lang if lang in SCHEME_NAMES else "en"].get(scheme, scheme)


def _flags_label(flags: str, lang: str) -> str:
    return flag_label(flags, lang)


def _recipe_summary(recipe_yaml: str) -> dict:
    import yaml

    try:
        doc = yaml.safe_load(recipe_yaml) or {}
    except yaml.YAMLError:
        return {}
    steps = doc.get("steps", doc) if isinstance(doc, dict) else doc
    out: dict[str, dict] = {}
    if isinstance(steps, list):
        for step in steps:
            if isinstance(step, dict):
                if "step" in step:
                    out[str(step["step"])] = {k: v for k, v in step.items() if k != "step"}
                else:
                    for name, params in step.items():
                        out[str(name)] = params if isinstance(params, dict) else {}
            elif isinstance(step, (list, tuple)) and len(step) == 2:
                out[str(step[0])] = step[1] or {}
    elif isinstance(steps, dict):
        out = {k: (v if isinstance(v, dict) else {}) for k, v in steps.items()}
    return out


def build_context(report: ReportData, lang: str, figures, mode: str) -> dict:
    t = text(lang)
    meta = dict(report.meta)
    ranking = report.ranking()
    n = len(ranking)
    dims = report.dimensions
    indicators = report.indicators
    schemes = report.alternative_schemes()
    has_uncertainty = "rank_q05" in ranking.columns and ranking["rank_q05"].notna().any()

    toc = [
        {"id": "preface", "title": t["preface"], "level": 1},
        {"id": "methodology", "title": t["methodology"], "level": 1},
        {"id": "overall", "title": t["overall"], "level": 1},
        {"id": "dimensions", "title": t["dimensions"], "level": 1},
    ]
    toc += [
        {"id": f"dim-{c}", "title": report.node_name(c, lang), "level": 2} for c in dims["code"]
    ]
    toc.append({"id": "cities", "title": t["cities"], "level": 1})
    toc += [
        {"id": f"city-{k}", "title": f"{fmt_rank(r)}. {report.unit_name(k, lang)}", "level": 2}
        for k, r in zip(ranking["unit_key"], ranking["rank"], strict=True)
        if k in report.profiles
    ]
    toc += [
        {"id": "parks", "title": t["parks"], "level": 1},
        {"id": "comparison", "title": t["comparison"], "level": 1},
        {"id": "appendix", "title": t["appendix"], "level": 1},
        {"id": "sources", "title": t["sources"], "level": 2},
        {"id": "coverage", "title": t["coverage_table"], "level": 2},
        {"id": "gaps", "title": t["gaps"], "level": 2},
        {"id": "sensitivity", "title": t["sensitivity"], "level": 2},
        {"id": "reproducibility", "title": t["reproducibility"], "level": 2},
    ]

    n_ind = len(indicators)
    n_dims = len(dims)
    cells = report.run.cells
    n_cells = len(cells)
    ev = run_evidence(report.run)
    n_scored, n_imputed = ev.n_scored_cells, ev.n_imputed
    n_real, n_stale = ev.n_real_scored, ev.count("stale")
    imputed_share = ev.imputed_share
    n_ranked = sum(ev.ranked.values())
    unranked = [u for u, r in ev.ranked.items() if not r]
    n_sources = len(report.cell_sources())
    n_weak = ev.n_real_flagged("weak_source")
    observed_by_indicator = cells.assign(_o=cells["value"].notna()).groupby("indicator")["_o"].any()
    empty = [
        c
        for c in indicators["code"]
        if not observed_by_indicator.get(c, False) and c not in ev.indicators_left_out
    ]
    if lang == "zh":
        preface = [
            f"本报告以{meta['reference_year']}年为参考年份，对{n}个城市的人工智能产业发展进行评价，"
            f"从{'、'.join(report.node_name(c, lang) for c in dims['code'])}{n_dims}个维度、"
            f"{n_ind}项指标展开。",
            f"特点一：数据可溯源，只对可核实数据计分。{n_ranked}个参与排名的城市、{ev.total_cells}项计分指标共"
            f"{n_scored}个计分单元中，{n_real}个为附来源网址、已核实、在时间窗口内的数据（其中{n_stale}个早于参考年份，已标记），"
            f"{n_imputed}个（{imputed_share:.1%}）因缺少可核实数据而插补；无来源、未核实、估计或样本推算的数值只列于附录，不计分。"
            f"数据共引用{n_sources}个来源；按来源类型分级（官方网站、官方转载、新闻媒体、聚合平台、内容农场），"
            f"{n_weak}个计分单元的来源页面为内容农场转载，已逐项标记，宜回溯原始发布方。"
            + (
                f"{len(ev.indicators_left_out)}项指标可核实覆盖率不足，未纳入本次评价："
                + "、".join(report.node_name(c, lang) for c in ev.indicators_left_out)
                + "。"
                if ev.indicators_left_out
                else ""
            )
            + (f"{len(unranked)}个城市数据不足，未参与排名。" if unranked else "")
            + "每个单元的状态见附录“数据覆盖”。",
            "特点二：方法透明可复现。指标定义、方向、权重、标准化、加权与汇总方法全部公开，"
            f"计算配方与数据哈希（{str(meta['data_hash'])[:12]}）随运行编号保存，任何一次结果都可重算。",
            f"特点三：给出不确定性而非单一名次。除默认方案外，并列给出{len(schemes)}种替代方案的排名"
            + ("，并报告每个城市的排名区间。" if has_uncertainty else "。"),
        ]
    else:
        preface = [
            f"This report evaluates the AI industry of {n} cities with reference year {meta['reference_year']}, "
            f"on {n_dims} dimensions ({', '.join(report.node_name(c, lang) for c in dims['code'])}) and "
            f"{n_ind} indicators.",
            f"Feature one: traceable data, and only real data scored. Of the {n_scored} scored cells "
            f"({n_ranked} ranked cities x {ev.total_cells} scored indicators), {n_real} are sourced, verified "
            f"values within the window ({n_stale} of them older than the reference year, flagged) and "
            f"{n_imputed} ({imputed_share:.1%}) are imputed for lack of real data; values without a source, "
            f"unverified, estimated or counted over a sample are listed in the appendix and never scored. "
            f"The data cite {n_sources} sources, graded by outlet type (official site, official repost, news, "
            f"aggregator, content farm): {n_weak} scored cells rest on a copy on a content farm, flagged cell by "
            "cell, to be traced to the original publisher."
            + (
                f" {len(ev.indicators_left_out)} indicators fall below the coverage floor and are left out: "
                + ", ".join(report.node_name(c, lang) for c in ev.indicators_left_out)
                + "."
                if ev.indicators_left_out
                else ""
            )
            + (
                f" {len(unranked)} cities have insufficient data and are not ranked."
                if unranked
                else ""
            )
            + " The appendix's coverage table shows the status of every cell.",
            "Feature two: a transparent, reproducible method. Definitions, directions, weights, normalisation, "
            f"weighting and aggregation are published; the recipe and the data hash ({str(meta['data_hash'])[:12]}) "
            "are stored with the run id, so any result can be recomputed.",
            f"Feature three: uncertainty rather than a single rank. {len(schemes)} alternative recipes are shown "
            "beside the default"
            + (", with a rank interval for every city." if has_uncertainty else "."),
        ]

    recipe = _recipe_summary(meta.get("recipe_yaml", ""))
    normalise = recipe.get("normalise", {})
    aggregate = recipe.get("aggregate", {})
    impute = recipe.get("impute", {})
    treat = recipe.get("treat", {})
    weight = recipe.get("weight", {})
    if lang == "zh":
        method_paragraphs = [
            f"数据选取：每项指标取参考年份{meta['reference_year']}年及以前、时效不超过{meta['max_age']}年的最新值；"
            "只使用与指标口径（单位）一致的观测，规划目标不作为实际值；过期、估计、未核实与插补的单元均被标记。",
            f"缺失值插补：{impute.get('method', '—')}；异常值处理：{treat.get('method', '—')}；"
            f"标准化：{normalise.get('method', '—')}（{fmt(normalise.get('lower', 0))}–{fmt(normalise.get('upper', 100))}）；"
            f"加权：{weight.get('method', '—')}；汇总：{aggregate.get('method', '—')}。",
            f"{n_scored}个计分单元中共{n_imputed}个（{imputed_share:.1%}）为插补值。替代方案：{'、'.join(_scheme_label(s, lang) for s in schemes) or '无'}。",
        ]
        if empty:
            method_paragraphs.append(
                f"以下{len(empty)}项指标在参考年份及时效范围内没有任何观测值，本次不参与计分（权重在同一维度内重新分配）："
                + "、".join(report.node_name(c, lang) for c in empty)
                + "。"
            )
    else:
        method_paragraphs = [
            f"Data selection: for every indicator, the latest value at or before {meta['reference_year']} and at "
            f"most {meta['max_age']} years old; only observations in the indicator's scope (unit) are used, plan "
            "targets are never used as actuals; stale, estimated, unverified and imputed cells are flagged.",
            f"Imputation: {impute.get('method', '–')}; outlier treatment: {treat.get('method', '–')}; "
            f"normalisation: {normalise.get('method', '–')} ({fmt(normalise.get('lower', 0))}–"
            f"{fmt(normalise.get('upper', 100))}); weighting: {weight.get('method', '–')}; aggregation: "
            f"{aggregate.get('method', '–')}.",
            f"{n_imputed} of the {n_scored} scored cells ({imputed_share:.1%}) are imputed. Alternatives: "
            f"{', '.join(_scheme_label(s, lang) for s in schemes) or 'none'}.",
        ]
        if empty:
            method_paragraphs.append(
                f"{len(empty)} indicators have no observation within the age limit of the reference year and do "
                "not score in this run (their weight goes to the other indicators of their dimension): "
                + ", ".join(report.node_name(c, lang) for c in empty)
                + "."
            )
    method_paragraphs.append(_uncertainty_method(report, lang))

    urls = report.indicator_sources()
    framework_rows = []
    for row in indicators.itertuples(index=False):
        found = urls.get(row.code, [])
        framework_rows.append(
            {
                "dimension": report.node_name(row.parent, lang),
                "code": row.code,
                "name": row.name_zh if lang == "zh" else row.name_en,
                "definition": row.definition or "",
                "unit": row.unit or "",
                "direction": t["plus"] if (row.direction or 1) > 0 else t["minus"],
                "weight": fmt(row.effective_weight, 3),
                "sources": f"{len(found)} 个来源（见附录）"
                if lang == "zh"
                else f"{len(found)} sources (appendix)",
            }
        )

    ranking_rows = []
    alt_ranks = {}
    for scheme in schemes:
        alt = report.ranking(scheme).set_index("unit_key")["rank"]
        alt_ranks[scheme] = alt
    for row in ranking.itertuples(index=False):
        interval = how_sure = ""
        if has_uncertainty and not pd.isna(getattr(row, "rank_q05", np.nan)):
            low, high = round(row.rank_q05), round(row.rank_q95)
            interval = f"{low}–{high}"
            how_sure = _how_sure(low, high, lang)
        real, total = ev.unit_coverage(row.unit_key)
        ranking_rows.append(
            {
                "unit_key": row.unit_key,
                "rank": fmt_rank(row.rank),
                "name": report.unit_name(row.unit_key, lang),
                "score": fmt_score(row.score),
                "dims": [fmt_score(getattr(row, f"{c}_score")) for c in dims["code"]],
                "interval": interval,
                "how_sure": how_sure,
                "evidence": f"{real}/{total}",
                "full": real == total,
                "alts": [fmt_rank(alt_ranks[s].get(row.unit_key)) for s in schemes],
            }
        )
    unranked_rows = [
        {
            "name": report.unit_name(u, lang),
            "evidence": "{}/{}".format(*ev.unit_coverage(u)),
        }
        for u in unranked
    ]
    # the coverage table: indicators x cities (ranked cities in rank order, then the unranked)
    matrix = ev.matrix()
    order = [u for u in ranking["unit_key"] if u in matrix.columns] + [
        u for u in unranked if u in matrix.columns
    ]
    coverage_rows = [
        {
            "name": report.node_name(code, lang),
            "left_out": code in ev.indicators_left_out,
            "cells": [
                str(matrix.at[code, u]) if pd.notna(matrix.at[code, u]) else "missing"
                for u in order
            ],
        }
        for code in matrix.index
    ]
    coverage_columns = [report.unit_name(u, lang) for u in order]
    status_counts = ev.cells["status"].value_counts()
    coverage_legend = [
        {
            "status": st,
            "name": STATUS_NAMES[st][0 if lang == "zh" else 1],
            "note": STATUS_NOTES[st][0 if lang == "zh" else 1],
            "n": int(status_counts.get(st, 0)),
        }
        for st in STATUSES
    ]
    top = ranking.head(3)
    names = [report.unit_name(k, lang) for k in top["unit_key"]]
    scores = [fmt_score(s) for s in top["score"]]
    spread = float(ranking["score"].max() - ranking["score"].min()) if n else 0.0
    if lang == "zh":
        overall_paragraphs = [
            "前三名依次为"
            + "、".join(f"{a}（{b}分）" for a, b in zip(names, scores, strict=True))
            + f"；最高分与最低分相差{spread:.1f}分，中位得分{ranking['score'].median():.1f}分。"
        ]
    else:
        overall_paragraphs = [
            "The top three are "
            + ", ".join(f"{a} ({b})" for a, b in zip(names, scores, strict=True))
            + f"; the highest and lowest scores are {spread:.1f} points apart and the median is "
            f"{ranking['score'].median():.1f}."
        ]
    if schemes:
        moved = []
        default_rank = ranking.set_index("unit_key")["rank"]
        for scheme in schemes:
            diff = (alt_ranks[scheme] - default_rank).abs().dropna()
            moved.append(
                (
                    scheme,
                    int(diff.max()) if len(diff) else 0,
                    float(diff.mean()) if len(diff) else 0.0,
                )
            )
        if lang == "zh":
            overall_paragraphs.append(
                "替代方案下排名变化："
                + "；".join(
                    f"{_scheme_label(s, lang)}最大变动{m}位、平均{a:.1f}位" for s, m, a in moved
                )
                + "。"
            )
        else:
            overall_paragraphs.append(
                "Rank changes under the alternatives: "
                + "; ".join(
                    f"{_scheme_label(s, lang)} at most {m} places, {a:.1f} on average"
                    for s, m, a in moved
                )
                + "."
            )

    dim_items = []
    for code in dims["code"]:
        col = f"{code}_score"
        best = ranking.sort_values(col, ascending=False).iloc[0]
        name = report.node_name(code, lang)
        if lang == "zh":
            sentence = (
                f"{name}得分最高的是{report.unit_name(best['unit_key'], lang)}（{best[col]:.1f}分），"
                f"中位得分{ranking[col].median():.1f}分，标准差{ranking[col].std():.1f}分。"
            )
        else:
            sentence = (
                f"{report.unit_name(best['unit_key'], lang)} leads {name} ({best[col]:.1f}); the median "
                f"is {ranking[col].median():.1f} and the standard deviation {ranking[col].std():.1f}."
            )
        dim_items.append({"code": code, "name": name, "sentence": sentence})

    city_chapters = [
        _city_chapter(report, key, lang, t) for key in ranking["unit_key"] if key in report.profiles
    ]

    park_paragraphs, park_header, park_rows = _parks(report, lang, t)

    summary, disagreements = report.comparison()
    comparison_rows = [
        {
            "ranking": RANKING_NAMES.get(r.ranking, (r.ranking, r.ranking))[
                0 if lang == "zh" else 1
            ],
            "year": fmt_rank(r.year),
            "n_common": r.n_common,
            "spearman": fmt(r.spearman, 2)
            if r.n_common >= MIN_COMMON_FOR_CORRELATION
            else t["too_few"],
            "kendall": fmt(r.kendall, 2)
            if r.n_common >= MIN_COMMON_FOR_CORRELATION
            else t["too_few"],
            "top": f"{r.top_overlap}/{r.top_n}" if r.top_n else "–",
        }
        for r in summary.itertuples(index=False)
    ]
    disagreement_sentences = []
    parents = dict(zip(report.nodes["code"], report.nodes["parent"], strict=True))
    for d in disagreements.itertuples(index=False) if len(disagreements) else []:
        rname = RANKING_NAMES.get(d.ranking, (d.ranking, d.ranking))[0 if lang == "zh" else 1]
        city = report.unit_name(d.unit_key, lang)
        tier = str(d.ranking).startswith("tier_")
        reason = _disagreement_reason(
            report.profiles.get(d.unit_key), d.difference > 0, lang, parents
        )
        if lang == "zh":
            theirs = f"第{fmt(d.theirs)}梯队" if tier else f"第{fmt(d.theirs)}位"
            disagreement_sentences.append(
                f"{city}：本报告第{d.ours}位，{rname}（{fmt_rank(d.year)}）{theirs}；"
                f"在共同城市中的相对位次相差{abs(d.difference):.0f}位。{reason}"
            )
        else:
            disagreement_sentences.append(
                f"{city}: ranked {d.ours} here and {'tier ' if tier else ''}{fmt(d.theirs)} by {rname} "
                f"({fmt_rank(d.year)}); "
                f"{abs(d.difference):.0f} places apart among the cities both rank. {reason}".rstrip()
            )

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
            "flags": _flags_label(g.flags, lang),
        }
        for g in gaps.itertuples(index=False)
    ]
    all_flags = report.run.cells["flags"].fillna("").astype(str)
    counts = pd.Series([f for flags in all_flags for f in flags.split()]).value_counts()
    n_flagged = int((all_flags != "").sum())
    if lang == "zh":
        gaps_sentence = (
            f"{n_cells}个单元中{n_flagged}个带标记："
            + "，".join(f"{_flags_label(k, lang)}{v}个" for k, v in counts.items())
            + f"。下表列出其中{len(gaps)}个不是干净可核实值的单元（缺失、插补、估计、未核实、无来源或样本推算）；"
            "仅标记过期或来源为内容农场的可核实单元见“数据覆盖”与Excel工作簿。"
        )
    else:
        gaps_sentence = (
            f"{n_flagged} of {n_cells} cells carry flags: "
            + ", ".join(f"{_flags_label(k, lang)} {v}" for k, v in counts.items())
            + f". The table lists the {len(gaps)} that are not a clean real value (missing, imputed, "
            "estimated, unverified, without a source or from a sample); real cells flagged only stale or "
            "content-farm sourced are in the coverage table and the workbook."
        )
    sens = report.sensitivity()
    sensitivity_rows = [
        {"code": str(r["code"]), "S1": fmt(r.get("S1"), 3), "ST": fmt(r.get("ST"), 3)}
        for _, r in sens.iterrows()
    ]

    return {
        "lang": lang,
        "t": t,
        "mode": mode,
        "meta": meta,
        "figures": figures,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "toc": toc,
        "preface": preface,
        "method_paragraphs": method_paragraphs,
        "framework_rows": framework_rows,
        "overall_paragraphs": overall_paragraphs,
        "dims": dim_items,
        "ranking_rows": ranking_rows,
        "unranked_rows": unranked_rows,
        "coverage_rows": coverage_rows,
        "coverage_columns": coverage_columns,
        "coverage_legend": coverage_legend,
        "has_uncertainty": has_uncertainty,
        "alt_schemes": [_scheme_label(s, lang) for s in schemes],
        "city_chapters": city_chapters,
        "park_paragraphs": park_paragraphs,
        "park_header": park_header,
        "park_rows": park_rows,
        "comparison_rows": comparison_rows,
        "disagreement_sentences": disagreement_sentences,
        "source_rows": source_rows,
        "gap_rows": gap_rows,
        "gaps_sentence": gaps_sentence,
        "sensitivity_rows": sensitivity_rows,
    }


def _disagreement_reason(profile, lower_here: bool, lang: str, parents: dict) -> str:  # type: ignore[no-untyped-def]
    """Why our rank differs, from our own data: the dimension furthest from the median city in the
    direction of the difference, and its most telling real indicator."""
    if profile is None or not profile.dimensions:
        return ""
    dims = [d for d in profile.dimensions if d.score == d.score and d.median == d.median]
    if not dims:
        return ""
    pick = min if lower_here else max
    dim = pick(dims, key=lambda d: d.score - d.median)
    gap = dim.score - dim.median
    if (gap >= 0) == lower_here and abs(gap) > 0:
        return ""
    facts = profile.weaknesses if lower_here else profile.strengths
    fact = next((f for f in facts if parents.get(f.code) == dim.code), None)
    if lang == "zh":
        head = f"本报告中其{dim.name_zh}得分{dim.score:.1f}，{'低' if gap < 0 else '高'}于中位城市{abs(gap):.1f}分"
        tail = f"（{fact.name_zh}第{fact.rank}/{fact.n_ranked}位）" if fact else ""
        return head + tail + "。"
    head = (
        f"Here its {dim.name_en} scores {dim.score:.1f}, {abs(gap):.1f} points "
        f"{'below' if gap < 0 else 'above'} the median city"
    )
    tail = f" ({fact.name_en}: rank {fact.rank} of {fact.n_ranked})" if fact else ""
    return head + tail + "."


def _how_sure(low: int, high: int, lang: str) -> str:
    """A 90 % rank interval in words."""
    if low == high:
        return f"第{low}位" if lang == "zh" else f"rank {low}"
    return f"第{low}–{high}位之间" if lang == "zh" else f"between {low} and {high}"


def _uncertainty_method(report: ReportData, lang: str) -> str:
    """How the rank intervals and sensitivity indices were obtained, from what the run stored."""
    unc = report.run.uncertainty
    if unc.empty:
        return text(lang)["no_uncertainty"]
    reps = unc.loc[unc["stat"] == "replications", "value"]
    n = int(reps.iloc[0]) if len(reps) else None
    assumptions = sorted(
        set(unc.loc[unc["unit_key"].isna() & unc["stat"].isin(["S1", "ST"]), "code"])
    )
    if lang == "zh":
        head = f"不确定性分析：{n}次蒙特卡洛重复" if n else "不确定性分析"
        tail = (
            f"，同时扰动{len(assumptions)}项假设（{'、'.join(assumptions)}），并用Sobol方法估计各假设对排名变动的一阶与总效应"
            if assumptions
            else ""
        )
        return head + tail + "；排名区间为各城市排名的5%–95%分位数。"
    head = f"Uncertainty analysis: {n} Monte Carlo replications" if n else "Uncertainty analysis"
    tail = (
        f", perturbing {len(assumptions)} assumptions ({', '.join(assumptions)}), with first-order and "
        "total Sobol indices of each assumption's effect on rank shifts"
        if assumptions
        else ""
    )
    return head + tail + "; rank intervals are the 5th-95th percentiles of each city's rank."


def _city_chapter(report: ReportData, key: str, lang: str, t: dict) -> dict:
    p = report.profiles[key]
    dims = [
        {
            "name": d.name_zh if lang == "zh" else d.name_en,
            "score": fmt_score(d.score),
            "rank": fmt_rank(d.rank),
            "median": fmt_score(d.median),
        }
        for d in p.dimensions
    ]

    def position(s) -> str:
        name = s.name_zh if lang == "zh" else s.name_en
        shown = fmt_value(s.value, s.unit, lang)
        flags = flag_label(s.flags, lang)
        if lang == "zh":
            return f"{name}：{shown}，第{s.rank}/{s.n_ranked}位" + (f"（{flags}）" if flags else "")
        return f"{name}: {shown}, rank {s.rank} of {s.n_ranked}" + (f" ({flags})" if flags else "")

    layers = []
    firms = p.firms
    if len(firms) and "layer" in firms:
        for layer in LAYERS:
            mine = firms[firms["layer"] == layer]
            if mine.empty:
                continue
            segments = []
            for seg, group in mine.groupby(mine["segment"].fillna("other"), sort=False):
                names = report.segment_names.get(str(seg))
                seg_name = (names[1] if lang == "zh" else names[2]) if names else str(seg)
                segments.append({"name": seg_name, "firms": [str(x) for x in group["name"]]})
            layers.append(
                {
                    "code": layer,
                    "name": t[f"layer_{layer}"],
                    "count": len(mine),
                    "segments": segments,
                }
            )
    parks = []
    for row in p.parks.itertuples(index=False) if len(p.parks) else []:
        parks.append(
            {
                "name": _text(row.name_zh)
                if lang == "zh" or not _text(getattr(row, "name_en", None))
                else _text(row.name_en),
                "district": _text(getattr(row, "district", None)),
                "focus": _text(getattr(row, "focus", None)),
                "opened": fmt_rank(getattr(row, "opened", None)),
                "firms": _text(getattr(row, "firms_text", None))
                or fmt_rank(getattr(row, "firms", None)),
            }
        )
    if lang == "zh":
        coverage = (
            f"{p.n_indicators}项指标中{p.n_observed}项有观测值（{p.coverage:.0%}），"
            f"{p.n_imputed}项为插补，{p.n_stale}项过期"
        )
    else:
        coverage = (
            f"{p.n_observed} of {p.n_indicators} indicators observed ({p.coverage:.0%}), "
            f"{p.n_imputed} imputed, {p.n_stale} stale"
        )
    return {
        "unit_key": key,
        "name": p.name(lang),
        "rank": fmt_rank(p.rank),
        "verdict": p.verdict_zh if lang == "zh" else p.verdict_en,
        "dims": dims,
        "strengths": [position(s) for s in p.strengths],
        "weaknesses": [position(s) for s in p.weaknesses],
        "layers": layers,
        "firms_note": _firms_note(firms, lang) if layers else "",
        "parks": parks,
        "coverage": coverage,
        "projects": _city_projects(report.projects.get(key), lang),
    }


def _city_projects(data: dict | None, lang: str) -> dict | None:
    """A city's projects block (issue 16): a summary by kind, stage and firm layer with the planned,
    signed and actual amounts in their own columns, then the projects with their sources."""
    if not data or not data.get("items"):
        return None
    zh = lang == "zh"

    def amount(value: float | None) -> str:
        return "–" if value is None else fmt(value, 2)

    return {
        "title": "项目盘点" if zh else "Projects",
        "note": data[f"note_{lang}"],
        "header": ["分组", "项目数", "计划额（亿元）", "签约额（亿元）", "实际投资（亿元）"]
        if zh
        else ["Group", "Projects", "Planned (亿元)", "Signed (亿元)", "Actual (亿元)"],
        "summary": [
            [
                g[f"label_{lang}"],
                str(g["n_projects"]),
                amount(g["planned_yi"]),
                amount(g["signed_yi"]),
                amount(g["actual_yi"]),
            ]
            for g in data["summary"]
        ],
        "list_header": ["项目", "类型", "阶段", "金额", "年份", "来源"]
        if zh
        else ["Project", "Kind", "Stage", "Amount", "Year", "Source"],
        "items": [
            {
                "name": p["name"],
                "kind": p[f"kind_{lang}"],
                "stage": p[f"stage_{lang}"] or "–",
                "amount": p[f"amount_{lang}"],
                "year": "" if p["year"] is None else str(p["year"]),
                "url": p["source_url"] or "",
                "link": str(p["source_url"] or "").startswith(("https://", "http://")),
            }
            for p in data["items"]
        ],
    }


def _firms_note(firms: pd.DataFrame, lang: str) -> str:
    """What the industry map's firms stand for: a sample is illustrative, a registry is complete."""
    kinds = set(firms["coverage"].astype(str)) if "coverage" in firms else {"sample"}
    if kinds == {"registry"}:
        return (
            f"企业名录（登记口径）中已分层的{len(firms)}家企业。"
            if lang == "zh"
            else f"The {len(firms)} layered firms of a registry-kind list."
        )
    return (
        f"示意：样本清单中已分层的{len(firms)}家企业（非完整名录），仅展示其分布，不作城市间比较。"
        if lang == "zh"
        else f"Illustrative: {len(firms)} layered firms of a sample list (not a full registry); they show "
        "the listed firms only and are not compared across cities."
    )


def _parks(report: ReportData, lang: str, t: dict) -> tuple[list[str], list[str], list[list[str]]]:
    if report.park_run is not None:
        sub = ReportData(run=report.park_run, profiles={}, sources=report.sources)
        ranking = sub.ranking()
        header = [
            t["rank"],
            t["park"],
            t["score"],
            *[sub.node_name(c, lang) for c in sub.dimensions["code"]],
        ]
        rows = [
            [
                fmt_rank(r.rank),
                sub.unit_name(r.unit_key, lang),
                fmt_score(r.score),
                *[fmt_score(getattr(r, f"{c}_score")) for c in sub.dimensions["code"]],
            ]
            for r in ranking.itertuples(index=False)
        ]
        if lang == "zh":
            paragraphs = [
                f"同一指标体系用于{len(rows)}个有数据的园区（运行编号 {report.park_run.run_id}）。"
            ]
        else:
            paragraphs = [
                f"The same framework evaluates the {len(rows)} parks with data "
                f"(run {report.park_run.run_id})."
            ]
        # one verdict per park, best first, from the park run's own numbers
        for r in ranking.itertuples(index=False):
            profile = report.park_profiles.get(r.unit_key)
            if profile is not None:
                paragraphs.append(profile.verdict_zh if lang == "zh" else profile.verdict_en)
        return paragraphs, header, rows
    all_parks = [pk for p in report.profiles.values() for pk in ([p.parks] if len(p.parks) else [])]
    if not all_parks:
        return [t["no_park_run"]], [], []
    parks = pd.concat(all_parks)
    header = [t["city"], t["park"], t["district"], t["opened"], t["firms"]]
    rows = []
    for row in parks.itertuples(index=False):
        rows.append(
            [
                report.unit_name(row.city_code, lang),
                _text(row.name_zh) if lang == "zh" else (_text(row.name_en) or _text(row.name_zh)),
                _text(getattr(row, "district", None)),
                fmt_rank(getattr(row, "opened", None)),
                _text(getattr(row, "firms_text", None)) or fmt_rank(getattr(row, "firms", None)),
            ]
        )
    n_firms = parks["firms"].notna().sum() if "firms" in parks else 0
    if lang == "zh":
        para = f"{t['no_park_run']}共{len(rows)}个园区，其中{n_firms}个公布了入驻企业数。"
    else:
        para = f"{t['no_park_run']} {len(rows)} parks, {n_firms} with a published firm count."
    return [para], header, rows
