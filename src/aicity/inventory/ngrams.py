"""Character n-gram TF-IDF computed with numpy over code points, fast enough for registry-sized inputs.

scikit-learn's ``TfidfVectorizer(analyzer="char")`` builds every n-gram as a Python string: about 150 s
for a million 100-character business scopes on this machine. Here the texts are encoded once to UTF-32,
each n-gram of 1-3 code points is packed into one integer (21 bits per code point), and looked up in
the sorted vocabulary with ``searchsorted``; counts, sublinear tf, smooth idf and the l2 norm are the
same formulas as scikit-learn's (``sublinear_tf=True, smooth_idf=True, norm="l2"``).

Text is normalised first: NFKC (full-width letters and digits become ASCII), traditional characters
become simplified (OpenCC's character table, ``aicity/data/ts_characters.txt``; Hong Kong and Taiwan
pages describe the same firms), lower case, every run of white space one space. N-grams never cross
two texts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

_BITS = 21  # every Unicode code point fits in 21 bits; three of them in an int64
_SPACE = re.compile(r"\s+")
_CHUNK = 50_000
_DENSE_PAIRS = 1 << 24  # 2-gram table entries (int32, 64 MB) beyond which 2-grams are hashed


@cache
def _simplified() -> dict[int, int]:
    """Traditional -> simplified, one character each (str.translate table)."""
    text = resources.files("aicity.data").joinpath("ts_characters.txt").read_text(encoding="utf-8")
    return {ord(line[0]): ord(line[1]) for line in text.splitlines() if len(line) == 2}


@contextmanager
def small_pages() -> Iterator[None]:
    """numpy's huge pages off meanwhile (what ``NUMPY_MADVISE_HUGEPAGE=0`` does for a whole process).

    numpy asks the kernel for 2 MB pages for every array of 4 MB or more; where a huge-page fault is
    dear (this 2-core VM: 1 GB of new arrays took 4.3 s of system time in huge pages, 0.56 s in 4 KB
    pages), classifying a million firms spent more time in the kernel than in numpy.
    """
    multiarray = getattr(getattr(np, "_core", None), "multiarray", None)
    switch = getattr(multiarray, "_set_madvise_hugepage", None)
    if switch is None:
        yield
        return
    before = switch(False)
    try:
        yield
    finally:
        switch(before)


def normalise(text: object) -> str:
    """NFKC, simplified characters, lower case, white space collapsed (what the n-grams are read from)."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_simplified())
    return _SPACE.sub(" ", text.lower()).strip()


def normalise_many(values: Sequence[object]) -> list[str]:
    """:func:`normalise` of each value, every distinct value normalised once (registry text repeats).

    Vectorised over code points for texts whose characters are all in :func:`_code_point_map` (ASCII,
    Latin-1, CJK ideographs and punctuation, full-width forms: per character, NFKC, the simplified
    table and ``lower`` give one character and never combine with a neighbour, so mapping each code
    point and collapsing white space is the same as :func:`normalise`); any other text takes
    :func:`normalise` itself.
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    texts = [v if isinstance(v, str) else "" for v in uniques.tolist()]
    done = _normalise_distinct(texts)
    return [done[c] for c in codes.tolist()]


def _normalise_distinct(texts: list[str]) -> list[str]:
    joined = "\x00".join(texts)
    if len(texts) < 2 or joined.count("\x00") != len(texts) - 1:  # a text holds NUL: no separator
        return [normalise(t) for t in texts]
    table, space = _code_point_map()
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    mapped = table.take(np.minimum(cps, len(table) - 1))
    mapped[cps >= len(table)] = -1
    sep = cps == 0
    mapped[sep] = 0
    unsafe = np.flatnonzero(mapped < 0)
    slow = np.unique(np.searchsorted(np.flatnonzero(sep), unsafe)).tolist()
    mapped[unsafe] = 0x78  # any character but a space: the text is redone by normalise()
    ws = space.take(mapped)
    # a run of white space becomes one space; none at either end of a text
    keep = ~ws
    keep[1:] |= ~ws[:-1]
    mapped, ws, sep = mapped[keep], ws[keep], sep[keep]
    edge = sep.copy()
    edge[1:] |= sep[:-1]
    edge[:-1] |= sep[1:]
    edge[0] = edge[-1] = True
    out = np.where(ws, np.int32(32), mapped)[~(ws & edge)].astype("<u4")
    result = out.tobytes().decode("utf-32-le").split("\x00")
    for i in slow:
        result[i] = normalise(texts[i])
    return result


# blocks where every character normalises on its own (no composition with a neighbour); the halfwidth
# katakana and hangul of U+FF61-U+FFDF are left out: NFKC joins them with their sound marks
_SAFE_RANGES = (
    (0x0001, 0x0100),
    (0x2000, 0x2070),
    (0x3000, 0x3040),
    (0x3400, 0x4DC0),
    (0x4E00, 0xA000),
    (0xF900, 0xFB00),
    (0xFF00, 0xFF61),
    (0xFFE0, 0xFFF0),
)


@cache
def _code_point_map() -> tuple[np.ndarray, np.ndarray]:
    """(code point -> its normalised code point, or -1 where the text needs :func:`normalise`;
    code point -> is white space), over the Basic Multilingual Plane."""
    table = np.full(0x10000, -1, dtype=np.int32)
    simplified = _simplified()
    for lo, hi in _SAFE_RANGES:
        for c in range(lo, hi):
            ch = chr(c)
            out = unicodedata.normalize("NFKC", ch).translate(simplified).lower()
            decomposed = unicodedata.normalize("NFKD", ch)
            if (
                len(out) == 1
                and ord(out) < 0x10000
                and not unicodedata.combining(out)
                and not unicodedata.combining(decomposed[0])
                and out != "\x00"
            ):
                table[c] = ord(out)
    space = np.zeros(0x10000, dtype=bool)
    bmp = "".join(map(chr, range(0x10000)))
    space[[m.start() for m in re.finditer(r"\s", bmp)]] = True  # what normalise() collapses
    return table, space


def _keys(texts: Sequence[str], max_n: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) of every n-gram (n = 1..max_n) of ``texts``; keys of different n never collide."""
    joined = "\x00".join(texts) + "\x00"
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    # texts are separated by code point 0, which no normalised text contains
    rows = np.cumsum(cps == 0) - (cps == 0)
    valid = cps != 0
    all_rows, all_keys = [], []
    key = np.zeros(len(cps), dtype=np.int64)
    ok = np.ones(len(cps), dtype=bool)
    for n in range(1, max_n + 1):
        size = len(cps) - n + 1
        if size <= 0:
            break
        key = (key[:size] << _BITS) | cps[n - 1 : n - 1 + size]
        ok = ok[:size] & valid[n - 1 : n - 1 + size]
        all_rows.append(rows[:size][ok])
        all_keys.append(key[ok])
    return np.concatenate(all_rows), np.concatenate(all_keys)


