"""The model shipped in the package must match the labels, taxonomy, code and scikit-learn it was built from."""

from aicity.inventory.taxonomy import load_taxonomy
from aicity.workflows.models import _current, bundled_fingerprint, bundled_model_path


def test_shipped_model_is_current():
    tax = load_taxonomy()
    model, why = _current(bundled_model_path(), tax, bundled_fingerprint(tax))
    assert model is not None, (
        f"run `make model` and commit src/aicity/data/bundled_model.joblib: {why}"
    )


def test_shipped_model_classifies_a_chip_designer_as_foundation():
    import pandas as pd

    tax = load_taxonomy()
    model, _ = _current(bundled_model_path(), tax, bundled_fingerprint(tax))
    assert model is not None
    firms = pd.DataFrame(
        {
            "enterprise_id": ["t1"],
            "name": ["寒武纪科技"],
            "description": ["主营业务为云端、边缘端人工智能芯片的研发、设计和销售"],
        }
    )
    out = model.classify(firms)
    assert out["layer"].iloc[0] == "foundation"
