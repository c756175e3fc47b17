"""``reliefplan calendar YEAR [DATE-EXPRESSION]``: what a plan date means in a campaign year.

``reliefplan calendar 2027 除夕`` prints ``2027-02-05`` on the first line
(for scripts), then the lunar date and weekday in Chinese and English.
YEAR is the campaign year: the year whose 春节 the campaign serves, so
腊月 dates fall in the weeks before that 春节. Without an expression it
lists the year's festival days (腊八, 小年, 南方小年, 除夕, 春节, 元宵).
``--deadline`` also applies the working-day rule (a deadline on a day off
moves to the previous working day, by the official holiday calendar) and
says which holiday data it used: the table in the plan given with
``--plan`` (``calendar.holidays`` or its ``data.holidays`` file), else the
chinesecalendar package, else weekends only.

Exit codes: 0 the date exists; 2 the expression cannot be read or names a
day the year does not have (e.g. 腊月三十 in 2025, whose 腊月 has 29 days).
"""

from __future__ import annotations

import argparse

from reliefplan.core import lunar_dates, workdays
from reliefplan.core.errors import ReliefplanError
from reliefplan.ingest.plan import load_plan

MIN_YEAR, MAX_YEAR = 1901, 2199


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "calendar",
        help="把方案日期换算为公历 / resolve a plan date (lunar, festival, offset) to a Gregorian date",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("year", type=int, help="活动年度(服务哪一年春节) / campaign year (whose Spring Festival)")
    p.add_argument("expression", nargs="*",
                   help="日期表达式, 如 除夕、腊月廿六、正月十二、元宵+5、除夕-10天、2027-01-10 / "
                        "date expression, e.g. 除夕, 腊月廿六, 元宵+5, 除夕-10天")
    p.add_argument("--deadline", action="store_true",
                   help="按工作日顺延规则(节假日提前到前一个工作日) / apply the working-day rule to a deadline")
    p.add_argument("--plan", default=None,
                   help="用该方案提供的节假日安排表(calendar.holidays / data.holidays) / use the holiday table "
                        "of this plan")
    p.set_defaults(handler=run)


def _line(info: dict) -> str:
    return f"农历 {info['lunar_zh']} {info['weekday_zh']} / lunar {info['lunar_en'][6:]}, {info['weekday_en']}"


def run(args) -> int:
    if not MIN_YEAR <= args.year <= MAX_YEAR:
        raise ReliefplanError(f"年份须在 {MIN_YEAR}–{MAX_YEAR} 之间: {args.year}",
                              f"year must be between {MIN_YEAR} and {MAX_YEAR}: {args.year}")
    expression = "".join(args.expression)
    if not expression:
        days = lunar_dates.festival_days(args.year)
        print(f"{args.year}年(活动年度)节日 / festival days of campaign year {args.year}:")
        for row in days.itertuples():
            print(f"  {row.date:%Y-%m-%d}  {row.name_zh}  {row.lunar}  {row.weekday_zh}  "
                  f"/ {row.name_en}, {row.weekday_en}")
        return 0
    day = lunar_dates.resolve_date(expression, args.year)
    info = lunar_dates.describe_date(day)
    print(info["iso"])
    print(_line(info))
    if args.deadline:
        calendar = workdays.PACKAGE_ONLY
        if args.plan:
            calendar = workdays.calendar_from_plan(load_plan(args.plan))
        shift = workdays.shift_deadline(day, "all", calendar)
        if shift.moved:
            moved = lunar_dates.describe_date(shift.date)
            print(f"截止日顺延 deadline moved: {moved['iso']}  {_line(moved)}")
        if shift.note_zh:
            print(f"说明 note: {shift.note_zh} / {shift.note_en}")
        elif not shift.moved:
            print("工作日, 无需顺延 / a working day, not moved")
        for zh, en in calendar.source_notes({day.year, shift.date.year}):
            print(f"节假日数据 holiday data: {zh} / {en}")
    return 0
