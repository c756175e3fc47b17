"""The visit schedule (走访安排): which team visits whom, on which day and half-day.

Rules, in the order they are applied:

1. **One visit per person.** Registry rows with the same ``person_key``
   (listed by two organizers) are visited once; the count of duplicates is
   kept in :attr:`Schedule.duplicates`.
2. **Team by area.** A team covers the codes in its ``areas``: 6-digit county
   codes or 9-digit township codes (a township code wins over its county).
   When two teams list the same area the first team in the plan takes it (the
   timeline checks warn about this). A person whose area no team covers is
   unassigned with reason ``no_team``; a person without an area code,
   ``no_area``.
3. **Visit days.** Every day from ``visit_days.start`` to ``visit_days.end``,
   weekends included: leaders' visits are often on weekends, and the weeks
   before 春节 hold no public holiday except 元旦. When the plan's
   ``calendar.working_days`` is on, statutory public holidays (official
   calendar, where the year is covered) are skipped. Options in
   ``visit_days``: ``skip_holidays`` (true/false, overrides that default),
   ``skip_weekends`` (default false), ``skip`` (a list of date expressions,
   e.g. [小年]), ``slots`` (default [上午, 下午]), ``visits_per_slot`` (default
   for teams that do not set it), ``order`` (``area``, the default, or
   ``priority``).
4. **Capacity and priority.** A team makes at most ``visits_per_slot`` visits
   in each slot. When its people outnumber its slots, priority decides who is
   visited (category priority from the plan, else from categories.csv; 1 is
   first); within a priority, townships in code order. The rest are
   unassigned with reason ``capacity``.
5. **Route: nearest area first.** The visited are grouped by township and
   townships taken in code order (codes of neighbouring townships are close;
   no centroids are needed), so a team finishes one township before it moves
   on; within a township, higher priority first. With ``order: priority``,
   all priority-1 people are visited first, township by township, then
   priority 2, and so on.

Everything is vectorised (sort + cumcount), so 100 000 people schedule in
well under a second. :func:`write_schedule_excel` is the only function here
that writes a file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reliefplan.core import labels, lunar_dates, privacy, workdays
from reliefplan.ingest.categories import category_labels, load_categories
from reliefplan.core.errors import ConfigError, InputError
from reliefplan.core.text import display_width
from reliefplan.models.timeline import resolve_field, visit_window

DEFAULT_SLOTS = ("上午", "下午")
SLOT_EN = {"上午": "morning", "下午": "afternoon", "晚上": "evening", "全天": "all day"}
LOWEST_PRIORITY = 99
REASONS = {
    "no_area": ("缺少区划代码, 无法分组", "no area code, cannot be given to a team"),
    "no_team": ("所在区划没有慰问组负责", "no team covers this area"),
    "capacity": ("慰问组走访名额已满", "the team's visit slots are full"),
}

labels.register({
    "team": ("慰问组", "Team"),
    "leader": ("带队领导", "Leader"),
    "members": ("成员单位", "Members"),
    "areas": ("负责区域", "Areas"),
    "visits_per_slot": ("每时段走访户数", "Visits per slot"),
    "people": ("人数", "People"),
    "assigned": ("已安排", "Scheduled"),
    "unassigned": ("未安排", "Not scheduled"),
    "capacity": ("走访名额", "Capacity"),
    "visit_days_n": ("走访天数", "Visit days"),
    "first_day": ("首次走访", "First visit"),
    "last_day": ("最后走访", "Last visit"),
    "utilisation": ("名额使用率", "Utilisation"),
    "slot": ("时段", "Slot"),
    "seq": ("序号", "No."),
    "visits": ("走访户数", "Visits"),
    "township_code": ("乡镇代码", "Township code"),
    "reason": ("原因", "Reason"),
    "priority": ("优先级", "Priority"),
    "schedule_title": ("走访安排", "Visit schedule"),
    "load_title": ("各慰问组每日走访量", "Visits per team per day"),
})


@dataclass
class Schedule:
    """The result of :func:`build_schedule` (all DataFrames; dates as datetime64)."""

    year: int
    teams: pd.DataFrame        # team, team_order, leader, members, areas, visits_per_slot, capacity
    days: pd.DataFrame         # date, slot, day_no, slot_no: the usable slots in order
    skipped: pd.DataFrame      # date, reason_zh, reason_en: days in the window not used
    assigned: pd.DataFrame     # team, date, slot, seq, township_code, person_key, category, priority, ...
    unassigned: pd.DataFrame   # person_key, area_code, category, priority, team, reason, reason_zh, reason_en, ...
    duplicates: int = 0
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)  # categories the plan does not cover
    notes: list = field(default_factory=list)   # (zh, en) pairs, e.g. holiday data not covered

    @property
    def load(self) -> pd.DataFrame:
        """Visits per team per day beside the day's capacity (every team x usable day, zeros kept)."""
        per_day = self.days.groupby("date").size().rename("slots")
        grid = self.teams[["team", "team_order", "visits_per_slot"]].merge(
            per_day.reset_index(), how="cross")
        grid["capacity"] = grid["slots"] * grid["visits_per_slot"]
        counts = self.assigned.groupby(["team", "date"]).size().rename("visits").reset_index()
        out = grid.merge(counts, on=["team", "date"], how="left")
        out["visits"] = out["visits"].fillna(0).astype("int64")
        return out.sort_values(["team_order", "date"])[["team", "date", "visits", "capacity"]].reset_index(drop=True)

    @property
    def summary(self) -> pd.DataFrame:
        """Per team: people, scheduled, not scheduled, capacity, visit days, first/last day, utilisation."""
        a = self.assigned.groupby("team").agg(assigned=("person_key", "size"),
                                             first_day=("date", "min"), last_day=("date", "max"))
        u = self.unassigned[self.unassigned["team"] != ""].groupby("team").size().rename("unassigned")
        out = self.teams.set_index("team").join(a).join(u)
        out["assigned"] = out["assigned"].fillna(0).astype("int64")
        out["unassigned"] = out["unassigned"].fillna(0).astype("int64")
        out["people"] = out["assigned"] + out["unassigned"]
        out["visit_days_n"] = self.days["date"].nunique()
        out["utilisation"] = (out["assigned"] / out["capacity"].where(out["capacity"] > 0)).fillna(0.0)
        out = out.reset_index().sort_values("team_order")
        return out[["team", "leader", "members", "areas", "visits_per_slot", "people", "assigned",
                    "unassigned", "capacity", "visit_days_n", "first_day", "last_day", "utilisation"]]


