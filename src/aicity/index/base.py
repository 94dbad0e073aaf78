"""The step contract, the step registry and the working context passed along a pipeline.

Steps follow scikit-learn's contract: keyword parameters stored as given in ``__init__`` (no logic),
``get_params()`` / ``set_params()``, ``check(path)`` for validation, ``apply(ctx)`` to run on a pipeline
context, learned state in attributes ending with ``_``.
"""

from __future__ import annotations

import abc
import functools
import inspect
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from aicity.errors import ConfigError
from aicity.index.framework import Framework

STEPS: dict[str, type[Step]] = {}


class Step(abc.ABC):
    """Base class of every pipeline step; subclasses register themselves under ``name``."""

    name: ClassVar[str] = ""
    stage: ClassVar[str] = ""
    methods: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.name or not cls.stage:
            raise TypeError(f"{cls.__name__} must define class attributes 'name' and 'stage'")
        for p in inspect.signature(cls.__init__).parameters.values():
            if p.name != "self" and p.kind is not inspect.Parameter.KEYWORD_ONLY:
                raise TypeError(
                    f"{cls.__name__}.__init__ parameter {p.name!r} must be keyword-only"
                )
        STEPS[cls.name] = cls

    @classmethod
    def param_names(cls) -> list[str]:
        return list(_signature_defaults(cls))  # type: ignore[arg-type]

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return dict(_signature_defaults(cls))  # type: ignore[arg-type]

    def get_params(self) -> dict[str, Any]:
        return {p: _plain(getattr(self, p)) for p in self.param_names()}

    def set_params(self, **params: Any) -> Step:
        valid = self.param_names()
        for key, value in params.items():
            if key not in valid:
                raise ConfigError(f"unknown parameter {key!r}; valid: {valid}", path=self.name)
            setattr(self, key, value)
        return self

    def clone(self) -> Step:
        return type(self)(**self.get_params())

    def check(self, path: str = "") -> None:
        """Raise ConfigError (with ``path``) if a parameter is invalid. Subclasses extend."""
        method = getattr(self, "method", None)
        if self.methods and method not in self.methods:
            raise ConfigError(
                f"must be one of {list(self.methods)} (got {method!r})",
                path=f"{path}{self.name} -> method",
            )

    @abc.abstractmethod
    def apply(self, ctx: Context) -> None:
        """Run the step on the pipeline context, writing its stage and learned ``*_`` state."""

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items() if v != self.defaults().get(k)}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_params() == other.get_params()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]


@functools.cache
def _signature_defaults(cls: type) -> dict[str, Any]:
    return {
        p.name: p.default
        for p in inspect.signature(cls.__init__).parameters.values()  # type: ignore[misc]
        if p.name != "self"
    }


def _plain(value: Any) -> Any:
    """Parameters as plain YAML-able values (tuples -> lists, numpy scalars -> Python)."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def fail(path: str, message: str) -> None:
    raise ConfigError(message, path=path)


@dataclass
class Flags:
    """Per-cell flags collected along the pipeline: parallel arrays, framed once at the end."""

    stage: list[str] = field(default_factory=list)
    flag: list[str] = field(default_factory=list)
    units: list[np.ndarray] = field(default_factory=list)
    codes: list[np.ndarray] = field(default_factory=list)

    def add(self, stage: str, flag: str, units: np.ndarray, codes: np.ndarray) -> None:
        if len(units):
            self.stage.append(stage)
            self.flag.append(flag)
            self.units.append(np.asarray(units, dtype=object))
            self.codes.append(np.asarray(codes, dtype=object))

    def frame(self) -> pd.DataFrame:
        if not self.stage:
            return pd.DataFrame({"uCode": [], "iCode": [], "stage": [], "flag": []}, dtype=object)
        lengths = [len(u) for u in self.units]
        return pd.DataFrame(
            {
                "uCode": np.concatenate(self.units),
                "iCode": np.concatenate(self.codes),
                "stage": np.repeat(self.stage, lengths),
                "flag": np.repeat(self.flag, lengths),
            }
        )


@dataclass
class Context:
    """Working state of one pipeline run: the current indicator matrix and everything recorded so far."""

    framework: Framework
    units: np.ndarray  # uCode per row of X
    codes: list[str]  # indicator code per column of X
    X: np.ndarray
    stages: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    flags: Flags = field(default_factory=Flags)
    weights: dict[str, float] = field(default_factory=dict)
    aggregated: np.ndarray | None = None
    aggregated_codes: list[str] = field(default_factory=list)
    reports: dict[str, pd.DataFrame] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    def record(self, stage: str) -> None:
        self.stages[stage] = (self.units, self.X)

    def unit_column(self, column: str) -> np.ndarray:
        return self.framework.unit_column(column, self.units)

    @property
    def directions(self) -> np.ndarray:
        return self.framework.direction
