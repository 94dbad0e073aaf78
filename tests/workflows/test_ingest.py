"""The ingest workflow: header mapping, row problems, strict mode, atomicity, idempotency, history."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aicity.errors import InputError, RowProblems
from aicity.store import Store, cities, enterprises, observations, rejected_rows
from aicity.workflows.ingest import ingest_file

OBS_ZH = (
    "城市,指标,数值,单位,年份,类型,来源,备注\n"
    '北京市,gdp,"43,760.7",亿元,2023,实际,https://example.gov.cn/bj,bulletin\n'
    "Hangzhou,gdp,2.0059万亿元,,2023,,https://example.com/hz,\n"
    "330100,rd_intensity,3.86%,% of GDP,2023,,https://example.com/hz2,\n"
    "全国,ai_core_industry_scale,5784,亿元,2023,,https://example.com/cn,national\n"
    "上海,gdp,539000000万元,,2024,estimate,,VERIFY later\n"
)


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _content(store: Store) -> dict[str, list[tuple]]:
    """Every core table's rows, for byte-for-byte content comparisons."""
    tables = [
        "sources",
        "cities",
        "parks",
        "enterprises",
        "indicators",
        "observations",
        "rejected_rows",
        "ingests",
    ]
    return {
        t: sorted(map(str, store.fetch_df(f"SELECT * FROM {t}").itertuples(index=False)))
        for t in tables
    }


def test_chinese_headers_units_and_places(tmp_path: Path) -> None:
    store = Store.memory()
    result = ingest_file(store, _write(tmp_path, "obs.csv", OBS_ZH, "gb18030"), "observations")
    assert (result.status, result.n_accepted, result.n_rejected, result.encoding) == (
        "ok",
        5,
        0,
        "gb18030",
    )
    obs = observations(store).set_index(["unit_key", "indicator", "year"])
    assert obs.loc[("110000", "gdp", 2023), "value"] == pytest.approx(43760.7)
    assert obs.loc[("330100", "gdp", 2023), "value"] == pytest.approx(
        20059.0
    )  # 2.0059万亿元 -> 亿元
    assert obs.loc[("310000", "gdp", 2024), "value"] == pytest.approx(53900.0)  # 万元 -> 亿元
    assert obs.loc[("330100", "rd_intensity", 2023), "value"] == pytest.approx(3.86)
    national = obs.loc[("CN", "ai_core_industry_scale", 2023)]
    assert national["unit_type"] == "nation"
    shanghai = obs.loc[("310000", "gdp", 2024)]
    assert shanghai["kind"] == "estimate" and shanghai["note"] == "VERIFY later"
    # cities referenced by facts are added from the admin-code reference data
    assert set(cities(store)["code"]) == {"110000", "330100", "310000"}
    assert obs.loc[("110000", "gdp", 2023), "reliability"] == "A"  # gov.cn source


def test_provenance_is_kept_to_the_row(tmp_path: Path) -> None:
    store = Store.memory()
    path = _write(tmp_path, "obs.csv", OBS_ZH)
    result = ingest_file(store, path, "observations")
    obs = observations(store)
    row = obs[obs["unit_key"] == "330100"].set_index("indicator").loc["rd_intensity"]
    assert (row["file"], row["row"], row["ingest_id"]) == (str(path), 4, result.ingest_id)
    assert row["source_url"] == "https://example.com/hz2" and row["unit"] == "% of GDP"


def test_english_headers_xlsx_with_header_unit(tmp_path: Path) -> None:
    store = Store.memory()
    path = tmp_path / "obs.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame(
            {
                "City": ["Beijing", "Shenzhen"],
                "Indicator": ["GDP", "地区生产总值"],
                "Value (万元)": [437607000, 346060000],
                "Year": [2023, 2023],
            }
        ).to_excel(writer, sheet_name="facts", index=False)
    result = ingest_file(store, path, "observations", sheet="facts")
    assert result.n_accepted == 2 and result.sheet == "facts"
    values = observations(store).set_index("unit_key")["value"]
    assert values["110000"] == pytest.approx(43760.7) and values["440300"] == pytest.approx(34606.0)
    assert set(observations(store)["sheet"]) == {"facts"}


