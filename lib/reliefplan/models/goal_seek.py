"""Goal seek (单变量求解): the standards a budget affords, and the budget a coverage needs.

- :func:`max_uniform_amount`: the highest single amount, a multiple of the
  step, that every recipient (household or person, by each category's
  ``per``) can receive within the budget.
- :func:`max_multiplier`: the highest multiplier on all of the scenario's
  standards, each rounded down to the step, that fits the budget (above 1
  when the budget exceeds the cost).
- :func:`budget_for_coverage`: the budget needed to cover a share of the
  eligible (e.g. 95%) served in priority order at the current standards.
- :func:`per_pool`: with funding pools, the same questions per pool: the
  amount each pool needs to pay all it is asked, the share of what it is
  asked its amount covers in priority order, and the uniform share of the
  standards it affords (scale).

All three account for the overheads and the contingency like the cost
model, and answer exactly (integer fen, rational factors).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.models import allocation as al
from reliefplan.models import budget as bm
from reliefplan.models import pool_allocation, pools
from reliefplan.models import standards as stds
from reliefplan.core.errors import InputError
from reliefplan.core.money import to_fen


def _budget_fen(budget_yuan) -> int:
    try:
        fen = to_fen(str(budget_yuan))
    except ValueError:
        fen = None
    if fen is None or fen <= 0:
        raise InputError(f"预算须为大于 0 的金额, 实为 {budget_yuan!r}",
                         f"the budget must be an amount greater than 0, got {budget_yuan!r}", column="budget")
    return fen


def _step_fen(step_yuan) -> int:
    try:
        step = to_fen(str(step_yuan)) if step_yuan is not None else 1
    except ValueError:
        step = 0
    if step <= 0:
        raise InputError("取整步长须大于 0", "the rounding step must be greater than 0", column="step")
    return step


def _std(plan, scenario, standards):
    return standards if standards is not None else stds.scenario_standards(plan, scenario)


def max_uniform_amount(plan: dict, beneficiaries: pd.DataFrame, budget_yuan, *, step_yuan=50,
                       scenario: str | None = None, standards: pd.DataFrame | None = None) -> dict:
    """The highest amount per recipient (a multiple of ``step_yuan``) that fits ``budget_yuan``.

    Returns amount_fen, recipients, total_fen (the cost at that amount),
    budget_fen and the uniform standards (cash = amount, goods = 0).
    """
    budget = _budget_fen(budget_yuan)
    step = _step_fen(step_yuan)
    std = _std(plan, scenario, standards)
    groups = bm.aggregate(beneficiaries)
    recipients = int(bm.group_amounts(groups, std)[0].sum()) if len(groups) else 0
    room = al.gifts_room(budget, int(bm.overhead_items(plan)["total_fen"].sum()), plan.get("contingency_pct", 0))
    if room < 0:
        amount = 0
    elif recipients == 0:
        amount = 0
    else:
        amount = room // recipients // step * step
    uniform = stds.uniform_standards(std, amount)
    result = bm.cost_model(plan, groups, scenario=scenario, standards=uniform)
    return {"amount_fen": int(amount), "recipients": recipients, "total_fen": result.total_fen,
            "budget_fen": budget, "fits": result.total_fen <= budget, "standards": uniform}


def max_multiplier(plan: dict, beneficiaries: pd.DataFrame, budget_yuan, *, step_yuan=50,
                   scenario: str | None = None, standards: pd.DataFrame | None = None) -> dict:
    """The highest multiplier on all standards (each rounded down to the step) that fits the budget.

    Returns factor (Fraction), factor_float, total_fen, budget_fen and the
    scaled standards.
    """
    budget = _budget_fen(budget_yuan)
    step = _step_fen(step_yuan)
    std = _std(plan, scenario, standards)
    groups = bm.aggregate(beneficiaries)
    room = al.gifts_room(budget, int(bm.overhead_items(plan)["total_fen"].sum()), plan.get("contingency_pct", 0))
    comps = al._components(groups, std)
    factor = al.max_factor(comps, room, step) if room >= 0 else Fraction(0)
    scaled = stds.scale_standards(std, factor, step_yuan=Decimal(step) / 100, down=True)
    result = bm.cost_model(plan, groups, scenario=scenario, standards=scaled)
    return {"factor": factor, "factor_float": float(factor), "total_fen": result.total_fen, "budget_fen": budget,
            "fits": result.total_fen <= budget, "standards": scaled}


def budget_for_coverage(plan: dict, beneficiaries: pd.DataFrame, coverage=0.95, *, scenario: str | None = None,
                        standards: pd.DataFrame | None = None, by: str = "recipients") -> dict:
    """The budget needed to cover at least ``coverage`` of the eligible, served in priority order.

    ``by`` counts coverage in recipients (as the standards count them),
    households or persons. Returns budget_fen (overheads and contingency
    included), covered and eligible counts, and the gifts of the covered.
    """
    try:
        share = stds.exact(coverage)
    except (ArithmeticError, ValueError, TypeError):
        share = Fraction(-1)
    if not 0 <= share <= 1:
        raise InputError(f"覆盖率须在 0 到 1 之间, 实为 {coverage!r}", f"coverage must be between 0 and 1, got {coverage!r}",
                         column="coverage")
    if by not in ("recipients", "households", "persons"):
        raise ValueError(f"by must be recipients, households or persons, not {by!r}")
    std = _std(plan, scenario, standards)
    ben = beneficiaries
    oh = int(bm.overhead_items(plan)["total_fen"].sum())
    if not len(ben):
        total = oh + bm.contingency_fen(oh, plan.get("contingency_pct", 0))
        return {"budget_fen": total, "covered": 0, "eligible": 0, "gifts_fen": 0, "coverage": share}
    order = al.priority_order(ben, std)
    units, unit_cost = al.row_costs(ben, std)
    count = bm.group_amounts(ben, std)[0]
    measure = {"recipients": count, "households": ben["households"].to_numpy(dtype=np.int64),
               "persons": ben["persons"].to_numpy(dtype=np.int64)}[by]
    eligible = int(measure.sum())
    need = math.ceil(share * eligible)
    divisible = ben["divisible"].to_numpy(dtype=bool)
    # measure covered per unit of a row (for divisible groups covered in part)
    cum = np.cumsum(measure[order])
    k = int(np.searchsorted(cum, need, side="left"))  # rows [0..k] reach `need`
    if need == 0:
        gifts, covered = 0, 0
    else:
        cost = (units * unit_cost)[order]
        gifts = int(cost[:k].sum())
        got = int(cum[k - 1]) if k else 0
        r = order[k]
        short = need - got
        if divisible[r] and measure[r] > 0:
            # units of row r needed to reach `short` of its measure
            u = math.ceil(Fraction(short * int(units[r]), int(measure[r])))
            gifts += u * int(unit_cost[r])
            covered = got + int(Fraction(u * int(measure[r]), int(units[r])).__floor__())
        else:
            gifts += int(cost[k])
            covered = got + int(measure[r])
    total = gifts + oh + bm.contingency_fen(gifts + oh, plan.get("contingency_pct", 0))
    return {"budget_fen": int(total), "covered": int(covered), "eligible": eligible, "gifts_fen": int(gifts),
            "coverage": share}


def seek_all(plan: dict, beneficiaries: pd.DataFrame, budget_yuan=None, *, step_yuan=None, coverage=0.95,
             scenario: str | None = None, standards: pd.DataFrame | None = None) -> dict:
    """The three answers at once, for a notebook: uniform amount, multiplier, budget for ``coverage``.

    ``budget_yuan`` defaults to the plan's budget cap, else its total funding;
    ``step_yuan`` to the plan's rounding step (else 50).
    """
    if budget_yuan is None:
        cap = plan.get("budget_cap")
        budget_yuan = cap if cap is not None else sum(stds.exact(f.get("amount", 0)) for f in plan.get("funding") or [])
        budget_yuan = str(Decimal(budget_yuan.numerator) / budget_yuan.denominator) \
            if isinstance(budget_yuan, Fraction) else budget_yuan
    step = step_yuan if step_yuan is not None else (plan.get("rounding_step") or 50)
    std = _std(plan, scenario, standards)
    extra = {"pools": per_pool(plan, beneficiaries, standards=std, step_yuan=step)} if pools.declared(plan) else {}
    # People several organizers list count once (the plan's per-person rule at these standards).
    beneficiaries = bm.paid_beneficiaries(plan, beneficiaries, std)[0]
    groups = bm.aggregate(beneficiaries)
    return {**extra,
        "budget_fen": _budget_fen(budget_yuan),
        "step_fen": _step_fen(step),
        "uniform": max_uniform_amount(plan, groups, budget_yuan, step_yuan=step, standards=std),
        "multiplier": max_multiplier(plan, groups, budget_yuan, step_yuan=step, standards=std),
        "coverage": budget_for_coverage(plan, beneficiaries, coverage, standards=std),
    }


def per_pool(plan: dict, beneficiaries: pd.DataFrame, *, scenario: str | None = None,
             standards: pd.DataFrame | None = None, step_yuan=None) -> pd.DataFrame:
    """Goal seek per funding pool (plans with pools): one row per pool.

    Columns: source, source_en, amount_fen; needed_fen (what the pool must
    hold to pay everything asked of it when its turn comes, overheads and its
    contingency included - earlier pools as they are); headroom_fen (amount -
    needed, negative when short); covered_pct (recipients asked of the pool
    that its amount pays in full, served by priority); factor (the share of
    what it is asked that it pays when every standard it pays is scaled
    uniformly, rounded down to the step; 1 when it pays in full).
    """
    if not pools.declared(plan):
        raise InputError("方案未设资金池", "the plan has no funding pools", column="funding")
    std = _std(plan, scenario, standards)
    step = _step_fen(step_yuan if step_yuan is not None else (plan.get("rounding_step") or 50))
    ben, _ = bm.paid_beneficiaries(plan, beneficiaries, std)
    prio = pool_allocation.allocate_in_pools(plan, ben, std, mode="priority", step_fen=step)
    scale = pool_allocation.allocate_in_pools(plan, ben, std, mode="scale", step_fen=step)
    rows = []
    for i, pool in enumerate(prio.pools):
        row = prio.table.iloc[i]
        asked = np.asarray(prio.run.row_paid[i]) > 0
        short_here = (prio.run.short_cash_pool == i) | (prio.run.short_goods_pool == i)
        n_asked = int(asked.sum() + (short_here & ~asked).sum())
        rows.append({"source": pool.name, "source_en": pool.name_en, "amount_fen": pool.amount_fen,
                     "needed_fen": int(row["need_in_pool_fen"]),
                     "headroom_fen": pool.amount_fen - int(row["need_in_pool_fen"]),
                     "covered_pct": round(100 * int((asked & ~short_here).sum()) / n_asked, 1) if n_asked else 100.0,
                     "factor": float(scale.run.factors[i]) if i < len(scale.run.factors) else 1.0})
    out = pd.DataFrame(rows)
    for col in ("amount_fen", "needed_fen", "headroom_fen"):
        out[col] = out[col].astype("int64")
    return out
