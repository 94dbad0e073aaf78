"""Bring your own panel: the template round-trips through `aicity ingest`, a weights sheet becomes the
framework it says, and `aicity info --coverage` shows what the store holds under the evidence rules."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from aicity.cli.main import app
from aicity.errors import InputError
from aicity.store import Store
from aicity.store import core as store_core
from aicity.workflows.evaluate_specs import load_framework_spec
from aicity.workflows.panel import store_coverage
from aicity.workflows.panel_columns import TEMPLATE_COLUMNS
from aicity.workflows.panel_framework import framework_from_sheet
from aicity.workflows.panel_template import check_template_headers, write_template

runner = CliRunner()
URL = "https://tjj.example.gov.cn/bulletin-2024"
CITIES = ["杭州", "南京", "合肥", "苏州"]


def _fill(path, sheet, rows):
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    headers = [c.value for c in ws[1]]
    for row in rows:
        ws.append([row.get(h) for h in headers])
    book.save(path)


def _values(city_index: int, code: str) -> tuple[object, str]:
    """A plausible value per indicator: flags 是/否, counts, GDP in 亿元, population in 万人."""
    spec, _ = load_framework_spec("china_ai_20")
    units = {n["code"]: n.get("unit") for n in spec["nodes"]}
    if units.get(code) == "flag":
        return ("是" if city_index % 2 == 0 else "否"), "flag"
    if code == "gdp":
        return 10000 + 2000 * city_index, "亿元"
    if code == "resident_population":
        return 900 + 50 * city_index, "万人"
    return 3 + city_index, str(units.get(code))


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A template filled for four cities, as an analyst would (one cell without a source, one GDP
    for part of the year, one city without GDP per capita inputs)."""
    folder = tmp_path_factory.mktemp("panel")
    path = write_template(folder / "panel.xlsx", year=2024)
    _fill(path, "cities", [{"城市名称": c} for c in CITIES])
    _fill(
        path,
        "parks",
        [{"园区名称": "杭州未来科技城", "所在城市": "杭州", "开园年份": 2011, "来源链接": URL}],
    )
    _fill(
        path,
        "enterprises",
        [
            {
                "企业名称": "杭州示例智能科技有限公司",
                "所在城市": "杭州",
                "所在园区": "杭州未来科技城",
                "产业层": "技术层",
                "细分领域": "大模型/生成式AI",
                "成立年份": 2019,
                "注册资本（万元）": 1000,
                "名录类型": "样本",
            },
            {"企业名称": "南京示例芯片有限公司", "所在城市": "南京", "产业层": "基础层"},
        ],
    )
    indicators = pd.read_excel(path, sheet_name="indicators", dtype=str, engine="calamine")
    rows = []
    for i, city in enumerate(CITIES):
        for code in indicators["指标代码"]:
            if code == "gdp_per_capita":
                continue  # derived from gdp / resident_population
            if city == "合肥" and code == "resident_population":
                continue
            value, unit = _values(i, code)
            row = {
                "城市": city,
                "指标代码": code,
                "年份": 2024,
                "数值": value,
                "单位": unit,
                "数据类型": "实际",
                "是否核实": "是",
                "来源链接": URL,
                "来源等级": "A",
            }
            if city == "苏州" and code == "double_first_class_universities":
                row["来源链接"] = None  # no source: shown, never scored
            if city == "南京" and code == "gdp":
                row["单位"] = "亿元 (Q1-Q3 only)"  # part of the year: another scope
            rows.append(row)
    _fill(path, "observations", rows)
    db = folder / "own.duckdb"
    outputs = {}
    for table in ("indicators", "cities", "parks", "enterprises", "observations"):
        result = runner.invoke(
            app, ["ingest", str(path), "--table", table, "--sheet", table, "--db", str(db)]
        )
        outputs[table] = result
    return path, db, outputs, len(rows)


def test_every_template_header_is_one_ingest_reads():
    assert check_template_headers() == []


