"""The bundled example: China AI 20 (21 cities with Harbin), built from the team's shared public facts.

Files (ingest-ready CSV, UTF-8): ``indicators.csv`` (registry), ``cities.csv``, ``parks.csv``,
``enterprises.csv``, ``observations_cities.csv``, ``observations_panel.csv``, ``observations_designations.csv``, ``observations_parks.csv``,
``projects.csv`` (curated here from public pages, not built from ../shared) and ``taxonomy.csv``. ``build.py`` regenerates them from ../shared/data; see docs/ingest.md for the mapping.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable

# ingest order: the registry and places first, facts last (parks resolve cities, facts resolve parks)
INGEST_ORDER: list[tuple[str, str]] = [
    ("indicators.csv", "indicators"),
    ("cities.csv", "cities"),
    ("parks.csv", "parks"),
    ("enterprises.csv", "enterprises"),
    ("observations_cities.csv", "observations"),
    ("observations_panel.csv", "observations"),
    ("observations_designations.csv", "observations"),
    ("observations_parks.csv", "observations"),
    # curated AI projects with their sources (issue 16; build.build_projects)
    ("projects.csv", "projects"),
]


def example_file(name: str) -> Traversable:
    """One bundled example file (read it with ``.open()`` / ``.read_text()``)."""
    return resources.files(__name__).joinpath(name)
