"""Lunar and named-day date expressions resolved for the campaign year.

Expected dates are independent knowledge (published almanacs), not read
back from the library: 春节 2020-01-25, 2021-02-12, 2022-02-01,
2023-01-22, 2024-02-10, 2025-01-29, 2026-02-17, 2027-02-06, 2028-01-26,
2034-02-19. 腊月 of 2024 (before 春节 2024) has 30 days, so 除夕 2024-02-09
is 腊月三十; 2022, 2025-2029 have 29-day 腊月, so 除夕 is 腊月廿九 and
"腊月三十" does not exist.
"""

import datetime as dt

import pytest

from reliefplan.core.errors import ReliefplanError
from reliefplan.core.lunar_dates import (
    DateExpressionError,
    chinese_number,
    describe_date,
    festival_days,
    lunar_label,
    lunar_month_days,
    new_years_eve,
    resolve_date,
    spring_festival,
)

D = dt.date


@pytest.mark.parametrize("year, expected", [
    (2020, D(2020, 1, 25)), (2021, D(2021, 2, 12)), (2022, D(2022, 2, 1)), (2023, D(2023, 1, 22)),
    (2024, D(2024, 2, 10)), (2025, D(2025, 1, 29)), (2026, D(2026, 2, 17)), (2027, D(2027, 2, 6)),
    (2028, D(2028, 1, 26)), (2030, D(2030, 2, 3)), (2034, D(2034, 2, 19)),
])
def test_spring_festival_known_dates(year, expected):
    assert spring_festival(year) == expected
    assert resolve_date("春节", year) == expected
    assert resolve_date("正月初一", year) == expected
    assert resolve_date("除夕", year) == expected - dt.timedelta(days=1)


@pytest.mark.parametrize("expr, expected", [
    ("小年", D(2027, 1, 30)),
    ("腊月廿三", D(2027, 1, 30)),
    ("北方小年", D(2027, 1, 30)),
    ("南方小年", D(2027, 1, 31)),
    ("腊八", D(2027, 1, 15)),
    ("腊月初八", D(2027, 1, 15)),
    ("除夕", D(2027, 2, 5)),
    ("春节", D(2027, 2, 6)),
    ("元宵", D(2027, 2, 20)),
    ("元宵节", D(2027, 2, 20)),
    ("正月十五", D(2027, 2, 20)),
    ("正月十二", D(2027, 2, 17)),
    ("腊月廿六", D(2027, 2, 2)),
    ("腊月二十六", D(2027, 2, 2)),
    ("十二月二十六", D(2027, 2, 2)),
    ("农历十二月二十六", D(2027, 2, 2)),
    ("农历12月26日", D(2027, 2, 2)),
    ("腊月廿九", D(2027, 2, 5)),
    ("冬月初三", D(2026, 12, 11)),
    ("正月初八", D(2027, 2, 13)),
])
def test_campaign_2027_lunar_and_named(expr, expected):
    assert resolve_date(expr, 2027) == expected


@pytest.mark.parametrize("expr, expected", [
    ("除夕-10天", D(2027, 1, 26)),
    ("元宵+5", D(2027, 2, 25)),
    ("春节+3日", D(2027, 2, 9)),
    ("小年-2天", D(2027, 1, 28)),
    ("除夕前10天", D(2027, 1, 26)),
    ("春节后三天", D(2027, 2, 9)),
    ("除夕 - 10 天", D(2027, 1, 26)),
    ("除夕－１０天", D(2027, 1, 26)),  # full-width minus and digits
    ("腊月廿六+1", D(2027, 2, 3)),
    ("2027-01-10+3", D(2027, 1, 13)),
    ("除夕-3天", D(2027, 2, 2)),
])
def test_offsets(expr, expected):
    assert resolve_date(expr, 2027) == expected


@pytest.mark.parametrize("expr, expected", [
    ("2027-01-10", D(2027, 1, 10)),
    ("2027/1/10", D(2027, 1, 10)),
    ("2027年1月10日", D(2027, 1, 10)),
    (D(2026, 12, 20), D(2026, 12, 20)),
    ("12月20日", D(2026, 12, 20)),   # Sep-Dec without a year: the year before the campaign year
    ("1月10日", D(2027, 1, 10)),     # Jan-Aug: the campaign year
    ("3月5日", D(2027, 3, 5)),
    ("元旦", D(2027, 1, 1)),
])
def test_gregorian(expr, expected):
    assert resolve_date(expr, 2027) == expected


