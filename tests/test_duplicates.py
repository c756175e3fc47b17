"""Duplicates across organizers and the per-person cap, on the coverage test world."""

from __future__ import annotations

import pandas as pd

from builders import coverage_world

from reliefplan.models import multi_listed as dup
from reliefplan.core.paths import demo_path
def test_duplicates_who_how_often_how_much():
    reg, plan, dibao, areas, visits, changes = coverage_world()
    d = dup.duplicates(reg, visits, year=2026, cap_fen=100000)
    assert len(d) == 1
    row = d.iloc[0]
    assert row["id_number"] == reg["id_number"][0]
    assert row["listings"] == 2 and row["n_organizers"] == 2 and row["organizers_listed"] == "民政、工会"
    assert row["categories"] == "dibao、hardship_worker"
    assert row["n_visits"] == 2 and row["organizers_visited"] == "民政、工会"
    assert row["cash_fen"] == 150000 and row["goods_fen"] == 40000 and row["received_fen"] == 190000
    assert row["excess_fen"] == 90000
    assert d["received_fen"].dtype == "int64"


def test_visited_twice_by_one_organizer_is_a_duplicate():
    reg, plan, dibao, areas, visits, changes = coverage_world()
    extra = visits.iloc[[2]].copy()  # 王小五 visited again by 工会
    d = dup.duplicates(reg, pd.concat([visits, extra]), year=2026)
    wang = d.set_index("id_number").loc[reg["id_number"][2]]
    assert wang["listings"] == 1 and wang["n_visits"] == 2 and wang["received_fen"] == 80000
    assert wang["excess_fen"] == 0  # no cap


def test_cap_excess():
    reg, plan, dibao, areas, visits, changes = coverage_world()
    over = dup.cap_excess(visits, year=2026, cap_fen=100000)
    assert over["id_number"].tolist() == [reg["id_number"][0]]
    assert over["excess_fen"].tolist() == [90000] and over["cap_fen"].tolist() == [100000]
    assert dup.cap_excess(visits, year=2026, cap_fen=0).empty
    # a lower cap catches more people; excess is exact fen
    low = dup.cap_excess(visits, year=2026, cap_fen=50001)
    assert low.set_index("id_number")["excess_fen"].to_dict() == {
        reg["id_number"][0]: 139999, reg["id_number"][3]: 29999, reg["id_number"][1]: 19999}
    s = dup.summary(dup.duplicates(reg, visits, year=2026, cap_fen=50001), low)
    assert s == {"duplicate_people": 1, "listed_by_several": 1, "visited_several_times": 1,
                 "over_cap_people": 3, "excess_fen": 139999 + 29999 + 19999}


def test_masked_output_hides_names_and_ids():
    reg, plan, dibao, areas, visits, changes = coverage_world()
    m = dup.masked(dup.duplicates(reg, visits, year=2026))
    idn = reg["id_number"][0]
    assert m["id_number"].tolist() == [idn[:6] + "********" + idn[-4:]]
    assert m["name"].tolist() == ["张*丰"]
    text = m.to_csv()
    assert idn not in text and "张三丰" not in text


def test_no_duplicates():
    reg, plan, dibao, areas, visits, changes = coverage_world()
    d = dup.duplicates(reg.iloc[:5], visits.iloc[2:4], year=2026)
    assert d.empty and "excess_fen" in d.columns


def test_display_table_masked_yuan_and_names():
    from reliefplan.ingest.categories import load_categories

    reg, plan, dibao, areas, visits, changes = coverage_world()
    t = dup.display_table(dup.duplicates(reg, visits, year=2026, cap_fen=100000), areas=areas,
                          categories=load_categories(demo_path("categories.csv")))
    row = t.iloc[0]
    assert row["姓名"] == "张*丰" and row["区划名称"] == "石亭镇"
    assert row["累计领取(元)"] == "1,900.00" and row["超出上限(元)"] == "900.00"
    assert row["登记类别"] == "低保户、困难职工"
    en = dup.display_table(dup.cap_excess(visits, year=2026, cap_fen=100000), areas=areas, lang="en")
    assert en.iloc[0]["Area"] == "Shiting" and en.iloc[0]["Over the cap (yuan)"] == "900.00"
