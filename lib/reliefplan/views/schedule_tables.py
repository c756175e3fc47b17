"""The visit schedule for people: team sheets, summary, the unscheduled, and the Excel workbook.

Tables built from a :class:`reliefplan.models.schedule.Schedule`, with zh/en
headers, names and ID numbers masked (张*三, 350602********1234), delivery
modes in words. :func:`write_schedule_excel` is the only function here that
writes a file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from reliefplan.core import labels, lunar_dates, privacy
from reliefplan.core.areas import area_names
from reliefplan.core.text import display_width
from reliefplan.ingest.categories import category_labels
from reliefplan.models import delivery
from reliefplan.models.schedule import Schedule
from reliefplan.models.visit_days import SLOT_EN

# Headers of a team's sheet, as the issue and the seeds' 登记表 write them.
SHEET_LABELS = {
    "seq": ("序号", "No."), "date": ("日期", "Date"), "weekday": ("星期", "Weekday"), "slot": ("时段", "Slot"),
    "township_name": ("乡镇(街道)", "Township"), "name": ("姓名", "Name"), "id_number": ("身份证号", "ID number"),
    "category": ("类别", "Category"), "address": ("地址", "Address"),
    "visit_note": ("走访说明", "Visit note"),
}


def _names(areas: pd.DataFrame | None) -> dict:
    return area_names(areas)


def _category_names(categories: pd.DataFrame | None, lang: str) -> dict:
    """Category code -> label; empty without a categories table (the codes are shown instead)."""
    if categories is None:
        return {}
    return category_labels(categories, lang)


def team_sheet(schedule: Schedule, team: str, *, areas: pd.DataFrame | None = None,
               categories: pd.DataFrame | None = None, lang: str = "zh") -> pd.DataFrame:
    """One team's visits for printing, masked: 序号, 日期, 星期, 时段, 乡镇(街道), 姓名, 身份证号, 类别, 地址."""
    labels.check_lang(lang)
    rows = schedule.assigned[schedule.assigned["team"] == team]
    names = _names(areas)
    cats = _category_names(categories, lang)
    out = pd.DataFrame({
        "seq": range(1, len(rows) + 1),
        "date": rows["date"].dt.date.to_numpy(),
        "weekday": rows["date"].dt.day_of_week.map(
            lambda i: (lunar_dates.WEEKDAYS_ZH if lang == "zh" else lunar_dates.WEEKDAYS_EN)[i]).to_numpy(),
        "slot": rows["slot"].map(lambda s: s if lang == "zh" else SLOT_EN.get(s, s)).to_numpy(),
        "township_name": rows["township_code"].map(lambda c: names.get(c, c)).to_numpy(),
        "name": rows["name"].map(privacy.mask_name).to_numpy() if "name" in rows else "",
        "id_number": rows["id_number"].map(privacy.mask_id).to_numpy() if "id_number" in rows else "",
        "category": rows["category"].map(lambda c: cats.get(c, c)).to_numpy(),
        "address": rows["address"].fillna("").to_numpy() if "address" in rows else "",
    })
    if "representative" in rows and rows["representative"].any():
        note = labels.label("representative", lang)
        out["visit_note"] = [f"{note}({delivery.mode_label(m, lang)})" if r else ""
                             for r, m in zip(rows["representative"], rows["delivery"])]
    i = labels.LANGS.index(lang)
    return out.rename(columns={c: SHEET_LABELS[c][i] for c in out.columns})


def summary_table(schedule: Schedule, lang: str = "zh") -> pd.DataFrame:
    """Per-team summary with zh/en headers (dates as dates, utilisation as a percentage string)."""
    labels.check_lang(lang)
    s = schedule.summary
    s = s.assign(first_day=s["first_day"].dt.date, last_day=s["last_day"].dt.date,
                 utilisation=(s["utilisation"] * 100).round(1).astype(str) + "%")
    return labels.relabel(s, lang)


