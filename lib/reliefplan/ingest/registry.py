"""Read and validate the registry of people and households (救助对象名单).

:func:`read_registry` turns an ``.xlsx``/``.xls``/``.csv`` file as units really
send them (title rows, merged two-row headers, IDs typed as numbers, GB18030
CSV from WPS, full-width digits, stray spaces) into one typed DataFrame of
accepted rows and a table of rejected rows with a reason for each, in Chinese
and English, naming the file, the row as the user sees it in Excel and the
column. Nothing is lost: ``rows_read == len(accepted) + len(rejected)``.

Counting rules (so the invariant is easy to check by hand):

* rows above and including the header are not data rows;
* a data row whose every cell is empty (or only spaces) is *blank*: it is
  skipped, not read, and counted in ``blank_rows``;
* a footer row (合计/小计/填表人/审核人/填报日期/注: ... with no ID number in it)
  is not a person: it is skipped, not read, counted in ``footer_rows`` and
  named in ``notes`` so the user sees which rows were taken as footers;
* every other row below the header is *read*: it is accepted or rejected.
  A rejected row appears once in ``rejected`` with all its reasons joined
  (``reason_code`` like ``id_bad_checksum;unknown_category``); ``problems``
  lists the same reasons one per line.

Header rules: the header row is found automatically among the first
:data:`HEADER_SEARCH_ROWS` rows by matching cells against the aliases in
:data:`reliefplan.core.schema.REGISTRY` (text in brackets such as "(元)" is
ignored). Two header rows (家庭情况 over 人口 | 收入) and merged header cells are
combined. When two columns mean the same field, a *required* field (name, ID,
area, category) is an error naming both columns, because guessing which one
holds the real IDs would silently lose data; for an optional field the first
column is used and the other is listed in ``ignored_columns`` and ``notes``.
Columns that are not registry fields are ignored for import but kept with
the original values of every rejected row.

Validation runs on whole columns: IDs in numpy (:mod:`reliefplan.core.ids`), codes,
categories, counts and amounts once per distinct value and broadcast back, so
a million rows never pass one by one through Python.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from reliefplan.core import ids, privacy
from reliefplan.core.errors import InputError
from reliefplan.core.schema import REGISTRY
from reliefplan.core.text import clean_cell, header_key, nfkc, strip_all_spaces
from reliefplan.ingest import sheets as excel
from reliefplan.ingest.categories import category_lookup, load_categories
from reliefplan.ingest.reference import load_areas

HEADER_SEARCH_ROWS = 30
MIN_HEADER_MATCHES = 2

ACCEPTED_COLUMNS = (
    "name", "id_number", "person_key", "gender", "birth_date", "area_code", "county_code", "category",
    "household_size", "income_fen", "phone", "organizer", "address", "disabled", "seriously_ill",
    "diagnosis", "note", "source_file", "source_row",
)
PROBLEM_COLUMNS = ("file", "sheet", "row", "column", "value", "reason_code", "reason_zh", "reason_en")
QUARANTINE_HEADERS = {
    "file": "文件 file", "sheet": "工作表 sheet", "row": "行号 row", "column": "列 column",
    "value": "值 value", "reason_code": "原因代码 reason code", "reason_zh": "原因 reason (zh)",
    "reason_en": "原因(英文) reason (en)",
}
MASKED_COLUMNS = {"id_number": privacy.mask_id, "phone": privacy.mask_phone,
                  "name": privacy.mask_name, "diagnosis": lambda v: privacy.DIAGNOSIS_MASK if v else ""}

# reason code -> (zh, en); ID reasons come from reliefplan.core.ids.
REASONS: dict[str, tuple[str, str]] = {
    **ids.REASONS,
    "missing_value": ("必填项为空", "required value is empty"),
    "not_a_number": ("不是数字", "not a number"),
    "not_an_integer": ("应为整数", "must be a whole number"),
    "negative_number": ("不能为负数", "must not be negative"),
    "below_minimum": ("数值过小", "value is below the minimum"),
    "unknown_category": ("困难类别不在类别表中", "category is not in the categories table"),
    "unknown_area": ("区划代码不在区划表中", "area code is not in the areas table"),
    "ambiguous_area_name": ("区划名称重名，请填写区划代码", "area name is ambiguous; give the area code"),
    "area_too_coarse": ("区划应为县级或乡镇级", "area must be a county, township or village, not a city"),
    "duplicate_id": ("同一填报单位中身份证号重复", "same ID number listed twice by the same organizer"),
    "flag_text_as_yes": ("是/否列填写了其他文字，按「是」处理", "yes/no column holds other text; taken as yes"),
}

_YES = {"是", "1", "y", "yes", "true", "t", "√", "✓", "✔", "有", "残疾", "重病"}
_NO = {"", "否", "0", "n", "no", "false", "f", "×", "✗", "无", "不是", "非", "-", "/"}
_SPACE_CHARS = " \t\r\n\u00a0\u3000\u200b\ufeff"
_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_CJK_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_AMOUNT = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?")
_MAX_INT_DIGITS = 13


@dataclass
class IngestResult:
    """What :func:`read_registry` read: accepted rows, rejected rows with reasons, and how.

    ``rows_read == len(accepted) + len(rejected)`` always (see the module doc
    for what counts as read); :meth:`check` asserts it.
    """

    accepted: pd.DataFrame
    rejected: pd.DataFrame
    problems: pd.DataFrame
    warnings: pd.DataFrame
    rows_read: int
    header_row: int
    column_map: dict[str, str]
    file: str = ""
    sheet: str | None = None
    blank_rows: int = 0
    footer_rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    encoding: str | None = None

    @property
    def rejected_rows(self) -> int:
        return len(self.rejected)

    def check(self) -> None:
        """Raise AssertionError unless every row read is accepted or rejected exactly once."""
        assert self.rows_read == len(self.accepted) + len(self.rejected), (
            self.rows_read, len(self.accepted), len(self.rejected))
        assert not self.rejected["row"].duplicated().any()
        assert set(self.problems["row"]) == set(self.rejected["row"])
        assert not set(self.accepted["source_row"]) & set(self.rejected["row"])

    def summary(self, lang: str = "zh") -> str:
        if lang == "zh":
            return (f"读取 {self.rows_read} 行，接收 {len(self.accepted)} 行，退回 {len(self.rejected)} 行"
                    f"（跳过空行 {self.blank_rows} 行、表尾行 {self.footer_rows} 行）")
        return (f"{self.rows_read} rows read, {len(self.accepted)} accepted, {len(self.rejected)} rejected"
                f" ({self.blank_rows} blank rows and {self.footer_rows} footer rows skipped)")


# ---------------------------------------------------------------------------
# Header detection
# ---------------------------------------------------------------------------

@dataclass
class _Header:
    first_pos: int           # position of the first header row in the sheet's rows
    last_pos: int            # position of the last header row (data starts below)
    names: list[str]         # display name per column ("家庭情况/人口" for two rows)
    canon: list[str | None]  # canonical field per column, None when not a registry field
    score: int
    upper_is_header: bool = False  # two-row header whose first row names fields itself

    @property
    def fields(self) -> set[str]:
        return {c for c in self.canon if c}


def _header_text(value) -> str:
    return clean_cell(value) if isinstance(value, str) else ""


def _lookup(text: str, aliases: dict[str, str]) -> str | None:
    if not text:
        return None
    hit = aliases.get(header_key(text))
    if hit is None:
        bare = _BRACKETS.sub("", text)
        if bare != text:
            hit = aliases.get(header_key(bare))
    return hit


def _fill_merged(head: list[list[str]], merged) -> list[list[str]]:
    """Copy the text of each merged header range into every cell it covers."""
    out = [list(r) for r in head]
    for r0, c0, r1, c1 in merged:
        if r0 >= len(out) or c0 < 0:
            continue
        value = out[r0][c0] if c0 < len(out[r0]) else ""
        for r in range(r0, min(r1, len(out) - 1) + 1):
            for c in range(c0, c1 + 1):
                if c < len(out[r]):
                    out[r][c] = value
    return out


def _header_candidates(head: list[list], merged, aliases) -> list[_Header]:
    width = max((len(r) for r in head), default=0)
    texts = [[_header_text(v) for v in r] + [""] * (width - len(r)) for r in head]
    filled = _fill_merged(texts, merged)
    out = []
    for pos, row in enumerate(filled):
        canon = [_lookup(t, aliases) for t in row]
        names = list(texts[pos])
        out.append(_Header(pos, pos, names, canon, len({c for c in canon if c})))
        if pos + 1 < len(filled):
            lower = filled[pos + 1]
            canon2, names2, contributes = [], [], False
            for upper_t, lower_t, raw_lower in zip(row, lower, texts[pos + 1]):
                from_lower = _lookup(lower_t, aliases) or _lookup(upper_t + lower_t, aliases)
                contributes = contributes or bool(raw_lower and from_lower)
                canon2.append(from_lower or (None if raw_lower else _lookup(upper_t, aliases)))
                if upper_t and lower_t and upper_t != lower_t:
                    names2.append(f"{upper_t}/{lower_t}")
                else:
                    names2.append(lower_t or upper_t)
            if contributes:  # the second row holds header text, not data
                upper_hits = any(_lookup(t, aliases) for t in texts[pos])
                out.append(_Header(pos, pos + 1, names2, canon2, len({c for c in canon2 if c}), upper_hits))
    return out


def _best_header(head: list[list], merged, aliases) -> _Header | None:
    required = set(REGISTRY.required)
    best, best_key = None, None
    for cand in _header_candidates(head, merged, aliases):
        if cand.score < MIN_HEADER_MATCHES:
            continue
        # On a tie a two-row header wins only when its first row is header text too (not a title).
        key = (required <= cand.fields, cand.score, cand.upper_is_header, cand.first_pos == cand.last_pos,
               -cand.first_pos)
        if best_key is None or key > best_key:
            best, best_key = cand, key
    return best


def _found_headers(header: _Header) -> str:
    return ", ".join(n for n in header.names if n) or "—"


def _missing_columns_error(path, sheet, header: _Header, row_number: int) -> InputError:
    missing = [c for c in REGISTRY.required if c not in header.fields]
    zh = "、".join(f"{REGISTRY.column(c).zh}({c})" for c in missing)
    en = ", ".join(f"{REGISTRY.column(c).en} ({c})" for c in missing)
    found = _found_headers(header)
    where = f"工作表「{sheet}」" if sheet else ""
    return InputError(f"{where}缺少必填列: {zh}；找到的表头: {found}",
                      f"required columns missing{f' in sheet {sheet!r}' if sheet else ''}: {en}; "
                      f"headers found: {found}",
                      file=path, row=row_number, column=", ".join(missing))


def _no_header_error(path, sheets_seen: list[tuple[str | None, list[str]]]) -> InputError:
    required = "、".join(REGISTRY.column(c).zh for c in REGISTRY.required)
    required_en = ", ".join(REGISTRY.column(c).en for c in REGISTRY.required)
    if len(sheets_seen) == 1 and sheets_seen[0][0] is None:
        top = sheets_seen[0][1]
        shown = " | ".join(top) or "—"
        return InputError(f"找不到可识别的表头（需要 {required} 等列）；文件开头的内容: {shown}",
                          f"no recognisable header row (need {required_en}, ...); top of the file: {shown}",
                          file=path)
    names = "、".join(str(s) for s, _ in sheets_seen) or "—"
    return InputError(f"没有任何工作表含可识别的表头（需要 {required} 等列）；工作表: {names}",
                      f"no sheet has a recognisable header row (need {required_en}, ...); "
                      f"sheets: {', '.join(str(s) for s, _ in sheets_seen) or '-'}",
                      file=path)


def _is_blank_cell(value) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, str):
        return not value.strip(_SPACE_CHARS)
    return isinstance(value, float) and math.isnan(value)


def _blank_mask(values: np.ndarray) -> np.ndarray:
    """True where a cell is empty, None, NaN or only spaces (vectorised over an object array)."""
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    blank = values == ""
    rest = np.flatnonzero(~blank)
    if len(rest):
        s = pd.Series(values[rest], dtype=object)
        is_str = s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        is_blank = s.isna().to_numpy().copy()
        if is_str.any():
            stripped = s[is_str].astype(object).str.strip(_SPACE_CHARS)
            is_blank[is_str] |= stripped.eq("").fillna(False).to_numpy(dtype=bool)
        blank[rest] = is_blank
    return blank


def _head(sheet: excel.RawSheet) -> list[list]:
    rows = sheet.rows()
    head = []
    for row in rows:
        head.append(list(row))
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    return head


_STATED_ORGANIZER = re.compile(r"(?:填报|报送|推荐|申报)单位\s*(?:[(（]盖章[)）])?\s*[:：]\s*(\S.*)$")


def _title_organizer(raw: excel.RawSheet, header: _Header) -> str | None:
    """The unit named in a title row such as "填报单位（盖章）：芗城区总工会", if any."""
    for row in islice(raw.rows(), header.first_pos):
        for value in row:
            if isinstance(value, str):
                m = _STATED_ORGANIZER.search(clean_cell(value))
                if m:
                    return re.split(r"\s{2,}|填报日期|日期", m.group(1))[0].strip() or None
    return None


def _choose_sheet(path: Path, sheet) -> tuple[excel.RawSheet, _Header]:
    aliases = REGISTRY.alias_map()
    if excel.is_excel(path):
        candidates = [excel.read_excel_sheet(path, sheet)] if sheet is not None else excel.excel_sheets(path)
    else:
        candidates = [excel.read_csv_sheet(path)]
    seen: list[tuple[str | None, list[str]]] = []
    fallback = None
    any_cell = False
    for raw in candidates:
        head = _head(raw)
        nonblank = [[clean_cell(v) for v in r if not _is_blank_cell(v)] for r in head]
        nonblank = [r for r in nonblank if r]
        any_cell = any_cell or bool(nonblank)
        seen.append((raw.name, nonblank[0] if nonblank else []))
        header = _best_header(head, raw.merged, aliases)
        if header is None:
            continue
        if set(REGISTRY.required) <= header.fields:
            return raw, header
        if fallback is None:
            fallback = (raw, header)
    if not any_cell and not (fallback and fallback[1].score):
        if sheet is not None:
            raise InputError(f"工作表「{sheet}」是空的", f"sheet {sheet!r} is empty", file=path)
        raise InputError("文件是空的", "the file is empty", file=path)
    if fallback is not None:
        raw, header = fallback
        raise _missing_columns_error(path, raw.name, header, raw.row_number(header.last_pos))
    if sheet is not None:
        others = [n for n in excel.sheet_names(path) if n != sheet]
        shown = "、".join(others) or "—"
        raise InputError(f"工作表「{sheet}」中找不到可识别的表头；其他工作表: {shown}",
                         f"sheet {sheet!r} has no recognisable header row; other sheets: {', '.join(others) or '-'}",
                         file=path)
    raise _no_header_error(path, seen)


def _column_plan(path: Path, raw: excel.RawSheet, header: _Header):
    """Display names for every column, the column used for each field, and ignored duplicates."""
    names: list[str] = []
    used: dict[str, int] = {}
    for j, name in enumerate(header.names):
        display = name or f"列{excel.column_letter(raw.first_col + j)}"
        base, k = display, 2
        while display in names:
            display, k = f"{base}({k})", k + 1
        names.append(display)
    field_col: dict[str, int] = {}
    ignored: list[str] = []
    notes: list[tuple[str, str]] = []
    for j, canon in enumerate(header.canon):
        if canon is None:
            continue
        if canon in field_col:
            first = field_col[canon]
            col = REGISTRY.column(canon)
            a = f"{names[first]}({excel.column_letter(raw.first_col + first)})"
            b = f"{names[j]}({excel.column_letter(raw.first_col + j)})"
            if col.required:
                raise InputError(
                    f"两列都表示「{col.zh}」: {a} 与 {b}；请删除或改名其中一列",
                    f"two columns both mean {col.en!r}: {a} and {b}; delete or rename one of them",
                    file=path, row=raw.row_number(header.last_pos), column=f"{a}, {b}")
            ignored.append(names[j])
            notes.append((f"两列都表示「{col.zh}」: 使用 {a}，忽略 {b}",
                           f"two columns both mean {col.en!r}: using {a}, ignoring {b}"))
            continue
        field_col[canon] = j
        used[names[j]] = j
    unknown = [names[j] for j, c in enumerate(header.canon) if c is None and header.names[j]]
    if unknown:
        notes.append((f"以下列不是名单字段，未导入（退回行的原值仍保留）: {'、'.join(unknown)}",
                      f"these columns are not registry fields and were not imported "
                      f"(kept with rejected rows): {', '.join(unknown)}"))
    return names, field_col, ignored, notes


# ---------------------------------------------------------------------------
# Column conversion (once per distinct value)
# ---------------------------------------------------------------------------

def _per_unique(values: np.ndarray, func) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply ``func(value) -> (out, reason, warning)`` to each distinct value, broadcast back."""
    if len(values) == 0:
        empty = np.array([], dtype=object)
        return empty, empty, empty
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    results = [func(u) for u in uniques]
    out = np.empty(len(results), dtype=object)
    reason = np.empty(len(results), dtype=object)
    warn = np.empty(len(results), dtype=object)
    for k, (o, r, w) in enumerate(results):
        out[k], reason[k], warn[k] = o, r, w
    return out[codes], reason[codes], warn[codes]


