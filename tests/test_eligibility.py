"""Eligibility rules on a small hand-built registry with hand-computed answers.

``small_world()`` is shared by the other coverage tests (duplicates,
continuity, gap lists, maps): a few people in two counties of 漳州 with
known incomes, ages and flags.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from reliefplan.models.eligibility import ages_on, assess, dibao_in_force
from reliefplan.core.lunar_dates import spring_festival as festival_date
from reliefplan.core.errors import ConfigError
from reliefplan.core.privacy import person_key

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


# 赵六: born 1962-02-07, on 2027-02-06 is 64; 1000 < 1.5 * 750 = 1125 -> eligible.
EXPECTED = [p[-1] for p in PEOPLE]
EXPECTED[3] = True


def test_festival_date_is_chunjie():
    assert festival_date(2027) == dt.date(2027, 2, 6)
    assert festival_date(2026) == dt.date(2026, 2, 17)


def test_assess_hand_computed():
    reg, plan, dibao, areas = small_world()
    out = assess(reg, plan, dibao, areas)
    assert list(out.index) == list(reg.index)
    assert out["eligible"].tolist() == EXPECTED
    assert out["dibao_fen"].tolist() == [80000, 70000, 70000, 75000, 65000, 65000, 80000, 80000, 75000, 75000, 80000]
    assert str(out["dibao_fen"].dtype) == "Int64"
    assert out.loc[0, "income_ratio"] == pytest.approx(700 / 800)
    assert np.isnan(out.loc[4, "income_ratio"])
    assert out.loc[4, "age"] == 16 and out.loc[5, "age"] == 18 and out.loc[0, "age"] == 77
    assert out.loc[1, "reason_zh"] == "人均收入不低于低保标准的1倍"
    assert out.loc[1, "reason_en"] == "income per head not below 1 x dibao"
    assert out.loc[5, "reason_en"] == "older than 17"
    assert out.loc[6, "reason_zh"] == "未登记为残疾"
    assert out.loc[9, "reason_en"] == "category not in plan"
    assert out.loc[10, "reason_en"] == "income not recorded"
    assert (out.loc[out["eligible"], "reason_zh"] == "").all()
    assert out["urban_rural"].tolist()[:2] == ["urban", "rural"]


def test_threshold_multiple_replaces_income_rules_only():
    reg, plan, dibao, areas = small_world()
    out = assess(reg, plan, dibao, areas, threshold_multiple=1.01)
    # 李四 700 < 1.01 * 700 now; 王小五 1000 >= 1.01 * 700 = 707 no longer
    assert out.loc[1, "eligible"] and not out.loc[2, "eligible"]
    assert out.loc[2, "reason_zh"] == "人均收入不低于低保标准的1.01倍"
    assert out.loc[4, "eligible"]  # orphan: no income rule, unaffected
    assert out.loc[8, "eligible"]  # no rules at all


def test_income_rule_is_exact_at_the_line():
    reg, plan, dibao, areas = small_world()
    reg.loc[2, "income_fen"] = 105000 - 1  # 1.5 x 700 yuan = 1050.00 yuan
    assert assess(reg, plan, dibao, areas).loc[2, "eligible"]
    reg.loc[2, "income_fen"] = 105000
    assert not assess(reg, plan, dibao, areas).loc[2, "eligible"]


def test_on_date_picks_the_standard_in_force():
    reg, plan, dibao, areas = small_world()
    out = assess(reg, plan, dibao, areas, on_date="2027-06-01")
    assert out.loc[0, "dibao_fen"] == 99900
    assert dibao_in_force(dibao, "2025-01-01").empty


def test_missing_dibao_standard_is_a_reason():
    reg, plan, dibao, areas = small_world()
    out = assess(reg, plan, dibao[dibao["county_code"] != "350622"], areas)
    assert pd.isna(out.loc[3, "dibao_fen"])
    assert out.loc[3, "reason_en"] == "no dibao standard for the county"
    assert out.loc[4, "eligible"]  # orphan needs no dibao


def test_ages_on_birthday_edges():
    born = pd.Series(pd.to_datetime(["2000-02-29", "2000-03-01", None]))
    ages = ages_on(born, "2027-02-28")
    assert ages.tolist()[:2] == [26, 26] and pd.isna(ages.iloc[2])
    assert ages_on(born, "2027-03-01").tolist()[:2] == [27, 27]


def test_bad_rules_raise_config_error():
    reg, plan, dibao, areas = small_world()
    bad = {"year": 2027, "categories": {"dibao": {"eligibility": {"income_below": 1}}}}
    with pytest.raises(ConfigError, match="income_below"):
        assess(reg, bad, dibao, areas)
    bad = {"year": 2027, "categories": {"disabled": {"eligibility": {"requires_flag": "blind"}}}}
    with pytest.raises(ConfigError, match="requires_flag"):
        assess(reg, bad, dibao, areas)
    with pytest.raises(ConfigError):
        assess(reg, plan, dibao, areas, threshold_multiple=-1)


def test_empty_registry():
    reg, plan, dibao, areas = small_world()
    out = assess(reg.iloc[0:0], plan, dibao, areas)
    assert out.empty and list(out.columns)[:6] == ["eligible", "dibao_fen", "income_ratio", "age",
                                                   "reason_zh", "reason_en"]


def test_large_registry_matches_row_by_row():
    """Vectorised rules on 200k rows give the same answers as the hand-checked rows (speed: not timed here)."""
    reg, plan, dibao, areas = small_world()
    picked = reg.sample(200_000, replace=True, random_state=1)
    origin = picked.index.to_numpy()
    big = picked.reset_index(drop=True)
    out = assess(big, plan, dibao, areas)
    assert len(out) == 200_000
    assert (out["eligible"].to_numpy() == np.asarray(EXPECTED)[origin]).all()
    small = assess(reg, plan, dibao, areas)
    assert (out["reason_en"].to_numpy() == small["reason_en"].to_numpy()[origin]).all()
