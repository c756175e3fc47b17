"""A planner's holiday table for a year chinesecalendar does not cover (2027 with 1.11.0).

The 2027 table used here is TEST DATA (a plausible 春节 break around 除夕
2027-02-05), not the State Council notice: the project ships no 2027 table.
"""

import datetime as dt
import re
import subprocess
import sys

import chinese_calendar
import pytest
import yaml

from reliefplan.core import paths, workdays
from reliefplan.core.errors import ConfigError
from reliefplan.core.holiday_tables import parse_tables
from reliefplan.ingest.holidays import load_holiday_file
from reliefplan.ingest.plan import load_plan
from reliefplan.models import schedule, timeline

D = dt.date
TABLE_2027 = {2027: {
    "source": "测试用放假表(非官方)",
    "holidays": [{"name": "春节", "start": "2027-02-05", "end": "2027-02-13"}],
    "makeup_workdays": [{"name": "春节", "date": "2027-01-31"}, {"name": "春节", "date": "2027-02-20"}],
}}


def plan(**calendar):
    return {
        "name": "测试", "year": 2027, "calendar": {"working_days": True, **calendar},
        "phases": [
            {"name": "慰问阶段", "start": "2027-01-20", "end": "腊月廿六",
             "deliverables": [{"name": "签收表", "due": "正月初三", "to": "民政局"},
                              {"name": "名单", "due": "2027-01-31", "to": "民政局"}]},
        ],
        "visit_days": {"start": "2027-02-03", "end": "2027-02-08"},
        "teams": [{"name": "一组", "areas": ["350602"], "visits_per_slot": 1}],
    }


def test_user_table_moves_a_2027_deadline_off_the_spring_festival_break():
    assert workdays.covered_years()[1] < 2027 or pytest.skip("chinesecalendar now covers 2027")
    # Without a table: 正月初三 (Monday 2027-02-08) looks like a working day, and we say so.
    bare = timeline.resolve_deliverables(plan()).set_index("deliverable")
    assert bare.loc["签收表", "due"].date() == D(2027, 2, 8) and not bare.loc["签收表", "covered"]
    assert bare.loc["签收表", "holiday_source"] == "none"
    # Sunday 2027-01-31 moves to Friday 01-29 by weekends alone.
    assert bare.loc["名单", "due"].date() == D(2027, 1, 29)

    dl = timeline.resolve_deliverables(plan(holidays=TABLE_2027)).set_index("deliverable")
    row = dl.loc["签收表"]
    assert row["due"].date() == D(2027, 2, 4) and row["shifted"] and row["covered"]
    assert row["holiday_source"] == "table" and "春节" in row["shift_note_zh"]
    assert dl.loc["名单", "due"].date() == D(2027, 1, 31)  # a make-up workday in the table: stays

    findings = timeline.check_timeline(plan(holidays=TABLE_2027))
    notes = findings[findings["check"] == "holiday_data"]["message_zh"].tolist()
    assert notes == ["2027年法定节假日和调休按用户提供的放假安排表(测试用放假表(非官方); 出自 calendar.holidays.2027)"]


def test_visit_schedule_skips_the_table_holidays():
    days, skipped, notes = schedule.visit_slots(plan(holidays=TABLE_2027))
    assert sorted(set(days["date"].dt.date)) == [D(2027, 2, 3), D(2027, 2, 4)]
    assert len(skipped) == 4 and skipped["reason_zh"].str.contains("春节").all()
    assert "用户提供的放假安排表" in notes[0][0]


def test_file_table_and_plan_table_precedence(tmp_path):
    (tmp_path / "holidays.yaml").write_text(yaml.safe_dump(
        {"years": {2027: {**TABLE_2027[2027], "source": "共享文件"}}}, allow_unicode=True), encoding="utf-8")
    cats = paths.demo_path("categories.csv")   # the demo categories, named
    text = (f"name: t\nyear: 2027\ndata: {{holidays: holidays.yaml, categories: '{cats}'}}\n"
            f"categories: {{dibao: {{per: household, cash: 500}}}}\ncalendar: {{working_days: true}}\n")
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    loaded = load_plan(tmp_path / "plan.yaml")
    cal = workdays.calendar_from_plan(loaded)
    assert cal.source_of(2027) == "table" and cal.tables[2027].source == "共享文件"
    assert cal.source_of(2026) == "package" and cal.source_of(2028) == "none"
    assert workdays.shift_deadline(D(2027, 2, 8), "all", cal).date == D(2027, 2, 4)
    loaded["calendar"]["holidays"] = {2027: {**TABLE_2027[2027], "source": "方案自带"}}
    assert workdays.calendar_from_plan(loaded).tables[2027].source == "方案自带"


def test_shipped_template_loads_and_its_2026_example_matches_the_official_data():
    path = paths.demo_path("holidays.yaml")
    assert load_holiday_file(path) == {}          # no 2027 table is shipped (not published to us)
    text = path.read_text(encoding="utf-8")
    block = text.split("#   years:\n", 1)[1].split("# (The 2026", 1)[0]
    example = yaml.safe_load(re.sub(r"^#   ", "", block, flags=re.M))
    table = parse_tables(example)[2026]
    official = {d for d in chinese_calendar.holidays if d.year == 2026}
    assert set(table.holidays) == official
    assert set(table.workdays) == {d for d in chinese_calendar.workdays if d.year == 2026}


@pytest.mark.parametrize("change, field", [
    ({"source": ""}, "calendar.holidays.2027.source"),
    ({"holidays": [{"name": "春节", "start": "2027-02-13", "end": "2027-02-05"}]}, "calendar.holidays.2027.holidays[0]"),
    ({"holidays": [{"name": "春节", "date": "2027-02-30"}]}, "calendar.holidays.2027.holidays[0].date"),
    ({"makeup_workdays": [{"name": "春节", "date": "2027-02-06"}]}, "calendar.holidays.2027.makeup_workdays[0]"),
    ({"holiday": []}, "calendar.holidays.2027.holiday"),
])
def test_bad_tables_name_the_field(change, field):
    bad = {2027: {**TABLE_2027[2027], **change}}
    with pytest.raises(ConfigError) as err:
        workdays.calendar_from_plan(plan(holidays=bad))
    assert err.value.column == field


def test_cli_calendar_uses_the_plan_table(tmp_path):
    (tmp_path / "plan.yaml").write_text(
        f"name: t\nyear: 2027\ndata: {{categories: '{paths.demo_path('categories.csv')}'}}\n"
        "categories: {dibao: {per: household, cash: 500}}\n"
        "calendar:\n  working_days: true\n  holidays:\n" + "\n".join(
            "    " + line for line in yaml.safe_dump(TABLE_2027, allow_unicode=True).splitlines()) + "\n",
        encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "reliefplan", "calendar", "2027", "正月初三", "--deadline",
                        "--plan", str(tmp_path / "plan.yaml")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "2027-02-04" in r.stdout and "用户提供的放假安排表" in r.stdout