def test_row_problems_are_kept_aside_with_reasons(tmp_path: Path) -> None:
    store = Store.memory()
    text = (
        "city,indicator,value,year,unit\n"
        "北京,gdp,abc,2023,亿元\n"  # bad number
        "Atlantis,gdp,1,2023,亿元\n"  # unknown city
        "北京,no_such_code,1,2023,\n"  # unknown indicator
        "北京,rd_intensity,250,2023,%\n"  # out of range
        "北京,gdp,5,2023,万人\n"  # unit of another kind
        "北京,gdp,43760.7,2023,亿元\n"  # fine
        "北京,gdp,43760.7,2023,亿元\n"  # duplicate
        "北京,gdp,1,20x3,亿元\n"  # bad year
    )
    result = ingest_file(store, _write(tmp_path, "o.csv", text), "observations")
    assert (result.n_rows, result.n_accepted, result.n_rejected, result.status) == (
        8,
        1,
        7,
        "partial",
    )
    rejected = rejected_rows(store).set_index("row")
    assert (
        rejected.loc[2, "reason"].startswith("expected a number")
        and rejected.loc[2, "value"] == "abc"
    )
    assert (
        rejected.loc[3, "column"] == "city"
        and "unknown city 'Atlantis'" in rejected.loc[3, "reason"]
    )
    assert "unknown indicator" in rejected.loc[4, "reason"]
    assert "out of range" in rejected.loc[5, "reason"]
    assert "does not match" in rejected.loc[6, "reason"]
    assert "duplicate" in rejected.loc[8, "reason"] and "row 7" in rejected.loc[8, "reason"]
    assert rejected.loc[9, "column"] == "year"
    assert len(observations(store)) == 1


def test_strict_writes_nothing(tmp_path: Path) -> None:
    store = Store.memory()
    before = _content(store)
    path = _write(tmp_path, "o.csv", "city,indicator,value\n北京,gdp,1\n北京,gdp,x\n")
    with pytest.raises(
        RowProblems, match=r"1 of 2 rows.*nothing written.*row 3, column 'value' 'x'"
    ):
        ingest_file(store, path, "observations", strict=True)
    assert _content(store) == before


def test_missing_required_column_is_a_file_error(tmp_path: Path) -> None:
    store = Store.memory()
    before = _content(store)
    path = _write(tmp_path, "o.csv", "city,value\n北京,1\n")
    with pytest.raises(InputError, match="missing required column 'indicator'"):
        ingest_file(store, path, "observations")
    assert _content(store) == before


def test_failure_mid_write_leaves_store_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.memory()
    ingest_file(store, _write(tmp_path, "a.csv", OBS_ZH), "observations")
    before = _content(store)
    from aicity.store import ingest as store_ingest

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_ingest, "add_rejected", boom)
    changed = OBS_ZH.replace("43,760.7", "43,999.9")
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_file(store, _write(tmp_path, "a.csv", changed), "observations")
    assert _content(store) == before


def test_same_file_twice_adds_nothing_and_changes_keep_history(tmp_path: Path) -> None:
    store = Store.memory()
    path = _write(tmp_path, "a.csv", OBS_ZH)
    ingest_file(store, path, "observations")
    before = _content(store)
    again = ingest_file(store, path, "observations")
    assert again.status == "unchanged" and _content(store) == before
    # same facts, different bytes (a trailing blank line): still nothing new apart from the log entry
    _write(tmp_path, "a.csv", OBS_ZH + "\n")
    assert ingest_file(store, path, "observations").n_changed == 0
    assert len(observations(store, current_only=False)) == 5
    # one value changed, one row dropped: old values stay as history
    lines = OBS_ZH.replace("43,760.7", "43,999.9").splitlines()
    _write(tmp_path, "a.csv", "\n".join(lines[:-1]) + "\n")
    result = ingest_file(store, path, "observations")
    assert result.n_changed == 1
    current = observations(store)
    history = observations(store, current_only=False)
    assert len(current) == 4 and len(history) == 6
    bj = history[(history["unit_key"] == "110000")].sort_values("obs_id")
    assert bj["value"].tolist() == pytest.approx([43760.7, 43999.9])
    assert bj["valid_to"].notna().tolist() == [True, False]


