"""Registry ingest rules: headers, normalisation, validation, counting, quarantine."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from malformed_corpus import AREAS, CATEGORIES, HEADER, ID_A, ID_B, ID_C, csv_file, good_row, make_id, xlsx
from reliefplan.core import privacy
from reliefplan.ingest import area_match, convert, header, registry
from reliefplan.core.errors import InputError
from reliefplan.ingest.registry import read_registry, write_quarantine
from reliefplan.core.schema import REGISTRY

TODAY = "2026-11-01"


def read(path, **kw):
    kw.setdefault("areas", AREAS)
    kw.setdefault("categories", CATEGORIES)
    kw.setdefault("today", TODAY)
    result = read_registry(path, **kw)
    result.check()
    return result


# --- the accepted frame ------------------------------------------------------

def test_accepted_columns_and_dtypes(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER + ["家庭住址", "是否残疾", "是否重病", "病情", "备注"],
                                         good_row() + ["九龙路1号", "是", "否", "", "住房困难"]])
    acc = read(path).accepted
    assert tuple(acc.columns) == registry.ACCEPTED_COLUMNS
    row = acc.iloc[0]
    assert row["id_number"] == ID_A
    assert row["person_key"] == privacy.person_key(ID_A)
    assert row["gender"] == "男" and row["birth_date"] == pd.Timestamp("1990-01-01")
    assert row["area_code"] == "350602001" and row["county_code"] == "350602"
    assert row["category"] == "dibao"
    assert acc["household_size"].dtype == "Int64" and row["household_size"] == 3
    assert acc["income_fen"].dtype == "Int64" and row["income_fen"] == 80000
    assert acc["birth_date"].dtype == "datetime64[ns]"
    assert acc["disabled"].dtype == bool and bool(row["disabled"]) and not bool(row["seriously_ill"])
    assert acc["source_row"].dtype == np.int64 and row["source_row"] == 2
    assert row["source_file"] == str(path)
    assert pd.isna(row["diagnosis"])
    assert row["note"] == "住房困难"


def test_optional_columns_absent(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER[:4], good_row()[:4]])
    acc = read(path).accepted
    assert tuple(acc.columns) == registry.ACCEPTED_COLUMNS
    assert acc["household_size"].isna().all() and acc["income_fen"].isna().all()
    assert not acc["disabled"].any()
    assert acc["organizer"].isna().all()


def test_county_code_is_from_area_not_id(tmp_path):
    # Born in 350602 (ID prefix), lives in 龙文区 350603: residence comes from the area column.
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(idn=ID_A, area="350603100")])
    assert read(path).accepted["county_code"].iloc[0] == "350603"


# --- headers -----------------------------------------------------------------

REQUIRED_VALUES = {"name": "张三", "id_number": ID_A, "area_code": "350602001", "category": "低保"}
SAMPLE_VALUES = {"delivery": "上门走访"}   # a column with its own vocabulary; "1" would be rejected


@pytest.mark.parametrize("column", REGISTRY.columns, ids=[c.name for c in REGISTRY.columns])
def test_every_alias_is_recognised(column, tmp_path):
    for k, alias in enumerate((column.name, column.zh, column.en, *column.aliases)):
        headers = {name: REGISTRY.column(name).zh for name in REQUIRED_VALUES}
        headers[column.name] = alias
        values = [REQUIRED_VALUES.get(name, SAMPLE_VALUES.get(name, "1")) for name in headers]
        path = csv_file(tmp_path / f"r{k}.csv", [list(headers.values()), values])
        result = read(path)
        assert result.column_map.get(alias) == column.name, (alias, result.column_map)
        assert len(result.accepted) == 1, (alias, result.rejected.to_dict("records"))


def test_header_matching_ignores_brackets_stars_and_spaces():
    aliases = REGISTRY.alias_map()
    assert header.lookup_header("家庭人均月收入（元）", aliases) == "income_fen"
    assert header.lookup_header("*姓 名", aliases) == "name"
    assert header.lookup_header("身份证号码\n(18位)", aliases) == "id_number"
    assert header.lookup_header("序号", aliases) is None


def test_header_in_csv_two_rows_without_merges(tmp_path):
    path = csv_file(tmp_path / "r.csv", [
        ["姓名", "身份证号", "区划代码", "困难类别", "家庭情况", ""],
        ["", "", "", "", "人口", "人均月收入"],
        ["张三", ID_A, "350602001", "低保", "2", "650.5"],
    ])
    result = read(path)
    assert result.header_row == 2
    assert result.accepted["income_fen"].iloc[0] == 65050
    assert result.column_map["家庭情况/人口"] == "household_size"


def test_units_row_under_header_is_part_of_header(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER, ["", "", "", "", "(人)", "(元)", "", ""], good_row()])
    result = read(path)
    assert result.header_row == 2 and result.rows_read == 1 and len(result.accepted) == 1


def test_unknown_columns_are_noted_and_kept_with_rejected_rows(tmp_path):
    path = csv_file(tmp_path / "r.csv", [["序号", *HEADER, "性别"], ["1", *good_row(cat="??"), "男"]])
    result = read(path)
    assert any("序号" in zh and "性别" in zh for zh, _ in result.notes)
    rej = result.rejected.iloc[0]
    assert rej["序号"] == "1" and rej["性别"] == "男" and rej["困难类别"] == "??"


def test_cells_right_of_the_header_are_kept(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(cat="??") + ["", "stray"]])
    rej = read(path).rejected
    assert "列J" in rej.columns and rej["列J"].iloc[0] == "stray"


def test_sheet_by_position(tmp_path):
    path = xlsx(tmp_path / "r.xlsx", [HEADER, good_row()], extra_sheets=[("说明", [["x"]])])
    assert read(path, sheet=1).sheet == "名单"


def test_missing_required_error_names_columns_and_found_headers(tmp_path):
    path = csv_file(tmp_path / "r.csv", [["姓名", "序号"], ["张三", "1"]])
    with pytest.raises(InputError) as info:
        read(path)
    # one known header is not enough to call a row the header (needs >= 2 matches)
    assert "找不到可识别的表头" in info.value.zh and "姓名 | 序号" in info.value.zh
    path = csv_file(tmp_path / "r2.csv", [["姓名", "身份证号", "备注"], ["张三", ID_A, ""]])
    with pytest.raises(InputError) as info:
        read(path)
    assert info.value.column == "area_code, category"
    assert "区划代码(area_code)" in info.value.zh and "姓名, 身份证号, 备注" in info.value.zh
    assert "Area code (area_code)" in info.value.en and info.value.row == 1


def test_file_not_found(tmp_path):
    with pytest.raises(InputError) as info:
        read(tmp_path / "nope.csv")
    assert info.value.en == "file not found"


# --- values ------------------------------------------------------------------

@pytest.mark.parametrize("raw, fen", [
    ("800", 80000), ("1,200.50", 120050), ("1200元", 120000), ("¥800", 80000), ("0", 0),
    ("1200.505", 120051), ("1200.504", 120050), (1200.35, 120035), (0.1, 10), ("１２００", 120000), (".5", 50),
])
def test_money_is_exact(raw, fen):
    assert convert.money_value(raw) == (fen, None, None)


@pytest.mark.parametrize("raw, code", [("-1", "negative_number"), ("abc", "not_a_number"), ("1.2.3", "not_a_number"),
                                       (".", "not_a_number"), ("12345678901234", "not_a_number")])
def test_money_rejections(raw, code):
    assert convert.money_value(raw) == (None, code, None)


def test_money_empty_is_missing_not_zero():
    assert convert.money_value("") == (None, None, None)


@pytest.mark.parametrize("raw, expected", [
    ("3", (3, None, None)), (3.0, (3, None, None)), ("3人", (3, None, None)), ("3.00", (3, None, None)),
    ("", (None, None, None)), ("2.5", (None, "not_an_integer", None)), ("-1", (None, "negative_number", None)),
    ("0", (None, "below_minimum", None)), ("three", (None, "not_a_number", None)),
])
def test_household_size(raw, expected):
    assert convert.int_value(1)(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("是", True), ("否", False), ("", False), ("Y", True), ("n", False), (True, True), (1.0, True), (0.0, False),
    ("√", True), ("无", False),
])
def test_flags(raw, expected):
    assert convert.bool_value(raw) == (expected, None, None)


def test_flag_other_text_is_refused_like_in_the_reference_tables():
    assert convert.bool_value("肢体二级") == (None, "not_yes_no", None)


def test_area_codes():
    convert = area_match.AreaResolver(AREAS).convert
    assert convert("350602001") == ("350602001", None, None)
    assert convert(350602001.0) == ("350602001", None, None)
    assert convert("350602001.0") == ("350602001", None, None)
    assert convert("350602") == ("350602", None, None)
    assert convert("350602001000") == ("350602001", None, None)
    assert convert("350602000000") == ("350602", None, None)
    assert convert("350602000") == ("350602", None, None)
    assert convert("350600") == (None, "area_too_coarse", None)
    assert convert("350699") == (None, "unknown_area", None)
    assert convert("") == (None, "missing_value", None)
    assert convert("石亭街道") == ("350602001", None, None)
    assert convert("城关镇") == (None, "ambiguous_area_name", None)


def test_areas_as_a_set_of_codes(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(area="123456"), good_row(idn=ID_B, area="350602001")])
    result = read(path, areas={"123456"})
    assert result.accepted["area_code"].tolist() == ["123456"]
    assert result.rejected["reason_code"].tolist() == ["unknown_area"]


def test_no_default_areas_or_categories(tmp_path):
    """Without the plan's tables the reader says which is missing; it never falls back to the demo's."""
    from reliefplan.core.errors import ConfigError

    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(area="350602001")])
    with pytest.raises(ConfigError, match="areas table"):
        read_registry(path, categories=CATEGORIES)
    with pytest.raises(ConfigError, match="categories table"):
        read_registry(path, areas=AREAS)


def test_categories_as_a_dict(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(cat="困难户"), good_row(idn=ID_B, cat="低保")])
    result = read(path, categories={"困难户": "poor"})
    assert result.accepted["category"].tolist() == ["poor"]
    assert result.rejected["reason_code"].tolist() == ["unknown_category"]


def test_name_padding_removed_but_latin_names_keep_one_space(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(name="张　三"), good_row(idn=ID_B, name=" Mary  Ann ")])
    assert read(path).accepted["name"].tolist() == ["张三", "Mary Ann"]


# --- duplicates --------------------------------------------------------------

def test_duplicates_name_the_first_row_and_ignore_invalid_ids(tmp_path):
    path = csv_file(tmp_path / "r.csv", [
        HEADER,
        good_row(),                      # 2
        good_row(idn="bad"),             # 3 (invalid ID: not a duplicate of anything)
        good_row(idn=ID_A.lower()),      # 4 duplicate of 2
        good_row(idn="bad"),             # 5
        good_row(idn=" " + ID_A),        # 6 duplicate of 2
        good_row(idn=ID_A, org="芗城区总工会"),  # 7 other organizer: kept
    ])
    result = read(path)
    rej = result.rejected.set_index("row")
    assert rej.loc[4, "reason_code"] == "duplicate_id" and "第 2 行" in rej.loc[4, "reason_zh"]
    assert rej.loc[6, "reason_code"] == "duplicate_id" and "row 2" in rej.loc[6, "reason_en"]
    assert rej.loc[3, "reason_code"] == "id_bad_format" and rej.loc[5, "reason_code"] == "id_bad_format"
    assert result.accepted["source_row"].tolist() == [2, 7]


def test_duplicates_without_organizer_column_are_within_the_file(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER[:4], good_row()[:4], good_row()[:4]])
    result = read(path)
    assert result.rejected["reason_code"].tolist() == ["duplicate_id"]


def test_rejected_duplicate_first_row_still_counts(tmp_path):
    # The first row is rejected for its category; the second is still a duplicate of it.
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(cat="??"), good_row()])
    rej = read(path).rejected
    assert rej["reason_code"].tolist() == ["unknown_category", "duplicate_id"]


# --- counting and the rejected/problem tables ---------------------------------

def test_several_problems_one_rejected_row(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(name="", idn="123", cat="??", income="-5")])
    result = read(path)
    assert result.rows_read == 1 and len(result.rejected) == 1 and len(result.problems) == 4
    rej = result.rejected.iloc[0]
    assert rej["reason_code"] == "missing_value;id_bad_format;unknown_category;negative_number"
    assert rej["column"] == "姓名; 身份证号; 困难类别; 家庭人均月收入"
    assert rej["reason_zh"].count("；") == 3
    assert result.problems["row"].tolist() == [2, 2, 2, 2]
    assert list(result.problems.columns) == list(registry.PROBLEM_COLUMNS)


def test_rejected_values_masked_originals_kept(tmp_path):
    bad = ID_A[:17] + ("0" if ID_A[17] != "0" else "1")
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(idn=bad)])
    rej = read(path).rejected.iloc[0]
    assert rej["value"] == privacy.mask_id(bad) and bad not in rej["value"]
    assert rej["身份证号"] == bad  # the user's own cell, for fixing
    assert rej["联系电话"] == "13812345678"


def test_blank_rows_not_read_and_row_numbers_as_in_excel(tmp_path):
    path = xlsx(tmp_path / "r.xlsx", [["标题"], HEADER, [], good_row(cat="??"), [None, " ", "\u3000"], [],
                                      good_row(idn=ID_B, cat="??")])
    result = read(path)
    assert result.blank_rows == 3
    assert result.rows_read == 2
    assert result.rejected["row"].tolist() == [4, 7]


def test_check_detects_a_broken_invariant(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row()])
    result = read(path)
    result.rows_read += 1
    with pytest.raises(AssertionError):
        result.check()


def test_warnings_have_the_rejected_shape(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(idn="350602900101123")])
    warn = read(path).warnings
    assert list(warn.columns[:8]) == list(registry.PROBLEM_COLUMNS)
    assert warn["reason_code"].tolist() == ["id_upgraded_15"]
    assert warn["value"].iloc[0] == privacy.mask_id("350602900101123")


def test_summary_both_languages(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(), good_row(idn=ID_B, cat="??")])
    result = read(path)
    assert result.summary("zh").startswith("读取 2 行，接收 1 行，退回 1 行")
    assert result.summary("en").startswith("2 rows read, 1 accepted, 1 rejected")


def test_first_rejections_are_masked(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(idn=ID_A[:15] + "000")])
    result = read(path)
    lines = registry.first_rejections(result, 5, "en")
    assert lines and ID_A[:15] not in lines[0] and "Excel" in lines[0]


# --- quarantine ----------------------------------------------------------------

def _bad_file(tmp_path):
    return csv_file(tmp_path / "r.csv", [HEADER, good_row(), good_row(idn=ID_A[:15] + "000"),
                                         good_row(idn=ID_C, cat="贫困户", phone="13900001111")])


def test_quarantine_xlsx(tmp_path):
    import python_calamine

    result = read(_bad_file(tmp_path))
    out = write_quarantine(result, tmp_path / "q" / "rejected.xlsx")
    rows = python_calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    header = rows[0]
    assert header[:8] == list(registry.QUARANTINE_HEADERS.values())
    assert "身份证号" in header and "困难类别" in header
    assert len(rows) == 1 + 2
    by_col = dict(zip(header, rows[2]))
    assert by_col["身份证号"] == ID_C  # as read, and as text (not a number)
    assert by_col["联系电话"] == "13900001111"
    assert by_col["原因代码 reason code"] == "unknown_category"
    assert by_col["行号 row"] == 4


def test_quarantine_csv_has_bom_and_all_rows(tmp_path):
    result = read(_bad_file(tmp_path))
    out = write_quarantine(result, tmp_path / "rejected.csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(out, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert len(back) == 2
    assert back["身份证号"].tolist() == [ID_A[:15] + "000", ID_C]
    assert back["原因 reason (zh)"].iloc[0].startswith("身份证号被Excel存成了数字")


def test_quarantine_of_a_clean_file_is_just_the_header(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row()])
    out = write_quarantine(read(path), tmp_path / "q.csv")
    back = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert len(back) == 0 and "姓名" in back.columns


def test_quarantine_rejects_other_suffixes(tmp_path):
    with pytest.raises(InputError):
        write_quarantine(read(_bad_file(tmp_path)), tmp_path / "q.json")


def test_numeric_id_cell_in_quarantine_stays_a_number_as_read(tmp_path):
    import python_calamine

    path = xlsx(tmp_path / "r.xlsx", [HEADER, good_row(idn=float(make_id(seq="124")))])
    out = write_quarantine(read(path), tmp_path / "q.xlsx")
    rows = python_calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    by_col = dict(zip(rows[0], rows[1]))
    assert by_col["原因代码 reason code"] == "id_excel_number"
    assert isinstance(by_col["身份证号"], float)


# --- the demo files -----------------------------------------------------------

def test_demo_registry_reads_clean(demo_inputs):
    from reliefplan.core import paths
    path = paths.demo_path("registry.csv")
    result = read_registry(path, areas=demo_inputs.areas, categories=demo_inputs.categories)
    result.check()
    assert len(result.rejected) == 0 and result.rows_read > 1000


def test_demo_flawed_registry_has_rejections(demo_inputs):
    from reliefplan.core import paths
    path = paths.demo_path("registry_flawed.xlsx")
    result = read_registry(path, areas=demo_inputs.areas, categories=demo_inputs.categories)
    result.check()
    assert len(result.rejected) > 0 and len(result.accepted) > 0


# --- properties ------------------------------------------------------------------

def test_conversions_run_once_per_distinct_value(monkeypatch):
    calls = []

    def record(value):
        calls.append(value)
        return value, None, None

    values = np.array(["a", "b", "a", "a", "b", ""] * 1000, dtype=object)
    out, reason, warn = convert.per_unique(values, record)
    assert sorted(calls) == ["", "a", "b"]
    assert out.tolist() == values.tolist()


CELL = {
    "name": st.sampled_from(["张三", "", " 李四 ", "王　五", "x"]),
    "id": st.sampled_from([ID_A, ID_B, ID_C, ID_A.lower(), "", "123", ID_A[:15] + "000", "3.50602199001011E+17",
                           "350602900101123", make_id(birth="19900230")]),
    "area": st.sampled_from(["350602001", "350603", "350600", "999999", "", "石亭街道", "城关镇"]),
    "cat": st.sampled_from(["低保", "特困", "??", "", "dibao"]),
    "size": st.sampled_from(["1", "0", "-1", "2.5", "abc", "", "3人"]),
    "income": st.sampled_from(["800", "-1", "1,200.50", "x", ""]),
    "phone": st.sampled_from(["13812345678", ""]),
    "org": st.sampled_from(["A", "B", ""]),
}
ROW = st.one_of(st.just(None), st.tuples(*CELL.values()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, max_size=25))
def test_nothing_is_lost(rows, tmp_path_factory):
    path = tmp_path_factory.mktemp("prop") / "r.csv"
    lines = [HEADER] + [[""] * len(HEADER) if r is None else list(r) for r in rows]
    csv_file(path, lines)
    result = read_registry(path, areas=AREAS, categories=CATEGORIES, today=TODAY)
    result.check()
    non_blank = [r for r in rows if r is not None and any(str(v).strip(" \u3000") for v in r)]
    assert result.rows_read == len(non_blank)
    assert result.rows_read + result.blank_rows == len(rows)
    assert sorted(result.accepted["source_row"].tolist() + result.rejected["row"].tolist()) == [
        i + 2 for i, r in enumerate(rows) if r is not None and any(str(v).strip(" \u3000") for v in r)]


# --- the benchmark's own data and naive reader ----------------------------------------

def _bench_module():
    import importlib.util

    from reliefplan.core import paths
    spec = importlib.util.spec_from_file_location("bench_ingest", paths.REPO_ROOT / "bench" / "ingest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_generator_and_naive_reader_agree_with_ours(tmp_path):
    bench = _bench_module()
    frame = bench.generate(600, seed=3)
    xlsx_path, csv_path = tmp_path / "r.xlsx", tmp_path / "r.csv"
    bench.write_xlsx(frame, xlsx_path)
    bench.write_csv(frame, csv_path)
    ours_xlsx, ours_csv = bench.ours_read(xlsx_path), bench.ours_read(csv_path)
    assert ours_xlsx == ours_csv
    assert sum(ours_xlsx) == 600 and 0 < ours_xlsx[1] < 30  # ~0.5% deliberately flawed
    assert bench.naive_read(xlsx_path) == ours_xlsx
    assert bench.naive_read(csv_path) == ours_csv


def test_footer_rows_are_skipped_and_named_not_rejected(tmp_path):
    """A totals line and signature lines below the list are not people (and not lost silently)."""
    import openpyxl

    from reliefplan.ingest.registry import read_registry

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["附件2 困难职工登记表"])
    ws.append(["序号", "姓名", "身份证号", "区划代码", "困难类别", "家庭人均月收入"])
    ws.append([1, "张三", "11010519491231002X", "350602001", "低保户", 300])
    ws.append([2, "李四", None, "350602001", "低保户", 300])          # a person without ID: rejected
    ws.append(["合计", None, None, None, None, 600])
    ws.append(["填表人：王五", None, "审核人：赵六", None, None, None])
    path = tmp_path / "footer.xlsx"
    wb.save(path)
    result = read_registry(path, areas={"350602001"}, categories=CATEGORIES)
    result.check()
    assert (result.rows_read, len(result.accepted), len(result.rejected)) == (2, 1, 1)
    assert result.footer_rows == 2
    assert any("5, 6" in en for _, en in result.notes)


def test_an_unknown_delivery_mode_rejects_that_row_only(tmp_path):
    """发放方式 '邮寄' is not a mode: the row goes to quarantine with the reason; the others (words or blank) pass."""
    path = csv_file(tmp_path / "r.csv", [HEADER + ["发放方式"],
                                         good_row() + ["社会化发放"],
                                         good_row(name="李四", idn=ID_B, area="350603100") + ["邮寄"],
                                         good_row(name="王五", idn=ID_C) + [""]])
    result = read(path)
    assert len(result.accepted) == 2 and len(result.rejected) == 1
    assert result.rows_read == len(result.accepted) + len(result.rejected)
    bad = result.problems.loc[result.problems["reason_code"] == "unknown_delivery"].iloc[0]
    assert bad["row"] == 3 and bad["column"] == "发放方式"   # the column as the file names it
    assert "发放方式“邮寄”无法识别" in bad["reason_zh"] and "'邮寄'" in bad["reason_en"]
    assert list(result.accepted["delivery"].fillna("")) == ["社会化发放", ""]
