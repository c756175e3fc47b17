"""The visit schedule (走访安排): which team visits whom, on which day and half-day.

Rules, in the order they are applied:

1. **One visit per person.** Registry rows with the same ``person_key``
   (listed by two organizers) are visited once; the count of duplicates is
   kept in :attr:`Schedule.duplicates`.
2. **Only visits.** Each person has a delivery mode (:mod:`reliefplan.models.delivery`):
   people paid by transfer (转账/社会化发放) or at a collective distribution
   (集中发放) are not visited, except the representatives the plan's
   ``delivery.representative_visits`` picks (e.g. 2 per township, highest
   priority first). The others are kept in :attr:`Schedule.not_visited`,
   not among the unscheduled. A plan that says nothing about delivery visits
   everyone, as before.
3. **Team by area.** A team covers the codes in its ``areas``: 6-digit county
   codes or 9-digit township codes (a township code wins over its county).
   When two teams list the same area the first team in the plan takes it (the
   timeline checks warn about this). A person whose area no team covers is
   unassigned with reason ``no_team``; a person without an area code,
   ``no_area``.
4. **Visit days.** The half-day slots of :func:`reliefplan.models.visit_days.visit_slots`
   (holidays skipped when the plan asks; ``visit_days.visits_per_slot`` is
   the default for teams that do not set it; ``order``: ``area``, the
   default, or ``priority``).
5. **Capacity and priority.** A team makes at most ``visits_per_slot`` visits
   in each slot. When its people outnumber its slots, priority decides who is
   visited (category priority from the plan, else from categories.csv; 1 is
   first); within a priority, townships in code order. The rest are
   unassigned with reason ``capacity``.
6. **Route: nearest area first.** The visited are grouped by township and
   townships taken in code order (codes of neighbouring townships are close;
   no centroids are needed), so a team finishes one township before it moves
   on; within a township, higher priority first. With ``order: priority``,
   all priority-1 people are visited first, township by township, then
   priority 2, and so on.

Everything is vectorised (sort + cumcount), so 100 000 people schedule in
well under a second. The tables for people and the workbook are in
:mod:`reliefplan.views.schedule_tables`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from reliefplan.core import privacy
from reliefplan.core.areas import county_of, township_of
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.core.errors import ConfigError, InputError
from reliefplan.models import delivery
from reliefplan.models.visit_days import DEFAULT_SLOTS, SLOT_EN, visit_slots  # noqa: F401  (re-exported)

LOWEST_PRIORITY = 99
REASONS = {
    "no_area": ("缺少区划代码, 无法分组", "no area code, cannot be given to a team"),
    "no_team": ("所在区划没有慰问组负责", "no team covers this area"),
    "capacity": ("慰问组走访名额已满", "the team's visit slots are full"),
}



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
    notes: list = field(default_factory=list)   # (zh, en) pairs, e.g. which holiday data was used
    not_visited: pd.DataFrame = field(default_factory=pd.DataFrame)  # paid by transfer / collective, no visit
    by_delivery: pd.DataFrame = field(default_factory=pd.DataFrame)  # delivery, people, to_visit (in scope)

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


def category_priorities(plan: dict, categories: pd.DataFrame | None = None) -> dict[str, int]:
    """Category code -> priority: the plan's ``categories.<code>.priority`` over categories.csv."""
    if categories is None:
        categories = PlanInputs(plan).categories
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
        people["county_code"] = county_of(area)
    county = people["county_code"].astype("string").fillna("").str.strip()
    people["county_code"] = county.where(county != "", county_of(area).astype("string"))
    # a code coarser than a township is its own group
    people["township_code"] = area.where(area.str.len() < 9, township_of(area))
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
    unmasked; mask them before showing (:mod:`reliefplan.views.schedule_tables`).
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
    people, not_visited, by_delivery = _split_by_delivery(people, plan)

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
           "person_key", "category", "priority", "reason", "reason_zh", "reason_en", "delivery", "representative"}
    extra = [c for c in registry.columns if c not in own]
    assigned = chosen[["team", "team_order", "date", "slot", "slot_no", "seq", "township_code", "area_code",
                       "county_code", "person_key", "category", "priority", "delivery", "representative", *extra]]
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
            "reason_zh", "reason_en", "delivery", "representative", *extra]
    if parts:
        unassigned = pd.concat(parts, ignore_index=True)[cols]
        reason_rank = unassigned["reason"].map({r: i for i, r in enumerate(REASONS)})
        unassigned = (unassigned.assign(_r=reason_rank).sort_values(["_r", "priority"], kind="stable")
                      .drop(columns="_r").reset_index(drop=True))
    else:
        unassigned = pd.DataFrame(columns=cols)

    return Schedule(year=int(plan["year"]), teams=teams.drop(columns="area_list"), days=days, skipped=skipped,
                    assigned=assigned, unassigned=unassigned, duplicates=duplicates, excluded=excluded,
                    notes=notes, not_visited=not_visited[["person_key", "area_code", "township_code", "county_code",
                                                          "category", "priority", "delivery", *extra]],
                    by_delivery=by_delivery)


def _split_by_delivery(people: pd.DataFrame, plan: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(people to visit, people not visited, counts by mode): visit-mode people and the representatives."""
    people = people.assign(delivery=delivery.person_modes(people, plan), representative=False)
    others = people[people["delivery"] != "visit"]
    chosen = delivery.representatives(others, delivery.plan_spec(plan)["representative_visits"])
    people.loc[chosen.index[chosen], "representative"] = True
    visit = (people["delivery"] == "visit") | people["representative"]
    return (people[visit], people[~visit].reset_index(drop=True),
            delivery.counts_by_mode(people, visit))


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
    not_visited = mine(schedule.not_visited)
    in_unit = pd.concat([assigned[["delivery"]].assign(to_visit=True),
                         unassigned[["delivery"]].assign(to_visit=True),
                         not_visited[["delivery"]].assign(to_visit=False)], ignore_index=True)
    return Schedule(year=schedule.year, teams=teams, days=schedule.days, skipped=schedule.skipped,
                    assigned=assigned, unassigned=unassigned, duplicates=0, excluded=mine(schedule.excluded),
                    notes=schedule.notes, not_visited=not_visited,
                    by_delivery=delivery.counts_by_mode(in_unit, in_unit["to_visit"]))
