"""``build(framework, data, recipe)``: run the recipe's steps in order and return an IndexResult."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aicity.errors import ConfigError
from aicity.index.base import Context
from aicity.index.framework import Framework
from aicity.index.recipe import Recipe
from aicity.index.result import IndexResult


def build(
    framework: Framework, data: pd.DataFrame | None = None, recipe: Recipe | None = None
) -> IndexResult:
    """Build the index. ``data`` (uCode index or column, indicator columns) overrides the framework's own
    raw data; ``recipe`` defaults to :meth:`Recipe.quick`."""
    recipe = Recipe.quick() if recipe is None else recipe
    fw = framework if data is None else framework.with_data(data)
    if fw.values.shape[0] == 0:
        raise ConfigError("no units in the data", path="data")
    ctx = Context(
        framework=fw,
        units=fw.unit_codes,
        codes=list(fw.indicators),
        X=fw.values.copy(),
    )
    ctx.record("raw")
    fitted = []
    for i, template in enumerate(recipe.steps):
        step = template.clone()
        try:
            step.apply(ctx)
        except ConfigError as exc:
            path = f"recipe -> steps[{i}] -> {exc.path}" if exc.path else f"recipe -> steps[{i}]"
            raise ConfigError(exc.reason, path=path) from None
        fitted.append(step)
    ctx.extras["steps"] = fitted
    if not np.isfinite(ctx.X[~np.isnan(ctx.X)]).all():
        raise ConfigError("non-finite values after the last step", path="recipe")
    return IndexResult(framework, recipe, data, ctx, builder=build)
