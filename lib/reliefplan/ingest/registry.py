"""Read and validate the registry of people and households (救助对象名单).

:func:`read_registry` turns an ``.xlsx``/``.xls``/``.csv`` file as units really
send them (title rows, merged two-row headers, IDs typed as numbers, GB18030
CSV from WPS, full-width digits, stray spaces) into one typed DataFrame of
accepted rows and a table of rejected rows with a reason for each, in Chinese
and English, naming the file, the row as the user sees it in Excel and the
column. Nothing is lost: ``rows_read == len(accepted) + len(rejected)``.

Every sheet whose header names the required fields is read (one sheet per
township or category is common); other sheets are named in ``notes`` with the
reason they were skipped (:mod:`.sheet_scan`); ``sheet=`` reads one sheet.
The counts hold per sheet and in total (``IngestResult.sheets``), and every
rejection names its sheet. Household rosters (花名册: a household over several
rows, merged household cells, one member per row) are read one person per
member row with a ``household_key`` (:mod:`.roster`). Areas may be written as
codes or names (:mod:`.area_match`).

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

Header rules (:mod:`.header`): the header row is found automatically among the
first rows by matching cells against the aliases in
:data:`reliefplan.core.schema.REGISTRY` (text in brackets such as "(元)" is
ignored). Two header rows (家庭情况 over 人口 | 收入) and merged header cells are
combined. When two columns mean the same field, a *required* field (name, ID,
area, category) is an error naming both columns, because guessing which one
holds the real IDs would silently lose data; for an optional field the first
column is used and the other is listed in ``ignored_columns`` and ``notes``.
Columns that are not registry fields are ignored for import but kept with
the original values of every rejected row.

Validation runs on whole columns: IDs in numpy (:mod:`reliefplan.core.ids`), codes,
categories, counts and amounts once per distinct value and broadcast back
(:mod:`.convert`, :mod:`.area_match`), so a million rows never pass one by one
through Python. Blank and footer rows are set apart in :mod:`.rows`; problems
become lines in :mod:`.problems`; the quarantine file is :mod:`.quarantine`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from reliefplan.core import privacy
from reliefplan.ingest.area_match import AreaResolver
from reliefplan.ingest.convert import category_lookup_of, repeated, shared_values
from reliefplan.ingest.header import HEADER_SEARCH_ROWS
from reliefplan.ingest.problems import (
    PROBLEM_COLUMNS, REASONS, problem_lines, rejected_frame, with_originals,
)
from reliefplan.ingest.quarantine import QUARANTINE_HEADERS, first_rejections, quarantine_frame, write_quarantine
from reliefplan.ingest.rows import FOOTER_WORDS
from reliefplan.ingest.sheet_reader import SheetPart, read_sheet
from reliefplan.ingest.sheet_scan import scan_sheets

__all__ = [
    "ACCEPTED_COLUMNS", "FOOTER_WORDS", "HEADER_SEARCH_ROWS", "PROBLEM_COLUMNS", "QUARANTINE_HEADERS", "REASONS",
    "IngestResult", "SheetCount", "first_rejections", "quarantine_frame", "read_registry", "write_quarantine",
]

ACCEPTED_COLUMNS = (
    "name", "id_number", "person_key", "gender", "birth_date", "area_code", "county_code", "category",
    "household_size", "income_fen", "phone", "organizer", "address", "disabled", "seriously_ill",
    "diagnosis", "note", "delivery", "source_file", "source_row", "source_sheet", "household_key", "relationship",
)


@dataclass
class SheetCount:
    """The counts of one sheet read: ``rows_read == accepted + rejected``."""

    sheet: str | None
    header_row: int
    rows_read: int
    accepted: int
    rejected: int
    blank_rows: int = 0
    footer_rows: int = 0
    roster: bool = False
    households: int = 0


@dataclass
class IngestResult:
    """What :func:`read_registry` read: accepted rows, rejected rows with reasons, and how.

    ``rows_read == len(accepted) + len(rejected)`` always, in total and per
    sheet (``sheets``); see the module doc for what counts as read.
    :meth:`check` asserts it. ``sheet`` and ``header_row`` are those of the
    first sheet read.
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
    sheets: list[SheetCount] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len(self.rejected)

    def check(self) -> None:
        """Raise AssertionError unless every row read is accepted or rejected exactly once, per sheet too."""
        assert self.rows_read == len(self.accepted) + len(self.rejected), (
            self.rows_read, len(self.accepted), len(self.rejected))
        rejected = _where_keys(self.rejected["sheet"], self.rejected["row"])
        problems = _where_keys(self.problems["sheet"], self.problems["row"])
        accepted = _where_keys(self.accepted["source_sheet"], self.accepted["source_row"])
        assert not rejected.duplicated().any()
        assert set(problems) == set(rejected)
        assert not set(accepted) & set(rejected)
        assert sum(s.rows_read for s in self.sheets) == self.rows_read
        for s in self.sheets:
            assert s.rows_read == s.accepted + s.rejected, s

    def summary(self, lang: str = "zh") -> str:
        if lang == "zh":
            return (f"读取 {self.rows_read} 行，接收 {len(self.accepted)} 行，退回 {len(self.rejected)} 行"
                    f"（跳过空行 {self.blank_rows} 行、表尾行 {self.footer_rows} 行）")
        return (f"{self.rows_read} rows read, {len(self.accepted)} accepted, {len(self.rejected)} rejected"
                f" ({self.blank_rows} blank rows and {self.footer_rows} footer rows skipped)")

    def sheet_lines(self, lang: str = "zh") -> list[str]:
        """One line per sheet read with its counts (and households for a roster)."""
        lines = []
        for s in self.sheets:
            name = s.sheet if s.sheet is not None else "-"
            if lang == "zh":
                extra = f"，花名册 {s.households} 户" if s.roster else ""
                lines.append(f"工作表「{name}」(表头第 {s.header_row} 行): 读取 {s.rows_read} 行，"
                             f"接收 {s.accepted} 行，退回 {s.rejected} 行{extra}")
            else:
                extra = f", roster of {s.households} households" if s.roster else ""
                lines.append(f"sheet {name!r} (header row {s.header_row}): {s.rows_read} rows read, "
                             f"{s.accepted} accepted, {s.rejected} rejected{extra}")
        return lines


