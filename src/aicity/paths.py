"""Where things live when nobody says: one definition for the library and the command line.

Kept free of heavy imports: the command line reads these while it builds its options."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "AICITY_DB"  # the one environment variable the project reads
DEFAULT_DB = "aicity.duckdb"
DEFAULT_OUT = "out"  # the folder `aicity demo` and `aicity report` write into
DEFAULT_HOST = "127.0.0.1"  # the explorer listens on loopback unless told otherwise
DEFAULT_PORT = 8000


def default_store_path() -> Path:
    """``$AICITY_DB``, else ``./aicity.duckdb``."""
    return Path(os.environ.get(DB_ENV, DEFAULT_DB))


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/aicity``, else ``~/.cache/aicity``: what is worked out once per user (the
    bundled model, retrained when the shipped one is out of date)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aicity"
