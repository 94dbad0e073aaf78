"""Header mapping: Chinese or English column names -> the canonical column names of each table.

Matching ignores case, spaces, underscores, hyphens and full-width brackets. A header may carry a unit
in brackets (``value (万元)``, ``注册资本（万元）``): the unit is returned so the column can be converted.
Unknown columns are kept aside (reported, not stored). The full table is in docs/ingest.md.
"""

from __future__ import annotations

import re

from aicity.errors import InputError

ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "cities": {
        "code": (
            "code",
            "admin_code",
            "adcode",
            "admin code",
            "行政区划代码",
            "区划代码",
            "城市代码",
            "代码",
        ),
        "name_zh": ("name_zh", "city", "name", "城市", "城市名称", "名称", "中文名"),
        "name_en": ("name_en", "english name", "name (en)", "英文名", "英文名称"),
        "province": ("province", "省份", "省", "所属省份"),
        "longitude": ("longitude", "lon", "lng", "经度"),
        "latitude": ("latitude", "lat", "纬度"),
        "source_url": ("source_url", "source", "url", "来源", "来源链接", "数据来源"),
    },
    "parks": {
        "park_id": ("park_id", "id", "园区id", "园区编号", "编号"),
        "city": ("city", "city_code", "城市", "所在城市"),
        "name_zh": ("name_zh", "park", "name", "park name", "园区", "园区名称", "名称"),
        "name_en": ("name_en", "english name", "英文名", "英文名称"),
        "district": ("district", "区县", "所在区", "所在区县", "区域"),
        "focus": ("focus", "industry focus", "产业方向", "主导产业", "重点产业"),
        "opened": (
            "opened",
            "opened_year",
            "year opened",
            "开园时间",
            "开园年份",
            "成立年份",
            "建成年份",
        ),
        "firms": ("firms", "firm count", "入驻企业数", "企业数", "入驻企业"),
        "source_url": ("source_url", "source", "url", "来源", "来源链接", "数据来源"),
        "note": ("note", "notes", "备注", "说明"),
    },
    "enterprises": {
        "enterprise_id": ("enterprise_id", "firm_id", "id", "企业id", "企业编号", "编号"),
        "name": (
            "name",
            "company",
            "enterprise",
            "firm",
            "company name",
            "企业名称",
            "企业",
            "公司名称",
            "名称",
        ),
        "city": ("city", "city_code", "城市", "所在城市", "所在地"),
        "park": ("park", "park_id", "园区", "所在园区"),
        "credit_code": (
            "credit_code",
            "credit code",
            "uscc",
            "unified social credit code",
            "统一社会信用代码",
            "信用代码",
        ),
        "layer": ("layer", "产业层", "层级", "层"),
        "segment": ("segment", "细分领域", "领域", "产业链环节", "赛道"),
        "label_source": ("label_source", "标签来源"),
        "founded": (
            "founded",
            "established",
            "founded_year",
            "成立年份",
            "成立时间",
            "成立日期",
            "注册时间",
        ),
        "description": (
            "description",
            "business scope",
            "business_scope",
            "经营范围",
            "业务描述",
            "企业简介",
            "简介",
        ),
        "size": ("size", "registered capital", "registered_capital", "注册资本", "规模"),
        "size_unit": ("size_unit", "size unit", "规模单位"),
        "source_url": ("source_url", "source", "url", "来源", "来源链接", "数据来源"),
        "note": ("note", "notes", "备注", "说明"),
        "is_synthetic": ("is_synthetic", "synthetic", "合成数据"),
        "coverage": ("coverage", "coverage_kind", "list_kind", "名录类型", "覆盖类型", "收录口径"),
    },
    "observations": {
        "unit_type": ("unit_type", "单元类型"),
        "city": ("city", "city_code", "城市", "地区"),
        "park": ("park", "park_id", "园区"),
        "indicator": ("indicator", "indicator_code", "code", "指标", "指标代码", "指标名称"),
        "value": ("value", "数值", "值", "指标值"),
        "unit": ("unit", "scope", "单位", "口径", "单位/口径"),
        "year": ("year", "年份", "年度", "年"),
        "kind": ("kind", "type", "类型", "性质", "数据类型"),
        "verified": ("verified", "已核实", "是否核实"),
        "source_url": ("source_url", "source", "url", "来源", "来源链接", "数据来源"),
        "source_reliability": ("source_reliability", "reliability", "可靠性", "来源等级"),
        "note": ("note", "notes", "备注", "说明"),
    },
    "indicators": {
        "code": ("code", "indicator", "指标代码"),
        "name_zh": ("name_zh", "中文名称", "指标名称", "名称"),
        "name_en": ("name_en", "english name", "英文名称"),
        "unit": ("unit", "单位"),
        "direction": ("direction", "方向", "正负向"),
        "definition": ("definition", "定义", "说明"),
        "category": ("category", "类别", "维度"),
        "value_type": ("value_type", "值类型"),
        "min_value": ("min_value", "min", "最小值"),
        "max_value": ("max_value", "max", "最大值"),
        "raw_names": ("raw_names", "原始名称"),
    },
    # a city's AI projects (issue 16; io.projects validates them)
    "projects": {
        "project_id": ("project_id", "id", "项目id", "项目编号", "编号"),
        "name": ("name", "project", "project name", "项目名称", "项目", "名称"),
        "city": ("city", "city_code", "城市", "所在城市", "所在地"),
        "park": ("park", "park_id", "园区", "所在园区", "载体"),
        "enterprise": (
            "enterprise",
            "firm",
            "company",
            "企业",
            "企业名称",
            "投资方",
            "项目单位",
            "实施主体",
        ),
        "enterprise_id": ("enterprise_id", "firm_id", "企业编号", "企业id"),
        "kind": ("kind", "type", "project type", "类型", "项目类型", "项目类别"),
        "investment": (
            "investment",
            "amount",
            "investment_yi",
            "投资额",
            "投资",
            "总投资",
            "投资金额",
            "金额",
        ),
        "unit": ("unit", "investment unit", "单位", "金额单位", "投资单位"),
        "amount_kind": ("amount_kind", "amount kind", "金额口径", "投资口径", "金额类型"),
        "stage": ("stage", "status", "阶段", "项目阶段", "进展", "项目进展"),
        "year": ("year", "年份", "年度", "年"),
        "source_url": ("source_url", "source", "url", "来源", "来源链接", "数据来源"),
        "note": ("note", "notes", "备注", "说明"),
    },
}
TABLES = tuple(ALIASES)

