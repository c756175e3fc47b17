"""Date expressions of campaign plans, resolved to Gregorian dates.

Plans are written the way the seeds write them: "农历正月十二",
"腊月二十六前全部到位", "至元宵节结束", "除夕前10天". :func:`resolve_date`
turns any of these into a :class:`datetime.date` for the **campaign year** Y,
the year whose Spring Festival (春节) the campaign serves. Conversions use the
maintained ``lunar_python`` library; nothing is hard-coded per year.

Accepted expressions (spaces and full-width characters are ignored):

- Gregorian: ``2027-01-10``, ``2027/1/10``, ``2027年1月10日``, a
  ``datetime.date`` (YAML turns ``2027-01-10`` into one), and ``1月10日``
  without a year: September-December fall in Y-1 (the weeks of preparation),
  January-August in Y.
- Lunar: ``正月十二``, ``腊月廿六``, ``腊月二十六``, ``腊月初八``,
  ``十二月二十六``, ``农历十二月二十六``, ``农历12月26日``, ``冬月初三``,
  ``闰四月初一``. A month written with Chinese numerals (or after 农历) is a
  lunar month; ``12月26日`` with Arabic digits and no 农历 is Gregorian.
  冬月 (11) and 腊月 (12) belong to lunar year Y-1, i.e. the weeks before Y's
  春节; 正月 to 十月 belong to lunar year Y.
- Named days: 小年 / 北方小年 (腊月廿三), 南方小年 (腊月廿四), 腊八 (腊月初八),
  除夕 / 大年三十 / 年三十 (the day before 正月初一, which is 腊月廿九 in
  years whose 腊月 has 29 days), 春节 / 大年初一 (正月初一), 元宵 / 元宵节
  (正月十五), 元旦 (1 January of Y). A few English spellings work too
  (``chuxi``, ``new year's eve``, ``spring festival``, ``lantern festival``).
- Offsets: ``除夕-10天``, ``元宵+5``, ``春节+3日``, ``小年-2天``,
  ``除夕前10天``, ``春节后3天``; the base may be any expression above.
- A trailing 前 / 之前 / 以前 ("腊月二十六前", by that day) is the day itself.

A lunar date that does not exist in that year (腊月三十 when 腊月 has 29
days, a leap month the year lacks) raises :class:`DateExpressionError`,
a bilingual :class:`~reliefplan.core.errors.ReliefplanError`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import pandas as pd
from lunar_python import Lunar, LunarYear, Solar

from reliefplan.core.errors import ReliefplanError
from reliefplan.core.text import nfkc


class DateExpressionError(ReliefplanError):
    """A date expression that cannot be read, or names a day that does not exist."""


WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Gregorian months (written without a year) that belong to the year before the campaign year.
PREVIOUS_YEAR_MONTHS = (9, 10, 11, 12)
# Lunar months that belong to lunar year Y-1 (the weeks before Y's 春节).
PREVIOUS_LUNAR_MONTHS = (11, 12)

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_MONTH_NAMES = {"正": 1, "端": 1, "冬": 11, "腊": 12, "臘": 12}
_LUNAR_MONTH_ZH = ("正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊")

# Named festival days: key -> (zh, en, lunar month, lunar day) ; 除夕 is special.
FESTIVALS = {
    "laba": ("腊八", "Laba Festival", 12, 8),
    "xiaonian": ("小年", "Little New Year (north)", 12, 23),
    "xiaonian_south": ("南方小年", "Little New Year (south)", 12, 24),
    "chuxi": ("除夕", "New Year's Eve", None, None),
    "chunjie": ("春节", "Spring Festival", 1, 1),
    "yuanxiao": ("元宵", "Lantern Festival", 1, 15),
}
# The days marked on the campaign Gantt chart.
MARKED_FESTIVALS = ("xiaonian", "chuxi", "chunjie", "yuanxiao")

_NAMED = {
    "腊八": "laba", "腊八节": "laba", "臘八": "laba",
    "小年": "xiaonian", "北方小年": "xiaonian", "北小年": "xiaonian", "xiaonian": "xiaonian",
    "南方小年": "xiaonian_south", "南小年": "xiaonian_south",
    "除夕": "chuxi", "大年三十": "chuxi", "年三十": "chuxi", "大年夜": "chuxi", "除夕夜": "chuxi",
    "chuxi": "chuxi", "newyearseve": "chuxi", "chinesenewyearseve": "chuxi",
    "春节": "chunjie", "大年初一": "chunjie", "新春": "chunjie", "chunjie": "chunjie",
    "springfestival": "chunjie", "chinesenewyear": "chunjie", "lunarnewyear": "chunjie",
    "元宵": "yuanxiao", "元宵节": "yuanxiao", "上元节": "yuanxiao", "yuanxiao": "yuanxiao",
    "lanternfestival": "yuanxiao",
}

_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})月(\d{1,2})[日号]?$")
_LUNAR = re.compile(
    r"^(?P<nongli>农历|阴历|陰曆|农)?(?P<leap>闰|閏)?"
    r"(?P<month>[正端冬腊臘]|[一二三四五六七八九十]{1,2}|\d{1,2})月"
    r"(?P<day>初[一二三四五六七八九十]|[一二三四五六七八九十廿卅]{1,3}|\d{1,2})[日号]?$"
)
_OFFSET = re.compile(r"^(?P<base>.+)(?P<sign>[+-])(?P<n>\d+)(?:天|日|d|day|days)?$")
_OFFSET_WORD = re.compile(r"^(?P<base>.+?)(?P<dir>前|后|後)(?P<n>\d+|[一二两三四五六七八九十]+)(?:天|日)$")


def _fail(expr, zh: str, en: str):
    raise DateExpressionError(f"日期 {expr!r}: {zh}", f"date {expr!r}: {en}")


def chinese_number(text: str) -> int | None:
    """1-99 written in Chinese numerals or Arabic digits; 初/廿/卅 understood (廿六 -> 26)."""
    text = text.removeprefix("初")
    if text.isdigit():
        return int(text)
    text = text.replace("廿", "二十").replace("卅", "三十")
    if not text or any(ch not in _DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    value = (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    return value


# The conversions below are cached: lunar_python keeps only the last lunar year it worked out, and a
# report asks for the campaign year and the one before in turn (春节, 腊月 dates, the lunar labels of a
# schedule), so each call rebuilt a year's calendar (~10 ms); a province's report set asks thousands of times.

@functools.lru_cache(maxsize=4096)
def lunar_month_days(lunar_year: int, month: int) -> int:
    """Days in lunar month ``month`` (negative = leap month) of ``lunar_year``; 0 if it doesn't exist."""
    for m in LunarYear.fromYear(lunar_year).getMonths():
        if m.getYear() == lunar_year and m.getMonth() == month:
            return m.getDayCount()
    return 0


