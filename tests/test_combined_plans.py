"""Two plans for one city (民政局's and 总工会's) side by side and combined, worked by hand."""

from __future__ import annotations

import pandas as pd

from reliefplan.core.paths import demo_path
from reliefplan.models import combined

DEMO_FILES = {"categories": demo_path("categories.csv")}   # the demo categories, named
MINZHENG = {"name": "民政局方案", "year": 2027, "_files": DEMO_FILES,
            "categories": {"dibao": {"per": "household", "cash": 500, "goods": 200}}}
UNION = {"name": "总工会方案", "year": 2027, "_files": DEMO_FILES,
         "categories": {"hardship_worker": {"per": "household", "cash": 1000, "goods": 200}}}


def rows(category, keys, organizer):
    n = len(keys)
    return pd.DataFrame({
        "county_code": ["350602"] * n, "category": [category] * n, "dibao_fen": [80000] * n,
        "households": [1] * n, "persons": [2] * n, "income_fen": pd.array([50000] * n, dtype="Int64"),
        "household_size": pd.array([2] * n, dtype="Int64"), "divisible": [False] * n,
        "person_key": keys, "organizer": [organizer] * n})


def test_a_person_both_plans_list_is_paid_once_by_the_plan_paying_more():
    out = combined.combine([MINZHENG, UNION], [rows("dibao", ["甲", "乙"], "民政局"),
                                               rows("hardship_worker", ["甲", "丙"], "总工会")])
    t = out.table.set_index("plan")
    assert t.loc["民政局方案", ["total_fen", "shared_people", "dropped_fen", "combined_total_fen"]].tolist() == \
        [140000, 1, 70000, 70000]
    assert t.loc["总工会方案", ["total_fen", "dropped_fen", "combined_total_fen"]].tolist() == [240000, 0, 240000]
    assert t.loc["合计", ["total_fen", "shared_people", "dropped_fen", "combined_total_fen"]].tolist() == \
        [380000, 1, 70000, 310000]
    kept = out.payments.set_index(["person_key", "plan"])["kept"]
    assert not kept[("甲", "民政局方案")] and kept[("甲", "总工会方案")]


def test_plans_that_allow_it_pay_both():
    allow = [{**MINZHENG, "cross_plan_rule": "pay_all"}, {**UNION, "cross_plan_rule": "pay_all"}]
    out = combined.combine(allow, [rows("dibao", ["甲"], "民政局"), rows("hardship_worker", ["甲"], "总工会")])
    assert out.table.set_index("plan").loc["合计", ["dropped_fen", "combined_total_fen"]].tolist() == [0, 190000]
    # one plan alone cannot allow it
    one = combined.combine([allow[0], UNION], [rows("dibao", ["甲"], "民政局"), rows("hardship_worker", ["甲"], "总工会")])
    assert one.table.set_index("plan").loc["合计", "dropped_fen"] == 70000
