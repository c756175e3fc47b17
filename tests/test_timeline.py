"""Timeline: phases resolved for the campaign year, checks, responsibilities, Gantt chart.

Dates are hand-computed: campaign 2027 has 腊月廿六 = 2027-02-02, 除夕 =
2027-02-05 (腊月廿九), 正月初八 = 2027-02-13, 元宵 = 2027-02-20 (a Saturday).
"""

import copy
import datetime as dt

import pandas as pd
import pytest

from reliefplan.models import timeline
from reliefplan.reports.timeline_section import timeline_section
from reliefplan.core.lunar_dates import DateExpressionError
from reliefplan.core.paths import demo_path
from reliefplan.ingest.plan import load_plan
from reliefplan.views.timeline_charts import gantt_figure, load_figure, load_heatmap

T = pd.Timestamp


@pytest.fixture(scope="module")
def demo():
    return load_plan()


def small_plan(**changes):
    """A plan with four phases and no data files, for the checks."""
    plan = {
        "name": "测试方案", "year": 2027, "calendar": {"working_days": False},
        "phases": [
            {"name": "准备阶段", "name_en": "Preparation", "start": "2026-12-01", "end": "2026-12-20",
             "responsible": "民政局",
             "deliverables": [{"name": "附件3", "due": "2026-12-20", "to": "市民政局"}]},
            {"name": "宣传阶段", "name_en": "Publicity", "start": "2026-12-20", "end": "2027-01-10"},
            {"name": "慰问阶段", "name_en": "Visits", "start": "2027-01-10", "end": "腊月廿六",
             "deliverables": [{"name": "签收表", "due": "除夕-3天", "to": "市民政局"}]},
            {"name": "总结阶段", "name_en": "Summary", "start": "正月初八", "end": "元宵",
             "deliverables": [{"name": "活动总结", "due": "元宵", "to": "市人社局"}]},
        ],
        "visit_days": {"start": "2027-01-12", "end": "腊月廿六"},
        "teams": [{"name": "一组", "areas": ["350602"], "visits_per_slot": 2}],
    }
    plan.update(changes)
    return plan


def checks(findings, severity=None):
    f = findings if severity is None else findings[findings["severity"] == severity]
    return list(f["check"])


def test_demo_phases_resolved(demo):
    ph = timeline.resolve_phases(demo).set_index("phase")
    assert list(ph.index) == ["准备阶段", "宣传阶段", "慰问阶段", "总结阶段"]
    assert ph.loc["准备阶段", "start"] == T("2026-12-01") and ph.loc["准备阶段", "end"] == T("2026-12-25")
    assert ph.loc["慰问阶段", "end"] == T("2027-02-01")
    assert ph.loc["慰问阶段", "end_lunar"] == "腊月廿五"
    assert ph.loc["慰问阶段", "end_expr"] == "腊月廿五"
    assert ph.loc["总结阶段", "start"] == T("2027-02-16")
    assert ph.loc["总结阶段", "end"] == T("2027-02-26")
    assert ph.loc["总结阶段", "days"] == 11
    assert ph.loc["准备阶段", "tasks"].startswith("调查摸底、")
    # phases in order: each starts after the one before ends
    assert (ph["start"].iloc[1:].to_numpy() > ph["end"].iloc[:-1].to_numpy()).all()


def test_demo_deliverables_fall_after_their_phase_on_working_days(demo):
    dl = timeline.resolve_deliverables(demo).set_index("deliverable")
    ph = timeline.resolve_phases(demo).set_index("phase")
    assert not dl["shifted"].any()
    assert dl.loc["附件3 慰问对象汇总表", "due"] == T("2026-12-30")       # after 准备阶段 ends 12-25
    assert dl.loc["附件3 慰问对象汇总表", "covered"]                       # 2026: official holiday data
    receipts = dl.loc["慰问金发放签收表"]
    assert receipts["due"] == T("2027-02-03")                               # 腊月廿七: two days before 除夕
    assert ph.loc["慰问阶段", "end"] < receipts["due"] < T("2027-02-05")
    assert not receipts["covered"]                                          # 2027: not in the official data
    assert dl.loc["各县(市、区)活动总结", "due"] == ph.loc["总结阶段", "end"]
    assert dl.loc["全市活动总结", "to"] == "省民政厅" and dl.loc["附件3 慰问对象汇总表", "to"] == "市民政局"


