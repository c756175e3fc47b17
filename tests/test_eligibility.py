"""Eligibility rules on a small hand-built registry with hand-computed answers.

The registry is ``builders.small_world()`` (shared with the coverage tests): a few
people in two counties of 漳州 with known incomes, ages and flags.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from builders import PEOPLE, small_world

from reliefplan.models.eligibility import ages_on, assess, dibao_in_force
from reliefplan.core.lunar_dates import spring_festival as festival_date
from reliefplan.core.errors import ConfigError

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
