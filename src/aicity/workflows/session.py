"""Opening a store for a command or a server: the one door the faces (cli/, web/) go through.

The faces never import ``aicity.store``; they open a store here and hand it to the workflows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aicity.store import Store


def open_store(
    path: str | os.PathLike[str] | None = None, read_only: bool = False, create: bool = True
) -> Store:
    """The store at ``path`` (migrated; see ``aicity.store.Store.open`` for ``read_only``/``create``)."""
    from aicity.store import Store

    return Store.open(path, read_only=read_only, create=create)


@contextmanager
def snapshot_store(path: str | os.PathLike[str] | None = None) -> Iterator[Store]:
    """A read-only store over a private copy of ``path``, removed on exit (``aicity serve``)."""
    from aicity.store import Store

    with Store.snapshot(path) as store:
        yield store


def memory_store() -> Store:
    """A fresh in-memory store (tests, scratch work)."""
    from aicity.store import Store

    return Store.memory()
