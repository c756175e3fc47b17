"""Bilingual errors that name the file, row and field at fault.

Every message a planner may see has a Chinese and an English half, so one
exception type carries both and formats them the same way everywhere.
"""

from __future__ import annotations


class ReliefplanError(Exception):
    """An error a user can act on: what is wrong, in zh and en, and where."""

    def __init__(self, zh: str, en: str, *, file=None, row=None, column=None):
        self.zh = zh
        self.en = en
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        super().__init__(self.message())

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件 file {self.file}")
        if self.row is not None:
            parts.append(f"第 {self.row} 行 row {self.row}")
        if self.column:
            parts.append(f"列 column {self.column}")
        return ", ".join(parts)

    def message(self) -> str:
        where = self.where()
        prefix = f"[{where}] " if where else ""
        return f"{prefix}{self.zh} / {self.en}"


class InputError(ReliefplanError):
    """An input file cannot be read or lacks what is required (CLI exit 2)."""


class ConfigError(ReliefplanError):
    """A plan or reference table has a missing or invalid field."""
