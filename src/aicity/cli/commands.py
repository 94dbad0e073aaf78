"""The registry of CLI command modules. Each entry adds one command or group to the root app."""

from __future__ import annotations

import importlib

import typer

# module path -> attribute holding a `register(app)` function. Add one line per command module.
COMMAND_MODULES: list[str] = [
    "aicity.cli.index_cmd",
    "aicity.cli.index_uncertainty_cmd",
    "aicity.cli.serve_cmd",
    "aicity.cli.ingest_cmd",
    "aicity.cli.demo_cmd",
    "aicity.cli.info_cmd",
    "aicity.cli.classify_cmd",
    "aicity.cli.inventory_cmd",
    "aicity.cli.map_cmd",
    "aicity.cli.synth_cmd",
    "aicity.cli.evaluate_cmd",
    "aicity.cli.report_cmd",
    "aicity.cli.map_china_cmd",
    "aicity.cli.profile_cmd",
    "aicity.cli.site_cmd",
    "aicity.cli.targets_cmd",
    "aicity.cli.panel_cmd",
    "aicity.cli.projects_cmd",
]


def register(app: typer.Typer) -> None:
    for module_path in COMMAND_MODULES:
        importlib.import_module(module_path).register(app)
