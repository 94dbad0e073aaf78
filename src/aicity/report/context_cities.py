"""The report's city chapters (profile, industry map, parks, projects) and its parks section."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from aicity.layers import LAYERS
from aicity.profiles.evidence import flag_label
from aicity.report.formatting import fmt, fmt_rank, fmt_score, fmt_value, text_or_blank
from aicity.report.messages import PROJECT_HEADERS, pick, say
from aicity.report.model import ReportData

if TYPE_CHECKING:
    from aicity.store.runs import StoredRun


def _position(s, lang: str) -> str:  # type: ignore[no-untyped-def]
    """A strength or weakness: the indicator, its value, its rank and its flags."""
    name = s.name_zh if lang == "zh" else s.name_en
    shown = fmt_value(s.value, s.unit, lang)
    flags = flag_label(s.flags, lang)
    line = say("position", lang, name=name, shown=shown, rank=s.rank, n=s.n_ranked)
    return line + (say("position_flags", lang, flags=flags) if flags else "")


def _industry_map(report: ReportData, firms: pd.DataFrame, lang: str, t: dict) -> list[dict]:
    """A city's layered firms: per layer, per segment."""
    layers: list[dict] = []
    if not len(firms) or "layer" not in firms:
        return layers
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
            {"code": layer, "name": t[f"layer_{layer}"], "count": len(mine), "segments": segments}
        )
    return layers


def _park_name(row, lang: str) -> str:  # type: ignore[no-untyped-def]
    english = text_or_blank(getattr(row, "name_en", None))
    return text_or_blank(row.name_zh) if lang == "zh" or not english else english


def _park_firms(row) -> str:  # type: ignore[no-untyped-def]
    return text_or_blank(getattr(row, "firms_text", None)) or fmt_rank(getattr(row, "firms", None))


def city_chapter(report: ReportData, key: str, lang: str, t: dict) -> dict:
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
    layers = _industry_map(report, p.firms, lang, t)
    parks = [
        {
            "name": _park_name(row, lang),
            "district": text_or_blank(getattr(row, "district", None)),
            "focus": text_or_blank(getattr(row, "focus", None)),
            "opened": fmt_rank(getattr(row, "opened", None)),
            "firms": _park_firms(row),
        }
        for row in (p.parks.itertuples(index=False) if len(p.parks) else [])
    ]
    coverage = say(
        "city_coverage",
        lang,
        n_ind=p.n_indicators,
        n_obs=p.n_observed,
        share=p.coverage,
        n_imputed=p.n_imputed,
        n_stale=p.n_stale,
    )
    return {
        "unit_key": key,
        "name": p.name(lang),
        "rank": fmt_rank(p.rank),
        "verdict": p.verdict_zh if lang == "zh" else p.verdict_en,
        "dims": dims,
        "strengths": [_position(s, lang) for s in p.strengths],
        "weaknesses": [_position(s, lang) for s in p.weaknesses],
        "layers": layers,
        "firms_note": firms_note(p.firms, lang) if layers else "",
        "parks": parks,
        "coverage": coverage,
        "projects": city_projects(report.projects.get(key), lang),
    }


def city_projects(data: dict | None, lang: str) -> dict | None:
    """A city's projects block (issue 16): a summary by kind, stage and firm layer with the planned,
    signed and actual amounts in their own columns, then the projects with their sources."""
    if not data or not data.get("items"):
        return None

    def amount(value: float | None) -> str:
        return "–" if value is None else fmt(value, 2)

    return {
        "title": say("projects_title", lang),
        "note": data[f"note_{lang}"],
        "header": pick(PROJECT_HEADERS["summary"], lang),
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
        "list_header": pick(PROJECT_HEADERS["list"], lang),
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


def firms_note(firms: pd.DataFrame, lang: str) -> str:
    """What the industry map's firms stand for: a sample is illustrative, a registry is complete."""
    kinds = set(firms["coverage"].astype(str)) if "coverage" in firms else {"sample"}
    return say("firms_registry" if kinds == {"registry"} else "firms_sample", lang, n=len(firms))


def parks_section(
    report: ReportData, lang: str, t: dict
) -> tuple[list[str], list[str], list[list[str]]]:
    """The parks' own ranking when a park run exists, else each park's known facts."""
    if report.park_run is not None:
        return _park_ranking(report, report.park_run, lang, t)
    all_parks = [p.parks for p in report.profiles.values() if len(p.parks)]
    if not all_parks:
        return [t["no_park_run"]], [], []
    parks = pd.concat(all_parks)
    header = [t["city"], t["park"], t["district"], t["opened"], t["firms"]]
    rows = [
        [
            report.unit_name(row.city_code, lang),
            text_or_blank(row.name_zh)
            if lang == "zh"
            else (text_or_blank(row.name_en) or text_or_blank(row.name_zh)),
            text_or_blank(getattr(row, "district", None)),
            fmt_rank(getattr(row, "opened", None)),
            _park_firms(row),
        ]
        for row in parks.itertuples(index=False)
    ]
    n_firms = parks["firms"].notna().sum() if "firms" in parks else 0
    para = say("parks_facts", lang, lead=t["no_park_run"], n=len(rows), n_firms=n_firms)
    return [para], header, rows


def _park_ranking(
    report: ReportData, park_run: StoredRun, lang: str, t: dict
) -> tuple[list[str], list[str], list[list[str]]]:
    sub = ReportData(run=park_run, profiles={}, sources=report.sources)
    ranking = sub.ranking()
    codes = sub.dimensions["code"]
    header = [t["rank"], t["park"], t["score"], *[sub.node_name(c, lang) for c in codes]]
    rows = [
        [
            fmt_rank(r.rank),
            sub.unit_name(r.unit_key, lang),
            fmt_score(r.score),
            *[fmt_score(getattr(r, f"{c}_score")) for c in codes],
        ]
        for r in ranking.itertuples(index=False)
    ]
    paragraphs = [say("parks_run", lang, n=len(rows), run=park_run.run_id)]
    # one verdict per park, best first, from the park run's own numbers
    for r in ranking.itertuples(index=False):
        profile = report.park_profiles.get(r.unit_key)
        if profile is not None:
            paragraphs.append(profile.verdict_zh if lang == "zh" else profile.verdict_en)
    return paragraphs, header, rows
