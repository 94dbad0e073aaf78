"""Site selection (aicity site): a persona's ranking is a full engine build of the run's own inputs with the
persona's weights; hard filters remove exactly the cities whose real cell fails them; a bad persona file
is a one-line error naming the file and the key."""

from __future__ import annotations

import dataclasses
import textwrap

import numpy as np
import pytest

from aicity.errors import ConfigError
from aicity.index import build
from aicity.index.uncertainty.engine import EngineModel
from aicity.store.runs import load_run
from aicity.workflows.evaluate_uncertainty import rebuild_inputs
from aicity.workflows.persona import BUNDLED, load_persona, persona_names
from aicity.workflows.site import site, site_ranking


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    from aicity.workflows.demo import build_demo
    from aicity.workflows.evaluate import evaluate

    demo = build_demo(tmp_path_factory.mktemp("site"))
    ev = evaluate(demo.store, year=2023, alternatives=())
    yield demo.store, load_run(demo.store, ev.run_id)
    demo.store.close()


def _expected_weights(fw, persona) -> dict[str, float]:
    """Written out independently of the workflow: indicator = persona weight (0 if not named), dimension =
    the sum of its indicators' weights; a dimension whose sum is 0 weighs 0 and its indicators 1 each."""
    weights = {c: persona.weights[c].weight if c in persona.weights else 0.0 for c in fw.indicators}
    for dim in fw.levels[1]:
        kids = fw.children(dim)
        total = sum(weights[k] for k in kids)
        weights[dim] = total
        if total == 0:
            weights.update({k: 1.0 for k in kids})
    return weights


def test_the_bundled_personas_validate_and_give_every_weight_its_reason():
    assert persona_names()[:3] == list(BUNDLED)
    for name in BUNDLED:
        p = load_persona(name)
        assert p.name == name and p.filters
        assert all(w.why_zh and w.why_en for w in p.weights.values())


@pytest.mark.parametrize("name", BUNDLED)
def test_persona_ranking_equals_a_full_build_with_the_persona_weights(evaluated, name):
    _, run = evaluated
    persona = load_persona(name)
    result = site_ranking(run, persona, n=0, facts=False)
    fw, recipe = rebuild_inputs(run)  # the run's inputs: ranked units, real cells
    expected = build(
        EngineModel(fw, recipe).with_weights(_expected_weights(fw, persona)), recipe=recipe
    )
    root = fw.root
    assert {c.unit_key for c in result.cities} | {r.unit_key for r in result.removed} == set(
        fw.data.index
    )
    for city in result.cities:
        assert city.rank == int(expected.ranks.at[city.unit_key, root])
        assert np.isclose(city.score, float(expected.scores.at[city.unit_key, root]))
    assert [c.position for c in result.cities] == list(range(1, len(result.cities) + 1))
    assert [c.rank for c in result.cities] == sorted(c.rank for c in result.cities)
    # each indicator's weight in the index is its persona weight over the total
    eff = expected.effective_weights.set_index("iCode")["EffWeight"]
    for code, share in result.weights.items():
        assert np.isclose(eff.get(code, 0.0) if share else 0.0, share), code
    assert np.isclose(sum(result.weights.values()), 1.0)


