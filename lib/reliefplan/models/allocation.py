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

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.models import budget as bm
from reliefplan.models import per_person, pool_allocation, pools
# Re-exported: the cap arithmetic used to live here and callers still reach it as allocation.*.
from reliefplan.models.cap_rules import (  # noqa: F401
    _components, cover_prefix, gifts_at, gifts_room, max_factor, priority_order, row_costs)
from reliefplan.models import standards as stds
from reliefplan.core.errors import InputError
from reliefplan.core.money import format_yuan, to_fen

MODES = ("priority", "scale")



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

    def paid_fen(self) -> pd.Series:
        """Per listing (indexed like the beneficiaries given): the gifts it is paid, in fen (0: not paid).

        After the per-person rule and the cap rule (or the pools): the money
        the 登记表 and the roll-up show per row.
        """
        return self.extra["paid_fen"]

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
    if _same_lines(need_lines, covered_lines):  # the usual case: both from the same rows; no index to align
        out = {"county_code": need_lines["county_code"].to_numpy(dtype=object),
               "category": need_lines["category"].to_numpy(dtype=object)}
        for col in ("households", "persons", "recipients"):
            e, c = need_lines[col].to_numpy(dtype=np.int64), covered_lines[col].to_numpy(dtype=np.int64)
            out[f"eligible_{col}"], out[f"covered_{col}"], out[f"uncovered_{col}"] = e, c, e - c
        out["need_fen"] = need_lines["gifts_fen"].to_numpy(dtype=np.int64)
        out["covered_fen"] = covered_lines["gifts_fen"].to_numpy(dtype=np.int64)
        return pd.DataFrame(out)
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


