"""Working days by the official holiday and make-up workday calendar (节假日与调休).

Deadlines (e.g. an 附件 due date) that fall on a day off move to the
previous working day, because an office that is closed cannot receive
them. The official calendar of a year comes from, in this order:

1. a table the planner gives (:class:`HolidayCalendar`, built from the plan's
   ``calendar.holidays`` or the shared file ``data.holidays``; see
   :mod:`reliefplan.core.holiday_tables`): the State Council notice for the
   year, typed in once it is published;
2. the ``chinese_calendar`` package (PyPI ``chinesecalendar``), which carries
   the published notices up to its release (see :func:`covered_years`);
3. otherwise only weekends are known, and every result says so instead of
   pretending no holiday exists.

:meth:`HolidayCalendar.source_notes` says plainly which source each year used.

Modes (the plan's ``calendar.working_days``):

- ``"all"`` (``true`` in the plan): a deadline on any day off moves: a
  statutory holiday, or a Saturday/Sunday that is not a make-up workday.
  Make-up workdays (调休上班, e.g. Saturday 2026-02-14) count as working days.
- ``"holidays"``: only statutory holidays move a deadline; weekends do not.
- ``None`` (``false`` or absent): deadlines stay as written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata

import chinese_calendar
import pandas as pd

from reliefplan.core.errors import ConfigError
from reliefplan.core.holiday_tables import HOLIDAY_ZH, parse_tables
from reliefplan.core.lunar_dates import to_date as _date

MODES = ("all", "holidays")
SOURCES = ("table", "package", "none")

KIND_LABELS = {
    "workday": ("工作日", "working day"),
    "makeup_workday": ("调休上班日", "make-up workday"),
    "holiday": ("法定节假日", "public holiday"),
    "weekend": ("周末", "weekend"),
}


@dataclass(frozen=True)
class DayStatus:
    """What kind of day ``date`` is: kind (see :data:`KIND_LABELS`), holiday name, and
    whether the official calendar covers its year (if not, only weekends are known)."""

    date: dt.date
    kind: str
    name_zh: str = ""
    name_en: str = ""
    covered: bool = True

    def is_working(self, mode: str = "all") -> bool:
        if mode == "holidays":
            return self.kind != "holiday"
        return self.kind in ("workday", "makeup_workday")


@dataclass(frozen=True)
class Shift:
    """A deadline after applying the working-day rule."""

    original: dt.date
    date: dt.date
    note_zh: str
    note_en: str
    covered: bool

    @property
    def moved(self) -> bool:
        return self.date != self.original


def package_version() -> str:
    try:
        return metadata.version("chinesecalendar")
    except metadata.PackageNotFoundError:  # pragma: no cover - installed under another name
        return "unknown"


@lru_cache(maxsize=1)
def covered_years() -> tuple[int, int]:
    """First and last year whose official holiday notice the installed package carries."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def is_covered(year: int, calendar: "HolidayCalendar | None" = None) -> bool:
    """True when the official holidays of ``year`` are known (a planner's table or the package)."""
    return (calendar or PACKAGE_ONLY).source_of(year) != "none"


