"""The campaign timeline: phases, deliverables, checks and who does what.

A plan writes its phases the way the seeds do (准备/宣传/慰问/总结, "腊月廿六前",
"元宵+5"); this module resolves every date for the campaign year with
:mod:`reliefplan.core.lunar_dates`, moves deadlines off days off when the plan asks
for working-day awareness (:mod:`reliefplan.core.workdays`), and checks the
sequence a planner relies on:

- each phase starts on or before it ends (error);
- phases run in the order written (error when a phase starts before the one
  above it); a phase that starts before the previous one has ended is an
  overlap (warning); sharing one boundary day (宣传 ends 12-20, the next
  starts 12-20) is normal in the seeds and not reported;
- deliverables of the phases before the visit phase (the lists and 申报表
  the visits are based on) are due **before** the visit phase starts (error);
  ``feeds: <phase name>`` on a deliverable names another phase it feeds;
- nothing is scheduled after its report is due: visit days after the due date
  of the visit phase's own report (e.g. 签收表) are an error; any other phase
  that runs past the last due date of its own deliverables is a warning;
- visit days outside the visit phase, and teams covering the same area
  (warnings); which holiday data each year's deadlines used: the user's
  table, the chinesecalendar package, or none (weekends only) (info).

The visit phase is the phase with ``visits: true``; else the first whose name
contains 慰问 or 走访 (or "visit" in ``name_en``); else the phase holding the
first visit day.

All functions take the plan dict from :func:`reliefplan.ingest.plan.load_plan` and
return DataFrames (dates as datetime64); nothing here reads files or prints.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from reliefplan.core import labels, lunar_dates, workdays
from reliefplan.core.lunar_dates import DateExpressionError

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}
ROLE_EN = {"牵头": "lead", "负责": "responsible", "配合": "support", "参与": "participate",
           "协助": "assist", "督导": "supervise"}
VISIT_WORDS = ("慰问", "走访")



def campaign_year(plan: dict) -> int:
    return int(plan["year"])


def resolve_field(plan: dict, value, field: str) -> dt.date:
    """Resolve one plan date; an error names the plan file and the field (e.g. ``phases[2].end``)."""
    try:
        return lunar_dates.resolve_date(value, campaign_year(plan))
    except DateExpressionError as exc:
        raise DateExpressionError(exc.zh, exc.en, file=plan.get("_path"), column=field) from exc


def resolve_phases(plan: dict) -> pd.DataFrame:
    """One row per phase, in plan order: dates resolved, lunar labels, responsible unit and tasks."""
    rows = []
    for i, phase in enumerate(plan.get("phases") or []):
        start = resolve_field(plan, phase.get("start"), f"phases[{i}].start")
        end = resolve_field(plan, phase.get("end"), f"phases[{i}].end")
        tasks = phase.get("tasks") or []
        rows.append({
            "order": i + 1,
            "phase": str(phase.get("name")),
            "phase_en": str(phase.get("name_en") or phase.get("name")),
            "start": pd.Timestamp(start),
            "end": pd.Timestamp(end),
            "start_expr": _written(phase.get("start")),
            "end_expr": _written(phase.get("end")),
            "start_lunar": lunar_dates.lunar_label(start),
            "end_lunar": lunar_dates.lunar_label(end),
            "days": (end - start).days + 1,
            "responsible": str(phase.get("responsible") or ""),
            "tasks": "、".join(str(t) for t in tasks) if isinstance(tasks, list) else str(tasks),
            "visits": bool(phase.get("visits", False)),
        })
    columns = ["order", "phase", "phase_en", "start", "end", "start_expr", "end_expr", "start_lunar",
               "end_lunar", "days", "responsible", "tasks", "visits"]
    return _typed(pd.DataFrame(rows, columns=columns), ["start", "end"])


def resolve_deliverables(plan: dict, mode: str | None | bool = True) -> pd.DataFrame:
    """One row per deliverable: due date as written and as effective after the working-day rule.

    ``mode`` True takes the rule from the plan (``calendar.working_days``);
    a mode string or None overrides it.
    """
    if mode is True:
        mode = workdays.mode_from_plan(plan)
    calendar = workdays.calendar_from_plan(plan)
    rows = []
    for i, phase in enumerate(plan.get("phases") or []):
        for j, item in enumerate(phase.get("deliverables") or []):
            field = f"phases[{i}].deliverables[{j}]"
            if not isinstance(item, dict) or not item.get("name") or item.get("due") in (None, ""):
                raise DateExpressionError("须有 name 和 due", "needs name and due",
                                          file=plan.get("_path"), column=field)
            written = resolve_field(plan, item["due"], f"{field}.due")
            shift = workdays.shift_deadline(written, mode, calendar)
            rows.append({
                "phase": str(phase.get("name")),
                "phase_en": str(phase.get("name_en") or phase.get("name")),
                "phase_order": i + 1,
                "deliverable": str(item["name"]),
                "to": str(item.get("to") or ""),
                "due_expr": _written(item["due"]),
                "due_written": pd.Timestamp(written),
                "due": pd.Timestamp(shift.date),
                "due_lunar": lunar_dates.lunar_label(shift.date),
                "shifted": shift.moved,
                "covered": shift.covered,
                "holiday_source": calendar.source_of(written.year),
                "shift_note_zh": shift.note_zh,
                "shift_note_en": shift.note_en,
                "feeds": str(item.get("feeds") or ""),
            })
    columns = ["phase", "phase_en", "phase_order", "deliverable", "to", "due_expr", "due_written", "due",
               "due_lunar", "shifted", "covered", "holiday_source", "shift_note_zh", "shift_note_en", "feeds"]
    return _typed(pd.DataFrame(rows, columns=columns), ["due_written", "due"])


def visit_window(plan: dict) -> tuple[dt.date, dt.date] | None:
    """First and last visit day as written in ``visit_days`` (before skipping days off); None if absent."""
    days = plan.get("visit_days")
    if not days:
        return None
    start = resolve_field(plan, days.get("start"), "visit_days.start")
    end = resolve_field(plan, days.get("end"), "visit_days.end")
    return start, end


def visit_phase(phases: pd.DataFrame, window=None) -> int | None:
    """Index (row position) of the visit phase in ``phases``; None if there is none."""
    if phases.empty:
        return None
    flagged = phases.index[phases["visits"]]
    if len(flagged):
        return int(flagged[0])
    named = phases["phase"].str.contains("|".join(VISIT_WORDS)) | phases["phase_en"].str.lower().str.contains("visit")
    if named.any():
        return int(phases.index[named][0])
    if window is not None:
        first = pd.Timestamp(window[0])
        holding = (phases["start"] <= first) & (phases["end"] >= first)
        if holding.any():
            return int(phases.index[holding][0])
    return None


def festival_markers(plan: dict, keys=lunar_dates.MARKED_FESTIVALS) -> pd.DataFrame:
    """小年, 除夕, 春节, 元宵 of the campaign year (key, name_zh, name_en, date, lunar, weekday)."""
    return lunar_dates.festival_days(campaign_year(plan), keys)


class _Findings:
    def __init__(self, item_en=None):
        self.rows = []
        self.item_en = item_en or {}

    def add(self, severity, check, item, date, zh, en):
        self.rows.append({"severity": severity, "check": check, "subject": item,
                          "subject_en": self.item_en.get(item, item),
                          "date": pd.Timestamp(date) if date is not None else pd.NaT,
                          "message_zh": zh, "message_en": en})

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=["severity", "check", "subject", "subject_en", "date", "message_zh",
                                              "message_en"])
        df = _typed(df, ["date"])
        rank = df["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
        return df.assign(_r=rank).sort_values(["_r"], kind="stable").drop(columns="_r").reset_index(drop=True)


def _d(ts) -> str:
    return pd.Timestamp(ts).date().isoformat()


def check_timeline(plan: dict, phases: pd.DataFrame | None = None,
                   deliverables: pd.DataFrame | None = None, last_visit=None) -> pd.DataFrame:
    """Findings about the plan's timeline: severity (error/warning/info), check, item (zh/en), date, zh/en message.

    ``last_visit`` (a date), when given, is the last day of an actual visit
    schedule; otherwise the end of ``visit_days`` is used.
    """
    phases = resolve_phases(plan) if phases is None else phases
    deliverables = resolve_deliverables(plan) if deliverables is None else deliverables
    window = visit_window(plan)
    out = _Findings(dict(zip(phases["phase"], phases["phase_en"])))

    for row in phases.itertuples():
        if row.start > row.end:
            out.add("error", "phase_dates", row.phase, row.start,
                    f"{row.phase}的开始日期 {_d(row.start)} 晚于结束日期 {_d(row.end)}",
                    f"{row.phase_en} starts {_d(row.start)}, after its end {_d(row.end)}")
    latest_end = None
    prev = None
    for row in phases.itertuples():
        if prev is not None and row.start < prev.start:
            out.add("error", "phase_order", row.phase, row.start,
                    f"{row.phase}({_d(row.start)}开始)早于上一阶段{prev.phase}({_d(prev.start)}开始), 阶段顺序有误",
                    f"{row.phase_en} starts {_d(row.start)}, before the phase above it ({prev.phase_en}, "
                    f"{_d(prev.start)}): phases are out of order")
        elif latest_end is not None and row.start < latest_end[0]:
            out.add("warning", "phase_overlap", row.phase, row.start,
                    f"{row.phase}于 {_d(row.start)} 开始时, {latest_end[1].phase}尚未结束(至 {_d(latest_end[0])})",
                    f"{row.phase_en} starts {_d(row.start)} while {latest_end[1].phase_en} runs until "
                    f"{_d(latest_end[0])}")
        if latest_end is None or row.end > latest_end[0]:
            latest_end = (row.end, row)
        prev = row

    vp = visit_phase(phases, window)
    visit = phases.iloc[vp] if vp is not None else None
    by_name = {row["phase"]: row for _, row in phases.iterrows()}

    for d in deliverables.itertuples():
        target = None
        if d.feeds:
            target = by_name.get(d.feeds)
            if target is None:
                out.add("error", "deliverable_feeds", d.deliverable, d.due,
                        f"{d.deliverable}: feeds 指定的阶段“{d.feeds}”不在方案中",
                        f"{d.deliverable}: feeds names a phase not in the plan: {d.feeds}")
                continue
        elif visit is not None and d.phase_order < visit["order"]:
            target = visit
        if target is not None and d.due >= target["start"]:
            out.add("error", "deliverable_before_use", d.deliverable, d.due,
                    f"{d.deliverable}截止于 {_d(d.due)}, 不早于其服务的{target['phase']}开始日期 {_d(target['start'])}",
                    f"{d.deliverable} is due {_d(d.due)}, not before {target['phase_en']} starts on "
                    f"{_d(target['start'])}")

    for name, group in deliverables.groupby("phase", sort=False):
        phase = by_name.get(name)
        if phase is None or (visit is not None and phase["order"] == visit["order"]):
            continue
        own = group[group["feeds"] == ""]
        if own.empty:
            continue
        last_due = own["due"].max()
        if phase["end"] > last_due:
            item = own.loc[own["due"].idxmax(), "deliverable"]
            out.add("warning", "after_report_due", phase["phase"], phase["end"],
                    f"{phase['phase']}至 {_d(phase['end'])} 结束, 晚于其材料“{item}”的截止日期 {_d(last_due)}",
                    f"{phase['phase_en']} runs until {_d(phase['end'])}, after its report \u201c{item}\u201d is due "
                    f"({_d(last_due)})")

    if visit is not None:
        own = deliverables[(deliverables["phase_order"] == visit["order"]) & (deliverables["feeds"] == "")]
        last_visit_day = pd.Timestamp(last_visit) if last_visit is not None else (
            pd.Timestamp(window[1]) if window else visit["end"])
        if not own.empty:
            first_due = own["due"].min()
            item = own.loc[own["due"].idxmin(), "deliverable"]
            if last_visit_day > first_due:
                out.add("error", "after_report_due", visit["phase"], last_visit_day,
                        f"最后走访日 {_d(last_visit_day)} 晚于“{item}”的截止日期 {_d(first_due)}",
                        f"visits run until {_d(last_visit_day)}, after \u201c{item}\u201d is due ({_d(first_due)})")
            elif visit["end"] > first_due:
                out.add("warning", "after_report_due", visit["phase"], visit["end"],
                        f"{visit['phase']}至 {_d(visit['end'])} 结束, 晚于“{item}”的截止日期 {_d(first_due)}",
                        f"{visit['phase_en']} runs until {_d(visit['end'])}, after \u201c{item}\u201d is due "
                        f"({_d(first_due)})")
        if window is not None:
            start, end = pd.Timestamp(window[0]), pd.Timestamp(window[1])
            if start > end:
                out.add("error", "visit_days", "visit_days", start,
                        f"走访开始日期 {_d(start)} 晚于结束日期 {_d(end)}",
                        f"visit days start {_d(start)}, after they end {_d(end)}")
            if start < visit["start"] or end > visit["end"]:
                out.add("warning", "visit_days", visit["phase"], start,
                        f"走访日期 {_d(start)}–{_d(end)} 超出{visit['phase']}({_d(visit['start'])}–{_d(visit['end'])})",
                        f"visit days {_d(start)}-{_d(end)} fall outside {visit['phase_en']} "
                        f"({_d(visit['start'])}-{_d(visit['end'])})")
    elif window is not None:
        out.add("info", "visit_days", "visit_days", window[0],
                "方案中没有走访(慰问)阶段", "the plan has no visit phase")

    seen: dict[str, str] = {}
    for team in plan.get("teams") or []:
        for area in team.get("areas") or []:
            area = str(area)
            if area in seen and seen[area] != team["name"]:
                out.add("warning", "team_areas", team["name"], None,
                        f"区划 {area} 同时由{seen[area]}和{team['name']}负责, 按方案顺序分给{seen[area]}",
                        f"area {area} is covered by both {seen[area]} and {team['name']}; "
                        f"households go to {seen[area]} (the first listed)")
            seen.setdefault(area, team["name"])

    for d in deliverables[deliverables["shifted"]].itertuples():
        out.add("info", "deadline_shifted", d.deliverable, d.due, d.shift_note_zh, d.shift_note_en)
    if workdays.mode_from_plan(plan) and not deliverables.empty:
        calendar = workdays.calendar_from_plan(plan)
        for zh, en in calendar.source_notes(deliverables["due_written"].dt.year.unique()):
            out.add("info", "holiday_data", "calendar.working_days", None, zh, en)
    return out.frame()


def responsibility_matrix(plan: dict, lang: str = "zh") -> pd.DataFrame:
    """Task x unit table of roles (牵头/负责/配合) from ``responsibilities``, as in the seeds' activity plans.

    Without a ``responsibilities`` section, each phase's responsible unit is
    shown as 负责 for that phase. Units appear in the order first named.
    """
    labels.check_lang(lang)
    entries = []
    for item in plan.get("responsibilities") or []:
        for unit, role in (item.get("units") or {}).items():
            entries.append((str(item.get("task")), str(unit), str(role)))
    if not entries:
        for phase in plan.get("phases") or []:
            if phase.get("responsible"):
                entries.append((str(phase["name"]), str(phase["responsible"]), "负责"))
    tasks = list(dict.fromkeys(t for t, _, _ in entries))
    units = list(dict.fromkeys(u for _, u, _ in entries))
    table = pd.DataFrame("", index=pd.Index(tasks, name=labels.label("task", lang)), columns=units)
    for task, unit, role in entries:
        table.loc[task, unit] = role if lang == "zh" else ROLE_EN.get(role, role)
    return table


def phases_table(phases: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Phases for display: name, dates with lunar dates, days, responsible unit, tasks."""
    labels.check_lang(lang)
    df = phases.assign(start=phases["start"].dt.date, end=phases["end"].dt.date)
    name = "phase" if lang == "zh" else "phase_en"
    cols = [name, "start", "start_lunar", "end", "end_lunar", "days", "responsible", "tasks"]
    out = df[cols].rename(columns={name: "phase"})
    if lang == "en":
        out = out.assign(start_lunar=[lunar_dates.lunar_label(d, "en") for d in out["start"]],
                         end_lunar=[lunar_dates.lunar_label(d, "en") for d in out["end"]])
    return labels.relabel(out, lang)


