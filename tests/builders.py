"""Hand-built worlds the test modules share (test modules never import one another).

- :func:`small_world`: a few people in two counties of 漳州 with known incomes, ages
  and flags, and the plan, 低保 standards and areas to assess them (eligibility tests).
- :func:`coverage_world` / :func:`status_2026`: that registry with hand-counted visits
  (coverage, duplicates, continuity, gap lists, maps, per-person payments):

  - person 0 (张三丰, eligible 低保) listed twice (民政 + 工会), visited and signed by both in 2026;
  - person 2 eligible, signed; person 3 eligible, visited without signature;
  - person 1 not eligible but signed (inclusion); one unregistered person signed (inclusion);
  - 2025: persons 8, 5, 9 and an unregistered person reached; person 9 died in 2026.
- :data:`SCHOOL_PLAN` / :data:`SCHOOL_CATEGORIES`: 篇7 杨柳初中's plan as written (budget tests).
- :func:`small_history`: six campaign records, 2022-2024 (campaigns and forecast tests).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reliefplan.core.paths import demo_path
from reliefplan.core.privacy import person_key
from reliefplan.models import coverage
from reliefplan.models.eligibility import assess

# ---------------------------------------------------------------- eligibility: small_world

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(area6: str, birth: str, seq: int) -> str:
    """A checksum-valid 18-char ID number: area, birth date YYYYMMDD, 3-digit sequence."""
    body = f"{area6}{birth}{seq:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]
    return body + check


AREAS = pd.DataFrame({
    "code": ["350600", "350602", "350602001", "350602100", "350622", "350622101", "350622102"],
    "name": ["漳州市", "芗城区", "石亭镇", "浦南镇", "云霄县", "云陵镇", "莆美镇"],
    "name_en": ["Zhangzhou", "Xiangcheng", "Shiting", "Punan", "Yunxiao", "Yunling", "Pumei"],
    "parent_code": ["", "350600", "350602", "350602", "350600", "350622", "350622"],
    "level": ["city", "county", "township", "township", "county", "township", "township"],
    "urban_rural": ["urban", "urban", "urban", "rural", "rural", "urban", "rural"],
})

DIBAO = pd.DataFrame({
    "county_code": ["350602", "350602", "350602", "350622", "350622"],
    "urban_rural": ["urban", "rural", "urban", "urban", "rural"],
    "effective_date": pd.to_datetime(["2025-07-01", "2025-07-01", "2027-03-01", "2025-07-01", "2025-07-01"]),
    "monthly_fen": np.array([80000, 70000, 99900, 75000, 65000], dtype="int64"),
})

PLAN = {
    "year": 2027,
    "_files": {"categories": demo_path("categories.csv")},   # the demo categories, named (budgets need them)
    "categories": {
        "dibao": {"eligibility": {"income_below_dibao": 1.0}},
        "dibao_edge": {"eligibility": {"income_below_dibao": 1.5}},
        "gugua_elder": {"eligibility": {"min_age": 60, "income_below_dibao": 1.5}},
        "orphan": {"eligibility": {"max_age": 17}},
        "disabled": {"eligibility": {"requires_flag": "disabled", "income_below_dibao": 2.0}},
        "hardship_worker": {},
    },
    "per_person_cap": 1000,
}

# name, area, birth, category, income yuan (None = blank), disabled, organizer, expected eligible
PEOPLE = [
    ("张三丰", "350602001", "19500101", "dibao", 700, False, "民政", True),      # 700 < 800 urban
    ("李四", "350602100", "19700101", "dibao", 700, False, "民政", False),       # 700 = 700 rural: not below
    ("王小五", "350602100", "19800101", "dibao_edge", 1000, False, "工会", True),  # 1000 < 1050
    ("赵六", "350622101", "19620207", "gugua_elder", 1000, False, "民政", False),  # age 64 ok; 1000 < 1125 ok -> True? see below
    ("钱七", "350622102", "20100301", "orphan", None, False, "民政", True),      # age 16
    ("孙八", "350622102", "20090206", "orphan", None, False, "学校", False),      # turns 18 on 2027-02-06
    ("周九", "350602001", "19750505", "disabled", 1500, False, "残联", False),    # not flagged
    ("吴十", "350602001", "19750505", "disabled", 1500, True, "残联", True),      # 1500 < 1600
    ("郑十一", "350622101", "19880808", "hardship_worker", 5000, False, "工会", True),  # no rules
    ("冯十二", "350622101", "19880808", "model_worker", 100, False, "工会", False),     # not in plan
    ("陈十三", "350602001", "19500101", "dibao", None, False, "社区", False),      # income blank
]


def small_world():
    """(registry, plan, dibao, areas) for the hand-computed tests."""
    rows = []
    for seq, (name, area, birth, cat, income, dis, org, _) in enumerate(PEOPLE, start=1):
        idn = make_id(area[:6], birth, seq)
        rows.append({
            "name": name, "id_number": idn, "person_key": person_key(idn),
            "gender": "男", "birth_date": pd.Timestamp(birth), "area_code": area,
            "county_code": area[:6], "category": cat, "household_size": 2,
            "income_fen": None if income is None else income * 100, "phone": "13812345678",
            "organizer": org, "address": "", "disabled": dis, "seriously_ill": False,
            "diagnosis": "", "note": "", "source_file": "t.csv", "source_row": seq + 1,
        })
    reg = pd.DataFrame(rows)
    reg["income_fen"] = reg["income_fen"].astype("Int64")
    reg["household_size"] = reg["household_size"].astype("Int64")
    return reg, PLAN, DIBAO, AREAS


# ---------------------------------------------------------------- coverage: coverage_world

OUTSIDER = make_id("350622", "19600101", 901)
GONE = make_id("350622", "19600101", 902)


def _visit(year, idn, name, area, org, cat, cash, goods, signed):
    return {"campaign_year": year, "id_number": idn, "name": name, "area_code": area, "organizer": org,
            "category": cat, "visit_date": pd.Timestamp(f"{year}-01-20"), "team": "一组",
            "cash_fen": cash * 100, "goods_fen": goods * 100, "signed": signed}


def coverage_world():
    reg, plan, dibao, areas = small_world()
    dup = reg.iloc[[0]].copy()
    dup["organizer"], dup["category"], dup["source_row"] = "工会", "hardship_worker", 99
    reg = pd.concat([reg, dup], ignore_index=True)
    ids = reg["id_number"]
    visits = pd.DataFrame([
        _visit(2026, ids[0], "张三丰", "350602001", "民政", "dibao", 500, 200, True),
        _visit(2026, ids[0], "张三丰", "350602001", "工会", "hardship_worker", 1000, 200, True),
        _visit(2026, ids[2], "王小五", "350602100", "工会", "dibao_edge", 300, 100, True),
        _visit(2026, ids[3], "赵六", "350622101", "民政", "gugua_elder", 650, 150, False),
        _visit(2026, ids[1], "李四", "350602100", "民政", "dibao", 500, 200, True),
        _visit(2026, OUTSIDER, "外人甲", "350622101", "社区", "dibao", 500, 0, True),
        _visit(2025, ids[8], "郑十一", "350622101", "工会", "hardship_worker", 1000, 200, True),
        _visit(2025, ids[5], "孙八", "350622102", "学校", "orphan", 1000, 0, True),
        _visit(2025, ids[9], "冯十二", "350622101", "工会", "model_worker", 1000, 200, True),
        _visit(2025, GONE, "离开乙", "350622102", "民政", "dibao", 500, 200, True),
        _visit(2025, ids[0], "张三丰", "350602001", "民政", "dibao", 500, 200, True),
    ])
    changes = pd.DataFrame({"id_number": [ids[9]], "year": [2026], "reason": ["died"], "note": ["2026年3月病故"]})
    return reg, plan, dibao, areas, visits, changes


PRIORITY = {"tekun": 1, "dibao": 2, "orphan": 2, "dibao_edge": 3, "gugua_elder": 3, "disabled": 4,
            "hardship_worker": 4, "model_worker": 5}


def status_2026(planned=None):
    reg, plan, dibao, areas, visits, changes = coverage_world()
    elig = assess(reg, plan, dibao, areas)
    return coverage.person_status(reg, elig, visits, year=2026, planned=planned, priority=PRIORITY), reg


# ---------------------------------------------------------------- budget: 篇7 杨柳初中

SCHOOL_CATEGORIES = """code,zh,en,priority,unit,aliases
retired_teacher,退休教师,Retired teacher,3,person,
hardship_worker,困难职工,Worker in hardship,2,person,
serious_illness,生重大病教师,Seriously ill teacher,1,person,
hardship_retired_teacher,困难退休教师,Retired teacher in hardship,2,person,
"""

# 篇7 杨柳初中: each line as written, and its overheads (伙食费 80, 燃油费 80, 香烟 60).
SCHOOL_PLAN = {
    "name": "杨柳初中元旦春节慰问活动方案 (篇7)",
    "year": 2027,
    "data": {"categories": "categories.csv"},
    "categories": {
        "retired_teacher": {"per": "person", "cash": 0, "goods": 100},
        "hardship_worker": {"per": "person", "cash": 100, "goods": 50},
        "serious_illness": {"per": "person", "cash": 400, "goods": 50},
        "hardship_retired_teacher": {"per": "person", "cash": 200, "goods": 50},
    },
    "overheads": [
        {"item": "伙食费补助", "basis": "per_team_day", "amount": 80, "teams": 1, "days": 1},
        {"item": "车辆燃油费补助", "basis": "per_team_day", "amount": 80, "teams": 1, "days": 1},
        {"item": "香烟", "basis": "fixed", "amount": 60},
    ],
    "contingency_pct": 0,
}


# ---------------------------------------------------------------- campaigns: small_history

def small_history():
    """Six records, 2022-2024, two counties (one given by a township code)."""
    return pd.DataFrame({
        "year": [2022, 2022, 2023, 2023, 2024, 2024],
        "organizer": ["民政局", "总工会", "民政局", "民政局", "民政局", "总工会"],
        "area_code": ["350602001", "350603", "350602", "350603", "350602", "350603"],
        "category": ["dibao", "hardship_worker", "dibao", "dibao", "dibao", "hardship_worker"],
        "funding_source": ["财政", "工会经费", "财政", "财政", "财政", "工会经费"],
        "households": [10, 4, 12, 3, 9, 5],
        "persons": [25, 4, 30, 7, 22, 5],
        "cash_fen": [500000, 400000, 600000, 150000, 450000, 500000],
        "goods_fen": [200000, 0, 240000, 60000, 180000, 50001],
        "overhead_fen": [10000, 0, 12000, 3000, 9000, 1],
        "stated_total_fen": pd.array([710000, None, 852000, 213000, 639000, 550002], dtype="Int64"),
    })
