"""The template workbook for the user's own panel: one sheet per table ingest reads (``panel_columns``) with
headers ``aicity ingest`` maps (Chinese, English in each header's comment), the framework's indicators and
weights pre-filled, drop-down lists for the coded columns, and a README sheet of the steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from aicity.io.framework_sheet import SETTING_KEYS, SETTINGS_SHEET, WEIGHT_COLUMNS, WEIGHTS_SHEET
from aicity.io.headers import map_headers
from aicity.layers import LAYER_NAMES_ZH, LAYERS
from aicity.workflows.evaluate_specs import indicator_specs, load_framework_spec
from aicity.workflows.panel_columns import TEMPLATE_COLUMNS

WEIGHT_HEADERS = [header for header, _, _ in WEIGHT_COLUMNS.values()]
README_SHEET = "README"

KINDS_ZH = ["实际", "估计", "规划目标"]
LAYERS_ZH = [LAYER_NAMES_ZH[code] for code in LAYERS]


@dataclass
class TemplateBook:
    """The workbook's sheets as frames, plus header comments, drop-down lists and their columns."""

    sheets: dict[str, pd.DataFrame]
    comments: dict[str, dict[str, str]] = field(default_factory=dict)
    lists: dict[str, list[Any]] = field(default_factory=dict)
    validations: dict[str, dict[str, tuple[str, bool]]] = field(default_factory=dict)


def _registry() -> pd.DataFrame:
    from aicity.workflows.ingest import bundled_registry

    return bundled_registry().set_index("code")


def _taxonomy() -> pd.DataFrame:
    from aicity.workflows.ingest import bundled_taxonomy

    return bundled_taxonomy()


def _indicator_rows(spec: dict, year: int) -> pd.DataFrame:
    registry = _registry()
    rows = []
    for node in indicator_specs(spec):
        code = str(node["code"])
        known = registry.loc[code] if code in registry.index else None
        is_flag = node.get("value_type") == "flag" or node.get("unit") == "flag"
        rows.append(
            {
                "指标代码": code,
                "指标名称": node.get("name_zh")
                or (known["name_zh"] if known is not None else code),
                "英文名称": node.get("name_en")
                or (known["name_en"] if known is not None else code),
                "单位": node.get("unit") or (known["unit"] if known is not None else None),
                "方向": int(node.get("direction", 1)),
                "定义": node.get("definition")
                or (known["definition"] if known is not None else None),
                "维度": str(node.get("parent") or ""),
                "值类型": "flag" if is_flag else "number",
                "目标年份": year,
            }
        )
    # the inputs of derived indicators (gdp_per_capita = gdp / resident_population) are collected too
    inputs = [
        str(node["derive"][k])
        for node in indicator_specs(spec)
        if node.get("derive")
        for k in ("numerator", "denominator")
    ]
    listed = {r["指标代码"] for r in rows}
    for code in dict.fromkeys(inputs):
        if code in listed or code not in registry.index:
            continue
        known = registry.loc[code]
        users = [
            str(n["code"])
            for n in indicator_specs(spec)
            if code in (n.get("derive") or {}).values()
        ]
        rows.append(
            {
                "指标代码": code,
                "指标名称": known["name_zh"],
                "英文名称": known["name_en"],
                "单位": known["unit"],
                "方向": int(known["direction"]) if pd.notna(known["direction"]) else 1,
                "定义": f"{known['definition']} (input of {', '.join(users)}; not scored itself)",
                "维度": None,
                "值类型": "number",
                "目标年份": year,
            }
        )
    return pd.DataFrame(rows, columns=[c.header for c in TEMPLATE_COLUMNS["indicators"]])


def _weight_rows(spec: dict) -> pd.DataFrame:
    by_code = {str(n["code"]): n for n in spec["nodes"]}
    rows = []
    for node in indicator_specs(spec):
        dim = by_code.get(str(node.get("parent")), {})
        derive = node.get("derive")
        derive_text = None
        if derive:
            derive_text = f"{derive['numerator']} / {derive['denominator']}"
            if derive.get("scale") not in (None, 1):
                derive_text += f" * {derive['scale']:g}"
        is_flag = node.get("value_type") == "flag" or node.get("unit") == "flag"
        rows.append(
            {
                "维度代码": str(node.get("parent")),
                "维度名称": dim.get("name_zh"),
                "维度英文名": dim.get("name_en"),
                "维度权重": float(dim.get("weight", 1)),
                "指标代码": str(node["code"]),
                "指标名称": node.get("name_zh"),
                "英文名称": node.get("name_en"),
                "权重": float(node.get("weight", 1)),
                "方向": int(node.get("direction", 1)),
                "单位": node.get("unit"),
                "值类型": "flag" if is_flag else "number",
                "可接受口径": "; ".join(node.get("scopes") or []) or None,
                "推导": derive_text,
                "定义": node.get("definition"),
            }
        )
    return pd.DataFrame(rows, columns=WEIGHT_HEADERS)


def _setting_rows(spec: dict) -> pd.DataFrame:
    index = spec.get("index") or {}
    floors = spec.get("coverage_floor") or {}
    values = {
        "name": spec.get("name"),
        "title_zh": spec.get("title_zh"),
        "title_en": spec.get("title_en"),
        "unit_type": spec.get("unit_type", "city"),
        "index_code": index.get("code"),
        "index_name_zh": index.get("name_zh"),
        "index_name_en": index.get("name_en"),
        "coverage_floor_indicator": floors.get("indicator", "2/3"),
        "coverage_floor_unit": floors.get("unit", "2/3"),
        "coverage_floor_dimension": floors.get("dimension", "2/3"),
        "carry_forward": "yes" if spec.get("carry_forward") else "no",
    }
    return pd.DataFrame(
        {
            "key": list(values),
            "value": [None if v is None else str(v) for v in values.values()],
            "说明 note": list(SETTING_KEYS.values()),
        }
    )