@dataclass(frozen=True)
class HolidayCalendar:
    """The official calendar to use: planner-given year tables first, then the package.

    ``tables``: year -> :class:`~reliefplan.core.holiday_tables.YearTable`.
    A year with a table is decided by the table alone (a date it does not
    list is an ordinary weekday or weekend), even when the package covers it.
    """

    tables: dict = field(default_factory=dict)

    def source_of(self, year: int) -> str:
        """``table`` (a planner's table), ``package`` (chinesecalendar) or ``none`` (weekends only)."""
        year = int(year)
        if year in self.tables:
            return "table"
        first, last = covered_years()
        return "package" if first <= year <= last else "none"

    def _lookup(self, day: dt.date):
        """(kind, (name_zh, name_en)) for a day some source lists, else None.

        Any table listing the day decides it (a notice's make-up workday can
        fall in the year before, e.g. a Saturday in late December before 元旦);
        the package decides only years without a table.
        """
        for table in self.tables.values():
            if day in table.holidays:
                return "holiday", table.holidays[day]
            if day in table.workdays:
                return "makeup_workday", table.workdays[day]
        if self.source_of(day.year) == "package":
            if day in chinese_calendar.holidays:
                name = str(chinese_calendar.holidays[day])
                return "holiday", (HOLIDAY_ZH.get(name, name), name)
            if day in chinese_calendar.workdays:
                name = str(chinese_calendar.workdays[day])
                return "makeup_workday", (HOLIDAY_ZH.get(name, name), name)
        return None

    def holidays(self) -> dict:
        """Every known statutory holiday: date -> (name_zh, name_en), table years overriding the package."""
        out = {}
        for day, name in chinese_calendar.holidays.items():
            if self.source_of(day.year) == "package":
                out[day] = (HOLIDAY_ZH.get(str(name), str(name)), str(name))
        for table in self.tables.values():
            out.update(table.holidays)
        return out

    def source_notes(self, years) -> list[tuple[str, str]]:
        """One zh/en note per year saying which holiday data the results used."""
        notes = []
        for year in sorted({int(y) for y in years}):
            source = self.source_of(year)
            if source == "table":
                t = self.tables[year]
                notes.append((f"{year}年法定节假日和调休按用户提供的放假安排表({t.source}; 出自 {t.origin})",
                              f"{year}: official holidays and make-up workdays from the table given by the user "
                              f"({t.source}; from {t.origin})"))
            elif source == "package":
                notes.append((f"{year}年法定节假日和调休按 chinesecalendar {package_version()} 所载国务院办公厅通知",
                              f"{year}: official holidays and make-up workdays from the State Council notice as "
                              f"carried by chinesecalendar {package_version()}"))
            else:
                notes.append(coverage_note([year], self))
        return notes


PACKAGE_ONLY = HolidayCalendar()


def coverage_note(years, calendar: HolidayCalendar | None = None) -> tuple[str, str] | None:
    """A zh/en note naming the years no holiday data covers; None if all are covered."""
    calendar = calendar or PACKAGE_ONLY
    missing = sorted({int(y) for y in years if calendar.source_of(int(y)) == "none"})
    if not missing:
        return None
    first, last = covered_years()
    listed = "、".join(str(y) for y in missing)
    return (
        f"{listed}年的法定节假日和调休安排不在 chinese_calendar {package_version()} 的数据范围"
        f"({first}–{last}年)内, 方案也未提供: 这些年份只按周末判断工作日, 未计法定节假日和调休; "
        "国务院公布当年放假安排后, 请在方案 calendar.holidays 或 data.holidays 文件中填入, 或升级 chinesecalendar 包",
        f"the official holidays and make-up workdays of {', '.join(str(y) for y in missing)} are not in "
        f"chinese_calendar {package_version()} (covers {first}-{last}) and the plan gives no table: only weekends "
        "are known for these years, not public holidays or make-up workdays; once the State Council publishes "
        "that year's notice, enter it in the plan's calendar.holidays or a data.holidays file, or upgrade the "
        "chinesecalendar package",
    )


def day_status(day, calendar: HolidayCalendar | None = None) -> DayStatus:
    """The kind of one day by the official calendar (weekends only where no data covers the year)."""
    calendar = calendar or PACKAGE_ONLY
    day = _date(day)
    weekend = day.weekday() >= 5
    found = calendar._lookup(day)
    covered = calendar.source_of(day.year) != "none"
    if found:
        kind, (zh, en) = found
        return DayStatus(day, kind, zh, en, covered=covered)
    return DayStatus(day, "weekend" if weekend else "workday", covered=covered)


