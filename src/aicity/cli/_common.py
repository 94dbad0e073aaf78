"""Shared CLI helpers: the console, the --db option, and error-to-exit-code mapping."""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import typer
from rich.console import Console

from aicity.errors import AicityError

console = Console()
err_console = Console(stderr=True)
DEBUG = False
QUIET = False  # --quiet: no progress display (also off in CI and when stdout is not a terminal)


def show_progress() -> bool:
    """Progress bars only for a person at a terminal: never with --quiet, in CI or into a pipe/file."""
    return not QUIET and console.is_terminal and not os.environ.get("CI")


@contextlib.contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """A Rich progress bar with counts and time left (``total`` known) or a spinner (unknown); yields
    ``advance(k=1, description=None)``. Silent where ``show_progress()`` is false."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        if total is not None
        else (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    )
    with Progress(*columns, console=console, transient=True, disable=not show_progress()) as bar:
        task = bar.add_task(description, total=total)

        def advance(k: int = 1, description: str | None = None) -> None:
            bar.update(task, advance=k, **({"description": description} if description else {}))

        yield advance


def check_language(lang: str) -> None:
    """``--lang``: one of the languages every face speaks."""
    from aicity.errors import ConfigError
    from aicity.languages import LANGUAGES

    if lang not in LANGUAGES:
        raise ConfigError(f"expected {' or '.join(LANGUAGES)}, received {lang!r}", path="--lang")


def db_option() -> Path:
    from aicity.paths import DB_ENV, DEFAULT_DB, default_store_path

    return typer.Option(
        default_store_path(),
        "--db",
        help=f"DuckDB store file (default: ${DB_ENV} or ./{DEFAULT_DB}).",
        show_default=False,
    )


def handle_errors(app: typer.Typer) -> int:
    """Run the Typer app; print known errors as one line (traceback only with --debug)."""
    try:
        app(standalone_mode=False)
    except AicityError as exc:
        if DEBUG:
            err_console.print(traceback.format_exc(), markup=False, highlight=False)
        err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted", markup=False)
        return 130
    except OSError as exc:
        # a path given cannot be read or written (--out in a file, no permission)
        if DEBUG:
            err_console.print(traceback.format_exc(), markup=False, highlight=False)
        where = f"{exc.filename}: " if exc.filename else ""
        err_console.print(
            f"error: {where}{exc.strerror or exc} (pass a path in a folder you can write to, "
            "or a file you can read)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return 2
    except Exception as exc:  # last-resort guard: users see one line, not a traceback
        try:  # typer >= 0.2x vendors click: its errors are not the click package's
            from typer import _click as click
        except ImportError:
            import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return exc.exit_code
        if DEBUG:
            raise
        err_console.print(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            markup=False,
            highlight=False,
        )
        return 1
    return 0
