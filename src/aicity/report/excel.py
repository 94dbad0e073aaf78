"""The Excel workbook: rankings, scores at every level, indicators with flags, sources.

Written by the shared guarded writer (aicity.io.export): every text cell is a string cell, so a cell that
starts with = + - @ stays text and can never run as a formula (CSV/Excel formula injection).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from aicity.io.export import write_workbook
from aicity.io.outlets import grade
from aicity.profiles.evidence import STATUS_NAMES, RunEvidence, run_evidence
from aicity.report.formatting import flags_label, scheme_label
from aicity.report.i18n import text
from aicity.report.messages import pick
from aicity.report.model import ReportData

# the framework sheet's columns, in order
FRAMEWORK_COLUMNS = [
    "code",
    "parent",
    "level",
    "name_zh",
    "name_en",
    "unit",
    "direction",
    "weight",
    "effective_weight",
    "denominator",
    "definition",
]


def excel_sheets(report: ReportData, lang: str) -> dict[str, pd.DataFrame]:
    """The workbook's sheets as frames (also what tests compare with the run)."""
    evidence = run_evidence(report.run)
    sheets = {
        "ranking": _ranking_sheet(report, lang, evidence),
        "coverage": _coverage_sheet(report, lang, evidence),
        "claims": _claims_sheet(report, lang),
        "scores": _scores_sheet(report, lang),
        "indicators": _indicators_sheet(report, lang, evidence),
        "framework": report.nodes[FRAMEWORK_COLUMNS],
        "sources": _graded(report.cell_sources()),
    }
    stages = report.run.values
    if len(stages):
        sheets["stages"] = stages
    unc = report.run.uncertainty
    if len(unc):
        sheets["uncertainty"] = unc
    summary, _ = report.comparison()
    if len(summary):
        sheets["comparison"] = summary
    return sheets


def _ranking_sheet(report: ReportData, lang: str, evidence: RunEvidence) -> pd.DataFrame:
    ranking = report.ranking()
    ranking.insert(1, text(lang)["city"], [report.unit_name(k, lang) for k in ranking["unit_key"]])
    for scheme in report.alternative_schemes():
        alt = report.ranking(scheme).set_index("unit_key")["rank"]
        ranking[f"rank_{scheme} ({scheme_label(scheme, lang)})"] = ranking["unit_key"].map(alt)
    ranking["real_cells"] = [evidence.unit_coverage(k)[0] for k in ranking["unit_key"]]
    ranking["scored_indicators"] = evidence.total_cells
    return ranking


def _scores_sheet(report: ReportData, lang: str) -> pd.DataFrame:
    t = text(lang)
    name = "name_zh" if lang == "zh" else "name_en"
    results = report.run.results.copy()
    nodes = report.nodes.set_index("code")
    results.insert(2, t["city"], [report.unit_name(k, lang) for k in results["unit_key"]])
    results.insert(
        4, t["indicator"], [nodes.at[c, name] if c in nodes.index else c for c in results["code"]]
    )
    return results


def _indicators_sheet(report: ReportData, lang: str, evidence: RunEvidence) -> pd.DataFrame:
    cells = report.run.cells.copy()
    sources = report.sources.set_index("source_id") if len(report.sources) else pd.DataFrame()
    cells.insert(1, text(lang)["city"], [report.unit_name(k, lang) for k in cells["unit_key"]])
    cells["flags_text"] = [flags_label(f, lang) if f else "" for f in cells["flags"].fillna("")]
    status = evidence.cells.set_index(["unit_key", "indicator"])["status"]
    cells["status"] = [
        pick(STATUS_NAMES[status[(u, c)]], lang)
        for u, c in zip(cells["unit_key"].astype(str), cells["indicator"].astype(str), strict=True)
    ]
    cells["source_url"] = source_urls = [
        sources.at[int(s), "url"]
        if len(sources) and pd.notna(s) and int(s) in sources.index
        else None
        for s in cells["source_id"]
    ]
    cells["outlet_type"] = [grade(u).outlet_type if u else None for u in source_urls]
    return cells


def _coverage_sheet(report: ReportData, lang: str, evidence: RunEvidence) -> pd.DataFrame:
    """The coverage table of the report, as words: indicators x cities."""
    matrix = evidence.matrix().map(lambda st: pick(STATUS_NAMES[st], lang))
    matrix.columns = [report.unit_name(k, lang) for k in matrix.columns]
    matrix.index = [report.node_name(c, lang) for c in matrix.index]
    return matrix.rename_axis(text(lang)["indicator"]).reset_index()


def _claims_sheet(report: ReportData, lang: str) -> pd.DataFrame:
    city = text(lang)["city"]
    return pd.DataFrame(
        [
            {
                "unit_key": key,
                city: profile.name(lang),
                "kind": claim.kind,
                "text": claim.text(lang),
                "basis_n": claim.basis_n,
                "basis_kind": claim.basis_kind,
                "synthetic": claim.synthetic,
            }
            for key, profile in report.profiles.items()
            for claim in profile.claims
        ],
        columns=["unit_key", city, "kind", "text", "basis_n", "basis_kind", "synthetic"],
    )


def _graded(sources: pd.DataFrame) -> pd.DataFrame:
    graded = [grade(u) for u in sources["url"]]
    return sources.assign(
        outlet_type=[g.outlet_type for g in graded],
        outlet_name=[g.name for g in graded],
        outlet_reason=[g.reason for g in graded],
    )


def write_excel(report: ReportData, path: Path, lang: str) -> Path:
    write_workbook(excel_sheets(report, lang), path, widths={"url": 60, "source_url": 60})
    return path
