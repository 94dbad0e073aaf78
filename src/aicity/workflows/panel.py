"""Bring your own panel: a template workbook for the user's data, a framework from a weights sheet, and
what the store holds for a framework (the coverage grid).

* ``template_book`` / ``write_template``: one sheet per table ingest reads (cities, parks, enterprises,
  observations, indicators) with headers ``aicity ingest`` maps (Chinese, English in each header's
  comment), the framework's indicators and weights pre-filled, drop-down lists for the coded columns.
* ``framework_from_sheet``: a weights sheet (+ optional settings sheet) -> a framework YAML that
  ``aicity evaluate --framework`` accepts.
* ``store_coverage``: per indicator x unit, what the evaluation would find (the same cell selection and
  evidence rules: real, stale, unverified, no source, other scope / year, missing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from aicity.errors import ConfigError
from aicity.io.framework_sheet import (
    SETTING_KEYS,
    SETTINGS_SHEET,
    WEIGHT_COLUMNS,
    WEIGHTS_SHEET,
    read_framework_sheets,
)
from aicity.io.headers import map_headers
from aicity.layers import LAYER_NAMES_ZH, LAYERS
from aicity.store import Store


@dataclass(frozen=True)
class Column:
    """One template column: the header written (an alias ``aicity ingest`` reads) and its notes."""

    header: str
    canonical: str
    en: str
    note_zh: str
    note_en: str
    required: bool = False
    choices: str | None = None  # name of a drop-down list
    strict: bool = True  # False: Excel warns but keeps another value


# the data sheets, in the order they are best ingested; each sheet is named after its --table
TEMPLATE_COLUMNS: dict[str, list[Column]] = {
    "indicators": [
        Column("指标代码", "code", "code", "小写英文代码", "lower-case ASCII code", True),
        Column("指标名称", "name_zh", "name (zh)", "中文名称", "Chinese name", True),
        Column("英文名称", "name_en", "name (en)", "英文名称", "English name", True),
        Column(
            "单位",
            "unit",
            "unit",
            "观测值的单位/口径",
            "unit or scope of the values",
            False,
            "units",
            False,
        ),
        Column(
            "方向",
            "direction",
            "direction",
            "1=越大越好，-1=越小越好",
            "1 more is better, -1 less",
            False,
            "directions",
        ),
        Column(
            "定义", "definition", "definition", "统计口径与来源", "what is counted, and where from"
        ),
        Column("维度", "category", "category", "所属维度", "dimension it belongs to"),
        Column(
            "值类型",
            "value_type",
            "value type",
            "number=数值，flag=是/否",
            "number, or flag (yes/no)",
            False,
            "value_types",
        ),
        Column(
            "目标年份",
            "year_wanted",
            "year wanted",
            "应收集的数据年份（仅供参考，入库时忽略）",
            "the year to collect (a guide; ingest ignores it)",
        ),
    ],
    "cities": [
        Column(
            "行政区划代码",
            "code",
            "admin code",
            "6位代码，如330100；可只填城市名称",
            "6-digit code, e.g. 330100; or give the name only",
        ),
        Column("城市名称", "name_zh", "city name", "如 杭州", "e.g. 杭州", True),
        Column("英文名称", "name_en", "English name", "可空，自动补全", "optional, filled in"),
        Column("省份", "province", "province", "可空，自动补全", "optional, filled in"),
        Column("经度", "longitude", "longitude", "可空，自动补全", "optional, filled in"),
        Column("纬度", "latitude", "latitude", "可空，自动补全", "optional, filled in"),
        Column("来源链接", "source_url", "source URL", "网址", "a URL"),
    ],
    "parks": [
        Column("园区名称", "name_zh", "park name", "园区全称", "the park's full name", True),
        Column("所在城市", "city", "city", "城市名称或代码", "city name or code", True),
        Column("英文名称", "name_en", "English name", "可空", "optional"),
        Column("区县", "district", "district", "所在区县", "district"),
        Column("主导产业", "focus", "focus", "产业方向", "industry focus"),
        Column("开园年份", "opened", "year opened", "如 2018", "e.g. 2018"),
        Column("入驻企业数", "firms", "firms", "如 132 (2022)", "e.g. 132 (2022)"),
        Column("来源链接", "source_url", "source URL", "网址", "a URL"),
        Column("备注", "note", "note", "", ""),
    ],
    "enterprises": [
        Column("企业名称", "name", "firm name", "企业全称", "the firm's registered name", True),
        Column("所在城市", "city", "city", "城市名称或代码", "city name or code", True),
        Column(
            "所在园区", "park", "park", "园区名称（先导入园区表）", "park name (ingest parks first)"
        ),
        Column(
            "统一社会信用代码",
            "credit_code",
            "credit code",
            "18位，可空",
            "18 characters, optional",
        ),
        Column(
            "产业层",
            "layer",
            "layer",
            "基础层/技术层/应用层",
            "foundation / technology / application",
            False,
            "layers",
        ),
        Column(
            "细分领域",
            "segment",
            "segment",
            "见 lists 表",
            "see the lists sheet",
            False,
            "segments",
        ),
        Column("成立年份", "founded", "founded", "如 2016", "e.g. 2016"),
        Column(
            "经营范围",
            "description",
            "business scope",
            "经营范围或业务描述（用于分类）",
            "business scope (used to classify)",
        ),
        Column(
            "注册资本（万元）",
            "size",
            "registered capital (10k yuan)",
            "数值，单位万元",
            "a number, in 万元",
        ),
        Column("来源链接", "source_url", "source URL", "网址", "a URL"),
        Column("备注", "note", "note", "", ""),
        Column(
            "名录类型",
            "coverage",
            "list kind",
            "名录=全量登记名录，样本=精选名单",
            "registry = a full list, sample = a selection",
            False,
            "coverage_kinds",
        ),
    ],
    "observations": [
        Column("城市", "city", "city", "城市名称或代码", "city name or code", True),
        Column("园区", "park", "park", "填园区则为园区数据", "fill for a park's value"),
        Column(
            "指标代码",
            "indicator",
            "indicator",
            "见 indicators 表",
            "see the indicators sheet",
            True,
            "indicator_codes",
            False,
        ),
        Column("年份", "year", "year", "数据所属年份", "the year the value refers to", True),
        Column(
            "数值",
            "value",
            "value",
            "数值；标志类填 是/否",
            "a number; flags: 是/否 (yes/no)",
            True,
        ),
        Column(
            "单位",
            "unit",
            "unit",
            "与 indicators 表的单位一致",
            "the indicators sheet's unit",
            True,
            "units",
            False,
        ),
        Column(
            "数据类型",
            "kind",
            "kind",
            "实际/估计/规划目标（规划目标不计分）",
            "actual / estimate / plan target (never scored)",
            False,
            "kinds",
        ),
        Column(
            "是否核实",
            "verified",
            "verified",
            "是/否（未核实不计分）",
            "yes / no (unverified is never scored)",
            False,
            "yes_no",
        ),
        Column(
            "来源链接",
            "source_url",
            "source URL",
            "网址（无来源不计分）",
            "a URL (no source: never scored)",
            True,
        ),
        Column(
            "来源等级",
            "source_reliability",
            "source reliability",
            "A官方/B媒体/C未核实",
            "A official / B media / C unverified",
            False,
            "reliabilities",
        ),
        Column("备注", "note", "note", "", ""),
    ],
}
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
    from aicity.workflows.evaluate_specs import indicator_specs

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
    from aicity.workflows.evaluate_specs import indicator_specs

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
    from aicity.workflows.evaluate_specs import load_framework_spec

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


# ----- framework from a weights sheet ---------------------------------------------------------------------
def framework_from_sheet(
    path: str | Path, sheet: str = WEIGHTS_SHEET, name: str | None = None
) -> tuple[dict[str, Any], str]:
    """A framework spec and its YAML text from a weights sheet; checked by the index engine's rules."""
    from aicity.index.framework import Framework
    from aicity.workflows.coverage import coverage_floors
    from aicity.workflows.evaluate_specs import engine_spec

    book = read_framework_sheets(path, sheet=sheet)
    settings = book.settings
    weights = book.weights
    index_code = settings.get("index_code", "INDEX")
    spec: dict[str, Any] = {
        "name": name or settings.get("name") or Path(path).stem,
        "version": 1,
        "title_zh": settings.get("title_zh", "自建评价指标体系"),
        "title_en": settings.get("title_en", "Own evaluation framework"),
        "levels": ["indicator", "dimension", "index"],
        "unit_type": settings.get("unit_type", "city"),
        "coverage_floor": {
            level: settings.get(f"coverage_floor_{level}", "2/3")
            for level in ("indicator", "unit", "dimension")
        },
        "index": {
            "code": index_code,
            "name_zh": settings.get("index_name_zh", "综合指数"),
            "name_en": settings.get("index_name_en", "Composite index"),
        },
        "nodes": [],
    }
    carry = settings.get("carry_forward", "no").strip().lower()
    if carry not in ("yes", "no", "是", "否", "true", "false", "1", "0"):
        raise ConfigError(
            f"carry_forward: expected yes or no, got {carry!r}", path=f"{path} (sheet settings)"
        )
    if carry in ("yes", "是", "true", "1"):
        spec["carry_forward"] = True
    if spec["unit_type"] not in ("city", "park"):
        raise ConfigError(
            f"unit_type: expected city or park, got {spec['unit_type']!r}",
            path=f"{path} (sheet settings)",
        )
    coverage_floors(spec)  # a bad share is a one-line error naming the setting
    for dimension, rows in weights.groupby("dimension", sort=False):
        first = rows.iloc[0]
        if dimension == index_code or dimension in set(weights["indicator"]):
            raise ConfigError(
                f"row {int(first['row'])}: dimension code {dimension} is also the index's or an "
                "indicator's code",
                path=book.where,
            )
        dim_weight = first["dimension_weight"]
        spec["nodes"].append(
            {
                "code": str(dimension),
                "parent": index_code,
                "level": 2,
                "name_zh": first["dimension_name_zh"] or str(dimension),
                "name_en": first["dimension_name_en"] or str(dimension),
                "weight": 1.0 if pd.isna(dim_weight) else float(dim_weight),
            }
        )
        for row in rows.to_dict("records"):
            node: dict[str, Any] = {
                "code": row["indicator"],
                "parent": str(dimension),
                "level": 1,
                "name_zh": row["name_zh"] or row["name_en"],
                "name_en": row["name_en"] or row["name_zh"],
                "unit": row["unit"],
                "direction": int(row["direction"]),
                "weight": float(row["weight"]),
            }
            if row["value_type"] == "flag":
                node["value_type"] = "flag"
                node["scopes"] = row["scopes"] or ["member (1/0)", "flag"]
            elif row["scopes"]:
                node["scopes"] = list(row["scopes"])
            if row["derive"]:
                node["derive"] = dict(row["derive"])
            if row["definition"]:
                node["definition"] = row["definition"]
            spec["nodes"].append(node)
    Framework.from_yaml(engine_spec(spec))  # the engine's checks: weights, tree, codes
    header = (
        f"# Framework {spec['name']}, made by `aicity framework new` from {Path(path).name}.\n"
        "# Edit the workbook and make it again, or edit this file; evaluate with\n"
        f"# `aicity evaluate --framework {spec['name']}.yaml`.\n"
    )
    text = header + yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=100)
    return spec, text