def _team_frame(plan: dict, default_vps) -> pd.DataFrame:
    rows = []
    for i, team in enumerate(plan.get("teams") or []):
        vps = team.get("visits_per_slot", default_vps)
        if vps is None:
            raise ConfigError("缺少每时段走访户数 visits_per_slot", "visits_per_slot is missing",
                              file=plan.get("_path"), column=f"teams[{i}].visits_per_slot")
        try:
            vps_int = int(str(vps))
        except ValueError:
            vps_int = 0
        if vps_int < 1 or isinstance(vps, bool):
            raise ConfigError("每时段走访户数须为正整数", "visits_per_slot must be a whole number of at least 1",
                              file=plan.get("_path"), column=f"teams[{i}].visits_per_slot")
        areas = [str(a).strip() for a in (team.get("areas") or [])]
        for a in areas:
            if not re.fullmatch(r"\d{6}|\d{9}", a):
                raise ConfigError(f"区划代码须为6位(县)或9位(乡镇): {a!r}",
                                  f"area codes must be 6-digit (county) or 9-digit (township): {a!r}",
                                  file=plan.get("_path"), column=f"teams[{i}].areas")
        members = team.get("members") or []
        rows.append({"team": str(team["name"]), "team_order": i, "leader": str(team.get("leader") or ""),
                     "members": "、".join(map(str, members)) if isinstance(members, list) else str(members),
                     "areas": "、".join(areas), "area_list": areas, "visits_per_slot": vps_int})
    return pd.DataFrame(rows, columns=["team", "team_order", "leader", "members", "areas", "area_list",
                                       "visits_per_slot"])


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


def category_priorities(plan: dict, categories: pd.DataFrame | None = None) -> dict[str, int]:
    """Category code -> priority: the plan's ``categories.<code>.priority`` over categories.csv."""
    if categories is None:
        categories = load_categories((plan.get("_files") or {}).get("categories"))
    out = dict(zip(categories["code"], categories["priority"].astype(int)))
    for code, std in (plan.get("categories") or {}).items():
        if isinstance(std, dict) and std.get("priority") is not None:
            out[code] = int(std["priority"])
    return out


