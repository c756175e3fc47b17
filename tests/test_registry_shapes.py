"""Registries shaped as bureaus keep them: every sheet, household rosters, areas by name, hidden rows, units, .xls.

Each workbook is built here (openpyxl; xlwt for .xls) and every count is exact:
rows read per sheet = accepted + rejected, households and their sizes, and the
messages. The budget and the 登记表 from a roster equal the figures worked by hand.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from malformed_corpus import AREAS, CATEGORIES, HEADER, ID_A, ID_B, ID_C, csv_file, good_row, make_id, xlsx
from reliefplan.core.errors import InputError
from reliefplan.ingest import convert
from reliefplan.ingest.area_match import AreaResolver
from reliefplan.ingest.categories import load_categories
from reliefplan.ingest.plan import load_plan
from reliefplan.ingest.reference import load_history
from reliefplan.ingest.registry import read_registry, write_quarantine
from reliefplan.models import budget as bm
from reliefplan.models import households
from reliefplan.reports.attachments import register_people
from reliefplan.views import excel_forms as xf

TODAY = "2026-11-01"
NAMED_AREAS = AREAS.assign(parent_code=["", "350600", "350602", "350602", "350600", "350603", "350603"],
                           former_names=["", "", "", "", "", "", "城关乡"])
IDS = [make_id(seq=f"{s:03d}") for s in range(11, 30)]
BAD = IDS[0][:-1] + ("0" if IDS[0][-1] != "0" else "1")


def read(path, **kw):
    kw.setdefault("areas", NAMED_AREAS)
    kw.setdefault("categories", CATEGORIES)
    kw.setdefault("today", TODAY)
    result = read_registry(path, **kw)
    result.check()
    return result


def counts(result):
    return {s.sheet: (s.rows_read, s.accepted, s.rejected) for s in result.sheets}


# --- every sheet ---------------------------------------------------------------------------------------------

def township_workbook(path):
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    wb.active["A1"] = "填表说明：每个乡镇一张表，身份证号请设为文本格式。"
    for title, rows in (("石亭街道", [good_row(idn=IDS[1]), good_row(idn=IDS[2]), good_row(idn=BAD)]),
                        ("城关镇", [good_row(idn=IDS[3], area="350602002"), good_row(idn=IDS[1])]),
                        ("朝阳镇", [good_row(idn=IDS[4], area="350603100")])):
        ws = wb.create_sheet(title)
        for row in [HEADER, *rows]:
            ws.append(row)
    summary = wb.create_sheet("汇总")
    for row in (["困难类别", "户数", "人数"], ["低保户", 6, 18]):
        summary.append(row)
    wb.create_sheet("Sheet3")
    wb.save(path)
    return path


def test_every_sheet_with_a_registry_is_read_and_the_others_are_named(tmp_path):
    result = read(township_workbook(tmp_path / "towns.xlsx"))
    assert counts(result) == {"石亭街道": (3, 2, 1), "城关镇": (2, 1, 1), "朝阳镇": (1, 1, 0)}
    assert (result.rows_read, len(result.accepted), len(result.rejected)) == (6, 4, 2)
    assert result.accepted["source_sheet"].tolist() == ["石亭街道", "石亭街道", "城关镇", "朝阳镇"]
    rej = result.rejected.set_index("sheet")
    assert rej.loc["石亭街道", "row"] == 4 and rej.loc["石亭街道", "reason_code"] == "id_bad_checksum"
    # the same person listed twice by one organizer, in two sheets: the later row names the first
    assert rej.loc["城关镇", "reason_code"] == "duplicate_id"
    assert rej.loc["城关镇", "reason_zh"] == "与工作表「石亭街道」第 2 行身份证号重复（同一填报单位）"
    assert rej.loc["城关镇", "reason_en"] == "same ID number as row 2 of sheet '石亭街道' (same organizer)"
    notes = " ".join(zh for zh, _ in result.notes)
    assert "工作表「填表说明」没有名单表头" in notes
    assert "工作表「汇总」没有名单表头（如说明、汇总表），已跳过；开头: 困难类别 | 户数 | 人数" in notes
    assert "工作表「Sheet3」是空的，已跳过" in notes
    assert result.sheet_lines("en")[0] == "sheet '石亭街道' (header row 1): 3 rows read, 2 accepted, 1 rejected"


def test_sheet_option_still_reads_one_sheet(tmp_path):
    result = read(township_workbook(tmp_path / "towns.xlsx"), sheet="城关镇")
    assert counts(result) == {"城关镇": (2, 2, 0)}


def test_quarantine_keeps_every_rejected_row_of_every_sheet(tmp_path):
    result = read(township_workbook(tmp_path / "towns.xlsx"))
    out = write_quarantine(result, tmp_path / "q.csv")
    back = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert back[["工作表 sheet", "行号 row"]].values.tolist() == [["石亭街道", "4"], ["城关镇", "3"]]


# --- household rosters (花名册) -------------------------------------------------------------------------------

ROSTER_MERGES = ["A1:H1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:H2",
                 "A4:A6", "B4:B6", "C4:C6", "D4:D6", "E4:E6",
                 "A7:A8", "B7:B8", "C7:C8", "D7:D8", "E7:E8",
                 "A9:A10", "B9:B10", "C9:C10", "D9:D10", "E9:E10"]


def roster_rows():
    return [
        ["芗城区2027年春节送温暖困难家庭花名册"],
        ["序号", "户主姓名", "家庭住址", "困难类别", "所属乡镇", "家庭成员", None, None],
        [None, None, None, None, None, "姓名", "与户主关系", "身份证号码"],
        [1, "张三", "九龙路1号", "低保户", "芗城区石亭街道", "张三", "户主", IDS[5]],
        [None, None, None, None, None, "李梅", "妻子", IDS[6]],
        [None, None, None, None, None, "张小宝", "儿子", IDS[7]],
        [2, "王五", "九龙路2号", "特困", "石亭街道办事处", "王五", "户主", IDS[8]],
        [None, None, None, None, None, "王小", "孙子", IDS[9]],
        [3, "赵六", "朝阳路3号", "低保户", "龙文区城关镇", "赵六", "户主", IDS[10]],
        [None, None, None, None, None, "赵七", "女儿", BAD],
        ["合计", "3户7人"],
    ]


def roster_xlsx(path):
    return xlsx(path, roster_rows(), merges=ROSTER_MERGES, sheet="花名册")


def test_roster_reads_one_person_per_member_with_a_household_key(tmp_path):
    result = read(roster_xlsx(tmp_path / "roster.xlsx"))
    assert counts(result) == {"花名册": (7, 6, 1)}
    assert result.sheets[0].roster and result.sheets[0].households == 3
    assert result.header_row == 3 and result.footer_rows == 1
    acc = result.accepted
    assert acc["name"].tolist() == ["张三", "李梅", "张小宝", "王五", "王小", "赵六"]
    assert acc["household_key"].tolist() == ["花名册!4"] * 3 + ["花名册!7"] * 2 + ["花名册!9"]
    assert acc["household_size"].tolist() == [3, 3, 3, 2, 2, 2]  # 赵七 is rejected but still a member
    assert acc["relationship"].tolist() == ["户主", "妻子", "儿子", "户主", "孙子", "户主"]
    assert acc["category"].tolist() == ["dibao"] * 3 + ["tekun"] * 2 + ["dibao"]
    assert acc["area_code"].tolist() == ["350602001"] * 5 + ["350603101"]
    assert acc["address"].tolist() == ["九龙路1号"] * 3 + ["九龙路2号"] * 2 + ["朝阳路3号"]
    rej = result.rejected.iloc[0]
    assert (rej["sheet"], rej["row"], rej["column"], rej["reason_code"]) == (
        "花名册", 10, "家庭成员/身份证号码", "id_bad_checksum")
    assert rej["reason_zh"] == "身份证号校验位错误" and rej["file"].endswith("roster.xlsx")


def test_roster_in_xls_from_wps_reads_like_xlsx(tmp_path):
    import xlwt

    wb = xlwt.Workbook(encoding="gbk")
    ws = wb.add_sheet("花名册")
    rows = roster_rows()
    merged = set()
    for rng in ROSTER_MERGES:
        a, b = rng.split(":")
        c0, r0 = ord(a[0]) - 65, int(a[1:]) - 1
        c1, r1 = ord(b[0]) - 65, int(b[1:]) - 1
        ws.write_merge(r0, r1, c0, c1, rows[r0][c0] if c0 < len(rows[r0]) else None)
        merged |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None and (r, c) not in merged:
                ws.write(r, c, value)
    wb.save(str(tmp_path / "roster.xls"))
    result = read(tmp_path / "roster.xls")
    expected = read(roster_xlsx(tmp_path / "roster.xlsx"))
    assert counts(result) == counts(expected)
    cols = ["name", "id_number", "household_key", "household_size", "category", "area_code"]
    pd.testing.assert_frame_equal(result.accepted[cols], expected.accepted[cols])


def test_xlsx_and_html_saved_under_an_xls_name(tmp_path):
    disguised = roster_xlsx(tmp_path / "roster.xlsx").read_bytes()
    (tmp_path / "x.xls").write_bytes(disguised)
    assert counts(read(tmp_path / "x.xls")) == {"花名册": (7, 6, 1)}
    html = ("<html><head><meta charset='utf-8'></head><body><table>"
            "<tr><td>户主姓名</td><td>困难类别</td><td>区划</td><td>姓名</td><td>与户主关系</td><td>身份证号</td></tr>"
            f"<tr><td rowspan='2'>张三</td><td rowspan='2'>低保户</td><td rowspan='2'>350602001</td>"
            f"<td>张三</td><td>户主</td><td>{IDS[5]}</td></tr>"
            f"<tr><td>李梅</td><td>妻子</td><td>{IDS[6]}</td></tr></table></body></html>")
    (tmp_path / "h.xls").write_text(html, encoding="utf-8")
    result = read(tmp_path / "h.xls")
    assert (result.rows_read, len(result.accepted)) == (2, 2)
    assert result.accepted["household_key"].nunique() == 1
    assert result.accepted["household_size"].tolist() == [2, 2]


def test_roster_blank_household_cells_are_taken_within_the_household_only(tmp_path):
    head = ["户主姓名", "困难类别", "区划代码", "家庭人口", "成员姓名", "与户主关系", "身份证号"]
    path = csv_file(tmp_path / "r.csv", [
        head,
        ["张三", "低保户", "350602001", "3人", "张三", "户主", IDS[5]],
        ["", "", "", "", "李梅", "妻子", IDS[6]],
        ["王五", "", "350602001", "1", "王五", "本人", IDS[8]],
    ])
    result = read(path)
    assert counts(result) == {None: (3, 2, 1)}
    assert result.accepted["household_key"].tolist() == ["!2", "!2"]
    assert result.accepted["category"].tolist() == ["dibao", "dibao"]
    # 王五's own household has no category: never borrowed from 张三's
    assert result.rejected.iloc[0]["reason_code"] == "missing_value"
    # 家庭人口 3 but two members listed: a warning on the household's rows
    assert result.warnings["reason_code"].tolist() == ["household_size_mismatch"] * 2


def test_a_list_with_only_head_columns_is_one_row_per_household(tmp_path):
    path = csv_file(tmp_path / "r.csv", [["户主姓名", "户主身份证号", "区划代码", "困难类别"],
                                         ["张三", ID_A, "350602001", "低保户"]])
    result = read(path)
    assert len(result.accepted) == 1 and not result.sheets[0].roster
    assert result.accepted["household_key"].isna().all()


# --- budget and 登记表 from a roster, worked by hand ------------------------------------------------------------

CATS = """code,zh,en,priority,unit,aliases
dibao,低保户,Dibao household,2,household,低保
tekun,特困供养人员,Extreme poverty,1,person,特困
"""


def roster_plan(tmp_path):
    (tmp_path / "categories.csv").write_text(CATS, encoding="utf-8")
    doc = {"name": "花名册测试", "year": 2027, "data": {"categories": "categories.csv"},
           "categories": {"dibao": {"per": "person", "cash": 300, "goods": 0},
                          "tekun": {"per": "household", "cash": 800, "goods": 50}},
           "overheads": [], "contingency_pct": 0}
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_plan(tmp_path / "plan.yaml")


def test_budget_from_a_roster_pays_households_once_and_persons_each(tmp_path):
    plan = roster_plan(tmp_path)
    registry = read(roster_xlsx(tmp_path / "roster.xlsx"), categories=tmp_path / "categories.csv").accepted
    ben = bm.beneficiaries_from_registry(registry, plan=plan)
    # one beneficiary per household: 张三's 3 members, 王五's 2, 赵六 alone (赵七 was rejected)
    assert ben.index.tolist() == [0, 3, 5]
    assert ben[["category", "households", "persons"]].values.tolist() == [
        ["dibao", 1, 3], ["tekun", 1, 2], ["dibao", 1, 1]]
    lines = bm.cost_model(plan, ben).lines.groupby("category").sum(numeric_only=True)
    # dibao per person: (3 + 1) x 300 yuan; tekun per household: 1 x (800 + 50) yuan
    assert lines.loc["dibao", ["households", "persons", "recipients", "cash_fen"]].tolist() == [2, 4, 4, 120000]
    assert lines.loc["tekun", ["households", "persons", "recipients", "cash_fen", "goods_fen"]].tolist() == [
        1, 2, 1, 80000, 5000]
    assert int(lines["total_fen"].sum()) == 205000


def test_register_from_a_roster_keeps_households_and_the_budget_total(tmp_path):
    plan = roster_plan(tmp_path)
    registry = read(roster_xlsx(tmp_path / "roster.xlsx"), categories=tmp_path / "categories.csv").accepted
    ben = bm.beneficiaries_from_registry(registry, plan=plan)
    cats = pd.read_csv(tmp_path / "categories.csv")
    baseline = bm.cost_model(plan, ben)
    ctx = SimpleNamespace(
        plan=plan, beneficiaries=ben, registry=registry, inputs=SimpleNamespace(registry=registry), areas=NAMED_AREAS,
        baseline=baseline, eligibility=pd.DataFrame({"eligible": True}, index=registry.index),
        listing_payments=lambda: bm.listing_payments(plan, ben, baseline.standards),
        category_labels=lambda: dict(zip(cats["code"], cats["zh"])))
    people = register_people(ctx)
    # by township, category, household: each household's head first, its members below
    assert people["name"].tolist() == ["张三", "李梅", "张小宝", "王五", "王小", "赵六"]
    assert people["household_seq"].tolist() == [1, 1, 1, 2, 2, 3]
    # dibao per person: 300 on each member; tekun per household: 800 + 50 once, on the head's line
    assert people["cash_fen"].tolist() == [30000, 30000, 30000, 80000, 0, 30000]
    assert people["goods_fen"].tolist() == [0, 0, 0, 5000, 0, 0]
    assert people["household_size"].isna().tolist() == [False, True, True, False, True, False]
    frame = xf.register_frame(people)
    data = xf.register_workbook(frame, form_no="附件2", title="登记表", unit_line="填报单位：芗城区")
    (tmp_path / "reg.xlsx").write_bytes(data)
    ws = openpyxl.load_workbook(tmp_path / "reg.xlsx").active
    header = [c.value for c in ws[4]]
    assert header[:6] == ["序号", "户序号", "乡镇(街道)", "姓名", "与户主关系", "性别"]
    assert [ws.cell(row=r, column=5).value for r in range(5, 11)] == ["户主", "妻子", "儿子", "户主", "孙子", "户主"]
    assert int(frame["gifts_fen"].sum()) == 205000  # the budget's total, to the fen
    assert "张三" not in str([c.value for row in ws.iter_rows() for c in row])  # names stay masked


def test_member_amounts_add_up_per_household():
    head = pd.Series([10, 10, 10, 20], index=[10, 11, 12, 20])
    index = pd.Index([10, 20])
    out = households.member_amounts(head, np.array([3, 1]), np.array([3, 1]), np.array([500, 800]), index)
    assert out.tolist() == [500, 500, 500, 800]
    out = households.member_amounts(head, np.array([1, 1]), np.array([3, 1]), np.array([500, 800]), index)
    assert out.tolist() == [500, 0, 0, 800]


# --- areas by name ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, code", [
    ("石亭街道", "350602001"), ("芗城区石亭街道", "350602001"), ("漳州市芗城区石亭街道", "350602001"),
    ("石亭街道办事处", "350602001"), ("福建省漳州市芗城区石亭街道", "350602001"), ("芗城石亭街道", "350602001"),
    ("龙文区城关镇", "350603101"), ("漳州市龙文区城关乡", "350603101"), ("芗城区", "350602"),
    ("350602001005", "350602001"), (350602001.0, "350602001"),
])
def test_areas_resolve_by_full_or_partial_name(written, code):
    assert AreaResolver(NAMED_AREAS).convert(written) == (code, None, None)


def test_area_name_messages_speak_of_names():
    resolver = AreaResolver(NAMED_AREAS)
    assert resolver.convert("城关镇") == (None, "ambiguous_area_name", None)
    zh, en = resolver.message("城关镇", "ambiguous_area_name")
    assert zh == "区划名称「城关镇」有重名: 芗城区城关镇(350602002)、龙文区城关镇(350603101)；请写出所属县区或填写区划代码"
    assert "芗城区城关镇(350602002)" in en and "ambiguous" in en
    assert resolver.convert("漳州市") == (None, "area_too_coarse", None)
    assert resolver.convert("龙海区石亭街道") == (None, "unknown_area_name", None)
    assert "区划名称" in resolver.message("x", "unknown_area_name")[0]


def test_ambiguous_area_name_in_a_file_lists_the_candidates(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(area="城关镇")])
    rej = read(path).rejected.iloc[0]
    assert rej["reason_code"] == "ambiguous_area_name" and "龙文区城关镇(350603101)" in rej["reason_zh"]


# --- hidden rows and columns, autofilter, messy headers, units -------------------------------------------------

def test_hidden_rows_columns_and_autofilter_are_read_and_noted(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    for row in [["姓名 ", "身份证号\n（18位）", " 区划代码", "困难\n类别", "家庭人口", "家庭人均月收入"],
                ["张三", ID_A, "350602001", "低保户", "3人", "500元"],
                ["李四", ID_B, "350602001", "低保户", "2口人", "￥1,200.5"],
                ["王五", ID_C, "350602001", "低保户", "1户", "0.5万元"]]:
        ws.append(row)
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["F"].hidden = True
    ws.auto_filter.ref = "A1:F4"
    wb.save(tmp_path / "h.xlsx")
    result = read(tmp_path / "h.xlsx")
    assert counts(result) == {"名单": (3, 3, 0)}
    assert result.accepted["household_size"].tolist() == [3, 2, 1]
    assert result.accepted["income_fen"].tolist() == [50000, 120050, 500000]
    notes = " ".join(zh for zh, _ in result.notes)
    assert "1 行是隐藏行（或被筛选隐藏），已照常读取: 第 3 行" in notes
    assert "隐藏列已照常读取: F" in notes and "表格设有筛选(A1:F4)" in notes


@pytest.mark.parametrize("raw, expected", [
    ("3人", 3), ("12户", 12), ("5口人", 5), ("2名", 2), (" 4 ", 4), (3.0, 3)])
def test_counts_with_units(raw, expected):
    assert convert.int_value(0)(raw) == (expected, None, None)


@pytest.mark.parametrize("raw, fen", [("500元", 50000), ("￥1,000.50", 100050), ("1.5万元", 1500000),
                                      ("RMB300", 30000), ("300块", 30000)])
def test_amounts_with_units(raw, fen):
    assert convert.money_value(raw) == (fen, None, None)


def test_history_reads_counts_and_amounts_with_units_like_the_registry(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("年度,组织单位,区划代码,困难类别,资金来源,户数,人数,慰问金,慰问品,工作经费\n"
                    "2025,芗城区民政局,350602,低保户,财政,12户,30人,6000元,\"2,400元\",300\n", encoding="utf-8")
    df = load_history(path, categories=load_categories(CATEGORIES))
    assert df[["households", "persons", "cash_fen", "goods_fen"]].values.tolist() == [[12, 30, 600000, 240000]]


def test_unknown_yes_no_is_refused_in_the_registry_and_the_tables_alike(tmp_path):
    reg = read(csv_file(tmp_path / "r.csv", [HEADER + ["是否残疾"], good_row() + ["也许"]]))
    assert reg.rejected.iloc[0]["reason_code"] == "not_yes_no"
    assert reg.rejected.iloc[0]["reason_zh"] == "须为 是/否"


# --- ID numbers (issue 13, case library checks) --------------------------------------------------------------

def _id_ending_000() -> str:
    """A valid ID whose last three characters are 000 (sequence x00 and check character 0)."""
    return next(i for i in (make_id(birth=f"1990{m:02d}{d:02d}", seq=f"{s}00")
                            for m in range(1, 13) for d in range(1, 29) for s in range(10)) if i.endswith("000"))


def test_trailing_000_with_truncated_neighbours_is_a_warning(tmp_path):
    lucky = _id_ending_000()
    path = xlsx(tmp_path / "t.xlsx", [HEADER, good_row(idn=lucky), good_row(idn=3.50602199001011e17)])
    result = read(path)
    assert result.rejected.iloc[0]["reason_code"] == "id_excel_number"
    assert result.warnings["reason_code"].tolist() == ["id_trailing_000"]
    assert "000" in result.warnings.iloc[0]["reason_zh"]
    alone = read(csv_file(tmp_path / "ok.csv", [HEADER, good_row(idn=lucky)]))
    assert alone.warnings.empty and len(alone.accepted) == 1


def test_trailing_000_warned_when_another_sheet_has_truncated_ids(tmp_path):
    lucky = _id_ending_000()
    path = xlsx(tmp_path / "t.xlsx", [HEADER, good_row(idn=lucky)],
                extra_sheets=[("其他", [HEADER, good_row(idn=3.50602199001011e17)])])
    result = read(path)
    assert result.warnings["reason_code"].tolist() == ["id_trailing_000"]
    assert result.warnings.iloc[0]["sheet"] == "名单"


def test_apostrophe_and_implausible_birth_year(tmp_path):
    old = make_id(birth="18991231")
    result = read(csv_file(tmp_path / "r.csv", [HEADER, good_row(idn="'" + ID_A), good_row(idn=old)]))
    assert result.accepted["id_number"].tolist() == [ID_A]
    rej = result.rejected.iloc[0]
    assert rej["reason_code"] == "id_implausible_birth_year" and "出生年份不合理" in rej["reason_zh"]


def test_no_sheet_with_a_registry_still_says_so(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "说明"
    wb.save(tmp_path / "n.xlsx")
    with pytest.raises(InputError) as info:
        read(tmp_path / "n.xlsx")
    assert "no sheet has a recognisable header row" in info.value.message()


def test_quarantine_csv_neutralises_formulas(tmp_path):
    path = csv_file(tmp_path / "r.csv", [HEADER + ["备注"], good_row(name="=HYPERLINK(\"http://x\")", idn=BAD)
                                         + ["@SUM(A1)"]])
    result = read(path)
    out = write_quarantine(result, tmp_path / "q.csv")
    back = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert back.loc[0, "姓名"].startswith("'=") and back.loc[0, "备注"] == "'@SUM(A1)"
