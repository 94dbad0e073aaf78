"""Project inventory (项目盘点): a city's AI projects counted by kind, stage and the layer of their firm.

Amounts are summed apart by what they are: ``planned_yi`` (a plan's or an announced total),
``signed_yi`` (a signing's amount) and ``actual_yi`` (investment made). There is no column adding them:
a plan or a signing is never counted as investment. A project list is what its user gathered, not a
census, so the counts show what is listed and are never scored or ranked.

The inventory workflow (``aicity.workflows.inventory.inventory``) derives the summary with the firm
indicators; the explorer, the API and the report read it from here.
"""

from __future__ import annotations

import re

import pandas as pd

from aicity.io.credit import firm_name_key
from aicity.io.projects import AMOUNT_KIND_LABELS, KIND_LABELS, STAGE_LABELS
from aicity.languages import LANGUAGES
from aicity.layers import LAYER_NAMES_EN, LAYER_NAMES_ZH, LAYERS
from aicity.store import Store
from aicity.store import projects as sprojects

AMOUNT_KINDS = ("planned", "signed", "actual")
DIMENSIONS = ("all", "kind", "stage", "layer")
UNMATCHED = "unmatched"  # the project names no firm of the firm list (or one without a layer)
LAYER_LABELS = {
    **{code: (LAYER_NAMES_ZH[code], LAYER_NAMES_EN[code].lower()) for code in LAYERS},
    UNMATCHED: ("企业未在名录中或未分层", "firm not in the firm list, or not layered"),
}
SUMMARY_COLUMNS = [
    "city_code",
    "dimension",
    "group",
    "n_projects",
    *(f"{k}_yi" for k in AMOUNT_KINDS),
    *(f"n_{k}" for k in AMOUNT_KINDS),
]
_ASCII_TAIL = re.compile(r"[\s(（].*$")


def _aliases(name: str) -> set[str]:
    """Keys a firm may be named by in a project: its full name, its Chinese part ('科大讯飞' of
    '科大讯飞 iFlytek'), that part without a bracket ('中科创达' of '中科创达(西部总部) Thundersoft')
    and each name of a slashed pair ('阿里巴巴', '阿里云' of '阿里巴巴/阿里云 Alibaba Cloud')."""
    found = {name}
    last = max((i for i, ch in enumerate(name) if ord(ch) > 127), default=-1)
    if last >= 0:
        chinese = name[: last + 1].strip()
        found.add(chinese)
        found.add(_ASCII_TAIL.sub("", chinese))
        found.update(part.strip() for part in re.split(r"[/／]", chinese))  # 阿里巴巴/阿里云
    keys = firm_name_key(pd.Series(sorted(found), dtype="string"))
    return {k for k in keys.dropna() if len(k) >= 2}


def match_firms(projects: pd.DataFrame, firms: pd.DataFrame) -> pd.Series:
    """Each project's enterprise_id: the one given when the firm list holds it, else the one firm whose
    name (or its Chinese part) equals or is contained in the project's firm text, preferring the
    project's own city. No match, or more than one, gives NA."""
    known = set(firms["enterprise_id"].astype(str))
    alias_rows = [
        (key, str(f.enterprise_id), f.city_code)
        for f in firms.itertuples(index=False)
        if isinstance(f.name, str)
        for key in _aliases(f.name)
    ]
    out = []
    texts = firm_name_key(projects["enterprise"].astype("string"))
    for given, text, city in zip(
        projects["enterprise_id"], texts, projects["city_code"], strict=True
    ):
        if isinstance(given, str) and given in known:
            out.append(given)
            continue
        if not isinstance(text, str) or not text:
            out.append(pd.NA)
            continue
        exact = {eid for key, eid, _ in alias_rows if key == text}
        hits = exact or {eid for key, eid, _ in alias_rows if key in text}
        local = {eid for key, eid, c in alias_rows if eid in hits and c == city}
        chosen = local or hits
        out.append(next(iter(chosen)) if len(chosen) == 1 else pd.NA)
    return pd.Series(out, index=projects.index, dtype="string")


def project_list(
    store: Store, city_code: str | None = None, classify_run_id: int | None = None
) -> pd.DataFrame:
    """Projects (optionally one city's) with the matched firm and its layer (``matched_id``,
    ``layer``; NA when unmatched). Layers: the classify run's (default the latest), else the label."""
    frame = sprojects.projects(store, city_code)
    if frame.empty:  # nothing to match: spare reading every firm (a million of them, seconds)
        frame["matched_id"] = pd.Series(dtype="string")
        frame["layer"] = pd.Series(index=frame.index, dtype="string")
        return frame
    firms = sprojects.firm_layers(store, classify_run_id)
    frame["matched_id"] = match_firms(frame, firms)
    # the layers of the matched firms only (a dict of every firm took seconds for a million)
    ids = firms["enterprise_id"].astype(str)
    matched = ids.isin(set(frame["matched_id"].dropna()))
    layers = dict(zip(ids[matched], firms["layer"][matched], strict=True))
    frame["layer"] = pd.Series(
        [layers.get(e) if isinstance(e, str) else None for e in frame["matched_id"]],
        index=frame.index,
        dtype="string",
    )
    return frame


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    """Per city and group (all; each kind, stage and firm layer): projects and, apart, the planned,
    signed and actual amounts in 亿元 with the number of projects behind each (0 and NaN: none)."""
    if frame.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    data = frame.assign(
        all="all",
        layer=frame["layer"].astype("string").fillna(UNMATCHED),
        stage=frame["stage"].astype("string").fillna("unknown"),
    )
    parts = []
    for dimension in DIMENSIONS:
        grouped = data.groupby(["city_code", dimension], sort=True)
        part = grouped.size().rename("n_projects").to_frame()
        for kind in AMOUNT_KINDS:
            amount = data["investment_yi"].where(data["amount_kind"] == kind)
            by = data.assign(_a=amount).groupby(["city_code", dimension], sort=True)["_a"]
            part[f"{kind}_yi"] = by.sum(min_count=1)
            part[f"n_{kind}"] = by.count()
        part = part.reset_index().rename(columns={dimension: "group"})
        part.insert(1, "dimension", dimension)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    out = out.sort_values(
        ["city_code", "dimension", "group"],
        key=lambda s: s.map(order) if s.name == "dimension" else s,
    )
    return out[SUMMARY_COLUMNS].reset_index(drop=True)


