"""What a stored run's numbers rest on: each cell's evidence status, each unit's n real / N, the counts the
report's preface, the explorer's sources page, the Excel workbook and the CLI all quote.

Computed from the run's stored tables (``eval_cells``, ``eval_units``, ``eval_coverage``), so every face
says the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from aicity.store.runs import StoredRun

# a cell's evidence status, in the order a legend lists them
STATUSES = ("real", "stale", "imputed", "unscored", "missing", "left_out")
STATUS_NAMES = {
    "real": ("可核实", "real"),
    "stale": ("可核实（过期）", "real, stale"),
    "imputed": ("插补", "imputed"),
    "unscored": ("有值未计分", "value not scored"),
    "missing": ("缺失", "missing"),
    "left_out": ("指标未纳入", "indicator left out"),
}
STATUS_NOTES = {
    "real": (
        "有来源网址、已核实、在时间窗口内，计入得分",
        "sourced, verified, in the window: scored",
    ),
    "stale": (
        "可核实但早于参考年份，计入得分并标记",
        "sourced but older than the reference year: scored, flagged",
    ),
    "imputed": (
        "缺少可核实数据，计算时插补并标记",
        "no real value: imputed for the build, flagged",
    ),
    "unscored": (
        "有数值但无来源、未核实、估计值或样本推算，仅列于附录",
        "a value without source, unverified, estimated or from a sample: shown, never scored",
    ),
    "missing": ("无数据，且该城市未参与排名", "no value, and the unit is not ranked"),
    "left_out": (
        "指标可核实覆盖率低于下限，未纳入本次评价",
        "indicator below the coverage floor: left out",
    ),
}


FLAG_NAMES = {
    "zh": {
        "missing": "缺失",
        "imputed": "插补",
        "stale": "过期",
        "estimate": "估计值",
        "unverified": "未核实",
        "other_scope": "口径不符",
        "derived": "推算",
        "absent_flag": "未获批(0)",
        "lower_bound": "下限值",
        "city_level": "城市层面值",
        "no_source": "无来源网址",
        "sample": "样本推算",
        "other_year": "其他年份（未混用）",
        "years_differ": "分子分母年份不同",
        "weak_source": "来源为内容农场",
    },
    "en": {
        "missing": "missing",
        "imputed": "imputed",
        "stale": "stale",
        "estimate": "estimate",
        "unverified": "unverified",
        "other_scope": "other scope",
        "derived": "derived",
        "absent_flag": "not designated (0)",
        "lower_bound": "lower bound",
        "city_level": "city value",
        "no_source": "no source URL",
        "sample": "from a sample",
        "other_year": "other year (not mixed in)",
        "years_differ": "parts from different years",
        "weak_source": "content-farm source",
    },
}


def flag_label(flags: str, lang: str) -> str:
    """A cell's flags in words (``"stale weak_source"`` -> ``"过期、来源为内容农场"``)."""
    names = FLAG_NAMES[lang if lang in FLAG_NAMES else "en"]
    words = [names.get(f, f) for f in str(flags or "").split()]
    return "、".join(words) if lang == "zh" else ", ".join(words)


def cell_status(flags: str, real: bool, has_value: bool, included: bool) -> str:
    """The evidence status of one cell (see ``STATUSES``)."""
    if not included:
        return "left_out"
    if real:
        return "stale" if "stale" in flags.split() else "real"
    if "imputed" in flags.split():
        return "imputed"
    return "unscored" if has_value else "missing"


@dataclass(frozen=True)
class RunEvidence:
    """A run's evidence, cell by cell and summed up."""

    cells: pd.DataFrame  # unit_key, indicator, status, flags, value, year
    ranked: dict[str, bool]
    real_cells: dict[str, int]  # per unit, over the scored indicators
    total_cells: int  # scored indicators
    indicators_left_out: dict[str, str] = field(default_factory=dict)  # code -> reason

    @property
    def n_scored_cells(self) -> int:
        """Cells that entered the build: ranked units x scored indicators."""
        return int(self._scored().shape[0])

    def _scored(self) -> pd.DataFrame:
        units = {u for u, r in self.ranked.items() if r}
        return self.cells[self.cells["unit_key"].isin(units) & (self.cells["status"] != "left_out")]

    def count(self, status: str, scored_only: bool = True) -> int:
        cells = self._scored() if scored_only else self.cells
        return int((cells["status"] == status).sum())

    @property
    def n_real_scored(self) -> int:
        return self.count("real") + self.count("stale")

    def n_real_flagged(self, flag: str) -> int:
        """Real scored cells that carry ``flag`` (e.g. ``weak_source``: a content-farm page)."""
        cells = self._scored()
        real = cells[cells["status"].isin(["real", "stale"])]
        return int(real["flags"].str.split().map(lambda fs: flag in fs).sum())

    @property
    def n_imputed(self) -> int:
        return self.count("imputed")

    @property
    def imputed_share(self) -> float:
        n = self.n_scored_cells
        return self.n_imputed / n if n else 0.0

    def unit_coverage(self, unit_key: str) -> tuple[int, int]:
        """(n real, N) over the run's scored indicators."""
        return self.real_cells.get(unit_key, 0), self.total_cells

    def matrix(self) -> pd.DataFrame:
        """Indicators x units of statuses, in the cells' order."""
        return self.cells.pivot(index="indicator", columns="unit_key", values="status")


def run_evidence(run: StoredRun) -> RunEvidence:
    """The evidence of a stored run (runs stored before the evidence rules count observed cells as real)."""
    cells, units, coverage = run.cells, run.units, run.coverage
    has_rules = len(coverage) > 0
    left_out: dict[str, str] = {}
    if has_rules:
        rows = coverage[coverage["unit_key"] == ""]
        left_out = {
            str(r.code): str(r.reason or "")
            for r in rows.itertuples(index=False)
            if not bool(r.included)
        }
    flags = cells["flags"].fillna("").astype(str)
    has_value = cells["value"].notna()
    real = (
        cells["real"].fillna(False).astype(bool)
        if has_rules and "real" in cells
        else has_value & ~flags.str.contains("missing|imputed")
    )
    status = [
        cell_status(f, bool(r), bool(v), str(c) not in left_out)
        for f, r, v, c in zip(flags, real, has_value, cells["indicator"], strict=True)
    ]
    frame = pd.DataFrame(
        {
            "unit_key": cells["unit_key"].astype(str),
            "indicator": cells["indicator"].astype(str),
            "status": status,
            "flags": flags,
            "value": cells["value"],
            "year": cells["year"],
        }
    )
    ranked_col = units["ranked"] if "ranked" in units else pd.Series(True, index=units.index)
    ranked = dict(
        zip(units["unit_key"].astype(str), ranked_col.fillna(True).astype(bool), strict=True)
    )
    scored = frame[frame["status"] != "left_out"]
    per_unit = scored[scored["status"].isin(["real", "stale"])].groupby("unit_key").size()
    n_scored_indicators = scored["indicator"].nunique()
    return RunEvidence(
        cells=frame,
        ranked=ranked,
        real_cells={u: int(per_unit.get(u, 0)) for u in ranked},
        total_cells=int(n_scored_indicators),
        indicators_left_out=left_out,
    )
