"""Excel attachments: 汇总表 (counts and amounts, totals row) and 登记表 (masked list)."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from reliefplan.views import excel_forms as xf
LINES = pd.DataFrame({
    "county_code": ["350602", "350602", "350603"],
    "category": ["dibao", "orphan", "dibao"],
    "households": [2, 1, 3],
    "persons": [5, 1, 7],
    "recipients": [2, 1, 3],
    "cash_fen": [100000, 100000, 150000],
    "goods_fen": [40000, 0, 60000],
    "gifts_fen": [140000, 100000, 210000],
    "overhead_fen": [101, 50, 149],
    "contingency_fen": [3, 1, 5],
    "total_fen": [140104, 100051, 210154],
})

PEOPLE = pd.DataFrame({
    "township_name": ["东铺头街道", "西桥街道"],
    "name": ["张三丰", "李四"],
    "gender": ["男", "女"],
    "id_number": ["350602199001011234", "35060219850202567X"],
    "category_label": ["低保户", "孤儿"],
    "household_size": [3, 1],
    "income_fen": [50000, 0],
    "phone": ["13812345678", "13900001111"],
    "cash_fen": [50000, 100000],
    "goods_fen": [20000, 0],
    "person_key": ["k1", "k2"],
    "diagnosis": ["糖尿病", ""],
    "address": ["九龙路1号", "建元路2号"],
})


def test_summary_frame_sums_by_key_exactly():
    df = xf.summary_frame(LINES, "category", {"dibao": "低保户", "orphan": "孤儿"})
    assert df["label"].tolist() == ["低保户", "孤儿"]
    assert df.loc[0, "households"] == 5 and df.loc[0, "total_fen"] == 140104 + 210154
    assert df["total_fen"].dtype == "int64"
    assert xf.totals_of(df)["total_fen"] == int(LINES["total_fen"].sum())


def _sheet(data: bytes, name=None):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return wb[name] if name else wb.worksheets[0]


def _rows(ws):
    return [[c for c in row] for row in ws.iter_rows(values_only=True)]


def test_summary_workbook_layout_and_totals():
    frame = xf.summary_frame(LINES, "category", {"dibao": "低保户", "orphan": "孤儿"})
    data = xf.summary_workbook([("按类别", "附件3", "芗城区2027年春节送温暖慰问汇总表", "填报单位（盖章）：芗城区", frame,
                                 ("困难类别", "Category"))], demo=True)
    ws = _sheet(data, "按类别")
    rows = _rows(ws)
    assert rows[0][0] == "附件3"
    assert rows[1][0] == "芗城区2027年春节送温暖慰问汇总表"
    assert any(str(r.start_cell.coordinate) == "A2" for r in ws.merged_cells.ranges)    # centred title over the table
    assert rows[2][0].startswith("填报单位") and "单位：户、人、元" in [c for c in rows[2] if c]
    assert rows[3][0] == "示例数据，人员均为虚构"
    header = rows[4]
    assert header[:5] == ["序号", "困难类别", "户数", "人数", "慰问户(人)次"] and "合计(元)" in header
    body = rows[5:7]
    assert body[0][:4] == [1, "低保户", 5, 12] and body[0][header.index("合计(元)")] == pytest.approx(3502.58)
    total = rows[7]
    assert total[1] == "合计"
    col = header.index("合计(元)")
    assert str(total[col]).startswith("=SUM(")
    cached = _rows(openpyxl.load_workbook(io.BytesIO(data), data_only=True)["按类别"])[7]
    assert cached[col] == pytest.approx(int(LINES["total_fen"].sum()) / 100)
    assert cached[header.index("人数")] == 13
    assert any("填表人" in str(c) for r in rows[8:] for c in r if c)
    assert ws.column_dimensions["B"].width > 15 and ws.freeze_panes == "A6"


def test_register_frame_masks_and_drops_sensitive_columns():
    reg = xf.register_frame(PEOPLE)
    assert reg["name"].tolist() == ["张*丰", "李*"]
    assert reg["id_number"].tolist() == ["350602********1234", "350602********567X"]
    assert reg["phone"].tolist() == ["138****5678", "139****1111"]
    assert reg["gifts_fen"].tolist() == [70000, 100000]
    assert "diagnosis" not in reg and "address" not in reg


def test_register_workbook_has_no_full_ids_or_phones():
    data = xf.register_workbook(xf.register_frame(PEOPLE), form_no="附件2", title="登记表", unit_line="填报单位：芗城区",
                                lang="en")
    text = " ".join(str(c) for r in _rows(_sheet(data)) for c in r if c is not None)
    for raw in ("350602199001011234", "35060219850202567X", "13812345678", "13900001111", "张三丰", "糖尿病", "九龙路"):
        assert raw not in text
    rows = _rows(_sheet(data))
    assert rows[3][:5] == ["序号", "乡镇(街道)", "姓名", "性别", "身份证号"]
    assert rows[4][4] == "ID number"                      # English header row under the Chinese one (lang=en)
    cached = _rows(openpyxl.load_workbook(io.BytesIO(data), data_only=True).worksheets[0])
    total = next(r for r in cached if r[1] == "合计")
    assert total[rows[3].index("合计(元)")] == pytest.approx(1700.0)
    assert total[rows[3].index("家庭人均月收入(元)")] is None   # a per-head income is never summed


def test_register_lists_each_person_once_with_every_organizer():
    from reliefplan.reports.attachments import pay_once_at_highest, register_notes

    listings = pd.DataFrame({
        "person_key": ["a", "b", "a", "c"], "name": ["张三", "李四", "张三", "王五"],
        "id_number": ["x"] * 4, "organizer": ["市民政局", "区总工会", "区残联", ""],
        "cash_fen": [50000, 30000, 80000, 10000], "goods_fen": [20000, 0, 10000, 0],
    })
    people = pay_once_at_highest(listings)
    assert list(people["person_key"]) == ["b", "a", "c"]       # at the place of the listing paid
    a = people.set_index("person_key").loc["a"]
    assert a["cash_fen"] == 130000 and a["organizers"] == "区残联、市民政局" and a["listings"] == 2
    assert people.set_index("person_key").loc["c", "organizers"] == ""
    notes = register_notes(listings, people, budget_gifts_fen=int((listings.cash_fen + listings.goods_fen).sum()))
    assert notes[0].startswith("共3户(人)，登记4人次；其中1人由两个及以上单位登记") and len(notes) == 1
    assert "差额700.00元为重复登记部分" in register_notes(listings, people, 200_000 + 70_000)[1]
    frame = xf.register_frame(people)
    assert list(frame["listings"]) == [1, 2, 1] and frame["organizers"].iloc[1] == "区残联、市民政局"
    data = xf.register_workbook(frame, form_no="附件2", title="登记表", unit_line="填报单位：漳州市民政局",
                                with_county=True, notes=notes)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [c.value for c in next(r for r in ws.iter_rows() if r[0].value == "序号")]
    assert header[1] == "县(市、区)" and "填报单位" in header and "登记次数" in header
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
