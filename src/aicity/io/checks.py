"""The building blocks every table's validation uses: what validation may look up (``Context``), the
collected row problems, text and year cells, booleans, coverage kinds, repeats, city and park references,
ids. ``aicity.io.tables`` and the table modules of their own (``aicity.io.projects``) import these."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aicity.io._arrow import (
    clean_text,
    fixed_width_all_distinct,
    missing_text,
    plain_floats,
    take_strings,
    to_chunked,
)
from aicity.io.cities import CityResolver

TRUE = {"true", "1", "yes", "y", "t", "是", "有", "✓"}


FALSE = {"false", "0", "no", "n", "f", "否", "无"}


_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class Context:
    """What validation may look up: cities, known parks, the indicator registry, the taxonomy."""

    resolver: CityResolver
    parks: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["park_id", "city_code", "name_zh"])
    )
    indicators: pd.DataFrame = field(default_factory=pd.DataFrame)
    taxonomy: pd.DataFrame = field(default_factory=pd.DataFrame)
    # an enterprises file's coverage kind where its rows do not say: 'sample' unless the user says
    # the file is a full registry export (``aicity ingest --coverage registry``)
    firm_coverage: str = "sample"


class _Problems:
    """Collects row problems column by column; a row with any problem is rejected once per problem."""

    def __init__(self, rows: np.ndarray, columns: dict[str, np.ndarray] | None = None) -> None:
        self.rows = rows
        self.bad = np.zeros(len(rows), dtype=bool)
        self.parts: list[pd.DataFrame] = []
        # wide files: the file column each fact came from, to name it in place of 'value'/'unit'
        self.columns = columns or {}

    def add(
        self,
        mask: np.ndarray | pd.Series,
        column: str,
        values: pd.Series | None,
        reason: str | pd.Series,
    ) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.bad |= mask
        shown = values[mask].astype("string").to_numpy() if values is not None else pd.NA
        why = reason[mask].to_numpy() if isinstance(reason, pd.Series) else reason
        named = self.columns[column][mask] if column in self.columns else column
        self.parts.append(
            pd.DataFrame({"row": self.rows[mask], "column": named, "value": shown, "reason": why})
        )

    @classmethod
    def joined(cls, blocks: list[_Problems]) -> _Problems:
        """The problems of consecutive row blocks as one collection (in row order)."""
        joined = cls(
            np.concatenate([b.rows for b in blocks]),
            {
                c: np.concatenate([b.columns[c] for b in blocks])
                for c in (blocks[0].columns if blocks else {})
            },
        )
        joined.bad = np.concatenate([b.bad for b in blocks])
        joined.parts = [part for b in blocks for part in b.parts]
        return joined

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(
                {
                    "row": pd.Series(dtype="int64"),
                    "column": pd.Series(dtype="string"),
                    "value": pd.Series(dtype="string"),
                    "reason": pd.Series(dtype="string"),
                }
            )
        out = pd.concat(self.parts, ignore_index=True)
        return out.sort_values("row", kind="stable").reset_index(drop=True)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return missing_text(frame.index)
    return clean_text(frame[column])


def _present(series: pd.Series) -> np.ndarray:
    return series.notna().to_numpy(dtype=bool)


def _years(values: pd.Series, problems: _Problems, column: str, low: int = 1800) -> pd.Series:
    """Integer years from '2016', '2016-05-01', '2016年5月'; out-of-range or unreadable is a problem."""
    present = _present(values)
    years = plain_floats(values)
    slow = present & np.isnan(years)
    if slow.any():
        extracted = values[slow].str.extract(r"^\s*((?:18|19|20)\d\d)(?:\D|$)")[0]
        years[slow] = pd.to_numeric(extracted, errors="coerce").to_numpy(dtype="float64")
    whole = ~np.isnan(years) & (years == np.round(years))
    problems.add(present & ~whole, column, values, "expected a year such as 2023")
    top = date.today().year + 30
    out_of_range = whole & ((years < low) | (years > top))
    problems.add(out_of_range, column, values, f"year out of range ({low}-{top})")
    ok = whole & ~out_of_range
    integers = np.where(ok, years, 0).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(integers, ~ok), index=values.index)


def _booleans(values: pd.Series, problems: _Problems, column: str, default: bool) -> pd.Series:
    """true/false, 是/否, yes/no, 1/0 (any case); missing gives ``default``, anything else a problem.
    Each distinct text is read once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    lowered = [str(u).lower() for u in uniques]
    truth = np.array([u in TRUE or (u not in FALSE and default) for u in lowered] + [default])
    unknown = np.array([u not in TRUE and u not in FALSE for u in lowered] + [False])
    index = np.where(codes < 0, len(uniques), codes)
    problems.add(unknown[index], column, values, "expected true/false (是/否, yes/no, 1/0)")
    return pd.Series(
        pd.arrays.BooleanArray(truth[index], np.zeros(len(index), dtype=bool)), index=values.index
    )


