"""The quarantine file: every rejected registry row with its reasons, for the sending unit to fix."""

from __future__ import annotations

import math
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from reliefplan.core.cells import XLSX_OPTIONS, csv_cell
from reliefplan.core.errors import InputError
from reliefplan.ingest import sheets as excel

QUARANTINE_HEADERS = {
    "file": "文件 file", "sheet": "工作表 sheet", "row": "行号 row", "column": "列 column",
    "value": "值 value", "reason_code": "原因代码 reason code", "reason_zh": "原因 reason (zh)",
    "reason_en": "原因(英文) reason (en)",
}


def quarantine_frame(result) -> pd.DataFrame:
    """Rejected rows with bilingual headers, original cells as read (the user's own data to fix)."""
    return result.rejected.rename(columns=QUARANTINE_HEADERS)


QUARANTINE_SHEET = "退回 rejected"


def is_quarantine_file(path) -> bool:
    """Whether ``path`` is a quarantine file we wrote (its header / sheet), so it may be replaced."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".csv":
            head = path.read_bytes()[:4096].decode("utf-8-sig", errors="replace").splitlines()[:1]
            return bool(head) and QUARANTINE_HEADERS["reason_code"] in head[0]
        with zipfile.ZipFile(path) as book:
            return QUARANTINE_SHEET in book.read("xl/workbook.xml").decode("utf-8", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def check_quarantine_target(out_path, *, source=None, force: bool = False) -> Path:
    """The quarantine path, checked: .xlsx/.csv, not a folder, not the input ``source``, and not an
    existing file other than an earlier quarantine (unless ``force``). InputError otherwise."""
    out_path = Path(out_path)
    suffix = out_path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise InputError("隔离文件须为 .xlsx 或 .csv", "the quarantine file must be .xlsx or .csv",
                         file=out_path)
    if out_path.is_dir():
        raise InputError("隔离文件路径是一个目录", "the quarantine path is a folder", file=out_path)
    if source is not None and out_path.exists() and out_path.resolve() == Path(source).resolve():
        raise InputError("隔离文件不能是被检查的名单本身(会覆盖原始数据)",
                         "the quarantine file cannot be the registry being checked (it would overwrite it)",
                         file=out_path)
    if out_path.exists() and not force and not is_quarantine_file(out_path):
        raise InputError("文件已存在且不是隔离文件, 未覆盖(确需覆盖请加 --force)",
                         "the file exists and is not a quarantine file; not overwritten (add --force to replace it)",
                         file=out_path)
    return out_path


def write_quarantine(result, out_path, *, source=None, force: bool = False) -> Path:
    """Write every rejected row with its reasons to .xlsx (xlsxwriter) or .csv (UTF-8 BOM).

    ID numbers and phones are written as text exactly as read: the quarantine
    is the sending unit's own file to correct and send again, not a report.
    In the CSV a cell starting with = + - @ is neutralised with a leading ';
    the xlsx writes every text as a string cell, never a formula.
    Refused (InputError) when ``out_path`` is the input ``source`` itself, or an
    existing file that is not an earlier quarantine (unless ``force``). The file
    appears whole or not at all: no temporary file with these rows is left behind.
    """
    out_path = check_quarantine_target(out_path, source=source, force=force)
    suffix = out_path.suffix.lower()
    frame = quarantine_frame(result)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".part", dir=out_path.parent)
    os.close(fd)
    try:
        if suffix == ".csv":
            text = frame.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                             else csv_cell(excel.cell_text(v)))   # = + - @ neutralised (OWASP)
            text.columns = [csv_cell(str(c)) for c in text.columns]
            text.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            _write_xlsx(frame, Path(tmp))
        os.replace(tmp, out_path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out_path


def _write_xlsx(frame: pd.DataFrame, out_path: Path) -> None:
    with xlsxwriter.Workbook(str(out_path), {"constant_memory": True, **XLSX_OPTIONS}) as book:
        sheet = book.add_worksheet(QUARANTINE_SHEET)
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
