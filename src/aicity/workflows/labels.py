"""Labels files: firms with a known segment (or ``none``), the learned classifier's training and test
data. Reading and checking only; training and evaluation are in :mod:`aicity.workflows.models`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from aicity.errors import InputError
from aicity.inventory.learned import NON_AI, firm_text
from aicity.inventory.taxonomy import Taxonomy
from aicity.io.read import read_table

TEXT_COLUMNS = ("name", "description")
BUNDLED_LABELS = "firms_labelled.csv"


def bundled_labels_path() -> Path:
    """The labelled firms shipped with the package (the bundled model's training set)."""
    return Path(str(resources.files("aicity.data").joinpath(BUNDLED_LABELS)))


def read_labels(path: str | Path, text_columns: tuple[str, ...] = TEXT_COLUMNS) -> pd.DataFrame:
    """A labels file (CSV/XLSX/Parquet): a segment column (a taxonomy code, or ``none`` for a firm that
    is not an AI firm; a ``layer`` of ``none`` with no segment means the same) plus the text columns;
    ids made if absent. Rows without a label are left out."""
    raw = read_table(path).frame
    if "segment" not in raw.columns:
        raise InputError(
            f"expected a 'segment' column with taxonomy codes or none, received columns {list(raw.columns)}",
            file=str(path),
            column="segment",
        )
    present = [c for c in text_columns if c in raw.columns]
    if not present:
        raise InputError(
            f"expected at least one text column of {list(text_columns)}, received {list(raw.columns)}",
            file=str(path),
            fix="add a name or description column, or pass --text",
        )
    frame = raw.copy()
    if "enterprise_id" not in frame.columns:
        frame["enterprise_id"] = [f"row{i + 2}" for i in range(len(frame))]
    frame["enterprise_id"] = frame["enterprise_id"].astype(str)
    frame["segment"] = frame["segment"].astype("string").str.strip()
    if "layer" in frame.columns:
        layer = frame["layer"].astype("string").str.strip().str.lower()
        frame.loc[frame["segment"].isna() & layer.eq(NON_AI).fillna(False), "segment"] = NON_AI
    frame["_row"] = frame.index + 2
    return frame[frame["segment"].notna() & (frame["segment"] != "")].reset_index(drop=True)


def validated_labels(frame: pd.DataFrame, tax: Taxonomy, path: str | Path | None) -> None:
    """Raise unless every segment label is a taxonomy code or ``none``."""
    bad = frame.loc[~frame["segment"].isin([*tax.codes, NON_AI])]
    if len(bad):
        raise InputError(
            f"segment {bad.iloc[0]['segment']!r} is not a taxonomy code nor none ({len(bad)} rows like this)",
            file=str(path) if path else None,
            row=int(bad.iloc[0]["_row"]) if "_row" in bad else None,
            column="segment",
            fix=f"use one of {', '.join(tax.codes[:4])}, ... or none for a firm that is not an AI firm",
        )


def model_frame(frame: pd.DataFrame, text_columns: tuple[str, ...]) -> pd.DataFrame:
    """What the model reads: the first text column as the name, the others joined as the scope."""
    first, rest = text_columns[0], tuple(text_columns[1:])
    return pd.DataFrame(
        {
            "enterprise_id": frame["enterprise_id"].astype(str),
            "name": frame[first].fillna("").astype(str) if first in frame else "",
            "description": firm_text(frame, rest) if rest else "",
        }
    )
