"""GB18030 to UTF-8 with the C library's iconv, which runs without Python's GIL.

Python's codec holds the GIL while it decodes (16 MB of a big file: ~80 ms at a time), so the row
checks and the store's insert, which need the GIL now and then, wait for it. iconv does the same work
outside the interpreter. Its output is used only where it is provably what Python's codec gives:

* glibc's GB18030 table is the 2005 one and Python's the 2000 one; they differ on 26 sequences (found
  by comparing every 1-, 2- and 4-byte sequence): 25 two-byte codes (PUA in Python, vertical forms,
  U+1E3F and later CJK in glibc) and 0x8135F437. What iconv makes of those (asked on first use) is
  looked for in its output, where UTF-8 cannot match out of step as the GB18030 bytes could (a
  trail byte and the next lead byte); a piece whose output holds any of those characters, from
  those codes or from others that give the same character, is left to Python's codec;
* iconv accepts no sequence Python's codec refuses; where iconv refuses one (18 sequences Python
  reads, or a real error), the piece goes to Python's codec, which reads it or raises its own error;
* on first use the table is checked against Python's codec (every 2-byte and BMP 4-byte code, a
  sample of the others, the 18 codes above, a sample of bytes Python refuses: every bad trail byte
  after 12 lead bytes, 4-byte codes outside its ranges); any difference turns this path off. On
  Debian 12's glibc 2.36 every 1-, 2- and 4-byte sequence was compared: iconv refuses everything
  Python's codec refuses.
"""

from __future__ import annotations

import codecs
import ctypes
import ctypes.util
import queue
import threading

import numpy as np

# byte pairs whose GB18030 meaning glibc and Python disagree on (lead byte, trail bytes)
_DIFFERING_PAIRS = {
    0xA6: (0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xEC, 0xED, 0xF3),
    0xA8: (0xBC,),
    0xFE: (0x51, 0x52, 0x53, 0x59, 0x61, 0x66, 0x67, 0x6C, 0x6D, 0x76, 0x7E, 0x90, 0x91, 0xA0),
}
_DIFFERING_FOUR = bytes.fromhex("8135f437")
_PAIR_CODES = np.array(
    [lead << 8 | trail for lead, trails in _DIFFERING_PAIRS.items() for trail in trails],
    dtype=np.uint16,
)

_lock = threading.Lock()
_state: dict[str, object] = {}


class _Iconv:
    def __init__(self) -> None:
        try:  # glibc by its soname (find_library runs ldconfig), else whatever C library there is
            libc = ctypes.CDLL("libc.so.6", use_errno=True)  # CDLL calls release the GIL
        except OSError:
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self.open = libc.iconv_open
        self.open.restype = ctypes.c_void_p
        self.open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        self.iconv = libc.iconv
        self.iconv.restype = ctypes.c_size_t
        self.iconv.argtypes = [ctypes.c_void_p] * 5
        self.close = libc.iconv_close
        self.close.argtypes = [ctypes.c_void_p]
        probe = self.open(b"UTF-8", b"GB18030")
        if probe in (None, ctypes.c_void_p(-1).value):  # (iconv_t)-1: no such conversion
            raise OSError("iconv has no GB18030")
        self.close(probe)

    def convert(
        self, data: bytes | memoryview, out: np.ndarray | None = None
    ) -> bytearray | memoryview | None:
        """UTF-8 of ``data`` (GB18030), or None when iconv refuses any of it. Written into ``out``
        (uint8, at least :func:`capacity` bytes; the result is then a view of it), else into a new
        bytearray."""
        size = len(data)
        source = np.frombuffer(data, dtype=np.uint8)
        written = bytearray(capacity(size)) if out is None or len(out) < capacity(size) else None
        target = out if written is None else np.frombuffer(written, dtype=np.uint8)
        assert target is not None
        in_ptr = ctypes.c_void_p(source.ctypes.data if size else None)
        in_left = ctypes.c_size_t(size)
        out_ptr = ctypes.c_void_p(target.ctypes.data)
        out_left = ctypes.c_size_t(len(target))
        handle = self.open(b"UTF-8", b"GB18030")
        try:
            done = self.iconv(
                handle,
                ctypes.byref(in_ptr),
                ctypes.byref(in_left),
                ctypes.byref(out_ptr),
                ctypes.byref(out_left),
            )
            if done == ctypes.c_size_t(-1).value or in_left.value:
                return None
            flushed = self.iconv(handle, None, None, ctypes.byref(out_ptr), ctypes.byref(out_left))
            if flushed == ctypes.c_size_t(-1).value:
                return None
        finally:
            self.close(handle)
        used = len(target) - out_left.value
        if written is None:
            return memoryview(target)[:used]
        del source, target  # (views of the buffers: the bytearray can shrink once they are gone)
        del written[used:]
        return written


