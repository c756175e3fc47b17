"""Reconciliation: recomputed subtotals and totals against what was stated."""

import pandas as pd
import pytest
import yaml

from reliefplan.ingest.case_library import load_case_library
from reliefplan.ingest.categories import load_categories
from reliefplan.core.paths import demo_path, demo_plan_path
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.models.reconcile import (
    approximate_matches, display_checks, findings, line_amounts, mismatches, reconcile, reconcile_case_library,
    reconcile_history, status_counts,
)


@pytest.fixture(scope="module")
def checks():
    return reconcile_case_library(PlanInputs(demo_plan_path()).case_library)


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


def test_seed_findings(checks):
    mm = mismatches(checks)
    assert list(zip(mm["record"], mm["line"], mm["status"])) == [
        ("篇7", "S1", "mismatch"), ("篇7", "S2", "mismatch"), ("篇8", "S1", "mismatch"), ("篇8", "S2", "mismatch"),
        ("篇9", "S4", "unit_mismatch"), ("篇9", "S3", "no_line")]
    assert status_counts(checks)["mismatch"] == 4


def test_other_statuses(checks):
    p3 = by_ref(checks, "篇3")
    assert (p3.loc[["L1", "L2", "L3", "L4"], "status"] == "unverifiable").all()
    # 1000 + 500 + 500 + 3000余 = 5000: equal only through the approximate donation (see the test below)
    assert (p3.loc["S1", "computed_fen"], p3.loc["S1", "status"], p3.loc["S1", "basis"]) == \
        (500000, "approx_match", "stated")
    p9 = by_ref(checks, "篇9")
    counts = p9[p9["check"] == "count"]
    assert counts.loc[["S1", "S2", "S3", "S4"], "computed_count"].tolist() == [3, 3, 6, 6]
    assert counts.loc[["S1", "S2", "S3", "S4"], "status"].tolist() == ["ok", "ok", "ok", "unit_mismatch"]
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
    return load_case_library(path, categories=load_categories(demo_path("categories.csv")))


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
    # 6人 against 4户 + 2人: the units differ, which is the finding (the numbers are not compared)
    assert (c.loc["S4", "computed_count"], c.loc["S4", "status"]) == (6, "unit_mismatch")


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
    c = reconcile(history_frame(), PlanInputs(demo_plan_path()).case_library)
    assert c["source"].iloc[0] == "history"
    assert len(mismatches(c)) == 7
    assert c["stated_fen"].dtype == "Int64"


def test_display_checks_formats_yuan(checks):
    shown = display_checks(mismatches(checks), lang="zh")
    assert list(shown.columns)[:2] == ["方案/记录", "项目"]
    assert shown["填报金额(元)"].tolist()[:2] == ["180.00", "3,280.00"]
    assert shown["核对结果"].iloc[0] == "不符"
    en = display_checks(mismatches(checks), lang="en")
    assert en["Result"].iloc[0] == "mismatch"


def test_pian3_cash_agrees_only_through_the_approximate_donation(checks):
    s1 = by_ref(checks, "篇3").loc["S1"]
    assert s1["status"] == "approx_match" and s1["stated_fen"] == 500000
    # read as written: the exact (cash) lines are 2,000 against a stated 5,000
    assert "按确数核算为 2,000.00 元" in s1["zh"] and "L4" in s1["zh"] and "3000余元" in s1["zh"]
    assert "agrees only when the approximate" in s1["en"]
    assert list(approximate_matches(checks)["record"]) == ["篇3"]


@pytest.mark.parametrize("text, approximate", [
    ("慰问金约3000元", True), ("估约需捐款3000余元", True), ("共300多户", True), ("3000元左右", True),
    ("慰问金3000元", False), ("节约用电, 共3000元", False),
])
def test_approximate_words_are_recorded(tmp_path, text, approximate):
    lib = small_library(tmp_path, [{"category": "dibao", "count": 3, "unit": "户", "cash_per_head": 1000}],
                        stated=[{"text": text, "measure": "cash", "of": "lines", "value": 3000}])
    assert bool(lib.stated["approximate"].iloc[0]) is approximate
    status = reconcile_case_library(lib).set_index("line").loc["S1", "status"]
    assert status == ("approx_match" if approximate else "ok")


