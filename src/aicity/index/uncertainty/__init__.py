"""Uncertainty and sensitivity analysis of an index, batched over replications.

    spec = UncertaintySpec.from_yaml("ua.yaml")
    model = EngineModel(framework, recipe, target=spec.target)
    ua = run_uncertainty(model, spec, n=10_000, seed=1)     # ua.rank_stats(), ua.rank_probabilities(), ...
    sa = run_sensitivity(model, spec, n=1024, seed=1)       # DataFrame of Sobol S1 / ST with intervals

See docs/index/uncertainty.md for the meaning of every output and the differences from COINr.
"""

from aicity.index.uncertainty.batch import Model, PreparedGroup, evaluate
from aicity.index.uncertainty.run import UncertaintyResult, run_sensitivity, run_uncertainty
from aicity.index.uncertainty.spec import (
    Choice,
    LeaveOneOut,
    SensitivitySettings,
    UncertaintySpec,
    Uniform,
    WeightDirichlet,
    WeightNoise,
)

__all__ = [
    "Choice",
    "LeaveOneOut",
    "Model",
    "PreparedGroup",
    "SensitivitySettings",
    "UncertaintyResult",
    "UncertaintySpec",
    "Uniform",
    "WeightDirichlet",
    "WeightNoise",
    "evaluate",
    "run_sensitivity",
    "run_uncertainty",
]