def spring_festival(year: int) -> dt.date:
    """春节 (正月初一) of Gregorian year ``year``."""
    return _lunar_date(int(year), 1, 1)


@functools.lru_cache(maxsize=4096)
def _lunar_date(lunar_year: int, signed_month: int, day: int) -> dt.date:
    """The Gregorian date of a lunar date that exists (month negative: the leap month)."""
    return _to_date(Lunar.fromYmd(lunar_year, signed_month, day).getSolar())


@functools.lru_cache(maxsize=4096)
def _lunar_of(day: dt.date) -> tuple[int, int]:
    """(lunar month, negative for a leap month; lunar day) of a Gregorian day."""
    lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    return lunar.getMonth(), lunar.getDay()


def new_years_eve(year: int) -> dt.date:
    """除夕 of campaign year ``year``: the day before 正月初一, never "腊月三十" by rule."""
    return spring_festival(year) - dt.timedelta(days=1)


def lunar_to_date(campaign_year: int, month: int, day: int, *, leap: bool = False, expr=None) -> dt.date:
    """The Gregorian date of lunar ``month``/``day`` in the campaign year.

    冬月 and 腊月 are taken from lunar year ``campaign_year - 1`` (before 春节),
    other months from lunar year ``campaign_year``.
    """
    expr = expr if expr is not None else f"{'闰' if leap else ''}{month}/{day}"
    if not 1 <= month <= 12:
        _fail(expr, f"农历月份须为 1-12, 得到 {month}", f"lunar month must be 1-12, got {month}")
    if not 1 <= day <= 30:
        _fail(expr, f"农历日须为 1-30, 得到 {day}", f"lunar day must be 1-30, got {day}")
    lunar_year = campaign_year - 1 if month in PREVIOUS_LUNAR_MONTHS else campaign_year
    signed = -month if leap else month
    days = lunar_month_days(lunar_year, signed)
    name = f"{'闰' if leap else ''}{_LUNAR_MONTH_ZH[month - 1]}月"
    where_zh = f"{campaign_year}年春节前的" if month in PREVIOUS_LUNAR_MONTHS else ""
    where_en = (f"before the {campaign_year} Spring Festival" if month in PREVIOUS_LUNAR_MONTHS
                else f"of {campaign_year}")
    if days == 0:
        _fail(expr, f"农历{lunar_year}年没有{name}", f"lunar year {lunar_year} has no leap month {month}")
    if day > days:
        is_la = month == 12 and not leap
        _fail(expr,
              f"{where_zh}{name}(农历{lunar_year}年)只有{days}天, 没有{name}{lunar_day_name(day)}"
              + ("; 除夕是腊月廿九, 请写“除夕”" if is_la else ""),
              f"lunar month {month} {where_en} (lunar year {lunar_year}) has only {days} days, "
              f"so day {day} does not exist" + ("; New Year's Eve is the 29th, write 除夕" if is_la else ""))
    return _lunar_date(lunar_year, signed, day)


