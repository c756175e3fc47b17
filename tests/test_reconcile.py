"""Reconciliation: recomputed subtotals and totals against what was stated."""

import pandas as pd
import pytest
import yaml

from reliefplan.ingest.case_library import load_case_library
from reliefplan.models.reconcile import (
    display_checks, line_amounts, mismatches, reconcile, reconcile_case_library,
    reconcile_history, status_counts,
)


@pytest.fixture(scope="module")
def checks():
    return reconcile_case_library(load_case_library())


def by_ref(checks, plan):
    return checks[checks["record"] == plan].set_index("line")


def test_pian7_overheads_and_total_do_not_add_up(checks):
    c = by_ref(checks, "篇7")
    # lines: 15x100, 3x(100+50), 2x(400+50), 1x(200+50) all agree
    assert c.loc[["L1", "L2", "L3", "L4"], "computed_fen"].tolist() == [150000, 45000, 90000, 25000]
    assert (c.loc[["L1", "L2", "L3", "L4"], "status"] == "ok").all()
    # 80 + 80 + 60 = 220, stated 共180元
    s1 = c.loc["S1"]
    assert (s1["stated_fen"], s1["computed_fen"], s1["difference_fen"], s1["status"]) == (18000, 22000, 4000, "mismatch")
    assert s1["check"] == "subtotal"
    # 1500 + 450 + 900 + 250 + 220 = 3320, stated 3280 (= stated parts 3100 + 180)
    s2 = c.loc["S2"]
    assert (s2["stated_fen"], s2["computed_fen"], s2["status"]) == (328000, 332000, "mismatch")
    assert s2["stated_parts_fen"] == 328000
    assert s2["check"] == "total"
    assert "3,320.00" in s2["zh"] and "3,280.00" in s2["en"] and "sum of the stated subtotals" in s2["en"]


def test_seed_mismatches_are_pian7_and_pian8_only(checks):
    mm = mismatches(checks)
    assert list(zip(mm["record"], mm["line"])) == [("篇7", "S1"), ("篇7", "S2"), ("篇8", "S1"), ("篇8", "S2")]
    assert status_counts(checks)["mismatch"] == 4


def test_other_statuses(checks):
    p3 = by_ref(checks, "篇3")
    assert (p3.loc[["L1", "L2", "L3", "L4"], "status"] == "unverifiable").all()
    # 1000 + 500 + 500 + 3000余 = 5000: agrees, computed from the stated line subtotals
    assert (p3.loc["S1", "computed_fen"], p3.loc["S1", "status"], p3.loc["S1", "basis"]) == (500000, "ok", "stated")
    p9 = by_ref(checks, "篇9")
    assert p9.loc[["S1", "S2", "S3", "S4"], "computed_count"].tolist() == [3, 3, 6, 6]
    assert (p9.loc[["S1", "S2", "S3", "S4"], "status"] == "ok").all()
    assert p9.loc["S5", "status"] == "unverifiable"   # 慰问金约3000元, no per-head amounts
    assert p9.loc["S6", "status"] == "illegible"      # 约20XX元
    assert set(by_ref(checks, "篇1")["status"]) == {"unverifiable"}


def small_library(tmp_path, lines, overheads=(), stated=()):
    data = {
        "organizer_types": {"union": {"zh": "工会", "en": "Union"}},
        "levels": {"city": {"zh": "市级", "en": "City"}},
        "plans": [{"id": "T", "title": "t", "organizer": "工会", "organizer_type": "union", "level": "city",
                   "line_items": list(lines), "overheads": list(overheads), "stated": list(stated)}],
    }
    path = tmp_path / "lib.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_case_library(path)


