"""Progress bars are for a person at a terminal: silent with --quiet, in CI and into a pipe or file."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from aicity.cli import _common


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setattr(_common, "console", Console(file=out, force_terminal=True, width=100))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(_common, "QUIET", False)
    return out


def test_a_terminal_gets_a_bar_with_counts(terminal: io.StringIO):
    assert _common.show_progress()
    with _common.progress("uncertainty", total=10) as advance:
        for _ in range(10):
            advance()
    assert "10/10" in terminal.getvalue()


@pytest.mark.parametrize("setting", ["quiet", "ci", "pipe"])
def test_quiet_ci_and_pipes_get_nothing(terminal, monkeypatch: pytest.MonkeyPatch, setting):
    if setting == "quiet":
        monkeypatch.setattr(_common, "QUIET", True)
    elif setting == "ci":
        monkeypatch.setenv("CI", "true")
    else:
        out = io.StringIO()
        monkeypatch.setattr(_common, "console", Console(file=out, force_terminal=False))
        terminal = out
    assert not _common.show_progress()
    with _common.progress("uncertainty", total=10) as advance:
        advance(10, description="done")
    assert terminal.getvalue() == ""


def test_the_root_quiet_option_is_read(monkeypatch: pytest.MonkeyPatch):
    from typer.testing import CliRunner

    from aicity.cli.main import app

    monkeypatch.setattr(_common, "QUIET", False)
    result = CliRunner().invoke(app, ["--quiet", "synth", "enterprises", "--help"])
    assert result.exit_code == 0 and _common.QUIET is True
