"""When the budget cap bites: who is covered (priority mode) or how far standards shrink (scale mode).

The money left for gifts under a cap is what remains after the overheads
and the contingency on everything: the largest gifts total G with
``G + overheads + contingency(G + overheads) <= cap`` (:func:`gifts_room`).

- **priority**: beneficiaries are served in a fixed order - category
  priority (1 first), then lowest income per head (unknown income last),
  then largest household - and covered while the money lasts. Coverage is a
  strict prefix of that order: the first beneficiary who does not fit stops
  the queue (nobody behind them is served ahead of them), so raising the cap
  never uncovers anyone and priority is always respected. Registry rows are
  covered whole; counted groups (a forecast) may be covered in part.
- **scale**: everyone is covered, every standard is multiplied by one factor
  and rounded DOWN to the step (e.g. 50 yuan), and the factor is the largest
  for which the total fits. The total is a step function of the factor that
  only jumps where some scaled amount reaches a multiple of the step, so the
  search runs over those breakpoints exactly (no float tolerance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.models import budget as bm
from reliefplan.core import labels
from reliefplan.models import standards as stds
from reliefplan.core.errors import InputError
from reliefplan.core.money import format_yuan, to_fen

MODES = ("priority", "scale")

labels.register({
    "eligible_recipients": ("应慰问户(人)次", "Eligible recipients"),
    "covered_recipients": ("已覆盖户(人)次", "Covered recipients"),
    "uncovered_recipients": ("未覆盖户(人)次", "Not covered recipients"),
    "eligible_households": ("应慰问户数", "Eligible households"),
    "covered_households": ("已覆盖户数", "Covered households"),
    "uncovered_households": ("未覆盖户数", "Not covered households"),
    "eligible_persons": ("应慰问人数", "Eligible persons"),
    "covered_persons": ("已覆盖人数", "Covered persons"),
    "uncovered_persons": ("未覆盖人数", "Not covered persons"),
    "need_fen": ("全额所需(元)", "Needed in full (yuan)"),
    "covered_fen": ("已安排(元)", "Allocated (yuan)"),
    "coverage_pct": ("覆盖率(%)", "Coverage (%)"),
    "covered": ("是否覆盖", "Covered"),
})


def gifts_room(cap: int, overhead_fen: int, pct) -> int:
    """The largest gifts total that keeps gifts + overheads + contingency within ``cap`` (may be < 0)."""
    p = stds.exact(pct or 0)
    cap = int(cap)

    def total(s):
        return s + bm.contingency_fen(s, p)

    # total(s) is non-decreasing; start from the exact real solution and step to the integer one.
    s = int(Fraction(cap) * 100 / (100 + p)) if p > -100 else cap
    while s > -10**18 and total(s) > cap:
        s -= 1
    while total(s + 1) <= cap:
        s += 1
    return s - int(overhead_fen)


def priority_order(beneficiaries: pd.DataFrame, standards: pd.DataFrame) -> np.ndarray:
    """Row positions in serving order: category priority, lowest income, largest household, then as listed."""
    n = len(beneficiaries)
    pos = stds.category_positions(standards, beneficiaries["category"])
    prio = standards["priority"].to_numpy(dtype=np.int64)[np.maximum(pos, 0)]
    income = beneficiaries["income_fen"].astype("Int64")
    inc = income.fillna(np.iinfo(np.int64).max).to_numpy(dtype=np.int64)
    size = beneficiaries["household_size"].astype("Int64").fillna(1).to_numpy(dtype=np.int64)
    # lexsort: last key is primary
    return np.lexsort((np.arange(n), -size, inc, prio))


def row_costs(beneficiaries: pd.DataFrame, standards: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(units, cost per unit) per row: a registry row is 1 unit costing count x amount; a group is count units."""
    count, cash, goods = bm.group_amounts(beneficiaries, standards)
    amount = cash + goods
    divisible = beneficiaries["divisible"].to_numpy(dtype=bool)
    units = np.where(divisible, count, 1).astype(np.int64)
    unit_cost = np.where(divisible, amount, count * amount).astype(np.int64)
    return units, unit_cost