def _same_lines(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Both tables list the same unit x category lines in the same order (and have rows)."""
    return (len(a) == len(b) and len(a) > 0
            and bool((a["county_code"].to_numpy(dtype=object) == b["county_code"].to_numpy(dtype=object)).all())
            and bool((a["category"].to_numpy(dtype=object) == b["category"].to_numpy(dtype=object)).all()))


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
    listed = ben
    ben, saved = bm.paid_beneficiaries(plan, ben, standards)
    oh = bm.overhead_items(plan)
    need = bm.gift_lines(ben, standards)
    full = bm.build_budget(plan, need, standards=standards, scenario=scenario, overheads=oh, cap=cap)
    full.per_person = saved
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
    covered = pd.Series(covered_units, index=ben.index, name="covered_units").reindex(listed.index, fill_value=0)
    paid = _paid_series(covered_units * unit_cost, ben, listed)
    return Allocation("priority", cap, fits, spent, full, coverage_table(need, got), covered, standards,
                      None, zh, en, {"room_fen": room, "paid_fen": paid})


def _paid_series(values, ben: pd.DataFrame, listed: pd.DataFrame) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=np.int64), index=ben.index, name="paid_fen").reindex(
        listed.index, fill_value=0).astype("int64")


def _row_amounts(ben: pd.DataFrame, standards: pd.DataFrame) -> np.ndarray:
    """What each (rule-applied) row costs at ``standards``, less the rule's cuts."""
    if not len(ben):
        return np.zeros(0, dtype=np.int64)
    cash, goods = per_person.full_amounts(ben, standards)
    cut_c, cut_g = per_person.cuts(ben)
    return cash - cut_c + goods - cut_g


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


def allocate_scale(plan: dict, ben: pd.DataFrame, standards: pd.DataFrame, cap: int | None, *,
                   step_yuan=None, scenario: str = "") -> Allocation:
    """Scale every standard down by one factor, rounded down to ``step_yuan``, so the total fits the cap."""
    cap = _check_cap(cap)
    step_yuan = step_yuan if step_yuan is not None else plan.get("rounding_step", 1)
    step = max(to_fen(str(step_yuan)), 1)
    listed = ben
    ben, saved = bm.paid_beneficiaries(plan, listed, standards)
    oh = bm.overhead_items(plan)
    need = bm.gift_lines(ben, standards)
    full = bm.build_budget(plan, need, standards=standards, scenario=scenario, overheads=oh, cap=cap)
    full.per_person = saved
    if cap is None or full.total_fen <= cap:
        used, factor, fits, room = standards, Fraction(1), True, None
    else:
        room = gifts_room(cap, int(oh["total_fen"].sum()), plan.get("contingency_pct", 0))
        groups = bm.aggregate(ben)
        factor = max_factor(_components(groups, standards), room, step, hi=Fraction(1))
        used = stds.scale_standards(standards, factor, step_yuan=step_yuan, down=True)
        fits = False
    # The factor is searched on the listings the rule pays, before its cuts; the cuts are then redone on
    # those listings at the scaled standards (a cut only lowers the total, so it stays within the cap).
    uncut = ben.drop(columns=[c for c in per_person.CUT_COLUMNS if c in ben])
    paid_rows = ben if fits else bm.paid_beneficiaries(plan, uncut, used)[0]
    spent = full if fits else bm.build_budget(plan, bm.gift_lines(paid_rows, used),
                                              standards=used, scenario=scenario, overheads=oh, cap=cap)
    units, _ = row_costs(ben, standards) if len(ben) else (np.zeros(0, np.int64), None)
    everyone = room is None or room >= 0
    covered = units if everyone else np.zeros_like(units)
    got = need if everyone else bm.gift_lines(_covered_beneficiaries(ben, standards, covered), standards)
    zh, en = _messages("scale", fits, full, spent, cap, room)
    return Allocation("scale", cap, fits, spent, full, coverage_table(need, got),
                      pd.Series(covered, index=ben.index, name="covered_units").reindex(listed.index, fill_value=0),
                      used, factor, zh, en,
                      {"room_fen": room, "step_fen": step,
                       "paid_fen": _paid_series(_row_amounts(paid_rows, used), paid_rows, listed)})


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
    if pools.declared(plan):
        return allocate_pools(plan, beneficiaries, std, mode=mode, step_yuan=step_yuan, scenario=sc["name"], cap=cap)
    if mode == "priority":
        return allocate_priority(plan, beneficiaries, std, cap, scenario=sc["name"])
    return allocate_scale(plan, beneficiaries, std, cap, step_yuan=step_yuan, scenario=sc["name"])


# ---------------------------------------------------------------- funding pools

def allocate_pools(plan: dict, ben: pd.DataFrame, standards: pd.DataFrame, *, mode: str = "priority",
                   step_yuan=None, scenario: str = "", cap: int | None = None,
                   amounts: dict | None = None, overheads: pd.DataFrame | None = None) -> Allocation:
    """The cap rule inside each funding pool (:mod:`reliefplan.models.pools`); ``amounts`` overrides pool amounts.

    ``budget`` is what the pools pay (overheads from the pool that pays
    them, each pool's own contingency); ``full`` the cost of paying everyone.
    Both carry the pool table as their funding. ``extra`` holds ``pools``
    (the table), ``short`` (what is short because of which pool, or of the
    cap) and ``pool_units`` (each pool's money by unit; the roll-up sums it).
    A budget cap, if any, limits what the pools pay together (the cap rule on
    what they pay, see :func:`reliefplan.models.pools.apply_cap`). ``overheads``:
    the plan's :func:`~reliefplan.models.budget.overhead_items` when the caller
    has them already (the what-if: resolving the visit dates costs more than the rest).
    """
    step_yuan = step_yuan if step_yuan is not None else plan.get("rounding_step", 1)
    step = max(to_fen(str(step_yuan)), 1)
    listed = ben
    ben, saved = bm.paid_beneficiaries(plan, listed, standards)
    oh = overheads if overheads is not None else bm.overhead_items(plan)
    res = pool_allocation.allocate_in_pools(plan, ben, standards, mode=mode, step_fen=step, amounts=amounts, overheads=oh,
                                            cap=cap)
    need = bm.gift_lines(ben, standards)
    full = bm.build_budget(plan, need, standards=standards, scenario=scenario, overheads=oh, cap=cap,
                           funding=res.table)
    paid = res.paid_lines
    overhead_line = bm.spread_overheads(plan, oh, paid["county_code"].to_numpy(dtype=object),
                                        paid["recipients"].to_numpy(dtype=np.int64))
    cont_lines, units = pool_allocation.by_unit(res, paid, overhead_line)
    spent = bm.build_budget(plan, paid, standards=standards, scenario=scenario, overheads=oh, cap=cap,
                            funding=res.table, contingency=res.contingency_fen, contingency_lines=cont_lines)
    full.per_person = spent.per_person = saved
    fits = int(res.table["short_fen"].sum()) == 0
    covered = _covered_beneficiaries(ben, standards, res.run.full_units) if len(ben) else ben
    cov = coverage_table(need, bm.gift_lines(covered, standards))
    if _same_lines(cov, res.paid_lines):
        cov["covered_fen"] = res.paid_lines["gifts_fen"].to_numpy(dtype=np.int64)
    else:
        cov = cov.merge(res.paid_lines[["county_code", "category", "gifts_fen"]].rename(
            columns={"gifts_fen": "paid_fen"}), on=["county_code", "category"], how="left")
        cov["covered_fen"] = cov.pop("paid_fen").fillna(0).astype("int64")
    zh, en = pool_messages(res, spent, cap, standards)
    factor = min(res.run.factors) if res.run.factors else None
    covered_units = pd.Series(res.run.full_units, index=ben.index, name="covered_units")
    return Allocation(mode, cap, fits, spent, full, cov, covered_units.reindex(listed.index, fill_value=0), standards,
                      factor, zh, en, {"pools": res.table, "short": res.short, "step_fen": step, "pool_units": units,
                                       "reached_units": res.reached_units,
                                       "paid_fen": _paid_series(res.run.cash_paid + res.run.goods_paid, ben, listed)})


def pool_messages(res, spent: bm.Budget, cap: int | None, standards: pd.DataFrame) -> tuple[str, str]:
    """One sentence per short pool (which pool, how much, which categories), or that every pool suffices."""
    table, short = res.table, res.short
    zh_of = dict(zip(standards["category"], standards["zh"]))
    en_of = dict(zip(standards["category"], standards["en"]))
    parts_zh, parts_en = [], []
    for _, row in table.loc[table["short_fen"] > 0].iterrows():
        cats = short.loc[short["pool"] == row["source"], "category"].unique().tolist()
        parts_zh.append(f"{row['source']}缺口 {format_yuan(row['short_fen'])} 元"
                        + (f"({'、'.join(zh_of.get(c, c) for c in cats)})" if cats else ""))
        parts_en.append(f"{row['source_en']} short by {format_yuan(row['short_fen'])}"
                        + (f" ({', '.join(en_of.get(c, c) for c in cats)})" if cats else ""))
    zh = "; ".join(parts_zh) if parts_zh else "各资金池均足额"
    en = "; ".join(parts_en) if parts_en else "every funding pool covers what it pays for"
    if cap is not None and spent.total_fen > cap:
        zh += f"; 工作经费已超过预算上限 {format_yuan(cap)} 元"
        en += f"; the overheads alone exceed the budget cap {format_yuan(cap)}"
    return zh, en


def pools_by_unit(alloc: Allocation, unit_names: dict | None = None) -> tuple[pd.DataFrame, bool]:
    """Each pool's money (fen) by unit with a 合计 row and a total column, and whether it reconciles.

    Reconciles means, to the fen: each pool's column adds up to what the pool
    table says it pays, and each unit's row to the unit's budget total.
    Empty (and True) for a plan without pools.
    """
    units = alloc.extra.get("pool_units")
    if units is None:
        return pd.DataFrame(), True
    wide = units.pivot_table(index="county_code", columns="source", values="used_fen", aggfunc="sum", fill_value=0,
                             sort=False)
    order = [s for s in alloc.extra["pools"]["source"] if s in wide.columns] + \
        [s for s in wide.columns if s not in set(alloc.extra["pools"]["source"])]
    wide = wide[order].astype("int64")
    wide["total_fen"] = wide.sum(axis=1).astype("int64")
    unit_totals = alloc.budget.units.set_index("county_code")["total_fen"]
    pool_used = alloc.extra["pools"].set_index("source")["used_fen"]
    ok = all(int(wide[s].sum()) == int(pool_used.get(s, 0)) for s in order if s in pool_used.index) and \
        all(int(wide.at[c, "total_fen"]) == int(unit_totals.get(c, 0)) for c in wide.index) and \
        int(wide["total_fen"].sum()) == int(alloc.budget.total_fen)
    out = wide.reset_index()
    names = unit_names or {}
    out.insert(1, "unit_name", [names.get(c, c) for c in out["county_code"]])
    total = {"county_code": "合计", "unit_name": "合计", **{c: int(wide[c].sum()) for c in wide.columns}}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True), ok
