"""Visit days (走访日期): the half-day slots of the visit window, and the days left out.

Every day from ``visit_days.start`` to ``visit_days.end`` is used, weekends
included: leaders' visits are often on weekends, and the weeks before 春节
hold no public holiday except 元旦. When the plan's ``calendar.working_days``
is on, statutory public holidays are skipped, by the plan's holiday table
where it gives one, else the official calendar (:mod:`reliefplan.core.workdays`);
the notes say which was used. Options in ``visit_days``: ``skip_holidays``
(true/false, overrides that default), ``skip_weekends`` (default false),
``skip`` (a list of date expressions, e.g. [小年]), ``slots`` (default
[上午, 下午]).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from reliefplan.core import workdays
from reliefplan.models.timeline import resolve_field, visit_window

DEFAULT_SLOTS = ("上午", "下午")
SLOT_EN = {"上午": "morning", "下午": "afternoon", "晚上": "evening", "全天": "all day"}


def visit_slots(plan: dict) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """The usable visit slots (date, slot, day_no, slot_no), the skipped days, and notes.

    See the module docstring for which days are skipped.
    """
    window = visit_window(plan)
    empty_days = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "slot": pd.Series(dtype=str),
                               "day_no": pd.Series(dtype="int64"), "slot_no": pd.Series(dtype="int64")})
    empty_skipped = pd.DataFrame(columns=["date", "reason_zh", "reason_en"])
    if window is None:
        return empty_days, empty_skipped, []
    spec = plan.get("visit_days") or {}
    slots = [str(s) for s in (spec.get("slots") or DEFAULT_SLOTS)]
    mode = workdays.mode_from_plan(plan)
    calendar = workdays.calendar_from_plan(plan)
    skip_holidays = bool(spec.get("skip_holidays", mode is not None))
    skip_weekends = bool(spec.get("skip_weekends", False))
    explicit = {resolve_field(plan, expr, f"visit_days.skip[{i}]") for i, expr in enumerate(spec.get("skip") or [])}
    start, end = window
    days, skipped, notes = [], [], []
    day = start
    while day <= end:
        status = workdays.day_status(day, calendar)
        reason = None
        if day in explicit:
            reason = ("方案指定不走访", "excluded by the plan (visit_days.skip)")
        elif skip_holidays and status.kind == "holiday":
            reason = (f"法定节假日({status.name_zh})", f"public holiday ({status.name_en})")
        elif skip_weekends and status.kind == "weekend":
            reason = ("周末", "weekend")
        if reason:
            skipped.append({"date": pd.Timestamp(day), "reason_zh": reason[0], "reason_en": reason[1]})
        else:
            days.append(day)
        day += dt.timedelta(days=1)
    if skip_holidays or skip_weekends:
        notes.extend(calendar.source_notes({d.year for d in (start, end)}))
    frame = pd.DataFrame([{"date": pd.Timestamp(d), "slot": s, "day_no": i, "slot_no": j}
                          for i, d in enumerate(days) for j, s in enumerate(slots)],
                         columns=["date", "slot", "day_no", "slot_no"])
    if frame.empty:
        frame = empty_days
    return frame, pd.DataFrame(skipped, columns=["date", "reason_zh", "reason_en"]), notes