# ----- what the store holds for a framework ----------------------------------------------------------------
COVERAGE_STATUSES = (
    "real",
    "stale",
    "unverified",
    "no_source",
    "other_scope",
    "other_year",
    "missing",
)
COVERAGE_NAMES = {
    "real": ("可核实", "real"),
    "stale": ("可核实（早于参考年）", "real, older than the reference year"),
    "unverified": ("未核实/估计/样本", "unverified, estimate or sample"),
    "no_source": ("无来源", "no source"),
    "other_scope": ("口径/单位不符", "other unit or scope"),
    "other_year": ("其他年份", "another year than the indicator's"),
    "missing": ("缺失", "missing"),
}


@dataclass
class StoreCoverage:
    framework: str
    reference_year: int
    cells: pd.DataFrame  # indicator, unit_key, status, value, year, flags
    indicators: (
        pd.DataFrame
    )  # code, name_zh, name_en, real, n_units, share, scored (passes the floor)
    units: pd.DataFrame  # unit_key, name_zh, name_en
    floor: float

    def matrix(self, names: str = "name_zh") -> pd.DataFrame:
        """Indicators (rows, by name) x units (columns, by name) of statuses."""
        wide = self.cells.pivot(index="indicator", columns="unit_key", values="status")
        wide = wide.reindex(
            index=list(self.indicators["code"]), columns=list(self.units["unit_key"])
        )
        wide.columns = list(self.units[names].fillna(self.units["unit_key"]))
        frame = wide.reset_index(names="indicator")
        frame.insert(1, "name_zh", list(self.indicators["name_zh"]))
        frame.insert(2, "name_en", list(self.indicators["name_en"]))
        frame.insert(3, "real", list(self.indicators["real"]))
        return frame


