"""Evidence rules of the evaluation: only real cells are scored, coverage floors, one year per indicator."""

from __future__ import annotations

import pandas as pd
import pytest

from aicity.errors import ConfigError
from aicity.workflows.cells import derive_cells as _derive_cells
from aicity.workflows.cells import select_cells
from aicity.workflows.coverage import assess_coverage, coverage_floors
from aicity.workflows.coverage import blank_dimensions as _blank_dimensions
from aicity.workflows.evaluate_specs import spec_without as _spec_without

URL = "https://example.gov.cn/bulletin"


def _obs(rows):
    base = {
        "kind": "actual",
        "verified": True,
        "reliability": "A",
        "source_id": 1,
        "source_url": URL,
        "value_text": None,
        "unit": "亿元",
    }
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["obs_id"] = range(1, len(frame) + 1)
    return frame


GDP = [{"code": "gdp", "unit": "亿元"}]


def test_unverified_urlless_estimated_and_sample_values_are_shown_but_not_real():
    obs = _obs(
        [
            {"unit_key": "A", "indicator": "gdp", "year": 2023, "value": 1.0},
            {"unit_key": "B", "indicator": "gdp", "year": 2023, "value": 2.0, "verified": False},
            {"unit_key": "C", "indicator": "gdp", "year": 2023, "value": 3.0, "source_url": None},
            {"unit_key": "D", "indicator": "gdp", "year": 2023, "value": 4.0, "kind": "estimate"},
        ]
    )
    cells = select_cells(obs, ["A", "B", "C", "D"], GDP, 2023, 3).set_index("unit_key")
    assert cells["real"].to_dict() == {"A": True, "B": False, "C": False, "D": False}
    assert cells["value"].tolist() == [1.0, 2.0, 3.0, 4.0]  # kept for the data appendix
    assert "unverified" in cells.at["B", "flags"] and "no_source" in cells.at["C", "flags"]


def test_one_year_per_indicator_never_mixes_bulletins():
    obs = _obs(
        [
            {"unit_key": "A", "indicator": "gdp", "year": 2023, "value": 1.0},
            {"unit_key": "B", "indicator": "gdp", "year": 2023, "value": 2.0},
            {"unit_key": "A", "indicator": "gdp", "year": 2024, "value": 1.5},
            {"unit_key": "C", "indicator": "gdp", "year": 2024, "value": 3.0},
        ]
    )
    cells = select_cells(obs, ["A", "B", "C"], GDP, 2024, 3).set_index("unit_key")
    # 2023 covers two units, 2024 two as well: the tie goes to the later year, and B's 2023 value is
    # left out rather than mixed in
    assert cells.at["A", "year"] == 2024 and cells.at["C", "year"] == 2024
    assert pd.isna(cells.at["B", "value"]) and "missing" in cells.at["B", "flags"]
    obs = pd.concat([obs, _obs([{"unit_key": "D", "indicator": "gdp", "year": 2023, "value": 4}])])
    obs["obs_id"] = range(1, len(obs) + 1)
    cells = select_cells(obs, ["A", "B", "C", "D"], GDP, 2024, 3).set_index("unit_key")
    assert set(cells["year"].dropna()) == {2023}  # now 2023 covers three units


def test_derived_cell_keeps_its_inputs_flags_and_needs_the_same_year():
    cells = pd.DataFrame(
        [
            {
                "unit_key": "A",
                "indicator": "gdppc",
                "value": float("nan"),
                "year": None,
                "flags": "missing",
                "real": False,
            },
            {
                "unit_key": "B",
                "indicator": "gdppc",
                "value": float("nan"),
                "year": None,
                "flags": "missing",
                "real": False,
            },
        ]
    )
    extra = pd.DataFrame(
        [
            {
                "unit_key": "A",
                "indicator": "gdp",
                "value": 100.0,
                "year": 2023,
                "flags": "unverified",
                "real": False,
            },
            {
                "unit_key": "A",
                "indicator": "pop",
                "value": 10.0,
                "year": 2023,
                "flags": "",
                "real": True,
            },
            {
                "unit_key": "B",
                "indicator": "gdp",
                "value": 100.0,
                "year": 2024,
                "flags": "",
                "real": True,
            },
            {
                "unit_key": "B",
                "indicator": "pop",
                "value": 10.0,
                "year": 2023,
                "flags": "",
                "real": True,
            },
        ]
    )
    rule = [{"code": "gdppc", "derive": {"numerator": "gdp", "denominator": "pop", "scale": 1}}]
    out = _derive_cells(cells, rule, extra).set_index("unit_key")
    assert out.at["A", "value"] == 10.0
    assert set(out.at["A", "flags"].split()) == {"derived", "unverified"}
    assert not out.at["A", "real"]  # an unverified input makes the derived cell not real
    assert pd.isna(out.at["B", "value"]) and "years_differ" in out.at["B", "flags"]


