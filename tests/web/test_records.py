"""The values the explorer hands out (aicity.web.records): JSON-safe rows, rounded numbers, script-safe JSON."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from aicity.web.records import number, records, script_json, whole


def test_records_turn_missing_values_and_numpy_scalars_into_plain_python():
    frame = pd.DataFrame(
        {"a": [1, 2], "b": [np.nan, 2.5], "c": pd.array(["x", pd.NA], dtype="string")}
    )
    rows = records(frame)
    assert rows == [{"a": 1, "b": None, "c": "x"}, {"a": 2, "b": 2.5, "c": None}]
    assert type(rows[0]["a"]) is int
    json.dumps(rows)  # every value serialises


def test_number_and_whole_round_and_refuse_what_is_not_a_number():
    assert number(np.float64(1.234567)) == 1.2346
    assert number(float("nan")) is None and number("x") is None and number(None) is None
    assert whole(np.float64(3.0)) == 3 and whole(float("nan")) is None


def test_script_json_cannot_close_its_script_block():
    raw = json.dumps({"label": "</script><!--"})
    safe = script_json(raw)
    assert "<" not in safe
    assert json.loads(safe) == {"label": "</script><!--"}