def coverage_status(flags: str, real: bool, has_value: bool) -> str:
    words = flags.split()
    if real:
        return "stale" if "stale" in words else "real"
    if has_value and "absent_flag" not in words:
        return "no_source" if "no_source" in words else "unverified"
    for reason in ("other_scope", "other_year"):
        if reason in words:
            return reason
    return "missing"


def store_coverage(
    store: Store,
    framework: str | Path | None = None,
    year: int | None = None,
    max_age: int = 3,
    carry_forward: bool | None = None,
) -> StoreCoverage:
    """What the evaluation would find in the store for each indicator x unit of ``framework``."""
    from aicity.errors import InputError
    from aicity.store import core as store_core
    from aicity.workflows import cells as ev
    from aicity.workflows.coverage import coverage_floors
    from aicity.workflows.evaluate_specs import derive_inputs, indicator_specs, load_framework_spec
    from aicity.workflows.series import carry_forward as carry

    spec, _ = load_framework_spec(framework)
    unit_type = spec.get("unit_type", "city")
    indicators = [i for i in indicator_specs(spec) if not i.get("from_city")]
    codes = [str(i["code"]) for i in indicators]
    inputs = [c for c in derive_inputs(indicators) if c not in codes]
    obs = store_core.observations(store, unit_type=unit_type, indicators=codes + inputs)
    units = ev.evaluation_units(store, unit_type)
    if units.empty:
        raise InputError(
            f"no {unit_type} units in the store",
            fix="ingest the template's cities sheet first (aicity ingest panel.xlsx --table cities --sheet cities)",
        )
    year = ev.reference_year_of(obs, codes, max_age) if year is None else int(year)
    keys = list(units["unit_key"])
    cells = ev.select_cells(obs, keys, indicators, year, max_age)
    if inputs:
        helpers = ev.select_cells(obs, keys, ev.helper_specs(store, inputs), year, max_age)
        cells = ev.derive_cells(cells, indicators, helpers)
    if carry_forward if carry_forward is not None else bool(spec.get("carry_forward")):
        cells = carry(cells, obs, indicators, year, max_age)
    flags = cells["flags"].fillna("").astype(str)
    cells = cells.assign(
        flags=flags,
        status=[
            coverage_status(f, bool(r), pd.notna(v))
            for f, r, v in zip(flags, cells["real"], cells["value"], strict=True)
        ],
    )
    n = len(keys)
    floor = coverage_floors(spec)["indicator"]
    real = cells[cells["status"].isin(["real", "stale"])].groupby("indicator").size()
    summary = pd.DataFrame(
        {
            "code": codes,
            "name_zh": [str(i.get("name_zh") or i["code"]) for i in indicators],
            "name_en": [str(i.get("name_en") or i["code"]) for i in indicators],
            "real": [int(real.get(c, 0)) for c in codes],
        }
    )
    summary["n_units"] = n
    summary["share"] = summary["real"] / n if n else 0.0
    summary["scored"] = summary["share"] >= floor
    return StoreCoverage(
        framework=str(spec.get("name")),
        reference_year=year,
        cells=cells[["indicator", "unit_key", "status", "value", "year", "flags"]],
        indicators=summary,
        units=units[["unit_key", "name_zh", "name_en"]].reset_index(drop=True),
        floor=floor,
    )
