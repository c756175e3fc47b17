"""Problems found in registry rows: reason codes, one line per problem, one line per rejected row.

Problems are collected as arrays of row positions per column (no per-row
objects) and turned into lines naming the file, sheet, row, column (as the
user named it), the value (personal fields masked) and the reason in zh and en.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reliefplan.core import ids, privacy
from reliefplan.core.text import clean_cell
from reliefplan.ingest import sheets as excel
from reliefplan.ingest.area_match import AREA_REASONS
from reliefplan.ingest.convert import VALUE_REASONS
from reliefplan.ingest.roster import ROSTER_REASONS

PROBLEM_COLUMNS = ("file", "sheet", "row", "column", "value", "reason_code", "reason_zh", "reason_en")
MASKED_COLUMNS = {"id_number": privacy.mask_id, "phone": privacy.mask_phone,
                  "name": privacy.mask_name, "diagnosis": lambda v: privacy.DIAGNOSIS_MASK if v else ""}

# reason code -> (zh, en); ID reasons come from reliefplan.core.ids, value reasons from .convert.
REASONS: dict[str, tuple[str, str]] = {
    **ids.REASONS,
    **VALUE_REASONS,
    "unknown_category": ("困难类别不在类别表中", "category is not in the categories table"),
    "duplicate_id": ("同一填报单位中身份证号重复", "same ID number listed twice by the same organizer"),
    "unknown_delivery": ("发放方式无法识别", "delivery mode not recognised"),
    **AREA_REASONS,
    **ROSTER_REASONS,
}



class RowProblems:
    """Problems collected per column as arrays of row positions (no per-row objects)."""

    def __init__(self):
        self.parts: list[tuple[np.ndarray, str, np.ndarray, np.ndarray | None, np.ndarray | None]] = []

    def add(self, pos, column: str, codes, zh=None, en=None):
        pos = np.asarray(pos, dtype=np.int64)
        if len(pos) == 0:
            return
        codes = np.asarray(codes, dtype=object)
        if codes.ndim == 0:
            codes = np.full(len(pos), codes.item(), dtype=object)
        self.parts.append((pos, column, codes, zh, en))

    def add_codes(self, column: str, codes: np.ndarray):
        """Add every non-null code of a per-row code array."""
        hit = np.flatnonzero(pd.notna(codes))
        if len(hit):
            self.add(hit, column, codes[hit])

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({"pos": pd.Series(dtype=np.int64), "column": pd.Series(dtype=object),
                                 "reason_code": pd.Series(dtype=object), "reason_zh": pd.Series(dtype=object),
                                 "reason_en": pd.Series(dtype=object)})
        frames = []
        for pos, column, codes, zh, en in self.parts:
            if zh is None:
                zh = np.array([REASONS[c][0] for c in codes], dtype=object)
                en = np.array([REASONS[c][1] for c in codes], dtype=object)
            frames.append(pd.DataFrame({"pos": pos, "column": column, "reason_code": codes,
                                        "reason_zh": zh, "reason_en": en}))
        return pd.concat(frames, ignore_index=True)


def display_value(column: str, value) -> str:
    """A cell as shown in a message: text as in Excel, personal fields masked."""
    text = ids.normalise_id(value) if column == "id_number" else clean_cell(excel.cell_text(value))
    mask = MASKED_COLUMNS.get(column)
    return mask(text) if mask else text


def problem_lines(prob: pd.DataFrame, *, path, sheet, names, data, field_col, row_numbers) -> pd.DataFrame:
    """One line per problem: file, sheet, row, column (as the user named it), masked value, reasons."""
    if prob.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ("pos", *PROBLEM_COLUMNS)})
    prob = prob.sort_values(["pos"], kind="stable").reset_index(drop=True)
    pos = prob["pos"].to_numpy(dtype=np.int64)
    column_names = np.empty(len(prob), dtype=object)
    values = np.empty(len(prob), dtype=object)
    for canon, part in prob.groupby("column", sort=False).groups.items():
        part = np.asarray(part)
        j = field_col[canon]
        column_names[part] = names[j]
        values[part] = [display_value(canon, v) for v in data[j][pos[part]]]
    return pd.DataFrame({
        "pos": pos, "file": path, "sheet": sheet, "row": row_numbers[pos].astype(np.int64),
        "column": column_names, "value": values, "reason_code": prob["reason_code"].to_numpy(),
        "reason_zh": prob["reason_zh"].to_numpy(), "reason_en": prob["reason_en"].to_numpy(),
    })


def with_originals(lines: pd.DataFrame, *, path, sheet, names, data, field_col, row_numbers) -> pd.DataFrame:
    """Problem lines followed by the row's original cells under the user's own headers."""
    pos = lines["pos"].to_numpy(dtype=np.int64)
    out = lines.drop(columns=["pos"]).reset_index(drop=True)
    for j, name in enumerate(names):
        key = name if name not in out.columns else f"{name}(原)"
        out[key] = pd.Series(data[j][pos] if len(pos) else [], dtype=object)
    return out


def rejected_frame(lines: pd.DataFrame, **ctx) -> pd.DataFrame:
    """One line per rejected row: its reasons joined, then its original cells."""
    if lines.empty:
        return with_originals(lines, **ctx)
    grouped = lines.groupby("pos", sort=True)
    first = grouped.first()
    joined = grouped.agg({"column": "; ".join, "value": "; ".join, "reason_code": ";".join,
                          "reason_zh": "；".join, "reason_en": "; ".join})
    per_row = pd.DataFrame({
        "pos": first.index.to_numpy(dtype=np.int64), "file": first["file"].to_numpy(),
        "sheet": first["sheet"].to_numpy(), "row": first["row"].to_numpy(dtype=np.int64),
        "column": joined["column"].to_numpy(), "value": joined["value"].to_numpy(),
        "reason_code": joined["reason_code"].to_numpy(), "reason_zh": joined["reason_zh"].to_numpy(),
        "reason_en": joined["reason_en"].to_numpy(),
    })
    return with_originals(per_row, **ctx)


