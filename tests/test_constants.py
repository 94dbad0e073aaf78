"""Every constant defined once: the layer names live in aicity.layers, the languages in aicity.languages,
the environment variables and default paths in aicity.paths, the default framework's name in
aicity.data.frameworks. Anywhere else a module imports them; a re-declared list of layers or languages,
or a second read of $AICITY_DB, fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from aicity.languages import LANGUAGES
from aicity.layers import LAYER_NAMES_EN, LAYER_NAMES_ZH, LAYERS

SRC = Path(__file__).resolve().parents[1] / "src" / "aicity"
LAYER_HOME = "layers.py"
LANGUAGE_HOME = "languages.py"
LAYER_WORDS = {*LAYERS, *LAYER_NAMES_ZH.values(), *LAYER_NAMES_EN.values()}
ENV = re.compile(r"^AICITY_[A-Z0-9_]+$")
# a literal value -> the one module allowed to write it
HOMES = {
    "aicity.duckdb": "paths.py",
    "out": "paths.py",
    "china_ai_20": "data/frameworks/__init__.py",
}


def _sources() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(SRC).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(SRC.rglob("*.py"))
    ]


def _strings(nodes: list[ast.expr | None]) -> list[str]:
    return [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _layer_literal(node: ast.AST) -> bool:
    """A list, tuple, set or dict literal naming two or more layers (keys or values)."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        groups = [_strings(node.elts)]
    elif isinstance(node, ast.Dict):
        groups = [_strings(node.keys), _strings(node.values)]
    else:
        return False
    return any(len(LAYER_WORDS.intersection(words)) >= 2 for words in groups)


def test_layer_names_are_listed_only_in_aicity_layers():
    offenders = [
        f"{name}:{node.lineno}"
        for name, tree in _sources()
        if name != LAYER_HOME
        for node in ast.walk(tree)
        if _layer_literal(node)
    ]
    assert offenders == [], (
        "a list or mapping of layer names outside aicity/layers.py (import LAYERS, LAYER_NAMES_ZH, "
        "LAYER_NAMES_EN or NATIONAL_LAYER_SHARE instead): " + ", ".join(offenders)
    )


def test_the_languages_are_listed_only_in_aicity_languages():
    offenders = [
        f"{name}:{node.lineno}"
        for name, tree in _sources()
        if name != LANGUAGE_HOME
        for node in ast.walk(tree)
        if isinstance(node, ast.List | ast.Tuple | ast.Set)
        and sorted(_strings(node.elts)) == sorted(LANGUAGES)
    ]
    assert offenders == [], (
        "a list of the languages outside aicity/languages.py (import LANGUAGES instead): "
        + ", ".join(offenders)
    )


def test_each_environment_variable_is_named_in_one_place():
    seen: dict[str, list[str]] = {}
    for name, tree in _sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and ENV.match(node.value)
            ):
                seen.setdefault(node.value, []).append(f"{name}:{node.lineno}")
    offenders = {
        env: where for env, where in seen.items() if len(where) > 1 or "paths.py" not in where[0]
    }
    assert offenders == {}, (
        "each AICITY_ environment variable is named once, in aicity/paths.py (expected one place each, "
        f"found: {offenders})"
    )


def test_default_paths_and_names_are_written_only_in_their_home():
    offenders = [
        f"{name}:{node.lineno} {node.value!r} (home: aicity/{HOMES[node.value]})"
        for name, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in HOMES
        and name != HOMES[node.value]
    ]
    assert offenders == [], "a default written twice: " + ", ".join(offenders)


def test_the_homes_hold_what_the_checks_protect():
    # the checks above mean nothing if a home lost its definition
    import aicity.data.frameworks as frameworks
    import aicity.paths as paths

    assert frameworks.DEFAULT_FRAMEWORK == "china_ai_20"
    assert (paths.DB_ENV, paths.DEFAULT_DB, paths.DEFAULT_OUT) == (
        "AICITY_DB",
        "aicity.duckdb",
        "out",
    )
    assert set(LAYER_NAMES_ZH) == set(LAYER_NAMES_EN) == set(LAYERS)
