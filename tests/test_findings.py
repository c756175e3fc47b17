"""Each finding rule on small hand-made cases: when it speaks, what it counts, how findings rank."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
from reliefplan.reports import findings as fr


def _cats(rows):
    return pd.DataFrame(rows, columns=["category", "category_label", "priority", "eligible", "eligible_reached",
                                       "exclusion"])


def test_money_and_percent_wording():
    assert fr.money_text(40_045_215) == "40.05万元"
    assert fr.money_text(960_000) == "9,600.00元"
    assert fr.money_text(40_045_215, "en") == "400,452 yuan"
    assert fr.pct_text(11, 17) == "64.7%" and fr.pct_text(Fraction(1, 8)) == "12.5%" and fr.pct_text(0, 0) == "0.0%"


def test_lowest_coverage_names_the_top_priority_group_and_prices_the_missed():
    cats = _cats([("tekun", "特困供养人员", 1, 34, 22, 12), ("dibao", "低保户", 2, 191, 167, 24),
                  ("kongchao", "空巢老人", 5, 0, 0, 0)])
    f = fr.lowest_coverage_category(cats, year=2026, per_head_fen={"tekun": 80_000})
    assert f.severity == fr.HIGH and f.people == 12 and f.money_fen == 960_000 and f.section == "coverage"
    assert "优先级最高的特困供养人员覆盖率最低" in f.zh and "64.7%" in f.zh and "9,600.00元" in f.zh
    assert "highest-priority" in f.en


def test_lowest_coverage_is_quiet_when_every_group_is_close():
    cats = _cats([("a", "甲", 1, 100, 90, 10), ("b", "乙", 2, 100, 88, 12)])
    assert fr.lowest_coverage_category(cats, year=2026) is None
    low = _cats([("a", "甲", 1, 100, 95, 5), ("b", "乙", 2, 100, 60, 40)])
    f = fr.lowest_coverage_category(low, year=2026)
    assert f.severity == fr.MEDIUM and f.zh.startswith("乙覆盖率最低") and f.money_fen == 0


def test_missed_people_severity_follows_the_rate():
    assert fr.missed_people(100, 0, year=2026) is None
    high = fr.missed_people(550, 97, year=2026, still_eligible_last_year=52, money_fen=6_550_000)
    assert high.severity == fr.HIGH and "97人" in high.zh and "17.6%" in high.zh and "52人" in high.zh
    assert fr.missed_people(100, 5, year=2026).severity == fr.MEDIUM


def test_unsigned_and_not_eligible_name_people_and_money():
    u = fr.unsigned_visits(18, 1_195_000, year=2026)
    assert u.people == 18 and "1.20万元" in u.zh and "签收" in u.zh
    assert fr.unsigned_visits(0, 0, year=2026) is None
    n = fr.reached_not_eligible(11, 570_000, year=2026)
    assert n.people == 11 and "5,700.00元" in n.zh
    assert fr.reached_not_eligible(0, 0, year=2026) is None


def test_lowest_area_needs_two_areas_and_a_margin():
    one = pd.DataFrame({"name": ["甲镇"], "eligible": [10], "eligible_reached": [5], "exclusion": [5]})
    assert fr.lowest_area(one, name_col="name", year=2026) is None
    two = pd.DataFrame({"name": ["甲镇", "乙镇"], "eligible": [100, 100], "eligible_reached": [95, 70],
                        "exclusion": [5, 30]})
    f = fr.lowest_area(two, name_col="name", year=2026)
    assert "乙镇覆盖率最低（70.0%，全部为82.5%）" in f.zh and f.people == 30


def test_multi_listed_rises_with_people_over_the_cap():
    assert fr.multi_listed(0) is None
    assert fr.multi_listed(31).severity == fr.LOW
    f = fr.multi_listed(31, 2, 80_000)
    assert f.severity == fr.MEDIUM and "2人超过每人全年上限" in f.zh and "800.00元" in f.zh


def test_funding_gap_against_funding_and_cap_with_a_unit_share():
    assert fr.funding_gap(100, 100, 100) is None
    f = fr.funding_gap(370_080_030, 355_000_000, 330_000_000, scope_total_fen=40_045_215, scope_name="芗城区")
    assert f.money_fen == 40_080_030 and "多15.08万元" in f.zh and "超出预算上限330.00万元共40.08万元" in f.zh
    assert "芗城区40.05万元（占10.8%）" in f.zh
    assert fr.funding_gap(10, 20, None) is None


def test_cap_shortfall_lists_groups_with_nothing_and_in_part():
    df = pd.DataFrame({"category_label": ["低保户", "空巢老人", "残疾人"], "eligible_recipients": [10, 5, 4],
                       "covered_recipients": [10, 0, 2], "need_fen": [1000, 500, 400], "covered_fen": [1000, 0, 200]})
    f = fr.cap_shortfall(df, 1_000_000)
    assert f.people == 7 and f.money_fen == 700
    assert "1个类别（空巢老人）分不到慰问金品" in f.zh and "残疾人只覆盖一部分" in f.zh
    full = df.assign(covered_recipients=df["eligible_recipients"], covered_fen=df["need_fen"])
    assert fr.cap_shortfall(full, 1_000_000) is None and fr.cap_shortfall(df, None) is None


def test_change_vs_last_year_up_and_down():
    up = fr.change_vs_last_year(2026, 1000_00, 2027, 1200_00)
    assert up.severity == fr.MEDIUM and "增加200.00元（20.0%）" in up.zh
    down = fr.change_vs_last_year(2026, 1000_00, 2027, 950_00)
    assert down.severity == fr.LOW and "减少50.00元（5.0%）" in down.zh and "down" in down.en
    assert fr.change_vs_last_year(None, None, 2027, 1) is None


def test_timeline_issues_counts_errors_and_warnings_only():
    df = pd.DataFrame({"severity": ["info", "warning"], "message_zh": ["提示", "总结阶段晚于截止日期"],
                       "message_en": ["note", "summary after due date"]})
    f = fr.timeline_issues(df)
    assert f.severity == fr.MEDIUM and f.zh == "时间安排检查有1个警告：总结阶段晚于截止日期。"
    assert fr.timeline_issues(df.iloc[:1]) is None
    err = pd.concat([df, pd.DataFrame({"severity": ["error"], "message_zh": ["除夕不存在"], "message_en": ["x"]})])
    assert fr.timeline_issues(err).severity == fr.HIGH and "1个错误、1个警告：例如：除夕不存在" in fr.timeline_issues(err).zh


def test_history_rules():
    by_year = pd.DataFrame({"year": [2024, 2025, 2026], "total_fen": [100_000_00, 120_000_00, 121_000_00]})
    f = fr.spending_trend(by_year)
    assert "2024—2026年" in f.zh and "变化最大的是2025年（+20.0%）" in f.zh and f.severity == fr.MEDIUM
    assert fr.spending_trend(by_year.iloc[:1]) is None
    fc = fr.households_forecast(2027, 621, 2026, 575, 3.06)
    assert "621户" in fc.zh and "增加46户（8.0%）" in fc.zh and "3.06" in fc.zh and fc.severity == fr.LOW
    assert fr.stated_total_mismatches(0) is None
    assert "历年记录4处" in fr.stated_total_mismatches(8, {"历年记录": 4, "案例库": 4}).zh


def test_largest_cost_share():
    df = pd.DataFrame({"category_label": ["低保户", "孤儿"], "gifts_fen": [300, 100], "recipients": [3, 1]})
    f = fr.largest_cost_share(df)
    assert f.zh.startswith("低保户") and "75.0%" in f.zh


def test_rank_orders_by_severity_then_money_then_people():
    a = fr.Finding("a", fr.LOW, 100, 10**9, "", "a", "a")
    b = fr.Finding("b", fr.HIGH, 1, 1, "", "b", "b")
    c = fr.Finding("c", fr.HIGH, 5, 1, "", "c", "c")
    d = fr.Finding("d", fr.HIGH, 1, 50, "", "d", "d")
    assert [f.rule for f in fr.rank([a, None, b, c, d])] == ["d", "c", "b", "a"]


def test_pool_shortfall_names_the_source_its_groups_and_people_once():
    pools = pd.DataFrame({"source": ["工会经费", "民政救助资金", "预算上限"], "source_en": ["Union funds", "", "cap"],
                          "amount_fen": [300_000_00, 1_000_000_00, 0],
                          "need_in_pool_fen": [340_000_00, 900_000_00, 5_00],
                          "short_fen": [40_000_00, 0, 5_00]})
    short = pd.DataFrame({"pool": ["工会经费"] * 3, "county_code": ["350602", "350602", "350603"],
                          "category": ["hardship_worker"] * 3, "part": ["cash", "goods", "cash"],
                          "recipients": [30, 30, 10], "short_fen": [30_000_00, 6_000_00, 4_000_00]})
    f = fr.pool_shortfall(pools, short, {"hardship_worker": "困难职工"})
    assert f.rule == "pool_shortfall" and f.severity == fr.HIGH
    assert f.people == 40 and f.money_fen == 40_000_00           # cash and goods short: one recipient, once
    assert "工会经费可用30.00万元、需34.00万元，缺口4.00万元，困难职工共40户(人)次少发或未发" in f.zh
    assert "民政救助资金" not in f.zh and "预算上限" not in f.zh   # no gap there; the cap has its own rule
    assert "Union funds" in f.en and "cannot move between funding sources" in f.en
    assert fr.pool_shortfall(pools.assign(short_fen=0), short) is None
    assert fr.pool_shortfall(pd.DataFrame(), short) is None


def test_a_short_union_pool_is_a_finding_of_notebook_02():
    """The demo plan with too little 工会经费: 02's 摘要 says which source is short and whom it leaves out."""
    import copy

    from reliefplan.models import allocation, budget
    from reliefplan.reports.city_summary import budget_summary
    from reliefplan.views import app as whatif_app

    inputs = whatif_app.load_inputs(None)
    plan = copy.deepcopy(inputs.plan)
    union = next(f for f in plan["funding"] if f["source"] == "工会经费")
    union["amount"] = 100000
    result = budget.cost_model(plan, inputs.beneficiaries)
    alloc = allocation.allocate(plan, inputs.beneficiaries)
    section = budget_summary(result, alloc, names={"hardship_worker": "困难职工"})
    listed = next(b for b in section.blocks if hasattr(b, "findings")).findings
    found = [f for f in listed if f.rule == "pool_shortfall"]
    assert len(found) == 1 and found[0].zh.startswith("工会经费可用10.00万元")
    assert found[0].people > 0 and found[0].money_fen == int(alloc.extra["pools"].set_index("source")
                                                            .loc["工会经费", "short_fen"])


def test_multi_listed_says_what_the_plans_rule_does():
    assert "就高慰问一次" in fr.multi_listed(3, rule="highest_once").zh
    assert "每个填报单位各计一次" in fr.multi_listed(3, rule="pay_all").zh
    assert "不超过上限" in fr.multi_listed(3, rule="each_up_to_cap").zh
    assert "预算" not in fr.multi_listed(3).zh and "budget" not in fr.multi_listed(3).en


def test_the_planning_area_is_named_by_its_level():
    from reliefplan.core.areas import scope_word

    assert [scope_word(c) for c in ("350000", "350600", "350602")] == ["全省", "全市", "全县(市、区)"]
    assert scope_word("350000", "en") == "province-wide"
    f = fr.funding_gap(300, 200, None, area_word=("全省", "province-wide"))
    assert f.zh.startswith("按基准方案全省需") and "province-wide" in f.en
