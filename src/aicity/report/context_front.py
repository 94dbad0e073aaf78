"""The report's front sections: contents, preface, methodology and the framework table."""

from __future__ import annotations

from aicity.profiles.evidence import RunEvidence
from aicity.report.formatting import fmt, fmt_rank, recipe_summary, scheme_label
from aicity.report.i18n import text
from aicity.report.messages import join, say
from aicity.report.model import ReportData

# the appendix's sections, in the order the contents list them
APPENDIX_SECTIONS = ("sources", "coverage", "gaps", "sensitivity", "reproducibility")


def table_of_contents(report: ReportData, lang: str, t: dict) -> list[dict]:
    ranking = report.ranking()
    toc = [
        {"id": s, "title": t[s], "level": 1}
        for s in ("preface", "methodology", "overall", "dimensions")
    ]
    toc += [
        {"id": f"dim-{c}", "title": report.node_name(c, lang), "level": 2}
        for c in report.dimensions["code"]
    ]
    toc.append({"id": "cities", "title": t["cities"], "level": 1})
    toc += [
        {"id": f"city-{k}", "title": f"{fmt_rank(r)}. {report.unit_name(k, lang)}", "level": 2}
        for k, r in zip(ranking["unit_key"], ranking["rank"], strict=True)
        if k in report.profiles
    ]
    toc += [{"id": s, "title": t[s], "level": 1} for s in ("parks", "comparison", "appendix")]
    toc += [
        {"id": s, "title": t["coverage_table" if s == "coverage" else s], "level": 2}
        for s in APPENDIX_SECTIONS
    ]
    return toc


def preface(report: ReportData, lang: str, ev: RunEvidence, has_uncertainty: bool) -> list[str]:
    meta = report.meta
    dims = report.dimensions["code"]
    unranked = [u for u, r in ev.ranked.items() if not r]
    traceable = say(
        "preface_traceable",
        lang,
        n_ranked=sum(ev.ranked.values()),
        n_total=ev.total_cells,
        n_scored=ev.n_scored_cells,
        n_real=ev.n_real_scored,
        n_stale=ev.count("stale"),
        n_imputed=ev.n_imputed,
        share=ev.imputed_share,
        n_sources=len(report.cell_sources()),
        n_weak=ev.n_real_flagged("weak_source"),
    )
    if ev.indicators_left_out:
        names = join((report.node_name(c, lang) for c in ev.indicators_left_out), lang)
        traceable += say("preface_left_out", lang, n=len(ev.indicators_left_out), names=names)
    if unranked:
        traceable += say("preface_unranked", lang, n=len(unranked))
    schemes = report.alternative_schemes()
    return [
        say(
            "preface_scope",
            lang,
            year=meta["reference_year"],
            n=len(report.ranking()),
            dims=join((report.node_name(c, lang) for c in dims), lang),
            n_dims=len(dims),
            n_ind=len(report.indicators),
        ),
        traceable + say("preface_coverage", lang),
        say("preface_method", lang, hash=str(meta["data_hash"])[:12]),
        say("preface_uncertainty", lang, n=len(schemes))
        + say("preface_intervals" if has_uncertainty else "full_stop", lang),
    ]


def methodology(report: ReportData, lang: str, ev: RunEvidence) -> list[str]:
    meta = report.meta
    recipe = recipe_summary(meta.get("recipe_yaml", ""))
    none = say("no_method", lang)

    def method(step: str) -> object:
        return recipe.get(step, {}).get("method", none)

    normalise = recipe.get("normalise", {})
    schemes = report.alternative_schemes()
    paragraphs = [
        say("method_selection", lang, year=meta["reference_year"], max_age=meta["max_age"]),
        say(
            "method_steps",
            lang,
            impute=method("impute"),
            treat=method("treat"),
            normalise=method("normalise"),
            lower=fmt(normalise.get("lower", 0)),
            upper=fmt(normalise.get("upper", 100)),
            weight=method("weight"),
            aggregate=method("aggregate"),
        ),
        say(
            "method_imputed",
            lang,
            n_scored=ev.n_scored_cells,
            n_imputed=ev.n_imputed,
            share=ev.imputed_share,
            alternatives=join((scheme_label(s, lang) for s in schemes), lang)
            or say("no_alternatives", lang),
        ),
    ]
    cells = report.run.cells
    observed = cells.assign(_o=cells["value"].notna()).groupby("indicator")["_o"].any()
    empty = [
        c
        for c in report.indicators["code"]
        if not observed.get(c, False) and c not in ev.indicators_left_out
    ]
    if empty:
        names = join((report.node_name(c, lang) for c in empty), lang)
        paragraphs.append(say("method_empty", lang, n=len(empty), names=names))
    paragraphs.append(uncertainty_method(report, lang))
    return paragraphs


def uncertainty_method(report: ReportData, lang: str) -> str:
    """How the rank intervals and sensitivity indices were obtained, from what the run stored."""
    unc = report.run.uncertainty
    if unc.empty:
        return text(lang)["no_uncertainty"]
    reps = unc.loc[unc["stat"] == "replications", "value"]
    n = int(reps.iloc[0]) if len(reps) else None
    assumptions = sorted(
        set(unc.loc[unc["unit_key"].isna() & unc["stat"].isin(["S1", "ST"]), "code"])
    )
    head = say("uncertainty_runs", lang, n=n) if n else say("uncertainty_head", lang)
    if assumptions:
        head += say("uncertainty_sobol", lang, n=len(assumptions), names=join(assumptions, lang))
    return head + say("uncertainty_tail", lang)


def framework_rows(report: ReportData, lang: str, t: dict) -> list[dict]:
    urls = report.indicator_sources()
    return [
        {
            "dimension": report.node_name(row.parent, lang),
            "code": row.code,
            "name": row.name_zh if lang == "zh" else row.name_en,
            "definition": row.definition or "",
            "unit": row.unit or "",
            "direction": t["plus"] if (row.direction or 1) > 0 else t["minus"],
            "weight": fmt(row.effective_weight, 3),
            "sources": say("framework_sources", lang, n=len(urls.get(row.code, []))),
        }
        for row in report.indicators.itertuples(index=False)
    ]
