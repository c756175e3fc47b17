"""Hidden rows and columns and the autofilter of an .xlsx sheet, read from its XML.

The cells of hidden rows and columns (and of rows an autofilter hides) are
read like any other: a row nobody sees on screen is still a person. They are
named in a note so that the user knows. calamine does not expose row
visibility, so the sheet's XML is scanned; the scan looks for the word
``hidden`` in each chunk first, so a sheet with none costs one pass of
decompression. Sheets whose XML is larger than :data:`MAX_SCAN_BYTES` (some
hundred thousand rows) are not scanned, to keep large registries fast: their
hidden rows are read all the same, only not listed.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

_CHUNK = 1 << 22
MAX_SCAN_BYTES = 64 << 20
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_SHEET_ID_FIRST = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]*)"[^>]*?\bname="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_TARGET_FIRST = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_HIDDEN_COL = re.compile(rb'<(?:\w+:)?col\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_COL_RANGE = re.compile(rb'\bmin="(\d+)"[^>]*?\bmax="(\d+)"|\bmax="(\d+)"[^>]*?\bmin="(\d+)"')
_AUTOFILTER = re.compile(rb'<(?:\w+:)?autoFilter\b[^>]*?\bref="([^"]*)"')


@dataclass
class SheetLayout:
    hidden_rows: list[int] = field(default_factory=list)  # 1-based row numbers as Excel shows them
    hidden_cols: list[int] = field(default_factory=list)  # 0-based absolute column indexes
    autofilter: str | None = None


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def _sheet_part(book: zipfile.ZipFile, name: str) -> str | None:
    workbook = book.read("xl/workbook.xml")
    rid = None
    for m in _SHEET.finditer(workbook):
        if _unescape(m.group(1)) == name:
            rid = m.group(2)
    for m in _SHEET_ID_FIRST.finditer(workbook):
        if rid is None and _unescape(m.group(2)) == name:
            rid = m.group(1)
    if rid is None:
        return None
    rels = book.read("xl/_rels/workbook.xml.rels")
    targets = {m.group(1): m.group(2) for m in _REL.finditer(rels)}
    targets.update({m.group(2): m.group(1) for m in _REL_TARGET_FIRST.finditer(rels)})
    target = targets.get(rid)
    if target is None:
        return None
    target = target.decode()
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def sheet_layout(path: Path, sheet_name: str | None) -> SheetLayout:
    """Hidden rows and columns and the autofilter range of one sheet; empty for anything but an xlsx zip."""
    layout = SheetLayout()
    if sheet_name is None:
        return layout
    try:
        with zipfile.ZipFile(path) as book:
            part = _sheet_part(book, sheet_name)
            if part is None or part not in book.namelist() or book.getinfo(part).file_size > MAX_SCAN_BYTES:
                return layout
            with book.open(part) as xml:
                tail = b""
                while True:
                    chunk = xml.read(_CHUNK)
                    if not chunk:
                        break
                    data = tail + chunk
                    cut = data.rfind(b">") + 1  # never split a tag between chunks
                    data, tail = data[:cut], data[cut:]
                    if b"hidden=" in data:
                        for m in _HIDDEN_ROW.finditer(data):
                            number = _ROW_NUMBER.search(m.group(0))
                            if number:
                                layout.hidden_rows.append(int(number.group(1)))
                        for m in _HIDDEN_COL.finditer(data):
                            span = _COL_RANGE.search(m.group(0))
                            if span:
                                lo = int(span.group(1) or span.group(4))
                                hi = int(span.group(2) or span.group(3))
                                layout.hidden_cols.extend(range(lo - 1, min(hi, lo + 16383)))
                    if layout.autofilter is None and b"autoFilter" in data:
                        m = _AUTOFILTER.search(data)
                        if m:
                            layout.autofilter = m.group(1).decode()
    except (zipfile.BadZipFile, KeyError, OSError):
        return layout
    return layout
