"""Deadlines on days off move to the previous working day (official calendar)."""

import datetime as dt

import pytest

from reliefplan.core.errors import ConfigError
from reliefplan.core.workdays import (
    coverage_note,
    covered_years,
    day_status,
    holidays_between,
    is_covered,
    is_working_day,
    mode_from_plan,
    previous_working_day,
    shift_deadline,
)

D = dt.date


def test_national_day_deadline_moves_to_sep_30():
    s = shift_deadline(D(2026, 10, 1))
    assert s.date == D(2026, 9, 30) and s.moved and s.covered
    assert "国庆节" in s.note_zh and "National Day" in s.note_en


def test_spring_festival_deadline_moves_to_make_up_saturday():
    # 2026 春节 holiday 2-15..2-23; Saturday 2-14 is a make-up workday (调休上班).
    assert day_status(D(2026, 2, 14)).kind == "makeup_workday"
    s = shift_deadline(D(2026, 2, 17))
    assert s.date == D(2026, 2, 14)
    assert "调休" in s.note_zh


def test_make_up_workday_is_a_working_day():
    assert is_working_day(D(2026, 10, 10))          # Saturday, make-up workday
    assert shift_deadline(D(2026, 10, 10)).date == D(2026, 10, 10)
    assert shift_deadline(D(2026, 10, 11)).date == D(2026, 10, 10)  # Sunday -> the make-up Saturday
    assert is_working_day(D(2026, 9, 20))           # Sunday, make-up workday


def test_modes():
    sunday = D(2026, 12, 20)
    assert shift_deadline(sunday, "all").date == D(2026, 12, 18)
    assert shift_deadline(sunday, "holidays").date == sunday
    assert shift_deadline(D(2026, 10, 1), "holidays").date == D(2026, 9, 30)
    assert shift_deadline(sunday, None).date == sunday
    with pytest.raises(ValueError):
        shift_deadline(sunday, "weekends")


def test_ordinary_working_day_stays():
    s = shift_deadline(D(2026, 12, 25))
    assert s.date == D(2026, 12, 25) and not s.moved and s.note_zh == ""


def test_uncovered_year_is_reported():
    first, last = covered_years()
    year = last + 1
    assert not is_covered(year) and is_covered(last)
    status = day_status(D(year, 1, 4))
    assert not status.covered
    s = shift_deadline(D(year, 1, 6))
    assert not s.covered and "不在官方节假日数据范围" in s.note_zh and "not covered" in s.note_en
    zh, en = coverage_note([last, year])
    assert str(year) in zh and str(last) not in zh.split("年")[0]
    assert coverage_note([last]) is None
    # weekends are still known in an uncovered year
    saturday = D(year, 1, 1) + dt.timedelta(days=(5 - D(year, 1, 1).weekday()) % 7)
    assert previous_working_day(saturday) == saturday - dt.timedelta(days=1)


def test_holidays_between_and_plan_mode():
    hol = holidays_between(D(2026, 9, 28), D(2026, 10, 8))
    assert hol["date"].min().date() == D(2026, 10, 1)
    assert set(hol["name_zh"]) == {"国庆节"}
    assert mode_from_plan({"calendar": {"working_days": True}}) == "all"
    assert mode_from_plan({"calendar": {"working_days": "holidays"}}) == "holidays"
    assert mode_from_plan({}) is None
    with pytest.raises(ConfigError):
        mode_from_plan({"calendar": {"working_days": "maybe"}})