def capacity(size: int) -> int:
    """Bytes of UTF-8 that ``size`` bytes of GB18030 can give at most (1.5 per byte, and a flush)."""
    return size * 3 // 2 + 16


_WINDOW = 1 << 21  # bytes searched at a time by _holds (a few MB of scratch)


def _holds(utf8: bytes | bytearray, targets: list[bytes]) -> bool:
    """Whether the UTF-8 ``utf8`` holds any of the characters ``targets`` (UTF-8, 2-4 bytes each):
    candidates by one byte (numpy, outside the GIL), then their whole code."""
    values = np.frombuffer(utf8, dtype=np.uint8)
    for length in (2, 3, 4):
        same = [t for t in targets if len(t) == length]
        count = len(values) - length + 1
        if not same or count <= 0:
            continue
        wanted = np.array([int.from_bytes(t, "big") for t in same], dtype=np.uint32)
        firsts, seconds = sorted({t[0] for t in same}), sorted({t[1] for t in same})
        # the rarer of the two: a supplementary character's lead byte, else the second byte
        key, bytes_at = (0, firsts) if length == 4 and len(firsts) <= len(seconds) else (1, seconds)
        mask = np.empty(min(count, _WINDOW), dtype=bool)
        same_byte = np.empty_like(mask)
        for low in range(0, count, _WINDOW):  # a window at a time: a few MB of scratch, not 3 x 20
            part = values[key + low : key + min(count, low + _WINDOW)]
            here, also = mask[: len(part)], same_byte[: len(part)]
            np.equal(part, bytes_at[0], out=here)
            for byte in bytes_at[1:]:
                np.equal(part, byte, out=also)
                here |= also
            at = np.flatnonzero(here) + low
            code: np.ndarray = np.zeros(len(at), dtype=np.uint32)
            for k in range(length):
                code = code << 8 | values[at + k]
            if np.isin(code, wanted).any():
                return True
    return False


def _four_bytes(linear: np.ndarray) -> np.ndarray:
    """The GB18030 four-byte sequences with these linear numbers (0 is 0x81308130), as rows."""
    a, rest = np.divmod(linear, 12600)
    b, rest = np.divmod(rest, 1260)
    c, d = np.divmod(rest, 10)
    return np.stack([0x81 + a, 0x30 + b, 0x81 + c, 0x30 + d], axis=1).astype(np.uint8)


def _self_check(converter: _Iconv) -> list[bytes] | None:
    """What iconv makes of the codes it reads otherwise (UTF-8), if it reads every 2-byte and BMP
    4-byte code (and a sample of the supplementary planes) as Python's codec does, the known
    differences left out, and refuses what it refuses; else None."""
    lead, trail = np.meshgrid(np.arange(0x81, 0xFF), np.arange(0x40, 0xFF), indexing="ij")
    two = np.stack([lead.ravel(), trail.ravel()], axis=1).astype(np.uint8)
    codes = two[:, 0].astype(np.uint16) << 8 | two[:, 1]
    two = two[(two[:, 1] != 0x7F) & ~np.isin(codes, _PAIR_CODES)]
    linear = np.concatenate([np.arange(39420), 189000 + np.arange(0, 1048576, 7)])
    four = _four_bytes(linear)  # 0x81308130 .. 0x8431A439 (the BMP), then from 0x90308130
    left_out = {*_ICONV_REFUSES, _DIFFERING_FOUR}
    known = np.frombuffer(b"".join(sorted(left_out)), dtype=">u4")
    four = four[~np.isin(four.copy().view(">u4").ravel(), known)]
    joined = bytes(range(0x80)) + two.tobytes() + four.tobytes()
    try:
        expected = joined.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError:
        return None
    if converter.convert(joined) != expected:
        return None
    for code in _ICONV_REFUSES:  # (another iconv may read them: then only as Python does)
        read = converter.convert(b"a" + code + b"a")
        if read is not None and read != (b"a" + code + b"a").decode("gb18030").encode("utf-8"):
            return None
    if any(converter.convert(b"a" + cut) is not None for cut in (b"\x81", b"\x81\x30\x81")):
        return None  # a code cut short at the end
    if any(converter.convert(b"a" + bad + b"a") is not None for bad in _refused_sample()):
        return None
    differing = [
        bytes([lead, trail]) for lead, trails in _DIFFERING_PAIRS.items() for trail in trails
    ]
    targets = set()
    for code in [*differing, _DIFFERING_FOUR]:
        read = converter.convert(code)
        if read is not None and read != code.decode("gb18030").encode("utf-8"):
            if not 2 <= len(read) <= 4:
                return None
            targets.add(bytes(read))
    return sorted(targets)


