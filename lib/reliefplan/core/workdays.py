"""Working days by the official holiday and make-up workday calendar (节假日与调休).

Deadlines (e.g. an 附件 due date) that fall on a day off move to the
previous working day, because an office that is closed cannot receive
them. The official calendar comes from the ``chinese_calendar`` package
(PyPI ``chinesecalendar``), which carries the State Council's published
holiday notices. Each notice is published about a month before its year
starts, so the package covers a fixed range of years (see
:func:`covered_years`); for a year outside it only weekends are known and
every result says so, instead of pretending no holiday exists.

Modes (the plan's ``calendar.working_days``):

- ``"all"`` (``true`` in the plan): a deadline on any day off moves: a
  statutory holiday, or a Saturday/Sunday that is not a make-up workday.
  Make-up workdays (调休上班, e.g. Saturday 2026-02-14) count as working days.
- ``"holidays"``: only statutory holidays move a deadline; weekends do not.
- ``None`` (``false`` or absent): deadlines stay as written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata

import chinese_calendar
import pandas as pd

from reliefplan.core.errors import ConfigError
from reliefplan.core.lunar_dates import to_date as _date

MODES = ("all", "holidays")

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


def is_covered(year: int) -> bool:
    first, last = covered_years()
    return first <= year <= last


def coverage_note(years) -> tuple[str, str] | None:
    """A zh/en note naming the years the official calendar does not cover; None if all are covered."""
    missing = sorted({int(y) for y in years if not is_covered(int(y))})
    if not missing:
        return None
    first, last = covered_years()
    listed = "、".join(str(y) for y in missing)
    return (
        f"{listed}年的法定节假日和调休安排不在 chinese_calendar {package_version()} 的数据范围"
        f"({first}–{last}年)内: 这些年份只按周末判断工作日, 未计法定节假日和调休; "
        "国务院公布当年放假安排后请升级 chinesecalendar 包",
        f"the official holidays and make-up workdays of {', '.join(str(y) for y in missing)} are not in "
        f"chinese_calendar {package_version()} (covers {first}-{last}): only weekends are known for these "
        "years, not public holidays or make-up workdays; upgrade the chinesecalendar package once the "
        "State Council publishes that year's notice",
    )


def day_status(day) -> DayStatus:
    """The kind of one day by the official calendar (weekends only where the year is not covered)."""
    day = _date(day)
    weekend = day.weekday() >= 5
    if not is_covered(day.year):
        return DayStatus(day, "weekend" if weekend else "workday", covered=False)
    if day in chinese_calendar.holidays:
        name = str(chinese_calendar.holidays[day])
        return DayStatus(day, "holiday", HOLIDAY_ZH.get(name, name), name)
    if day in chinese_calendar.workdays:
        name = str(chinese_calendar.workdays[day])
        return DayStatus(day, "makeup_workday", HOLIDAY_ZH.get(name, name), name)
    return DayStatus(day, "weekend" if weekend else "workday")


def is_working_day(day, mode: str = "all") -> bool:
    """True if an office works on ``day`` under ``mode`` (see the module docstring)."""
    return day_status(day).is_working(check_mode(mode))


def previous_working_day(day, mode: str = "all") -> dt.date:
    """``day`` itself if it is a working day, else the closest working day before it."""
    check_mode(mode)
    day = _date(day)
    for _ in range(60):
        if day_status(day).is_working(mode):
            return day
        day -= dt.timedelta(days=1)
    raise ValueError(f"no working day within 60 days before {day}")  # pragma: no cover


def shift_deadline(day, mode: str | None = "all") -> Shift:
    """A deadline moved to the previous working day when it falls on a day off.

    The note says why it moved (e.g. "2026-10-01 国庆节, 提前到 2026-09-30
    星期三") or, for a year the official calendar does not cover, that only
    weekends were considered.
    """
    day = _date(day)
    if mode is None:
        return Shift(day, day, "", "", is_covered(day.year))
    check_mode(mode)
    status = day_status(day)
    target = previous_working_day(day, mode)
    covered = status.covered and is_covered(target.year)
    if target == day:
        zh = en = ""
    else:
        kind_zh, kind_en = KIND_LABELS[status.kind]
        what_zh = f"{kind_zh}({status.name_zh})" if status.name_zh else kind_zh
        what_en = f"a {kind_en} ({status.name_en})" if status.name_en else f"a {kind_en}"
        zh = f"{day.isoformat()} 为{what_zh}, 提前到前一个工作日 {target.isoformat()}"
        en = f"{day.isoformat()} is {what_en}; moved to the previous working day {target.isoformat()}"
        target_status = day_status(target)
        if target_status.kind == "makeup_workday":
            zh += "(调休上班日)"
            en += " (a make-up workday)"
    if not covered:
        zh = (zh + "; " if zh else "") + f"{day.year}年不在官方节假日数据范围内, 仅按周末判断"
        en = (en + "; " if en else "") + f"{day.year} is not covered by the official holiday data; weekends only"
    return Shift(day, target, zh, en, covered)


def holidays_between(start, end) -> pd.DataFrame:
    """Statutory holidays from ``start`` to ``end`` inclusive: date, name_zh, name_en (covered years only)."""
    start, end = _date(start), _date(end)
    rows = [{"date": pd.Timestamp(d), "name_zh": HOLIDAY_ZH.get(str(n), str(n)), "name_en": str(n)}
            for d, n in chinese_calendar.holidays.items() if start <= d <= end]
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
