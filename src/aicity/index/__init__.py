"""The composite-index engine: framework, steps, recipe, build, result and audit.

See docs/dev/index-api.md for the contract and docs/index/ for the methodology, one page per step.
"""

from aicity.index import numeric
from aicity.index.aggregate import AGGREGATE_METHODS, Aggregate, aggregate, aggregate_tree
from aicity.index.base import STEPS, Context, Step
from aicity.index.denominate import Denominate, denominate
from aicity.index.framework import Framework, Node
from aicity.index.impute import IMPUTE_METHODS, Impute, impute
from aicity.index.normalise import NORMALISE_METHODS, Normalise, normalise
from aicity.index.pipeline import build
from aicity.index.recipe import Recipe
from aicity.index.result import IndexResult
from aicity.index.screen import Screen, screen
from aicity.index.treat import TREAT_METHODS, Treat, treat
from aicity.index.weight import WEIGHT_METHODS, Weight, effective_weights, normalised_weights

METHODS: dict[str, tuple[str, ...]] = {
    "impute": IMPUTE_METHODS,
    "treat": TREAT_METHODS,
    "normalise": NORMALISE_METHODS,
    "weight": WEIGHT_METHODS,
    "aggregate": AGGREGATE_METHODS,
}

__all__ = [
    "AGGREGATE_METHODS",
    "IMPUTE_METHODS",
    "METHODS",
    "NORMALISE_METHODS",
    "STEPS",
    "TREAT_METHODS",
    "WEIGHT_METHODS",
    "Aggregate",
    "Context",
    "Denominate",
    "Framework",
    "Impute",
    "IndexResult",
    "Node",
    "Normalise",
    "Recipe",
    "Screen",
    "Step",
    "Treat",
    "Weight",
    "aggregate",
    "aggregate_tree",
    "build",
    "denominate",
    "effective_weights",
    "impute",
    "normalise",
    "normalised_weights",
    "numeric",
    "screen",
    "treat",
]
