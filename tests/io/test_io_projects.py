"""Validation of a projects file: kinds, stages, years, amounts in 万元/亿元 stored in 亿元, rejects."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from aicity.io.cities import default_resolver
from aicity.io.read import RawTable
from aicity.io.tables import Context, validate


def _raw(columns: list[str], rows: list[list[str]]) -> RawTable:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([columns, *rows])
    frame = pd.read_csv(io.StringIO(text.getvalue()), dtype="string", keep_default_na=False)
    return RawTable.of(frame.replace("", pd.NA), "p.csv", "csv", first_row=2)


def _check(columns: list[str], rows: list[list[str]]):
    return validate(_raw(columns, rows), "projects", Context(resolver=default_resolver()))


HEAD = ["项目名称", "城市", "类型", "投资额", "阶段", "年份"]


def test_a_header_in_wan_yuan_is_stored_in_yi_yuan() -> None:
    checked = _check(
        ["项目名称", "城市", "类型", "投资额（万元）", "阶段", "年份"],
        [["智算中心", "合肥", "算力中心", "50,000", "在建", "2024"]],
    )
    row = checked.rows.iloc[0]
    assert row["investment_yi"] == pytest.approx(5.0)
    assert row["investment_text"] == "50,000 万元"
    assert (row["kind"], row["stage"], row["year"]) == (
        "computing_centre",
        "under_construction",
        2024,
    )


@pytest.mark.parametrize(
    ("cell", "unit", "expected"),
    [
        ("3.5亿元", None, 3.5),  # a unit in the cell is absolute
        ("5000万元", None, 0.5),
        ("3.5亿", None, 3.5),  # a magnitude without 元 in the cell is yuan
        ("12", None, 12.0),  # no unit anywhere: 亿元
        ("97900", "万元", 9.79),  # a unit column
        ("1200000000", "元", 12.0),
    ],
)
def test_amounts_are_converted_to_yi_yuan(cell: str, unit: str | None, expected: float) -> None:
    columns = [*HEAD, "单位"] if unit else HEAD
    row = ["项目", "北京", "产业项目", cell, "签约", "2023", *([unit] if unit else [])]
    checked = _check(columns, [row])
    assert checked.n_rejected == 0
    assert checked.rows.iloc[0]["investment_yi"] == pytest.approx(expected)


def test_english_headers_and_values_are_read() -> None:
    checked = _check(
        ["name", "city", "kind", "investment", "stage", "year", "amount_kind"],
        [["AI park", "Hangzhou", "application_scenario", "2", "in_operation", "2022", "actual"]],
    )
    row = checked.rows.iloc[0]
    assert (row["city_code"], row["kind"], row["stage"], row["amount_kind"]) == (
        "330100",
        "application_scenario",
        "in_operation",
        "actual",
    )


def test_an_amount_is_signed_for_a_signing_and_planned_otherwise_unless_stated() -> None:
    checked = _check(
        [*HEAD, "金额口径"],
        [
            ["A", "北京", "平台", "10", "签约", "2023", ""],
            ["B", "北京", "平台", "10", "在建", "2023", ""],
            ["C", "北京", "平台", "10", "投产", "2023", "实际"],
            ["D", "北京", "平台", "", "投产", "2023", "计划"],
        ],
    )
    kinds = checked.rows.set_index("name")["amount_kind"]
    assert kinds["A"] == "signed" and kinds["B"] == "planned" and kinds["C"] == "actual"
    assert pd.isna(kinds["D"])  # no amount, no amount kind


def test_bad_rows_are_rejected_one_line_each_by_row_and_column() -> None:
    checked = _check(
        HEAD,
        [
            ["ok", "北京", "平台", "1", "签约", "2023"],
            ["bad kind", "北京", "工厂", "1", "签约", "2023"],
            ["bad stage", "北京", "平台", "1", "完工", "2023"],
            ["bad year", "北京", "平台", "1", "签约", "1850"],
            ["negative", "北京", "平台", "-5", "签约", "2023"],
            ["unknown city", "火星", "平台", "1", "签约", "2023"],
            ["too big", "北京", "平台", "500000000", "签约", "2023"],
        ],
    )
    assert checked.n_accepted == 1 and checked.n_rejected == 6
    got = {(int(r.row), r.column) for r in checked.rejected.itertuples()}
    assert got == {
        (3, "kind"),
        (4, "stage"),
        (5, "year"),
        (6, "investment"),
        (7, "city"),
        (8, "investment"),
    }
    reasons = dict(zip(checked.rejected["row"], checked.rejected["reason"], strict=True))
    assert "产业项目/平台/算力中心/应用场景" in reasons[3]
    assert "签约/在建/投产" in reasons[4]
    assert ">= 0" in reasons[6]
    assert "unknown city" in reasons[7]
    assert "check the unit" in reasons[8]
    assert all("\n" not in r for r in checked.rejected["reason"])


def test_a_non_money_unit_and_a_repeated_project_are_rejected() -> None:
    checked = _check(
        [*HEAD, "单位"],
        [
            ["A", "北京", "平台", "10", "签约", "2023", "万人"],
            ["B", "北京", "平台", "10", "签约", "2023", "亿元"],
            ["B", "北京市", "平台", "12", "在建", "2024", "亿元"],
        ],
    )
    rejected = checked.rejected.set_index("row")
    assert rejected.loc[2, "column"] == "unit" and "money unit" in rejected.loc[2, "reason"]
    assert "duplicate project" in rejected.loc[4, "reason"]
