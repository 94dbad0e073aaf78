"""The bundled projects: every one sourced (a web URL, a year where its page gives one, a copied note),
in an example city, loaded by the example build's ingest order."""

from __future__ import annotations

import csv
import filecmp
from collections import Counter
from pathlib import Path

from aicity.data.example import INGEST_ORDER, example_file
from aicity.data.example.build import build_projects
from aicity.io.projects import AMOUNT_KINDS, PROJECT_KINDS, STAGES

EXAMPLE = Path(str(example_file("projects.csv"))).parent


def _rows(name: str) -> list[dict[str, str]]:
    with example_file(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_bundled_project_has_a_url_and_a_note() -> None:
    rows = _rows("projects.csv")
    assert len(rows) >= 60
    for row in rows:
        assert row["source_url"].startswith(("http://", "https://")), row["name"]
        assert row["note"].strip(), row["name"]
        assert row["kind"] in PROJECT_KINDS
        assert not row["stage"] or row["stage"] in STAGES
        assert not row["year"] or 2000 <= int(row["year"]) <= 2030
        # an amount always says what it is; no bundled amount is claimed as investment made
        assert bool(row["investment"]) == bool(row["amount_kind"]) == bool(row["unit"])
        assert not row["amount_kind"] or AMOUNT_KINDS[row["amount_kind"]] != "actual"


def test_projects_cover_every_example_city() -> None:
    per_city = Counter(r["city"] for r in _rows("projects.csv"))
    cities = {r["name_zh"] for r in _rows("cities.csv")}
    assert set(per_city) == cities
    assert {c for c, n in per_city.items() if n < 3} == {"沈阳"}  # docs/ingest.md says so


def test_the_projects_file_is_in_build_order_and_ingested_by_the_example(tmp_path: Path) -> None:
    build_projects(tmp_path)
    assert filecmp.cmp(EXAMPLE / "projects.csv", tmp_path / "projects.csv", shallow=False)
    assert ("projects.csv", "projects") in INGEST_ORDER
