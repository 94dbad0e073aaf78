"""The template workbook's data sheets (``aicity panel template``): one per table ``aicity ingest`` reads, in
the order they are best ingested, each column with the header written (an alias ingest maps back), its
English name, notes in both languages and its drop-down list."""

from __future__ import annotations

from dataclasses import dataclass

from aicity.layers import LAYER_NAMES_ZH, LAYERS


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
            "/".join(LAYER_NAMES_ZH[code] for code in LAYERS),
            " / ".join(LAYERS),
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