def test_count_in_persons_checks_against_persons_when_written(tmp_path):
    lib = small_library(tmp_path, [
        {"category": "dibao", "count": 2, "unit": "户", "persons": 5},
        {"category": "tekun", "count": 1, "unit": "人"},
    ], stated=[{"text": "共6人", "measure": "count", "of": "lines", "value": 6, "unit": "人"},
               {"text": "共3户", "measure": "count", "of": "lines", "value": 3, "unit": "户"}])
    c = reconcile_case_library(lib).set_index("line")
    assert (c.loc["S1", "computed_count"], c.loc["S1", "status"]) == (6, "ok")          # 5 + 1 persons
    assert c.loc["S2", "status"] == "unit_mismatch"                                     # 2户 + 1人 is not 3户
    assert "计量单位不同" in c.loc["S2", "zh"] and "different units" in c.loc["S2", "en"]


def test_pian9_names_migrant_workers_without_a_line(checks):
    named = checks[checks["check"] == "named_group"]
    assert list(zip(named["record"], named["line"], named["status"])) == [("篇9", "S3", "no_line")]
    assert "农民工" in named["zh"].iloc[0] and "migrant_worker" in named["en"].iloc[0]


def test_named_groups_read_the_longest_name():
    from reliefplan.models.named_groups import category_names, named_in
    names = category_names(load_categories(demo_path("categories.csv")))
    assert named_in("慰问困难劳模、特困员工及农民工、下岗工人6户", names) == [
        ("困难劳模", "model_worker"), ("特困员工", "hardship_worker"), ("农民工", "migrant_worker"),
        ("下岗工人", "unemployed")]


def test_one_slip_reported_once(checks):
    c = checks.set_index(["record", "line"])
    assert pd.isna(c.loc[("篇7", "S1"), "origin"])
    assert (c.loc[("篇7", "S2"), "origin"], c.loc[("篇7", "S2"), "root"]) == ("follows", "篇7 S1")
    assert (c.loc[("篇8", "S1"), "origin"], c.loc[("篇8", "S1"), "root"]) == ("inherited", "篇7 S1")
    assert (c.loc[("篇8", "S2"), "origin"], c.loc[("篇8", "S2"), "root"]) == ("inherited", "篇7 S1")
    f = findings(checks)
    slip = f[f["record"].isin(["篇7", "篇8"])]
    assert list(zip(slip["record"], slip["line"], slip["repeats"])) == [("篇7", "S1", "篇7 S2; 篇8 S1; 篇8 S2")]
    shown = display_checks(mismatches(checks), lang="zh")
    assert "沿用篇7 S1(近似重复方案)" in shown["说明"].iloc[2]


def test_a_slip_of_its_own_in_a_copy_is_not_inherited(tmp_path):
    """Two copies whose totals differ differently: each slip is its own finding."""
    lib = PlanInputs(demo_plan_path()).case_library
    checks = reconcile_case_library(lib)
    changed = checks.copy()
    row = (changed["record"] == "篇8") & (changed["line"] == "S1")
    changed.loc[row, "computed_fen"] = 23000      # as if 篇8 had its own, different slip
    from reliefplan.models.reconcile import FINDING_STATUSES
    from reliefplan.models.slip_origins import mark_origins
    again = mark_origins(changed.assign(origin=None, root=None), lib, FINDING_STATUSES)
    assert pd.isna(again.loc[row, "origin"]).all()


def test_history_records_are_named_for_people_when_names_are_given():
    frame = history_frame()
    plain = reconcile_history(frame)
    named = reconcile_history(frame, {"category": {c: f"类别{c}" for c in frame["category"]},
                                      "county": {str(a): f"地区{a}" for a in frame["area_code"]}})
    assert len(plain) == len(named)
    first = frame.iloc[0]
    assert named["record"].iloc[0] == (f"{first['year']} {first['organizer']} 地区{first['area_code']} "
                                       f"类别{first['category']} {first['funding_source']}")
    assert str(first["category"]) in plain["record"].iloc[0]   # no names: the codes, not a blank
