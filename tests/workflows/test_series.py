"""Yearly series on a hand-made store with two reference years: carry-forward takes a unit's own last
real value (flagged stale), never another unit's; two runs compare with arrows, intervals and movers."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from aicity.cli.main import app
from aicity.store import Store
from aicity.store.runs import load_run
from aicity.workflows.evaluate import evaluate
from aicity.workflows.evaluate_uncertainty import run_uncertainty_for
from aicity.workflows.ingest import ingest_file
from aicity.workflows.series import arrow, carry_forward, compare_series

URL = "https://tjj.example.gov.cn/bulletin"
HZ, NJ, HF, SZ, WX = "330100", "320100", "340100", "320500", "320200"
NAMES = {HZ: "杭州", NJ: "南京", HF: "合肥", SZ: "苏州", WX: "无锡"}

FRAMEWORK = {
    "name": "two_years",
    "levels": ["indicator", "dimension", "index"],
    "unit_type": "city",
    "index": {"code": "AI20", "name_zh": "指数", "name_en": "Index"},
    "nodes": [
        {"code": "ECON", "parent": "AI20", "level": 2, "name_zh": "经济", "name_en": "Economy"},
        {
            "code": "gdp",
            "parent": "ECON",
            "level": 1,
            "name_zh": "地区生产总值",
            "name_en": "GDP",
            "unit": "亿元",
        },
        {
            "code": "resident_population",
            "parent": "ECON",
            "level": 1,
            "name_zh": "常住人口",
            "name_en": "Population",
            "unit": "万人",
        },
        {"code": "FIRMS", "parent": "AI20", "level": 2, "name_zh": "企业", "name_en": "Firms"},
        {
            "code": "high_tech_enterprises",
            "parent": "FIRMS",
            "level": 1,
            "name_zh": "高新技术企业数",
            "name_en": "High-tech firms",
            "unit": "家",
        },
        {
            "code": "listed_companies",
            "parent": "FIRMS",
            "level": 1,
            "name_zh": "上市公司数",
            "name_en": "Listed firms",
            "unit": "家",
        },
    ],
}


def _rows():
    rows = []

    def add(city, code, year, value, unit, **extra):
        rows.append(
            {
                "city": NAMES[city],
                "indicator": code,
                "year": year,
                "value": value,
                "unit": unit,
                "kind": extra.get("kind", "actual"),
                "verified": extra.get("verified", "true"),
                "source_url": extra.get("source_url", f"{URL}/{city}/{year}"),
            }
        )

    for i, city in enumerate([HZ, NJ, HF, SZ, WX]):
        if city != WX:  # 2023 GDP for four cities, 2024 for four: the later year is the indicator's
            add(city, "gdp", 2023, 10000 + 1000 * i, "亿元")
        add(city, "resident_population", 2023, 800 + 10 * i, "万人")
        add(city, "resident_population", 2024, 810 + 10 * i, "万人")
        add(city, "listed_companies", 2024, 150 - 25 * i, "家")  # the order turns in 2024
        add(city, "listed_companies", 2023, 40 + 20 * i, "家")
    # 2024 GDP for four cities: 苏州 has only its 2023 bulletin
    for i, city in enumerate([HZ, NJ, HF, WX]):
        add(city, "gdp", 2024, 11000 + 1500 * i, "亿元")
    # high-tech firms: 2024 for three cities
    for i, city in enumerate([HZ, NJ, SZ]):
        add(city, "high_tech_enterprises", 2024, 9000 - 1000 * i, "家")
        add(city, "high_tech_enterprises", 2022, 7000 - 1000 * i, "家")
    # 合肥: an unverified 2023 value and a real 2021 one; 无锡: a real value too old for the window
    add(HF, "high_tech_enterprises", 2023, 123456, "家", verified="false")
    add(HF, "high_tech_enterprises", 2021, 5500, "家")
    add(WX, "high_tech_enterprises", 2020, 99999, "家")
    return rows


@pytest.fixture()
def store(tmp_path):
    cities = tmp_path / "cities.csv"
    pd.DataFrame({"城市名称": list(NAMES.values())}).to_csv(cities, index=False)
    obs = tmp_path / "observations.csv"
    pd.DataFrame(_rows()).to_csv(obs, index=False)
    db = tmp_path / "two.duckdb"
    with Store.open(db) as s:
        for path, table in ((cities, "cities"), (obs, "observations")):
            result = ingest_file(s, path, table)
            assert result.n_rejected == 0, result.rejected
    (tmp_path / "two_years.yaml").write_text(
        yaml.safe_dump(FRAMEWORK, allow_unicode=True), encoding="utf-8"
    )
    s = Store.open(db)
    yield s
    s.close()


def _cells(store, run_id):
    run = load_run(store, run_id)
    return run.cells.set_index(["unit_key", "indicator"])


def test_carry_forward_takes_the_units_own_last_real_value_flagged_stale(store, tmp_path):
    fw = tmp_path / "two_years.yaml"
    plain = evaluate(store, framework=fw, year=2024, alternatives=None)
    carried = evaluate(store, framework=fw, year=2024, alternatives=None, carry_forward=True)
    before, after = _cells(store, plain.run_id), _cells(store, carried.run_id)
    # without carry-forward 苏州's 2023 GDP is another year than the indicator's: imputed
    assert "imputed" in before.loc[(SZ, "gdp"), "flags"]
    assert not bool(before.loc[(SZ, "gdp"), "real"])
    # with it, 苏州 keeps its own 2023 GDP, flagged stale and carried, scored as real
    cell = after.loc[(SZ, "gdp")]
    assert cell["value"] == 13000 and cell["year"] == 2023
    assert set(cell["flags"].split()) == {"stale", "carried"} and bool(cell["real"])
    # 合肥's last real value is from 2021 (its 2023 value is unverified): that one is carried
    hf = after.loc[(HF, "high_tech_enterprises")]
    assert hf["value"] == 5500 and hf["year"] == 2021 and "carried" in hf["flags"]
    # 无锡's only value is older than 2024 - 3: imputed, never another city's number
    wx = after.loc[(WX, "high_tech_enterprises")]
    assert "carried" not in wx["flags"] and pd.isna(wx["obs_id"]) and wx["value"] != 99999
    # the cells already real for the indicator's year are left as they were
    for key in [(HZ, "gdp"), (NJ, "listed_companies"), (WX, "gdp")]:
        assert before.loc[key, "value"] == after.loc[key, "value"]
        assert before.loc[key, "flags"] == after.loc[key, "flags"]
    carried_cells = after[after["flags"].str.contains("carried")]
    assert set(carried_cells.index) == {(SZ, "gdp"), (HF, "high_tech_enterprises")}
    # 3 of 5 real high-tech cells are below the 2/3 floor; the carried one lifts it to 4 of 5
    plain_run = load_run(store, plain.run_id)
    carried_run = load_run(store, carried.run_id)
    assert "high_tech_enterprises" not in set(plain_run.nodes["code"])
    assert "high_tech_enterprises" in set(carried_run.nodes["code"])


def test_carry_forward_never_crosses_units():
    cells = pd.DataFrame(
        [
            {
                "unit_key": "A",
                "indicator": "x",
                "obs_id": 1,
                "year": 2024,
                "value": 5.0,
                "unit": "家",
                "source_id": 1,
                "flags": "",
                "real": True,
            },
            {
                "unit_key": "B",
                "indicator": "x",
                "obs_id": None,
                "year": None,
                "value": float("nan"),
                "unit": "家",
                "source_id": None,
                "flags": "missing",
                "real": False,
            },
            {
                "unit_key": "C",
                "indicator": "x",
                "obs_id": None,
                "year": None,
                "value": float("nan"),
                "unit": "家",
                "source_id": None,
                "flags": "missing other_year",
                "real": False,
            },
        ]
    )
    base = {
        "indicator": "x",
        "unit": "家",
        "kind": "actual",
        "verified": True,
        "reliability": "A",
        "source_id": 1,
        "note": None,
    }
    obs = pd.DataFrame(
        [
            {**base, "obs_id": 1, "unit_key": "A", "year": 2024, "value": 5.0, "source_url": URL},
            {**base, "obs_id": 2, "unit_key": "A", "year": 2023, "value": 4.0, "source_url": URL},
            {**base, "obs_id": 3, "unit_key": "C", "year": 2022, "value": 2.0, "source_url": URL},
            {**base, "obs_id": 4, "unit_key": "C", "year": 2023, "value": 3.0, "source_url": None},
        ]
    )
    out = carry_forward(cells, obs, [{"code": "x", "unit": "家"}], year=2024, max_age=3).set_index(
        "unit_key"
    )
    assert out.at["C", "value"] == 2.0 and out.at["C", "obs_id"] == 3  # its own real 2022 value
    assert out.at["C", "flags"] == "stale carried" and bool(out.at["C", "real"])
    assert pd.isna(out.at["B", "value"]) and not bool(out.at["B", "real"])  # not A's 2023 value
    assert out.at["A", "value"] == 5.0 and out.at["A", "flags"] == ""
    tight = carry_forward(cells, obs, [{"code": "x", "unit": "家"}], year=2024, max_age=1)
    assert tight.set_index("unit_key")["value"].isna().sum() == 2  # 2022 is beyond max_age 1


def test_two_years_compare_with_arrows_intervals_and_movers(store, tmp_path):
    fw = tmp_path / "two_years.yaml"
    a = evaluate(store, framework=fw, year=2023, alternatives=None)
    b = evaluate(store, framework=fw, year=2024, alternatives=None, carry_forward=True)
    for run in (a, b):
        run_uncertainty_for(store, run.run_id, n=40, sobol_n=None)
    comparison = compare_series(store, a.run_id, b.run_id)
    table = comparison.table.set_index("unit_key")
    assert comparison.code == "AI20" and len(table) == 5 and not comparison.same_data
    assert comparison.run_a["reference_year"] == 2023 and comparison.run_b["reference_year"] == 2024
    assert (table["rank_change"] == table["rank_a"] - table["rank_b"]).all()
    assert (table["score_change"] - (table["score_b"] - table["score_a"])).abs().max() < 1e-9
    assert comparison.has_intervals
    assert (table["q05_b"] <= table["rank_b"]).all() and (table["rank_b"] <= table["q95_b"]).all()
    for r in table.itertuples():
        assert r.arrow == arrow(r.rank_change)
        separate = r.q95_b < r.q05_a or r.q05_b > r.q95_a
        assert r.beyond_intervals == separate
    moved = comparison.moved_most(2)
    biggest = table["rank_change"].abs().max()
    assert biggest > 0 and abs(moved["rank_change"].iloc[0]) == biggest
    assert table.at[HZ, "name_zh"] == "杭州"
    # the CLI prints names, arrows, intervals and the movers, and writes every node's change
    out = tmp_path / "changes.csv"
    store.close()  # the CLI opens the file read-only
    result = CliRunner().invoke(
        app,
        ["runs", "compare", a.run_id, b.run_id, "--db", str(store.path), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "moved most" in result.output and "杭州" in result.output
    assert any(mark in result.output for mark in "↑↓")
    written = pd.read_csv(out)
    assert {"AI20", "ECON", "FIRMS"} <= set(written["code"])
    assert written.query("code == 'AI20'")["q05_b"].notna().all()