def delivery_table(schedule: Schedule, lang: str = "zh") -> pd.DataFrame:
    """People in scope per delivery mode and how many of them are visited, with zh/en headers."""
    labels.check_lang(lang)
    out = schedule.by_delivery.assign(delivery=schedule.by_delivery["delivery"].map(
        lambda m: delivery.mode_label(m, lang)))
    return labels.relabel(out[["delivery", "people", "to_visit"]], lang)


def needs_delivery_table(schedule: Schedule) -> bool:
    """True when some people in scope are not visited (paid by transfer or collectively)."""
    return bool(len(schedule.by_delivery)) and set(schedule.by_delivery["delivery"]) != {"visit"}


def unassigned_table(schedule: Schedule, lang: str = "zh", *, areas: pd.DataFrame | None = None,
                     categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """People not scheduled, masked, with the reason in ``lang``."""
    labels.check_lang(lang)
    u = schedule.unassigned
    names = _names(areas)
    cats = _category_names(categories, lang)
    out = pd.DataFrame({
        "name": u["name"].map(privacy.mask_name) if "name" in u else pd.Series("", index=u.index),
        "id_number": u["id_number"].map(privacy.mask_id) if "id_number" in u else pd.Series("", index=u.index),
        "area_code": u["area_code"],
        "township_name": u["township_code"].map(lambda c: names.get(c, c)),
        "category": u["category"].map(lambda c: cats.get(c, c)),
        "priority": u["priority"],
        "team": u["team"],
        "reason": u[f"reason_{lang}"],
    })
    return labels.relabel(out, lang)


def _sheet_name(name: str, used: set) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "sheet"
    candidate, i = base, 2
    while candidate in used:
        suffix = f"_{i}"
        candidate, i = base[:31 - len(suffix)] + suffix, i + 1
    used.add(candidate)
    return candidate


def write_schedule_excel(schedule: Schedule, path, *, areas: pd.DataFrame | None = None,
                         categories: pd.DataFrame | None = None, demo: bool = False, lang: str = "zh",
                         progress=None) -> Path:
    """Write the schedule workbook: a summary sheet, the delivery modes (when some people are
    paid without a visit), one sheet per team, and the unscheduled.

    Row 1 of each sheet is a title (with 示例数据，人员均为虚构 for demo plans),
    row 2 the headers. Names and ID numbers are masked. ``progress`` is an
    optional callable taking each team name (e.g. a tqdm ``update``).
    """
    labels.check_lang(lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    banner = f" — {labels.label('demo_notice', lang)}" if demo else ""
    title = labels.label("schedule_title", lang)
    tmp = path.with_name(path.name + ".part")
    used: set = set()
    with pd.ExcelWriter(tmp, engine="xlsxwriter", date_format="YYYY-MM-DD", datetime_format="YYYY-MM-DD") as writer:
        book = writer.book
        head = book.add_format({"bold": True, "font_size": 13})
        sheets = [("汇总" if lang == "zh" else "Summary", summary_table(schedule, lang),
                   f"{schedule.year} {title}{banner}")]
        if needs_delivery_table(schedule):
            sheets.append((labels.label("delivery", lang), delivery_table(schedule, lang),
                           f"{labels.label('delivery', lang)}{banner}"))
        for team in schedule.teams["team"]:
            sheets.append((team, team_sheet(schedule, team, areas=areas, categories=categories, lang=lang),
                           f"{team} {title}{banner}"))
        sheets.append(("未安排" if lang == "zh" else "Not scheduled",
                       unassigned_table(schedule, lang, areas=areas, categories=categories),
                       f"{labels.label('unassigned', lang)}{banner}"))
        for name, frame, heading in sheets:
            sheet_name = _sheet_name(name, used)
            frame.to_excel(writer, sheet_name=sheet_name, index=False, startrow=1)
            ws = writer.sheets[sheet_name]
            ws.write(0, 0, heading, head)
            for i, col in enumerate(frame.columns):
                values = frame[col].astype(str)
                longest = max([display_width(col), *values.head(2000).map(display_width).tolist()]) if len(frame) \
                    else display_width(col)
                ws.set_column(i, i, min(max(longest + 2, 6), 60))
            ws.freeze_panes(2, 0)
            if progress is not None:
                progress(name)
    tmp.replace(path)
    return path