def test_cash_goods_and_approximate(tmp_path):
    lib = small_library(tmp_path, [
        {"category": "hardship_worker", "count": 4, "unit": "户", "cash_per_head": 500, "goods_per_head": "99.50"},
        {"category": "model_worker", "count": 2, "unit": "人", "cash_per_head": 1000},
    ], overheads=[{"text": "fuel", "amount": 30}], stated=[
        {"text": "慰问金共4000元", "measure": "cash", "of": "lines", "value": 4000},      # 2000 + 2000: ok
        {"text": "慰问品共400元", "measure": "goods", "of": ["L1"], "value": 400},          # 398: mismatch
        {"text": "约6400元", "measure": "amount", "of": "all", "value": 6400, "flags": ["approximate"]},
        {"text": "6人", "measure": "count", "of": "lines", "value": 7},
    ])
    c = reconcile_case_library(lib).set_index("line")
    assert (c.loc["S1", "computed_fen"], c.loc["S1", "status"]) == (400000, "ok")
    assert (c.loc["S2", "computed_fen"], c.loc["S2", "status"]) == (39800, "mismatch")
    assert c.loc["S2", "difference_fen"] == -200
    # 4 x 599.50 + 2 x 1000 + 30 = 4428; differs from 约6400 but the figure is approximate
    assert (c.loc["S3", "computed_fen"], c.loc["S3", "status"]) == (442800, "approximate")
    assert (c.loc["S4", "computed_count"], c.loc["S4", "status"]) == (6, "mismatch")


def test_line_amounts_treats_missing_side_as_zero(tmp_path):
    lib = small_library(tmp_path, [
        {"category": "retired_teacher", "count": 15, "unit": "人", "goods_per_head": 100, "stated_subtotal": 1500},
        {"category": "retired_teacher", "count": 3, "unit": "人", "stated_subtotal": 300},
    ])
    la = line_amounts(lib.lines)
    assert la["computed_fen"].iloc[0] == 150000 and pd.isna(la["computed_fen"].iloc[1])
    assert la["cash_fen"].iloc[0] == 0 and la["goods_fen"].iloc[0] == 150000
    assert la["amount_fen"].tolist() == [150000, 30000]
    assert la["amount_basis"].tolist() == ["items", "stated"]


def history_frame():
    df = pd.DataFrame({
        "year": [2024, 2024, 2025],
        "organizer": ["市民政局", "市总工会", "市民政局"],
        "area_code": ["350602", "350603", "350602"],
        "category": ["dibao", "hardship_worker", "dibao"],
        "funding_source": ["财政", "工会经费", "财政"],
        "households": [10, 5, 12],
        "persons": [25, 12, 30],
        "cash_fen": [500000, 500000, 600000],
        "goods_fen": [200000, 100000, 240000],
        "overhead_fen": [10000, 0, 12000],
        "stated_total_fen": pd.array([710000, 600100, None], dtype="Int64"),
    })
    df["source_row"] = [2, 3, 4]
    return df


def test_history_records():
    c = reconcile_history(history_frame())
    assert len(c) == 2                       # the record without a stated total is not checked
    assert c["status"].tolist() == ["ok", "mismatch"]
    bad = c.iloc[1]
    assert (bad["stated_fen"], bad["computed_fen"], bad["difference_fen"], bad["row"]) == (600100, 600000, -100, 3)
    assert "2024 市总工会 350603 hardship_worker 工会经费" == bad["record"]
    assert "6,001.00" in bad["zh"] and "6,000.00" in bad["en"] and "row 3" in bad["en"]


def test_reconcile_both_sources():
    c = reconcile(history_frame(), load_case_library())
    assert c["source"].iloc[0] == "history"
    assert len(mismatches(c)) == 5
    assert c["stated_fen"].dtype == "Int64"


def test_display_checks_formats_yuan(checks):
    shown = display_checks(mismatches(checks), lang="zh")
    assert list(shown.columns)[:2] == ["方案/记录", "项目"]
    assert shown["填报金额(元)"].tolist()[:2] == ["180.00", "3,280.00"]
    assert shown["核对结果"].iloc[0] == "不符"
    en = display_checks(mismatches(checks), lang="en")
    assert en["Result"].iloc[0] == "mismatch"