_BRACKET_UNIT = re.compile(r"^(?P<name>.*?)\s*[\(（\[【](?P<unit>[^\)）\]】]*)[\)）\]】]\s*$")


def split_header_unit(header: str) -> tuple[str, str | None]:
    """'GDP（亿元）' -> ('GDP', '亿元'); a header without a bracketed unit -> (header, None)."""
    match = _BRACKET_UNIT.match(str(header))
    if match and match.group("unit").strip():
        return match.group("name").strip(), match.group("unit").strip()
    return str(header).strip(), None


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.strip().lstrip("\ufeff").lower())


DUPLICATE = "\x00"  # "city\x00city_code": a second file column for the field (see map_headers)


def duplicate_of(name: str) -> tuple[str, str] | None:
    """('city', 'city_code') for a second column's mapped name, else None."""
    if DUPLICATE not in name:
        return None
    canonical, _, column = name.partition(DUPLICATE)
    return canonical, column


def map_headers(
    columns: list[str], table: str, file: str, duplicates: bool = False
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Return ({file column: canonical}, {canonical: unit from header}, [unknown columns]).

    Two columns meaning one field are an error, unless ``duplicates``: then the later column maps to
    ``canonical + DUPLICATE + column`` and the caller reconciles the values row by row.
    """
    if table not in ALIASES:
        raise InputError(f"unknown table {table!r}", fix=f"expected one of {', '.join(TABLES)}")
    lookup = {
        _key(alias): canonical for canonical, aliases in ALIASES[table].items() for alias in aliases
    }
    mapping: dict[str, str] = {}
    units: dict[str, str] = {}
    unknown: list[str] = []
    for column in columns:
        canonical = lookup.get(_key(str(column)))
        unit = None
        if canonical is None:
            match = _BRACKET_UNIT.match(str(column))
            if match and match.group("unit").strip():
                canonical = lookup.get(_key(match.group("name")))
                unit = match.group("unit").strip()
        if canonical is None:
            unknown.append(str(column))
            continue
        if canonical in mapping.values() and duplicates:
            mapping[str(column)] = canonical + DUPLICATE + str(column)
            continue
        if canonical in mapping.values():
            first = next(c for c, v in mapping.items() if v == canonical)
            raise InputError(
                f"columns {first!r} and {column!r} both mean {canonical!r}",
                file=file,
                column=str(column),
                fix="keep one of them",
            )
        mapping[str(column)] = canonical
        if unit:
            units[canonical] = unit
    return mapping, units, unknown