def _code_text(value) -> str:
    text = strip_all_spaces(excel.cell_text(value))
    if re.fullmatch(r"[0-9]+\.0*", text):
        text = text.split(".")[0]
    return text


def _int_value(minimum):
    def convert(value):
        text = _code_text(value)
        if not text:
            return None, None, None
        text = re.sub(r"(人口|人|口|户)$", "", text)
        m = re.fullmatch(r"([+-]?)([0-9]{1,9})(?:\.([0-9]*))?", text)
        if not m:
            return None, "not_a_number", None
        if m.group(3) and m.group(3).strip("0"):
            return None, "not_an_integer", None
        number = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
        if number < 0:
            return None, "negative_number", None
        if minimum is not None and number < minimum:
            return None, "below_minimum", None
        return number, None, None
    return convert


def _money_value(value):
    text = strip_all_spaces(excel.cell_text(value))
    text = re.sub(r"[,，]|元$|^[￥¥]", "", text)
    if not text:
        return None, None, None
    m = _AMOUNT.fullmatch(text)
    if not m or not (m.group(2) or m.group(3)) or len(m.group(2)) > _MAX_INT_DIGITS:
        return None, "not_a_number", None
    dec = Decimal(f"{m.group(1)}{m.group(2) or '0'}.{m.group(3) or '0'}")
    if dec < 0:
        return None, "negative_number", None
    return int((dec * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)), None, None