def festival_date(key: str, campaign_year: int) -> dt.date:
    """The date of festival ``key`` (see :data:`FESTIVALS`) in the campaign year."""
    if key == "chuxi":
        return new_years_eve(campaign_year)
    _, _, month, day = FESTIVALS[key]
    return lunar_to_date(campaign_year, month, day)


def festival_days(campaign_year: int, keys=None) -> pd.DataFrame:
    """Festival days of the campaign year: key, name_zh, name_en, date (datetime64), lunar, weekday_zh/en."""
    rows = []
    for key in keys or FESTIVALS:
        day = festival_date(key, campaign_year)
        zh, en, _, _ = FESTIVALS[key]
        rows.append({"key": key, "name_zh": zh, "name_en": en, "date": pd.Timestamp(day),
                     "lunar": lunar_label(day), "weekday_zh": WEEKDAYS_ZH[day.weekday()],
                     "weekday_en": WEEKDAYS_EN[day.weekday()]})
    return pd.DataFrame(rows)


def lunar_day_name(day: int) -> str:
    """26 -> 廿六, 8 -> 初八, 20 -> 二十, 30 -> 三十."""
    names = "一二三四五六七八九十"
    if day <= 10:
        return "初" + names[day - 1]
    if day < 20:
        return "十" + names[day - 11]
    if day == 20:
        return "二十"
    if day < 30:
        return "廿" + names[day - 21]
    return "三十"


def lunar_label(day, lang: str = "zh") -> str:
    """The lunar date of a Gregorian day: 腊月廿六 / 闰四月初一 (en: ``lunar 12/26``)."""
    month, lunar_day = _lunar_of(to_date(day))
    if lang == "en":
        return f"lunar {'leap ' if month < 0 else ''}{abs(month)}/{lunar_day}"
    return f"{'闰' if month < 0 else ''}{_LUNAR_MONTH_ZH[abs(month) - 1]}月{lunar_day_name(lunar_day)}"


def describe_date(day) -> dict:
    """date, lunar label (zh/en) and weekday (zh/en) of one day, for printing."""
    d = to_date(day)
    return {"date": d, "iso": d.isoformat(), "lunar_zh": lunar_label(d), "lunar_en": lunar_label(d, "en"),
            "weekday_zh": WEEKDAYS_ZH[d.weekday()], "weekday_en": WEEKDAYS_EN[d.weekday()]}