def _where_keys(sheet: pd.Series, row: pd.Series) -> pd.Series:
    """"sheet!row" per line, to compare rows across frames whatever sheet or row types they hold."""
    return sheet.astype(object).where(sheet.notna(), "").astype(str) + "!" + row.astype("int64").astype(str)


def read_registry(path, *, areas=None, categories=None, sheet=None, today=None) -> IngestResult:
    """Read, normalise and validate a registry file (.xlsx/.xls/.csv): every sheet that holds a registry.

    ``areas``: the areas table (DataFrame with ``code`` and optionally ``name``,
    ``level``, ``parent_code``, ``former_names``) or a set of codes.
    ``categories``: a categories DataFrame, a path, or a spelling->code dict.
    Both are required (a ConfigError names the missing one;
    :class:`reliefplan.ingest.inputs.PlanInputs` passes the plan's). ``sheet``:
    a sheet name or 0-based position; by default every sheet whose header
    names every required column.
    ``today`` (for tests) bounds birth dates.

    Raises :class:`~reliefplan.core.errors.InputError` when the file cannot be read,
    is empty, has no recognisable header, lacks required columns (listing them
    and the headers found) or has two columns for the same required field.
    """
    path = Path(path)
    found, skipped = scan_sheets(path, sheet)
    resolver = AreaResolver(areas)
    lookup = category_lookup_of(categories)
    parts = [read_sheet(path, raw, header, resolver=resolver, categories=lookup, today=today)
             for raw, header in found]
    _flag_duplicates(parts)
    _flag_trailing_zeros(parts)
    return _combine(path, parts, skipped)


