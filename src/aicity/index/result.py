"""The result of a build: every stage's data set, scores and ranks at every level, flags and the recipe."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aicity.errors import ConfigError
from aicity.index import numeric
from aicity.index.framework import Framework
from aicity.index.recipe import Recipe

if TYPE_CHECKING:
    from aicity.index.base import Context


class IndexResult:
    """Everything a build produced. Frames are built on first access (the core works on arrays)."""

    def __init__(
        self,
        framework: Framework,
        recipe: Recipe,
        data: pd.DataFrame | None,
        ctx: Context,
        builder: Callable[..., IndexResult] | None = None,
    ) -> None:
        self.framework = framework
        self.recipe = recipe
        self._data = data
        self._ctx = ctx
        # the function that built this result (``aicity.index.pipeline.build``): regenerate calls it
        # again, so this module never imports the pipeline that imports it
        self._builder = builder
        self._stage_arrays = dict(ctx.stages)
        self.steps = ctx.extras.get("steps", [])

    # ---------------------------------------------------------------------------------------- stages

    @property
    def stage_names(self) -> list[str]:
        return list(self._stage_arrays)

    @cached_property
    def stages(self) -> dict[str, pd.DataFrame]:
        out = {}
        for name, (units, X) in self._stage_arrays.items():
            codes = self._ctx.aggregated_codes if name == "aggregated" else self._ctx.codes
            out[name] = pd.DataFrame(X, index=pd.Index(units, name="uCode"), columns=codes)
        return out

    def stage(self, name: str) -> pd.DataFrame:
        return self.stages[name]

    @property
    def units(self) -> np.ndarray:
        return self._ctx.units

    @cached_property
    def _score_array(self) -> tuple[np.ndarray, list[str]]:
        if self._ctx.aggregated is not None:
            return self._ctx.aggregated, self._ctx.aggregated_codes
        return self._ctx.X, self._ctx.codes

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Indicators then every aggregate level (the aggregated data set; else the last stage)."""
        A, codes = self._score_array
        return pd.DataFrame(A, index=pd.Index(self._ctx.units, name="uCode"), columns=codes)

    @cached_property
    def rank_array(self) -> np.ndarray:
        return numeric.rank_min(self._score_array[0])

    @cached_property
    def ranks(self) -> pd.DataFrame:
        """Same layout as ``scores``: 1 = best, ties share the lowest rank, NaN scores unranked."""
        codes = self._score_array[1]
        return pd.DataFrame(
            self.rank_array, index=pd.Index(self._ctx.units, name="uCode"), columns=codes
        )

    def _level_codes(self, level: int | str) -> list[str]:
        fw = self.framework
        if isinstance(level, str):
            if level not in fw.level_names:
                raise KeyError(f"unknown level {level!r}; levels: {fw.level_names}")
            level = fw.level_names.index(level) + 1
        return fw.indicators if level == 1 else fw.aggregate_order(level)

    def level_scores(self, level: int | str) -> pd.DataFrame:
        return self.scores[self._level_codes(level)]

    def level_ranks(self, level: int | str) -> pd.DataFrame:
        return self.ranks[self._level_codes(level)]

    @property
    def index_scores(self) -> pd.Series:
        return self.scores[self.framework.root]

    @property
    def index_ranks(self) -> pd.Series:
        return self.ranks[self.framework.root]

    # --------------------------------------------------------------------------------- other outputs

    @property
    def weights(self) -> dict[str, float]:
        return dict(self._ctx.weights or self.framework.weights)

    @cached_property
    def effective_weights(self) -> pd.DataFrame:
        from aicity.index.weight import effective_weights

        return effective_weights(self.framework, self.weights)

    @cached_property
    def flags(self) -> pd.DataFrame:
        return self._ctx.flags.frame()

    @property
    def treatment(self) -> pd.DataFrame | None:
        """Per-indicator treatment report (COINr's Dets_Table columns plus ``treatment``)."""
        return self.reports.get("treatment")

    @property
    def screening(self) -> pd.DataFrame | None:
        """Per-unit screening summary (COINr's columns)."""
        return self.reports.get("screening")

    @cached_property
    def reports(self) -> dict[str, pd.DataFrame]:
        # steps may store a zero-argument builder: tables are only framed when asked for
        return {k: v() if callable(v) else v for k, v in self._ctx.reports.items()}

    def regenerate(self, **overrides: Any) -> IndexResult:
        """Rebuild with ``step__param`` settings changed, e.g. ``normalise__method="zscore"``."""
        if self._builder is None:
            raise ConfigError(
                "this result was not made by aicity.index.build: it cannot regenerate"
            )
        return self._builder(self.framework, self._data, self.recipe.with_params(**overrides))

    def equals(self, other: IndexResult) -> bool:
        """Same recipe, stages, scores, ranks and flags (NaN equal to NaN)."""
        if self.recipe != other.recipe or self.stage_names != other.stage_names:
            return False
        for name in self.stage_names:
            if not self.stages[name].equals(other.stages[name]):
                return False
        return self.ranks.equals(other.ranks) and self.flags.equals(other.flags)

    def results_table(self) -> pd.DataFrame:
        """COINr's ``get_results`` summary: uCode, Rank, then the index and every aggregate, best first."""
        fw = self.framework
        codes = [fw.root]
        for lev in range(fw.n_levels - 1, 1, -1):
            codes += fw.aggregate_order(lev)
        table = self.scores[codes].copy()
        table.insert(0, "Rank", self.ranks[fw.root])
        return table.sort_values(["Rank"], kind="stable").reset_index()

    def __repr__(self) -> str:
        return (
            f"IndexResult({len(self._ctx.units)} units, {len(self._ctx.codes)} indicators, "
            f"stages={self.stage_names})"
        )
