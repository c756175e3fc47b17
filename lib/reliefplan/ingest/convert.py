"""Value converters, one set for the registry and the reference tables.

Each converter takes a cell and returns ``(value, reason_code, warning_code)``;
:func:`per_unique` applies it to each distinct value of a column and
broadcasts the results back, so a million rows cost as many calls as there
are distinct values. The registry (:mod:`.registry`) and the reference tables
(:mod:`.table_columns`) call the same converters, so "3人" and "12户" are read
as numbers in both, "500元" and "1.5万元" as amounts in both, and a yes/no cell
holding other text is refused in both. :func:`reason_text` words each reason
code for the kind of column it was found in. Free text and phones are tidied
with vectorised string operations instead.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from reliefplan.core.errors import ConfigError
from reliefplan.core.text import clean_cell, header_key, nfkc, strip_all_spaces
from reliefplan.ingest import sheets as excel
from reliefplan.ingest.categories import category_lookup, load_categories

_YES = {"是", "1", "y", "yes", "true", "t", "√", "✓", "✔", "有", "残疾", "重病", "是的", "已签收", "签收", "已签"}
_NO = {"", "否", "0", "n", "no", "false", "f", "×", "✗", "无", "不是", "非", "-", "/", "没有",
       "未签收", "未签"}
# Units written after a count: 3人, 12户, 5口人, 2名.
_COUNT_UNITS = re.compile(r"(人口|口人|人|口|户|名|个|位|次)$")
_MONEY_PREFIX = re.compile(r"^(?:[￥¥]|rmb|RMB|人民币)")
_MONEY_UNIT = re.compile(r"(万元|万|元|圆|块)$")

# reason code -> (zh, en) for the codes the converters return; see reason_text() for the wording by kind.
VALUE_REASONS: dict[str, tuple[str, str]] = {
    "missing_value": ("必填项为空", "required value is empty"),
    "not_a_number": ("不是数字", "not a number"),
    "not_an_integer": ("应为整数", "must be a whole number"),
    "negative_number": ("不能为负数", "must not be negative"),
    "below_minimum": ("数值过小", "value is below the minimum"),
    "not_yes_no": ("须为 是/否", "must be yes/no (是/否)"),
}
_SPACE_CHARS = " \t\r\n\u00a0\u3000\u200b\ufeff"
_CJK_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_AMOUNT = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?")
_MAX_INT_DIGITS = 13


def per_unique(values: np.ndarray, func) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply ``func(value) -> (out, reason, warning)`` to each distinct value, broadcast back."""
    if len(values) == 0:
        empty = np.array([], dtype=object)
        return empty, empty, empty
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    results = [func(u) for u in uniques]
    out = np.empty(len(results), dtype=object)
    reason = np.empty(len(results), dtype=object)
    warn = np.empty(len(results), dtype=object)
    for k, (o, r, w) in enumerate(results):
        out[k], reason[k], warn[k] = o, r, w
    return out[codes], reason[codes], warn[codes]


def map_unique(values: pd.Series, func) -> pd.Series:
    """``values.map(func)`` calling ``func`` once per distinct value (cells of a table repeat a lot).

    ``func`` sees each distinct cell as ``map`` would (NaN too), on a Series of
    the same dtype, so the result's values and dtype are ``map``'s; equal cells
    share one result object.
    """
    codes, _ = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    _, first = np.unique(codes, return_index=True)
    mapped = values.take(first).map(func)
    return mapped.take(codes).set_axis(values.index)


def repeated(value, n: int) -> np.ndarray:
    """An object array of ``n`` times the same object (``np.full`` makes a new str per element)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def shared_values(values: np.ndarray) -> np.ndarray:
    """``values`` with equal cells sharing one object: a column of repeated names costs a pointer per row."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    return uniques[codes]


def code_text(value) -> str:
    """A code-like cell as text: spaces removed, a number's ".0" dropped."""
    text = strip_all_spaces(excel.cell_text(value))
    if re.fullmatch(r"[0-9]+\.0*", text):
        text = text.split(".")[0]
    return text


def reason_text(code: str, kind: str = "", minimum=None) -> tuple[str, str]:
    """(zh, en) for a converter's reason code, worded for the column's kind (int, money, bool)."""
    if kind == "int" and code in ("not_a_number", "not_an_integer"):
        return "须为整数", "must be a whole number"
    if kind == "int" and code in ("negative_number", "below_minimum") and minimum is not None:
        return f"不能小于 {minimum}", f"must be at least {minimum}"
    if kind == "money" and code == "not_a_number":
        return "不是有效金额(元)", "not an amount in yuan"
    if kind == "money" and code == "negative_number":
        return "金额不能为负数", "an amount cannot be negative"
    return VALUE_REASONS[code]