def _readme(framework_name: str, year: int) -> pd.DataFrame:
    steps = [
        (
            "1",
            "填写 cities 表：要评价的城市（只填城市名称即可）",
            "Fill cities: the cities to rank (a name is enough)",
        ),
        (
            "2",
            "填写 observations 表：每行一个城市×指标×年份的数值，附来源链接",
            "Fill observations: one city x indicator x year per row, with its source URL",
        ),
        (
            "3",
            "可选：parks、enterprises 表；新增指标写入 indicators 表",
            "Optional: parks, enterprises; new indicators go in the indicators sheet",
        ),
        (
            "4",
            "可选：在 weights 表调整权重、方向，再运行 aicity framework new",
            "Optional: change weights or directions in weights, then run aicity framework new",
        ),
        (
            "5",
            "入库：aicity ingest panel.xlsx --table 表名 --sheet 表名（先 indicators、cities，后 observations）",
            "Ingest: aicity ingest panel.xlsx --table T --sheet T (indicators, cities first; observations last)",
        ),
        (
            "6",
            "查看覆盖：aicity info --coverage；评价：aicity evaluate；报告：aicity report",
            "Check coverage: aicity info --coverage; rank: aicity evaluate; report: aicity report",
        ),
    ]
    rows = [{"步骤 step": s, "说明": zh, "note": en} for s, zh, en in steps]
    rows.append(
        {
            "步骤 step": "",
            "说明": f"框架 {framework_name}，目标年份 {year}；列名的英文含义见各表表头批注",
            "note": f"framework {framework_name}, year wanted {year}; each header's comment gives it in English",
        }
    )
    rows.append(
        {
            "步骤 step": "",
            "说明": "只有：有来源链接、已核实、实际值 的数据计入得分；其余列示但不计分",
            "note": "Only sourced, verified, actual values are scored; the rest is shown, never scored",
        }
    )
    for sheet, columns in TEMPLATE_COLUMNS.items():
        for c in columns:
            rows.append(
                {
                    "步骤 step": sheet,
                    "说明": f"{c.header}{'（必填）' if c.required else ''}：{c.note_zh}",
                    "note": f"{c.en}{' (required)' if c.required else ''}: {c.note_en}",
                }
            )
    return pd.DataFrame(rows)


def template_book(framework: str | Path | None = None, year: int | None = None) -> TemplateBook:
    """The template workbook for ``framework`` (a bundled name or a .yaml file)."""
    spec, _ = load_framework_spec(framework)
    year = year or dt.date.today().year - 1
    indicators = _indicator_rows(spec, year)
    weights = _weight_rows(spec)
    sheets: dict[str, pd.DataFrame] = {README_SHEET: _readme(str(spec.get("name")), year)}
    for table, columns in TEMPLATE_COLUMNS.items():
        if table == "indicators":
            sheets[table] = indicators
        else:
            sheets[table] = pd.DataFrame({c.header: pd.Series(dtype=object) for c in columns})
    sheets[WEIGHTS_SHEET] = weights
    sheets[SETTINGS_SHEET] = _setting_rows(spec)
    comments = {
        table: {
            c.header: f"{c.en}{' (required)' if c.required else ''}: {c.note_en}\n{c.note_zh}"
            for c in columns
        }
        for table, columns in TEMPLATE_COLUMNS.items()
    }
    comments[WEIGHTS_SHEET] = {header: english for header, english, _ in WEIGHT_COLUMNS.values()}
    taxonomy = _taxonomy()
    registry = _registry()
    units = [str(u) for u in indicators["单位"].dropna()]
    units += [str(u) for u in registry["unit"].dropna() if str(u) not in units]
    lists = {
        "indicator_codes": list(indicators["指标代码"]),
        "units": list(dict.fromkeys(units)),
        "kinds": KINDS_ZH,
        "yes_no": ["是", "否"],
        "reliabilities": ["A", "B", "C"],
        "layers": LAYERS_ZH,
        "segments": list(taxonomy["name_zh"]),
        "coverage_kinds": ["名录", "样本"],
        "directions": [1, -1],
        "value_types": ["number", "flag"],
    }
    validations = {
        table: {c.header: (c.choices, c.strict) for c in columns if c.choices}
        for table, columns in TEMPLATE_COLUMNS.items()
    }
    validations[WEIGHTS_SHEET] = {
        "方向": ("directions", True),
        "值类型": ("value_types", True),
        "单位": ("units", False),
    }
    return TemplateBook(sheets, comments, lists, validations)


def write_template(
    out: str | Path, framework: str | Path | None = None, year: int | None = None
) -> Path:
    """Write the template workbook (through the guarded writer) and return its path."""
    from aicity.io.export import write_workbook

    book = template_book(framework, year)
    widths = {header: 16.0 for header in WEIGHT_HEADERS} | {
        "说明": 60.0,
        "note": 60.0,
        "定义": 50.0,
    }
    return Path(
        write_workbook(
            book.sheets,
            out,
            widths=widths,
            comments=book.comments,
            lists=book.lists,
            validations=book.validations,
        )
    )


def check_template_headers() -> list[str]:
    """Template headers ``aicity ingest`` would not map to the column they stand for (empty when
    every header is read back; the tests hold this)."""
    problems = []
    for table, columns in TEMPLATE_COLUMNS.items():
        mapping, _, _ = map_headers([c.header for c in columns], table, "template")
        for c in columns:
            if c.canonical == "year_wanted":
                continue
            if mapping.get(c.header) != c.canonical:
                problems.append(
                    f"{table}.{c.header} -> {mapping.get(c.header)} (not {c.canonical})"
                )
    return problems