def _combine(path: Path, parts: list[SheetPart], skipped: list[tuple[str, str]]) -> IngestResult:
    source_file = str(path)
    accepted, rejected, problems, warnings, counts, notes = [], [], [], [], [], []
    for part in parts:
        prob = part.problems.frame()
        good = np.ones(len(part.row_numbers), dtype=bool)
        good[prob["pos"].to_numpy(dtype=np.int64)] = False
        ctx = dict(path=source_file, sheet=part.sheet, names=part.names, data=part.data, field_col=part.field_col,
                   row_numbers=part.row_numbers)
        lines = problem_lines(prob, **ctx)
        rejected.append(rejected_frame(lines, **ctx))
        problems.append(lines.drop(columns=["pos"]))
        warnings.append(with_originals(problem_lines(part.warnings.frame(), **ctx), **ctx))
        # The raw cells are needed only for the problem lines: let them go before the typed frame is built.
        del ctx
        part.data = None
        accepted.append(_accepted_frame(part.out, np.flatnonzero(good), part.row_numbers, source_file, part.sheet))
        counts.append(SheetCount(part.sheet, part.header_row, len(part.row_numbers), int(good.sum()),
                                 int((~good).sum()), part.blank_rows, part.footer_rows, part.roster, part.households))
        notes.extend(part.notes)
    notes.extend(skipped)
    first = parts[0]
    encoding = first.encoding
    if encoding and encoding not in ("utf-8", "utf-8-sig"):
        notes.append((f"文件编码: {encoding}", f"file encoding: {encoding}"))
    return IngestResult(
        accepted=pd.concat(accepted, ignore_index=True) if len(accepted) > 1 else accepted[0],
        rejected=_concat(rejected), problems=_concat(problems), warnings=_concat(warnings),
        rows_read=sum(c.rows_read for c in counts), header_row=first.header_row,
        column_map={first.names[j]: canon for canon, j in sorted(first.field_col.items(), key=lambda kv: kv[1])},
        file=source_file, sheet=first.sheet, blank_rows=sum(c.blank_rows for c in counts),
        footer_rows=sum(c.footer_rows for c in counts),
        ignored_columns=list(dict.fromkeys(c for p in parts for c in p.ignored)), notes=notes,
        encoding=encoding, sheets=counts,
    )


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames of several sheets, one after the other; original-cell columns are the union of the sheets'."""
    if len(frames) == 1:
        return frames[0]
    nonempty = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(nonempty, ignore_index=True, sort=False)


def _flag_duplicates(parts: list[SheetPart]) -> None:
    """The same valid ID twice for the same organizer (in any sheet): later rows rejected, naming the first.

    Rows with an invalid ID take no part. The same ID under different
    organizers is kept (the coverage analysis counts those people).
    """
    frames = []
    for k, part in enumerate(parts):
        valid = np.flatnonzero(part.id_ok)
        n = len(part.id_ok)
        organizer = pd.Series(part.out.get("organizer", np.full(n, "", dtype=object)), dtype=object).fillna("")
        frames.append(pd.DataFrame({
            "id": pd.Series(part.out["id_number"], dtype=object).to_numpy()[valid],
            "org": organizer.to_numpy()[valid], "row": part.row_numbers[valid], "pos": valid, "part": k,
        }))
    key = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    dup = key.duplicated(["id", "org"], keep="first").to_numpy()
    if not dup.any():
        return
    grouped = key.groupby(["id", "org"], sort=False)
    first_row = grouped["row"].transform("first").to_numpy()[dup]
    first_part = grouped["part"].transform("first").to_numpy()[dup]
    hits = key.loc[dup]
    same_sheet = first_part == hits["part"].to_numpy()
    sheet_zh = np.array(["" if s else f"工作表「{parts[p].sheet}」" for s, p in zip(same_sheet, first_part)], dtype=object)
    sheet_en = np.array(["" if s else f" of sheet {parts[p].sheet!r}" for s, p in zip(same_sheet, first_part)],
                        dtype=object)
    zh = np.array([f"与{s}第 {r} 行身份证号重复（同一填报单位）" for s, r in zip(sheet_zh, first_row)], dtype=object)
    en = np.array([f"same ID number as row {r}{s} (same organizer)" for s, r in zip(sheet_en, first_row)], dtype=object)
    for k, part in enumerate(parts):
        mine = hits["part"].to_numpy() == k
        if mine.any():
            part.problems.add(hits["pos"].to_numpy()[mine], "id_number", "duplicate_id", zh[mine], en[mine])


