"""Fixtures for the index-engine tests: the COINr ASEM framework and its pipelines, built once."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aicity.index import Framework, Recipe, build

RECIPE_B = """
steps:
  - denominate: {}
  - impute: {method: group_mean, group: EurAsia_group}
  - screen: {min_availability: 0.9, by: na}
  - treat: {method: skew_kurt, winmax: 5, skew: 2.0, kurtosis: 3.5, fallback: log_ct}
  - normalise: {method: minmax, lower: 0, upper: 100}
  - aggregate: {method: arithmetic_mean}
"""
LEVEL_NAMES = ["Indicator", "Pillar", "Sub-index", "Index"]


@pytest.fixture(scope="session")
def asem_framework(coinr_asem: Path) -> Framework:
    return Framework.from_coinr(
        pd.read_csv(coinr_asem / "input_iMeta.csv"),
        pd.read_csv(coinr_asem / "input_iData.csv"),
        level_names=LEVEL_NAMES,
    )


@pytest.fixture(scope="session")
def result_a(asem_framework: Framework):
    return build(asem_framework, recipe=Recipe.quick())


@pytest.fixture(scope="session")
def result_b(asem_framework: Framework):
    return build(asem_framework, recipe=Recipe.from_yaml(RECIPE_B))


def small_framework(n_units: int = 12, seed: int = 0) -> Framework:
    """A 3-level synthetic framework (6 indicators, 2 dimensions, 1 index) with a cost indicator."""
    rng = np.random.default_rng(seed)
    spec = {
        "name": "toy",
        "levels": ["indicator", "dimension", "index"],
        "index": {"code": "IDX", "name_zh": "指数", "name_en": "Index"},
        "nodes": [
            {"code": "D1", "parent": "IDX", "name_zh": "维度一", "name_en": "Dim 1", "weight": 2},
            {"code": "D2", "parent": "IDX", "name_zh": "维度二", "name_en": "Dim 2"},
            *[
                {
                    "code": f"i{k}",
                    "parent": "D1" if k < 3 else "D2",
                    "name_zh": f"指标{k}",
                    "name_en": f"Ind {k}",
                    "direction": -1 if k == 4 else 1,
                    "weight": 1 + (k % 2),
                    "target": 5.0 if k == 4 else 50.0,
                }
                for k in range(6)
            ],
        ],
    }
    data = pd.DataFrame(
        rng.lognormal(3, 0.6, size=(n_units, 6)), columns=[f"i{k}" for k in range(6)]
    )
    data.insert(0, "uCode", [f"U{k:02d}" for k in range(n_units)])
    data["grp"] = ["a", "b"] * (n_units // 2) + ["a"] * (n_units % 2)
    return Framework.from_yaml(spec, data)


@pytest.fixture(autouse=True)
def _quiet_numpy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


@pytest.fixture
def make_toy():
    """Factory for the small synthetic framework (see ``small_framework``)."""
    return small_framework
