"""Raw cells of a spreadsheet or CSV file, row by row, with the row numbers the user sees.

This is the only module that touches the file formats of user tables:

* ``.xlsx``/``.xlsm``/``.xls``/``.ods`` through python-calamine (Rust), which is
  many times faster than openpyxl on large sheets. Cells come back as Python
  values: ``str``, ``float`` (every number), ``bool``, ``datetime``/``date``,
  and ``""`` for an empty cell.
* ``.csv``/``.txt`` in UTF-8, UTF-8 with BOM, GB18030 (what Excel and WPS save
  on Chinese Windows) or UTF-16 with BOM ("Unicode text", tab-separated). The
  encoding is detected, not guessed from the locale. Every CSV cell is ``str``.

A :class:`RawSheet` knows its merged ranges (Excel only) and gives its rows
lazily, so a million-row sheet is never held twice as rows and as columns.
Row numbers are 1-based as shown by Excel (row 1 is the top of the sheet, title
rows included) and, for CSV, the line of the file where the record starts.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine

from reliefplan.core.errors import InputError
from reliefplan.ingest.html_sheet import html_table

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
CHUNK_ROWS = 65536


@dataclass
class RawSheet:
    """One sheet (or a CSV file): where it came from and how to walk its rows.

    ``merged`` holds merged ranges as ``(first_row, first_col, last_row, last_col)``,
    zero-based and inclusive, in the coordinates of the rows yielded (row 0 is
    row number 1 for Excel; columns start at the sheet's first used column).
    """

    path: Path
    name: str | None
    kind: str  # "excel" or "csv"
    encoding: str | None = None
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    first_col: int = 0  # absolute index of the first column yielded (for column letters)
    hidden: bool = False  # a hidden sheet (read like the others, and noted)
    _rows: object = None  # callable returning an iterator of lists
    _data: object = None  # callable(skip) -> (columns, row numbers); default walks _rows
    _numbers: list[int] | None = None  # CSV line numbers when records span lines
    _text: str | None = None  # CSV: the decoded file
    _delimiter: str = ","
    _identity: bool | None = None  # CSV: True when record i is line i + 1

    def rows(self) -> Iterator[list]:
        """Every row from the top of the sheet, as a list of cell values."""
        return self._rows()

    def row_number(self, pos: int) -> int:
        """The number the user sees for the row at position ``pos`` of :meth:`rows`."""
        if self.kind == "csv" and self._numbers is None and not self._one_line_records():
            self._numbers = _csv_record_lines(self)
        return self._numbers[pos] if self._numbers is not None else pos + 1

    def _one_line_records(self) -> bool:
        """True when no quoted CSV cell holds a line break, so record i is line i + 1."""
        if self._identity is None:
            text = self._text
            self._identity = '"' not in text or not re.search(r'"[^"]*[\r\n][^"]*"', text)
        return self._identity

    def release(self) -> None:
        """Drop the parsed sheet (calamine's copy of every cell) once the columns are out."""
        self._rows = self._data = None
        self._text = None

    def data(self, skip: int) -> tuple[list[np.ndarray], np.ndarray]:
        """Columns (object arrays) of every row after the first ``skip``, and their row numbers."""
        if self._data is not None:
            return self._data(skip)
        rows = self.rows()
        for _ in range(skip):
            next(rows, None)
        columns = columns_from_rows(rows)
        n = len(columns[0]) if columns else 0
        return columns, np.arange(skip + 1, skip + n + 1, dtype=np.int64)


def columns_from_rows(rows: Iterator[list]) -> list[np.ndarray]:
    """Transpose rows into object arrays, chunk by chunk (short rows padded with "")."""
    chunks: list[np.ndarray] = []
    width = 0
    while True:
        chunk = list(islice(rows, CHUNK_ROWS))
        if not chunk:
            break
        widths = {len(r) for r in chunk}
        if len(widths) > 1:
            w = max(widths)
            chunk = [list(r) + [""] * (w - len(r)) for r in chunk]
        arr = np.empty((len(chunk), len(chunk[0])), dtype=object)
        if arr.shape[1]:
            arr[:] = chunk
        chunks.append(arr)
        width = max(width, arr.shape[1])
    if not chunks:
        return []
    padded = []
    for arr in chunks:
        if arr.shape[1] < width:
            extra = np.full((arr.shape[0], width - arr.shape[1]), "", dtype=object)
            arr = np.hstack([arr, extra])
        padded.append(arr)
    table = np.concatenate(padded) if len(padded) > 1 else padded[0]
    return [np.ascontiguousarray(table[:, j]) for j in range(width)]


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputError("文件不存在", "file not found", file=path)
    if path.is_dir():
        raise InputError("这是一个文件夹，不是文件", "this is a folder, not a file", file=path)


def is_excel(path) -> bool:
    return Path(path).suffix.lower() in EXCEL_SUFFIXES


_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def content_kind(path: Path) -> str:
    """What a spreadsheet file really holds, whatever its name: zip (xlsx/ods), ole (xls), html or text.

    Government systems and WPS often save an xlsx, an HTML table or tab-separated
    text under a .xls name; Excel opens all of them, so we read them too.
    """
    with open(path, "rb") as f:
        start = f.read(2048)
    if start.startswith(_ZIP):
        return "zip"
    if start.startswith(_OLE):
        return "ole"
    probe = start.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if probe.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta", b"<head")) or b"<table" in probe:
        return "html"
    return "text" if start else "empty"


def _workbook(path: Path):
    kind = content_kind(path)
    suffix = path.suffix.lower()
    try:
        if (kind == "zip" and suffix == ".xls") or (kind == "ole" and suffix != ".xls"):
            # The name says one format, the bytes another: let calamine detect it from the content.
            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # corrupt, password-protected, not really a workbook
        raise InputError("无法打开 Excel 文件（文件损坏、加密或不是 Excel 格式）",
                         f"cannot open the workbook (corrupt, encrypted or not Excel): {exc}",
                         file=path) from exc


def _is_table_text(path: Path) -> str | None:
    """'html' or 'text' when a .xls file is really an HTML table or delimited text (web exports do this)."""
    if path.suffix.lower() != ".xls":
        return None
    kind = content_kind(path)
    return kind if kind in ("html", "text") else None


def sheet_names(path) -> list[str]:
    """Names of the sheets of a workbook ([] for CSV)."""
    path = Path(path)
    _check_path(path)
    if not is_excel(path) or _is_table_text(path):
        return []
    return list(_workbook(path).sheet_names)


def _excel_sheet(path: Path, workbook, name: str) -> RawSheet:
    try:
        sheet = workbook.get_sheet_by_name(name)
    except Exception as exc:
        raise InputError(f"无法读取工作表「{name}」", f"cannot read sheet {name!r}: {exc}", file=path) from exc
    start = sheet.start
    col0 = start[1] if start else 0
    merged = []
    for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or []):
        merged.append((r0, c0 - col0, r1, c1 - col0))

    def rows():
        if start is None:
            return iter(())
        return sheet.iter_rows()

    hidden = any(m.name == name and str(m.visible).split(".")[-1] != "Visible"
                 for m in (getattr(workbook, "sheets_metadata", None) or []))
    return RawSheet(path=path, name=name, kind="excel", merged=merged, first_col=col0, _rows=rows, hidden=hidden)


def excel_sheets(path) -> Iterator[RawSheet]:
    """Every sheet of a workbook in order, read when reached."""
    path = Path(path)
    _check_path(path)
    disguised = _is_table_text(path)
    if disguised:
        yield _disguised_sheet(path, disguised)
        return
    workbook = _workbook(path)
    for name in workbook.sheet_names:
        yield _excel_sheet(path, workbook, name)


def html_sheet(path: Path) -> RawSheet:
    """The first table of an HTML file saved as .xls, with its rowspans/colspans as merged ranges."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("无法读取文件", f"cannot read the file: {exc}", file=path) from exc
    text, encoding = decode_text(data, path)
    rows, merged = html_table(text)
    return RawSheet(path=path, name=None, kind="excel", encoding=encoding, merged=merged,
                    _rows=lambda: iter(rows))


def _disguised_sheet(path: Path, kind: str) -> RawSheet:
    """An HTML table or delimited text saved under an Excel name, read as one sheet."""
    if kind == "html":
        return html_sheet(path)
    sheet = read_csv_sheet(path)
    return sheet


def read_excel_sheet(path, sheet: str | int) -> RawSheet:
    """One sheet by name or 0-based position; InputError listing the sheets if absent."""
    path = Path(path)
    _check_path(path)
    disguised = _is_table_text(path)
    if disguised and sheet in (0, None):
        return _disguised_sheet(path, disguised)
    workbook = _workbook(path)
    names = list(workbook.sheet_names)
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(names):
            return _excel_sheet(path, workbook, names[sheet])
    elif sheet in names:
        return _excel_sheet(path, workbook, sheet)
    shown = "、".join(names) or "—"
    raise InputError(f"找不到工作表「{sheet}」；文件中的工作表: {shown}",
                     f"no sheet {sheet!r}; sheets in the file: {', '.join(names) or '-'}", file=path)


def decode_text(data: bytes, path=None) -> tuple[str, str]:
    """Decode a text file: (text, encoding). UTF-8 (with or without BOM), UTF-16 BOM, GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise InputError("无法识别文件编码（应为 UTF-8 或 GB18030/GBK）",
                         f"cannot decode the file (expected UTF-8 or GB18030/GBK): {exc}", file=path) from exc


def _delimiter(text: str) -> str:
    head = [line for line in text[:65536].splitlines()[:20] if line.strip()]
    tabs = sum(line.count("\t") for line in head)
    commas = sum(line.count(",") for line in head)
    return "\t" if tabs > commas else ","


def read_csv_sheet(path) -> RawSheet:
    """A CSV file as a RawSheet of str cells; the encoding and delimiter are detected."""
    path = Path(path)
    _check_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("无法读取文件", f"cannot read the file: {exc}", file=path) from exc
    text, encoding = decode_text(data, path)
    delimiter = _delimiter(text)

    def rows():
        return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    sheet = RawSheet(path=path, name=None, kind="csv", encoding=encoding, _rows=rows, _text=text,
                     _delimiter=delimiter)
    sheet._data = lambda skip: _csv_data(sheet, skip)
    return sheet


def _csv_record_lines(sheet: RawSheet) -> list[int]:
    """The line on which each CSV record starts (quoted cells may hold line breaks)."""
    reader = csv.reader(io.StringIO(sheet._text, newline=""), delimiter=sheet._delimiter)
    numbers, last = [], 0
    try:
        for _ in reader:
            numbers.append(last + 1)
            last = reader.line_num
    except csv.Error as exc:
        raise InputError("CSV 格式错误", f"malformed CSV: {exc}", file=sheet.path, row=last + 1) from exc
    return numbers


def _csv_data(sheet: RawSheet, skip: int) -> tuple[list[np.ndarray], np.ndarray]:
    """All records after the first ``skip`` via pandas' C parser; line numbers as in the file."""
    text = sheet._text
    head_width = max((len(r) for r in islice(sheet.rows(), skip + 50)), default=0)
    options = dict(header=None, dtype=object, keep_default_na=False, na_filter=False, encoding="utf-8",
                   skip_blank_lines=False, sep=sheet._delimiter, engine="c", quotechar='"')
    # Bytes, not a StringIO: pandas re-encodes a StringIO chunk by chunk, quadratically on CJK text.
    data = text.encode("utf-8")
    try:
        try:
            frame = pd.read_csv(io.BytesIO(data), names=range(max(head_width, 1)), **options)
        except pd.errors.ParserError:
            width = max(len(r) for r in sheet.rows())
            frame = pd.read_csv(io.BytesIO(data), names=range(width), **options)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputError("CSV 格式错误", f"malformed CSV: {exc}", file=sheet.path) from exc
    except pd.errors.EmptyDataError:
        return [], np.empty(0, dtype=np.int64)
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if len(frame) == lines:
        sheet._identity = True
        numbers = np.arange(1, len(frame) + 1, dtype=np.int64)
    else:
        if sheet._numbers is None:
            sheet._numbers = _csv_record_lines(sheet)
        numbers = np.asarray(sheet._numbers, dtype=np.int64)
        if len(numbers) != len(frame):  # the two parsers disagree: fall back to the csv module
            return columns_from_rows(islice(sheet.rows(), skip, None)), numbers[skip:]
    frame = frame.iloc[skip:]
    columns = [frame[c].to_numpy(dtype=object) for c in frame.columns]
    return columns, numbers[skip:]


def cell_text(value) -> str:
    """A cell as text the way it looks in Excel: 3.0 -> '3', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (for messages that point at a column)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
