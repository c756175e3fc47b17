"""Untrusted text in spreadsheets stays text (OWASP CSV / formula injection).

A team name, leader, address, organizer or masked name that begins with
``=``, ``+``, ``-`` or ``@`` (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``) becomes a
live formula when a spreadsheet program opens the file. Two rules, used by
every file the library writes:

- **xlsx**: every workbook is created with :data:`XLSX_OPTIONS`, so a string is
  always stored as a string cell (never a formula, never a hyperlink), while
  numbers stay numbers and our own ``合计`` formulas are written explicitly with
  ``write_formula``;
- **csv**: :func:`csv_cell` prefixes such a value with ``'`` (the OWASP rule),
  unless it is a plain number like ``-300``, which stays as written.
"""

from __future__ import annotations

import re

XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value) -> str:
    """``value`` as CSV text that no spreadsheet program evaluates: ``'`` before a leading = + - @ tab CR."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
