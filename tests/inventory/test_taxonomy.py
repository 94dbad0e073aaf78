from __future__ import annotations

from pathlib import Path

import pytest

from aicity.errors import ConfigError
from aicity.inventory.taxonomy import LAYERS, load_taxonomy


def test_default_taxonomy_has_28_segments_in_three_layers():
    tax = load_taxonomy()
    assert len(tax) == 28
    assert {s.layer for s in tax} == set(LAYERS)
    assert [len(tax.in_layer(layer)) for layer in LAYERS] == [5, 8, 15]
    chips = tax["ai_chips"]
    assert chips.name_zh == "AI芯片/智能芯片" and "GPU" in chips.keywords
    # drawing order is by layer
    assert tax.codes[0] == "ai_chips" and tax.layer_of(tax.codes[-1]) == "application"


def test_default_matches_shared_reference(shared_dir: Path):
    shared = load_taxonomy(shared_dir / "data" / "taxonomy.csv")
    assert shared.to_records() == load_taxonomy().to_records()


def test_yaml_round_trip_and_chinese_layer_names(tmp_path: Path):
    tax = load_taxonomy()
    path = tmp_path / "t.yaml"
    path.write_text(tax.to_yaml(), encoding="utf-8")
    again = load_taxonomy(path)
    assert again.to_records() == tax.to_records()
    small = tmp_path / "small.yaml"
    small.write_text(
        "segments:\n"
        "  - {code: chips, layer: 基础层, name_zh: 芯片, name_en: chips, keywords_zh: 芯片;GPU}\n"
        "  - {code: models, layer: 技术层, name_zh: 大模型, name_en: models, keywords_zh: [大模型]}\n"
        "  - {code: robots, layer: application, name_zh: 机器人, name_en: robots, keywords_en: [robot]}\n",
        encoding="utf-8",
    )
    t = load_taxonomy(small)
    assert t.codes == ["chips", "models", "robots"]
    assert t["chips"].keywords_zh == ("芯片", "GPU")
    assert t.layer_of("models") == "technology"


@pytest.mark.parametrize(
    ("body", "where", "words"),
    [
        (
            "segments:\n  - {code: a, name_zh: x, name_en: x, keywords_zh: [k]}\n",
            "segments[0]",
            "missing layer",
        ),
        (
            "segments:\n  - {code: a, layer: middle, name_zh: x, name_en: x, keywords_zh: [k]}\n",
            "segments[0].layer",
            "'middle' is not one of",
        ),
        (
            "segments:\n"
            "  - {code: a, layer: foundation, name_zh: x, name_en: x, keywords_zh: [k]}\n"
            "  - {code: a, layer: technology, name_zh: y, name_en: y, keywords_zh: [k]}\n",
            "segments[1].code",
            "duplicate code 'a'",
        ),
        (
            "segments:\n  - {code: A-1, layer: foundation, name_zh: x, name_en: x, keywords_zh: [k]}\n",
            "segments[0].code",
            "lower-case",
        ),
        (
            "segments:\n  - {code: a, layer: foundation, name_zh: x, name_en: x}\n",
            "segments[0]",
            "no keywords",
        ),
        (
            "segments:\n  - {code: a, layer: foundation, name_zh: x, name_en: x, keywords_zh: [k]}\n",
            "t.yaml",
            "technology, application have no segment",
        ),
        ("segments: [\n", "t.yaml", "not valid YAML at line"),
        ("just text\n", "t.yaml", "expected a mapping with a 'segments' list"),
        ("segments: []\n", "t.yaml", "no segments"),
    ],
)
def test_bad_taxonomy_files_name_the_entry(tmp_path: Path, body: str, where: str, words: str):
    path = tmp_path / "t.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_taxonomy(path)
    message = str(info.value)
    assert where in message and words in message
    assert "\n" not in message


def test_missing_file_and_unknown_segment(tmp_path: Path):
    with pytest.raises(ConfigError, match="taxonomy file not found"):
        load_taxonomy(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="unknown segment 'nope'"):
        load_taxonomy()["nope"]
