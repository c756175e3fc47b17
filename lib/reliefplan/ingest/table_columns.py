"""Converting the columns of a reference table by kind (code, int, money, date, bool, ...).

Counts, amounts and yes/no cells go through the same converters as the
registry (:mod:`.convert`): "12户" is 12 here as "3人" is 3 there, and a yes/no
cell holding other text is refused in both. Money is read as text and
converted to integer fen exactly (never through a float). Plain values take vectorised paths; problems are collected in a
:class:`TableProblems`, in file order.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd

from reliefplan.core import schema
from reliefplan.core.errors import ConfigError
from reliefplan.core.ids import REASONS, validate_ids
from reliefplan.core.text import clean_cell, header_key, strip_all_spaces
from reliefplan.ingest.categories import category_lookup
from reliefplan.ingest.convert import bool_value, int_value, map_unique, money_value, per_unique, reason_text

_SHOW_PROBLEMS = 5         # problems listed in the error message


class TableProblems:
    """Problems found while converting, in file order."""

    def __init__(self):
        self.rows: list[dict] = []

    def add(self, rows, column: str, values, zh: str, en: str) -> None:
        for row, value in zip(rows, values):
            self.rows.append({"row": int(row), "column": column, "value": value, "zh": zh, "en": en})

    def add_mask(self, data: pd.Series, mask, column: str, zh: str, en: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.add(data.index[mask], column, data[mask].tolist(), zh, en)

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=["row", "column", "value", "zh", "en"])
        return df.sort_values(["row"], kind="stable").reset_index(drop=True)

    def raise_if_any(self, path: Path, error) -> None:
        if not self.rows:
            return
        df = self.frame()
        first = df.iloc[0]
        more_zh = more_en = ""
        if len(df) > 1:
            shown = df.iloc[1:_SHOW_PROBLEMS]
            more_zh = f"; 共 {len(df)} 处问题, 另有: " + "; ".join(
                f"第{r.row}行 {r.column}: {r.zh}" for r in shown.itertuples())
            more_en = f"; {len(df)} problems in all, also: " + "; ".join(
                f"row {r.row} {r.column}: {r.en}" for r in shown.itertuples())
            if len(df) > _SHOW_PROBLEMS:
                more_zh += " …"
                more_en += " ..."
        value = f" ({first.value!r})" if first.value not in ("", None) else ""
        exc = error(f"{first.zh}{value}{more_zh}", f"{first.en}{value}{more_en}",
                    file=path, row=int(first.row), column=first.column)
        exc.problems = df
        raise exc


_CODE = re.compile(r"[0-9]+")


def _empty(col: str, text: pd.Series, required: bool, problems: TableProblems) -> np.ndarray:
    blank = text.eq("").to_numpy()
    if required:
        problems.add_mask(text, blank, col, "必填项为空", "required value is empty")
    return blank


def _as_code(col, raw, required, problems):
    text = map_unique(raw, strip_all_spaces).str.replace(r"\.0+$", "", regex=True)
    blank = _empty(col, text, required, problems)
    bad = ~blank & ~text.str.fullmatch(_CODE.pattern).to_numpy(dtype=bool)
    problems.add_mask(raw, bad, col, "区划代码须为数字", "an area code must be digits")
    length_bad = ~blank & ~bad & ~text.str.len().isin([6, 9, 12]).to_numpy()
    problems.add_mask(raw, length_bad, col, "区划代码须为6、9或12位", "an area code must have 6, 9 or 12 digits")
    return text.astype("str").where(~blank)


def _shared(col, raw, required, problems, converter, kind, minimum=None) -> np.ndarray:
    """Convert with one of the registry's converters (:mod:`.convert`), once per distinct value.

    Problems are worded by :func:`reliefplan.ingest.convert.reason_text`, so the
    registry and the tables accept and refuse the same cells in the same words.
    """
    blank = _empty(col, map_unique(raw, strip_all_spaces), required, problems)
    values, reasons, _ = per_unique(raw.to_numpy(dtype=object), converter)
    reasons = np.where(blank, None, reasons)
    for code in pd.unique(reasons[pd.notna(reasons)]):
        zh, en = reason_text(code, kind, minimum)
        problems.add_mask(raw, reasons == code, col, zh, en)
    return np.where(pd.isna(reasons), values, None)


def _as_int(col, raw, required, problems, minimum):
    values = _shared(col, raw, required, problems, int_value(minimum), "int", minimum)
    return pd.Series(pd.array(values, dtype="Int64"), index=raw.index)


def _as_money(col, raw, required, problems):
    """Yuan text -> int fen, exactly (500, 500元, ￥1,000.50, 1.5万元)."""
    values = _shared(col, raw, required, problems, money_value, "money")
    return pd.Series(pd.array(values, dtype="Int64"), index=raw.index)


def _as_date(col, raw, required, problems):
    text = map_unique(raw, strip_all_spaces)
    text = text.str.replace(r"(T|\s)?00:00:00(\.0+)?$", "", regex=True)
    norm = (text.str.replace("年", "-", regex=False).str.replace("月", "-", regex=False)
            .str.replace("日", "", regex=False).str.replace(r"[/.]", "-", regex=True))
    blank = _empty(col, text, required, problems)
    dashed = pd.to_datetime(norm.where(norm.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}")),
                            format="%Y-%m-%d", errors="coerce")
    compact = pd.to_datetime(norm.where(norm.str.fullmatch(r"\d{8}")), format="%Y%m%d", errors="coerce")
    dates = dashed.fillna(compact).astype("datetime64[ns]")
    bad = ~blank & dates.isna().to_numpy()
    problems.add_mask(raw, bad, col, "不是有效日期(应为 2026-01-31 这样的格式)",
                      "not a valid date (write it like 2026-01-31)")
    return dates


def _as_bool(col, raw, required, problems):
    values = _shared(col, raw, required, problems, bool_value, "bool")
    return pd.Series(values, index=raw.index, dtype=object).fillna(False).astype(bool)


def _as_choice(col, raw, required, problems, aliases: dict[str, str], zh_what: str, en_what: str):
    lookup = {header_key(k): v for k, v in aliases.items()}
    key = map_unique(raw, header_key)
    blank = _empty(col, key, required, problems)
    mapped = key.map(lookup)
    bad = ~blank & mapped.isna().to_numpy()
    choices = ", ".join(sorted(set(aliases.values())))
    problems.add_mask(raw, bad, col, f"{zh_what}不在可选值中({choices})", f"{en_what} is not one of: {choices}")
    return mapped.astype("str")


def _as_category(col, raw, required, problems, categories: pd.DataFrame | None):
    if categories is None:
        raise ConfigError(f"列 {col} 需要困难类别表(方案 data.categories)",
                          f"column {col} needs the categories table (the plan's data.categories)", column=col)
    lookup = category_lookup(categories)
    key = map_unique(raw, header_key)
    blank = _empty(col, key, required, problems)
    mapped = key.map(lookup)
    bad = ~blank & mapped.isna().to_numpy()
    problems.add_mask(raw, bad, col, "未知的困难类别", "unknown category")
    return mapped.astype("str")


def _as_id_number(col, raw, required, problems):
    checked = validate_ids(raw)
    blank = checked["reason"].eq("id_missing").to_numpy()
    if required:
        problems.add_mask(raw, blank, col, "必填项为空", "required value is empty")
    bad = ~checked["ok"].to_numpy(dtype=bool) & ~blank
    for code in checked.loc[bad, "reason"].unique():
        zh, en = REASONS[code]
        problems.add_mask(raw, bad & checked["reason"].eq(code).to_numpy(), col, zh, en)
    return checked["id_number"].where(checked["ok"]).astype("str")


def _as_decimal(col, raw, required, problems):
    text = map_unique(raw, strip_all_spaces)
    blank = _empty(col, text, required, problems)
    out = []
    for pos, value in enumerate(text):
        if blank[pos]:
            out.append(None)
            continue
        try:
            dec = Decimal(value)
            if not dec.is_finite():
                raise InvalidOperation
            out.append(dec)
        except InvalidOperation:
            problems.add([raw.index[pos]], col, [raw.iat[pos]], "不是数字", "not a number")
            out.append(None)
    return pd.Series(out, index=raw.index, dtype=object)


def _as_text(col, raw, required, problems):
    text = map_unique(raw, clean_cell)
    blank = _empty(col, text, required, problems)
    return text.astype("str").where(~blank)


def convert_column(column: schema.Column, raw: pd.Series, problems: TableProblems, *, categories=None,
             choices=None) -> pd.Series:
    col, req = column.name, column.required
    if choices is not None:
        aliases, zh_what, en_what = choices
        return _as_choice(col, raw, req, problems, aliases, zh_what, en_what)
    kind = column.kind
    if kind == "code":
        return _as_code(col, raw, req, problems)
    if kind == "int":
        return _as_int(col, raw, req, problems, column.min_value)
    if kind == "money":
        return _as_money(col, raw, req, problems)
    if kind == "date":
        return _as_date(col, raw, req, problems)
    if kind == "bool":
        return _as_bool(col, raw, req, problems)
    if kind == "category":
        return _as_category(col, raw, req, problems, categories)
    if kind == "id_number":
        return _as_id_number(col, raw, req, problems)
    if kind == "decimal":
        return _as_decimal(col, raw, req, problems)
    if kind == "phone":
        return map_unique(raw, strip_all_spaces).astype("str")
    return _as_text(col, raw, req, problems)

