"""The labelled firms shipped for training and evaluating the classifier: every row real, sourced, labelled
by the taxonomy's rules (src/aicity/data/firms_labelled.csv)."""

from __future__ import annotations

import csv
from importlib import resources

from aicity.inventory.taxonomy import load_taxonomy

COLUMNS = ["name", "city", "description", "layer", "segment", "label_reason", "source_url"]


def _rows() -> list[dict[str, str]]:
    text = resources.files("aicity.data").joinpath("firms_labelled.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines())
    assert reader.fieldnames == COLUMNS
    return list(reader)


def test_every_row_is_sourced_described_and_labelled_within_the_taxonomy():
    tax = {s.code: s.layer for s in load_taxonomy()}
    rows = _rows()
    for i, row in enumerate(rows, start=2):
        assert row["name"].strip(), i
        assert row["source_url"].startswith(("http://", "https://")), (i, row["name"])
        assert len(row["description"]) >= 10, (i, row["name"])
        assert row["label_reason"].strip(), (i, row["name"])
        if row["layer"] == "none":
            assert row["segment"] == "none", (i, row["name"])
        else:
            assert tax.get(row["segment"]) == row["layer"], (i, row["name"], row["segment"])


def test_one_row_per_firm_and_the_set_is_broad():
    rows = _rows()
    keys = ["".join(r["name"].split()).lower() for r in rows]
    assert len(keys) == len(set(keys))
    segments = {r["segment"] for r in rows}
    assert {s.code for s in load_taxonomy()} <= segments  # every segment is represented
    assert len(rows) >= 400
    assert sum(r["layer"] == "none" for r in rows) >= 60  # non-AI look-alikes
    assert len({r["city"] for r in rows if r["city"]}) >= 20  # many cities
