"""aicity: evaluate and map a country's AI industry city by city, through its AI industrial parks."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aicity")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
