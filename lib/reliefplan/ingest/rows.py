"""The data rows below a registry header: blank rows and footer rows set apart.

A row whose every cell is empty is *blank* (skipped, counted); a footer row
(合计/小计/填表人/审核人/注: ... with no ID number) is not a person (skipped,
counted, named in the notes). Both checks run on whole columns.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from reliefplan.core.text import clean_cell
from reliefplan.ingest import sheets as excel

_SPACE_CHARS = " \t\r\n\u00a0\u3000\u200b\ufeff"


def is_blank_cell(value) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, str):
        return not value.strip(_SPACE_CHARS)
    return isinstance(value, float) and math.isnan(value)


def blank_mask(values: np.ndarray) -> np.ndarray:
    """True where a cell is empty, None, NaN or only spaces (vectorised over an object array)."""
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    blank = values == ""
    rest = np.flatnonzero(~blank)
    if len(rest):
        s = pd.Series(values[rest], dtype=object)
        is_str = s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        is_blank = s.isna().to_numpy().copy()
        if is_str.any():
            stripped = s[is_str].astype(object).str.strip(_SPACE_CHARS)
            is_blank[is_str] |= stripped.eq("").fillna(False).to_numpy(dtype=bool)
        blank[rest] = is_blank
    return blank


def fill_merged_down(arrays: list[np.ndarray], numbers: np.ndarray, merged, skip: int) -> dict[int, np.ndarray]:
    """Copy the value of each merged data cell down the rows its range covers; the row numbers filled per column.

    Only within a merged range and only down its first column: a roster's
    户主姓名 merged over a household's three member rows fills those three rows
    and never the next household. Ranges in the header rows are the header's.
    """
    filled: dict[int, list[np.ndarray]] = {}
    for r0, c0, r1, _c1 in merged:
        if r0 < skip or r1 <= r0 or c0 < 0 or c0 >= len(arrays):
            continue
        i0, i1 = r0 - skip, min(r1 - skip, len(numbers) - 1)
        if i0 >= len(numbers) or i1 <= i0:
            continue
        column = arrays[c0]
        if not column.flags.writeable:
            column = arrays[c0] = column.copy()
        column[i0 + 1:i1 + 1] = column[i0]
        filled.setdefault(c0, []).append(numbers[i0 + 1:i1 + 1])
    return {j: np.concatenate(parts) for j, parts in filled.items()}


def data_rows(raw: excel.RawSheet, header, names: list[str], field_col: dict[str, int]):
    """(columns of the rows read, their row numbers, number of blank rows skipped, row numbers filled per column).

    Merged data cells are filled down first (:func:`fill_merged_down`). Cells
    right of the last header column are kept (named 列J, ...) so that a
    rejected row carries everything the user typed. The parsed sheet is
    released once the columns are out.
    """
    width = len(names)
    arrays, all_numbers = raw.data(header.last_pos + 1)
    raw.release()
    filled = fill_merged_down(arrays, all_numbers, raw.merged, header.last_pos + 1)
    while len(arrays) < width:
        arrays.append(np.full(len(all_numbers), "", dtype=object))
    for j in range(width, len(arrays)):
        if not blank_mask(arrays[j]).all():
            names.append(f"列{excel.column_letter(raw.first_col + j)}")
    arrays = arrays[:width] + [a for a in arrays[width:] if not blank_mask(a).all()]

    # Blank rows: every cell empty. Checked column by column, only on rows still blank,
    # registry fields first (they are rarely empty, so few rows remain after them).
    candidate = np.ones(len(all_numbers), dtype=bool)
    for j in sorted(range(len(arrays)), key=lambda j: j not in field_col.values()):
        idx = np.flatnonzero(candidate)
        if not len(idx):
            break
        candidate[idx[~blank_mask(arrays[j][idx])]] = False
    blank_rows = int(candidate.sum())
    if blank_rows:
        keep = np.flatnonzero(~candidate)
        return [a[keep] for a in arrays], all_numbers[keep], blank_rows, filled
    return arrays, all_numbers, 0, filled


FOOTER_WORDS = ("合计", "小计", "总计", "共计", "填表人", "填报人", "制表人", "审核人", "审批人", "负责人",
                "单位负责人", "经办人", "联系人", "填表日期", "填报日期", "制表日期", "注:", "注：", "说明:", "说明：")
_FOOTER_RE = "^(?:" + "|".join(FOOTER_WORDS) + ")"
_CJK = re.compile("[\u4e00-\u9fff]")


def drop_footer_rows(arrays: list[np.ndarray], numbers: np.ndarray, field_col: dict[str, int]):
    """Split off footer rows: no ID number, and a cell starting with 合计/填表人/注: ...

    Government forms end with a totals line and signature lines; they are not
    people, so rejecting them would only bury real problems. Returns the kept
    columns, their row numbers and the row numbers of the footers.
    """
    id_col = field_col.get("id_number")
    if id_col is None or not len(numbers):
        return arrays, numbers, numbers[:0]
    # candidates: no ID, or Chinese text where the ID should be (e.g. 审核人：… spread across columns)
    has_cjk = pd.Series(arrays[id_col], dtype=object).astype(str).str.contains(_CJK.pattern, regex=True)
    candidate = blank_mask(arrays[id_col]) | has_cjk.to_numpy(dtype=bool)
    if not candidate.any():
        return arrays, numbers, numbers[:0]
    idx = np.flatnonzero(candidate)

    def starts_footer(column):
        cells = pd.Series([clean_cell(v).replace(" ", "") if isinstance(v, str) else "" for v in column[idx]],
                          dtype="object")
        return cells.str.contains(_FOOTER_RE, regex=True).to_numpy(dtype=bool)

    footer = np.zeros(len(idx), dtype=bool)
    for column in arrays:
        footer |= starts_footer(column)
    name_col = field_col.get("name")
    if name_col is not None:  # a named person without an ID is a rejected row, never a footer
        footer &= blank_mask(arrays[name_col][idx]) | starts_footer(arrays[name_col])
    if not footer.any():
        return arrays, numbers, numbers[:0]
    drop = np.zeros(len(numbers), dtype=bool)
    drop[idx[footer]] = True
    keep = np.flatnonzero(~drop)
    return [a[keep] for a in arrays], numbers[keep], numbers[drop]


