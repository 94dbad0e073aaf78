from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from aicity.errors import InputError
from aicity.inventory.synth import CITIES, SynthSpec, generate, write
from aicity.inventory.taxonomy import load_taxonomy


def test_rows_are_marked_synthetic_and_plausible():
    t = pa.concat_tables(generate(SynthSpec(rows=5000, seed=1, chunk_rows=2000))).to_pandas()
    assert len(t) == 5000 and t["enterprise_id"].is_unique
    assert t["is_synthetic"].all() and t["note"].str.contains("SYNTHETIC").all()
    assert t["enterprise_id"].str.startswith("SYN1-").all()
    # a company name, then its id: one firm per name and city, as the store requires
    assert (t["name"].str.split("·").str[0].str.endswith("公司")).all()
    assert (t["name"].str.split("·").str[1] == t["enterprise_id"]).all()
    assert not t.duplicated(["name", "city_code"]).any()
    assert set(t["city_code"]) <= {c for c, _, _ in CITIES}
    assert set(t["true_segment"]) <= set(load_taxonomy().codes)
    # about 10 % carry their true label as input; the rest are unlabelled
    labelled = t["segment"].notna()
    assert 0.07 < labelled.mean() < 0.13
    assert (t.loc[labelled, "segment"] == t.loc[labelled, "true_segment"]).all()
    # Beijing is the largest city, the application layer the largest layer
    assert t["city_code"].value_counts().index[0] == "110000"
    assert t["true_layer"].value_counts().index[0] == "application"
    assert t["description"].str.endswith("。").all()


def test_same_seed_same_rows_whatever_the_chunking():
    a = pa.concat_tables(generate(SynthSpec(rows=3000, seed=9, chunk_rows=3000))).to_pandas()
    b = pa.concat_tables(generate(SynthSpec(rows=3000, seed=9, chunk_rows=3000))).to_pandas()
    pd.testing.assert_frame_equal(a, b)
    c = pa.concat_tables(generate(SynthSpec(rows=3000, seed=10, chunk_rows=3000))).to_pandas()
    assert not a["description"].equals(c["description"])


def test_write_parquet_csv_and_bad_suffix(tmp_path: Path):
    n = write(SynthSpec(rows=1200, seed=2, chunk_rows=500), tmp_path / "f.parquet")
    assert n == 1200 and len(pd.read_parquet(tmp_path / "f.parquet")) == 1200
    write(SynthSpec(rows=10, seed=2), tmp_path / "f.csv")
    assert len(pd.read_csv(tmp_path / "f.csv")) == 10
    assert write(SynthSpec(rows=0, seed=2), tmp_path / "empty.parquet") == 0
    assert len(pd.read_parquet(tmp_path / "empty.parquet")) == 0
    with pytest.raises(InputError, match=r"expected an output ending \.parquet or \.csv"):
        write(SynthSpec(rows=10), tmp_path / "f.json")
