"""The generic reader of reference tables: cells, header row, canonical columns, problems raised.

:func:`read_table` reads one table file as a :class:`reliefplan.core.schema.TableSchema`
declares it. Every problem is reported with the file, the row as the user sees
it in the file and the column, in Chinese and English. All problems are
collected; the error raised names the first and lists the first few, and the
full list is on the exception as ``problems`` (a DataFrame).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from reliefplan.core import schema
from reliefplan.core.errors import InputError
from reliefplan.core.text import clean_cell, header_key
from reliefplan.ingest import sheets as excel
from reliefplan.ingest.convert import map_unique
from reliefplan.ingest.table_columns import TableProblems, convert_column

_HEADER_SEARCH_ROWS = 10   # a header may sit below a few title rows


# ---------------------------------------------------------------------------
# Reading the raw cells
# ---------------------------------------------------------------------------

def read_cells(path: Path, error) -> pd.DataFrame:
    """Every cell of the file (first sheet for Excel) as text; index = row number in the file.

    The file formats (calamine for Excel; UTF-8/GB18030 detection and
    multi-line records for CSV) are :mod:`reliefplan.ingest.sheets`'s; its errors are
    re-raised as ``error`` so a reference table fails as a ConfigError.
    """
    try:
        sheet = excel.read_excel_sheet(path, 0) if excel.is_excel(path) else excel.read_csv_sheet(path)
        rows = [[excel.cell_text(v) for v in row] for row in sheet.rows()]
        numbers = [sheet.row_number(i) for i in range(len(rows))]
    except InputError as exc:
        raise error(exc.zh, exc.en, file=path, row=exc.row, column=exc.column) from exc
    width = max((len(r) for r in rows), default=0)
    cells = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], index=numbers,
                         columns=range(width), dtype=object)
    if cells.empty or not any(map_unique(cells[j], clean_cell).ne("").any() for j in cells.columns):
        raise error("文件为空", "the file is empty", file=path)
    return cells


def _aliases(table: schema.TableSchema) -> dict[str, str]:
    """The schema's header aliases, plus each zh label without its unit: 慰问金(元) -> 慰问金."""
    out = table.alias_map()
    for col in table.columns:
        bare = re.sub(r"[(（][^()（）]*[)）]$", "", col.zh)
        out.setdefault(header_key(bare), col.name)
    return out


def _find_header(cells: pd.DataFrame, table: schema.TableSchema, path: Path, error) -> int:
    """Position of the header row: the first of the top rows naming every required column."""
    aliases = _aliases(table)
    best, best_hits = 0, -1
    for pos in range(min(_HEADER_SEARCH_ROWS, len(cells))):
        names = {aliases.get(header_key(v)) for v in cells.iloc[pos]} - {None}
        if set(table.required) <= names:
            return pos
        if len(names) > best_hits:
            best, best_hits = pos, len(names)
    found = [clean_cell(v) for v in cells.iloc[best] if clean_cell(v)]
    names = {aliases.get(header_key(v)) for v in found} - {None}
    missing = [c for c in table.required if c not in names]
    zh_missing = "、".join(f"{table.column(c).zh}({c})" for c in missing)
    en_missing = ", ".join(missing)
    shown = ", ".join(found) if found else "—"
    raise error(f"缺少必填列: {zh_missing}; 找到的表头: {shown}",
                f"required columns missing: {en_missing}; headers found: {shown}",
                file=path, row=int(cells.index[best]), column=", ".join(missing))


def _frame_from_header(cells: pd.DataFrame, header_pos: int, table: schema.TableSchema,
                       path: Path, error) -> pd.DataFrame:
    """Data rows under the header with canonical column names; index = row number in the file."""
    aliases = _aliases(table)
    columns: list[str] = []
    seen: dict[str, str] = {}
    for raw in cells.iloc[header_pos]:
        text = clean_cell(raw)
        name = aliases.get(header_key(text))
        if name is None:
            columns.append(text or f"_blank_{len(columns)}")
            continue
        if name in seen:
            raise error(f"列重复: “{seen[name]}” 与 “{text}” 都表示 {table.column(name).zh}",
                        f"duplicate column: '{seen[name]}' and '{text}' both mean {name}",
                        file=path, row=int(cells.index[header_pos]), column=text)
        seen[name] = text
        columns.append(name)
    data = cells.iloc[header_pos + 1:].copy()
    data.columns = columns
    data.index = pd.Index(cells.index[header_pos + 1:].astype("int64"), name="source_row")
    data = data.drop(columns=[c for c in columns if c.startswith("_blank_")])
    blank = data.apply(lambda col: map_unique(col, clean_cell).eq("")).all(axis=1)
    return data.loc[~blank]



def read_table(path, table: schema.TableSchema, *, error=InputError, categories=None,
               choices: dict | None = None, checks=None) -> pd.DataFrame:
    """Read one table file (.csv UTF-8/GB18030 or .xlsx/.xls) as declared by ``table``.

    Headers are matched through the schema aliases (a header row below a few
    title rows is found); each declared column is converted by its kind; columns
    not declared are kept as text. ``choices`` maps a column to
    ``(aliases, zh_what, en_what)`` for enumerated values. ``checks`` is an
    optional ``f(df, problems)`` adding table-level problems (unique keys, ...).

    Raises ``error`` (a ReliefplanError subclass) naming the file, row and
    column of the first problem, listing the first few, with all of them in
    ``exc.problems``. Returns a DataFrame on a fresh RangeIndex with a
    ``source_row`` column (the row number in the file, as the user sees it)
    and ``attrs['source_file']`` the path. Row numbers are a column, not an
    attr, because pandas deep-copies ``attrs`` on nearly every operation.
    """
    path = Path(path)
    cells = read_cells(path, error)
    header_pos = _find_header(cells, table, path, error)
    data = _frame_from_header(cells, header_pos, table, path, error)

    problems = TableProblems()
    out = pd.DataFrame(index=data.index)
    for column in table.columns:
        if column.name not in data.columns:
            continue
        out[column.name] = convert_column(column, data[column.name], problems, categories=categories,
                                    choices=(choices or {}).get(column.name))
    for name in data.columns:
        if name not in out.columns:
            out[name] = map_unique(data[name], clean_cell).astype("str")
    if checks is not None and not problems.rows:
        checks(out, problems)
    problems.raise_if_any(path, error)

    out["source_row"] = out.index.to_numpy().astype("int64")
    out = out.reset_index(drop=True)
    out.attrs["source_file"] = str(path)
    return out


def flag_duplicate_keys(df: pd.DataFrame, keys: list[str], problems: TableProblems, zh: str, en: str) -> None:
    dup = df.duplicated(keys, keep="first").to_numpy()
    if dup.any():
        values = df.loc[dup, keys].astype(str).agg(" / ".join, axis=1)
        problems.add(df.index[dup], keys[0], values.tolist(), zh, en)

