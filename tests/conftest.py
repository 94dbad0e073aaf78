"""Shared fixtures. Reference data in ../shared is read in place, never copied into the repo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path | None:
    candidates = [os.environ.get("AICITY_SHARED"), REPO.parent / "shared"]
    for c in candidates:
        if c and (Path(c) / "README.md").exists():
            return Path(c)
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = _shared_dir()
    if path is None:
        pytest.skip(
            "../shared is absent (set AICITY_SHARED to its path to run the reference-case tests)"
        )
    return path


@pytest.fixture(scope="session")
def coinr_asem(shared_dir: Path) -> Path:
    return shared_dir / "refcases" / "coinr_asem"


@pytest.fixture(scope="session")
def mcda_refcase(shared_dir: Path) -> Path:
    return shared_dir / "refcases" / "mcda"
