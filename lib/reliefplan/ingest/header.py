"""Finding the header of a registry sheet, and which column holds which field.

:mod:`.sheet_scan` calls these on every sheet to decide which sheets hold a registry.

The header row is found among the first :data:`HEADER_SEARCH_ROWS` rows by
matching cells against the aliases in :data:`reliefplan.core.schema.REGISTRY`
(text in brackets such as "(元)" is ignored). Two header rows (家庭情况 over
人口 | 收入) and merged header cells are combined. When two columns mean the
same field, a *required* field is an error naming both columns; for an
optional field the first column is used and the other is noted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from reliefplan.core.errors import InputError
from reliefplan.core.schema import REGISTRY
from reliefplan.core.text import clean_cell, header_key
from reliefplan.ingest import sheets as excel

HEADER_SEARCH_ROWS = 30
MIN_HEADER_MATCHES = 2
_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


@dataclass
class Header:
    first_pos: int           # position of the first header row in the sheet's rows
    last_pos: int            # position of the last header row (data starts below)
    names: list[str]         # display name per column ("家庭情况/人口" for two rows)
    canon: list[str | None]  # canonical field per column, None when not a registry field
    score: int
    upper_is_header: bool = False  # two-row header whose first row names fields itself

    @property
    def fields(self) -> set[str]:
        return {c for c in self.canon if c}

    @property
    def is_roster(self) -> bool:
        """A household roster (花名册): one member per row, with the relation or the head beside the member."""
        return "relationship" in self.fields or {"name", "head_name"} <= self.fields


def _head_as_person(canon: list[str | None]) -> list[str | None]:
    """A list with only 户主姓名 / 户主身份证号 (one row per household) reads them as the name and the ID."""
    out = list(canon)
    for person, head in (("name", "head_name"), ("id_number", "head_id_number")):
        if person not in out and head in out:
            out[out.index(head)] = person
    return out


def header_text(value) -> str:
    return clean_cell(value) if isinstance(value, str) else ""


def lookup_header(text: str, aliases: dict[str, str]) -> str | None:
    if not text:
        return None
    hit = aliases.get(header_key(text))
    if hit is None:
        bare = _BRACKETS.sub("", text)
        if bare != text:
            hit = aliases.get(header_key(bare))
    return hit


def fill_merged(head: list[list[str]], merged) -> list[list[str]]:
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


def header_candidates(head: list[list], merged, aliases) -> list[Header]:
    width = max((len(r) for r in head), default=0)
    texts = [[header_text(v) for v in r] + [""] * (width - len(r)) for r in head]
    filled = fill_merged(texts, merged)
    out = []
    for pos, row in enumerate(filled):
        canon = _head_as_person([lookup_header(t, aliases) for t in row])
        names = list(texts[pos])
        out.append(Header(pos, pos, names, canon, len({c for c in canon if c})))
        if pos + 1 < len(filled):
            lower = filled[pos + 1]
            canon2, names2, contributes = [], [], False
            for upper_t, lower_t, raw_lower in zip(row, lower, texts[pos + 1]):
                from_lower = lookup_header(lower_t, aliases) or lookup_header(upper_t + lower_t, aliases)
                contributes = contributes or bool(raw_lower and from_lower)
                canon2.append(from_lower or (None if raw_lower else lookup_header(upper_t, aliases)))
                if upper_t and lower_t and upper_t != lower_t:
                    names2.append(f"{upper_t}/{lower_t}")
                else:
                    names2.append(lower_t or upper_t)
            if contributes:  # the second row holds header text, not data
                upper_hits = any(lookup_header(t, aliases) for t in texts[pos])
                canon2 = _head_as_person(canon2)
                out.append(Header(pos, pos + 1, names2, canon2, len({c for c in canon2 if c}), upper_hits))
    return out


def best_header(head: list[list], merged, aliases) -> Header | None:
    required = set(REGISTRY.required)
    best, best_key = None, None
    for cand in header_candidates(head, merged, aliases):
        if cand.score < MIN_HEADER_MATCHES:
            continue
        # On a tie a two-row header wins only when its first row is header text too (not a title).
        key = (required <= cand.fields, cand.score, cand.upper_is_header, cand.first_pos == cand.last_pos,
               -cand.first_pos)
        if best_key is None or key > best_key:
            best, best_key = cand, key
    return best


def found_headers(header: Header) -> str:
    return ", ".join(n for n in header.names if n) or "—"


def missing_columns_error(path, sheet, header: Header, row_number: int) -> InputError:
    missing = [c for c in REGISTRY.required if c not in header.fields]
    zh = "、".join(f"{REGISTRY.column(c).zh}({c})" for c in missing)
    en = ", ".join(f"{REGISTRY.column(c).en} ({c})" for c in missing)
    found = found_headers(header)
    where = f"工作表「{sheet}」" if sheet else ""
    return InputError(f"{where}缺少必填列: {zh}；找到的表头: {found}",
                      f"required columns missing{f' in sheet {sheet!r}' if sheet else ''}: {en}; "
                      f"headers found: {found}",
                      file=path, row=row_number, column=", ".join(missing))


def no_header_error(path, sheets_seen: list[tuple[str | None, list[str]]]) -> InputError:
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


def head_rows(sheet: excel.RawSheet) -> list[list]:
    rows = sheet.rows()
    head = []
    for row in rows:
        head.append(list(row))
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    return head


_STATED_ORGANIZER = re.compile(r"(?:填报|报送|推荐|申报)单位\s*(?:[(（]盖章[)）])?\s*[:：]\s*(\S.*)$")


def title_organizer(raw: excel.RawSheet, header: Header) -> str | None:
    """The unit named in a title row such as "填报单位（盖章）：芗城区总工会", if any."""
    for row in islice(raw.rows(), header.first_pos):
        for value in row:
            if isinstance(value, str):
                m = _STATED_ORGANIZER.search(clean_cell(value))
                if m:
                    return re.split(r"\s{2,}|填报日期|日期", m.group(1))[0].strip() or None
    return None


def column_plan(path: Path, raw: excel.RawSheet, header: Header):
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


