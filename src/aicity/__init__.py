"""aicity: evaluate and map a country's AI industry city by city, through its AI industrial parks."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # read on first use: importlib.metadata costs ~50 ms, which every `aicity` start would pay
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("aicity")
        except PackageNotFoundError:  # running from a source tree without installation
            value = "0.0.0"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'aicity' has no attribute {name!r}")
