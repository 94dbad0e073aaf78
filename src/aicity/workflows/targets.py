"""招商 targeting (补链招商): ``aicity targets --city 杭州`` lists the city's missing or thin segments on its
industry map, weighted by the segment's weight in the chain, and for each the candidate firms elsewhere in
the store, with their city, the evidence (classification confidence, business text) and why they fit.

Counts and candidates come only from registry-kind firm lists (a full registry export or an official list).
A store holding no registry firm falls back to its sample-kind lists and says the result is illustrative:
a sample cannot show that a segment is missing, only that the sample lists no firm of it. No candidate is a
firm of the city: every firm of the city (any coverage kind) is excluded by id, credit code and name.

A segment is *missing* when the city has no firm of it, *thin* when its location quotient (the segment's
share of the city's firms over its share of all firms counted) is below ``thin_lq`` (default 0.5). Its gap
is 1 for a missing segment and 1 - LQ for a thin one; its priority the gap times the segment's weight (the
taxonomy file's ``weight`` column when it has one, else equal weights; shown normalised to a mean of 1).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from aicity.errors import ConfigError, InputError
from aicity.store import Store

THIN_LQ = 0.5
ILLUSTRATIVE_ZH = (
    "示意：本库企业名录为样本（非完整名录），仅能说明样本中未列出或较少，不能说明本市缺失该环节。"
)
ILLUSTRATIVE_EN = (
    "Illustrative: the store's firm lists are a sample, not a registry; they show only that the sample "
    "lists no or few firms of a segment, not that the city lacks it."
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_BRACKETS = re.compile(r"[(（][^)）]*[)）]")


@dataclass(frozen=True)
class Candidate:
    enterprise_id: str
    name: str
    city_code: str
    city_zh: str
    city_en: str
    segment: str
    layer: str | None
    confidence: float | None
    method: str
    explanation: str
    business_text: str | None  # the business scope (经营范围) or description as ingested
    note: str | None
    source_url: str | None
    is_synthetic: bool
    coverage: str
    why_zh: str
    why_en: str


@dataclass(frozen=True)
class Gap:
    segment: str
    layer: str
    name_zh: str
    name_en: str
    status: str  # missing | thin
    label_zh: str
    label_en: str
    local: int  # the city's firms of the segment
    pool: int  # firms of the segment counted in every city
    lq: float | None
    weight: float  # normalised to a mean of 1 over the segments
    priority: float
    candidates: list[Candidate] = field(default_factory=list)


@dataclass
class TargetsResult:
    city_code: str
    name_zh: str
    name_en: str
    basis: str  # registry | sample
    illustrative: bool
    synthetic: bool  # the counted firms are synthetic
    n_local: int  # the city's firms counted
    n_pool: int  # firms counted in every city
    n_excluded: int  # firms of other coverage kinds left out of the counts
    classify_run: int | None
    weights_source: str
    thin_lq: float
    gaps: list[Gap]
    notes_zh: list[str]
    notes_en: list[str]


# ----- segment weights ---------------------------------------------------------------------------------
def segment_weights(
    codes: list[str], path: str | Path | None = None
) -> tuple[dict[str, float], str]:
    """Each segment's weight in the chain: a taxonomy file's ``weight`` column (YAML key or CSV column),
    else equal. Returns the weights normalised to a mean of 1 and where they came from."""
    equal = {c: 1.0 for c in codes}
    if path is None:
        return equal, "equal"
    p = Path(path)
    if not p.exists():
        raise ConfigError("taxonomy file not found (pass a YAML or CSV file)", path=str(p))
    text = p.read_text("utf-8-sig")
    if p.suffix.lower() == ".csv":
        entries: list[Any] = list(csv.DictReader(io.StringIO(text)))
        where = "row {i}"
        offset = 2
    else:
        doc = yaml.safe_load(text)
        entries = doc.get("segments", []) if isinstance(doc, dict) else doc or []
        where = "segments[{i}]"
        offset = 0
    if not any(isinstance(e, dict) and e.get("weight") not in (None, "") for e in entries):
        return equal, "equal"
    found: dict[str, float] = {}
    for i, entry in enumerate(entries):
        place = f"{p}: {where.format(i=i + offset)}.weight"
        raw = entry.get("weight") if isinstance(entry, dict) else None
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ConfigError(
                f"expected a positive number (every segment needs a weight once one has), got {raw!r}",
                path=place,
            ) from None
        if not value > 0:
            raise ConfigError(f"expected a positive number, got {raw!r}", path=place)
        found[str(entry.get("code", "")).strip()] = value
    missing = [c for c in codes if c not in found]
    if missing:
        raise ConfigError(
            f"no weight for segment(s) {', '.join(missing[:5])} of the classification's taxonomy",
            path=str(p),
        )
    mean = sum(found[c] for c in codes) / len(codes)
    return {c: found[c] / mean for c in codes}, str(p)


# ----- names of the city's firms -----------------------------------------------------------------------
def name_keys(name: object) -> set[str]:
    """The forms under which a firm name is recognised: the whole name, without bracketed parts, and its
    leading Chinese name (``黑芝麻智能 (成都研发中心) Black Sesame`` -> also ``黑芝麻智能``); no case, no space."""
    text = str(name or "").strip()
    if not text:
        return set()

    def norm(value: str) -> str:
        value = value.replace("（", "(").replace("）", ")")
        return re.sub(r"\s+", "", value).lower()

    keys = {norm(text)}
    stripped = _BRACKETS.sub(" ", text).strip()
    if stripped:
        keys.add(norm(stripped))
        first = stripped.split()[0]
        if _CJK.search(first) and len(first) >= 2:
            keys.add(norm(first))
    return {k for k in keys if k}


# ----- the workflow ------------------------------------------------------------------------------------
def targets(
    store: Store,
    city: str,
    per_segment: int = 5,
    top: int = 10,
    thin_lq: float = THIN_LQ,
    taxonomy: str | Path | None = None,
) -> TargetsResult:
    """The city's missing and thin segments, highest priority first (``top`` of them; 0: all), each with
    up to ``per_segment`` candidate firms elsewhere in the store."""
    from aicity.inventory.taxonomy import LAYERS, Taxonomy, load_taxonomy
    from aicity.io.cities import CityResolver
    from aicity.store import core as score
    from aicity.store import inventory as sinv
    from aicity.store import targets as st
    from aicity.workflows.industry_map import resolve_unit
    from aicity.workflows.inventory import load_taxonomy_records

    if per_segment < 1:
        raise ConfigError(
            f"expected 1 or more candidates a segment, got {per_segment}", path="--per-segment"
        )
    if not 0 < thin_lq <= 1:
        raise ConfigError(
            f"expected a location quotient in (0, 1], got {thin_lq}", path="--thin-lq"
        )
    _, code, name_zh, name_en = resolve_unit(store, city)
    coverage = sinv.coverage_counts(store)
    if not sum(coverage.values()):
        raise InputError(
            "the store has no firms",
            fix="ingest a firm list (aicity ingest FILE --table enterprises --coverage registry)",
        )
    basis = "registry" if coverage.get("registry", 0) > 0 else "sample"
    n_excluded = sum(n for kind, n in coverage.items() if kind != basis)
    rid = sinv.latest_run(store, "classify")
    if rid is not None:
        tax = Taxonomy(
            segments=tuple(load_taxonomy_records(sinv.run_taxonomy(store, rid))),
            source=f"classify run {rid}",
        )
    else:
        tax = load_taxonomy(taxonomy)
    codes = [s.code for s in tax.segments]
    weights, weights_source = segment_weights(codes, taxonomy)
    counts = st.segment_counts(store, rid, basis)
    n_pool = int(counts["n"].sum())
    mine = counts[counts["city_code"] == code]
    n_local = int(mine["n"].sum())
    local = mine.dropna(subset=["segment"]).set_index("segment")["n"]
    pool = counts.dropna(subset=["segment"]).groupby("segment")["n"].sum()
    gaps: list[Gap] = []
    sample = basis == "sample"
    for seg in sorted(tax.segments, key=lambda s: LAYERS.index(s.layer)):
        here = int(local.get(seg.code, 0))
        everywhere = int(pool.get(seg.code, 0))
        lq = None
        if here and n_local and n_pool and everywhere:
            lq = (here / n_local) / (everywhere / n_pool)
        if here == 0:
            status, gap = "missing", 1.0
            label = (
                ("样本中未列出", "none listed in the sample")
                if sample
                else ("缺失环节", "missing link")
            )
        elif lq is not None and lq < thin_lq:
            status, gap = "thin", 1.0 - lq
            label = (
                ("样本中较少", "few listed in the sample") if sample else ("薄弱环节", "thin link")
            )
        else:
            continue
        gaps.append(
            Gap(
                seg.code,
                seg.layer,
                seg.name_zh,
                seg.name_en,
                status,
                label[0],
                label[1],
                here,
                everywhere,
                None if lq is None else round(lq, 4),
                round(weights[seg.code], 4),
                round(weights[seg.code] * gap, 4),
            )
        )
    gaps.sort(key=lambda g: (-g.priority, -(g.pool - g.local), g.segment))
    if top:
        gaps = gaps[:top]
    # candidates: never a firm of the city (by id, credit code or any form of its name)
    own = st.city_firms(store, code)
    own_ids = set(own["enterprise_id"].astype(str))
    own_credit = {str(c) for c in own["credit_code"].dropna() if str(c).strip()}
    own_names: set[str] = set()
    for name in own["name"]:
        own_names |= name_keys(name)
    fetched = st.segment_candidates(
        store, rid, [g.segment for g in gaps], code, basis, per_segment * 4 + 20
    )
    stored = score.cities(store)
    cities = stored.set_index("code")
    resolver: CityResolver | None = (
        None  # the admin-code reference, only for a city the store lacks
    )
    synthetic_seen = False
    filled = []
    for g in gaps:
        rows = fetched[fetched["segment"] == g.segment] if len(fetched) else fetched
        chosen: list[Candidate] = []
        listed: set[str] = set()  # one firm once, though it has rows in two cities
        for r in rows.itertuples():
            if len(chosen) >= per_segment:
                break
            keys = name_keys(r.name)
            if (
                str(r.enterprise_id) in own_ids
                or (isinstance(r.credit_code, str) and r.credit_code in own_credit)
                or keys & own_names
                or str(r.city_code) == code
                or keys & listed
            ):
                continue
            listed |= keys
            city_code = str(r.city_code) if isinstance(r.city_code, str) else ""
            if city_code in cities.index:
                c_zh = str(cities.at[city_code, "name_zh"])
                c_en = str(cities.at[city_code, "name_en"] or c_zh)
            elif city_code in (resolver := resolver or CityResolver(stored)).cities:
                c_zh = resolver.cities[city_code].short_zh
                c_en = resolver.cities[city_code].name_en or c_zh
            else:
                c_zh = c_en = city_code or "?"
            synthetic = bool(r.is_synthetic)
            synthetic_seen |= synthetic
            chosen.append(_candidate(r, g, c_zh, c_en, name_zh, name_en, synthetic, sample))
        filled.append(replace(g, candidates=chosen))
    notes_zh: list[str] = []
    notes_en: list[str] = []
    if sample:
        notes_zh.append(ILLUSTRATIVE_ZH)
        notes_en.append(ILLUSTRATIVE_EN)
    elif n_excluded:
        notes_zh.append(f"仅按完整名录（registry）计数和推荐；另有{n_excluded}家样本企业未计入。")
        notes_en.append(
            f"Counted and drawn from registry-kind lists only; {n_excluded} sample-kind firms are left out."
        )
    counted_synthetic = sinv.all_synthetic(store, basis)
    if counted_synthetic or synthetic_seen:
        notes_zh.append("含合成数据：名录中的企业为合成记录，仅供测试。")
        notes_en.append("Synthetic data: the listed firms are synthetic records, for testing only.")
    if weights_source == "equal":
        notes_zh.append("各环节权重相同（分类体系未给出权重）。")
        notes_en.append("Segments weigh the same (the taxonomy gives no weights).")
    if n_local == 0:
        notes_zh.append("本市在所计名录中没有企业：所有环节均显示为空。")
        notes_en.append("The city has no firm in the lists counted: every segment shows as empty.")
    return TargetsResult(
        city_code=code,
        name_zh=name_zh,
        name_en=name_en,
        basis=basis,
        illustrative=sample,
        synthetic=counted_synthetic,
        n_local=n_local,
        n_pool=n_pool,
        n_excluded=n_excluded,
        classify_run=rid,
        weights_source=weights_source,
        thin_lq=thin_lq,
        gaps=filled,
        notes_zh=notes_zh,
        notes_en=notes_en,
    )


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _candidate(
    r: Any, g: Gap, c_zh: str, c_en: str, city_zh: str, city_en: str, synthetic: bool, sample: bool
) -> Candidate:
    confidence = None if pd.isna(r.confidence) else float(r.confidence)
    method = str(r.method)
    if method == "input":
        how_zh, how_en = "名录中给定的分类", "the segment given in the list"
    else:
        shown = "—" if confidence is None else f"{confidence:.2f}"
        how_zh = f"{method}分类，置信度 {shown}"
        how_en = f"classified by {method}, confidence {shown}"
    status_zh = {"missing": "缺少", "thin": "薄弱"}[g.status]
    status_en = {"missing": "lacks", "thin": "is thin in"}[g.status]
    if sample:
        status_zh = {"missing": "样本中未列出", "thin": "样本中较少"}[g.status]
        status_en = {
            "missing": "has none listed in the sample for",
            "thin": "has few listed in the sample for",
        }[g.status]
    kind_zh = "合成名录" if synthetic else ("样本名录" if sample else "完整名录")
    kind_en = "synthetic registry" if synthetic else ("sample list" if sample else "registry")
    why_zh = (
        f"主营归入「{g.name_zh}」（{how_zh}；{kind_zh}），位于{c_zh}；{city_zh}{status_zh}该环节"
        f"（本地 {g.local} 家）。"
    )
    why_en = (
        f"Its business is {g.name_en} ({how_en}; {kind_en}), based in {c_en}; {city_en} {status_en} "
        f"this segment ({g.local} local firms)."
    )
    return Candidate(
        enterprise_id=str(r.enterprise_id),
        name=str(r.name),
        city_code=str(r.city_code),
        city_zh=c_zh,
        city_en=c_en,
        segment=g.segment,
        layer=_text(r.layer),
        confidence=confidence,
        method=method,
        explanation=str(r.explanation),
        business_text=_text(r.description),
        note=_text(r.note),
        source_url=_text(r.source_url),
        is_synthetic=synthetic,
        coverage=str(r.coverage),
        why_zh=why_zh,
        why_en=why_en,
    )


def as_dict(result: TargetsResult) -> dict[str, Any]:
    """The result as JSON-ready values (the CLI's --json and the API)."""
    return asdict(result)
