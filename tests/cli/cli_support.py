"""Shared by the CLI tests: run a command in process and insist it succeeds."""

from __future__ import annotations

from typer.testing import CliRunner

from aicity.cli.main import app

runner = CliRunner()


def run_ok(args: list[str]) -> str:
    """The output of ``aicity ARGS``, which must exit 0."""
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output