def _bool_value(value):
    if isinstance(value, bool):
        return value, None, None
    text = strip_all_spaces(excel.cell_text(value)).lower()
    if text in _NO:
        return False, None, None
    if text in _YES:
        return True, None, None
    return True, None, "flag_text_as_yes"


def _category_value(lookup: dict[str, str]):
    def convert(value):
        text = clean_cell(excel.cell_text(value))
        if not text:
            return None, "missing_value", None
        code = lookup.get(header_key(text))
        if code is None:
            return None, "unknown_category", None
        return code, None, None
    return convert


def _area_value(codes: set[str], coarse: set[str], names: dict[str, str | None]):
    def convert(value):
        text = _code_text(value)
        if not text:
            return None, "missing_value", None
        if text.isdigit() and text.isascii():
            for cand in (text, *_shorter_codes(text)):
                if cand in codes:
                    return cand, None, None
                if cand in coarse:
                    return None, "area_too_coarse", None
            return None, "unknown_area", None
        key = clean_cell(nfkc(excel.cell_text(value))).replace(" ", "")
        if key in names:
            code = names[key]
            return (code, None, None) if code else (None, "ambiguous_area_name", None)
        return None, "unknown_area", None
    return convert


def _shorter_codes(code: str) -> list[str]:
    """12-digit statistical codes padded with zeros -> the 9- or 6-digit code they stand for."""
    out = []
    if len(code) == 12 and code.endswith("000000"):
        out.append(code[:6])
    elif len(code) == 12 and code.endswith("000"):
        out.append(code[:9])
    elif len(code) == 9 and code.endswith("000"):
        out.append(code[:6])
    return out