def calendar_from_plan(plan: dict) -> HolidayCalendar:
    """The plan's calendar: tables from its ``data.holidays`` file (read by the plan loader into
    ``_holiday_tables``), overridden per year by ``calendar.holidays`` in the plan itself."""
    tables = dict(plan.get("_holiday_tables") or {})
    inline = (plan.get("calendar") or {}).get("holidays")
    tables.update(parse_tables(inline, file=plan.get("_path"), where="calendar.holidays"))
    return HolidayCalendar(tables) if tables else PACKAGE_ONLY


def is_working_day(day, mode: str = "all", calendar: HolidayCalendar | None = None) -> bool:
    """True if an office works on ``day`` under ``mode`` (see the module docstring)."""
    return day_status(day, calendar).is_working(check_mode(mode))


def previous_working_day(day, mode: str = "all", calendar: HolidayCalendar | None = None) -> dt.date:
    """``day`` itself if it is a working day, else the closest working day before it."""
    check_mode(mode)
    day = _date(day)
    for _ in range(60):
        if day_status(day, calendar).is_working(mode):
            return day
        day -= dt.timedelta(days=1)
    raise ValueError(f"no working day within 60 days before {day}")  # pragma: no cover


def shift_deadline(day, mode: str | None = "all", calendar: HolidayCalendar | None = None) -> Shift:
    """A deadline moved to the previous working day when it falls on a day off.

    The note says why it moved (e.g. "2026-10-01 国庆节, 提前到 2026-09-30
    星期三") or, for a year the official calendar does not cover, that only
    weekends were considered.
    """
    day = _date(day)
    if mode is None:
        return Shift(day, day, "", "", is_covered(day.year, calendar))
    check_mode(mode)
    status = day_status(day, calendar)
    target = previous_working_day(day, mode, calendar)
    covered = status.covered and is_covered(target.year, calendar)
    if target == day:
        zh = en = ""
    else:
        kind_zh, kind_en = KIND_LABELS[status.kind]
        what_zh = f"{kind_zh}({status.name_zh})" if status.name_zh else kind_zh
        what_en = f"a {kind_en} ({status.name_en})" if status.name_en else f"a {kind_en}"
        zh = f"{day.isoformat()} 为{what_zh}, 提前到前一个工作日 {target.isoformat()}"
        en = f"{day.isoformat()} is {what_en}; moved to the previous working day {target.isoformat()}"
        target_status = day_status(target, calendar)
        if target_status.kind == "makeup_workday":
            zh += "(调休上班日)"
            en += " (a make-up workday)"
    if not covered:
        zh = (zh + "; " if zh else "") + f"{day.year}年不在官方节假日数据范围内, 仅按周末判断"
        en = (en + "; " if en else "") + f"{day.year} is not covered by the official holiday data; weekends only"
    return Shift(day, target, zh, en, covered)


def holidays_between(start, end, calendar: HolidayCalendar | None = None) -> pd.DataFrame:
    """Statutory holidays from ``start`` to ``end`` inclusive: date, name_zh, name_en (covered years only)."""
    start, end = _date(start), _date(end)
    rows = [{"date": pd.Timestamp(d), "name_zh": zh, "name_en": en}
            for d, (zh, en) in (calendar or PACKAGE_ONLY).holidays().items() if start <= d <= end]
    out = pd.DataFrame(rows, columns=["date", "name_zh", "name_en"])
    return out.sort_values("date", ignore_index=True)


def mode_from_plan(plan: dict) -> str | None:
    """The working-day mode a plan asks for: ``calendar.working_days`` true -> "all",
    "holidays" -> "holidays", false/absent -> None."""
    value = (plan.get("calendar") or {}).get("working_days", False)
    if value is True:
        return "all"
    if value in (False, None):
        return None
    if value in MODES:
        return value
    raise ConfigError("calendar.working_days 须为 true、false 或 holidays",
                      "calendar.working_days must be true, false or holidays",
                      file=plan.get("_path"), column="calendar.working_days")


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"working-day mode must be one of {MODES}, got {mode!r}")
    return mode
