"""Which sheets of a workbook hold a registry, and why the others were skipped.

Townships send one workbook with a sheet per township (or per category),
each with the same header, beside sheets that are not lists of people: 填表说明,
a 汇总 of counts, an empty Sheet3. Every sheet whose header names all the
required fields is read; every other sheet is named in a note with the reason
it was skipped. ``sheet=`` picks one sheet (and errors say what the other
sheets are). Hidden sheets are read like the others and noted.
"""

from __future__ import annotations

from pathlib import Path

from reliefplan.core.errors import InputError
from reliefplan.core.schema import REGISTRY
from reliefplan.core.text import clean_cell
from reliefplan.ingest import sheets as excel
from reliefplan.ingest.header import Header, best_header, head_rows, missing_columns_error, no_header_error
from reliefplan.ingest.rows import is_blank_cell


def _top_cells(head: list[list]) -> list[str]:
    rows = [[clean_cell(v) for v in r if not is_blank_cell(v)] for r in head]
    rows = [r for r in rows if r]
    return rows[0] if rows else []


def scan_sheets(path: Path, sheet=None) -> tuple[list[tuple[excel.RawSheet, Header]], list[tuple[str, str]]]:
    """(sheets to read with their headers, notes naming the sheets skipped and why).

    Raises :class:`InputError` when no sheet holds a registry: the file (or
    the sheet asked for) is empty, a header lacks required columns (named), or
    no sheet has a recognisable header (the top cells of each are shown).
    """
    aliases = REGISTRY.alias_map()
    if excel.is_excel(path):
        candidates = [excel.read_excel_sheet(path, sheet)] if sheet is not None else excel.excel_sheets(path)
    else:
        candidates = [excel.read_csv_sheet(path)]
    found: list[tuple[excel.RawSheet, Header]] = []
    skipped: list[tuple[str, str]] = []
    seen: list[tuple[str | None, list[str]]] = []
    fallback = None
    any_cell = False
    for raw in candidates:
        head = head_rows(raw)
        top = _top_cells(head)
        any_cell = any_cell or bool(top)
        seen.append((raw.name, top))
        header = best_header(head, raw.merged, aliases)
        if header is not None and set(REGISTRY.required) <= header.fields:
            found.append((raw, header))
            continue
        if header is not None and fallback is None:
            fallback = (raw.name, header, raw.row_number(header.last_pos))
        raw.release()
        if not top:
            skipped.append((f"工作表「{raw.name}」是空的，已跳过", f"sheet {raw.name!r} is empty and was skipped"))
        elif header is not None:
            missing = [c for c in REGISTRY.required if c not in header.fields]
            skipped.append((
                f"工作表「{raw.name}」缺少 {'、'.join(REGISTRY.column(c).zh for c in missing)} 列，不是名单，已跳过",
                f"sheet {raw.name!r} has no {', '.join(REGISTRY.column(c).en for c in missing)} column: "
                f"not a registry, skipped"))
        else:
            shown = " | ".join(top[:4])
            skipped.append((f"工作表「{raw.name}」没有名单表头（如说明、汇总表），已跳过；开头: {shown}",
                            f"sheet {raw.name!r} has no registry header (notes, a summary, ...), skipped; "
                            f"top: {shown}"))
    if found:
        hidden = [raw.name for raw, _ in found if raw.hidden]
        if hidden:
            skipped.append((f"隐藏的工作表也已读取: {'、'.join(hidden)}",
                            f"hidden sheets were read too: {', '.join(hidden)}"))
        return found, skipped
    if not any_cell and not (fallback and fallback[1].score):
        if sheet is not None:
            raise InputError(f"工作表「{sheet}」是空的", f"sheet {sheet!r} is empty", file=path)
        raise InputError("文件是空的", "the file is empty", file=path)
    if fallback is not None:
        raise missing_columns_error(path, *fallback)
    if sheet is not None:
        others = [n for n in excel.sheet_names(path) if n != sheet]
        shown = "、".join(others) or "—"
        raise InputError(f"工作表「{sheet}」中找不到可识别的表头；其他工作表: {shown}",
                         f"sheet {sheet!r} has no recognisable header row; other sheets: {', '.join(others) or '-'}",
                         file=path)
    raise no_header_error(path, seen)
