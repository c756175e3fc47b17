"""A corpus of malformed registry files, built in a temporary folder, with what reading each must give.

Each :class:`Case` writes one file (xlsx with openpyxl, xls with xlwt, csv in
several encodings) the way real units send them, and states the expected
outcome: either an :class:`~reliefplan.core.errors.InputError` whose message holds
given fragments, or the counts of rows read/accepted/rejected and the exact
reason codes of each rejected row (by the row number the user sees in Excel or
the CSV line number), plus expected warnings and accepted values.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from reliefplan.core.ids import check_char
from reliefplan.core.paths import demo_path

# The demo categories table, named explicitly (the reader has no default).
CATEGORIES = demo_path("categories.csv")

HEADER = ["姓名", "身份证号", "区划代码", "困难类别", "家庭人口", "家庭人均月收入", "联系电话", "填报单位"]
AREAS = pd.DataFrame({
    "code": ["350600", "350602", "350602001", "350602002", "350603", "350603100", "350603101"],
    "name": ["漳州市", "芗城区", "石亭街道", "城关镇", "龙文区", "朝阳镇", "城关镇"],
    "level": ["city", "county", "township", "township", "county", "township", "township"],
})


def make_id(county: str = "350602", birth: str = "19900101", seq: str = "123") -> str:
    first17 = county + birth + seq
    return first17 + check_char(first17)


ID_A = make_id(seq="123")  # 350602199001011235
ID_B = make_id("350603", "19581231", "245")
ID_C = make_id("350602", "20000229", "007")
ID_X = next(make_id(seq=f"{s:03d}") for s in range(1000) if make_id(seq=f"{s:03d}").endswith("X"))


def good_row(name="张三", idn=ID_A, area="350602001", cat="低保户", size=3, income="800", phone="13812345678",
             org="芗城区民政局"):
    return [name, idn, area, cat, size, income, phone, org]


@dataclass
class Case:
    name: str
    build: Callable[[Path], Path]
    rows_read: int | None = None
    accepted: int | None = None
    reasons: dict[int, str] = field(default_factory=dict)  # row -> "code" or "code;code"
    warnings: dict[int, str] = field(default_factory=dict)
    error: tuple[str, ...] = ()  # fragments the InputError message must contain
    kwargs: dict = field(default_factory=dict)
    check: Callable | None = None  # extra assertions on the IngestResult

    @property
    def rejected(self) -> int:
        return len(self.reasons)


# ---------------------------------------------------------------------------
# writers
# ---------------------------------------------------------------------------

def xlsx(path: Path, rows, *, merges=(), sheet="名单", extra_sheets=()) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    first = True
    for title, content in [*extra_sheets, (sheet, rows)]:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        for r, row in enumerate(content, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        if title == sheet:
            for rng in merges:
                ws.merge_cells(rng)
    wb.save(path)
    return path


def xls(path: Path, rows, *, merges=()) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名单")
    merged_cells = set()
    for r0, r1, c0, c1, text in merges:
        ws.write_merge(r0, r1, c0, c1, text)
        merged_cells |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None and (r, c) not in merged_cells:
                ws.write(r, c, value)
    wb.save(str(path))
    return path


def csv_file(path: Path, lines, encoding="utf-8") -> Path:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for line in lines:
        writer.writerow(["" if v is None else v for v in line])
    data = buf.getvalue()
    if encoding == "utf-8-sig":
        path.write_bytes(codecs.BOM_UTF8 + data.encode("utf-8"))
    else:
        path.write_bytes(data.encode(encoding))
    return path


# ---------------------------------------------------------------------------
# the corpus
# ---------------------------------------------------------------------------

def _c(name, build, **kw) -> Case:
    return Case(name, build, **kw)


def _accepted_value(column, expected, row=0):
    def check(result):
        assert result.accepted[column].iloc[row] == expected, (column, result.accepted[column].iloc[row], expected)
    return check


def _attr(name, expected):
    def check(result):
        got = getattr(result, name)
        assert got == expected, (name, got, expected)
    return check


def _map(header, canonical):
    def check(result):
        assert result.column_map.get(header) == canonical, result.column_map
    return check


def _rejected_text(column, expected, row=0):
    def check(result):
        assert result.rejected[column].iloc[row] == expected, result.rejected[column].tolist()
    return check


def _distinct_people(n):
    def check(result):
        assert result.accepted["person_key"].nunique() == n
    return check


def _all(*checks):
    def check(result):
        for c in checks:
            c(result)
    return check


CASES: list[Case] = [
    _c("sheet_per_township_beside_notes", lambda d: xlsx(d / "f.xlsx", [HEADER, good_row(idn=ID_C), good_row(
        idn=ID_A[:17] + ("0" if ID_A[17] != "0" else "1"))], sheet="城关镇", extra_sheets=[
        ("填表说明", [["请每个乡镇填写一张表"]]), ("石亭街道", [HEADER, good_row(), good_row(idn=ID_B)])]),
       rows_read=4, accepted=3, reasons={3: "id_bad_checksum"},
       check=_all(_accepted_value("source_sheet", "石亭街道"), _accepted_value("source_sheet", "城关镇", 2),
                  _attr("sheet", "石亭街道"))),
    _c("household_roster_merged", lambda d: xlsx(d / "f.xlsx", [
        ["户主姓名", "困难类别", "区划", "家庭成员姓名", "与户主关系", "身份证号码"],
        ["张三", "低保户", "芗城区石亭街道", "张三", "户主", ID_A],
        [None, None, None, "李梅", "妻子", ID_B],
        ["王五", "特困", "龙文区朝阳镇", "王五", "户主", ID_C]],
        merges=["A2:A3", "B2:B3", "C2:C3"]),
       rows_read=3, accepted=3,
       check=_all(_accepted_value("household_key", "名单!2", 1), _accepted_value("household_size", 2, 1),
                  _accepted_value("area_code", "350602001", 1), _accepted_value("household_size", 1, 2))),
    _c("title_rows", lambda d: xlsx(d / "f.xlsx", [
        ["附件1 困难职工登记表"], ["填报日期：2026年12月"], HEADER, good_row(), good_row(idn=ID_B)],
        merges=["A1:H1"]),
       rows_read=2, accepted=2,
       check=_attr("header_row", 3)),
    _c("two_row_merged_header", lambda d: xlsx(d / "f.xlsx", [
        ["附件1 困难职工登记表"],
        ["姓名", "身份证号", "区划代码", "困难类别", "家庭情况", None, "填报单位"],
        [None, None, None, None, "人口", "收入(元)", None],
        ["张三", ID_A, "350602001", "低保", 4, 1200.5, "芗城区民政局"]],
        merges=["A1:G1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2", "G2:G3"]),
       rows_read=1, accepted=1,
       check=_all(_accepted_value("household_size", 4), _accepted_value("income_fen", 120050),
                  _attr("header_row", 3), _map("家庭情况/人口", "household_size"))),
    _c("header_in_row_5", lambda d: xlsx(d / "f.xlsx", [
        ["附件3"], [], ["2027年春节送温暖慰问对象名单"], ["单位：元"], HEADER, good_row()]),
       rows_read=1, accepted=1,
       check=_attr("header_row", 5)),
    _c("id_as_float_xlsx", lambda d: xlsx(d / "f.xlsx", [
        HEADER, good_row(), good_row(idn=float(ID_B))]),
       rows_read=2, accepted=1, reasons={3: "id_excel_number"}),
    _c("xlsx_numeric_cells", lambda d: xlsx(d / "f.xlsx", [
        HEADER, good_row(area=350602001, size=3.0, income=1200.5, phone=13812345678)]),
       rows_read=1, accepted=1,
       check=_all(_accepted_value("area_code", "350602001"), _accepted_value("household_size", 3),
                  _accepted_value("income_fen", 120050), _accepted_value("phone", "13812345678"))),
    _c("id_scientific_text_csv", lambda d: csv_file(d / "f.csv", [
        HEADER, good_row(), good_row(idn="3.50602199001011E+17")]),
       rows_read=2, accepted=1, reasons={3: "id_excel_number"}),
    _c("id_trailing_zeros_csv", lambda d: csv_file(d / "f.csv", [
        HEADER, good_row(idn=ID_A[:15] + "000")]),
       rows_read=1, accepted=0, reasons={2: "id_excel_number"}),
    _c("id_dot_zero_csv", lambda d: csv_file(d / "f.csv", [
        HEADER, good_row(idn=ID_A + ".0")]),
       rows_read=1, accepted=0, reasons={2: "id_excel_number"}),
    _c("gb18030_csv", lambda d: csv_file(d / "f.csv", [
        ["附件1 困难群众名单"], HEADER, good_row(name="王𠀾", cat="特困人员"), good_row(idn=ID_B)], encoding="gb18030"),
       rows_read=2, accepted=2,
       check=_all(_accepted_value("name", "王𠀾"), _accepted_value("category", "tekun"),
                  _attr("encoding", "gb18030"))),
    _c("bom_csv", lambda d: csv_file(d / "f.csv", [HEADER, good_row()], encoding="utf-8-sig"),
       rows_read=1, accepted=1,
       check=_all(_map("姓名", "name"), _attr("encoding", "utf-8-sig"))),
    _c("empty_file", lambda d: (d / "f.csv").write_bytes(b"") and None or d / "f.csv",
       error=("文件是空的", "the file is empty")),
    _c("empty_xlsx", lambda d: xlsx(d / "f.xlsx", []), error=("文件是空的", "the file is empty")),
    _c("wrong_sheet_name", lambda d: xlsx(d / "f.xlsx", [HEADER, good_row()]),
       kwargs={"sheet": "Sheet2"}, error=("找不到工作表「Sheet2」", "no sheet 'Sheet2'", "名单")),
    _c("sheet_without_header", lambda d: xlsx(d / "f.xlsx", [HEADER, good_row()],
                                              extra_sheets=[("填表说明", [["请如实填写"], ["身份证号须为18位"]])]),
       kwargs={"sheet": "填表说明"}, error=("工作表「填表说明」中找不到可识别的表头", "has no recognisable header", "名单")),
    _c("data_on_second_sheet", lambda d: xlsx(d / "f.xlsx", [HEADER, good_row()],
                                              extra_sheets=[("填表说明", [["请如实填写"]])]),
       rows_read=1, accepted=1,
       check=_attr("sheet", "名单")),
    _c("no_header_anywhere", lambda d: csv_file(d / "f.csv", [["a", "b"], ["1", "2"]]),
       error=("找不到可识别的表头", "no recognisable header row", "a | b")),
    _c("duplicate_required_columns", lambda d: xlsx(d / "f.xlsx", [
        ["姓名", "身份证号", "区划代码", "困难类别", "公民身份号码"], ["张三", ID_A, "350602001", "低保", ID_B]]),
       error=("两列都表示「身份证号」", "身份证号(B)", "公民身份号码(E)", "two columns both mean 'ID number'")),
    _c("duplicate_optional_columns", lambda d: xlsx(d / "f.xlsx", [
        HEADER + ["手机"], good_row() + ["13900000000"]]),
       rows_read=1, accepted=1,
       check=_all(_accepted_value("phone", "13812345678"),
                  _attr("ignored_columns", ["手机"]))),
    _c("missing_required_columns", lambda d: csv_file(d / "f.csv", [
        ["姓名", "身份证号", "家庭人口"], ["张三", ID_A, "3"]]),
       error=("缺少必填列", "区划代码(area_code)", "困难类别(category)", "headers found: 姓名, 身份证号, 家庭人口")),
    _c("text_in_number_columns", lambda d: csv_file(d / "f.csv", [
        HEADER, good_row(size="三口"), good_row(idn=ID_B, income="八百"), good_row(idn=ID_C, size="3人")]),
       rows_read=3, accepted=1, reasons={2: "not_a_number", 3: "not_a_number"},
       check=_accepted_value("household_size", 3)),
    _c("negative_and_bad_counts", lambda d: csv_file(d / "f.csv", [
        HEADER, good_row(income="-300"), good_row(idn=ID_B, size="0"), good_row(idn=ID_C, size="-2"),
        good_row(idn=ID_X, size="2.5")]),
       rows_read=4, accepted=0,
       reasons={2: "negative_number", 3: "below_minimum", 4: "negative_number", 5: "not_an_integer"}),
    _c("full_width_digits", lambda d: csv_file(d / "f.csv", [
        HEADER, good_row(idn=ID_A.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
                         area="３５０６０２００１", income="１，２００．５０", size="３")]),
       rows_read=1, accepted=1,
       check=_all(_accepted_value("id_number", ID_A), _accepted_value("area_code", "350602001"),
                  _accepted_value("income_fen", 120050), _accepted_value("household_size", 3))),
    _c("spaces_and_nbsp", lambda d: xlsx(d / "f.xlsx", [
        [" 姓名 ", "身份证号\u00a0", "区划代码", "困难类别", "填报单位"],
        ["张　三 ", " " + ID_A[:6] + "\u00a0" + ID_A[6:] + " ", " 350602001\u00a0", " 低保户 ", "芗城区民政局 "]]),
       rows_read=1, accepted=1,
       check=_all(_accepted_value("name", "张三"), _accepted_value("id_number", ID_A),
                  _accepted_value("area_code", "350602001"), _accepted_value("category", "dibao"),
                  _accepted_value("organizer", "芗城区民政局"))),
    _c("lowercase_x", lambda d: csv_file(d / "f.csv", [HEADER, good_row(idn=ID_X.lower())]),
       rows_read=1, accepted=1, check=_accepted_value("id_number", ID_X)),
    _c("id_15_digits", lambda d: csv_file(d / "f.csv", [HEADER, good_row(idn="350602900101123")]),
       rows_read=1, accepted=1, warnings={2: "id_upgraded_15"},
       check=_all(_accepted_value("id_number", ID_A), _accepted_value("birth_date", pd.Timestamp("1990-01-01")))),
    _c("bad_checksum", lambda d: csv_file(d / "f.csv", [
        HEADER, good_row(idn=ID_A[:17] + ("0" if ID_A[17] != "0" else "1"))]),
       rows_read=1, accepted=0, reasons={2: "id_bad_checksum"}),
    _c("feb_30_birth_date", lambda d: csv_file(d / "f.csv", [HEADER, good_row(idn=make_id(birth="19900230"))]),
       rows_read=1, accepted=0, reasons={2: "id_bad_birth_date"}),
    _c("future_birth_date", lambda d: csv_file(d / "f.csv", [HEADER, good_row(idn=make_id(birth="20991231"))]),
       rows_read=1, accepted=0, reasons={2: "id_future_birth_date"}),
    _c("unknown_category", lambda d: csv_file(d / "f.csv", [HEADER, good_row(cat="贫困户"), good_row(idn=ID_B)]),
       rows_read=2, accepted=1, reasons={2: "unknown_category"}),
    _c("unknown_area", lambda d: csv_file(d / "f.csv", [
        HEADER, good_row(area="350699001"), good_row(idn=ID_B, area="350600"), good_row(idn=ID_C, area="abc")]),
       rows_read=3, accepted=0, reasons={2: "unknown_area", 3: "area_too_coarse", 4: "unknown_area_name"}),
    _c("area_names_and_padded_codes", lambda d: csv_file(d / "f.csv", [
        HEADER, good_row(area="石亭街道"), good_row(idn=ID_B, area="城关镇"), good_row(idn=ID_C, area="350602001000"),
        good_row(idn=ID_X, area="350603000000")]),
       rows_read=4, accepted=3, reasons={3: "ambiguous_area_name"},
       check=_all(_accepted_value("area_code", "350602001", 0), _accepted_value("area_code", "350602001", 1),
                  _accepted_value("area_code", "350603", 2), _accepted_value("county_code", "350603", 2))),
    _c("duplicate_id_same_organizer", lambda d: csv_file(d / "f.csv", [
        HEADER, good_row(), good_row(idn=ID_B), good_row(name="张三", idn=ID_A.lower())]),
       rows_read=3, accepted=2, reasons={4: "duplicate_id"},
       check=_all(_rejected_text("reason_zh", "与第 2 行身份证号重复（同一填报单位）"),
                  _rejected_text("reason_en", "same ID number as row 2 (same organizer)"))),
    _c("same_id_different_organizer_kept", lambda d: csv_file(d / "f.csv", [
        HEADER, good_row(org="芗城区民政局"), good_row(org="芗城区总工会")]),
       rows_read=2, accepted=2,
       check=_all(_accepted_value("organizer", "芗城区总工会", 1), _distinct_people(1))),
    _c("blank_rows", lambda d: xlsx(d / "f.xlsx", [
        ["附件1"], HEADER, good_row(), [], [None, "   "], good_row(idn=ID_B, cat="??"), []]),
       rows_read=2, accepted=1, reasons={6: "unknown_category"},
       check=_attr("blank_rows", 2)),
    _c("xls_file", lambda d: xls(d / "f.xls", [
        ["附件1 困难职工登记表"], HEADER, good_row(size=3, income=900), good_row(idn=float(ID_B))],
        merges=[(0, 0, 0, 7, "附件1 困难职工登记表")]),
       rows_read=2, accepted=1, reasons={4: "id_excel_number"},
       check=_all(_accepted_value("income_fen", 90000),
                  _attr("header_row", 2))),
    _c("missing_values_one_row_counted_once", lambda d: csv_file(d / "f.csv", [
        HEADER, good_row(name="", cat="", area=""), good_row(idn="")]),
       rows_read=2, accepted=0,
       reasons={2: "missing_value;missing_value;missing_value", 3: "missing_value"}),
    _c("csv_ragged_title_line", lambda d: (d / "f.csv").write_text(
        "2027年春节慰问对象名单\n\n" + ",".join(HEADER) + "\n" + ",".join(map(str, good_row())) + "\n",
        encoding="utf-8") and d / "f.csv",
       rows_read=1, accepted=1,
       check=_all(_attr("header_row", 3), _accepted_value("source_row", 4))),
    _c("csv_quoted_line_break", lambda d: csv_file(d / "f.csv", [
        HEADER + ["家庭住址"], good_row() + ["石亭街道\n九龙路1号"], good_row(idn=ID_B, cat="??") + ["x"]]),
       rows_read=2, accepted=1, reasons={4: "unknown_category"},
       check=_accepted_value("address", "石亭街道\n九龙路1号")),
    _c("english_headers", lambda d: csv_file(d / "f.csv", [
        ["name", "id_number", "area_code", "category", "hh_size", "income_yuan", "phone", "organizer"],
        good_row(cat="dibao")]),
       rows_read=1, accepted=1, check=_accepted_value("category", "dibao")),
    _c("bracketed_and_starred_headers", lambda d: csv_file(d / "f.csv", [
        ["*姓名", "身份证号码（18位）", "所属区划", "困难类别", "家庭人口(人)", "家庭人均月收入（元）"],
        good_row()[:6]]),
       rows_read=1, accepted=1, check=_accepted_value("income_fen", 80000)),
    _c("header_only", lambda d: csv_file(d / "f.csv", [HEADER]), rows_read=0, accepted=0),
    _c("organizer_stated_in_title", lambda d: xlsx(d / "f.xlsx", [
        ["填报单位（盖章）：龙文区总工会        填报日期：2026年12月20日"], HEADER[:4], good_row()[:4]]),
       rows_read=1, accepted=1, check=_accepted_value("organizer", "龙文区总工会")),
    _c("not_really_a_workbook", lambda d: (d / "f.xlsx").write_bytes(b"PK\x03\x04 not a zip") and d / "f.xlsx",
       error=("无法打开 Excel 文件", "cannot open the workbook")),
    _c("flags_and_free_text", lambda d: csv_file(d / "f.csv", [
        HEADER + ["是否残疾", "是否重病", "病情"], good_row() + ["是", "否", "尿毒症"],
        good_row(idn=ID_B) + ["肢体二级", "", ""]]),
       rows_read=2, accepted=1, reasons={3: "not_yes_no"},
       check=_all(_accepted_value("disabled", True, 0), _accepted_value("seriously_ill", False, 0),
                  _accepted_value("diagnosis", "尿毒症", 0))),
]