def _area_tables(areas) -> tuple[set[str], set[str], dict[str, str | None]]:
    """(codes accepted, codes too coarse, unique name -> code) from the areas argument."""
    if areas is None:

        areas = load_areas()
    if isinstance(areas, pd.DataFrame):
        frame = areas
        codes = frame["code"].astype(str).str.strip()
        coarse_mask = pd.Series(False, index=frame.index)
        if "level" in frame:
            coarse_mask = frame["level"].isin(["city", "province"])
        names: dict[str, str | None] = {}
        if "name" in frame:
            for code, name in zip(codes[~coarse_mask], frame.loc[~coarse_mask, "name"]):
                key = clean_cell(str(name)).replace(" ", "")
                names[key] = None if key in names and names[key] != code else code
        return set(codes[~coarse_mask]), set(codes[coarse_mask]), names
    return {str(c).strip() for c in areas}, set(), {}


def _category_lookup(categories) -> dict[str, str]:

    if categories is None:
        categories = load_categories()
    elif isinstance(categories, (str, Path)):
        categories = load_categories(categories)
    if isinstance(categories, dict):
        return {header_key(k): v for k, v in categories.items()}
    return category_lookup(categories)


_NEEDS_WORK = r"^[\s\u00a0\u3000\u200b\ufeff]|[\s\u00a0\u3000\u200b\ufeff]$|[\uff01-\uff5e]"
_NEEDS_WORK_NAME = r"[\s\u00a0\u3000\u200b\ufeff\uff01-\uff5e]"


