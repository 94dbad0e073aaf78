"""Reading a framework from a spreadsheet: a weights sheet (one row per indicator) and an optional
settings sheet (key / value rows), for ``aicity framework new --from framework.xlsx``.

Headers are Chinese or English (the template writes Chinese ones, with English in each header's
comment). Every problem raises one ``InputError`` naming the file, the sheet, the row and the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from aicity.errors import InputError
from aicity.io.headers import _key
from aicity.io.read import read_table

WEIGHTS_SHEET = "weights"
SETTINGS_SHEET = "settings"

# canonical column -> (header the template writes, English name, other accepted headers)
WEIGHT_COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "dimension": ("维度代码", "dimension", ("dimension_code", "维度")),
    "dimension_name_zh": ("维度名称", "dimension name (zh)", ("dimension_name_zh",)),
    "dimension_name_en": ("维度英文名", "dimension name (en)", ("dimension_name_en",)),
    "dimension_weight": ("维度权重", "dimension weight", ("dimension_weight",)),
    "indicator": ("指标代码", "indicator code", ("indicator", "code", "indicator_code")),
    "name_zh": ("指标名称", "indicator name (zh)", ("name_zh",)),
    "name_en": ("英文名称", "indicator name (en)", ("name_en",)),
    "weight": ("权重", "weight", ("indicator_weight", "指标权重")),
    "direction": ("方向", "direction", ("正负向", "polarity")),
    "unit": ("单位", "unit", ("单位/口径", "scope")),
    "value_type": ("值类型", "value type", ("value_type",)),
    "scopes": ("可接受口径", "accepted scopes", ("scopes", "口径")),
    "derive": ("推导", "derive", ("derive", "derivation", "计算方法")),
    "definition": ("定义", "definition", ("说明",)),
}
REQUIRED_WEIGHTS = ("dimension", "indicator", "weight")
VALUE_TYPES = ("number", "flag")
# the settings sheet: key -> English meaning (values are text; the workflow checks them)
SETTING_KEYS = {
    "name": "framework name (a file-name-like code)",
    "title_zh": "title (zh)",
    "title_en": "title (en)",
    "unit_type": "city or park",
    "index_code": "the index's code",
    "index_name_zh": "the index's name (zh)",
    "index_name_en": "the index's name (en)",
    "coverage_floor_indicator": "share of units with real data below which an indicator is left out",
    "coverage_floor_unit": "share of real cells below which a unit is not ranked",
    "coverage_floor_dimension": "share of real cells below which a unit's dimension gets no score",
    "carry_forward": "yes: carry a unit's own last real value (flagged stale) before imputing",
}
_DERIVE = re.compile(
    r"^\s*(?P<num>[a-z][a-z0-9_]*)\s*/\s*(?P<den>[a-z][a-z0-9_]*)\s*(?:[*×x]\s*(?P<scale>[0-9.eE+]+))?\s*$"
)
_CODE = re.compile(r"^[^\s\d][^\s]*$")


@dataclass(frozen=True)
class FrameworkSheets:
    weights: pd.DataFrame  # one row per indicator, canonical columns, plus 'row' (the sheet's row)
    settings: dict[str, str]
    where: str  # "file (sheet weights)"


def _lookup(columns: dict[str, tuple[str, str, tuple[str, ...]]]) -> dict[str, str]:
    out = {}
    for canonical, (header, english, others) in columns.items():
        for alias in (canonical, header, english, *others):
            out[_key(alias)] = canonical
    return out


def _sheet_names(path: Path) -> list[str]:
    book = pd.ExcelFile(path, engine="calamine")
    return [str(s) for s in book.sheet_names]


def read_framework_sheets(
    path: str | Path, sheet: str = WEIGHTS_SHEET, settings_sheet: str = SETTINGS_SHEET
) -> FrameworkSheets:
    """The weights rows (validated cell by cell) and the settings of a framework workbook.

    A CSV file holds the weights only. An XLSX needs a sheet ``sheet``; ``settings_sheet`` is optional.
    """
    path = Path(path)
    is_excel = path.suffix.lower() in (".xlsx", ".xlsm")
    where = f"{path} (sheet {sheet})" if is_excel else str(path)
    raw = read_table(path, sheet=sheet if is_excel else None)
    lookup = _lookup(WEIGHT_COLUMNS)
    mapping: dict[str, str] = {}
    for column in raw.columns:
        canonical = lookup.get(_key(str(column)))
        if canonical is None:
            continue
        if canonical in mapping.values():
            raise InputError(
                f"two columns mean {canonical!r}", file=where, column=str(column), fix="keep one"
            )
        mapping[str(column)] = canonical
    for required in REQUIRED_WEIGHTS:
        if required not in mapping.values():
            header, english, _ = WEIGHT_COLUMNS[required]
            raise InputError(
                f"missing required column {header} ({english})",
                file=where,
                fix="write the template with `aicity template` and keep its weights sheet's headers",
            )
    frame = raw.frame.rename(columns=mapping)[list(mapping.values())]
    frame = frame.reset_index(drop=True)
    rows = raw.frame.index.to_numpy() + raw.first_row
    weights = _check_weights(frame, rows, where)
    settings: dict[str, str] = {}
    if is_excel and settings_sheet in _sheet_names(path):
        settings = _read_settings(path, settings_sheet)
    return FrameworkSheets(weights, settings, where)


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _number(value: object, where: str, row: int, column: str, minimum: float = 0.0) -> float:
    header = WEIGHT_COLUMNS[column][0]
    text = _text(value)
    try:
        number = float(text) if text is not None else float("nan")
    except ValueError:
        number = float("nan")
    if not number == number or number < minimum:
        raise InputError(
            f"expected a number >= {minimum:g}, got {text!r}",
            file=where,
            row=row,
            column=header,
            fix="weights are relative: 1 and 1 weigh the same as 0.5 and 0.5",
        )
    return number


def _check_weights(frame: pd.DataFrame, rows, where: str) -> pd.DataFrame:
    out = []
    seen: dict[str, int] = {}
    dimension_weight: dict[str, tuple[float, int]] = {}
    for i, record in enumerate(frame.to_dict("records")):
        row = int(rows[i])
        code = _text(record.get("indicator"))
        dimension = _text(record.get("dimension"))
        for column, value in (("indicator", code), ("dimension", dimension)):
            header = WEIGHT_COLUMNS[column][0]
            if value is None:
                raise InputError(
                    f"missing {WEIGHT_COLUMNS[column][1]}", file=where, row=row, column=header
                )
            if not _CODE.match(value):
                raise InputError(
                    f"code {value!r} must not contain spaces or start with a digit",
                    file=where,
                    row=row,
                    column=header,
                    fix="use codes such as gdp or TECH",
                )
        assert code is not None and dimension is not None
        if code in seen:
            raise InputError(
                f"indicator {code} appears twice (first in row {seen[code]})",
                file=where,
                row=row,
                column=WEIGHT_COLUMNS["indicator"][0],
                fix="one row per indicator",
            )
        seen[code] = row
        weight = _number(record.get("weight"), where, row, "weight")
        direction_text = _text(record.get("direction")) or "1"
        try:
            direction = int(float(direction_text.replace("+", "")))
        except ValueError:
            direction = 0
        if direction not in (1, -1):
            raise InputError(
                f"expected 1 (more is better) or -1 (less is better), got {direction_text!r}",
                file=where,
                row=row,
                column=WEIGHT_COLUMNS["direction"][0],
            )
        value_type = (_text(record.get("value_type")) or "number").lower()
        if value_type not in VALUE_TYPES:
            raise InputError(
                f"expected number or flag, got {value_type!r}",
                file=where,
                row=row,
                column=WEIGHT_COLUMNS["value_type"][0],
            )
        unit = _text(record.get("unit"))
        if unit is None:
            unit = "flag" if value_type == "flag" else None
        if unit is None:
            raise InputError(
                "missing unit (the scope observations must be in, e.g. 亿元)",
                file=where,
                row=row,
                column=WEIGHT_COLUMNS["unit"][0],
            )
        derive = None
        derive_text = _text(record.get("derive"))
        if derive_text:
            match = _DERIVE.match(derive_text)
            if not match:
                raise InputError(
                    f"expected numerator / denominator [* scale], got {derive_text!r}",
                    file=where,
                    row=row,
                    column=WEIGHT_COLUMNS["derive"][0],
                    fix="e.g. gdp / resident_population * 10000",
                )
            derive = {"numerator": match["num"], "denominator": match["den"]}
            if match["scale"]:
                derive["scale"] = float(match["scale"])
        dim_weight_text = _text(record.get("dimension_weight"))
        if dim_weight_text is not None:
            dim_weight = _number(dim_weight_text, where, row, "dimension_weight")
            if dimension in dimension_weight and dimension_weight[dimension][0] != dim_weight:
                first_weight, first_row = dimension_weight[dimension]
                raise InputError(
                    f"dimension {dimension} has weight {dim_weight:g} here but {first_weight:g} in "
                    f"row {first_row}",
                    file=where,
                    row=row,
                    column=WEIGHT_COLUMNS["dimension_weight"][0],
                    fix="give a dimension one weight (or leave the later rows blank)",
                )
            dimension_weight.setdefault(dimension, (dim_weight, row))
        scopes = [s.strip() for s in (_text(record.get("scopes")) or "").split(";") if s.strip()]
        out.append(
            {
                "row": row,
                "dimension": dimension,
                "dimension_name_zh": _text(record.get("dimension_name_zh")),
                "dimension_name_en": _text(record.get("dimension_name_en")),
                "indicator": code,
                "name_zh": _text(record.get("name_zh")),
                "name_en": _text(record.get("name_en")),
                "weight": weight,
                "direction": direction,
                "unit": unit,
                "value_type": value_type,
                "scopes": scopes,
                "derive": derive,
                "definition": _text(record.get("definition")),
            }
        )
        if not (out[-1]["name_zh"] or out[-1]["name_en"]):
            out[-1]["name_en"] = code
    if not out:
        raise InputError("no indicator rows", file=where, fix="one row per indicator")
    frame_out = pd.DataFrame(out)
    frame_out["dimension_weight"] = frame_out["dimension"].map(
        {d: w for d, (w, _) in dimension_weight.items()}
    )
    return frame_out


def _read_settings(path: Path, sheet: str) -> dict[str, str]:
    where = f"{path} (sheet {sheet})"
    raw = read_table(path, sheet=sheet)
    columns = [str(c) for c in raw.columns]
    keys = {_key(c): c for c in columns}
    key_col = next((keys[k] for k in ("key", "设置", "设置项", "项目") if k in keys), columns[0])
    value_col = next(
        (keys[k] for k in ("value", "值", "取值") if k in keys),
        columns[1] if len(columns) > 1 else None,
    )
    if value_col is None:
        raise InputError("expected a key column and a value column", file=where)
    out: dict[str, str] = {}
    for i, (key, value) in enumerate(zip(raw.frame[key_col], raw.frame[value_col], strict=True)):
        name = _text(key)
        if name is None:
            continue
        name = name.split(" ", 1)[0].strip()
        if name not in SETTING_KEYS:
            raise InputError(
                f"unknown setting {name!r}",
                file=where,
                row=int(raw.frame.index[i]) + raw.first_row,
                column=key_col,
                fix=f"expected one of {', '.join(SETTING_KEYS)}",
            )
        text = _text(value)
        if text is not None:
            out[name] = text
    return out
