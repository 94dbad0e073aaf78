"""Derived indicators on a small, hand-checked inventory; DuckDB = Spark."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from aicity.inventory.derive import FIRM_SCHEMA, DeriveParams, indicator_definitions, run_derivation
from aicity.inventory.engines import duckdb_backend, spark_backend
from aicity.inventory.synth import SynthSpec, generate
from aicity.inventory.taxonomy import load_taxonomy

# 6 firms: Beijing 3 (one in park p1), Shanghai 2, one firm with no city (counts for the nation only)
FIRMS = pd.DataFrame(
    {
        "enterprise_id": ["a", "b", "c", "d", "e", "f"],
        "city_code": ["110000", "110000", "110000", "310000", "310000", None],
        "park_id": ["p1", None, None, "p2", None, None],
        "layer": [
            "foundation",
            "technology",
            "technology",
            "application",
            "application",
            "application",
        ],
        "segment": ["ai_chips", "large_models", "large_models", "robotics", None, "robotics"],
        "founded": [2019, 2019, 2021, 2020, None, None],
        "size": [100.0, 50.0, 10.0, 80.0, None, 5.0],
    }
)


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


@pytest.fixture(scope="module")
def derived(tax):
    con = duckdb_backend()
    return run_derivation(
        con, ibis.memtable(FIRMS, schema=FIRM_SCHEMA), tax, DeriveParams(2025, 0.4)
    )


def value(d: pd.DataFrame, unit_type: str, key: str, indicator: str, year: int = 2025) -> float:
    hit = d[
        (d.unit_type == unit_type)
        & (d.unit_key == key)
        & (d.indicator == indicator)
        & (d.year == year)
    ]
    assert len(hit) == 1, (unit_type, key, indicator, year)
    return float(hit["value"].iloc[0])


def test_counts_and_shares(derived):
    assert value(derived, "city", "110000", "inv_firms_total") == 3
    assert value(derived, "nation", "CN", "inv_firms_total") == 6
    assert value(derived, "city", "110000", "inv_firms_technology") == 2
    assert value(derived, "city", "110000", "inv_firms_application") == 0  # zeros are kept
    assert value(derived, "city", "110000", "inv_firms_seg_large_models") == 2
    assert value(derived, "city", "110000", "inv_firms_seg_robotics") == 0
    assert value(derived, "city", "110000", "inv_share_technology") == pytest.approx(2 / 3)
    # Shanghai: firm e has a layer but no segment: it counts for layers, not for segments
    assert value(derived, "city", "310000", "inv_share_application") == 1.0
    assert value(derived, "city", "310000", "inv_firms_seg_robotics") == 1
    assert value(derived, "nation", "CN", "inv_share_application") == pytest.approx(3 / 6)
    assert value(derived, "park", "p1", "inv_firms_total") == 1


def test_completeness_lq_hhi(derived):
    # Beijing has 1 of 5 foundation segments, 1 of 8 technology, 0 of 15 application; 2 of 28 overall
    assert value(derived, "city", "110000", "inv_chain_completeness_foundation") == pytest.approx(
        1 / 5
    )
    assert value(derived, "city", "110000", "inv_chain_completeness_technology") == pytest.approx(
        1 / 8
    )
    assert value(derived, "city", "110000", "inv_chain_completeness_application") == 0
    assert value(derived, "city", "110000", "inv_chain_completeness") == pytest.approx(2 / 28)
    # location quotient: Beijing technology share 2/3 over national 2/6
    assert value(derived, "city", "110000", "inv_lq_technology") == pytest.approx((2 / 3) / (2 / 6))
    assert value(derived, "city", "110000", "inv_lq_seg_large_models") == pytest.approx(
        (2 / 3) / (2 / 5)
    )
    # HHI over segment shares of classified firms: Beijing (1/3)^2 + (2/3)^2
    assert value(derived, "city", "110000", "inv_hhi") == pytest.approx(1 / 9 + 4 / 9)
    assert value(derived, "nation", "CN", "inv_hhi") == pytest.approx(
        (1 / 5) ** 2 + (2 / 5) ** 2 + (2 / 5) ** 2
    )


def test_anchor_firms_and_new_firms(derived):
    # 5 firms with a size, top 40 % -> k = 2 -> threshold 80: firms a (Beijing, p1) and d (Shanghai, p2)
    assert derived.attrs["anchor_threshold"] == 80.0
    assert value(derived, "city", "110000", "inv_anchor_firms") == 1
    assert value(derived, "city", "310000", "inv_anchor_firms") == 1
    assert value(derived, "park", "p1", "inv_anchor_firms") == 1
    assert value(derived, "nation", "CN", "inv_anchor_firms") == 2
    assert value(derived, "city", "110000", "inv_new_firms", 2019) == 2
    assert value(derived, "city", "110000", "inv_new_firms", 2021) == 1
    assert value(derived, "nation", "CN", "inv_new_firms", 2020) == 1


def test_every_code_is_registered(derived, tax):
    codes = set(indicator_definitions(tax)["code"])
    assert set(derived["indicator"]) <= codes


def test_empty_inventory_gives_no_rows(tax):
    con = duckdb_backend()
    out = run_derivation(
        con, ibis.memtable(FIRMS.iloc[0:0], schema=FIRM_SCHEMA), tax, DeriveParams(2025)
    )
    assert out.empty and out.attrs["anchor_threshold"] is None


def test_no_size_measure_skips_anchors(tax):
    con = duckdb_backend()
    out = run_derivation(
        con, ibis.memtable(FIRMS.assign(size=None), schema=FIRM_SCHEMA), tax, DeriveParams(2025)
    )
    assert "inv_anchor_firms" not in set(out["indicator"])


@pytest.mark.spark
def test_spark_equals_duckdb(spark, tax, tmp_path):
    """The same Ibis expression on PySpark local[2] gives the DuckDB rows (values to 1e-12).

    Both engines read the same Parquet file, as ``aicity inventory --engine spark`` does.
    """
    synthetic = next(
        generate(SynthSpec(rows=3000, seed=3, label_share=1.0, chunk_rows=3000))
    ).to_pandas()
    synthetic["park_id"] = (
        synthetic["enterprise_id"].str[-1].map(lambda d: f"park{d}" if d in "012" else None)
    )
    frames = pd.concat([FIRMS, synthetic[FIRMS.columns]], ignore_index=True)
    path = tmp_path / "firms.parquet"
    frames.astype({"founded": "Int64"}).to_parquet(path)
    params = DeriveParams(2025, 0.05)
    duck, sparkcon = duckdb_backend(), spark_backend(spark)
    ours = run_derivation(duck, duck.read_parquet(str(path)), tax, params)
    theirs = run_derivation(sparkcon, sparkcon.read_parquet(str(path)), tax, params)
    assert ours.attrs["anchor_threshold"] == theirs.attrs["anchor_threshold"]
    assert len(ours) == len(theirs) > 1000
    assert set(ours.loc[ours.unit_type == "city", "unit_key"]) == set(
        FIRMS.city_code.dropna()
    ) | set(synthetic.city_code)
    pd.testing.assert_frame_equal(
        ours[["unit_type", "unit_key", "indicator", "year"]],
        theirs[["unit_type", "unit_key", "indicator", "year"]],
    )
    assert (ours["value"] - theirs["value"]).abs().max() <= 1e-12
