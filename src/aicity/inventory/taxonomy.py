"""The industry-map taxonomy (产业图谱): three layers and their segments, with names and keywords.

The default ships as package data (``aicity/data/taxonomy.csv``, the 28 segments of the shared reference
taxonomy). Users can pass their own taxonomy as YAML (or CSV with the same columns)::

    segments:
      - code: ai_chips
        layer: foundation
        name_zh: AI芯片/智能芯片
        name_en: AI chips and accelerators
        keywords_zh: [AI芯片, GPU, NPU]
        keywords_en: [AI chip, accelerator]

Every problem names the file and the entry (``segments[3].layer``) so the user can fix it in one go.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from aicity.errors import ConfigError
from aicity.layers import LAYER_NAMES_ZH, LAYER_SPELLINGS, LAYERS

# accept the Chinese labels wherever a layer is expected
_LAYER_ALIASES: dict[str, str] = {
    **{v: k for k, v in LAYER_NAMES_ZH.items()},
    **{k: k for k in LAYERS},
}

_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED = ("code", "layer", "name_zh", "name_en")


@dataclass(frozen=True)
class Segment:
    """One industry-map segment (a cell of the map)."""

    code: str
    layer: str
    name_zh: str
    name_en: str
    keywords_zh: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()

    @property
    def keywords(self) -> tuple[str, ...]:
        """All keywords, Chinese first, without duplicates (case-insensitive)."""
        seen: set[str] = set()
        out: list[str] = []
        for kw in (*self.keywords_zh, *self.keywords_en):
            key = normalise_text(kw)
            if key and key not in seen:
                seen.add(key)
                out.append(kw)
        return tuple(out)

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of segments in the three layers. The order is the map's drawing order."""

    segments: tuple[Segment, ...]
    source: str = "default"
    _by_code: dict[str, Segment] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {s.code: s for s in self.segments})

    def __iter__(self) -> Iterator[Segment]:
        return iter(self.segments)

    def __len__(self) -> int:
        return len(self.segments)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> Segment:
        try:
            return self._by_code[code]
        except KeyError:
            raise ConfigError(
                f"unknown segment {code!r}; expected one of {', '.join(self.codes)}",
                path=self.source,
            ) from None

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.segments]

    def in_layer(self, layer: str) -> list[Segment]:
        return [s for s in self.segments if s.layer == layer]

    def layer_of(self, code: str) -> str:
        return self[code].layer

    def position(self, code: str) -> int:
        """Index of a segment in drawing order; ties between segments are broken by it."""
        return self.codes.index(code)

    def keyword_rows(self) -> list[tuple[str, str, str, int]]:
        """(normalised keyword, segment code, layer, segment position) for every keyword.

        A keyword listed under two segments counts for both: the scores decide.
        """
        rows = []
        for pos, seg in enumerate(self.segments):
            for kw in seg.keywords:
                rows.append((normalise_text(kw), seg.code, seg.layer, pos))
        return rows

    def to_records(self) -> list[dict[str, str]]:
        return [
            {
                "code": s.code,
                "layer": s.layer,
                "layer_zh": LAYER_NAMES_ZH[s.layer],
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "keywords_zh": ";".join(s.keywords_zh),
                "keywords_en": ";".join(s.keywords_en),
            }
            for s in self.segments
        ]

    def to_yaml(self) -> str:
        """The taxonomy as an editable YAML document (round-trips through :func:`load_taxonomy`)."""
        doc = {
            "segments": [
                {
                    "code": s.code,
                    "layer": s.layer,
                    "name_zh": s.name_zh,
                    "name_en": s.name_en,
                    "keywords_zh": list(s.keywords_zh),
                    "keywords_en": list(s.keywords_en),
                }
                for s in self.segments
            ]
        }
        return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def normalise_text(text: str | None) -> str:
    """Case-fold and trim; the same normalisation runs in SQL as ``lower(...)``."""
    return (text or "").strip().lower()


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load the default taxonomy, or a user's YAML/CSV file, and validate it."""
    if path is None:
        text = (importlib.resources.files("aicity") / "data" / "taxonomy.csv").read_text("utf-8")
        return _from_entries(_csv_entries(text), source="aicity/data/taxonomy.csv")
    p = Path(path)
    if not p.exists():
        raise ConfigError("taxonomy file not found (pass a YAML or CSV file)", path=str(p))
    try:
        text = p.read_text("utf-8-sig")
    except UnicodeDecodeError:
        text = p.read_bytes().decode("gb18030", errors="strict")
    if p.suffix.lower() == ".csv":
        return _from_entries(_csv_entries(text), source=str(p))
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"not valid YAML{where}: {getattr(exc, 'problem', exc)}", path=str(p)
        ) from None
    if isinstance(doc, dict) and "segments" in doc:
        entries = doc["segments"]
    elif isinstance(doc, list):
        entries = doc
    else:
        raise ConfigError(
            "expected a mapping with a 'segments' list (or a list of segments), "
            f"received {type(doc).__name__}",
            path=str(p),
        )
    if not isinstance(entries, list):
        raise ConfigError(
            f"'segments' must be a list, received {type(entries).__name__}", path=str(p)
        )
    return _from_entries(entries, source=str(p))


