import sys
from pathlib import Path

import pandas as pd
import pytest

from aicity.errors import StoreError
from aicity.store import Store
from aicity.store.runs import (
    compare_runs,
    delete_run,
    latest_run_id,
    list_runs,
    load_run,
    run_results,
    save_run,
    save_uncertainty,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from eval_run_factory import make_run


def test_save_and_load_round_trip():
    store = Store.memory()
    record = make_run("r1")
    save_run(store, record)
    run = load_run(store, "r1")
    meta = run.meta
    assert meta["n_units"] == 6 and meta["n_indicators"] == 6
    assert meta["data_hash"] == record.data_hash and meta["reference_year"] == 2024
    for name, frame in record.tables.items():
        assert len(getattr(run, name.removeprefix("eval_"))) == len(frame), name
    original = (
        record.tables["eval_results"]
        .sort_values(["scheme", "unit_key", "code"])
        .reset_index(drop=True)
    )
    stored = run.results.sort_values(["scheme", "unit_key", "code"]).reset_index(drop=True)
    pd.testing.assert_series_equal(original["score"], stored["score"], check_names=False)
    assert latest_run_id(store) == "r1"


def test_duplicate_run_id_is_refused_and_nothing_half_written():
    store = Store.memory()
    save_run(store, make_run("r1"))
    with pytest.raises(StoreError, match="already exists"):
        save_run(store, make_run("r1"))
    assert len(list_runs(store)) == 1


def test_unknown_run_names_the_latest():
    store = Store.memory()
    save_run(store, make_run("r1"))
    with pytest.raises(StoreError, match=r"'nope' not found.*r1"):
        load_run(store, "nope")
    with pytest.raises(StoreError, match="no evaluation run"):
        latest_run_id(Store.memory())


def test_compare_runs_gives_rank_and_score_changes():
    store = Store.memory()
    save_run(store, make_run("a", seed=0))
    save_run(store, make_run("b", seed=1))
    changes = compare_runs(store, "a", "b")
    overall = changes[changes["code"] == "AI20"].set_index("unit_key")
    a = run_results(store, "a").query("code == 'AI20'").set_index("unit_key")
    b = run_results(store, "b").query("code == 'AI20'").set_index("unit_key")
    for key in a.index:
        assert overall.at[key, "rank_change"] == a.at[key, "rank"] - b.at[key, "rank"]
        assert overall.at[key, "score_change"] == pytest.approx(
            b.at[key, "score"] - a.at[key, "score"]
        )


def test_uncertainty_replaces_same_stats_and_delete_removes_everything():
    store = Store.memory()
    save_run(store, make_run("r1", with_uncertainty=False))
    frame = pd.DataFrame(
        {"unit_key": ["110000"], "code": ["AI20"], "stat": ["rank_q05"], "value": [1.0]}
    )
    save_uncertainty(store, "r1", frame)
    save_uncertainty(store, "r1", frame.assign(value=2.0))
    run = load_run(store, "r1")
    assert run.uncertainty["value"].tolist() == [2.0]
    delete_run(store, "r1")
    assert list_runs(store).empty
    assert store.fetch_one("SELECT count(*) FROM eval_results") == 0