def test_deadline_on_a_day_off_moves_to_the_working_day_before(demo):
    plan = copy.deepcopy(demo)
    plan["phases"][0]["deliverables"][0]["due"] = "2026-12-20"   # a Sunday: moved to Friday 2026-12-18
    row = timeline.resolve_deliverables(plan).set_index("deliverable").loc["附件2 慰问对象登记表"]
    assert (row["due_written"], row["due"], row["shifted"], row["covered"]) == \
        (T("2026-12-20"), T("2026-12-18"), True, True)
    plan["phases"][3]["deliverables"][1]["due"] = "2027-03-06"   # a Saturday outside the official data
    late = timeline.resolve_deliverables(plan).set_index("deliverable").loc["全市活动总结"]
    assert late["due"] == T("2027-03-05") and "不在官方节假日数据范围" in late["shift_note_zh"]
    unshifted = timeline.resolve_deliverables(plan, mode=None).set_index("deliverable")
    assert unshifted.loc["全市活动总结", "due"] == T("2027-03-06")


def test_demo_findings(demo):
    f = timeline.check_timeline(demo)
    # nothing odd: no errors, no warnings (every deliverable falls due after its phase); only the data note
    assert checks(f, "error") == [] and checks(f, "warning") == []
    assert set(checks(f, "info")) == {"holiday_data"}          # which holiday data each year used
    assert list(f.columns) == ["severity", "check", "subject", "subject_en", "date", "message_zh", "message_en"]


def test_clean_plan_has_no_errors_or_warnings():
    f = timeline.check_timeline(small_plan())
    assert checks(f) == []


def test_phase_ends_before_it_starts():
    plan = small_plan()
    plan["phases"][1]["end"] = "2026-12-10"
    assert "phase_dates" in checks(timeline.check_timeline(plan), "error")


def test_phases_out_of_order_and_overlap():
    plan = small_plan()
    plan["phases"][1]["start"] = "2026-11-20"        # 宣传 before 准备 started
    assert "phase_order" in checks(timeline.check_timeline(plan), "error")
    plan = small_plan()
    plan["phases"][1]["start"] = "2026-12-15"        # starts while 准备 runs to 12-20
    f = timeline.check_timeline(plan)
    assert checks(f, "warning") == ["phase_overlap"] and checks(f, "error") == []


def test_list_due_after_visits_start_is_an_error():
    plan = small_plan()
    plan["phases"][0]["deliverables"][0]["due"] = "2027-01-10"   # the visit phase starts that day
    f = timeline.check_timeline(plan)
    assert checks(f, "error") == ["deliverable_before_use"]
    plan["phases"][0]["deliverables"][0]["due"] = "2027-01-09"
    assert "deliverable_before_use" not in checks(timeline.check_timeline(plan))


def test_feeds_names_the_phase_fed():
    plan = small_plan()
    plan["phases"][0]["deliverables"][0].update(due="2026-12-25", feeds="宣传阶段")
    assert checks(timeline.check_timeline(plan), "error") == ["deliverable_before_use"]
    plan["phases"][0]["deliverables"][0]["feeds"] = "不存在的阶段"
    assert checks(timeline.check_timeline(plan), "error") == ["deliverable_feeds"]


def test_visits_after_their_report_is_due():
    plan = small_plan()
    plan["visit_days"]["end"] = "腊月廿八"            # 2027-02-04, after 签收表 due 02-02
    plan["phases"][2]["end"] = "腊月廿八"
    f = timeline.check_timeline(plan)
    assert checks(f, "error") == ["after_report_due"]
    # an actual schedule ending earlier is what counts when given
    f = timeline.check_timeline(plan, last_visit=dt.date(2027, 2, 1))
    assert "after_report_due" not in checks(f, "error")
    assert "after_report_due" in checks(f, "warning")   # the phase itself still runs past the due date


def test_visit_days_outside_visit_phase_and_team_overlap():
    plan = small_plan()
    plan["visit_days"]["start"] = "2027-01-05"
    plan["teams"].append({"name": "二组", "areas": ["350602"], "visits_per_slot": 2})
    f = timeline.check_timeline(plan)
    assert sorted(checks(f, "warning")) == ["team_areas", "visit_days"]


def test_bad_date_names_the_field():
    plan = small_plan()
    plan["_path"] = "plan.yaml"
    plan["phases"][3]["end"] = "腊月三十"             # 2027's 腊月 has 29 days
    with pytest.raises(DateExpressionError) as info:
        timeline.resolve_phases(plan)
    assert info.value.column == "phases[3].end" and info.value.file == "plan.yaml"


