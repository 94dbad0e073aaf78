"""Validation of a projects file (项目盘点): a city's AI projects, their kind, stage and investment.

* kind: 产业项目 / 平台 / 算力中心 / 应用场景 (industrial_project / platform / computing_centre /
  application_scenario);
* stage: 签约 / 在建 / 投产 (signed / under_construction / in_operation);
* investment: stored in 亿元. The unit comes from the cell (``5000万元``, ``3.5亿``), else the unit
  column, else the header (``投资额（万元）``), else 亿元;
* amount_kind: planned / signed / actual. Without one, an amount is 'signed' for a signed project and
  'planned' otherwise: an amount counts as investment made only when the file says so.

Column-at-a-time like ``aicity.io.tables``; the rows are written by ``aicity.store.ingest``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aicity.io._arrow import coalesce
from aicity.io.checks import (
    Context,
    _duplicates,
    _match_parks,
    _present,
    _Problems,
    _resolve_city,
    _text,
    _years,
    hex_ids,
    map_unique,
)
from aicity.io.credit import firm_name_key
from aicity.io.numbers import conversion_factors, parse_numbers, parse_unit

CANONICAL_UNIT = "亿元"
# an amount above this many 亿元 (1 trillion yuan) is taken for a unit mistake, not a project
MAX_INVESTMENT_YI = 10_000.0

PROJECT_KINDS: dict[str, str] = {
    "industrial_project": "industrial_project",
    "industrial project": "industrial_project",
    "industrial": "industrial_project",
    "industry project": "industrial_project",
    "产业项目": "industrial_project",
    "产业": "industrial_project",
    "platform": "platform",
    "平台": "platform",
    "创新平台": "platform",
    "公共平台": "platform",
    "computing_centre": "computing_centre",
    "computing centre": "computing_centre",
    "computing_center": "computing_centre",
    "computing center": "computing_centre",
    "算力中心": "computing_centre",
    "智算中心": "computing_centre",
    "超算中心": "computing_centre",
    "数据中心": "computing_centre",
    "application_scenario": "application_scenario",
    "application scenario": "application_scenario",
    "scenario": "application_scenario",
    "应用场景": "application_scenario",
    "场景": "application_scenario",
}
STAGES: dict[str, str] = {
    "signed": "signed",
    "签约": "signed",
    "已签约": "signed",
    "签约落地": "signed",
    "under_construction": "under_construction",
    "under construction": "under_construction",
    "construction": "under_construction",
    "在建": "under_construction",
    "开工": "under_construction",
    "建设中": "under_construction",
    "in_operation": "in_operation",
    "in operation": "in_operation",
    "operating": "in_operation",
    "投产": "in_operation",
    "已投产": "in_operation",
    "投运": "in_operation",
    "运营": "in_operation",
    "建成": "in_operation",
    "上线": "in_operation",
}
AMOUNT_KINDS: dict[str, str] = {
    "planned": "planned",
    "plan": "planned",
    "计划": "planned",
    "规划": "planned",
    "计划投资": "planned",
    "拟投资": "planned",
    "总投资": "planned",
    "预计": "planned",
    "signed": "signed",
    "签约": "signed",
    "签约额": "signed",
    "协议": "signed",
    "actual": "actual",
    "实际": "actual",
    "实际投资": "actual",
    "完成投资": "actual",
    "已完成": "actual",
    "到位": "actual",
}
# zh / en labels for display (CLI, explorer, report)
KIND_LABELS = {
    "industrial_project": ("产业项目", "industrial project"),
    "platform": ("平台", "platform"),
    "computing_centre": ("算力中心", "computing centre"),
    "application_scenario": ("应用场景", "application scenario"),
}
STAGE_LABELS = {
    "signed": ("签约", "signed"),
    "under_construction": ("在建", "under construction"),
    "in_operation": ("投产", "in operation"),
}
AMOUNT_KIND_LABELS = {
    "planned": ("计划", "planned"),
    "signed": ("签约", "signed"),
    "actual": ("实际", "actual"),
}


def _lookup(values: pd.Series, table: dict[str, str]) -> pd.Series:
    return map_unique(values, lambda v: table.get(" ".join(v.strip().lower().split()))).astype(
        "string"
    )


def _money_unit(text: object) -> bool:
    unit = parse_unit(text)
    return unit is not None and unit.base == "元"


def validate_projects(
    frame: pd.DataFrame, units: dict[str, str], ctx: Context, problems: _Problems
) -> pd.DataFrame:
    """One row per project: name and place, kind and stage, investment in 亿元 and what the amount is,
    year, provenance, id. A row's reasons come in the order of these steps."""
    out = pd.DataFrame(index=frame.index)
    out["name"] = _text(frame, "name")
    problems.add(~_present(out["name"]), "name", out["name"], "missing project name")
    out["city_code"] = _resolve_city(frame, "city", ctx, problems)
    park_text = _text(frame, "park")
    out["park_id"] = (
        _match_parks(park_text, out["city_code"], ctx)
        if park_text.notna().any()
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    out["park_text"] = park_text
    out["enterprise"] = _text(frame, "enterprise")
    out["enterprise_id"] = _text(frame, "enterprise_id")
    out["kind"], out["stage"] = _kind_and_stage(frame, problems)
    amount_text = _text(frame, "investment")
    value, present, shown_unit = _investment(frame, amount_text, units, problems)
    out["investment_yi"] = np.where(present, value, np.nan)
    out["investment_text"] = coalesce(
        (amount_text + " " + shown_unit).where(shown_unit.notna() & amount_text.notna()),
        amount_text,
    )
    out["amount_kind"] = _amount_kind(frame, out["stage"], present, problems)
    out["year"] = _years(_text(frame, "year"), problems, "year", low=1980)
    out["source_url"] = _text(frame, "source_url")
    out["note"] = _text(frame, "note")
    given_id = _text(frame, "project_id")
    out["project_id"] = _project_ids(given_id, out["name"], out["city_code"])
    _duplicates(
        out[["project_id"]],
        problems,
        "project_id" if "project_id" in frame else "name",
        coalesce(given_id, out["name"]),
        "project (same project_id, or same name in the same city)",
    )
    return out


def _kind_and_stage(frame: pd.DataFrame, problems: _Problems) -> tuple[pd.Series, pd.Series]:
    """(kind, stage) as codes; a kind is required, a stage is optional."""
    kind_text = _text(frame, "kind")
    kind = _lookup(kind_text, PROJECT_KINDS)
    problems.add(
        _present(kind_text) & kind.isna().to_numpy(),
        "kind",
        kind_text,
        "expected 产业项目/平台/算力中心/应用场景 "
        "(industrial_project/platform/computing_centre/application_scenario)",
    )
    problems.add(~_present(kind_text), "kind", kind_text, "missing project kind")
    stage_text = _text(frame, "stage")
    stage = _lookup(stage_text, STAGES)
    problems.add(
        _present(stage_text) & stage.isna().to_numpy(),
        "stage",
        stage_text,
        "expected 签约/在建/投产 (signed/under_construction/in_operation)",
    )
    return kind, stage


def _investment(
    frame: pd.DataFrame, amount_text: pd.Series, units: dict[str, str], problems: _Problems
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """(amount in 亿元, which rows have a readable amount, the unit to show beside a bare number)."""
    parsed = parse_numbers(amount_text)
    problems.add(
        parsed.bad,
        "investment",
        amount_text,
        "expected an amount such as 50000, 3.5亿元 or 5000万元",
    )
    unit_column = _text(frame, "unit")
    unit_given = unit_column.fillna(units.get("investment", pd.NA))
    # a magnitude without a base in the cell (3.5亿) is yuan: parse_numbers has multiplied it out
    cell_base = parsed.base.where(parsed.base.notna() | (parsed.multiplier == 1.0), "元")
    present = _present(amount_text) & ~parsed.bad
    in_cell = cell_base.notna().to_numpy()
    money = map_unique(unit_given, lambda u: "1" if _money_unit(u) else "0")
    bad_unit = present & ~in_cell & unit_given.notna().to_numpy() & (money == "0").to_numpy()
    problems.add(
        bad_unit,
        "unit" if "unit" in frame else "investment",
        unit_given,
        "expected a money unit: 元, 万元 or 亿元 (convert other currencies to 元 first)",
    )
    canonical = pd.Series(CANONICAL_UNIT, index=frame.index, dtype="string")
    factors, reasons = conversion_factors(unit_given.fillna(CANONICAL_UNIT), cell_base, canonical)
    problems.add(
        present & ~bad_unit & reasons.notna().to_numpy(),
        "investment",
        amount_text,
        "expected a money amount (元, 万元 or 亿元)",
    )
    value = parsed.value * factors
    finite = np.nan_to_num(value, nan=0.0)
    problems.add(
        present & (finite < 0), "investment", amount_text, "investment out of range (expected >= 0)"
    )
    problems.add(
        present & (finite > MAX_INVESTMENT_YI),
        "investment",
        amount_text,
        f"investment above {MAX_INVESTMENT_YI:,.0f} 亿元: check the unit (e.g. 投资额（万元）)",
    )
    return value, present, unit_given.where(~in_cell)


def _amount_kind(
    frame: pd.DataFrame, stage: pd.Series, present: np.ndarray, problems: _Problems
) -> pd.Series:
    """What the amount is (planned, signed, actual): kept apart so a plan or a signing is never
    summed with investment made; a signed project's amount is a signing unless the file says."""
    amount_kind_text = _text(frame, "amount_kind")
    amount_kind = _lookup(amount_kind_text, AMOUNT_KINDS)
    problems.add(
        _present(amount_kind_text) & amount_kind.isna().to_numpy(),
        "amount_kind",
        amount_kind_text,
        "expected planned/signed/actual (计划/签约/实际)",
    )
    default_kind = pd.Series(
        np.where((stage == "signed").fillna(False).to_numpy(dtype=bool), "signed", "planned"),
        index=frame.index,
        dtype="string",
    )
    return amount_kind.fillna(default_kind).where(present)


def _project_ids(given_id: pd.Series, names: pd.Series, city_codes: pd.Series) -> pd.Series:
    """The given project_id, else a stable id from the normalised name and city."""
    derived = pd.Series(pd.NA, index=given_id.index, dtype="string")
    needs_id = given_id.isna().to_numpy()
    if needs_id.any():
        basis = pd.DataFrame(
            {
                "n": firm_name_key(names[needs_id]).fillna(""),
                "c": city_codes[needs_id].fillna(""),
            }
        )
        derived[needs_id] = hex_ids(basis, "prj-").to_numpy()
    return coalesce(given_id, derived)
