"""The vectorised normalisation gives exactly what :func:`normalise` gives, text by text."""

from __future__ import annotations

import random

import numpy as np

from aicity.inventory.ngrams import normalise, normalise_many


def test_normalise_many_equals_normalise_on_mixed_scripts() -> None:
    rng = random.Random(0)
    # ASCII and Latin-1 (controls, NBSP), punctuation, CJK (ideographic space, traditional forms),
    # full-width and half-width forms, conjoining jamo, combining marks, emoji and Extension B
    points = [
        *range(1, 0x250),
        *range(0x2000, 0x2100),
        *range(0x3000, 0x3100),
        *range(0xFF00, 0xFFF0),
        *range(0x4E00, 0x4F00),
        *range(0x1100, 0x1180),
        0x8AAA,
        0x9AD4,
        0x301,
        0x3099,
        0x20000,
        0x1F600,
    ]
    texts: list[object] = [
        "".join(chr(rng.choice(points)) for _ in range(rng.randint(0, 12))) for _ in range(20_000)
    ]
    texts += [None, float("nan"), 3, "", " ", "  a  b  ", "\t x\u3000y\u00a0 ", "ｶﾞ", "ＡＩ芯片"]
    assert normalise_many(texts) == [normalise(t) for t in texts]


def test_normalise_many_keeps_order_and_repeats() -> None:
    texts = ["深度學習 平台", "GPU", "深度學習 平台", None]
    assert normalise_many(texts) == ["深度学习 平台", "gpu", "深度学习 平台", ""]


def _same(a, b) -> bool:
    return (
        a.shape == b.shape
        and (a.indptr == b.indptr).all()
        and (a.indices == b.indices).all()
        and a.data.tobytes() == b.data.tobytes()
    )


def test_table_lookup_gives_the_hashed_lookups_matrix() -> None:
    from aicity.inventory.ngrams import CharNgramTfidf

    rng = random.Random(1)
    alphabet = "人工智能芯片软件技术开发服务有限公司 ab1-·"

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))

    model = CharNgramTfidf(max_n=3).fit([text() for _ in range(300)])
    texts = [normalise(text()) for _ in range(3000)] + ["", "z", "人z工", "\U0001f600人工"]
    fast = model.transform_normalised(texts)
    assert model._index().fast
    model._index().fast = False  # every n-gram through the hash instead
    assert _same(fast, model.transform_normalised(texts))


def test_a_vocabulary_missing_the_parts_of_its_ngrams_is_hashed() -> None:
    from aicity.inventory.ngrams import CharNgramTfidf

    model = CharNgramTfidf(max_n=3).fit(["人工智能", "芯片"])
    keep = np.array([len(t) != 2 for t in model.get_feature_names_out()])  # no 2-grams left
    model.vocabulary_keys_, model.idf_ = model.vocabulary_keys_[keep], model.idf_[keep]
    model._lookup = None
    X = model.transform_normalised(["人工智能芯片", "智能"])
    assert not model._index().fast
    names = model.get_feature_names_out()
    assert sorted(names[X[0].indices]) == sorted(
        ["人", "工", "智", "能", "芯", "片", "人工智", "工智能"]
    )