def _tidy_text(text: str, squeeze: bool) -> str:
    text = nfkc(text).strip(_SPACE_CHARS)
    if squeeze:
        # "张　三" (names padded to line up in print) -> "张三"; "Mary Ann" keeps one space
        text = _CJK_SPACE.sub("" if re.search(r"[\u4e00-\u9fff]", text) else " ", text)
    return text


def _text_column(values: np.ndarray, *, squeeze: bool = False) -> pd.Series:
    """Free text, trimmed (NBSP and ideographic spaces too), full-width folded.

    One regex pass finds the cells that need work; only those are rewritten.
    """
    s = pd.Series(values, dtype=object)
    is_str = s.map(type).to_numpy() == str
    if not is_str.all():
        s[~is_str] = [excel.cell_text(v) for v in s[~is_str]]
    work = s.str.contains(_NEEDS_WORK_NAME if squeeze else _NEEDS_WORK, regex=True)
    work = work.fillna(False).to_numpy(dtype=bool)
    if work.any():
        s[work] = [_tidy_text(v, squeeze) for v in s[work]]
    return s


def _phone_column(values: np.ndarray) -> pd.Series:
    s = pd.Series(values, dtype=object)
    is_str = s.map(type).to_numpy() == str
    if not is_str.all():
        s[~is_str] = [_code_text(v) for v in s[~is_str]]
    s = s.astype(object)
    messy = ~s.str.fullmatch(r"[0-9]*").fillna(False).to_numpy(dtype=bool)
    if messy.any():
        s[messy] = s[messy].map(strip_all_spaces)
    return s


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

class _Problems:
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