def project_summary(
    store: Store, city_code: str | None = None, classify_run_id: int | None = None
) -> pd.DataFrame:
    """The per-city summary of the stored projects (see :func:`summarise`)."""
    return summarise(project_list(store, city_code, classify_run_id))


def label(table: dict[str, tuple[str, str]], code: object, lang: str) -> str:
    """The zh or en label of a kind, stage, amount kind or layer code ('' for none)."""
    if not isinstance(code, str):
        return ""
    names = table.get(code)
    return (names[0] if lang == "zh" else names[1]) if names else code


DIMENSION_LABELS = {
    "kind": ("类型", "kind"),
    "stage": ("阶段", "stage"),
    "layer": ("企业所属层", "firm's layer"),
}


def group_label(dimension: str, group: str, lang: str) -> str:
    """'类型：平台' / 'kind: platform': a group always says which dimension it is of."""
    tables = {"kind": KIND_LABELS, "stage": STAGE_LABELS, "layer": LAYER_LABELS}
    if dimension == "all":
        return "全部项目" if lang == "zh" else "all projects"
    if group == "unknown":
        shown = "未注明" if lang == "zh" else "not given"
    else:
        shown = label(tables[dimension], group, lang)
    head = label(DIMENSION_LABELS, dimension, lang)
    return f"{head}：{shown}" if lang == "zh" else f"{head}: {shown}"


def amount_label(value: object, amount_kind: object, lang: str) -> str:
    """'100 亿元（计划）' / '100 亿元 (planned)': an amount always carries what it is."""
    if value is None or pd.isna(value) or not isinstance(amount_kind, str):
        return "–"
    what = label(AMOUNT_KIND_LABELS, amount_kind, lang)
    number = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return f"{number} 亿元（{what}）" if lang == "zh" else f"{number} 亿元 ({what})"


def city_projects(store: Store, city_code: str) -> dict:
    """One city's projects and summary as plain records, each label in Chinese and English (``_zh`` /
    ``_en``): what the API, the explorer and the report show."""
    return _records(project_list(store, city_code))


def projects_by_city(store: Store) -> dict[str, dict]:
    """:func:`city_projects` of every city with projects, read in one pass."""
    frame = project_list(store)
    return {
        str(code): _records(group.reset_index(drop=True))
        for code, group in frame.groupby("city_code", sort=True)
    }


def _records(frame: pd.DataFrame) -> dict:
    items = []
    for row in frame.itertuples(index=False):
        stage, amount_kind = _clean(row.stage), _clean(row.amount_kind)
        value = None if pd.isna(row.investment_yi) else float(row.investment_yi)
        item = {
            "project_id": row.project_id,
            "name": row.name,
            "park_id": _clean(row.park_id),
            "park_text": _clean(row.park_text),
            "enterprise": _clean(row.enterprise),
            "enterprise_id": _clean(row.matched_id),
            "layer": _clean(row.layer),
            "kind": row.kind,
            "stage": stage,
            "investment_yi": value,
            "investment_text": _clean(row.investment_text),
            "amount_kind": amount_kind,
            "year": None if pd.isna(row.year) else int(row.year),
            "source_url": _clean(row.source_url),
            "note": _clean(row.note),
        }
        for lang in LANGUAGES:
            item[f"kind_{lang}"] = label(KIND_LABELS, row.kind, lang)
            item[f"stage_{lang}"] = label(STAGE_LABELS, stage, lang)
            item[f"layer_{lang}"] = label(LAYER_LABELS, _clean(row.layer), lang)
            item[f"amount_{lang}"] = amount_label(value, amount_kind, lang)
        items.append(item)
    summary = []
    for row in summarise(frame).itertuples(index=False):
        record = {"dimension": row.dimension, "group": row.group, "n_projects": int(row.n_projects)}
        for lang in LANGUAGES:
            record[f"label_{lang}"] = group_label(row.dimension, row.group, lang)
        for kind in AMOUNT_KINDS:
            amount = getattr(row, f"{kind}_yi")
            record[f"{kind}_yi"] = None if pd.isna(amount) else float(amount)
            record[f"n_{kind}"] = int(getattr(row, f"n_{kind}"))
        summary.append(record)
    return {
        "items": items,
        "summary": summary,
        "note_zh": PROJECTS_NOTE["zh"],
        "note_en": PROJECTS_NOTE["en"],
    }


PROJECTS_NOTE = {
    "zh": "所列项目为收集到的有来源项目，并非全量；计划额、签约额与实际投资分列，互不相加，不参与评分。",
    "en": "The projects listed are those gathered with a source, not a census; planned, signed and "
    "actual amounts are kept apart, never added together, and never scored.",
}


def _clean(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return value