def int_value(minimum):
    """Converter for a count: "3", 3.0, "3人", "12户", "5口人" -> int; ``minimum`` checked."""
    def convert(value):
        text = code_text(value)
        if not text:
            return None, None, None
        text = _COUNT_UNITS.sub("", text)
        m = re.fullmatch(r"([+-]?)([0-9]{1,9})(?:\.([0-9]*))?", text)
        if not m:
            return None, "not_a_number", None
        if m.group(3) and m.group(3).strip("0"):
            return None, "not_an_integer", None
        number = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
        if number < 0:
            return None, "negative_number", None
        if minimum is not None and number < minimum:
            return None, "below_minimum", None
        return number, None, None
    return convert


def money_value(value):
    """Converter for an amount in yuan -> int fen, exactly: "500", "500元", "￥1,000.50", "1.5万元".

    A float cell (Excel stores every number as one) is read through its
    shortest repr, which is the amount as typed; more than two decimals are
    rounded half-up to the fen.
    """
    text = strip_all_spaces(excel.cell_text(value))
    text = _MONEY_PREFIX.sub("", re.sub(r"[,，]", "", text))
    unit = _MONEY_UNIT.search(text)
    text = _MONEY_UNIT.sub("", text)
    if not text:
        return (None, None, None) if not unit else (None, "not_a_number", None)
    m = _AMOUNT.fullmatch(text)
    if not m or not (m.group(2) or m.group(3)) or len(m.group(2)) > _MAX_INT_DIGITS:
        return None, "not_a_number", None
    dec = Decimal(f"{m.group(1)}{m.group(2) or '0'}.{m.group(3) or '0'}")
    if unit and unit.group(1).startswith("万"):
        dec *= 10000
    if dec < 0:
        return None, "negative_number", None
    return int((dec * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)), None, None


def bool_value(value):
    """Converter for a yes/no cell: 是/否, Y/N, 1/0, √/×, 有/无 ...; an empty cell is no.

    Any other text is refused (``not_yes_no``) rather than guessed: "肢体二级" in
    是否残疾 probably means yes, but "也许" in 签收 does not, and a guess moves money.
    """
    if isinstance(value, bool):
        return value, None, None
    text = strip_all_spaces(excel.cell_text(value)).lower()
    if text in _NO:
        return False, None, None
    if text in _YES:
        return True, None, None
    return None, "not_yes_no", None


def category_value(lookup: dict[str, str]):
    def convert(value):
        text = clean_cell(excel.cell_text(value))
        if not text:
            return None, "missing_value", None
        code = lookup.get(header_key(text))
        if code is None:
            return None, "unknown_category", None
        return code, None, None
    return convert



def category_lookup_of(categories) -> dict[str, str]:
    if categories is None:
        raise ConfigError("核对困难类别需要困难类别表(方案 data.categories)",
                          "checking categories needs the categories table (the plan's data.categories)",
                          column="category")
    if isinstance(categories, (str, Path)):
        categories = load_categories(categories)
    if isinstance(categories, dict):
        return {header_key(k): v for k, v in categories.items()}
    return category_lookup(categories)


_NEEDS_WORK = r"^[\s\u00a0\u3000\u200b\ufeff]|[\s\u00a0\u3000\u200b\ufeff]$|[\uff01-\uff5e]"
_NEEDS_WORK_NAME = r"[\s\u00a0\u3000\u200b\ufeff\uff01-\uff5e]"


def _tidy_text(text: str, squeeze: bool) -> str:
    text = nfkc(text).strip(_SPACE_CHARS)
    if squeeze:
        # "张　三" (names padded to line up in print) -> "张三"; "Mary Ann" keeps one space
        text = _CJK_SPACE.sub("" if re.search(r"[\u4e00-\u9fff]", text) else " ", text)
    return text


def text_column(values: np.ndarray, *, squeeze: bool = False) -> pd.Series:
    """Free text, trimmed (NBSP and ideographic spaces too), full-width folded.

    One regex pass finds the cells that need work; only those are rewritten.
    """
    s = pd.Series(values, dtype=object)
    is_str = s.map(type).to_numpy() == str
    if not is_str.all():
        s[~is_str] = [excel.cell_text(v) for v in s[~is_str]]
    work = s.str.contains(_NEEDS_WORK_NAME if squeeze else _NEEDS_WORK, regex=True)
    work = work.fillna(False).to_numpy(dtype=bool)
    if work.any():
        s[work] = [_tidy_text(v, squeeze) for v in s[work]]
    return s


def phone_column(values: np.ndarray) -> pd.Series:
    s = pd.Series(values, dtype=object)
    is_str = s.map(type).to_numpy() == str
    if not is_str.all():
        s[~is_str] = [code_text(v) for v in s[~is_str]]
    s = s.astype(object)
    messy = ~s.str.fullmatch(r"[0-9]*").fillna(False).to_numpy(dtype=bool)
    if messy.any():
        s[messy] = s[messy].map(strip_all_spaces)
    return s


