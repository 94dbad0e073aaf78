"""The learned classify run stores the same rows whether its predictions are written in one go or in
slices (``STREAM_ROWS``), labelled firms included."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aicity.inventory.synth import SynthSpec, generate
from aicity.store import Store
from aicity.workflows import classification as wf_classify
from aicity.workflows import models as wf_models
from aicity.workflows.ingest import ingest_file


def example_store(path: Path) -> Store:
    store = Store.open(path)
    folder = resources.files("aicity.data.example")
    for name in ("cities", "parks", "enterprises"):
        with resources.as_file(folder.joinpath(f"{name}.csv")) as file:
            ingest_file(store, file, name, label=f"example/{name}.csv")
    return store


def test_slices_store_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = example_store(tmp_path / "s.duckdb")  # 77 firms with segment labels
    frame = next(generate(SynthSpec(rows=400, seed=5, chunk_rows=400))).to_pandas()
    labels = tmp_path / "labels.csv"
    frame.iloc[:300][["name", "description", "true_segment"]].rename(
        columns={"true_segment": "segment"}
    ).to_csv(labels, index=False)
    wf_models.train(store, labels)
    firms = frame.iloc[300:][["enterprise_id", "name", "description", "city_code"]]
    store.insert_df("enterprises", firms.assign(is_synthetic=True))

    def stored(run_id: int) -> pd.DataFrame:
        return store.fetch_df(
            "SELECT * EXCLUDE (run_id) FROM classifications WHERE run_id = ? ORDER BY enterprise_id",
            [run_id],
        )

    whole = wf_classify.classify(store, method="learned")
    monkeypatch.setattr(wf_classify, "STREAM_ROWS", 7)
    sliced = wf_classify.classify(store, method="learned")
    a, b = stored(whole.run_id), stored(sliced.run_id)
    assert len(a) == 177 and (a["method"] == "input").sum() == 77
    # the score is a float from matrix products whose summation order follows the slice size: equal
    # to the last bits (1e-16 seen), not bit for bit; every other column is exact
    pd.testing.assert_frame_equal(
        a.drop(columns="score"), b.drop(columns="score"), check_exact=True
    )
    np.testing.assert_allclose(a["score"], b["score"], rtol=1e-12, atol=1e-12)
    assert a["score"].isna().equals(b["score"].isna())
    store.close()