def test_enterprises_credit_codes_layers_and_ids(tmp_path: Path) -> None:
    store = Store.memory()
    text = (
        "企业名称,所在城市,统一社会信用代码,产业层,细分领域,成立日期,注册资本（万元）\n"
        '甲公司,北京,91350100M000100Y43,技术层,large_models,2016-05-01,"1,000"\n'
        "乙公司,杭州,91350100M000100Y44,,,,\n"
        "丙公司,深圳,,基础层,large_models,2019,\n"
        "丁公司,深圳,,,大模型/生成式AI,1700,\n"
        "戊公司,深圳,,,computer_vision,2020年,3.5万\n"
    )
    result = ingest_file(store, _write(tmp_path, "e.csv", text), "enterprises")
    assert result.n_accepted == 2
    firms = enterprises(store).set_index("name")
    first = firms.loc["甲公司"]
    assert first["enterprise_id"] == "91350100M000100Y43" and first["layer"] == "technology"
    assert first["founded"] == 2016 and first["size"] == 1000 and first["size_unit"] == "万元"
    fifth = firms.loc["戊公司"]
    assert fifth["enterprise_id"].startswith("ent-") and fifth["layer"] == "technology"
    assert fifth["size"] == 35000
    reasons = rejected_rows(store).set_index("row")["reason"]
    assert "check digit" in reasons[3]
    assert "does not match the segment" in reasons[4]
    assert "year out of range" in reasons[5]


def test_html_and_formula_text_is_stored_as_given(tmp_path: Path) -> None:
    store = Store.memory()
    text = 'name,city,note\n"<script>alert(1)</script>",北京,=HYPERLINK("x")\n'
    ingest_file(store, _write(tmp_path, "e.csv", text), "enterprises")
    row = enterprises(store).iloc[0]
    assert row["name"] == "<script>alert(1)</script>" and row["note"] == '=HYPERLINK("x")'


def test_parks_then_park_observations(tmp_path: Path) -> None:
    store = Store.memory()
    parks = "园区名称,城市,英文名称,开园时间,入驻企业数\n中国声谷,合肥,China Speech Valley,2013,1423 (2021)\n"
    ingest_file(store, _write(tmp_path, "p.csv", parks), "parks")
    park = store.fetch_df("SELECT * FROM parks").iloc[0]
    assert park["park_id"] == "hefei-china-speech-valley" and park["firms"] == 1423
    obs = "park,indicator,value,year\n中国声谷,park_firms,1423,2021\n不存在园,park_firms,1,2021\n"
    result = ingest_file(store, _write(tmp_path, "o.csv", obs), "observations")
    assert result.n_accepted == 1 and "unknown park" in result.rejected["reason"].iloc[0]
    assert observations(store, "park")["unit_key"].tolist() == ["hefei-china-speech-valley"]


def test_wide_observation_files_become_facts(tmp_path: Path) -> None:
    store = Store.memory()
    text = "城市,年份,GDP（亿元）,常住人口(万人),rd_intensity,备注\n北京,2023,43760.7,2185.8,6.73,a\n杭州,2023,20059,,x,b\n"
    result = ingest_file(store, _write(tmp_path, "wide.csv", text), "observations")
    assert (result.n_rows, result.n_accepted, result.n_rejected) == (5, 4, 1)
    obs = observations(store).set_index(["unit_key", "indicator"])
    assert obs.loc[("110000", "resident_population"), "value"] == pytest.approx(2185.8)
    assert obs.loc[("110000", "gdp"), "unit"] == "亿元" and obs.loc[("110000", "gdp"), "row"] == 2
    assert obs.loc[("330100", "gdp"), "note"] == "b"
    bad = rejected_rows(store).iloc[0]
    assert (bad["row"], bad["column"], bad["value"]) == (3, "rd_intensity", "x")


