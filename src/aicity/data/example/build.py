"""Rebuild the bundled example from the shared public facts (../shared/data).

    python -m aicity.data.example.build /path/to/shared/data

The output files are committed; ``tests/io/test_example.py`` checks they still match a fresh build.
Mapping rules (also in docs/ingest.md):

* raw indicator names map to registry codes through ``indicators.csv`` ``raw_names``;
* ``plan_target`` rows become the indicator their unit names (AI core industry -> ai_core_industry_scale,
  AI industry -> ai_industry_scale, PFLOPS -> intelligent_compute) with kind ``plan_target``;
* a scope saying ESTIMATE or DERIVED, or a note saying "estimated", gives kind ``estimate``; a scope or
  note saying "planned" / "plan figure" gives ``plan_target``;
* a note saying VERIFY (any case) or "unverified" gives verified = false;
* 全国 rows are national reference values (unit_type ``nation``);
* admin code, English name and coordinates become the cities table, not observations.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from aicity.io.places import firm_count

HERE = Path(__file__).resolve().parent
CITY_FIELDS = {"admin_code_6", "name_en", "longitude", "latitude"}
OBS_COLUMNS = [
    "unit_type",
    "city",
    "park",
    "indicator",
    "value",
    "unit",
    "year",
    "kind",
    "verified",
    "source_url",
    "source_reliability",
    "note",
]
_NOT_VERIFIED = re.compile(r"\bverify\b|unverified", re.IGNORECASE)
_ESTIMATE = re.compile(r"\bESTIMATE\b|\bDERIVED\b")
_PLANNED = re.compile(r"planned|plan figure", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(
    path: Path, columns: list[str], rows: list[dict[str, str]] | list[dict[str, object]]
) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: ("" if row.get(c) is None else row.get(c)) for c in columns})


def reliability(url: str, verified: bool) -> str:
    """A: official (gov.cn) page; C: cited only for a row still to verify; B: media or secondary."""
    if not url:
        return ""
    host = re.sub(r"^https?://", "", url).split("/")[0].lower()
    if host.endswith("gov.cn"):
        return "A"
    return "B" if verified else "C"


def split_name(text: str) -> tuple[str, str]:
    """'中关村壹号 Zhongguancun No.1' -> ('中关村壹号', 'Zhongguancun No.1')."""
    last = max((i for i, ch in enumerate(text) if ord(ch) > 127), default=-1)
    cut = last + 1
    while cut < len(text) and text[cut] in ")）":
        cut += 1
    return text[:cut].strip(), text[cut:].strip()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def kind_of(raw_indicator: str, unit: str, note: str) -> str:
    if raw_indicator == "plan_target" or _PLANNED.search(unit) or _PLANNED.search(note):
        return "plan_target"
    if _ESTIMATE.search(unit) or re.search(r"\bestimated\b", note.split(";")[0]):
        return "estimate"
    return "actual"


def plan_target_code(unit: str) -> str:
    if "PFLOPS" in unit:
        return "intelligent_compute"
    if "core" in unit:
        return "ai_core_industry_scale"
    return "ai_industry_scale"


def build(shared: Path, out: Path = HERE) -> None:
    registry = _read(out / "indicators.csv")
    raw_to_code = {raw: r["code"] for r in registry for raw in r["raw_names"].split(";") if raw}
    city_rows = _read(shared / "cities.csv")

    cities: dict[str, dict[str, object]] = {}
    for r in city_rows:
        if r["indicator"] in CITY_FIELDS and r["city"] != "全国":
            entry = cities.setdefault(
                r["city"], {"name_zh": r["city"], "source_url": r["source_url"]}
            )
            key = {"admin_code_6": "code"}.get(r["indicator"], r["indicator"])
            entry[key] = r["value"]
    _write(
        out / "cities.csv",
        ["code", "name_zh", "name_en", "longitude", "latitude", "source_url"],
        sorted(cities.values(), key=lambda e: str(e["code"])),
    )

    def observation(r: dict[str, str]) -> dict[str, object]:
        raw = r["indicator"]
        code = plan_target_code(r["unit"]) if raw == "plan_target" else raw_to_code[raw]
        verified = not _NOT_VERIFIED.search(r["note"])
        return {
            "unit_type": "nation" if r["city"] == "全国" else "city",
            "city": r["city"],
            "indicator": code,
            "value": r["value"],
            "unit": r["unit"],
            "year": r["year"],
            "kind": kind_of(raw, r["unit"], r["note"]),
            "verified": "true" if verified else "false",
            "source_url": r["source_url"],
            "source_reliability": reliability(r["source_url"], verified),
            "note": r["note"],
        }

    facts = [observation(r) for r in city_rows if r["indicator"] not in CITY_FIELDS]
    _write(out / "observations_cities.csv", OBS_COLUMNS, facts)
    panel = [observation(r) for r in _read(shared / "city_panel.csv")]
    _write(out / "observations_panel.csv", OBS_COLUMNS, panel)
    designations = [observation(r) for r in _read(shared / "city_designations.csv")]
    _write(out / "observations_designations.csv", OBS_COLUMNS, designations)

    parks, park_facts, seen = [], [], set()
    for r in _read(shared / "parks.csv"):
        name_zh, name_en = split_name(r["park"])
        city_en = str(cities[r["city"]]["name_en"])
        park_id = slug(f"{city_en} {name_en}")[:60].strip("-")
        assert park_id not in seen, park_id
        seen.add(park_id)
        opened = r["opened"].strip()
        year = _YEAR.search(opened)
        note = r["note"]
        if opened and not re.fullmatch(r"\d{4}", opened):
            note = f"{note}; opened as given: {opened}" if note else f"opened as given: {opened}"
        parks.append(
            {
                "park_id": park_id,
                "city": r["city"],
                "name_zh": name_zh,
                "name_en": name_en,
                "district": r["district"],
                "focus": r["focus"],
                "opened": year.group(1)
                if year and "planned" not in opened and "construction" not in opened
                else "",
                "firms": r["firms"],
                "source_url": r["source_url"],
                "note": note,
            }
        )
        count, count_year, kind = firm_count(r["firms"])
        if count is not None:
            park_facts.append(
                {
                    "unit_type": "park",
                    "park": park_id,
                    "indicator": "park_firms",
                    "value": count,
                    "unit": r["firms"],
                    "year": count_year or "",
                    "kind": kind,
                    "verified": "true",
                    "source_url": r["source_url"],
                    "source_reliability": reliability(r["source_url"], True),
                    "note": "count taken from the park's firms text",
                }
            )
    _write(
        out / "parks.csv",
        [
            "park_id",
            "city",
            "name_zh",
            "name_en",
            "district",
            "focus",
            "opened",
            "firms",
            "source_url",
            "note",
        ],
        parks,
    )
    _write(out / "observations_parks.csv", OBS_COLUMNS, park_facts)

    firms: list[dict[str, object]] = []
    ids: set[str] = set()
    for r in _read(shared / "enterprises.csv"):
        name_zh, name_en = split_name(r["name"])
        base = slug(name_en) or slug(r["name"]) or f"firm-{len(firms) + 1}"
        enterprise_id, n = base, 2
        while enterprise_id in ids:
            enterprise_id, n = f"{base}-{n}", n + 1
        ids.add(enterprise_id)
        firms.append(
            {
                "enterprise_id": enterprise_id,
                "name": r["name"],
                "city": r["city"],
                "park": r["park"],
                "layer": r["layer"],
                "segment": r["segment"],
                "label_source": "given (shared/data/enterprises.csv, hand-labelled)",
                "founded": r["founded"],
                "source_url": r["source_url"],
                "note": r["note"],
            }
        )
    _write(
        out / "enterprises.csv",
        [
            "enterprise_id",
            "name",
            "city",
            "park",
            "layer",
            "segment",
            "label_source",
            "founded",
            "source_url",
            "note",
        ],
        firms,
    )
    (out / "taxonomy.csv").write_bytes((shared / "taxonomy.csv").read_bytes())
    build_projects(out)


PROJECT_COLUMNS = [
    "name",
    "city",
    "park",
    "enterprise",
    "kind",
    "investment",
    "unit",
    "amount_kind",
    "stage",
    "year",
    "source_url",
    "note",
]


def build_projects(out: Path = HERE) -> None:
    """projects.csv is curated here, not in ../shared/data: AI projects found on public pages, each
    with the page's URL and a note copying the phrase that states its amount and stage. The build
    checks every row has a web source and a note, and writes the rows in city-code order."""
    cities = {r["name_zh"]: r["code"] for r in _read(HERE / "cities.csv")}
    rows = _read(HERE / "projects.csv")
    for number, row in enumerate(rows, start=2):
        assert row["source_url"].startswith(("http://", "https://")), f"row {number}: no URL"
        assert row["note"].strip(), f"row {number}: no note"
        assert row["city"] in cities, f"row {number}: city {row['city']!r} is not an example city"
    rows.sort(key=lambda r: (cities[r["city"]], r["year"] or "9999", r["name"]))
    _write(out / "projects.csv", PROJECT_COLUMNS, rows)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[4].parent / "shared" / "data")