def read_registry(path, *, areas=None, categories=None, sheet=None, today=None) -> IngestResult:
    """Read, normalise and validate a registry file (.xlsx/.xls/.csv).

    ``areas``: the areas table (DataFrame with ``code`` and optionally ``name``
    and ``level``) or a set of codes; by default the demo areas
    (:func:`reliefplan.ingest.reference.load_areas`). ``categories``: a categories
    DataFrame, a path, or a spelling->code dict; by default
    ``data/categories.csv``. ``sheet``: a sheet name or 0-based position; by
    default the first sheet whose header names every required column.
    ``today`` (for tests) bounds birth dates.

    Raises :class:`~reliefplan.core.errors.InputError` when the file cannot be read,
    is empty, has no recognisable header, lacks required columns (listing them
    and the headers found) or has two columns for the same required field.
    """
    path = Path(path)
    raw, header = _choose_sheet(path, sheet)
    names, field_col, ignored, notes = _column_plan(path, raw, header)
    header_row = raw.row_number(header.last_pos)
    stated_organizer = None if "organizer" in field_col else _title_organizer(raw, header)

    data, row_numbers, blank_rows = _data_rows(raw, header, names, field_col)
    data, row_numbers, footer_numbers = _drop_footer_rows(data, row_numbers, field_col)
    if len(footer_numbers):
        listed = ", ".join(str(int(r)) for r in footer_numbers[:10])
        notes.append((f"表尾行（合计、填表人等，无身份证号）未作为名单读取: 第 {listed} 行",
                      f"footer rows (totals, signatures; no ID number) were not read as people: rows {listed}"))
    col_of = {canon: data[j] for canon, j in field_col.items()}
    out, problems, warnings, id_ok = _convert_columns(col_of, len(row_numbers), areas=areas,
                                                      categories=categories, today=today)
    if "organizer" not in out and stated_organizer:
        out["organizer"] = np.full(len(row_numbers), stated_organizer, dtype=object)
        notes.append((f"无填报单位列，使用表头上方的「填报单位：{stated_organizer}」",
                      f"no organizer column; using the organizer stated above the header: {stated_organizer}"))
    _flag_duplicates(out, id_ok, row_numbers, problems)

    prob = problems.frame()
    good = np.ones(len(row_numbers), dtype=bool)
    good[prob["pos"].to_numpy(dtype=np.int64)] = False

    source_file = str(path)
    ctx = dict(path=source_file, sheet=raw.name, names=names, data=data, field_col=field_col,
               row_numbers=row_numbers)
    problem_lines = _problem_lines(prob, **ctx)
    if raw.encoding and raw.encoding not in ("utf-8", "utf-8-sig"):
        notes.append((f"文件编码: {raw.encoding}", f"file encoding: {raw.encoding}"))
    return IngestResult(
        accepted=_accepted_frame(out, np.flatnonzero(good), row_numbers, source_file),
        rejected=_rejected_frame(problem_lines, **ctx),
        problems=problem_lines.drop(columns=["pos"]),
        warnings=_with_originals(_problem_lines(warnings.frame(), **ctx), **ctx),
        rows_read=len(row_numbers), header_row=header_row,
        column_map={names[j]: canon for canon, j in sorted(field_col.items(), key=lambda kv: kv[1])},
        file=source_file, sheet=raw.name, blank_rows=blank_rows, footer_rows=len(footer_numbers),
        ignored_columns=ignored, notes=notes,
        encoding=raw.encoding,
    )


def _data_rows(raw: excel.RawSheet, header: _Header, names: list[str], field_col: dict[str, int]):
    """(columns of the rows read, their row numbers, number of blank rows skipped).

    Cells right of the last header column are kept (named 列J, ...) so that a
    rejected row carries everything the user typed. The parsed sheet is
    released once the columns are out.
    """
    width = len(names)
    arrays, all_numbers = raw.data(header.last_pos + 1)
    raw.release()
    while len(arrays) < width:
        arrays.append(np.full(len(all_numbers), "", dtype=object))
    for j in range(width, len(arrays)):
        if not _blank_mask(arrays[j]).all():
            names.append(f"列{excel.column_letter(raw.first_col + j)}")
    arrays = arrays[:width] + [a for a in arrays[width:] if not _blank_mask(a).all()]

    # Blank rows: every cell empty. Checked column by column, only on rows still blank,
    # registry fields first (they are rarely empty, so few rows remain after them).
    candidate = np.ones(len(all_numbers), dtype=bool)
    for j in sorted(range(len(arrays)), key=lambda j: j not in field_col.values()):
        idx = np.flatnonzero(candidate)
        if not len(idx):
            break
        candidate[idx[~_blank_mask(arrays[j][idx])]] = False
    blank_rows = int(candidate.sum())
    if blank_rows:
        keep = np.flatnonzero(~candidate)
        return [a[keep] for a in arrays], all_numbers[keep], blank_rows
    return arrays, all_numbers, 0


FOOTER_WORDS = ("合计", "小计", "总计", "共计", "填表人", "填报人", "制表人", "审核人", "审批人", "负责人",
                "单位负责人", "经办人", "联系人", "填表日期", "填报日期", "制表日期", "注:", "注：", "说明:", "说明：")
_FOOTER_RE = "^(?:" + "|".join(FOOTER_WORDS) + ")"
_CJK = re.compile("[\u4e00-\u9fff]")


