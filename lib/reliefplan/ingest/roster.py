"""Household rosters (花名册): one member per row, grouped into households.

The common form lists a household over several rows: 户主姓名, 家庭住址, 困难类别
and 区划 are vertically merged cells on the household's first row, and each
row carries one member (家庭成员姓名, 与户主关系, 身份证号码). A sheet is a roster
when its header has a 与户主关系 column, or both a member name and 户主姓名
(:attr:`reliefplan.ingest.header.Header.is_roster`).

Merged cells are filled down before this module runs (only within a merged
range: :func:`reliefplan.ingest.rows.fill_merged_down`). Here the rows are cut
into households and each row gets a household key ``"<sheet>!<first row>"``:

* a household starts on a row whose 户编号 / 户主姓名 / 户主身份证号 cell (the
  first of these the sheet has) holds a value of its own (not filled from a
  merged cell above) that differs from the row above or follows a merged
  block, or whose 与户主关系 is 户主/本人;
* household fields left blank on a member row (not merged, just not
  repeated) take the household's first-row value, within the household only;
* household size is the number of member rows when the sheet has no 家庭人口
  column; when it has one and it disagrees with the members listed, that is
  a warning on the household's rows.

Everything is vectorised over the rows; nothing loops per member.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reliefplan.ingest.rows import blank_mask

HEAD_RELATIONS = ("户主", "本人", "户主本人", "户主(本人)", "head", "self")
HOUSEHOLD_FIELDS = ("area_code", "category", "address", "household_size", "income_fen", "organizer", "phone",
                    "head_name", "head_id_number", "household_no")
KEY_FIELDS = ("household_no", "head_name", "head_id_number")
ROSTER_REASONS = {
    "household_size_mismatch": ("家庭人口与列出的家庭成员数不一致", "household size differs from the members listed"),
}


def _codes(values: np.ndarray) -> np.ndarray:
    """Integer codes of the values (equal values, equal codes), to compare neighbouring rows."""
    codes, _ = pd.factorize(pd.Series(values, dtype=object).astype(str).str.strip(), use_na_sentinel=False)
    return codes


def household_starts(data: list[np.ndarray], field_col: dict[str, int], numbers: np.ndarray,
                     filled: dict[int, np.ndarray]) -> np.ndarray:
    """True on the first row of each household (see the module doc)."""
    n = len(numbers)
    start = np.zeros(n, dtype=bool)
    if not n:
        return start
    rel = field_col.get("relationship")
    if rel is not None:
        text = pd.Series(data[rel], dtype=object).astype(str).str.replace(r"\s+", "", regex=True).str.lower()
        start |= text.isin(HEAD_RELATIONS).to_numpy(dtype=bool)
    key_col = next((field_col[f] for f in KEY_FIELDS if f in field_col), None)
    if key_col is not None:
        values = data[key_col]
        was_filled = np.isin(numbers, filled.get(key_col, numbers[:0]))
        own = ~blank_mask(values) & ~was_filled
        codes = _codes(values)
        changed = np.ones(n, dtype=bool)
        changed[1:] = codes[1:] != codes[:-1]
        after_block = np.zeros(n, dtype=bool)
        after_block[1:] = was_filled[:-1]
        start |= own & (changed | after_block)
    start[0] = True
    return start


def household_keys(sheet: str | None, numbers: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(household key per row, household number 0.. per row) from the household starts."""
    block = np.cumsum(start) - 1
    first_rows = pd.Series(numbers[np.flatnonzero(start)], dtype="int64").astype(str)
    keys = (f"{sheet or ''}!" + first_rows).to_numpy(dtype=object)
    return keys[block], block


def inherit_household_fields(data: list[np.ndarray], field_col: dict[str, int], start: np.ndarray,
                             block: np.ndarray) -> int:
    """Blank household fields of member rows take the household's first-row value; the cells filled."""
    first = np.flatnonzero(start)[block]
    count = 0
    for f in HOUSEHOLD_FIELDS:
        j = field_col.get(f)
        if j is None:
            continue
        blank = blank_mask(data[j]) & ~blank_mask(data[j][first])
        if blank.any():
            column = data[j].copy()
            column[blank] = data[j][first[blank]]
            data[j] = column
            count += int(blank.sum())
    return count


def member_counts(block: np.ndarray) -> np.ndarray:
    """Per row: how many member rows its household has."""
    return np.bincount(block)[block] if len(block) else np.zeros(0, dtype=np.int64)


def size_mismatch(stated: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Rows whose stated household size (not missing) differs from the members listed."""
    stated_num = pd.to_numeric(pd.Series(stated, dtype=object), errors="coerce").to_numpy(dtype=float)
    return ~np.isnan(stated_num) & (stated_num != members)
