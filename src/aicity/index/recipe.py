"""Recipes: an ordered list of steps with their parameters, read from and written to YAML."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from aicity.errors import ConfigError
from aicity.index.base import STEPS, Step


class Recipe:
    """An ordered list of configured steps. ``Recipe.quick()`` is COINr's quick pipeline."""

    def __init__(self, steps: Iterable[Step | tuple[str, Mapping[str, Any]]] = ()) -> None:
        self.steps: list[Step] = []
        for i, item in enumerate(steps):
            if isinstance(item, Step):
                self.steps.append(item)
            else:
                name, params = item
                self.steps.append(make_step(name, params, f"recipe -> steps[{i}] -> "))
        self.check()

    @classmethod
    def quick(cls) -> Recipe:
        """COINr's quick pipeline: qTreat defaults, min-max to [0, 100], arithmetic mean."""
        return cls([("treat", {}), ("normalise", {}), ("aggregate", {})])

    @classmethod
    def from_dict(cls, spec: Any, where: str = "recipe") -> Recipe:
        if not isinstance(spec, Mapping) or not isinstance(spec.get("steps"), list):
            raise ConfigError("expected a mapping with a list 'steps'", path=where)
        extra = sorted(set(spec) - {"steps", "name", "description"})
        if extra:
            raise ConfigError(f"unknown keys {extra}; expected 'steps'", path=where)
        items = []
        for i, entry in enumerate(spec["steps"]):
            path = f"{where} -> steps[{i}]"
            if isinstance(entry, str):
                entry = {entry: {}}
            if not isinstance(entry, Mapping) or len(entry) != 1:
                raise ConfigError(
                    "each step must be a one-key mapping like {normalise: {method: minmax}}",
                    path=path,
                )
            ((name, params),) = entry.items()
            items.append(make_step(str(name), params or {}, f"{path} -> "))
        return cls(items)

    @classmethod
    def from_yaml(cls, source: str | Path) -> Recipe:
        path = Path(source) if "\n" not in str(source) else None
        if path is not None and path.exists():
            text, where = path.read_text(encoding="utf-8"), str(path)
        elif path is not None and str(source).endswith((".yaml", ".yml")):
            raise ConfigError("file not found", path=str(source))
        else:
            text, where = str(source), "recipe"
        try:
            spec = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"invalid YAML: {exc}".replace("\n", " "), path=where) from None
        return cls.from_dict(spec, "recipe")

    def to_dict(self) -> dict[str, Any]:
        return {"steps": [{s.name: s.get_params()} for s in self.steps]}

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def check(self) -> None:
        for i, step in enumerate(self.steps):
            step.check(f"recipe -> steps[{i}] -> ")

    def clone(self) -> Recipe:
        return Recipe([s.clone() for s in self.steps])

    def with_params(self, **overrides: Any) -> Recipe:
        """A copy with ``step__param`` values changed; ``step`` is a step name (first such step) or
        ``step_<i>`` / ``<i>`` for the i-th step of the recipe."""
        new = self.clone()
        for key, value in overrides.items():
            if "__" not in key:
                raise ConfigError(f"expected 'step__param', got {key!r}", path="regenerate")
            target, param = key.split("__", 1)
            step = _find(new.steps, target)
            if param not in step.param_names():
                raise ConfigError(
                    f"unknown parameter {param!r}; valid: {step.param_names()}",
                    path=f"regenerate -> {key}",
                )
            setattr(step, param, value)
        new.check()
        return new

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Recipe) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Recipe({self.steps!r})"


def _find(steps: list[Step], target: str) -> Step:
    if target.isdigit() and int(target) < len(steps):
        return steps[int(target)]
    for s in steps:
        if s.name == target:
            return s
    raise ConfigError(
        f"no step {target!r} in the recipe; steps: {[s.name for s in steps]}", path="regenerate"
    )


def make_step(name: str, params: Any, path: str = "") -> Step:
    if name not in STEPS:
        raise ConfigError(
            f"unknown step; valid steps: {sorted(STEPS)}", path=f"{path}{name}".rstrip(" ->")
        )
    if not isinstance(params, Mapping):
        raise ConfigError(f"parameters must be a mapping (got {params!r})", path=f"{path}{name}")
    cls = STEPS[name]
    unknown = sorted(set(params) - set(cls.param_names()))
    if unknown:
        raise ConfigError(
            f"unknown parameters {unknown}; valid: {cls.param_names()}",
            path=f"{path}{name} -> {unknown[0]}",
        )
    step = cls(**dict(params))
    step.check(path)
    return step
