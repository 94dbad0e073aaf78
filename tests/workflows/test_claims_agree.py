"""The report, the explorer (API) and the Excel workbook say the same thing: one set of stored claims,
each with its basis, in Chinese and English."""

from __future__ import annotations

import pytest

from aicity.report.context import build_context
from aicity.report.excel import excel_sheets
from aicity.web.explorer import Explorer
from aicity.workflows.evaluate import evaluate
from aicity.workflows.evaluate_uncertainty import run_uncertainty_for
from aicity.workflows.report import load_report_data


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from aicity.workflows.demo import build_demo

    run = build_demo(tmp_path_factory.mktemp("claims"))
    ev = evaluate(run.store, year=2023)
    run_uncertainty_for(run.store, ev.run_id, n=200, sobol_n=None)
    yield run.store, ev.run_id
    run.store.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_api_and_excel_carry_the_same_claims(demo, lang):
    store, run_id = demo
    report = load_report_data(store, run_id)
    explorer = Explorer.from_store(store)
    sheets = excel_sheets(report, lang)
    chapters = {
        c["unit_key"]: c for c in build_context(report, lang, _NoFigures(), "html")["city_chapters"]
    }
    checked = 0
    for key, profile in report.profiles.items():
        if profile.rank is None:
            continue
        texts = [c.text(lang) for c in profile.claims]
        api = explorer.city_evaluation(key)
        assert [c["text_" + lang] for c in api["claims"]] == texts
        assert [(c["basis_n"], c["basis_kind"]) for c in api["claims"]] == [
            (c.basis_n, c.basis_kind) for c in profile.claims
        ]
        assert api["verdict_" + lang] == chapters[key]["verdict"]
        excel = sheets["claims"][sheets["claims"]["unit_key"] == key]
        assert excel["text"].tolist() == texts
        for text in texts:
            assert text.lower() in chapters[key]["verdict"].lower()  # en capitalises a sentence
        checked += 1
    assert checked == 21
    # every ranked city's 90 % interval is in its claims, and comparisons rest on the intervals
    kinds = {c.kind for p in report.profiles.values() for c in p.claims}
    assert {"rank", "comparison"} <= kinds and "layer_mix" not in kinds


class _NoFigures:
    """Figures are not under test here: every lookup gives an empty string."""

    def __init__(self) -> None:
        self.static: dict = {}
        self.interactive: dict = {}


def test_a_finding_carries_its_cells_flags(demo):
    store, run_id = demo
    report = load_report_data(store, run_id)
    explorer = Explorer.from_store(store)
    cells = report.run.cells.set_index(["unit_key", "indicator"])["flags"].fillna("")
    seen = 0
    for key, profile in report.profiles.items():
        api = explorer.city_evaluation(key) if profile.rank is not None else None
        for i, finding in enumerate(profile.strengths):
            assert finding.flags == cells[(key, finding.code)]
            assert api["strengths"][i]["flags_zh"] or not finding.flags
            seen += bool(finding.flags)
    assert seen  # the demo has stale and content-farm-sourced strengths: they say so