def test_hard_filters_remove_exactly_the_cities_whose_real_cell_fails(evaluated, tmp_path):
    _, run = evaluated
    path = tmp_path / "hpc.yaml"
    path.write_text(
        textwrap.dedent(
            """
            name: hpc_user
            title_zh: 超算用户
            title_en: HPC user
            weights:
              national_supercomputing_centre: {weight: 2, why_zh: 算力, why_en: compute}
              gdp: {weight: 1, why_zh: 市场, why_en: market}
            filters:
              - {indicator: national_supercomputing_centre, min: 1, why_zh: 须有超算中心, why_en: needs a centre}
              - {indicator: double_first_class_universities, min: 3, why_zh: 人才, why_en: talent}
            """
        ),
        encoding="utf-8",
    )
    persona = load_persona(path)
    cells = run.cells.set_index(["unit_key", "indicator"])
    fw, _ = rebuild_inputs(run)
    passing = {
        u
        for u in fw.data.index
        if cells.loc[(u, "national_supercomputing_centre"), "value"] >= 1
        and cells.loc[(u, "double_first_class_universities"), "value"] >= 3
    }
    result = site_ranking(run, persona, n=0, facts=False)
    assert {c.unit_key for c in result.cities} == passing
    assert {r.unit_key for r in result.removed} == set(fw.data.index) - passing
    assert 2 <= len(passing) < len(fw.data.index)
    for r in result.removed:
        assert r.indicator in ("national_supercomputing_centre", "double_first_class_universities")
        assert "does not meet ≥" in r.reason_en and "未满足" in r.reason_zh
    # a weight of 0 everywhere else: the weighted indicators alone carry the index
    assert set(result.unweighted) == set(fw.indicators) - {"national_supercomputing_centre", "gdp"}
    # a value that is not a real cell cannot show that a city passes
    city = sorted(passing)[0]
    cells_copy = run.cells.copy()
    mask = (cells_copy["unit_key"] == city) & (
        cells_copy["indicator"] == "double_first_class_universities"
    )
    cells_copy.loc[mask, "real"] = False
    changed = site_ranking(dataclasses.replace(run, cells=cells_copy), persona, n=0, facts=False)
    gone = {r.unit_key: r for r in changed.removed}
    assert city in gone and "no real value" in gone[city].reason_en


def test_intervals_facts_and_the_step_up(evaluated):
    store, run = evaluated
    result = site(store, "model_company", run_id=run.run_id, n=60, seed=3)
    assert result.replications == 60 and "60" in result.intervals_note_en
    fw, _ = rebuild_inputs(run)
    for city in result.cities:
        assert city.rank_low is not None and city.rank_low <= city.rank_high
        assert len(city.facts) <= 3
        for fact in city.facts:
            assert fact.code in fw.indicators and fact.rank == city.rank
        if city.move is not None:
            assert city.move.new_rank < city.move.rank == city.rank
            assert city.move.target != city.move.value
            assert result.weights[city.move.code] > 0
    assert result.cities[0].move is None or result.cities[0].rank > 1
    none = site_ranking(run, load_persona("model_company"), n=0, facts=False)
    assert none.replications == 0 and all(c.rank_low is None for c in none.cities)
    assert "not computed" in none.intervals_note_en


def _write(tmp_path, body: str):
    path = tmp_path / "custom.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_a_bad_persona_file_is_a_one_line_error_naming_the_file_and_key(evaluated, tmp_path):
    _, run = evaluated
    bad_key = _write(
        tmp_path,
        """
        name: me
        title_zh: 我
        title_en: me
        weights:
          gdp: {wieght: 2, why_zh: 市场, why_en: market}
        """,
    )
    with pytest.raises(ConfigError) as caught:
        load_persona(bad_key)
    message = str(caught.value)
    assert "\n" not in message
    assert str(bad_key) in message and "weights.gdp.wieght" in message and "unknown key" in message
    top_key = _write(tmp_path, "name: me\ntitle_zh: 我\ntitle_en: me\nweight: {}\n")
    with pytest.raises(ConfigError, match=r"custom\.yaml: weight: unknown key"):
        load_persona(top_key)
    no_reason = _write(
        tmp_path, "name: me\ntitle_zh: 我\ntitle_en: me\nweights: {gdp: {weight: 1}}\n"
    )
    with pytest.raises(ConfigError, match=r"weights\.gdp\.why_zh: required key missing"):
        load_persona(no_reason)
    negative = _write(
        tmp_path,
        "name: me\ntitle_zh: 我\ntitle_en: me\nweights: {gdp: {weight: -1, why_zh: a, why_en: b}}\n",
    )
    with pytest.raises(ConfigError, match=r"weights\.gdp\.weight"):
        load_persona(negative)
    unknown = _write(
        tmp_path,
        "name: me\ntitle_zh: 我\ntitle_en: me\nweights: {talent: {weight: 1, why_zh: a, why_en: b}}\n",
    )
    persona = load_persona(unknown)
    with pytest.raises(ConfigError) as caught:
        site_ranking(run, persona, n=0, facts=False)
    assert "weights.talent" in str(caught.value) and "not an indicator" in str(caught.value)
    with pytest.raises(ConfigError, match="unknown persona"):
        load_persona("nope")
