"""The specification of uncertain assumptions: recipe paths with their alternatives or distributions.

A spec is a YAML mapping::

    target: Index                 # the aggregate whose scores are ranked (default: the top node)
    assumptions:
      - path: treat.winmax        # a recipe parameter: step.param
        values: [1, 2, 3, 4, 5]
      - path: normalise           # a whole step: each value sets several parameters at once
        values: [{method: minmax, lower: 1, upper: 100}, {method: zscore, mean: 10, sd: 2}]
      - path: impute              # a step switched on/off
        values: [on, off]
      - path: normalise.upper     # a continuous parameter, uniform between two bounds
        uniform: [90, 110]
      - path: weights             # each nominal weight times U(1 - noise, 1 + noise)
        noise: 0.25
        levels: [2, 3]
      - path: weights             # Dirichlet around the nominal weights of each group
        dirichlet: 50             # concentration: larger = closer to nominal
        levels: [2]
      - path: leave_out           # leave one indicator (level 1) or one group out at a time
        level: 2
    sensitivity: {output: mean_rank_shift, bootstrap: 100, conf_level: 0.9}

Assumptions on ``weights`` and ``leave_out`` are applied in bulk at aggregation time; every other path is a
recipe override, and replications sharing the same overrides share one pipeline run.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aicity.errors import ConfigError, InputError

ON_VALUES = {True, "on", "yes", "true"}
OFF_VALUES = {False, "off", "no", "false"}


class _Assumption(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    name: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.path


class Choice(_Assumption):
    """One of a list of alternatives, equally likely (COINr's discrete distribution)."""

    values: list[Any] = Field(min_length=1)

    @property
    def step(self) -> str:
        return self.path.split(".", 1)[0]


class Uniform(_Assumption):
    """A continuous recipe parameter drawn uniformly between two bounds (COINr's continuous distribution)."""

    uniform: tuple[float, float]
    integer: bool = False

    @model_validator(mode="after")
    def _bounds(self) -> Uniform:
        low, high = self.uniform
        if not high > low:
            raise ValueError(
                f"uniform bounds must be [low, high] with low < high, got [{low}, {high}]"
            )
        if "." not in self.path:
            raise ValueError(f"a uniform assumption needs a 'step.param' path, got {self.path!r}")
        return self


class _WeightAssumption(_Assumption):
    @model_validator(mode="after")
    def _some_nodes(self) -> _WeightAssumption:
        if not getattr(self, "levels", None) and not getattr(self, "codes", None):
            raise ValueError("name the weights to vary: 'levels' (e.g. [2, 3]) and/or 'codes'")
        return self


class WeightNoise(_WeightAssumption):
    """Each nominal weight at the listed levels times an independent U(1 - noise, 1 + noise) factor.

    COINr's ``get_noisy_weights`` semantics, but drawn afresh for every replication.
    """

    path: Literal["weights"] = "weights"
    noise: float = Field(gt=0, lt=1)
    levels: list[int] = Field(default_factory=list)
    codes: list[str] = Field(default_factory=list)  # or single nodes, e.g. one dimension's weight
    # COINr's way: draw this many noisy weight sets once, then pick one per replication
    sets: int | None = Field(default=None, ge=2)


class WeightDirichlet(_WeightAssumption):
    """Weights of each group at the listed levels drawn from Dirichlet(concentration * nominal share)."""

    path: Literal["weights"] = "weights"
    dirichlet: float = Field(gt=0)
    levels: list[int] = Field(default_factory=list)
    codes: list[str] = Field(default_factory=list)


class LeaveOneOut(_Assumption):
    """Leave out one node of a level (weight zero, as COINr's ``remove_elements``), or none of them."""

    path: Literal["leave_out"] = "leave_out"
    level: int = Field(default=1, ge=1)
    include_none: bool = True


Assumption = Choice | Uniform | WeightNoise | WeightDirichlet | LeaveOneOut
RECIPE_ASSUMPTIONS = (Choice, Uniform)
WEIGHT_ASSUMPTIONS = (WeightNoise, WeightDirichlet, LeaveOneOut)


class SensitivitySettings(BaseModel):
    """What the Sobol indices explain, and how their intervals are estimated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    output: Literal["mean_rank_shift", "rank", "score"] = "mean_rank_shift"
    unit: str | None = None
    bootstrap: int = Field(default=100, ge=10)
    conf_level: float = Field(default=0.9, gt=0, lt=1)

    @model_validator(mode="after")
    def _unit_needed(self) -> SensitivitySettings:
        if self.output in ("rank", "score") and not self.unit:
            raise ValueError(f"output {self.output!r} needs a 'unit' (a uCode)")
        return self


class UncertaintySpec(BaseModel):
    """The whole specification: what to rank, which assumptions vary, and how to read the sensitivity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target: str | None = None
    assumptions: list[Assumption] = Field(min_length=1)
    top_k: list[Annotated[int, Field(ge=1)]] = Field(default_factory=lambda: [1, 3, 5, 10])
    sensitivity: SensitivitySettings = Field(default_factory=SensitivitySettings)

    @property
    def labels(self) -> list[str]:
        """Unique display names, one per assumption (repeated paths get a numeric suffix)."""
        seen: dict[str, int] = {}
        out = []
        for assumption in self.assumptions:
            base = assumption.label
            seen[base] = seen.get(base, 0) + 1
            out.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], *, source: str = "spec") -> UncertaintySpec:
        if not isinstance(raw, Mapping):
            raise ConfigError(
                f"expected a mapping with 'assumptions', got {type(raw).__name__}", path=source
            )
        items = raw.get("assumptions")
        if not isinstance(items, list) or not items:
            raise ConfigError(
                "expected a non-empty list of assumptions", path=f"{source} -> assumptions"
            )
        parsed = [
            _parse_assumption(item, f"{source} -> assumptions[{i}]") for i, item in enumerate(items)
        ]
        rest = {k: v for k, v in raw.items() if k != "assumptions"}
        try:
            return cls(assumptions=parsed, **rest)
        except ValidationError as exc:
            raise ConfigError(_first_error(exc), path=source) from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> UncertaintySpec:
        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(
                "spec file not found", file=str(path), fix="pass an existing YAML file"
            ) from None
        except yaml.YAMLError as exc:
            raise InputError(f"not valid YAML ({exc.__class__.__name__})", file=str(path)) from None
        return cls.from_dict(raw, source=str(path))