def test_responsibility_matrix(demo):
    m = timeline.responsibility_matrix(demo)
    assert m.shape == (8, 12)
    assert m.loc["调查摸底、核定名单、张榜公示", "市民政局社会救助科"] == "牵头"
    assert m.loc["宣传报道", "市民政局办公室"] == "牵头"
    assert m.loc["宣传报道", "市总工会"] == ""
    # only units the organizers can task: no 市委宣传部, 市财政局 or 市纪委监委
    assert not {"市委宣传部", "市财政局", "市纪委监委"} & set(m.columns)
    assert m.index.name == "工作任务"
    en = timeline.responsibility_matrix(demo, "en")
    assert en.loc["资金申请与拨付", "市民政局规划财务科"] == "lead" and en.index.name == "Task"
    fallback = timeline.responsibility_matrix(small_plan())
    assert fallback.loc["准备阶段", "民政局"] == "负责"


def test_timeline_section(demo):
    sec = timeline_section(demo, "zh")
    assert {"title", "phases", "deliverables", "festivals", "findings", "responsibilities", "gantt", "notes",
            "counts", "raw"} <= set(sec)
    assert sec["counts"]["error"] == 0 and sec["counts"]["warning"] == 0 and sec["counts"]["info"] >= 1
    assert list(sec["phases"].columns)[:2] == ["阶段", "开始日期"]
    assert any("2027年" in n and "只按周末" in n for n in sec["notes"])       # no 2027 data: said so
    assert any("2026年" in n and "chinesecalendar" in n for n in sec["notes"])  # 2026 from the package
    assert "schedule_summary" not in sec
    en = timeline_section(demo, "en")
    assert en["title"] == "Campaign timeline" and list(en["phases"]["Phase"]) == \
        ["Preparation", "Publicity", "Visits", "Summary"]


def test_gantt_marks_festivals_and_deadlines(demo):
    phases = timeline.resolve_phases(demo)
    dl = timeline.resolve_deliverables(demo)
    fest = timeline.festival_markers(demo)
    fig = gantt_figure(phases, dl, fest, "zh", visit_window=timeline.visit_window(demo))
    texts = " ".join(a.text for a in fig.layout.annotations)
    for name in ("小年", "除夕", "春节", "元宵"):
        assert name in texts
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 4 + dl["due"].nunique()
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 4
    markers = [t for t in fig.data if t.type == "scatter"]
    assert len(markers[0].x) == len(dl)
    assert int(dl["shifted"].sum()) == 0 and len(markers) == 1      # no demo deadline falls on a day off
    assert "2027年春节" in fig.layout.title.text
    en = gantt_figure(phases, dl, fest, "en")
    assert "Spring Festival" in en.layout.title.text
    assert "New Year's Eve" in " ".join(a.text for a in en.layout.annotations)


def test_load_charts_handle_empty():
    empty = pd.DataFrame(columns=["team", "date", "visits", "capacity"])
    assert load_figure(empty).layout.annotations[0].text == "没有走访安排"
    assert load_heatmap(empty, "en").layout.title.text.startswith("Share")


def test_plan_is_not_modified(demo):
    before = copy.deepcopy({k: v for k, v in demo.items() if not k.startswith("_")})
    timeline_section(demo)
    assert {k: v for k, v in demo.items() if not k.startswith("_")} == before


def test_timeline_section_with_schedule_for_one_unit():
    from reliefplan.models.schedule import build_schedule

    plan = small_plan(categories={"tekun": {}})
    plan["_files"] = {"categories": demo_path("categories.csv")}   # the demo categories, named
    plan["teams"] = [{"name": "一组", "areas": ["350602", "350603"], "visits_per_slot": 1}]
    reg = pd.DataFrame({"person_key": ["a", "b", "c"], "area_code": ["350602001", "350603001", "350681001"],
                        "category": "tekun", "name": ["张三丰", "李四", "王五"],
                        "id_number": ["350602199001011234", "350603199001011234", "350681199001011234"]})
    sched = build_schedule(plan, reg)
    sec = timeline_section(plan, "zh", schedule=sched, unit="350603")
    assert {"schedule_summary", "unassigned", "load", "load_heatmap"} <= set(sec)
    assert sec["raw"]["schedule"].assigned["person_key"].tolist() == ["b"]
    assert sec["unassigned"].empty                       # c is outside the unit
    whole = timeline_section(plan, "en", registry=reg)
    assert whole["unassigned"]["Name"].tolist() == ["王*"]   # masked
    assert whole["load"].layout.title.text == "Visits per team per day"


def test_minimal_plan_without_phases_or_teams():
    sec = timeline_section({"name": "x", "year": 2027}, "zh")
    assert sec["phases"].empty and sec["findings"].empty and sec["responsibilities"].empty
    assert sec["counts"] == {"error": 0, "warning": 0, "info": 0}
