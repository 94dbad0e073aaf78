"""build(): invariance to the order of units and indicators' rows, data override, empty data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aicity.errors import ConfigError
from aicity.index import Framework, Recipe, build


def test_unit_order_does_not_change_any_result(coinr_asem, result_b):
    imeta = pd.read_csv(coinr_asem / "input_iMeta.csv")
    idata = pd.read_csv(coinr_asem / "input_iData.csv")
    shuffled = idata.sample(frac=1.0, random_state=7).reset_index(drop=True)
    fw = Framework.from_coinr(imeta, shuffled)
    res = build(fw, recipe=result_b.recipe)
    for stage in result_b.stage_names:
        ours = res.stages[stage].loc[result_b.stages[stage].index]
        np.testing.assert_allclose(ours, result_b.stages[stage], rtol=1e-12, equal_nan=True)
    pd.testing.assert_frame_equal(res.ranks.loc[result_b.ranks.index], result_b.ranks)


def test_empty_data_is_refused(make_toy):
    fw = make_toy()
    with pytest.raises(ConfigError, match="no units"):
        build(fw, data=fw.data.iloc[:0])


def test_quick_recipe_is_the_default(make_toy):
    fw = make_toy()
    assert build(fw).recipe == Recipe.quick()