def _flag_trailing_zeros(parts: list[SheetPart]) -> None:
    """When any sheet has IDs Excel truncated, warn on every accepted-looking ID ending in 000 in the others.

    :func:`reliefplan.core.ids.validate_ids` warns within a column; this
    carries the rule across the sheets of one file.
    """
    if not any(p.ids_truncated for p in parts):
        return
    for part in parts:
        ids_text = pd.Series(part.out["id_number"], dtype=object).astype(str)
        hit = part.id_ok & ids_text.str.endswith("000").to_numpy(dtype=bool) & (part.id_warning != "id_trailing_000")
        part.warnings.add(np.flatnonzero(hit), "id_number", "id_trailing_000")


def _accepted_frame(out: dict, pos: np.ndarray, row_numbers: np.ndarray, source_file: str,
                    sheet: str | None) -> pd.DataFrame:
    """The accepted rows as the typed registry frame (columns :data:`ACCEPTED_COLUMNS`).

    Each converted column is taken out of ``out`` as it is used, so the sheet's
    converted columns and the frame are not all held at once; repeated values
    (gender, county, the file and sheet names, names) share one str object
    instead of one per row, which is most of the memory of a large registry.
    """
    n = len(pos)

    def pick(key, fill=None):
        if key not in out:
            return repeated(fill, n)
        value = out.pop(key)
        arr = value.to_numpy() if isinstance(value, pd.Series) else np.asarray(value)
        return arr[pos]

    def text(values) -> pd.Series:
        return pd.Series(values, dtype="str")

    frame = {}
    frame["name"] = text(shared_values(pick("name")))
    id_numbers = pick("id_number")
    frame["id_number"] = text(id_numbers)
    frame["person_key"] = text(privacy.person_keys(id_numbers))
    del id_numbers
    frame["gender"] = text(pick("gender"))
    frame["birth_date"] = pd.Series(pick("birth_date"), dtype="datetime64[ns]")
    area = pick("area_code")
    frame["area_code"] = text(area)
    frame["county_code"] = text(_county_codes(area))
    frame["category"] = text(pick("category"))
    frame["household_size"] = pd.array(pick("household_size"), dtype="Int64")
    frame["income_fen"] = pd.array(pick("income_fen"), dtype="Int64")
    for col in ("phone", "organizer", "address"):
        frame[col] = _empty_as_nan(text(pick(col)))
    frame["disabled"] = pd.Series(pick("disabled", False), dtype=bool)
    frame["seriously_ill"] = pd.Series(pick("seriously_ill", False), dtype=bool)
    for col in ("diagnosis", "note", "delivery"):
        frame[col] = _empty_as_nan(text(pick(col)))
    frame["source_file"] = text(repeated(source_file, n))
    frame["source_row"] = pd.Series(row_numbers[pos], dtype=np.int64)
    frame["source_sheet"] = text(repeated(sheet, n))
    for col in ("household_key", "relationship"):
        frame[col] = _empty_as_nan(text(pick(col)))
    return pd.DataFrame(frame, copy=False)[list(ACCEPTED_COLUMNS)]


def _county_codes(area: np.ndarray) -> np.ndarray:
    """The first 6 digits of each area code, worked out once per distinct code (shared str objects)."""
    codes, uniques = pd.factorize(np.asarray(area, dtype=object), use_na_sentinel=False)
    county = pd.Series(uniques, dtype="str").str.slice(0, 6).to_numpy(dtype=object)
    return county[codes]


def _empty_as_nan(s: pd.Series) -> pd.Series:
    """An optional text column with empty cells as missing (NaN), as the models expect."""
    return s.replace("", np.nan)
