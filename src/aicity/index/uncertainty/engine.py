"""Adapter between the batched analysis and the index engine (``aicity.index``).

Recipe assumptions become engine overrides (``step.param`` -> ``Recipe.with_params(step__param=...)``; a
whole step takes a mapping of parameters, or on/off to keep or drop it). Each distinct combination runs the
engine's own steps once, without the aggregate step; the batched aggregation then uses the engine's numeric
kernels. ``regenerate`` is the slow reference: one full engine build per replication.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from aicity.errors import AicityError, ConfigError
from aicity.index import Framework, IndexResult, Recipe, build
from aicity.index.aggregate import Aggregate
from aicity.index.recipe import make_step
from aicity.index.uncertainty.batch import PreparedGroup
from aicity.index.uncertainty.kernels import Aggregation, Tree
from aicity.index.uncertainty.spec import OFF_VALUES, ON_VALUES, Choice, UncertaintySpec, Uniform


def _switch(value: Any) -> bool | None:
    """True/False for an on/off value, None for anything else."""
    key = value.lower() if isinstance(value, str) else value
    if isinstance(key, bool | str):
        if key in ON_VALUES:
            return True
        if key in OFF_VALUES:
            return False
    return None


class EngineModel:
    """The nominal index (framework + recipe) and the means to rebuild it under other assumptions."""

    def __init__(
        self,
        framework: Framework,
        recipe: Recipe | None = None,
        *,
        data: pd.DataFrame | None = None,
        target: str | None = None,
    ) -> None:
        self.framework = framework if data is None else framework.with_data(data)
        self.recipe = Recipe.quick() if recipe is None else recipe
        names = [s.name for s in self.recipe.steps]
        if "aggregate" not in names:
            raise ConfigError(
                "the recipe has no aggregate step, so there is no score to rank", path="recipe"
            )
        self.tree = Tree.from_framework(self.framework)
        self.target = target or self.framework.root
        if self.target not in self.framework.nodes or self.framework.level_of(self.target) < 2:
            aggregates = [c for level in self.tree.levels[1:] for c in level]
            raise ConfigError(
                f"must be an aggregate of the framework, one of {aggregates}", path="spec -> target"
            )
        self.base: IndexResult = build(self.framework, None, self.recipe)

    # ------------------------------------------------------------------------------ nominal results

    def nominal(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        scores = self.base.scores[self.target]
        ranks = self.base.ranks[self.target]
        return (
            [str(u) for u in scores.index],
            scores.to_numpy(dtype=float),
            ranks.to_numpy(dtype=float),
        )

    def nominal_weights(self) -> dict[str, float]:
        return self.base.weights

    # ------------------------------------------------------------------------------ recipes

    def recipe_with(self, values: Mapping[str, Any], *, keep_aggregate: bool = True) -> Recipe:
        """The nominal recipe with these path overrides (``step``, ``step.param``)."""
        steps = [s.clone() for s in self.recipe.steps]
        dropped: set[str] = set()
        overrides: dict[str, Any] = {}
        for path, value in values.items():
            step, _, param = path.partition(".")
            if step not in {s.name for s in steps}:
                raise ConfigError(
                    f"no step {step!r} in the recipe; steps: {[s.name for s in steps]}",
                    path=f"spec -> {path}",
                )
            if param:
                overrides[f"{step}__{param}"] = value
            elif isinstance(value, Mapping):
                overrides.update({f"{step}__{k}": v for k, v in value.items()})
            elif _switch(value) is False:
                dropped.add(step)
            elif _switch(value) is None:
                raise ConfigError(
                    f"a whole-step value must be a mapping of parameters or on/off, got {value!r}",
                    path=f"spec -> {path}",
                )
        if not keep_aggregate:
            dropped.add("aggregate")
            overrides = {k: v for k, v in overrides.items() if not k.startswith("aggregate__")}
        recipe = Recipe(steps).with_params(**overrides) if overrides else Recipe(steps)
        return Recipe([s for s in recipe.steps if s.name not in dropped])

    def check_spec(self, spec: UncertaintySpec) -> None:
        """Fail early, naming the assumption, if a recipe path or value cannot apply to this recipe."""
        for i, assumption in enumerate(spec.assumptions):
            if isinstance(assumption, Choice):
                candidates = list(assumption.values)
            elif isinstance(assumption, Uniform):
                low, high = assumption.uniform
                candidates = [int(low), int(high)] if assumption.integer else [low, high]
            else:
                continue
            for value in candidates:
                try:
                    self.recipe_with({assumption.path: value})
                except ConfigError as exc:
                    raise ConfigError(
                        f"{assumption.path} = {value!r}: {exc}", path=f"spec -> assumptions[{i}]"
                    ) from None

    def level_weights(self, weights: Mapping[str, float]) -> list[np.ndarray]:
        return [
            np.array([weights[c] for c in level], dtype=float) for level in self.tree.levels[:-1]
        ]

    # ------------------------------------------------------------------------------ batched path

    def prepare(self, recipe_values: dict[str, Any]) -> PreparedGroup:
        """Run every step but the aggregation; keep the indicator matrix and the weights in use."""
        try:
            result = build(
                self.framework, None, self.recipe_with(recipe_values, keep_aggregate=False)
            )
        except AicityError as exc:
            return PreparedGroup([], np.empty((0, 0)), [], Aggregation(()), failure=str(exc))
        # the indicator matrix as the engine holds it (no data frame: 10 groups, 10 frames saved)
        values, codes = result._score_array
        wanted = list(self.tree.levels[0])
        if codes != wanted:
            values = values[:, [codes.index(c) for c in wanted]]
        return PreparedGroup(
            units=[str(u) for u in result.units],
            X=np.array(values, dtype=float),
            weights=self.level_weights(result.weights),
            aggregation=Aggregation(()),
        )

    def aggregation(self, group: PreparedGroup, recipe_values: dict[str, Any]) -> Aggregation:
        """The aggregate step's settings with these overrides, checked as the engine checks them."""
        base = next(s for s in self.recipe.steps if s.name == "aggregate")
        params = base.get_params()
        for path, value in recipe_values.items():
            _, _, param = path.partition(".")
            if param:
                params[param] = value
            elif isinstance(value, Mapping):
                params.update(value)
        step = cast(Aggregate, make_step("aggregate", params, "spec -> "))
        by_level = step._levels(self.framework) or {}
        methods = tuple(
            by_level.get(lev, step.method) for lev in range(2, self.framework.n_levels + 1)
        )
        first = methods[0]
        if first == "geometric_mean" and (group.X <= 0).any():
            raise ConfigError(
                "geometric_mean needs values > 0 - normalise to a positive range first",
                path="aggregate -> method",
            )
        if first == "harmonic_mean" and (group.X == 0).any():
            raise ConfigError("harmonic_mean needs non-zero values", path="aggregate -> method")
        return Aggregation(methods, p=float(step.p), min_availability=step.min_availability)

    # ------------------------------------------------------------------------------ reference path

    def with_weights(self, weights: Mapping[str, float]) -> Framework:
        """The framework with these node weights (for a full rebuild under one weight set)."""
        return self.framework.with_weights(weights)

    def regenerate(
        self, recipe_values: Mapping[str, Any], weights: Mapping[str, float] | None = None
    ) -> pd.Series:
        """One full engine build with these overrides and (optionally) these final node weights.

        With explicit weights the recipe's weight step is dropped: the weights given are the ones used.
        """
        recipe = self.recipe_with(recipe_values)
        framework = self.framework
        if weights is not None:
            recipe = Recipe([s for s in recipe.steps if s.name != "weight"])
            framework = self.with_weights(weights)
        return build(framework, None, recipe).scores[self.target]
