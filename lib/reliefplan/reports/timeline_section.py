"""The report's timeline section: phases, deliverables, checks, the schedule and its charts."""

from __future__ import annotations

import pandas as pd

from reliefplan.core import labels, workdays
from reliefplan.models import schedule as schedule_mod
from reliefplan.models import timeline as tl
from reliefplan.views import schedule_tables, timeline_charts


# Checks about a plan setting name it by its key; readers get words.
_SUBJECT_WORDS = {"calendar.working_days": ("工作日历设置", "working-day calendar setting")}


def _plain_subjects(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The findings table with plan keys in its subject column (the second) replaced by words."""
    if table.empty or len(table.columns) < 2:
        return table
    col = table.columns[1]
    words = {k: v[0 if lang == "zh" else 1] for k, v in _SUBJECT_WORDS.items()}
    return table.assign(**{col: table[col].map(lambda v: words.get(v, v))})


def timeline_section(plan: dict, lang: str = "zh", *, registry: pd.DataFrame | None = None,
                     schedule=None, unit=None, areas: pd.DataFrame | None = None, load_charts: bool = True) -> dict:
    """Everything the report's timeline section shows, as DataFrames and figures.

    Returns a dict with: ``title``; ``phases``, ``deliverables``,
    ``festivals``, ``findings``, ``responsibilities`` (display tables in
    ``lang``); ``gantt`` (plotly Figure); ``notes`` (list of str, e.g. the
    holiday-data coverage note); ``counts`` ({"error", "warning", "info"});
    ``raw`` (the unlabelled frames). When a ``registry`` (the whole plan's)
    or a precomputed ``schedule`` (:func:`reliefplan.models.schedule.build_schedule`)
    is given, it adds ``schedule_summary``, ``unassigned`` (masked),
    ``load`` and ``load_heatmap`` (figures), and the checks use the actual
    last visit day. ``unit`` (an area code or list of codes, e.g. "350603")
    restricts the schedule to that unit's people after scheduling the whole
    plan (teams share slots across counties), so a unit's section holds only
    its own people. ``areas`` (the areas table) gives township names. ``load_charts=False`` leaves out
    ``load`` and ``load_heatmap`` (every team's; a report that shows only some teams draws its own).
    """
    labels.check_lang(lang)
    phases = tl.resolve_phases(plan)
    deliverables = tl.resolve_deliverables(plan)
    festivals = tl.festival_markers(plan)
    if schedule is None and registry is not None:
        schedule = schedule_mod.build_schedule(plan, registry)
    if schedule is not None and unit is not None:
        schedule = schedule_mod.restrict(schedule, unit)
    last_visit = None
    if schedule is not None and not schedule.assigned.empty:
        last_visit = schedule.assigned["date"].max()
    findings = tl.check_timeline(plan, phases, deliverables, last_visit=last_visit)
    notes = []
    mode = workdays.mode_from_plan(plan)
    if mode:
        years = set(deliverables["due_written"].dt.year) if not deliverables.empty else set()
        if schedule is not None:
            years |= set(schedule.days["date"].dt.year)
        for note in workdays.calendar_from_plan(plan).source_notes(years):
            notes.append(note[0] if lang == "zh" else note[1])
    counts = {s: int((findings["severity"] == s).sum()) for s in tl.SEVERITIES}
    section = {
        "title": labels.label("timeline_title", lang),
        "phases": tl.phases_table(phases, lang),
        "deliverables": tl.deliverables_table(deliverables, lang),
        "festivals": tl.festivals_table(festivals, lang),
        "findings": _plain_subjects(tl.findings_table(findings, lang), lang),
        "responsibilities": tl.responsibility_matrix(plan, lang),
        "gantt": timeline_charts.gantt_figure(phases, deliverables, festivals, lang,
                                              visit_window=tl.visit_window(plan)),
        "notes": notes,
        "counts": counts,
        "raw": {"phases": phases, "deliverables": deliverables, "festivals": festivals, "findings": findings},
    }
    if schedule is not None:
        section["schedule_summary"] = schedule_tables.summary_table(schedule, lang)
        section["unassigned"] = schedule_tables.unassigned_table(schedule, lang, areas=areas)
        if schedule_tables.needs_delivery_table(schedule):
            section["delivery"] = schedule_tables.delivery_table(schedule, lang)
        if load_charts:
            section["load"] = timeline_charts.load_figure(schedule.load, lang)
            section["load_heatmap"] = timeline_charts.load_heatmap(schedule.load, lang)
        section["raw"]["schedule"] = schedule
    return section
