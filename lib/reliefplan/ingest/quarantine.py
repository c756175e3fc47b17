"""The quarantine file: every rejected registry row with its reasons, for the sending unit to fix."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from reliefplan.core.errors import InputError
from reliefplan.ingest import sheets as excel

QUARANTINE_HEADERS = {
    "file": "文件 file", "sheet": "工作表 sheet", "row": "行号 row", "column": "列 column",
    "value": "值 value", "reason_code": "原因代码 reason code", "reason_zh": "原因 reason (zh)",
    "reason_en": "原因(英文) reason (en)",
}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """A CSV cell that Excel/WPS would run as a formula (=, +, -, @ first) is prefixed with ' so it stays text.

    The quarantine holds what units typed, so a cell like ``=HYPERLINK(...)``
    must never become live when the unit opens the file to correct it.
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def quarantine_frame(result) -> pd.DataFrame:
    """Rejected rows with bilingual headers, original cells as read (the user's own data to fix)."""
    return result.rejected.rename(columns=QUARANTINE_HEADERS)


def write_quarantine(result, out_path) -> Path:
    """Write every rejected row with its reasons to .xlsx (xlsxwriter) or .csv (UTF-8 BOM).

    ID numbers and phones are written as text exactly as read: the quarantine
    is the sending unit's own file to correct and send again, not a report.
    In the CSV a cell starting with = + - @ is neutralised with a leading ';
    the xlsx writes every text as a string cell, never a formula.
    """
    out_path = Path(out_path)
    frame = quarantine_frame(result)
    suffix = out_path.suffix.lower()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        text = frame.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else excel.cell_text(v))
        text = text.map(neutralise_formula)
        text.columns = [neutralise_formula(str(c)) for c in text.columns]
        text.to_csv(out_path, index=False, encoding="utf-8-sig")
    elif suffix in (".xlsx", ".xlsm"):
        _write_xlsx(frame, out_path)
    else:
        raise InputError("隔离文件须为 .xlsx 或 .csv", "the quarantine file must be .xlsx or .csv",
                         file=out_path)
    return out_path


def _write_xlsx(frame: pd.DataFrame, out_path: Path) -> None:
    with xlsxwriter.Workbook(str(out_path), {"constant_memory": True}) as book:
        sheet = book.add_worksheet("退回 rejected")
        bold = book.add_format({"bold": True, "bg_color": "#FCE4D6", "text_wrap": True})
        for j, name in enumerate(frame.columns):
            sheet.write_string(0, j, str(name), bold)
            sheet.set_column(j, j, 18 if j < len(QUARANTINE_HEADERS) else 14)
        for i, row in enumerate(frame.itertuples(index=False, name=None), start=1):
            for j, value in enumerate(row):
                if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(i, j, value)
                elif isinstance(value, (int, np.integer)):
                    sheet.write_number(i, j, int(value))
                elif isinstance(value, float):
                    sheet.write_number(i, j, value)
                else:
                    sheet.write_string(i, j, excel.cell_text(value))
        sheet.freeze_panes(1, 0)


def first_rejections(result, limit: int = 10, lang: str = "zh") -> list[str]:
    """Lines describing the first rejected rows, values masked, for a console."""
    lines = []
    several = len({s.sheet for s in getattr(result, "sheets", [])}) > 1
    for row in result.rejected.head(limit).itertuples(index=False):
        reason = row.reason_zh if lang == "zh" else row.reason_en
        sheet = row.sheet if several and isinstance(row.sheet, str) else None
        if lang == "zh":
            where = (f"工作表「{sheet}」" if sheet else "") + f"第 {row.row} 行"
        else:
            where = f"row {row.row}" + (f" of sheet {sheet!r}" if sheet else "")
        lines.append(f"{where} [{row.column}] {row.value!s}: {reason}")
    return lines