@pytest.mark.parametrize("year, eve, label", [
    (2020, D(2020, 1, 24), "腊月三十"),
    (2022, D(2022, 1, 31), "腊月廿九"),
    (2024, D(2024, 2, 9), "腊月三十"),
    (2025, D(2025, 1, 28), "腊月廿九"),
    (2026, D(2026, 2, 16), "腊月廿九"),
    (2027, D(2027, 2, 5), "腊月廿九"),
])
def test_new_years_eve_is_day_before_spring_festival(year, eve, label):
    assert new_years_eve(year) == eve
    assert lunar_label(eve) == label


@pytest.mark.parametrize("year", [2022, 2025, 2026, 2027, 2028])
def test_la_yue_thirty_does_not_exist_in_29_day_years(year):
    assert lunar_month_days(year - 1, 12) == 29
    with pytest.raises(DateExpressionError) as info:
        resolve_date("腊月三十", year)
    err = info.value
    assert isinstance(err, ReliefplanError)
    assert "只有29天" in err.zh and "29 days" in err.en
    assert "除夕" in err.zh


def test_la_yue_thirty_exists_in_30_day_year():
    assert resolve_date("腊月三十", 2024) == D(2024, 2, 9) == resolve_date("除夕", 2024)


def test_offset_from_nonexistent_date_fails():
    with pytest.raises(DateExpressionError):
        resolve_date("腊月三十-2天", 2025)


def test_leap_month_years():
    # 2020 had 闰四月 from 2020-05-23; 2023 闰二月 from 2023-03-22;
    # lunar 2033 has 闰十一月 (from 2033-12-22), just before 腊月 of campaign 2034.
    assert resolve_date("闰四月初一", 2020) == D(2020, 5, 23)
    assert resolve_date("闰二月初一", 2023) == D(2023, 3, 22)
    assert resolve_date("闰十一月初一", 2034) == D(2033, 12, 22)
    assert resolve_date("腊月初一", 2034) == D(2034, 1, 20)
    assert resolve_date("小年", 2034) == D(2034, 2, 11)
    assert lunar_label(D(2020, 5, 23)) == "闰四月初一"
    assert lunar_label(D(2020, 5, 23), "en") == "lunar leap 4/1"
    with pytest.raises(DateExpressionError, match="闰四月"):
        resolve_date("闰四月初一", 2027)


@pytest.mark.parametrize("expr", ["", "foo", "除夕-x", "2027-02-30", "腊月三十一", "十三月初一", "正月初十一"])
def test_unreadable(expr):
    with pytest.raises(DateExpressionError):
        resolve_date(expr, 2027)


def test_chinese_numbers():
    assert [chinese_number(t) for t in ("初一", "初十", "十一", "二十", "廿六", "二十六", "三十", "卅", "26")] == \
        [1, 10, 11, 20, 26, 26, 30, 30, 26]
    assert chinese_number("十十") is None


def test_festival_days_and_describe():
    days = festival_days(2027).set_index("key")
    assert days.loc["xiaonian", "date"].date() == D(2027, 1, 30)
    assert days.loc["chuxi", "lunar"] == "腊月廿九"
    assert days.loc["yuanxiao", "weekday_zh"] == "星期六"
    info = describe_date(D(2027, 2, 5))
    assert info["iso"] == "2027-02-05" and info["weekday_en"] == "Friday" and info["lunar_zh"] == "腊月廿九"


def test_by_day_suffix_and_english_names():
    assert resolve_date("腊月二十六前", 2027) == D(2027, 2, 2)     # the seeds' "腊月二十六前全部到位"
    assert resolve_date("腊月廿六之前", 2027) == D(2027, 2, 2)
    assert resolve_date("除夕前10天", 2027) == D(2027, 1, 26)      # still an offset
    assert resolve_date("chuxi-10", 2027) == D(2027, 1, 26)
    assert resolve_date("Lantern Festival", 2027) == D(2027, 2, 20)
