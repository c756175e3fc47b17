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

from reliefplan.core import ids, privacy
from reliefplan.core.schema import REGISTRY
from reliefplan.core.text import clean_cell
from reliefplan.ingest import sheets as excel
from reliefplan.ingest.area_match import area_tables, area_value
from reliefplan.ingest.convert import (
    bool_value, category_lookup_of, category_value, int_value, money_value, per_unique, phone_column, text_column,
)
from reliefplan.ingest.header import HEADER_SEARCH_ROWS, choose_sheet, column_plan, title_organizer
from reliefplan.ingest.problems import (
    PROBLEM_COLUMNS, REASONS, RowProblems, problem_lines, rejected_frame, with_originals,
)
from reliefplan.ingest.quarantine import QUARANTINE_HEADERS, first_rejections, quarantine_frame, write_quarantine
from reliefplan.ingest.rows import FOOTER_WORDS, data_rows, drop_footer_rows

__all__ = [
    "ACCEPTED_COLUMNS", "FOOTER_WORDS", "HEADER_SEARCH_ROWS", "PROBLEM_COLUMNS", "QUARANTINE_HEADERS", "REASONS",
    "IngestResult", "first_rejections", "quarantine_frame", "read_registry", "write_quarantine",
]

ACCEPTED_COLUMNS = (
    "name", "id_number", "person_key", "gender", "birth_date", "area_code", "county_code", "category",
    "household_size", "income_fen", "phone", "organizer", "address", "disabled", "seriously_ill",
    "diagnosis", "note", "delivery", "source_file", "source_row",
)


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
    raw, header = choose_sheet(path, sheet)
    names, field_col, ignored, notes = column_plan(path, raw, header)
    header_row = raw.row_number(header.last_pos)
    stated_organizer = None if "organizer" in field_col else title_organizer(raw, header)

    data, row_numbers, blank_rows = data_rows(raw, header, names, field_col)
    data, row_numbers, footer_numbers = drop_footer_rows(data, row_numbers, field_col)
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
    lines = problem_lines(prob, **ctx)
    if raw.encoding and raw.encoding not in ("utf-8", "utf-8-sig"):
        notes.append((f"文件编码: {raw.encoding}", f"file encoding: {raw.encoding}"))
    return IngestResult(
        accepted=_accepted_frame(out, np.flatnonzero(good), row_numbers, source_file),
        rejected=rejected_frame(lines, **ctx),
        problems=lines.drop(columns=["pos"]),
        warnings=with_originals(problem_lines(warnings.frame(), **ctx), **ctx),
        rows_read=len(row_numbers), header_row=header_row,
        column_map={names[j]: canon for canon, j in sorted(field_col.items(), key=lambda kv: kv[1])},
        file=source_file, sheet=raw.name, blank_rows=blank_rows, footer_rows=len(footer_numbers),
        ignored_columns=ignored, notes=notes,
        encoding=raw.encoding,
    )


def _convert_columns(col_of: dict[str, np.ndarray], n: int, *, areas, categories, today):
    """Normalise and check every registry field present: (values, problems, warnings, id ok mask)."""
    problems = RowProblems()
    warnings = RowProblems()
    out: dict[str, object] = {}

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

    # Codes, categories, counts, amounts and flags: once per distinct value.
    area, reason, _ = per_unique(col_of["area_code"], area_value(*area_tables(areas)))
    problems.add_codes("area_code", reason)
    out["area_code"] = area
    category, reason, _ = per_unique(col_of["category"], category_value(category_lookup_of(categories)))
    problems.add_codes("category", reason)
    out["category"] = category
    if "household_size" in col_of:
        value, reason, _ = per_unique(col_of["household_size"],
                                       int_value(REGISTRY.column("household_size").min_value))
        problems.add_codes("household_size", reason)
        out["household_size"] = value
    if "income_fen" in col_of:
        value, reason, _ = per_unique(col_of["income_fen"], money_value)
        problems.add_codes("income_fen", reason)
        out["income_fen"] = value
    for flag in ("disabled", "seriously_ill"):
        if flag in col_of:
            value, _, warn = per_unique(col_of[flag], bool_value)
            warnings.add_codes(flag, warn)
            out[flag] = value
    if "organizer" in col_of:
        out["organizer"], _, _ = per_unique(col_of["organizer"],
                                             lambda v: (clean_cell(excel.cell_text(v)), None, None))

    # Free text: vectorised string operations.
    if "phone" in col_of:
        out["phone"] = phone_column(col_of["phone"])
    for text_col in ("address", "diagnosis", "note"):
        if text_col in col_of:
            out[text_col] = text_column(col_of[text_col])
    return out, problems, warnings, checked["ok"].to_numpy(dtype=bool)


def _flag_duplicates(out: dict, id_ok: np.ndarray, row_numbers: np.ndarray, problems: RowProblems) -> None:
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
        "delivery": pd.Series(pick("delivery"), dtype="str"),
        "source_file": pd.Series(np.full(len(pos), source_file, dtype=object), dtype="str"),
        "source_row": pd.Series(row_numbers[pos], dtype=np.int64),
    })
    for col in ("organizer", "phone", "address", "diagnosis", "note", "delivery"):
        frame[col] = frame[col].replace("", np.nan)
    return frame[list(ACCEPTED_COLUMNS)]


