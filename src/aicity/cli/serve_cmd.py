"""``aicity serve``: the explorer and JSON API over a snapshot (a private read-only copy) of a store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from aicity.cli._common import console, db_option
from aicity.paths import DEFAULT_HOST, DEFAULT_PORT


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    db: Path = db_option(),
    host: str = typer.Option(
        DEFAULT_HOST, "--host", help="Address to bind (loopback unless told otherwise)."
    ),
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="TCP port."),
    lang: str = typer.Option("zh", "--lang", help="Default page language: zh or en."),
    reports: Path | None = typer.Option(
        None, "--reports", help="Folder holding the report PDF offered under Downloads (e.g. out/)."
    ),
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level."),
) -> None:
    """Serve the explorer (pages and /api/v1/) on HOST:PORT from a snapshot of the store taken at start:
    nothing is ever written, and `aicity ingest` can write the store meanwhile (restart to show it)."""
    from aicity.errors import ConfigError
    from aicity.languages import LANGUAGES
    from aicity.web import WebSettings, create_app
    from aicity.web.app import serve as run_server
    from aicity.workflows.session import snapshot_store

    if lang not in LANGUAGES:
        raise ConfigError(f"--lang must be zh or en; got {lang!r}", path="--lang")
    if reports is not None and not reports.is_dir():
        raise ConfigError(f"--reports must be a folder; {reports} is not one", path="--reports")
    settings = WebSettings(
        host=host,
        port=port,
        default_language=lang,  # type: ignore[arg-type]
        report_dir=str(reports) if reports else None,
    )
    # Served from a snapshot: a private copy of the store taken now (the industry maps are read from it
    # on demand), removed when the server stops. The user's file is left free for `aicity ingest`.
    with snapshot_store(db) as store:
        with console.status("reading the store and rebuilding the evaluation ..."):
            app = create_app(store, settings)
        if host not in ("127.0.0.1", "localhost", "::1"):
            console.print(
                f"[yellow]warning:[/] listening on {host}: other machines can reach the explorer"
            )
        console.print(
            f"explorer on [bold]http://{host}:{port}/[/]  (API: http://{host}:{port}/api/v1/)  "
            "Ctrl+C stops"
        )
        console.print(
            f"serving a snapshot of {db} taken at {datetime.now():%H:%M:%S}: "
            "ingests may write it meanwhile; restart serve to show them"
        )
        run_server(app, host=host, port=port, log_level=log_level)
