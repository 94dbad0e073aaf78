"""The DuckDB store: the only package that runs SQL.

``Store`` opens one file and applies the versioned migrations in ``aicity/store/migrations``; the
domain modules (``core`` here, ``inventory`` / ``runs`` from other owners) hold every SQL statement.
"""

from aicity.paths import DEFAULT_DB
from aicity.store import enterprises_keys as _keys  # noqa: F401  (its check on insert_df)
from aicity.store._store import Store, default_path, migrations
from aicity.store.core import (
    NATION_KEY,
    cities,
    enterprises,
    indicators,
    ingests,
    observations,
    parks,
    rejected_rows,
    sources,
)

__all__ = [
    "DEFAULT_DB",
    "NATION_KEY",
    "Store",
    "cities",
    "default_path",
    "enterprises",
    "indicators",
    "ingests",
    "migrations",
    "observations",
    "parks",
    "rejected_rows",
    "sources",
]