def _refused_sample() -> list[bytes]:
    """Bytes Python's codec refuses: the two single bytes, every bad trail byte after a sample of
    lead bytes, and four-byte codes outside its ranges or with bad third or fourth bytes."""
    trails = [*range(0x00, 0x30), *range(0x3A, 0x40), 0x7F, 0xFF]
    leads = (0x81, 0x82, 0x8F, 0xA0, 0xA1, 0xA6, 0xA8, 0xAA, 0xD7, 0xF7, 0xF8, 0xFE)
    out = [b"\x80", b"\xff"] + [bytes([lead, trail]) for lead in leads for trail in trails]
    outside = np.concatenate([np.arange(39420, 189000, 997), np.arange(1237576, 1587600, 997)])
    out += [bytes(row) for row in _four_bytes(outside)]
    out += [
        b"\x81\x30" + bytes(tail)
        for tail in ([0x30, 0x30], [0x81, 0x41], [0xFF, 0x30], [0x80, 0x30])
    ]
    return out


# four-byte codes Python reads and glibc refuses (glibc has them as two-byte codes): Python's codec
_ICONV_REFUSES = {
    bytes.fromhex(h)
    for h in (
        *("82359037", "82359038", "82359039", "82359130", "82359131", "82359132", "82359133"),
        *("82359134", "84318236", "84318237", "84318238", "84318239", "84318330", "84318331"),
        *("84318332", "84318333", "84318334", "84318335"),
    )
}


def gb18030_to_utf8(
    data: bytes | memoryview, out: np.ndarray | None = None
) -> bytearray | memoryview | None:
    """UTF-8 of GB18030 ``data`` exactly as Python's codec gives it, converted outside the GIL;
    None when this path cannot say (no usable iconv, bytes read differently, or bytes iconv
    refuses): decode with Python's codec then (it raises its own error on bad bytes). ``out``: a
    buffer of at least :func:`capacity` bytes to write into, reused from piece to piece (the result
    is a view of it), so a big file's pieces do not each take fresh pages from the system."""
    with _lock:
        if "converter" not in _state:
            converter: _Iconv | None = None
            targets: list[bytes] | None = None
            try:
                converter = _Iconv()
                targets = _self_check(converter)
            except (OSError, AttributeError, TypeError):
                pass
            if targets is None:
                converter = None
            _state["converter"], _state["targets"] = converter, targets
    found, known = _state["converter"], _state.get("targets")
    if not isinstance(found, _Iconv) or not isinstance(known, list):
        return None
    utf8 = found.convert(data, out)
    if utf8 is None or _holds(utf8, known):
        return None
    return utf8


# a piece's UTF-8, the buffer it is written in (to reuse once parsed; None: its own bytes), its offset
Transcoded = tuple[bytes | memoryview, np.ndarray | None, int]


def piece_utf8(
    piece: memoryview | bytes, codec: str, spare: queue.SimpleQueue[np.ndarray], size: int = 0
) -> tuple[bytes | memoryview, np.ndarray | None]:
    """A piece's UTF-8 and the buffer holding it: GB18030 through iconv, outside the GIL, wherever
    that gives what Python's codec gives (above), into a buffer from ``spare`` (or a
    new one, big enough for pieces of ``size`` bytes); else (and other codecs) Python's codec, which
    raises UnicodeDecodeError at a bad byte."""
    if codecs.lookup(codec).name == "gb18030":
        need = capacity(len(piece))
        buffer = None
        while buffer is None and not spare.empty():
            buffer = spare.get()
            if len(buffer) < need:  # (a longer piece than those before: let it go)
                buffer = None
        if buffer is None:  # the size of a whole piece: it then fits the pieces after it
            buffer = np.empty(max(need, capacity(size + (1 << 16))), dtype=np.uint8)
        fast = gb18030_to_utf8(piece, buffer)
        if fast is not None:
            return fast, buffer
        spare.put(buffer)
    return bytes(piece).decode(codec).encode("utf-8"), None
