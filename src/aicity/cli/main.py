"""The ``aicity`` command line. Only this package (and ``aicity.web``) talks to users."""

from __future__ import annotations

import os
import sys

# numpy's huge pages cost more than they save here (a 2 MB page fault: ~4 ms in a VM; aicity's arrays
# live briefly): 4 KB pages unless the user asks otherwise. Read when numpy is imported, i.e. later.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

import typer

from aicity.cli._common import console, handle_errors

app = typer.Typer(
    name="aicity",
    help="Evaluate and map a country's AI industry city by city, through its AI industrial parks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    quiet: bool = typer.Option(
        False,
        "--quiet",
        "-q",
        help="No progress bars (also off in CI and when output is not a terminal).",
    ),
) -> None:
    from aicity.cli import _common

    _common.DEBUG = debug
    _common.QUIET = quiet


def _register() -> None:
    """Attach every command group. Each module owns one group or command."""
    from aicity.cli import commands

    commands.register(app)


_register()


def run() -> None:
    """Console-script entry point: run the app and map known errors to one-line messages."""
    code = handle_errors(app)
    # everything loaded stays alive until exit: spare the interpreter a last collection over it
    # (0.15-0.2 s once pandas and friends are loaded)
    import gc

    gc.freeze()
    sys.exit(code)


__all__ = ["app", "console", "run"]