def _drop_footer_rows(arrays: list[np.ndarray], numbers: np.ndarray, field_col: dict[str, int]):
    """Split off footer rows: no ID number, and a cell starting with 合计/填表人/注: ...

    Government forms end with a totals line and signature lines; they are not
    people, so rejecting them would only bury real problems. Returns the kept
    columns, their row numbers and the row numbers of the footers.
    """
    id_col = field_col.get("id_number")
    if id_col is None or not len(numbers):
        return arrays, numbers, numbers[:0]
    # candidates: no ID, or Chinese text where the ID should be (e.g. 审核人：… spread across columns)
    has_cjk = pd.Series(arrays[id_col], dtype=object).astype(str).str.contains(_CJK.pattern, regex=True)
    candidate = _blank_mask(arrays[id_col]) | has_cjk.to_numpy(dtype=bool)
    if not candidate.any():
        return arrays, numbers, numbers[:0]
    idx = np.flatnonzero(candidate)

    def starts_footer(column):
        cells = pd.Series([clean_cell(v).replace(" ", "") if isinstance(v, str) else "" for v in column[idx]],
                          dtype="object")
        return cells.str.contains(_FOOTER_RE, regex=True).to_numpy(dtype=bool)

    footer = np.zeros(len(idx), dtype=bool)
    for column in arrays:
        footer |= starts_footer(column)
    name_col = field_col.get("name")
    if name_col is not None:  # a named person without an ID is a rejected row, never a footer
        footer &= _blank_mask(arrays[name_col][idx]) | starts_footer(arrays[name_col])
    if not footer.any():
        return arrays, numbers, numbers[:0]
    drop = np.zeros(len(numbers), dtype=bool)
    drop[idx[footer]] = True
    keep = np.flatnonzero(~drop)
    return [a[keep] for a in arrays], numbers[keep], numbers[drop]


def _convert_columns(col_of: dict[str, np.ndarray], n: int, *, areas, categories, today):
    """Normalise and check every registry field present: (values, problems, warnings, id ok mask)."""
    problems = _Problems()
    warnings = _Problems()
    out: dict[str, object] = {}

    name = _text_column(col_of["name"], squeeze=True)
    problems.add(np.flatnonzero((name == "").to_numpy()), "name", "missing_value")
    out["name"] = name

    checked = ids.validate_ids(pd.Series(col_of["id_number"], dtype=object), today=today)
    id_reason = checked["reason"].to_numpy(dtype=object)
    problems.add_codes("id_number", np.where(id_reason == "id_missing", "missing_value", id_reason))
    warnings.add_codes("id_number", checked["warning"].to_numpy(dtype=object))
    out["id_number"] = checked["id_number"]
    out["gender"] = checked["gender"]
    out["birth_date"] = checked["birth_date"]

    # Codes, categories, counts, amounts and flags: once per distinct value.
    area, reason, _ = _per_unique(col_of["area_code"], _area_value(*_area_tables(areas)))
    problems.add_codes("area_code", reason)
    out["area_code"] = area
    category, reason, _ = _per_unique(col_of["category"], _category_value(_category_lookup(categories)))
    problems.add_codes("category", reason)
    out["category"] = category
    if "household_size" in col_of:
        value, reason, _ = _per_unique(col_of["household_size"],
                                       _int_value(REGISTRY.column("household_size").min_value))
        problems.add_codes("household_size", reason)
        out["household_size"] = value
    if "income_fen" in col_of:
        value, reason, _ = _per_unique(col_of["income_fen"], _money_value)
        problems.add_codes("income_fen", reason)
        out["income_fen"] = value
    for flag in ("disabled", "seriously_ill"):
        if flag in col_of:
            value, _, warn = _per_unique(col_of[flag], _bool_value)
            warnings.add_codes(flag, warn)
            out[flag] = value
    if "organizer" in col_of:
        out["organizer"], _, _ = _per_unique(col_of["organizer"],
                                             lambda v: (clean_cell(excel.cell_text(v)), None, None))

    # Free text: vectorised string operations.
    if "phone" in col_of:
        out["phone"] = _phone_column(col_of["phone"])
    for text_col in ("address", "diagnosis", "note"):
        if text_col in col_of:
            out[text_col] = _text_column(col_of[text_col])
    return out, problems, warnings, checked["ok"].to_numpy(dtype=bool)


def _flag_duplicates(out: dict, id_ok: np.ndarray, row_numbers: np.ndarray, problems: _Problems) -> None:
    """The same valid ID twice for the same organizer: later rows rejected, naming the first.

    Rows with an invalid ID take no part. The same ID under different
    organizers is kept (the coverage analysis counts those people).
    """
    valid = np.flatnonzero(id_ok)
    if not len(valid):
        return
    n = len(id_ok)
    organizer = pd.Series(out.get("organizer", np.full(n, "", dtype=object)), dtype=object).fillna("")
    key = pd.DataFrame({
        "id": pd.Series(out["id_number"], dtype=object).to_numpy()[valid],
        "org": organizer.to_numpy()[valid],
        "row": row_numbers[valid],
    })
    dup = key.duplicated(["id", "org"], keep="first").to_numpy()
    if not dup.any():
        return
    first_row = key.groupby(["id", "org"], sort=False)["row"].transform("first").to_numpy()[dup]
    zh = np.array([f"与第 {r} 行身份证号重复（同一填报单位）" for r in first_row], dtype=object)
    en = np.array([f"same ID number as row {r} (same organizer)" for r in first_row], dtype=object)
    problems.add(valid[dup], "id_number", "duplicate_id", zh, en)


