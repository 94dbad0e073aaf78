"""The Excel workbook: rankings, scores at every level, indicators with flags, sources.

Every text cell is written with ``write_string``: a cell that starts with = + - @ stays text and can never
run as a formula (CSV/Excel formula injection).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from aicity.report.context import _flags_label, _scheme_label
from aicity.report.i18n import text
from aicity.report.model import ReportData


def _write_table(
    workbook, sheet_name: str, frame: pd.DataFrame, header_format, widths=None
) -> None:
    sheet = workbook.add_worksheet(sheet_name)
    for col, name in enumerate(frame.columns):
        sheet.write_string(0, col, str(name), header_format)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                sheet.write_blank(r, c, None)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, c, float(value))
            elif hasattr(value, "item") and isinstance(value.item(), (int, float)):
                number = value.item()
                if isinstance(number, float) and math.isnan(number):
                    sheet.write_blank(r, c, None)
                else:
                    sheet.write_number(r, c, float(number))
            else:
                # Always a string cell: formula-looking text stays text.
                sheet.write_string(r, c, str(value))
    sheet.freeze_panes(1, 0)
    if len(frame.columns):
        sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    for c, name in enumerate(frame.columns):
        width = (widths or {}).get(name, min(60, max(8, len(str(name)) * 2 + 2)))
        sheet.set_column(c, c, width)


def excel_sheets(report: ReportData, lang: str) -> dict[str, pd.DataFrame]:
    """The workbook's sheets as frames (also what tests compare with the run)."""
    t = text(lang)
    name = "name_zh" if lang == "zh" else "name_en"
    ranking = report.ranking()
    ranking.insert(1, t["city"], [report.unit_name(k, lang) for k in ranking["unit_key"]])
    for scheme in report.alternative_schemes():
        alt = report.ranking(scheme).set_index("unit_key")["rank"]
        ranking[f"rank_{scheme} ({_scheme_label(scheme, lang)})"] = ranking["unit_key"].map(alt)

    results = report.tables["eval_results"].copy()
    nodes = report.nodes.set_index("code")
    results.insert(2, t["city"], [report.unit_name(k, lang) for k in results["unit_key"]])
    results.insert(
        4, t["indicator"], [nodes.at[c, name] if c in nodes.index else c for c in results["code"]]
    )

    cells = report.tables["eval_cells"].copy()
    sources = report.sources.set_index("source_id") if len(report.sources) else pd.DataFrame()
    cells.insert(1, t["city"], [report.unit_name(k, lang) for k in cells["unit_key"]])
    cells["flags_text"] = [_flags_label(f, lang) if f else "" for f in cells["flags"].fillna("")]
    cells["source_url"] = [
        sources.at[int(s), "url"]
        if len(sources) and pd.notna(s) and int(s) in sources.index
        else None
        for s in cells["source_id"]
    ]
    framework = report.nodes[
        [
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
    ]
    stages = report.tables["eval_values"]
    sheets = {
        "ranking": ranking,
        "scores": results,
        "indicators": cells,
        "framework": framework,
        "sources": report.cell_sources(),
    }
    if len(stages):
        sheets["stages"] = stages
    unc = report.tables.get("eval_uncertainty")
    if unc is not None and len(unc):
        sheets["uncertainty"] = unc
    summary, _ = report.comparison()
    if len(summary):
        sheets["comparison"] = summary
    return sheets


def write_excel(report: ReportData, path: Path, lang: str) -> Path:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    # strings_to_formulas off as a second guard: even write() would keep "=..." as text.
    workbook = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True},
    )
    header = workbook.add_format({"bold": True, "bg_color": "#F0F4F8", "border": 1})
    try:
        for sheet_name, frame in excel_sheets(report, lang).items():
            _write_table(workbook, sheet_name, frame, header, widths={"url": 60, "source_url": 60})
    finally:
        workbook.close()
    return path