def _prepare_people(registry: pd.DataFrame, priorities: dict) -> tuple[pd.DataFrame, int]:
    if "person_key" not in registry.columns:
        if "id_number" not in registry.columns:
            raise InputError("名单须有 person_key 或 id_number 列", "the registry needs person_key or id_number")
        registry = registry.assign(person_key=registry["id_number"].map(privacy.person_key))
    for col in ("area_code", "category"):
        if col not in registry.columns:
            raise InputError(f"名单缺少列 {col}", f"the registry lacks column {col}", column=col)
    people = registry.reset_index(drop=True).copy()
    people["_row"] = range(len(people))
    n = len(people)
    people = people.drop_duplicates("person_key", keep="first")
    duplicates = n - len(people)
    area = people["area_code"].astype("string").fillna("").str.strip()
    people["area_code"] = area
    if "county_code" not in people.columns:
        people["county_code"] = area.str[:6]
    county = people["county_code"].astype("string").fillna("").str.strip()
    people["county_code"] = county.where(county != "", area.str[:6])
    people["township_code"] = area.where(area.str.len() < 9, area.str[:9])
    if "priority" not in people.columns:
        people["priority"] = people["category"].map(priorities)
    people["priority"] = pd.to_numeric(people["priority"], errors="coerce").fillna(LOWEST_PRIORITY).astype("int64")
    return people, duplicates