def key_text(key: int) -> str:
    """The n-gram an integer key stands for."""
    chars = []
    k = int(key)
    while k:
        chars.append(chr(k & ((1 << _BITS) - 1)))
        k >>= _BITS
    return "".join(reversed(chars))


class CharNgramTfidf(BaseEstimator, TransformerMixin):
    """TF-IDF over character 1..``max_n``-grams; ``min_df``: keep n-grams in at least that many texts."""

    def __init__(self, max_n: int = 3, min_df: int = 1) -> None:
        self.max_n = max_n
        self.min_df = min_df

    def fit(self, X: Sequence[str], y: object = None) -> CharNgramTfidf:
        texts = [normalise(t) for t in X]
        rows, keys = _keys(texts, self.max_n)
        pairs = np.unique(np.stack([keys, rows]), axis=1) if len(keys) else np.zeros((2, 0), int)
        vocab, df = np.unique(pairs[0], return_counts=True)
        keep = df >= self.min_df
        self.vocabulary_keys_ = vocab[keep]
        n = len(texts)
        self.idf_ = np.log((1.0 + n) / (1.0 + df[keep])) + 1.0
        self.n_features_in_ = 1
        return self

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:
        return self.transform_normalised([normalise(t) for t in X])

    def transform_normalised(self, texts: Sequence[str]) -> sp.csr_matrix:
        """:meth:`transform` of texts already through :func:`normalise` (so it runs once per text)."""
        texts = list(texts)
        # a block's (row, feature) keys fit in int32 (a sort twice as fast as int64's)
        step = max(1, min(_CHUNK, (2**31 - 1) // max(len(self.vocabulary_keys_), 1)))
        blocks = [self._block(texts[i : i + step]) for i in range(0, len(texts), step)]
        if not blocks:
            return sp.csr_matrix((0, len(self.vocabulary_keys_)))
        return sp.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]

    def _block(self, texts: list[str]) -> sp.csr_matrix:
        n_feat = len(self.vocabulary_keys_)
        # (row, feature) counted by one sort of their combined key; indices come out sorted
        key = np.sort(self._index().entries(texts))
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        starts = np.flatnonzero(first)
        counts = np.diff(np.append(starts, len(key)))
        key = key[starts]
        row, col = key // n_feat, key % n_feat
        # 1 + log(count) looked up: counts are small integers (numpy's log, value for value)
        top = max(int(counts.max(initial=0)), 64)
        sublinear = 1.0 + np.log(np.arange(1, top + 1, dtype=np.float64))
        data = sublinear.take(counts - 1) * self.idf_[col]
        norms = np.sqrt(np.bincount(row, weights=data**2, minlength=len(texts)))
        norms[norms == 0] = 1.0
        data /= norms[row]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=len(texts)))])
        return sp.csr_matrix(
            (data, col.astype(np.int32), indptr.astype(np.int32)), shape=(len(texts), n_feat)
        )

    def _index(self) -> _Lookup:
        if getattr(self, "_lookup", None) is None:
            self._lookup = _Lookup(np.asarray(self.vocabulary_keys_, dtype=np.int64), self.max_n)
        return self._lookup

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        state.pop("_lookup", None)
        return state

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The n-gram of every feature (:func:`key_text` of each key, decoded in one go)."""
        keys = np.asarray(self.vocabulary_keys_, dtype=np.int64)
        mask = (1 << _BITS) - 1
        # code points first to last, a 0 where the n-gram is shorter; then a separator
        cps = np.stack(
            [(keys >> (_BITS * s)) & mask for s in range(self.max_n - 1, -1, -1)]
            + [np.full(len(keys), -1)],
            axis=1,
        ).ravel()
        cps = cps[cps != 0]
        cps[cps < 0] = 0
        text = cps.astype("<u4").tobytes().decode("utf-32-le")
        return np.array(text.split("\x00")[: len(keys)], dtype=object)


class _Lookup:
    """Where the n-grams of texts are in the vocabulary: one key ``row * n_feat + feature`` per
    occurrence (int32 when it fits).

    A fitted vocabulary holds every part of its n-grams (a part is in at least as many texts as the
    whole), so a 2-gram can only be in it where both characters are, and a 3-gram where both its
    2-grams are: characters are looked up in a code-point table, 2-grams in a table over pairs of
    known characters, and only the 3-grams whose two halves are known go to a hash. Any other
    vocabulary (or n-grams longer than 3) takes the hash lookup of every n-gram: the same keys.
    """

    def __init__(self, keys: np.ndarray, max_n: int) -> None:
        self.n_feat = len(keys)
        self.max_n = max_n
        self.hashed = pd.Index(keys)
        self.fast = False
        mask = (1 << _BITS) - 1
        length = 1 + (keys > mask).astype(int) + (keys > (1 << 2 * _BITS) - 1).astype(int)
        uni, bi, tri = (np.flatnonzero(length == n) for n in (1, 2, 3))
        n_chars = len(uni)
        if max_n > 3 or not n_chars or n_chars * n_chars > _DENSE_PAIRS:
            return
        char = np.full(0x110000, -1, dtype=np.int32)  # code point -> its index among the 1-grams
        char[keys[uni]] = np.arange(n_chars, dtype=np.int32)
        char[0] = -1  # the separator of texts
        bi_keys = keys[bi]
        first, second = char[bi_keys >> _BITS], char[bi_keys & mask]
        prefix, suffix = keys[tri] >> _BITS, keys[tri] & ((1 << 2 * _BITS) - 1)
        pre = np.minimum(np.searchsorted(bi_keys, prefix), max(len(bi) - 1, 0))
        suf = np.minimum(np.searchsorted(bi_keys, suffix), max(len(bi) - 1, 0))
        closed = bool(
            (first >= 0).all()
            and (second >= 0).all()
            and (not len(tri) or (len(bi) and (bi_keys[pre] == prefix).all()))
            and (not len(tri) or (bi_keys[suf] == suffix).all())
        )
        if not closed:
            return
        self.char, self.n_chars = char, n_chars
        self.uni_feature = uni.astype(np.int32)
        # a pair of characters -> its index among the 2-grams
        self.pair = np.full(n_chars * n_chars, -1, dtype=np.int32)
        self.pair[first.astype(np.int64) * n_chars + second] = np.arange(len(bi), dtype=np.int32)
        self.bi_feature = bi.astype(np.int32)
        # a 3-gram: (index of its first 2-gram) * n_chars + its last character
        self.triple = pd.Index(pre.astype(np.int64) * n_chars + char[keys[tri] & mask])
        self.tri_feature = tri.astype(np.int32)
        self.fast = True

    def entries(self, texts: Sequence[str]) -> np.ndarray:
        dtype = np.int32 if len(texts) * self.n_feat < 2**31 else np.int64
        if not self.fast:
            rows, keys = _keys(texts, self.max_n)
            idx = self.hashed.get_indexer(keys)  # -1 for n-grams outside the vocabulary
            hit = idx >= 0
            return (rows[hit] * self.n_feat + idx[hit]).astype(dtype)
        joined = "\x00".join(texts) + "\x00"
        cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        sep = cps == 0  # texts are separated by code point 0, which no normalised text contains
        base = (np.cumsum(sep, dtype=dtype) - sep) * dtype(self.n_feat)
        char = self.char.take(cps)
        known = np.flatnonzero(char >= 0)
        parts = [base[known] + self.uni_feature.take(char[known])]
        if self.max_n >= 2 and len(cps) > 1:
            at = np.flatnonzero((char[:-1] >= 0) & (char[1:] >= 0))
            pair = self.pair.take(char[at].astype(np.int64) * self.n_chars + char[at + 1])
            hit = pair >= 0
            parts.append(base[at[hit]] + self.bi_feature.take(pair[hit]))
            if self.max_n >= 3 and len(cps) > 2:
                pair_at = np.full(len(cps) - 1, -1, dtype=np.int32)
                pair_at[at] = pair
                at3 = np.flatnonzero((pair_at[:-1] >= 0) & (pair_at[1:] >= 0))
                triple = self.triple.get_indexer(
                    pair_at[at3].astype(np.int64) * self.n_chars + char[at3 + 2]
                )
                hit3 = triple >= 0
                parts.append(base[at3[hit3]] + self.tri_feature.take(triple[hit3]))
        return np.concatenate(parts)