def _accepted_frame(out: dict, pos: np.ndarray, row_numbers: np.ndarray, source_file: str) -> pd.DataFrame:
    """The accepted rows as the typed registry frame (columns :data:`ACCEPTED_COLUMNS`)."""
    def pick(key, fill=None):
        if key not in out:
            return np.full(len(pos), fill, dtype=object)
        value = out[key]
        arr = value.to_numpy() if isinstance(value, pd.Series) else np.asarray(value)
        return arr[pos]

    id_numbers = pick("id_number")
    frame = pd.DataFrame({
        "name": pd.Series(pick("name"), dtype="str"),
        "id_number": pd.Series(id_numbers, dtype="str"),
        "person_key": pd.Series(privacy.person_keys(id_numbers), dtype="str"),
        "gender": pd.Series(pick("gender"), dtype="str"),
        "birth_date": pd.Series(pick("birth_date"), dtype="datetime64[ns]"),
        "area_code": pd.Series(pick("area_code"), dtype="str"),
        "county_code": pd.Series(pick("area_code"), dtype="str").str.slice(0, 6),
        "category": pd.Series(pick("category"), dtype="str"),
        "household_size": pd.array(pick("household_size"), dtype="Int64"),
        "income_fen": pd.array(pick("income_fen"), dtype="Int64"),
        "phone": pd.Series(pick("phone"), dtype="str"),
        "organizer": pd.Series(pick("organizer"), dtype="str"),
        "address": pd.Series(pick("address"), dtype="str"),
        "disabled": pd.Series(pick("disabled", False), dtype=bool),
        "seriously_ill": pd.Series(pick("seriously_ill", False), dtype=bool),
        "diagnosis": pd.Series(pick("diagnosis"), dtype="str"),
        "note": pd.Series(pick("note"), dtype="str"),
        "source_file": pd.Series(np.full(len(pos), source_file, dtype=object), dtype="str"),
        "source_row": pd.Series(row_numbers[pos], dtype=np.int64),
    })
    for col in ("organizer", "phone", "address", "diagnosis", "note"):
        frame[col] = frame[col].replace("", np.nan)
    return frame[list(ACCEPTED_COLUMNS)]


def _display_value(column: str, value) -> str:
    """A cell as shown in a message: text as in Excel, personal fields masked."""
    text = ids.normalise_id(value) if column == "id_number" else clean_cell(excel.cell_text(value))
    mask = MASKED_COLUMNS.get(column)
    return mask(text) if mask else text


def _problem_lines(prob: pd.DataFrame, *, path, sheet, names, data, field_col, row_numbers) -> pd.DataFrame:
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
        values[part] = [_display_value(canon, v) for v in data[j][pos[part]]]
    return pd.DataFrame({
        "pos": pos, "file": path, "sheet": sheet, "row": row_numbers[pos].astype(np.int64),
        "column": column_names, "value": values, "reason_code": prob["reason_code"].to_numpy(),
        "reason_zh": prob["reason_zh"].to_numpy(), "reason_en": prob["reason_en"].to_numpy(),
    })


def _with_originals(lines: pd.DataFrame, *, path, sheet, names, data, field_col, row_numbers) -> pd.DataFrame:
    """Problem lines followed by the row's original cells under the user's own headers."""
    pos = lines["pos"].to_numpy(dtype=np.int64)
    out = lines.drop(columns=["pos"]).reset_index(drop=True)
    for j, name in enumerate(names):
        key = name if name not in out.columns else f"{name}(原)"
        out[key] = pd.Series(data[j][pos] if len(pos) else [], dtype=object)
    return out


def _rejected_frame(lines: pd.DataFrame, **ctx) -> pd.DataFrame:
    """One line per rejected row: its reasons joined, then its original cells."""
    if lines.empty:
        return _with_originals(lines, **ctx)
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
    return _with_originals(per_row, **ctx)


# ---------------------------------------------------------------------------
# Quarantine
# ---------------------------------------------------------------------------

def quarantine_frame(result: IngestResult) -> pd.DataFrame:
    """Rejected rows with bilingual headers, original cells as read (the user's own data to fix)."""
    return result.rejected.rename(columns=QUARANTINE_HEADERS)


def write_quarantine(result: IngestResult, out_path) -> Path:
    """Write every rejected row with its reasons to .xlsx (xlsxwriter) or .csv (UTF-8 BOM).

    ID numbers and phones are written as text exactly as read: the quarantine
    is the sending unit's own file to correct and send again, not a report.
    """
    out_path = Path(out_path)
    frame = quarantine_frame(result)
    suffix = out_path.suffix.lower()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        text = frame.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else excel.cell_text(v))
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


def first_rejections(result: IngestResult, limit: int = 10, lang: str = "zh") -> list[str]:
    """Lines describing the first rejected rows, values masked, for a console."""
    lines = []
    for row in result.rejected.head(limit).itertuples(index=False):
        reason = row.reason_zh if lang == "zh" else row.reason_en
        where = f"第 {row.row} 行" if lang == "zh" else f"row {row.row}"
        lines.append(f"{where} [{row.column}] {row.value!s}: {reason}")
    return lines
