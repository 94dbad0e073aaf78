"""Project inventory: ingest (万元 -> 亿元, rejects kept aside), the per-city summary with planned,
signed and actual amounts apart, the firm's layer, and the inventory workflow's copy of it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aicity.store import Store, rejected_rows
from aicity.store.projects import projects
from aicity.workflows.ingest import ingest_file
from aicity.workflows.projects import (
    AMOUNT_KINDS,
    SUMMARY_COLUMNS,
    city_projects,
    project_list,
    project_summary,
)

PROJECTS = (
    "项目名称,城市,企业,类型,投资额（万元）,阶段,金额口径,年份,来源,备注\n"
    "讯飞基地,合肥,科大讯飞股份有限公司,产业项目,1000000,在建,,2022,https://example.gov.cn/a,总投资100亿元\n"
    "智算一期,合肥,,算力中心,50000,投产,实际,2023,https://example.com/b,完成投资5亿元\n"
    "签约平台,合肥,,平台,20000,签约,,2024,https://example.com/c,签约2亿元\n"
    "场景,Hangzhou,,应用场景,,投产,,2023,https://example.com/d,\n"
    "坏行,合肥,,工厂,10,在建,,2023,https://example.com/e,\n"
)
FIRMS = "企业名称,城市,产业层,细分领域\n科大讯飞 iFlytek,合肥,技术层,speech\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    store = Store.memory()
    ingest_file(store, _write(tmp_path, "firms.csv", FIRMS), "enterprises")
    ingest_file(store, _write(tmp_path, "projects.csv", PROJECTS), "projects")
    return store


def test_investment_in_wan_yuan_is_stored_in_yi_yuan(store: Store) -> None:
    stored = projects(store).set_index("name")
    assert stored.loc["讯飞基地", "investment_yi"] == pytest.approx(100.0)
    assert stored.loc["智算一期", "investment_yi"] == pytest.approx(5.0)
    assert stored.loc["讯飞基地", "investment_text"] == "1000000 万元"
    assert stored.loc["讯飞基地", "source_url"] == "https://example.gov.cn/a"
    assert stored.loc["场景", "city_code"] == "330100"


def test_rejected_rows_are_kept_aside_with_row_and_column(store: Store) -> None:
    rejected = rejected_rows(store)
    assert list(rejected[["row", "column", "value"]].itertuples(index=False, name=None)) == [
        (6, "kind", "工厂")
    ]
    assert "坏行" not in set(projects(store)["name"])


def test_a_second_ingest_of_the_same_file_adds_nothing(store: Store, tmp_path: Path) -> None:
    again = ingest_file(store, tmp_path / "projects.csv", "projects")
    assert again.status == "unchanged" and len(projects(store)) == 4


def test_planned_signed_and_actual_amounts_are_summed_apart(store: Store) -> None:
    summary = project_summary(store)
    assert list(summary.columns) == SUMMARY_COLUMNS  # no column adds the kinds together
    hefei = summary[(summary["city_code"] == "340100") & (summary["dimension"] == "all")].iloc[0]
    assert hefei["n_projects"] == 3
    assert (hefei["planned_yi"], hefei["signed_yi"], hefei["actual_yi"]) == (100.0, 2.0, 5.0)
    assert (hefei["n_planned"], hefei["n_signed"], hefei["n_actual"]) == (1, 1, 1)
    by_stage = summary[(summary["city_code"] == "340100") & (summary["dimension"] == "stage")]
    built = by_stage.set_index("group").loc["under_construction"]
    assert built["planned_yi"] == 100.0 and pd.isna(built["actual_yi"])
    hangzhou = summary[(summary["city_code"] == "330100") & (summary["dimension"] == "all")]
    assert hangzhou.iloc[0]["n_projects"] == 1
    assert all(pd.isna(hangzhou.iloc[0][f"{k}_yi"]) for k in AMOUNT_KINDS)


def test_a_project_counts_under_the_layer_of_its_firm(store: Store) -> None:
    listed = project_list(store, "340100").set_index("name")
    # '科大讯飞股份有限公司' in the project names the listed firm '科大讯飞 iFlytek'
    assert str(listed.loc["讯飞基地", "matched_id"]).startswith("ent-")
    assert listed.loc["讯飞基地", "layer"] == "technology"
    assert pd.isna(listed.loc["智算一期", "layer"])
    by_layer = project_summary(store, "340100")
    layers = by_layer[by_layer["dimension"] == "layer"].set_index("group")["n_projects"]
    assert layers.to_dict() == {"technology": 1, "unmatched": 2}


def test_city_records_label_every_amount_with_what_it_is(store: Store) -> None:
    data = city_projects(store, "340100")
    amounts = {p["name"]: (p["amount_zh"], p["amount_en"]) for p in data["items"]}
    assert amounts["讯飞基地"] == ("100 亿元（计划）", "100 亿元 (planned)")
    assert amounts["智算一期"] == ("5 亿元（实际）", "5 亿元 (actual)")
    assert amounts["签约平台"][1] == "2 亿元 (signed)"
    assert data["note_zh"] and data["note_en"]


def test_the_inventory_workflow_derives_the_project_summary(store: Store) -> None:
    from aicity.workflows.inventory import inventory

    result = inventory(store, year=2024)
    assert set(result.projects["city_code"]) == {"340100", "330100"}
    assert result.projects.equals(project_summary(store))