def test_the_template_holds_the_framework_and_drop_down_lists(tmp_path):
    path = write_template(tmp_path / "t.xlsx", framework="china_ai_20", year=2024)
    book = openpyxl.load_workbook(path)
    assert {"README", *TEMPLATE_COLUMNS, "weights", "settings", "lists"} <= set(book.sheetnames)
    spec, _ = load_framework_spec("china_ai_20")
    codes = [n["code"] for n in spec["nodes"] if n.get("level") == 1]
    indicators = pd.read_excel(path, sheet_name="indicators", dtype=str, engine="calamine")
    assert codes == list(indicators["指标代码"][: len(codes)])
    assert "resident_population" in set(indicators["指标代码"])  # an input of gdp_per_capita
    assert set(indicators["目标年份"]) == {"2024"}
    # the English meaning of each header is its comment
    assert "city" in book["observations"]["A1"].comment.text
    rules = {
        str(dv.sqref).split(":")[0]: dv.formula1
        for dv in book["observations"].data_validations.dataValidation
    }
    lists = pd.read_excel(path, sheet_name="lists", dtype=str, engine="calamine")
    assert rules["C2"].startswith("'lists'!$A$2")  # indicator codes
    assert list(lists["indicator_codes"].dropna()) == list(indicators["指标代码"])
    assert set(lists["kinds"].dropna()) == {"实际", "估计", "规划目标"}
    assert {"基础层", "技术层", "应用层"} == set(lists["layers"].dropna())


def test_the_filled_template_ingests_every_sheet_without_a_reject(filled):
    _, db, outputs, n_obs = filled
    for table, result in outputs.items():
        assert result.exit_code == 0, (table, result.output)
        assert " 0 rejected" in " ".join(result.output.split()), (table, result.output)
    with Store.open(db, read_only=True) as store:
        assert store_core.rejected_rows(store).empty
        assert (store_core.ingests(store)["n_rejected"] == 0).all()
        assert sorted(store_core.cities(store)["name_zh"]) == sorted(CITIES)
        assert len(store_core.observations(store)) == n_obs
        firms = store_core.enterprises(store)
        hz = firms[firms["city_code"] == "330100"].iloc[0]
        assert hz["segment"] == "large_models" and hz["layer"] == "technology"
        assert isinstance(hz["park_id"], str)  # matched to the park ingested from the parks sheet
        registry = store_core.indicators(store).set_index("code")
        assert registry.at["double_first_class_universities", "unit"] == "universities"