COVERAGE_KINDS = {
    "registry": "registry",
    "sample": "sample",
    "名录": "registry",
    "登记": "registry",
    "全量": "registry",
    "样本": "sample",
    "抽样": "sample",
    "精选": "sample",
}


def _coverage_kinds(values: pd.Series, problems: _Problems, default: str) -> pd.Series:
    """A firm list's coverage kind: registry (名录/登记/全量) or sample (样本/抽样/精选); missing gives
    ``default``."""
    kinds = map_unique(values, lambda v: COVERAGE_KINDS.get(v.strip().lower())).astype("string")
    problems.add(
        (_present(values) & kinds.isna()).to_numpy(),
        "coverage",
        values,
        "expected registry (a full registry export or official list) or sample (a curated selection)",
    )
    return kinds.fillna(default)


def _duplicates(
    key: pd.DataFrame, problems: _Problems, column: str, shown: pd.Series, what: str
) -> None:
    """Later repeats of a key among otherwise valid rows (a bad row does not block a good one)."""
    valid = ~problems.bad
    if len(key.columns) == 1:  # fast paths for one-column keys: say quickly that nothing repeats
        whole = to_chunked(key.iloc[:, 0])
        if fixed_width_all_distinct(whole, valid):
            return
        column_values = pc.filter(whole, pa.array(valid))
        if len(pc.unique(column_values)) == len(column_values):
            return
    subset = key[valid]
    dup_subset = subset.duplicated(keep="first").to_numpy()
    if not dup_subset.any():
        return
    rows = pd.Series(problems.rows[valid], index=subset.index)
    first_row = rows.groupby([subset[c] for c in subset.columns], dropna=False).transform("first")
    dup = np.zeros(len(key), dtype=bool)
    dup[np.flatnonzero(valid)[dup_subset]] = True
    reasons = pd.Series(pd.NA, index=key.index, dtype="string")
    reasons[dup] = (
        "duplicate " + what + " (first seen in row " + first_row[dup_subset].astype("string") + ")"
    ).to_numpy()
    problems.add(dup, column, shown, reasons)


def map_unique(values: pd.Series, func: object) -> pd.Series:
    """Apply ``func`` (a callable or a dict) to each distinct value once; NA stays NA. Text results."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if isinstance(func, dict):
        mapped = [func.get(u) for u in uniques]
    else:
        mapped = [func(u) for u in uniques]  # type: ignore[operator]
    mapped = [None if m is None or m is pd.NA else str(m) for m in mapped]
    return take_strings([*mapped, None], np.where(codes < 0, len(uniques), codes), values.index)


def slugify(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def hex_ids(frame: pd.DataFrame, prefix: str) -> pd.Series:
    """Stable ids from the row content (pandas' keyed 64-bit hash), formatted without a Python loop."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    nibbles = ((hashed[:, None] >> shifts) & np.uint64(0xF)).astype(np.uint8)
    chars = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[nibbles]
    text = chars.view(f"S{len(shifts)}").ravel().astype(str)
    return pd.Series(np.char.add(prefix, text), index=frame.index, dtype="string")


def _resolve_city(
    frame: pd.DataFrame, column: str, ctx: Context, problems: _Problems, required: bool = True
) -> pd.Series:
    values = _text(frame, column)
    codes, reasons = ctx.resolver.resolve(values)
    present = _present(values)
    problems.add(present & codes.isna().to_numpy(), column, values, reasons)
    if required:
        problems.add(~present, column, values, "missing city")
    return codes


def _match_parks(values: pd.Series, city_codes: pd.Series, ctx: Context) -> pd.Series:
    """Park references -> park_id: exact id, exact name, or a unique name containment within the city."""
    parks = ctx.parks
    if parks.empty:
        return pd.Series(pd.NA, index=values.index, dtype="string")
    ids = set(parks["park_id"])
    by_name = dict(zip(parks["name_zh"], parks["park_id"], strict=False))
    answers: dict[tuple[object, object], object] = {}
    pairs = pd.DataFrame({"v": values, "c": city_codes}).drop_duplicates()
    for v, c in pairs.itertuples(index=False):
        if not isinstance(v, str):
            answers[(v, c)] = pd.NA
            continue
        if v in ids:
            answers[(v, c)] = v
            continue
        if v in by_name:
            answers[(v, c)] = by_name[v]
            continue
        core = re.sub(r"[\(（].*?[\)）]", "", v).strip()
        pool = parks if not isinstance(c, str) else parks[parks["city_code"] == c]
        hits = [
            pid
            for pid, nm in zip(pool["park_id"], pool["name_zh"], strict=False)
            if core and isinstance(nm, str) and (core in nm or nm in v)
        ]
        answers[(v, c)] = hits[0] if len(hits) == 1 else pd.NA
    keys = list(zip(values, city_codes, strict=True))
    return pd.Series([answers[k] for k in keys], index=values.index, dtype="string")
