"""Starting the CLI must not import the heavy libraries: each command imports what it needs when it runs.

A check of imports, not a timing (the start-up time itself is measured in benchmarks/).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "pandas",
    "numpy",
    "duckdb",
    "plotly",
    "matplotlib",
    "weasyprint",
    "sklearn",
    "scipy",
    "ibis",
    "pyarrow",
    "fastapi",
)

_PRINT_HEAVY = (
    "import json, sys; "
    f"heavy = {HEAVY!r}; "
    "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))))"
)


def _heavy_imported(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{_PRINT_HEAVY}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_imports_no_heavy_module():
    assert _heavy_imported("import aicity.cli.main") == []


@pytest.mark.parametrize(
    "argv", [["--help"], ["no-such-command"], ["index", "build", "--no-such-option"]]
)
def test_help_and_a_failing_command_import_no_heavy_module(argv):
    code = (
        "import contextlib, io, sys\n"
        "from aicity.cli._common import handle_errors\n"
        "from aicity.cli.main import app\n"
        f"sys.argv = ['aicity', *{argv!r}]\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    handle_errors(app)\n"
    )
    assert _heavy_imported(code) == []


def test_help_lists_every_command():
    from typer.testing import CliRunner

    from aicity.cli.main import app

    result = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in (
        "index",
        "serve",
        "ingest",
        "demo",
        "info",
        "classify",
        "inventory",
        "map",
        "synth",
        "evaluate",
        "report",
    ):
        assert f" {name} " in result.output, name