def _cells(real: dict[tuple[str, str], bool]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"unit_key": u, "indicator": c, "value": 1.0, "real": r, "flags": ""}
            for (u, c), r in real.items()
        ]
    )


SPEC = {
    "nodes": [
        {"code": "IDX", "level": 3},
        {"code": "D1", "parent": "IDX", "level": 2},
        {"code": "D2", "parent": "IDX", "level": 2},
        *({"code": f"i{k}", "parent": "D1", "level": 1} for k in range(3)),
        *({"code": f"j{k}", "parent": "D2", "level": 1} for k in range(2)),
        {"code": "thin", "parent": "D2", "level": 1},
    ]
}


def test_a_unit_at_60_percent_is_not_ranked_and_a_thin_indicator_is_left_out():
    units = ["A", "B", "C", "D", "E"]
    codes = ["i0", "i1", "i2", "j0", "j1", "thin"]
    real = {(u, c): True for u in units for c in codes}
    real.update({(u, "thin"): False for u in ["A", "B", "C"]})  # 2 of 5 units: below 2/3
    real.update({("E", "i0"): False, ("E", "j0"): False})  # E: 3 of 5 scored cells = 60 %
    real.update({("D", "i1"): False})  # D: 4 of 5 overall, but D1 on 2 of 3 = 67 %: still scored
    cov = assess_coverage(_cells(real), SPEC, units, coverage_floors(SPEC))
    assert cov.indicator_included == {c: c != "thin" for c in codes}
    assert cov.unit_ranked == {"A": True, "B": True, "C": True, "D": True, "E": False}
    assert cov.unit_real["E"] == 3
    assert ("D", "D1") not in cov.dimensions_below_floor()
    table = cov.table()
    thin = table[(table["unit_key"] == "") & (table["code"] == "thin")].iloc[0]
    assert not thin["included"] and "2 of 5" in thin["reason"]
    assert _spec_without(SPEC, {"thin", "j0", "j1"})["nodes"][-1]["code"] == "i2"  # D2 gone too


def test_a_dimension_below_its_floor_gets_no_score_and_the_others_are_reranked():
    results = pd.DataFrame(
        {
            "scheme": "default",
            "unit_key": ["A", "B", "C"],
            "code": "D1",
            "level": 2,
            "score": [90.0, 80.0, 70.0],
            "rank": pd.array([1, 2, 3], dtype="Int64"),
        }
    )
    out = _blank_dimensions(results, {("A", "D1")}).set_index("unit_key")
    assert pd.isna(out.at["A", "score"]) and pd.isna(out.at["A", "rank"])
    assert out.at["B", "rank"] == 1 and out.at["C", "rank"] == 2


def test_coverage_floor_settings_are_checked():
    assert coverage_floors({"coverage_floor": {"unit": "2/3"}})["unit"] == pytest.approx(2 / 3)
    with pytest.raises(ConfigError, match="coverage_floor"):
        coverage_floors({"coverage_floor": {"units": 0.5}})
    with pytest.raises(ConfigError, match="from 0 to 1"):
        coverage_floors({"coverage_floor": {"unit": 1.5}})