def cover_prefix(units: np.ndarray, unit_cost: np.ndarray, order: np.ndarray, room: int,
                 divisible: np.ndarray | None = None) -> np.ndarray:
    """Units covered per row when rows are served in ``order`` until ``room`` fen run out (strict prefix).

    Rows are covered whole while they fit; the first that does not fit ends
    the queue, except that a divisible group gets as many whole units as the
    money left pays for.
    """
    covered = np.zeros(len(units), dtype=np.int64)
    if room < 0 or not len(units):
        return covered
    cum = np.cumsum((units * unit_cost)[order])
    k = int(np.searchsorted(cum, room, side="right"))  # rows fully covered
    covered[order[:k]] = units[order[:k]]
    if k < len(order) and divisible is not None and divisible[order[k]]:
        r = order[k]
        left = room - (int(cum[k - 1]) if k else 0)
        covered[r] = min(int(units[r]), left // int(unit_cost[r]))  # unit_cost > 0, else it would fit
    return covered


@dataclass
class Allocation:
    """The outcome of a cap: the budget actually spent, who is covered, and at what standards."""

    mode: str
    cap_fen: int | None
    fits: bool                    # the full plan fits within the cap (nothing had to give)
    budget: bm.Budget             # what is allocated (within the cap unless even nothing fits)
    full: bm.Budget               # the uncapped cost
    coverage: pd.DataFrame        # by unit x category: eligible / covered / uncovered, need and allocated fen
    covered_units: pd.Series      # per beneficiary row: units covered (registry rows: 0 or 1)
    standards: pd.DataFrame       # standards applied (scaled in scale mode)
    factor: Fraction | None = None
    message_zh: str = ""
    message_en: str = ""
    extra: dict = field(default_factory=dict)

    def covered_mask(self) -> pd.Series:
        """True per beneficiary row that is covered in full."""
        return self.covered_units > 0

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en


def _covered_beneficiaries(ben: pd.DataFrame, standards: pd.DataFrame, covered_units: np.ndarray) -> pd.DataFrame:
    """Beneficiary rows cut down to what is covered.

    A registry row is kept whole or dropped. A group covered in part keeps
    exactly its covered units in the counted column (households or persons,
    by the standard); the other column is scaled in proportion, rounded down.
    """
    out = ben.copy()
    if not len(ben):
        return out
    pos = stds.category_positions(standards, ben["category"])
    per_person = (standards["per"].to_numpy() == "person")[pos]
    divisible = ben["divisible"].to_numpy(dtype=bool)
    h = ben["households"].to_numpy(dtype=np.int64)
    p = ben["persons"].to_numpy(dtype=np.int64)
    k = np.asarray(covered_units, dtype=np.int64)
    count = np.where(per_person, p, h)
    whole = np.where(divisible, k >= count, k > 0)
    part = divisible & ~whole
    safe_p, safe_h = np.maximum(p, 1), np.maximum(h, 1)
    part_h = np.where(per_person, k * h // safe_p, k)
    part_p = np.where(per_person, k, k * p // safe_h)
    out["households"] = np.where(whole, h, np.where(part, part_h, 0)).astype(np.int64)
    out["persons"] = np.where(whole, p, np.where(part, part_p, 0)).astype(np.int64)
    return out


def coverage_table(need_lines: pd.DataFrame, covered_lines: pd.DataFrame) -> pd.DataFrame:
    """Eligible vs covered by unit x category (households, persons, recipients, fen), from two sets of gift lines."""
    need = need_lines.set_index(["county_code", "category"])
    got = covered_lines.set_index(["county_code", "category"]).reindex(need.index, fill_value=0)
    out = pd.DataFrame(index=need.index)
    for col in ("households", "persons", "recipients"):
        out[f"eligible_{col}"] = need[col].astype("int64")
        out[f"covered_{col}"] = got[col].astype("int64")
        out[f"uncovered_{col}"] = (need[col] - got[col]).astype("int64")
    out["need_fen"] = need["gifts_fen"].astype("int64")
    out["covered_fen"] = got["gifts_fen"].astype("int64")
    return out.reset_index()


def coverage_by(coverage: pd.DataFrame, key: str) -> pd.DataFrame:
    """The coverage table summed by ``key`` (county_code or category) with a coverage percentage."""
    cols = [c for c in coverage.columns if c not in ("county_code", "category")]
    out = coverage.groupby(key, sort=True)[cols].sum().reset_index()
    out["coverage_pct"] = [round(100 * c / e, 1) if e else 100.0
                           for c, e in zip(out["covered_recipients"], out["eligible_recipients"])]
    return out


def _check_cap(cap) -> int:
    if cap is None:
        return None
    cap = int(cap)
    if cap <= 0:
        raise InputError("预算上限须大于 0", "the budget cap must be greater than 0", column="cap")
    return cap


def allocate_priority(plan: dict, ben: pd.DataFrame, standards: pd.DataFrame, cap: int | None, *,
                      scenario: str = "", order: np.ndarray | None = None) -> Allocation:
    """Cover beneficiaries in priority order until the cap (see the module docstring)."""
    cap = _check_cap(cap)
    oh = bm.overhead_items(plan)
    need = bm.gift_lines(ben, standards)
    full = bm.build_budget(plan, need, standards=standards, scenario=scenario, overheads=oh, cap=cap)
    units, unit_cost = row_costs(ben, standards) if len(ben) else (np.zeros(0, np.int64),) * 2
    if cap is None or full.total_fen <= cap:
        covered_units = units
        fits, room = True, None
    else:
        room = gifts_room(cap, int(oh["total_fen"].sum()), plan.get("contingency_pct", 0))
        order = priority_order(ben, standards) if order is None else order
        covered_units = cover_prefix(units, unit_cost, order, room, ben["divisible"].to_numpy(dtype=bool))
        fits = False
    got = need if fits else bm.gift_lines(_covered_beneficiaries(ben, standards, covered_units), standards)
    spent = full if fits else bm.build_budget(plan, got, standards=standards, scenario=scenario, overheads=oh, cap=cap)
    zh, en = _messages("priority", fits, full, spent, cap, room)
    return Allocation("priority", cap, fits, spent, full, coverage_table(need, got),
                      pd.Series(covered_units, index=ben.index, name="covered_units"), standards,
                      None, zh, en, {"room_fen": room})


def _messages(mode, fits, full, spent, cap, room):
    if cap is None:
        return "未设预算上限", "no budget cap"
    if fits:
        return (f"全额 {format_yuan(full.total_fen)} 元在上限 {format_yuan(cap)} 元之内",
                f"the full cost {format_yuan(full.total_fen)} is within the cap {format_yuan(cap)}")
    if room is not None and room < 0:
        return (f"工作经费与不可预见费已超过上限 {format_yuan(cap)} 元, 无法安排慰问金品",
                f"overheads and contingency alone exceed the cap {format_yuan(cap)}; nothing is left for gifts")
    short = full.total_fen - cap
    if mode == "priority":
        return (f"全额需 {format_yuan(full.total_fen)} 元, 超出上限 {format_yuan(short)} 元; 按优先级安排 "
                f"{format_yuan(spent.total_fen)} 元",
                f"the full cost {format_yuan(full.total_fen)} exceeds the cap by {format_yuan(short)}; "
                f"{format_yuan(spent.total_fen)} allocated by priority")
    return (f"全额需 {format_yuan(full.total_fen)} 元, 超出上限 {format_yuan(short)} 元; 各标准同比下调后合计 "
            f"{format_yuan(spent.total_fen)} 元",
            f"the full cost {format_yuan(full.total_fen)} exceeds the cap by {format_yuan(short)}; standards "
            f"scaled down uniformly to {format_yuan(spent.total_fen)}")


# ---------------------------------------------------------------- scale mode

def _components(groups: pd.DataFrame, standards: pd.DataFrame) -> list[tuple[Fraction, int]]:
    """(amount per unit in fen, units paid it) for every distinct cash/goods amount, exact."""
    if not len(groups):
        return []
    pos = stds.category_positions(standards, groups["category"])
    count, _, _ = bm.group_amounts(groups, standards)
    uses, num, den = stds.multiple_arrays(standards)
    cash_fixed = standards["cash_fen"].to_numpy(dtype=np.int64)
    goods = standards["goods_fen"].to_numpy(dtype=np.int64)
    acc: dict[Fraction, int] = {}
    for p, c, d in zip(pos, count, groups["dibao_fen"].to_numpy(dtype=np.int64)):
        if c == 0:
            continue
        cash = Fraction(int(d) * int(num[p]), int(den[p])) if uses[p] else Fraction(int(cash_fixed[p]))
        for a in (cash, Fraction(int(goods[p]))):
            if a > 0:
                acc[a] = acc.get(a, 0) + int(c)
    return sorted(acc.items())


def gifts_at(components, factor: Fraction, step: int) -> int:
    """Gifts total when every component amount is ``factor`` x amount rounded down to ``step`` fen."""
    total = 0
    for a, c in components:
        x = a * factor / step
        total += (x.numerator // x.denominator) * step * c
    return total


def max_factor(components, room: int, step: int, *, lo: Fraction = Fraction(0), hi: Fraction | None = None) -> Fraction:
    """The largest factor f (>= lo, <= hi when given) with gifts_at(f) <= room.

    gifts_at only changes at breakpoints f = m x step / a, so the answer is
    a breakpoint (or ``hi``). Every breakpoint between the simple bound
    room / gifts (which always fits, as rounding down only lowers amounts)
    and (room + step x units) / gifts (beyond which nothing fits) is a
    candidate; a binary search over them finds the last that fits.
    """
    if room < 0:
        return Fraction(0)
    plain = sum((a * c for a, c in components), Fraction(0))
    if plain == 0:
        return hi if hi is not None else Fraction(1)
    units = sum(c for _, c in components)
    start = max(lo, Fraction(room) / plain)
    stop = Fraction(room + step * units) / plain
    if hi is not None:
        start, stop = min(start, hi), min(stop, hi)
    candidates = {start, stop}
    for a, _ in components:
        for m in range(math.ceil(start * a / step), math.floor(stop * a / step) + 1):
            candidates.add(Fraction(m * step) / a)
    ordered = sorted(f for f in candidates if start <= f <= stop)
    best = Fraction(0)
    lo_i, hi_i = 0, len(ordered) - 1
    while lo_i <= hi_i:  # gifts_at is non-decreasing in f
        mid = (lo_i + hi_i) // 2
        if gifts_at(components, ordered[mid], step) <= room:
            best = ordered[mid]
            lo_i = mid + 1
        else:
            hi_i = mid - 1
    return best


def allocate_scale(plan: dict, ben: pd.DataFrame, standards: pd.DataFrame, cap: int | None, *,
                   step_yuan=None, scenario: str = "") -> Allocation:
    """Scale every standard down by one factor, rounded down to ``step_yuan``, so the total fits the cap."""
    cap = _check_cap(cap)
    step_yuan = step_yuan if step_yuan is not None else plan.get("rounding_step", 1)
    step = max(to_fen(str(step_yuan)), 1)
    oh = bm.overhead_items(plan)
    need = bm.gift_lines(ben, standards)
    full = bm.build_budget(plan, need, standards=standards, scenario=scenario, overheads=oh, cap=cap)
    if cap is None or full.total_fen <= cap:
        used, factor, fits, room = standards, Fraction(1), True, None
    else:
        room = gifts_room(cap, int(oh["total_fen"].sum()), plan.get("contingency_pct", 0))
        groups = bm.aggregate(ben)
        factor = max_factor(_components(groups, standards), room, step, hi=Fraction(1))
        used = stds.scale_standards(standards, factor, step_yuan=step_yuan, down=True)
        fits = False
    spent = full if fits else bm.build_budget(plan, bm.gift_lines(ben, used), standards=used, scenario=scenario,
                                              overheads=oh, cap=cap)
    units, _ = row_costs(ben, standards) if len(ben) else (np.zeros(0, np.int64), None)
    everyone = room is None or room >= 0
    covered = units if everyone else np.zeros_like(units)
    got = need if everyone else bm.gift_lines(_covered_beneficiaries(ben, standards, covered), standards)
    zh, en = _messages("scale", fits, full, spent, cap, room)
    return Allocation("scale", cap, fits, spent, full, coverage_table(need, got),
                      pd.Series(covered, index=ben.index, name="covered_units"), used, factor, zh, en,
                      {"room_fen": room, "step_fen": step})


def allocate(plan: dict, beneficiaries: pd.DataFrame, *, scenario: str | None = None,
             standards: pd.DataFrame | None = None, cap_yuan=None, mode: str | None = None,
             step_yuan=None) -> Allocation:
    """Apply the budget cap (``cap_yuan`` or the plan's) in ``mode`` (or the plan's ``allocation_mode``)."""
    mode = mode or plan.get("allocation_mode", "priority")
    if mode not in MODES:
        raise InputError(f"分配方式须为 {' / '.join(MODES)}, 实为 {mode!r}",
                         f"allocation mode must be one of {', '.join(MODES)}, got {mode!r}", column="allocation_mode")
    sc = stds.scenario(plan, scenario)
    std = standards if standards is not None else stds.scenario_standards(plan, sc["name"])
    cap = bm.cap_fen(plan, cap_yuan)
    if mode == "priority":
        return allocate_priority(plan, beneficiaries, std, cap, scenario=sc["name"])
    return allocate_scale(plan, beneficiaries, std, cap, step_yuan=step_yuan, scenario=sc["name"])
