"""Visit schedule: capacity, priority, township order, unassigned reasons, Excel export, CLI."""

import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reliefplan.core import paths
from reliefplan.ingest.categories import load_categories

from reliefplan.models import schedule
from reliefplan.views import schedule_tables
from reliefplan.core.ids import check_char

T = pd.Timestamp
CLI = Path(sys.executable).with_name("reliefplan")


def plan(teams, start="2027-01-12", end="2027-01-13", slots=("上午", "下午"), **visit_days):
    return {"name": "测试", "year": 2027, "calendar": {"working_days": False},
            "_files": {"categories": paths.demo_path("categories.csv")},
            "categories": {"tekun": {}, "dibao": {}, "dibao_edge": {}, "orphan": {}},
            "visit_days": {"start": start, "end": end, "slots": list(slots), **visit_days},
            "teams": teams}


def people(rows):
    """rows: (key, area_code, category) -> a registry frame with names and ID numbers to mask."""
    df = pd.DataFrame(rows, columns=["person_key", "area_code", "category"])
    df["name"] = ["张" + "三丰"[: 1 + i % 2] for i in range(len(df))]
    df["id_number"] = [f"350602199001{i:06d}" for i in range(len(df))]
    df["address"] = [f"测试路{i}号" for i in range(len(df))]
    return df


def test_capacity_priority_and_township_order():
    # one team, 2 days x 2 slots x 2 visits = 8 visits for 10 people
    p = plan([{"name": "一组", "areas": ["350602"], "visits_per_slot": 2}])
    reg = people([
        ("a", "350602002", "dibao_edge"), ("b", "350602001", "dibao"), ("c", "350602002", "tekun"),
        ("d", "350602001", "dibao_edge"), ("e", "350602003", "dibao"), ("f", "350602001", "tekun"),
        ("g", "350602003", "dibao_edge"), ("h", "350602002", "dibao"), ("i", "350602003", "tekun"),
        ("j", "350602001", "dibao_edge"),
    ])
    s = schedule.build_schedule(p, reg)
    assert len(s.assigned) == 8 and len(s.unassigned) == 2
    # the two left out are the lowest priority (低保边缘户, 3) in the last townships by code
    assert sorted(s.unassigned["person_key"]) == ["a", "g"]
    assert set(s.unassigned["reason"]) == {"capacity"} and set(s.unassigned["team"]) == {"一组"}
    # route: township 001 first (priority order inside), then 002, then 003
    assert list(s.assigned["person_key"]) == ["f", "b", "d", "j", "c", "h", "i", "e"]
    assert list(s.assigned["slot"]) == ["上午", "上午", "下午", "下午"] * 2
    assert list(s.assigned["date"]) == [T("2027-01-12")] * 4 + [T("2027-01-13")] * 4
    assert list(s.assigned["seq"]) == [1, 2] * 4
    summ = s.summary.iloc[0]
    assert (summ["people"], summ["assigned"], summ["unassigned"], summ["capacity"]) == (10, 8, 2, 8)
    assert s.load["visits"].tolist() == [4, 4] and s.load["capacity"].tolist() == [4, 4]


def test_priority_order_option():
    p = plan([{"name": "一组", "areas": ["350602"], "visits_per_slot": 1}], order="priority")
    reg = people([("a", "350602001", "dibao"), ("b", "350602002", "tekun"), ("c", "350602001", "tekun")])
    s = schedule.build_schedule(p, reg)
    assert list(s.assigned["person_key"]) == ["c", "b", "a"]


def test_unassigned_reasons_township_teams_duplicates_and_scope():
    p = plan([{"name": "县组", "areas": ["350602"], "visits_per_slot": 5},
              {"name": "镇组", "areas": ["350602004"], "visits_per_slot": 5}])
    reg = people([
        ("a", "350602001", "tekun"),
        ("b", "350602004", "tekun"),      # township code wins over the county team
        ("c", "350681001", "tekun"),      # no team covers 350681
        ("d", "", "tekun"),               # no area code
        ("a", "350602001", "tekun"),      # listed twice
        ("e", "350602001", "union_cadre"),  # category not in the plan
    ])
    s = schedule.build_schedule(p, reg)
    assert dict(zip(s.assigned["person_key"], s.assigned["team"])) == {"a": "县组", "b": "镇组"}
    reasons = dict(zip(s.unassigned["person_key"], s.unassigned["reason"]))
    assert reasons == {"d": "no_area", "c": "no_team"}
    assert s.duplicates == 1
    assert list(s.excluded["person_key"]) == ["e"]
    assert set(s.unassigned["team"]) == {""}


