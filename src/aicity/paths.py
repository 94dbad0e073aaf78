"""Where the store lives when nobody says: one definition for the library and the command line."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = "aicity.duckdb"


def default_store_path() -> Path:
    """``$AICITY_DB``, else ``./aicity.duckdb``."""
    return Path(os.environ.get("AICITY_DB", DEFAULT_DB))