def to_date(value) -> dt.date:
    """A ``date`` from a date, datetime or pandas Timestamp."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"not a date: {value!r}")


def _to_date(solar) -> dt.date:
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _gregorian(expr, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        _fail(expr, f"公历 {year}年{month}月{day}日 不存在", f"Gregorian date {year}-{month:02d}-{day:02d} does not exist")


def _plain(text: str, campaign_year: int, original) -> dt.date | None:
    """A date expression without an offset; None if it is not one."""
    key = _NAMED.get(text)
    if key is None and re.fullmatch(r"[A-Za-z']+", text):
        key = _NAMED.get(text.lower().replace("'", ""))
    if key:
        return festival_date(key, campaign_year)
    if text == "元旦":
        return dt.date(campaign_year, 1, 1)
    m = _ISO.match(text)
    if m:
        return _gregorian(original, int(m[1]), int(m[2]), int(m[3]))
    m = _MONTH_DAY.match(text)
    if m:
        month, day = int(m[1]), int(m[2])
        year = campaign_year - 1 if month in PREVIOUS_YEAR_MONTHS else campaign_year
        return _gregorian(original, year, month, day)
    m = _LUNAR.match(text)
    if m:
        raw_month = m["month"]
        month = _MONTH_NAMES.get(raw_month) or chinese_number(raw_month)
        day = chinese_number(m["day"])
        if month is None or day is None:
            _fail(original, "无法识别的农历月份或日期", "cannot read the lunar month or day")
        return lunar_to_date(campaign_year, month, day, leap=bool(m["leap"]), expr=original)
    return None


def resolve_date(expr, campaign_year: int) -> dt.date:
    """Resolve a plan date expression to a Gregorian date in campaign year ``campaign_year``.

    Raises :class:`DateExpressionError` (bilingual) when the expression cannot
    be read or names a lunar day that the year does not have.
    """
    if isinstance(expr, (dt.date, pd.Timestamp)):
        return to_date(expr)
    if not isinstance(campaign_year, int) or isinstance(campaign_year, bool):
        raise TypeError(f"campaign_year must be an int, got {campaign_year!r}")
    if expr is None or (isinstance(expr, float) and pd.isna(expr)):
        _fail(expr, "日期为空", "date is empty")
    text = _SPACES.sub("", nfkc(str(expr))).replace("号", "日")
    text = text.replace("\u2212", "-").replace("\u2014", "-").replace("\u2013", "-")
    if not text:
        _fail(expr, "日期为空", "date is empty")
    try:
        return _resolve(text, campaign_year, expr)
    except OverflowError:
        _fail(expr, "日期超出范围", "date out of range")


def _resolve(text: str, campaign_year: int, original) -> dt.date:
    # "腊月二十六前" (the seeds' "by 腊月廿六") is a deadline on that day.
    for suffix in ("之前", "以前", "前"):
        if text.endswith(suffix) and len(text) > len(suffix) and not _OFFSET_WORD.match(text):
            text = text[: -len(suffix)]
            break
    day = _plain(text, campaign_year, original)
    if day is not None:
        return day
    m = _OFFSET.match(text)
    if m:
        base = _resolve(m["base"], campaign_year, original)
        n = int(m["n"])
        return base + dt.timedelta(days=n if m["sign"] == "+" else -n)
    m = _OFFSET_WORD.match(text)
    if m and chinese_number(m["n"]) is not None:
        base = _resolve(m["base"], campaign_year, original)
        n = chinese_number(m["n"])
        return base + dt.timedelta(days=-n if m["dir"] == "前" else n)
    _fail(original,
          "无法识别。可写公历 2027-01-10、农历 腊月廿六 / 正月十二、节日 小年 / 南方小年 / 除夕 / 春节 / 元宵, "
          "或偏移 除夕-10天、元宵+5",
          "not understood. Write a Gregorian date (2027-01-10), a lunar date (腊月廿六, 正月十二), "
          "a named day (小年, 南方小年, 除夕, 春节, 元宵) or an offset (除夕-10天, 元宵+5)")