def test_visit_days_skip_holidays_weekends_and_listed_days():
    teams = [{"name": "一组", "areas": ["350602"], "visits_per_slot": 1}]
    p = plan(teams, start="2026-09-28", end="2026-10-11")
    p["calendar"]["working_days"] = True          # statutory holidays skipped, weekends kept
    days, skipped, notes = schedule.visit_slots(p)
    used = sorted(set(days["date"].dt.date.astype(str)))
    assert used == ["2026-09-28", "2026-09-29", "2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10",
                    "2026-10-11"]
    assert "国庆节" in skipped["reason_zh"].iloc[0]
    assert len(notes) == 1 and "chinesecalendar" in notes[0][0]   # says which holiday data was used
    p["visit_days"].update(skip_weekends=True, skip=["2026-09-29"])
    days, skipped, _ = schedule.visit_slots(p)
    # 10-10 is a make-up workday (not a weekend day off), 10-11 a Sunday
    assert sorted(set(days["date"].dt.date.astype(str))) == ["2026-09-28", "2026-09-30", "2026-10-08",
                                                              "2026-10-09", "2026-10-10"]
    p2 = plan(teams, start="2027-01-30", end="2027-02-02")
    p2["calendar"]["working_days"] = True
    _, _, notes = schedule.visit_slots(p2)
    assert notes and "2027" in notes[0][0] and "只按周末" in notes[0][0]   # 2027 not in any data: said so


def test_bad_team_config():
    from reliefplan.core.errors import ConfigError

    with pytest.raises(ConfigError, match="visits_per_slot"):
        schedule.build_schedule(plan([{"name": "一组", "areas": ["350602"]}]), people([]))
    with pytest.raises(ConfigError, match="6位"):
        schedule.build_schedule(plan([{"name": "一组", "areas": ["3506"], "visits_per_slot": 1}]), people([]))


AREAS = ["350602001", "350602002", "350603001", "350604001", "350604002", "350681001", ""]
CATS = ["tekun", "dibao", "dibao_edge", "orphan"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(AREAS), st.sampled_from(CATS)), max_size=80),
    vps=st.lists(st.integers(1, 4), min_size=2, max_size=2),
    n_days=st.integers(1, 3),
    order=st.sampled_from(["area", "priority"]),
)
def test_every_person_scheduled_once_or_listed(rows, vps, n_days, order):
    teams = [{"name": "甲组", "areas": ["350602", "350603"], "visits_per_slot": vps[0]},
             {"name": "乙组", "areas": ["350604"], "visits_per_slot": vps[1]}]
    p = plan(teams, end=str(T("2027-01-12") + pd.Timedelta(days=n_days - 1))[:10], order=order)
    reg = people([(f"k{k}", a, c) for k, a, c in rows])
    s = schedule.build_schedule(p, reg)
    expected = set(reg["person_key"])
    got = list(s.assigned["person_key"]) + list(s.unassigned["person_key"])
    assert sorted(got) == sorted(expected)                 # each person exactly once
    per_slot = s.assigned.groupby(["team", "date", "slot"]).size()
    limits = {"甲组": vps[0], "乙组": vps[1]}
    assert all(n <= limits[team] for (team, _, _), n in per_slot.items())
    assert s.assigned["date"].between(T("2027-01-12"), T("2027-01-12") + pd.Timedelta(days=n_days - 1)).all()
    summ = s.summary.set_index("team")
    for team, limit in limits.items():
        cap = limit * 2 * n_days
        assert summ.loc[team, "capacity"] == cap and summ.loc[team, "assigned"] <= cap
        full = s.unassigned[(s.unassigned["team"] == team)]
        if len(full):                                      # capacity reason only when the team is full
            assert set(full["reason"]) == {"capacity"} and summ.loc[team, "assigned"] == cap
            got_in = s.assigned[s.assigned["team"] == team]
            assert got_in["priority"].max() <= full["priority"].min()   # priority decides who is visited
    for row in s.unassigned.itertuples():
        if row.reason == "no_team":
            assert row.area_code[:6] not in ("350602", "350603", "350604")
        if row.reason == "no_area":
            assert row.area_code == ""
    if order == "area":                                    # a team finishes a township before moving on
        for _, g in s.assigned.groupby("team"):
            codes = list(g.sort_values(["date", "slot_no", "seq"])["township_code"])
            assert codes == sorted(codes)


