"""Reading one registry sheet: its data rows converted and checked, whole columns at a time.

:func:`read_sheet` takes a sheet whose header :mod:`.sheet_scan` found and
returns a :class:`SheetPart`: the converted values of every row read, the
problems and warnings found (as row positions), and the notes for the user.
:mod:`.registry` checks duplicates across the parts and builds the frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from reliefplan.core import ids
from reliefplan.core.delivery_modes import mode_of
from reliefplan.core.schema import REGISTRY
from reliefplan.core.text import clean_cell
from reliefplan.ingest import roster
from reliefplan.ingest import sheets as excel
from reliefplan.ingest.area_match import AreaResolver, area_messages
from reliefplan.ingest.convert import (
    bool_value, category_value, int_value, money_value, per_unique, phone_column, reason_text, text_column,
)
from reliefplan.ingest.header import Header, column_plan, title_organizer
from reliefplan.ingest.problems import RowProblems
from reliefplan.ingest.rows import data_rows, drop_footer_rows
from reliefplan.ingest.xlsx_layout import sheet_layout


@dataclass
class SheetPart:
    """One sheet read: columns as typed, converted values and what was wrong, by row position."""

    sheet: str | None
    names: list[str]
    field_col: dict[str, int]
    data: list[np.ndarray]
    row_numbers: np.ndarray
    out: dict
    problems: RowProblems
    warnings: RowProblems
    id_ok: np.ndarray
    id_warning: np.ndarray
    header_row: int
    blank_rows: int = 0
    footer_rows: int = 0
    ignored: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    encoding: str | None = None
    roster: bool = False
    households: int = 0
    ids_truncated: bool = False  # some ID of this sheet was stored by Excel as a number and lost digits


def _where(sheet) -> tuple[str, str]:
    return (f"工作表「{sheet}」: ", f"sheet {sheet!r}: ") if sheet else ("", "")


def _layout_notes(path: Path, raw: excel.RawSheet, header: Header, numbers: np.ndarray) -> list[tuple[str, str]]:
    """Notes on hidden rows and columns and an autofilter (their cells are read all the same)."""
    if not excel.is_excel(path) or raw.name is None or excel.content_kind(path) != "zip":
        return []
    layout = sheet_layout(path, raw.name)
    zh_w, en_w = _where(raw.name)
    notes = []
    rows = numbers[np.isin(numbers, layout.hidden_rows)].tolist() if layout.hidden_rows else []
    if rows:
        shown = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
        notes.append((f"{zh_w}{len(rows)} 行是隐藏行（或被筛选隐藏），已照常读取: 第 {shown} 行",
                      f"{en_w}{len(rows)} hidden (or filtered out) rows were read like the others: rows {shown}"))
    cols = [excel.column_letter(c) for c in layout.hidden_cols
            if raw.first_col <= c < raw.first_col + len(header.names)]
    if cols:
        notes.append((f"{zh_w}隐藏列已照常读取: {', '.join(cols)}", f"{en_w}hidden columns were read: {', '.join(cols)}"))
    if layout.autofilter:
        notes.append((f"{zh_w}表格设有筛选({layout.autofilter})，未显示的行也已读取",
                      f"{en_w}the sheet has an autofilter ({layout.autofilter}); rows it hides were read too"))
    return notes


def read_sheet(path: Path, raw: excel.RawSheet, header: Header, *, resolver: AreaResolver,
               categories: dict[str, str], today) -> SheetPart:
    """Read, convert and check the data rows of one sheet (see the module doc)."""
    names, field_col, ignored, notes = column_plan(path, raw, header)
    header_row = raw.row_number(header.last_pos)
    stated_organizer = None if "organizer" in field_col else title_organizer(raw, header)

    data, numbers, blank_rows, filled = data_rows(raw, header, names, field_col)
    data, numbers, footer_numbers = drop_footer_rows(data, numbers, field_col)
    zh_w, en_w = _where(raw.name)
    if len(footer_numbers):
        listed = ", ".join(str(int(r)) for r in footer_numbers[:10])
        notes.append((f"{zh_w}表尾行（合计、填表人等，无身份证号）未作为名单读取: 第 {listed} 行",
                      f"{en_w}footer rows (totals, signatures; no ID number) were not read as people: rows {listed}"))
    notes.extend(_layout_notes(path, raw, header, numbers))

    part = SheetPart(raw.name, names, field_col, data, numbers, {}, RowProblems(), RowProblems(),
                     np.zeros(len(numbers), dtype=bool), np.full(len(numbers), None, dtype=object), header_row, blank_rows, len(footer_numbers), ignored, notes,
                     raw.encoding, roster=header.is_roster)
    block = None
    if header.is_roster:
        start = roster.household_starts(data, field_col, numbers, filled)
        keys, block = roster.household_keys(raw.name, numbers, start)
        inherited = roster.inherit_household_fields(data, field_col, start, block)
        part.households = int(start.sum())
        part.out["household_key"] = keys
        notes.append((f"{zh_w}按家庭花名册读取: {part.households} 户 {len(numbers)} 人"
                      + (f"；成员行空白的户级信息取自本户首行 {inherited} 处" if inherited else ""),
                      f"{en_w}read as a household roster: {part.households} households, {len(numbers)} members"
                      + (f"; {inherited} blank household cells of member rows taken from the household's "
                         f"first row" if inherited else "")))
    _convert_columns(part, {canon: data[j] for canon, j in field_col.items()}, resolver, categories, today)
    if block is not None:
        members = roster.member_counts(block)
        if "household_size" in part.out:
            mismatch = np.flatnonzero(roster.size_mismatch(part.out["household_size"], members))
            part.warnings.add(mismatch, "household_size", "household_size_mismatch")
        else:
            part.out["household_size"] = members.astype(object)
    if "organizer" not in part.out and stated_organizer:
        part.out["organizer"] = np.full(len(numbers), stated_organizer, dtype=object)
        notes.append((f"{zh_w}无填报单位列，使用表头上方的「填报单位：{stated_organizer}」",
                      f"{en_w}no organizer column; using the organizer stated above the header: {stated_organizer}"))
    return part


def _add_value_problems(problems: RowProblems, column: str, reasons: np.ndarray, kind: str, minimum=None) -> None:
    """Reasons of a converted column, worded for its kind (one message per distinct reason)."""
    hit = np.flatnonzero(pd.notna(reasons))
    for code in pd.unique(reasons[hit]):
        pos = hit[reasons[hit] == code]
        zh, en = reason_text(code, kind, minimum)
        problems.add(pos, column, code, np.full(len(pos), zh, dtype=object), np.full(len(pos), en, dtype=object))


def _check_delivery(problems: RowProblems, written: pd.Series) -> None:
    """A 发放方式 cell, when filled, must name a mode; anything else rejects the row (not the whole run)."""
    values = written.fillna("").astype(str).str.strip().to_numpy(dtype=object)
    bad = np.flatnonzero([v != "" and mode_of(v) is None for v in values])
    if len(bad):
        zh = np.array([f"发放方式“{values[i]}”无法识别 (应为 转账/社会化发放、上门走访 或 集中发放)" for i in bad], dtype=object)
        en = np.array([f"delivery mode {values[i]!r} is not transfer, visit or collective" for i in bad], dtype=object)
        problems.add(bad, "delivery", "unknown_delivery", zh, en)


def _convert_columns(part: SheetPart, col_of: dict[str, np.ndarray], resolver: AreaResolver,
                     categories: dict[str, str], today) -> None:
    """Normalise and check every registry field present, into ``part.out`` / problems / warnings."""
    problems, warnings, out = part.problems, part.warnings, part.out

    name = text_column(col_of["name"], squeeze=True)
    problems.add(np.flatnonzero((name == "").to_numpy()), "name", "missing_value")
    out["name"] = name

    checked = ids.validate_ids(pd.Series(col_of["id_number"], dtype=object), today=today)
    id_reason = checked["reason"].to_numpy(dtype=object)
    problems.add_codes("id_number", np.where(id_reason == "id_missing", "missing_value", id_reason))
    warnings.add_codes("id_number", checked["warning"].to_numpy(dtype=object))
    out["id_number"] = checked["id_number"]
    out["gender"] = checked["gender"]
    out["birth_date"] = checked["birth_date"]
    part.id_ok = checked["ok"].to_numpy(dtype=bool)
    part.id_warning = checked["warning"].to_numpy(dtype=object)
    part.ids_truncated = bool((id_reason == "id_excel_number").any())

    # Codes, categories, counts, amounts and flags: once per distinct value.
    area, reason, _ = per_unique(col_of["area_code"], resolver.convert)
    pos, zh, en = area_messages(col_of["area_code"], reason, resolver)
    problems.add(pos, "area_code", reason[pos], zh, en)
    other = reason.copy()
    other[pos] = None
    problems.add_codes("area_code", other)
    out["area_code"] = area
    category, reason, _ = per_unique(col_of["category"], category_value(categories))
    problems.add_codes("category", reason)
    out["category"] = category
    if "household_size" in col_of:
        minimum = REGISTRY.column("household_size").min_value
        value, reason, _ = per_unique(col_of["household_size"], int_value(minimum))
        _add_value_problems(problems, "household_size", reason, "int", minimum)
        out["household_size"] = value
    if "income_fen" in col_of:
        value, reason, _ = per_unique(col_of["income_fen"], money_value)
        _add_value_problems(problems, "income_fen", reason, "money")
        out["income_fen"] = value
    for flag in ("disabled", "seriously_ill"):
        if flag in col_of:
            value, reason, _ = per_unique(col_of[flag], bool_value)
            _add_value_problems(problems, flag, reason, "bool")
            out[flag] = value
    if "organizer" in col_of:
        out["organizer"], _, _ = per_unique(col_of["organizer"],
                                             lambda v: (clean_cell(excel.cell_text(v)), None, None))

    # Free text: vectorised string operations.
    if "phone" in col_of:
        out["phone"] = phone_column(col_of["phone"])
    for text_col in ("address", "diagnosis", "note", "delivery", "relationship"):
        if text_col in col_of:
            out[text_col] = text_column(col_of[text_col])
    if "delivery" in out:
        _check_delivery(problems, out["delivery"])