def build_schedule(plan: dict, registry: pd.DataFrame, *, categories: pd.DataFrame | None = None,
                   in_scope_only: bool = True) -> Schedule:
    """Assign the people in ``registry`` to the plan's teams, days and slots (see the module docstring).

    ``registry`` needs ``person_key`` (or ``id_number``), ``area_code`` and
    ``category``; ``county_code`` and ``priority`` are derived when absent.
    Other columns (name, id_number, address, ...) are carried through
    unmasked; mask them before showing (:func:`team_sheet`, :func:`unassigned_table`).
    With ``in_scope_only`` (default), people whose category is not among the
    plan's ``categories`` are not scheduled; they are counted in
    :attr:`Schedule.excluded`, not in the unassigned.
    """
    spec = plan.get("visit_days") or {}
    teams = _team_frame(plan, spec.get("visits_per_slot"))
    days, skipped, notes = visit_slots(plan)
    n_slots = len(days)
    teams["capacity"] = teams["visits_per_slot"] * n_slots
    people, duplicates = _prepare_people(registry, category_priorities(plan, categories))
    scope = set(plan.get("categories") or {})
    if in_scope_only and scope:
        outside = ~people["category"].isin(scope)
        excluded = people.loc[outside, ["person_key", "area_code", "category"]].reset_index(drop=True)
        people = people[~outside]
    else:
        excluded = people.iloc[0:0][["person_key", "area_code", "category"]]

    township_team, county_team = {}, {}
    for t in teams.itertuples():
        for a in t.area_list:
            (township_team if len(a) == 9 else county_team).setdefault(a, t.team_order)
    order = people["township_code"].map(township_team)
    order = order.fillna(people["county_code"].map(county_team))
    people["team_order"] = order.astype("Int64")
    no_area = people["area_code"] == ""
    no_team = people["team_order"].isna() & ~no_area

    covered = people[people["team_order"].notna()].copy()
    covered["team_order"] = covered["team_order"].astype("int64")
    covered = covered.sort_values(["team_order", "priority", "township_code", "_row"], kind="stable")
    covered["_rank"] = covered.groupby("team_order").cumcount()
    cap = covered["team_order"].map(teams.set_index("team_order")["capacity"])
    chosen = covered[covered["_rank"] < cap].copy()
    over = covered[covered["_rank"] >= cap]

    route = ["team_order", "township_code", "priority", "_row"]
    if spec.get("order", "area") == "priority":
        route = ["team_order", "priority", "township_code", "_row"]
    elif spec.get("order", "area") != "area":
        raise ConfigError("visit_days.order 须为 area 或 priority", "visit_days.order must be area or priority",
                          file=plan.get("_path"), column="visit_days.order")
    chosen = chosen.sort_values(route, kind="stable")
    pos = chosen.groupby("team_order").cumcount()
    vps = chosen["team_order"].map(teams.set_index("team_order")["visits_per_slot"])
    slot_index = (pos // vps).to_numpy()
    chosen["date"] = days["date"].to_numpy()[slot_index] if len(chosen) else pd.Series(dtype="datetime64[ns]")
    chosen["slot"] = days["slot"].to_numpy()[slot_index] if len(chosen) else pd.Series(dtype=str)
    chosen["slot_no"] = days["slot_no"].to_numpy()[slot_index] if len(chosen) else pd.Series(dtype="int64")
    chosen["seq"] = (pos % vps + 1).astype("int64")
    chosen["team"] = chosen["team_order"].map(teams.set_index("team_order")["team"])

    own = {"team", "team_order", "date", "slot", "slot_no", "seq", "township_code", "area_code", "county_code",
           "person_key", "category", "priority", "reason", "reason_zh", "reason_en"}
    extra = [c for c in registry.columns if c not in own]
    assigned = chosen[["team", "team_order", "date", "slot", "slot_no", "seq", "township_code", "area_code",
                       "county_code", "person_key", "category", "priority", *extra]]
    assigned = assigned.sort_values(["team_order", "date", "slot_no", "seq"]).reset_index(drop=True)

    team_names = teams.set_index("team_order")["team"]
    parts = []
    for mask_rows, reason in ((people[no_area], "no_area"), (people[no_team], "no_team"), (over, "capacity")):
        if mask_rows.empty:
            continue
        part = mask_rows.copy()
        part["team"] = part["team_order"].map(team_names).fillna("") if reason == "capacity" else ""
        part["reason"] = reason
        part["reason_zh"], part["reason_en"] = REASONS[reason]
        parts.append(part)
    cols = ["person_key", "area_code", "township_code", "county_code", "category", "priority", "team", "reason",
            "reason_zh", "reason_en", *extra]
    if parts:
        unassigned = pd.concat(parts, ignore_index=True)[cols]
        reason_rank = unassigned["reason"].map({r: i for i, r in enumerate(REASONS)})
        unassigned = (unassigned.assign(_r=reason_rank).sort_values(["_r", "priority"], kind="stable")
                      .drop(columns="_r").reset_index(drop=True))
    else:
        unassigned = pd.DataFrame(columns=cols)

    return Schedule(year=int(plan["year"]), teams=teams.drop(columns="area_list"), days=days, skipped=skipped,
                    assigned=assigned, unassigned=unassigned, duplicates=duplicates, excluded=excluded,
                    notes=notes)


def restrict(schedule: Schedule, codes) -> Schedule:
    """The part of ``schedule`` for one unit: people whose area code starts with one of ``codes``.

    Build the schedule once for the whole plan (teams share their slots
    across the counties they cover), then restrict it per unit, so a unit's
    report holds only that unit's people and matches the plan-wide schedule.
    Teams kept: those covering the unit or holding any of its people; their
    capacity stays the whole team's.
    """
    codes = tuple(str(c) for c in ([codes] if isinstance(codes, str) else codes))

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty:
            return frame
        return frame[frame["area_code"].astype(str).str.startswith(codes)].reset_index(drop=True)

    assigned, unassigned = mine(schedule.assigned), mine(schedule.unassigned)
    used = set(assigned["team"]) | set(unassigned["team"])
    covers = schedule.teams["areas"].map(
        lambda a: any(x.startswith(codes) or any(c.startswith(x) for c in codes) for x in a.split("、") if x))
    teams = schedule.teams[covers | schedule.teams["team"].isin(used)].reset_index(drop=True)
    return Schedule(year=schedule.year, teams=teams, days=schedule.days, skipped=schedule.skipped,
                    assigned=assigned, unassigned=unassigned, duplicates=0, excluded=mine(schedule.excluded),
                    notes=schedule.notes)


# --- display tables (masked) ---------------------------------------------------------------------

# Headers of a team's sheet, as the issue and the seeds' 登记表 write them.
SHEET_LABELS = {
    "seq": ("序号", "No."), "date": ("日期", "Date"), "weekday": ("星期", "Weekday"), "slot": ("时段", "Slot"),
    "township_name": ("乡镇(街道)", "Township"), "name": ("姓名", "Name"), "id_number": ("身份证号", "ID number"),
    "category": ("类别", "Category"), "address": ("地址", "Address"),
}


def _names(areas: pd.DataFrame | None) -> dict:
    if areas is None or areas.empty:
        return {}
    return dict(zip(areas["code"].astype(str), areas["name"].astype(str)))


def _category_names(categories: pd.DataFrame | None, lang: str) -> dict:
    if categories is None:
        categories = load_categories()
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
    i = labels.LANGS.index(lang)
    return out.rename(columns={c: SHEET_LABELS[c][i] for c in out.columns})


def summary_table(schedule: Schedule, lang: str = "zh") -> pd.DataFrame:
    """Per-team summary with zh/en headers (dates as dates, utilisation as a percentage string)."""
    labels.check_lang(lang)
    s = schedule.summary
    s = s.assign(first_day=s["first_day"].dt.date, last_day=s["last_day"].dt.date,
                 utilisation=(s["utilisation"] * 100).round(1).astype(str) + "%")
    return labels.relabel(s, lang)


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
    """Write the schedule workbook: a summary sheet, one sheet per team, and the unscheduled.

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