def test_coverage_shows_each_cell_under_the_evidence_rules(filled):
    _, db, _, _ = filled
    with Store.open(db, read_only=True) as store:
        cov = store_coverage(store, "china_ai_20")
    status = cov.cells.set_index(["unit_key", "indicator"])["status"]
    hz, nj, hf, sz = "330100", "320100", "340100", "320500"
    assert cov.reference_year == 2024
    assert status[(hz, "gdp")] == "real"
    assert status[(sz, "double_first_class_universities")] == "no_source"
    assert status[(nj, "gdp")] == "other_scope"  # Q1-Q3 is not a full-year GDP
    assert status[(hz, "gdp_per_capita")] == "real"  # derived from two real cells
    assert status[(hf, "gdp_per_capita")] == "missing"  # no population for 合肥
    summary = cov.indicators.set_index("code")
    assert summary.at["gdp", "real"] == 3 and bool(summary.at["gdp", "scored"])
    matrix = cov.matrix()
    assert sorted(matrix.columns[4:]) == sorted(CITIES)
    # the CLI prints city names and writes the same grid
    out = db.parent / "coverage.csv"
    result = runner.invoke(app, ["info", "--coverage", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "杭州" in result.output and "330100" not in result.output
    written = pd.read_csv(out)
    assert written.set_index("indicator").at["gdp", "南京"] == "other_scope"


def test_the_filled_panel_is_ranked(filled):
    _, db, _, _ = filled
    result = runner.invoke(app, ["evaluate", "--db", str(db), "--no-alternatives", "--top", "4"])
    assert result.exit_code == 0, result.output
    assert "reference year 2024" in result.output and "杭州" in result.output


def test_a_weights_sheet_becomes_the_framework_it_says(tmp_path):
    path = write_template(tmp_path / "fw.xlsx", framework="china_ai_20")
    book = openpyxl.load_workbook(path)
    ws = book["weights"]
    headers = [c.value for c in ws[1]]
    weight, direction = headers.index("权重") + 1, headers.index("方向") + 1
    ws.cell(row=2, column=weight, value=3)  # double the weight of the first indicator, and more
    ws.cell(row=3, column=direction, value=-1)
    book.save(path)
    out = tmp_path / "my.yaml"
    result = runner.invoke(
        app, ["framework", "new", "--from", str(path), "--out", str(out), "--name", "mine"]
    )
    assert result.exit_code == 0, result.output
    spec = yaml.safe_load(out.read_text(encoding="utf-8"))
    sheet = pd.read_excel(path, sheet_name="weights", engine="calamine")
    nodes = {n["code"]: n for n in spec["nodes"]}
    assert spec["name"] == "mine" and spec["index"]["code"] == "AI20"
    assert [n["code"] for n in spec["nodes"] if n["level"] == 1] == list(sheet["指标代码"])
    for row in sheet.itertuples(index=False):
        node = nodes[row.指标代码]
        assert node["parent"] == row.维度代码 and node["weight"] == row.权重
        assert node["direction"] == row.方向 and node["unit"] == row.单位
        assert nodes[row.维度代码]["weight"] == row.维度权重
    assert nodes["double_first_class_universities"]["weight"] == 3
    assert nodes["national_supercomputing_centre"]["direction"] == -1
    assert nodes["gdp_per_capita"]["derive"] == {
        "numerator": "gdp",
        "denominator": "resident_population",
        "scale": 10000.0,
    }


@pytest.fixture(scope="module")
def example_db(tmp_path_factory):
    from aicity.workflows.demo import build_demo

    out = tmp_path_factory.mktemp("example")
    build_demo(out).store.close()
    return out / "aicity.duckdb"


def test_the_template_weights_rank_the_example_as_the_bundled_framework(tmp_path, example_db):
    from aicity.store.runs import run_results
    from aicity.workflows.evaluate import evaluate

    path = write_template(tmp_path / "fw.xlsx", framework="china_ai_20")
    _, text = framework_from_sheet(path)
    mine = tmp_path / "mine.yaml"
    mine.write_text(text, encoding="utf-8")
    with Store.open(example_db) as store:
        bundled = evaluate(store, framework="china_ai_20", year=2023, alternatives=None)
        own = evaluate(store, framework=mine, year=2023, alternatives=None)
        a = run_results(store, bundled.run_id).query("code == 'AI20'").set_index("unit_key")
        b = run_results(store, own.run_id).query("code == 'AI20'").set_index("unit_key")
    assert bundled.record.data_hash == own.record.data_hash
    assert a["rank"].to_dict() == b["rank"].reindex(a.index).to_dict()
    assert (a["score"] - b["score"].reindex(a.index)).abs().max() < 1e-9


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("权重", "heavy", "column '权重': expected a number"),
        ("方向", "2", "column '方向': expected 1"),
        ("推导", "gdp divided by people", "column '推导': expected numerator / denominator"),
        ("指标代码", None, "column '指标代码': missing indicator code"),
    ],
)
def test_a_bad_weights_cell_is_one_line_naming_sheet_row_and_column(
    tmp_path, column, value, message
):
    path = write_template(tmp_path / "bad.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["weights"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=4, column=headers.index(column) + 1).value = value
    book.save(path)
    with pytest.raises(InputError) as caught:
        framework_from_sheet(path)
    text = str(caught.value)
    assert "(sheet weights)" in text and "row 4" in text and message in text
    assert "\n" not in text
    result = runner.invoke(
        app, ["framework", "new", "--from", str(path), "--out", str(tmp_path / "x.yaml")]
    )
    assert result.exit_code != 0 and not (tmp_path / "x.yaml").exists()
