"""The vectorised normalisation gives exactly what :func:`normalise` gives, text by text."""

from __future__ import annotations

import random

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