def test_excel_workbook(tmp_path):
    p = plan([{"name": "第一慰问组", "areas": ["350602"], "visits_per_slot": 2},
              {"name": "第二/慰问组", "areas": ["350603"], "visits_per_slot": 2}])
    reg = people([("a", "350602001", "tekun"), ("b", "350603001", "dibao"), ("c", "350681001", "dibao")])
    reg.loc[0, "name"] = "张三丰"
    s = schedule.build_schedule(p, reg)
    areas = pd.DataFrame({"code": ["350602001"], "name": ["东铺头街道"]})
    out = schedule_tables.write_schedule_excel(s, tmp_path / "s.xlsx", areas=areas, demo=True,
                                              categories=load_categories(paths.demo_path("categories.csv")))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "第一慰问组", "第二_慰问组", "未安排"]
    ws = wb["第一慰问组"]
    assert "示例数据，人员均为虚构" in ws["A1"].value
    header = [c.value for c in ws[2]]
    assert header == ["序号", "日期", "星期", "时段", "乡镇(街道)", "姓名", "身份证号", "类别", "地址"]
    row = [c.value for c in ws[3]]
    assert row[3:8] == ["上午", "东铺头街道", "张*丰", "350602********0000", "特困供养人员"]
    assert ws.column_dimensions["I"].width > 8
    cells = {str(c.value) for sheet in wb for r in sheet.iter_rows() for c in r}
    assert not any(v in cells for v in reg["name"]) and not any(v in cells for v in reg["id_number"])
    assert [c.value for c in wb["未安排"][3]][-1] == "所在区划没有慰问组负责"
    assert not (tmp_path / "s.xlsx.part").exists()


# --- CLI ---------------------------------------------------------------------------------------------

def _id(i: int) -> str:
    first17 = f"35060219{70 + i % 20:02d}0101{i % 1000:03d}"
    return first17 + check_char(first17)


def _cli_plan(tmp_path, visits_per_slot, dibao_delivery="visit"):
    demo = yaml.safe_load(paths.demo_plan_path().read_text(encoding="utf-8"))
    demo["categories"]["dibao"]["delivery"] = dibao_delivery
    demo["data"] = {"registry": "registry.csv", "areas": str(paths.demo_path("areas.csv")),
                    "categories": str(paths.demo_path("categories.csv"))}
    demo["teams"] = [{"name": "一组", "leader": "甲", "members": ["民政局"], "areas": ["350602"],
                      "visits_per_slot": visits_per_slot}]
    demo["visit_days"] = {"start": "2027-01-12", "end": "2027-01-12", "slots": ["上午", "下午"]}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(demo, allow_unicode=True), encoding="utf-8")
    rows = ["姓名,身份证号,区划代码,困难类别,家庭住址"]
    rows += [f"张{'一二三四五六'[i]}明,{_id(i)},350602001,低保户,测试路{i}号" for i in range(6)]
    (tmp_path / "registry.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _run(*args):
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_cli_schedule_exit_codes(tmp_path):
    out = tmp_path / "out.xlsx"
    ok = _run("schedule", "--plan", str(_cli_plan(tmp_path, 3)), "--out", str(out))
    assert ok.returncode == 0, ok.stderr
    assert "已安排 scheduled 6" in ok.stdout and out.exists()
    short = _run("schedule", "--plan", str(_cli_plan(tmp_path, 2)), "--out", str(out))
    assert short.returncode == 1, short.stderr
    assert "未安排 not scheduled 2" in short.stdout and "名额已满" in short.stdout
    wb = openpyxl.load_workbook(out)
    assert wb["未安排"].max_row == 4          # title, header, two people
    # 低保 paid by transfer as in the demo plan: only the representative households are visited
    paid = _run("schedule", "--plan", str(_cli_plan(tmp_path, 2, "transfer")), "--out", str(out))
    assert paid.returncode == 0, paid.stderr
    assert "bank transfer: 6 人 people, 安排走访 to visit 2" in paid.stdout and "已安排 scheduled 2" in paid.stdout
    assert "发放方式" in openpyxl.load_workbook(out).sheetnames
    missing = _run("schedule", "--plan", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr


def test_restrict_to_one_unit_keeps_the_plan_wide_schedule():
    p = plan([{"name": "一组", "areas": ["350602", "350603"], "visits_per_slot": 1},
              {"name": "二组", "areas": ["350604"], "visits_per_slot": 1}], end="2027-01-12")
    reg = people([("a", "350602001", "tekun"), ("b", "350603001", "tekun"), ("c", "350603002", "dibao"),
                  ("d", "350604001", "dibao")])
    full = schedule.build_schedule(p, reg)
    unit = schedule.restrict(full, "350603")
    assert list(unit.teams["team"]) == ["一组"]
    assert list(unit.assigned["person_key"]) == ["b"]          # a took the team's other slot
    assert list(unit.unassigned["person_key"]) == ["c"]
    assert unit.assigned.equals(full.assigned[full.assigned["person_key"] == "b"].reset_index(drop=True))
    assert int(unit.summary["capacity"].iloc[0]) == 2         # the whole team's slots
