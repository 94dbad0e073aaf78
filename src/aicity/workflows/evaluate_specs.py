"""The framework, recipe and uncertainty files an evaluation reads: bundled names or the user's YAML, and
the views of a framework spec the evaluation needs (its indicators, the engine's keys, a pruned tree)."""

from __future__ import annotations

import importlib.resources as resources
from pathlib import Path

import yaml

from aicity.data.frameworks import DEFAULT_FRAMEWORK, DEFAULT_RECIPE
from aicity.errors import ConfigError
from aicity.index.framework import NODE_KEYS

ALTERNATIVE_RECIPES = ("entropy", "ahp", "geometric")
UNCERTAINTY_FILE = "uncertainty.yaml"
UNCERTAINTY_SOURCE = f"aicity/data/frameworks/{UNCERTAINTY_FILE}"  # named in messages


def package_text(*parts: str) -> str:
    """A bundled file under ``aicity/data/frameworks``."""
    return resources.files("aicity.data.frameworks").joinpath("/".join(parts)).read_text("utf-8")


def load_framework_spec(framework: str | Path | None) -> tuple[dict, str]:
    """The framework YAML as a dict plus its text: a bundled name (``china_ai_20``) or a file path."""
    name = DEFAULT_FRAMEWORK if framework is None else str(framework)
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        if not path.exists():
            raise ConfigError(
                "framework file not found (give a .yaml path or a bundled name)", path=name
            )
        text = path.read_text(encoding="utf-8")
    else:
        try:
            text = package_text(f"{name}.yaml")
        except FileNotFoundError:
            raise ConfigError(
                f"unknown framework {name!r}; bundled: {DEFAULT_FRAMEWORK} (or pass a .yaml file)",
                path="--framework",
            ) from None
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}".replace("\n", " "), path=name) from None
    if not isinstance(spec, dict) or not isinstance(spec.get("nodes"), list):
        raise ConfigError("expected a mapping with a list 'nodes'", path=name)
    return spec, text


def load_recipe_text(recipe: str | Path | None) -> str:
    """Recipe YAML text: a bundled name (default, entropy, ahp, geometric) or a file path."""
    name = DEFAULT_RECIPE if recipe is None else str(recipe)
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        if not path.exists():
            raise ConfigError("recipe file not found", path=name)
        return path.read_text(encoding="utf-8")
    try:
        return package_text("recipes", f"{name}.yaml")
    except FileNotFoundError:
        raise ConfigError(
            f"unknown recipe {name!r}; bundled: default, {', '.join(ALTERNATIVE_RECIPES)} (or a .yaml file)",
            path="--recipe",
        ) from None


def bundled_uncertainty() -> dict:
    """The bundled uncertainty assumptions as a dict (``UNCERTAINTY_SOURCE`` names it in messages)."""
    return yaml.safe_load(package_text(UNCERTAINTY_FILE))


def load_uncertainty_spec(spec: str | Path | None = None):
    """An ``UncertaintySpec`` from a YAML file, or the bundled one."""
    from aicity.index.uncertainty import UncertaintySpec

    if spec is not None:
        return UncertaintySpec.from_yaml(spec)
    return UncertaintySpec.from_dict(bundled_uncertainty(), source=UNCERTAINTY_SOURCE)


def indicator_specs(spec: dict) -> list[dict]:
    """The framework's indicator nodes (level 1), in file order."""
    return [n for n in spec["nodes"] if int(n.get("level", 1) or 1) == 1 and n.get("code")]


def derive_inputs(indicators: list[dict]) -> list[str]:
    """The codes a ``derive`` rule divides (numerators and denominators), sorted."""
    return sorted(
        {
            str(i["derive"][k])
            for i in indicators
            if i.get("derive")
            for k in ("numerator", "denominator")
        }
    )


def engine_spec(spec: dict) -> dict:
    """The framework dict with only the keys the index engine reads (ours are kept for the evaluation)."""
    clean = {k: v for k, v in spec.items() if k in ("name", "levels", "unit_type", "index")}
    clean["nodes"] = [{k: v for k, v in n.items() if k in NODE_KEYS} for n in spec["nodes"]]
    return clean


def spec_without(spec: dict, left_out: set[str]) -> dict:
    """The framework without the left-out indicators (and any parent left with no children)."""
    nodes = [n for n in spec["nodes"] if str(n.get("code")) not in left_out]
    while True:
        parents = {str(n.get("parent")) for n in nodes}
        empty = [
            n for n in nodes if int(n.get("level", 1) or 1) > 1 and str(n["code"]) not in parents
        ]
        if not empty:
            break
        gone = {str(n["code"]) for n in empty}
        nodes = [n for n in nodes if str(n["code"]) not in gone]
    return {**spec, "nodes": nodes}
