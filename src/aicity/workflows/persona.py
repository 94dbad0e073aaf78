"""A persona (``aicity/data/personas/*.yaml`` or the user's own YAML) for site selection (``aicity site``): a
weight preset over a framework's indicators, each weight with its reasoning written down, plus hard filters
(``hosts a national supercomputing centre``, ``at least N Double First-Class universities``). Validated on
load; a problem is one line naming the file and the key."""

from __future__ import annotations

import importlib.resources as resources
import math
from pathlib import Path

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from aicity.errors import ConfigError
from aicity.workflows.evaluate_specs import DEFAULT_FRAMEWORK

BUNDLED = ("chip_startup", "model_company", "application_vendor")


class WeightSpec(BaseModel):
    """One indicator's weight and the reasoning behind it."""

    model_config = ConfigDict(extra="forbid")
    weight: float = Field(ge=0)
    why_zh: str = Field(min_length=1)
    why_en: str = Field(min_length=1)

    @field_validator("weight")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class HardFilter(BaseModel):
    """A city passes when its real value of ``indicator`` is at least ``min`` and at most ``max``."""

    model_config = ConfigDict(extra="forbid")
    indicator: str = Field(min_length=1)
    min: float | None = None
    max: float | None = None
    why_zh: str = Field(min_length=1)
    why_en: str = Field(min_length=1)

    @model_validator(mode="after")
    def _bounds(self) -> HardFilter:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        return self

    def passes(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def condition(self, lang: str = "en") -> str:
        parts = []
        if self.min is not None:
            parts.append(f"≥ {self.min:g}")
        if self.max is not None:
            parts.append(f"≤ {self.max:g}")
        return (" 且 " if lang == "zh" else " and ").join(parts)


class Persona(BaseModel):
    """A persona file: who it is, the weights with their reasons, the hard filters."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    summary_zh: str = ""
    summary_en: str = ""
    framework: str = DEFAULT_FRAMEWORK
    weights: dict[str, WeightSpec] = Field(min_length=1)
    filters: list[HardFilter] = Field(default_factory=list)
    _source: str = PrivateAttr(default="")  # the file it came from, for messages

    @model_validator(mode="after")
    def _some_weight(self) -> Persona:
        if not any(w.weight > 0 for w in self.weights.values()):
            raise ValueError("weights: at least one indicator needs a weight above 0")
        return self

    def title(self, lang: str = "en") -> str:
        return self.title_zh if lang == "zh" else self.title_en


_KEYS = {
    "Persona": sorted(Persona.model_fields),
    "weights": sorted(WeightSpec.model_fields),
    "filters": sorted(HardFilter.model_fields),
}


def _one_line(exc: ValidationError, source: str) -> ConfigError:
    """The first validation problem as one line naming the file and the key, plus how many more."""
    # a misspelt key is the cause of the "required key missing" beside it: name it first
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    first = errors[0]
    loc = [str(p) for p in first["loc"]]
    key = ".".join(loc) or "(top level)"
    kind = first["type"]
    if kind == "extra_forbidden":
        expected = _KEYS["weights"] if loc[:1] == ["weights"] else _KEYS["Persona"]
        if loc[:1] == ["filters"]:
            expected = _KEYS["filters"]
        message = f"unknown key (expected one of {', '.join(expected)})"
    elif kind == "missing":
        message = "required key missing"
    else:
        message = first["msg"].removeprefix("Value error, ")
    more = (
        f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        if len(errors) > 1
        else ""
    )
    return ConfigError(message + more, path=f"{source}: {key}")


def persona_names() -> list[str]:
    """The bundled personas, in their shipped order."""
    folder = resources.files("aicity.data.personas")
    found = {p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")}
    return [n for n in BUNDLED if n in found] + sorted(found - set(BUNDLED))


def load_persona(persona: str | Path) -> Persona:
    """A bundled persona by name (``chip_startup``) or a persona YAML file, validated."""
    text_name = str(persona)
    path = Path(text_name)
    if path.suffix in (".yaml", ".yml"):
        if not path.exists():
            raise ConfigError(
                "persona file not found (give a .yaml path or a bundled name)", path=text_name
            )
        source, text = text_name, path.read_text(encoding="utf-8")
    else:
        if text_name not in persona_names():
            raise ConfigError(
                f"unknown persona {text_name!r}; bundled: {', '.join(persona_names())} (or a .yaml file)",
                path="--persona",
            )
        source = f"aicity/data/personas/{text_name}.yaml"
        text = (
            resources.files("aicity.data.personas").joinpath(f"{text_name}.yaml").read_text("utf-8")
        )
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"not valid YAML{where}: {getattr(exc, 'problem', exc)}", path=source
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"expected a mapping with name, title_zh, title_en, weights, received {type(raw).__name__}",
            path=source,
        )
    try:
        found = Persona.model_validate(raw)
    except ValidationError as exc:
        raise _one_line(exc, source) from None
    found._source = source
    return found


def persona_source(persona: Persona) -> str:
    """Where the persona came from (its file, or its name), for messages."""
    return persona._source or persona.name