def test_year_columns_become_facts(tmp_path: Path) -> None:
    store = Store.memory()
    text = "城市,指标,单位,2022年,2023\n北京,gdp,亿元,41610.9,43760.7\n上海,gdp,亿元,,47218.7\n杭州,gdp,亿元,18753,abc\n"
    result = ingest_file(store, _write(tmp_path, "years.csv", text), "observations")
    assert (result.n_rows, result.n_accepted, result.n_rejected) == (5, 4, 1)
    obs = observations(store).set_index(["unit_key", "year"])["value"]
    assert obs[("110000", 2022)] == pytest.approx(41610.9) and obs[
        ("310000", 2023)
    ] == pytest.approx(47218.7)
    bad = rejected_rows(store).iloc[0]
    assert (bad["row"], bad["column"], bad["value"]) == (4, "2023", "abc")


def test_repeated_credit_code_is_a_duplicate_enterprise(tmp_path: Path) -> None:
    store = Store.memory()
    text = (
        "企业名称,所在城市,统一社会信用代码\n"
        "甲公司,北京,91350100M000100Y43\n"
        "乙公司,杭州,91110000600001760P\n"
        "甲公司分部,北京,91350100M000100Y43\n"
        "丙公司,不存在市,91110000600001760P\n"  # a bad row does not make the good one a repeat
    )
    result = ingest_file(store, _write(tmp_path, "dup.csv", text), "enterprises")
    assert (result.n_accepted, result.n_rejected) == (2, 2)
    reasons = rejected_rows(store).set_index("row")["reason"]
    assert "duplicate enterprise (first seen in row 2)" in reasons[4]
    assert "duplicate" not in reasons[5]


def test_a_rejected_row_adds_no_source(tmp_path: Path) -> None:
    from aicity.store import sources

    store = Store.memory()
    text = (
        "企业名称,所在城市,统一社会信用代码,来源\n"
        "甲公司,北京,91350100M000100Y43,https://example.com/kept\n"
        "乙公司,不存在市,91110000600001760P,https://example.com/rejected\n"
    )
    result = ingest_file(store, _write(tmp_path, "src.csv", text), "enterprises")
    assert (result.n_accepted, result.n_rejected) == (1, 1)
    assert sources(store)["url"].tolist() == ["https://example.com/kept"]
    firm = enterprises(store).iloc[0]
    assert firm["name"] == "甲公司" and not pd.isna(firm["source_id"])


def test_firms_in_two_files_keep_one_row_per_id(tmp_path: Path) -> None:
    from aicity.store.ingest import entity_history

    store = Store.memory()
    first = "企业名称,所在城市,统一社会信用代码\n甲公司,北京,91350100M000100Y43\n乙公司,杭州,91110000600001760P\n"
    second = "企业名称,所在城市,统一社会信用代码\n甲公司（新名）,北京,91350100M000100Y43\n乙公司,杭州,91110000600001760P\n"
    ingest_file(store, _write(tmp_path, "a.csv", first), "enterprises")
    result = ingest_file(store, _write(tmp_path, "b.csv", second), "enterprises")
    assert result.n_changed == 1
    firms = enterprises(store)
    assert firms["enterprise_id"].is_unique and len(firms) == 2
    assert firms.set_index("enterprise_id").loc["91350100M000100Y43", "name"] == "甲公司（新名）"
    assert entity_history(store, "enterprises")["entity_key"].tolist() == ["91350100M000100Y43"]