def _parse_assumption(item: Any, where: str) -> Assumption:
    if not isinstance(item, Mapping) or "path" not in item:
        raise ConfigError("expected a mapping with a 'path'", path=where)
    keys = set(item)
    if "noise" in keys:
        model: type[_Assumption] = WeightNoise
    elif "dirichlet" in keys:
        model = WeightDirichlet
    elif item["path"] == "leave_out":
        model = LeaveOneOut
    elif "uniform" in keys:
        model = Uniform
    elif "values" in keys:
        model = Choice
    else:
        raise ConfigError(
            "expected one of 'values', 'uniform', 'noise', 'dirichlet' (or path: leave_out), "
            f"got keys {sorted(keys)}",
            path=where,
        )
    if model in (WeightNoise, WeightDirichlet) and item["path"] != "weights":
        raise ConfigError(
            f"noise and dirichlet apply to path 'weights', got {item['path']!r}", path=where
        )
    try:
        return model(**item)  # type: ignore[return-value]
    except ValidationError as exc:
        raise ConfigError(_first_error(exc), path=where) from None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = " -> ".join(str(part) for part in err.get("loc", ()))
    message = err.get("msg", "invalid value").removeprefix("Value error, ")
    return f"{loc}: {message} (got {err.get('input')!r})" if loc else message