def deliverables_table(deliverables: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Deliverables for display: phase, name, recipient, due as written and effective, note."""
    labels.check_lang(lang)
    name = "phase" if lang == "zh" else "phase_en"
    note = "shift_note_zh" if lang == "zh" else "shift_note_en"
    df = deliverables.assign(due=deliverables["due"].dt.date, due_written=deliverables["due_written"].dt.date)
    out = df[[name, "deliverable", "to", "due_expr", "due_written", "due", "due_lunar", note]]
    out = out.rename(columns={name: "phase", note: "shift_note_zh" if lang == "zh" else "shift_note_en"})
    return labels.relabel(out, lang)


def findings_table(findings: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Findings for display: severity label, check, item, date, message in ``lang``."""
    labels.check_lang(lang)
    i = 0 if lang == "zh" else 1
    out = pd.DataFrame({
        "severity": findings["severity"].map(lambda s: SEVERITY_LABELS[s][i]),
        "subject": findings["subject"] if lang == "zh" else findings["subject_en"],
        "date": findings["date"].dt.date,
        "message": findings[f"message_{lang}"],
    })
    return labels.relabel(out, lang)


def festivals_table(festivals: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    labels.check_lang(lang)
    out = festivals.assign(date=festivals["date"].dt.date)
    if lang == "en":
        out = out.assign(lunar=[lunar_dates.lunar_label(d, "en") for d in out["date"]])
    return labels.relabel(out[[f"name_{lang}", "date", "lunar", f"weekday_{lang}"]], lang)


def _typed(df: pd.DataFrame, date_columns) -> pd.DataFrame:
    """Date columns as datetime64 even when the frame is empty (so ``.dt`` works downstream)."""
    for col in date_columns:
        df[col] = pd.to_datetime(df[col])
    if "visits" in df and df.empty:
        df["visits"] = df["visits"].astype(bool)
    return df


def _written(value) -> str:
    if isinstance(value, (dt.date, pd.Timestamp)):
        return lunar_dates.to_date(value).isoformat()
    return "" if value is None else str(value)
