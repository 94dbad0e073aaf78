"""GB18030 through iconv (aicity.io._iconv): the same UTF-8 as Python's codec, or no answer."""

from __future__ import annotations

import queue
import random
from pathlib import Path

import pandas as pd
import pytest

from aicity.errors import InputError
from aicity.io import _iconv, read
from aicity.io._iconv import gb18030_to_utf8


def _python(data: bytes) -> bytes:
    return data.decode("gb18030").encode("utf-8")


def test_chinese_text_reads_as_python_reads_it() -> None:
    rng = random.Random(5)
    chars = [chr(c) for c in range(0x4E00, 0x9FA6)] + list("，。（）abc 123\n€ḿ︐")
    text = "".join(rng.choice(chars) for _ in range(200_000))
    data = text.encode("gb18030")
    assert gb18030_to_utf8(data) is None  # codes glibc reads otherwise (ḿ, ︐): Python's codec
    clean = "".join(c for c in text if c not in "ḿ︐").encode("gb18030")
    # the bytes of such codes do occur out of step (a trail byte, the next lead byte) ...
    assert any(
        bytes([lead, t]) in clean for lead, ts in _iconv._DIFFERING_PAIRS.items() for t in ts
    )
    converted = gb18030_to_utf8(clean)
    assert converted is not None  # ... and iconv's answer stands (this machine's iconv passes)
    assert bytes(converted) == _python(clean)


@pytest.mark.parametrize(
    "code",
    ["a6d9", "a6f3", "a8bc", "fe51", "fea0", "8135f437", "82359037", "84318335"],
)
def test_codes_glibc_reads_otherwise_are_left_to_python(code: str) -> None:
    data = b"name," + bytes.fromhex(code) + b"\n"
    assert gb18030_to_utf8(data) is None
    utf8, buffer = _iconv.piece_utf8(memoryview(data), "gb18030", queue.SimpleQueue())
    assert utf8 == _python(data) and buffer is None  # (the buffer went back unused)


@pytest.mark.parametrize("bad", [b"\x80", b"\xff", b"\x81\x7f", b"\x81\x30", b"\xe3\x32\x9a\x36"])
def test_bytes_python_refuses_get_no_answer_and_python_raises(bad: bytes) -> None:
    data = "北京,".encode("gb18030") + bad + b"\n"
    assert gb18030_to_utf8(data) is None
    with pytest.raises(UnicodeDecodeError):
        _iconv.piece_utf8(data, "gb18030", queue.SimpleQueue())


def test_without_a_usable_iconv_python_decodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_iconv._state, "converter", None)
    data = "合成企业,北京\n".encode("gb18030")
    assert gb18030_to_utf8(data) is None
    assert _iconv.piece_utf8(data, "gb18030", queue.SimpleQueue())[0] == _python(data)


def test_the_self_checks_refused_sample_is_refused_by_python() -> None:
    for bad in _iconv._refused_sample():
        with pytest.raises(UnicodeDecodeError):
            (b"a" + bad + b"a").decode("gb18030")


def _read_both(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """read_table's frame (or its error's message) with iconv, then with Python's codec alone."""
    monkeypatch.setattr(read, "_PIECE", 1 << 14)  # many pieces: some through iconv, some not
    found: list[object] = []
    for converter in (_iconv._state.get("converter"), None):
        monkeypatch.setitem(_iconv._state, "converter", converter)
        try:
            found.append(read.read_table(path, encoding="gb18030").frame)
        except InputError as exc:
            found.append(str(exc))
    return found


def test_a_file_reads_the_same_with_and_without_iconv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gb18030_to_utf8(b"a")  # the self-check runs
    assert isinstance(_iconv._state["converter"], _iconv._Iconv)
    rows = [f"甲{i}公司,北京,{i}" for i in range(6000)]
    rows[3000] = "ḿ︐公司,上海,1"  # codes glibc reads otherwise, in one piece
    path = tmp_path / "a.csv"
    path.write_bytes(("名称,城市,数值\n" + "\n".join(rows) + "\n").encode("gb18030"))
    with_iconv, without = _read_both(path, monkeypatch)
    assert isinstance(with_iconv, pd.DataFrame) and isinstance(without, pd.DataFrame)
    pd.testing.assert_frame_equal(with_iconv, without)
    assert with_iconv["名称"].iloc[3000] == "ḿ︐公司"


@pytest.mark.parametrize("bad", [b"\x81\x20", b"\xff", b"\x84\x31\xa5\x30", b"\x81\x30\x81"])
def test_undecodable_bytes_give_the_same_error_with_and_without_iconv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: bytes
) -> None:
    body = ("名称,城市\n" + "甲公司,北京\n" * 5000).encode("gb18030")
    path = tmp_path / "a.csv"
    path.write_bytes(body + "乙公司,".encode("gb18030") + bad + b"\n" + body[15:])
    with_iconv, without = _read_both(path, monkeypatch)
    assert with_iconv == without
    assert isinstance(with_iconv, str) and "cannot decode as gb18030 at byte" in with_iconv


def test_what_glibc_makes_of_those_codes_is_found_anywhere_in_its_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gb18030_to_utf8(b"a")
    targets = _iconv._state["targets"]
    assert isinstance(targets, list) and targets  # (glibc 2.36: all 26 codes are read otherwise)
    monkeypatch.setattr(_iconv, "_WINDOW", 64)  # the windows' edges fall between a code's bytes
    plain = "北京甲公司".encode() * 40
    assert not _iconv._holds(plain, targets)
    for target in targets:
        for at in (0, 62, 63, 64, 65, len(plain) - len(target)):
            planted = plain[:at] + target + plain[at + len(target) :]
            assert _iconv._holds(planted, targets)


def test_a_buffer_given_is_written_in_and_reused() -> None:
    import numpy as np

    first, second = "甲公司,北京\n".encode("gb18030") * 50, "乙,上海\n".encode("gb18030") * 10
    buffer = np.empty(_iconv.capacity(len(first)), dtype=np.uint8)
    out = gb18030_to_utf8(first, buffer)
    assert isinstance(out, memoryview) and bytes(out) == _python(first)
    again = gb18030_to_utf8(second, buffer)  # the same buffer for the next piece
    assert bytes(again) == _python(second)  # type: ignore[arg-type]
    small = np.empty(4, dtype=np.uint8)  # too small: a new buffer, the same answer
    assert bytes(gb18030_to_utf8(first, small)) == _python(first)  # type: ignore[arg-type]