def test_a_value_counted_over_a_sample_firm_list_is_never_scored():
    from aicity.store.inventory import PROVENANCE, SAMPLE_PROVENANCE

    obs = _obs(
        [
            {
                "unit_key": u,
                "indicator": "inv_firms_total",
                "year": 2023,
                "value": v,
                "unit": "firms",
                "source_url": None,
                "verified": False,
                "note": PROVENANCE.format(run_id=3) + SAMPLE_PROVENANCE,
            }
            for u, v in (("A", 14.0), ("B", 3.0))
        ]
    )
    spec = [{"code": "inv_firms_total", "unit": "firms"}]
    cells = select_cells(obs, ["A", "B"], spec, 2023, 3).set_index("unit_key")
    assert not cells["real"].any()
    assert all("sample" in f.split() for f in cells["flags"])
    assert cells["value"].tolist() == [14.0, 3.0]  # drawn on the industry map, never scored


def test_a_content_farm_page_is_scored_but_flagged_per_cell():
    farm = "http://223.94.76.10/copied-bulletin.html"
    obs = _obs(
        [
            {"unit_key": "A", "indicator": "gdp", "year": 2023, "value": 1.0},
            {"unit_key": "B", "indicator": "gdp", "year": 2023, "value": 2.0, "source_url": farm},
        ]
    )
    cells = select_cells(obs, ["A", "B"], GDP, 2023, 3).set_index("unit_key")
    assert cells["real"].all()
    assert "weak_source" in cells.at["B", "flags"].split()
    assert "weak_source" not in cells.at["A", "flags"].split()


def test_run_evidence_gives_every_cell_one_status():
    from aicity.profiles.evidence import run_evidence

    tables = {
        "eval_cells": pd.DataFrame(
            [
                {
                    "unit_key": "A",
                    "indicator": "x",
                    "value": 1.0,
                    "year": 2023,
                    "flags": "",
                    "real": True,
                },
                {
                    "unit_key": "A",
                    "indicator": "y",
                    "value": 1.0,
                    "year": 2021,
                    "flags": "stale",
                    "real": True,
                },
                {
                    "unit_key": "B",
                    "indicator": "x",
                    "value": None,
                    "year": None,
                    "flags": "missing imputed",
                    "real": False,
                },
                {
                    "unit_key": "B",
                    "indicator": "y",
                    "value": 5.0,
                    "year": 2023,
                    "flags": "unverified",
                    "real": False,
                },
                {
                    "unit_key": "C",
                    "indicator": "x",
                    "value": None,
                    "year": None,
                    "flags": "missing",
                    "real": False,
                },
                {
                    "unit_key": "C",
                    "indicator": "y",
                    "value": None,
                    "year": None,
                    "flags": "missing",
                    "real": False,
                },
                {
                    "unit_key": "A",
                    "indicator": "thin",
                    "value": None,
                    "year": None,
                    "flags": "missing",
                    "real": False,
                },
            ]
        ),
        "eval_units": pd.DataFrame({"unit_key": ["A", "B", "C"], "ranked": [True, True, False]}),
        "eval_coverage": pd.DataFrame(
            [
                {
                    "unit_key": "",
                    "code": "x",
                    "real": 1,
                    "total": 3,
                    "included": True,
                    "reason": None,
                },
                {
                    "unit_key": "",
                    "code": "y",
                    "real": 1,
                    "total": 3,
                    "included": True,
                    "reason": None,
                },
                {
                    "unit_key": "",
                    "code": "thin",
                    "real": 0,
                    "total": 3,
                    "included": False,
                    "reason": "0 of 3",
                },
            ]
        ),
    }
    from aicity.store.runs import StoredRun

    ev = run_evidence(StoredRun.from_tables({"run_id": "t"}, tables))
    status = ev.cells.set_index(["unit_key", "indicator"])["status"].to_dict()
    assert status == {
        ("A", "x"): "real",
        ("A", "y"): "stale",
        ("B", "x"): "imputed",
        ("B", "y"): "unscored",
        ("C", "x"): "missing",
        ("C", "y"): "missing",
        ("A", "thin"): "left_out",
    }
    # scored cells: ranked units (A, B) x scored indicators (x, y)
    assert ev.n_scored_cells == 4 and ev.n_imputed == 1 and ev.n_real_scored == 2
    assert ev.unit_coverage("A") == (2, 2) and ev.unit_coverage("C") == (0, 2)
    assert ev.indicators_left_out == {"thin": "0 of 3"}