def test_unchanged_bytes_are_not_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    store = Store.memory()
    path = _write(tmp_path, "a.csv", OBS_ZH, encoding="gb18030")
    first = ingest_file(store, path, "observations")

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged file was parsed")

    monkeypatch.setattr("aicity.workflows.ingest.parse", no_parsing)
    again = ingest_file(store, path, "observations")
    assert again.status == "unchanged" and again.previous_ingest == first.ingest_id
    assert (again.n_rows, again.encoding, again.sheet) == (5, "gb18030", None)


def test_a_broken_line_deep_in_a_big_file_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aicity.io import read

    monkeypatch.setattr(read, "_PIECE", 64)  # the broken line is met in a later piece
    store = Store.memory()
    lines = ["企业名称,所在城市"] + [f"公司{i},北京" for i in range(40)]
    lines[35] = "公司34,北京,多余"
    path = _write(tmp_path, "e.csv", "\n".join(lines) + "\n", encoding="gb18030")
    before = _content(store)
    with pytest.raises(InputError, match="expected 2 fields as in the header, got 3") as err:
        ingest_file(store, path, "enterprises")
    assert err.value.row == 36
    assert _content(store) == before


def _firm_rows(store: Store) -> list[tuple]:
    return sorted(map(str, store.fetch_df("SELECT * FROM enterprises").itertuples(index=False)))


@pytest.mark.parametrize("part_rows", [3, 1000])
def test_a_big_first_load_goes_in_key_ordered_parts_with_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part_rows: int
) -> None:
    """A big append is inserted sorted by key in key-range parts (faster unique indexes): every row
    lands once, firms without a credit code included, exactly as a small file's plain append."""
    from aicity.io.credit import check_char
    from aicity.store import ingest as store_ingest

    codes = [body + check_char(body) for body in (f"91110108MA01ABC{i:02d}" for i in range(9))]
    lines = ["企业名称,所在城市,统一社会信用代码"]
    lines += [f"公司{i},北京,{code}" for i, code in enumerate(codes)]
    lines += [f"无码公司{i},上海," for i in range(5)]
    path = _write(tmp_path, "firms.csv", "\n".join(lines) + "\n")
    plain = Store.memory()
    ingest_file(plain, path, "enterprises")
    monkeypatch.setattr(store_ingest, "SORTED_APPEND_ROWS", 1)
    monkeypatch.setattr(store_ingest, "SORTED_PART_ROWS", part_rows)
    parted = Store.memory()
    result = ingest_file(parted, path, "enterprises")
    assert (result.n_new, result.n_accepted) == (14, 14)
    assert _firm_rows(parted) == _firm_rows(plain)
    ids = parted.fetch_df("SELECT enterprise_id FROM enterprises")["enterprise_id"].tolist()
    assert ids == sorted(ids)


def test_a_firm_key_repeated_across_parts_is_still_given_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts are statements of one transaction: a repeat in a later part is named as the file's
    own repeat (not as a row already stored), as one statement names it, and nothing is written."""
    from aicity.store import ingest as store_ingest

    text = "企业编号,企业名称,城市,统一社会信用代码\n" + "".join(
        f"id-{i},公司{i},北京,{'91350100M000100Y43' if i in (0, 7) else ''}\n" for i in range(8)
    )
    path = _write(tmp_path, "twice.csv", text)
    with pytest.raises(InputError) as whole:
        ingest_file(Store.memory(), path, "enterprises")
    monkeypatch.setattr(store_ingest, "SORTED_APPEND_ROWS", 1)
    monkeypatch.setattr(store_ingest, "SORTED_PART_ROWS", 2)
    store = Store.memory()
    with pytest.raises(InputError, match="credit code '91350100M000100Y43' is given twice") as err:
        ingest_file(store, path, "enterprises")
    assert str(err.value) == str(whole.value) and err.value.row == 9
    assert store.fetch_one("SELECT count(*) FROM enterprises") == 0
