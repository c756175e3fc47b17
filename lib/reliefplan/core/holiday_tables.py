"""Holiday tables a planner gives: official holidays and make-up workdays of a year (放假调休安排).

The ``chinesecalendar`` package carries the State Council's notices only up
to the year of its release; the notice for a year is published around
November of the year before. A planner who has the notice can write the
year's table into the plan (``calendar.holidays``) or into a shared file
(``data.holidays``, e.g. ``data/holidays.yaml``), and every working-day rule
then uses it for that year (see :mod:`reliefplan.core.workdays`).

A table, keyed by year::

    2027:
      source: 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）
      holidays:
        - {name: 元旦, date: 2027-01-01}
        - {name: 春节, start: 2027-02-05, end: 2027-02-13}
      makeup_workdays:
        - {name: 春节, date: 2027-01-31}

``source`` is required (every report says which calendar it used and where
it came from). ``name`` is the festival as the notice writes it; ``name_en``
is optional (the usual English name is filled in for the seven festivals).
This module only checks and holds the data; it reads no file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reliefplan.core.errors import ConfigError

HOLIDAY_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
HOLIDAY_EN = {zh: en for en, zh in HOLIDAY_ZH.items()}

_YEAR_KEYS = {"source", "holidays", "makeup_workdays", "note"}
_HOLIDAY_KEYS = {"name", "name_en", "date", "start", "end"}
_WORKDAY_KEYS = {"name", "name_en", "date"}


@dataclass(frozen=True)
class YearTable:
    """One year's official holidays and make-up workdays, with where they came from."""

    year: int
    source: str
    origin: str                                   # the file or plan field the table was read from
    holidays: dict = field(default_factory=dict)  # date -> (name_zh, name_en)
    workdays: dict = field(default_factory=dict)  # date -> (name_zh, name_en)


def _fail(file, where, zh, en):
    raise ConfigError(f"字段 {where}: {zh}", f"field {where}: {en}", file=file, column=where)


def _date(file, where, value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        _fail(file, where, f"须为公历日期 YYYY-MM-DD: {value!r}", f"must be a date YYYY-MM-DD: {value!r}")


def _names(file, where, item) -> tuple[str, str]:
    name = str(item.get("name") or "").strip()
    if not name:
        _fail(file, f"{where}.name", "缺少节日名称", "the festival name is missing")
    return name, str(item.get("name_en") or HOLIDAY_EN.get(name, name))


def _unknown(file, where, item, allowed):
    extra = sorted(set(item) - allowed)
    if extra:
        _fail(file, f"{where}.{extra[0]}", f"未知字段, 可用: {', '.join(sorted(allowed))}",
              f"unknown key; allowed: {', '.join(sorted(allowed))}")


def parse_year(year, spec, *, file=None, where: str = "holidays") -> YearTable:
    """Check one year's table (see the module docstring) and return it; errors name file and field."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        _fail(file, where, f"年份须为整数: {year!r}", f"the year must be a whole number: {year!r}")
    where = f"{where}.{year}"
    if not isinstance(spec, dict):
        _fail(file, where, "须为映射(source, holidays, makeup_workdays)",
              "must be a mapping (source, holidays, makeup_workdays)")
    _unknown(file, where, spec, _YEAR_KEYS)
    source = str(spec.get("source") or "").strip()
    if not source:
        _fail(file, f"{where}.source", "须写明来源(如国务院办公厅通知的标题和文号)",
              "the source is required (e.g. the title and number of the State Council notice)")
    holidays: dict = {}
    items = spec.get("holidays")
    if not isinstance(items, list) or not items:
        _fail(file, f"{where}.holidays", "须列出至少一个放假时段", "must list at least one holiday")
    for i, item in enumerate(items):
        at = f"{where}.holidays[{i}]"
        if not isinstance(item, dict):
            _fail(file, at, "须为映射(name, date 或 start/end)", "must be a mapping (name, date or start/end)")
        _unknown(file, at, item, _HOLIDAY_KEYS)
        names = _names(file, at, item)
        if "date" in item:
            start = end = _date(file, f"{at}.date", item["date"])
        else:
            if item.get("start") is None or item.get("end") is None:
                _fail(file, at, "须有 date, 或 start 和 end", "needs date, or start and end")
            start, end = _date(file, f"{at}.start", item["start"]), _date(file, f"{at}.end", item["end"])
        if start > end:
            _fail(file, at, f"开始 {start} 晚于结束 {end}", f"starts {start}, after its end {end}")
        if (end - start).days > 15:
            _fail(file, at, "一个放假时段不超过16天", "one holiday period is at most 16 days")
        day = start
        while day <= end:
            holidays[day] = names
            day += dt.timedelta(days=1)
    workdays: dict = {}
    for i, item in enumerate(spec.get("makeup_workdays") or []):
        at = f"{where}.makeup_workdays[{i}]"
        if not isinstance(item, dict):
            _fail(file, at, "须为映射(name, date)", "must be a mapping (name, date)")
        _unknown(file, at, item, _WORKDAY_KEYS)
        day = _date(file, f"{at}.date", item.get("date"))
        if day in holidays:
            _fail(file, at, f"{day} 同时列为放假日和调休上班日", f"{day} is listed both as a holiday and a workday")
        workdays[day] = _names(file, at, item)
    for day in [*holidays, *workdays]:
        if abs(day.year - year) > 1:
            _fail(file, where, f"日期 {day} 不在 {year} 年前后", f"date {day} is not near the year {year}")
    origin = f"{file} ({where})" if file else where
    return YearTable(year, source, origin, holidays, workdays)


def parse_tables(spec, *, file=None, where: str = "holidays") -> dict[int, YearTable]:
    """Year -> :class:`YearTable` from a mapping of year tables (empty for None)."""
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        _fail(file, where, "须为按年份的映射, 如 2027: {source: ..., holidays: [...]}",
              "must be a mapping by year, e.g. 2027: {source: ..., holidays: [...]}")
    tables = {}
    for year, table in spec.items():
        parsed = parse_year(year, table, file=file, where=where)
        tables[parsed.year] = parsed
    return tables
