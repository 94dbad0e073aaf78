"""COINr's ASEM example as the uncertainty tests use it: pipeline B's steps (plain winsorisation) and the
four assumptions of COINr's sensitivity vignette. One definition for the engine and CLI tests."""

from __future__ import annotations

from typing import Any

ASEM_RECIPE: list[tuple[str, dict[str, Any]]] = [
    ("denominate", {}),
    ("impute", {"method": "group_mean", "group": "EurAsia_group"}),
    ("screen", {"min_availability": 0.9, "by": "na"}),
    ("treat", {"winmax": 5}),
    ("normalise", {"method": "minmax", "lower": 0, "upper": 100}),
    ("aggregate", {"method": "arithmetic_mean"}),
]

ASEM_SPEC: dict[str, Any] = {
    "target": "Index",
    "assumptions": [
        {"path": "treat.winmax", "values": [1, 2, 3, 4, 5]},
        {
            "path": "normalise",
            "values": [
                {"method": "minmax", "lower": 1, "upper": 100},
                {"method": "zscore", "mean": 10, "sd": 2},
            ],
        },
        {"path": "weights", "noise": 0.25, "levels": [2, 3]},
        {"path": "aggregate.method", "values": ["arithmetic_mean", "geometric_mean"]},
    ],
}