def _csv_entries(text: str) -> list[dict[str, object]]:
    return [dict(row) for row in csv.DictReader(io.StringIO(text))]


def _keywords(value: object, where: str, source: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items: Iterable[object] = re.split(r"[;；,，]", value)
    elif isinstance(value, list):
        items = value
    else:
        raise ConfigError(
            f"expected a list of keywords or a ';'-separated string, received {type(value).__name__}",
            path=f"{source}: {where}",
        )
    out = []
    for item in items:
        if not isinstance(item, str | int | float):
            raise ConfigError(f"keyword {item!r} is not text", path=f"{source}: {where}")
        kw = str(item).strip()
        if kw:
            out.append(kw)
    return tuple(out)


def _from_entries(entries: list, source: str) -> Taxonomy:
    if not entries:
        raise ConfigError(
            "the taxonomy has no segments (expected at least one per layer)", path=source
        )
    segments: list[Segment] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        where = f"segments[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(
                f"expected a mapping with {', '.join(_REQUIRED)}, received {entry!r}",
                path=f"{source}: {where}",
            )
        missing = [k for k in _REQUIRED if not str(entry.get(k) or "").strip()]
        if missing:
            raise ConfigError(
                f"missing {', '.join(missing)} (every segment needs {', '.join(_REQUIRED)})",
                path=f"{source}: {where}",
            )
        code = str(entry["code"]).strip()
        if not _CODE_RE.match(code):
            raise ConfigError(
                f"code {code!r} must be lower-case letters, digits and '_' (e.g. ai_chips)",
                path=f"{source}: {where}.code",
            )
        if code in seen:
            raise ConfigError(
                f"duplicate code {code!r} (first used by segments[{seen[code]}])",
                path=f"{source}: {where}.code",
            )
        seen[code] = i
        layer_raw = str(entry["layer"]).strip()
        layer = _LAYER_ALIASES.get(layer_raw.lower(), _LAYER_ALIASES.get(layer_raw))
        if layer is None:
            raise ConfigError(
                f"layer {layer_raw!r} is not one of {LAYER_SPELLINGS}",
                path=f"{source}: {where}.layer",
            )
        kz = _keywords(entry.get("keywords_zh"), f"{where}.keywords_zh", source)
        ke = _keywords(entry.get("keywords_en"), f"{where}.keywords_en", source)
        if not kz and not ke:
            raise ConfigError(
                "no keywords (the rules classifier needs at least one keyword_zh or keyword_en)",
                path=f"{source}: {where}",
            )
        segments.append(
            Segment(
                code=code,
                layer=layer,
                name_zh=str(entry["name_zh"]).strip(),
                name_en=str(entry["name_en"]).strip(),
                keywords_zh=kz,
                keywords_en=ke,
            )
        )
    empty_layers = [lay for lay in LAYERS if not any(s.layer == lay for s in segments)]
    if empty_layers:
        raise ConfigError(
            f"layer(s) {', '.join(empty_layers)} have no segment (the map needs all three layers)",
            path=source,
        )
    # drawing order: by layer, then as listed
    ordered = sorted(segments, key=lambda s: LAYERS.index(s.layer))
    return Taxonomy(segments=tuple(ordered), source=source)
