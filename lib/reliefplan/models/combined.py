"""Several plans for one city (多部门方案合并): side by side, and combined without paying a person twice.

The 民政局, the 总工会 and the 人社局 each write their own plan from their own
lists and money. :func:`combine` costs each plan on its own beneficiaries
(with its own pools and per-person rule) and then looks across them: a
person both plans pay is paid once, by the plan that pays them more (ties:
the plan listed first), unless every plan involved says
``cross_plan_rule: pay_all`` (各自慰问). The saving is shown against the
plans' sum.

Each plan keeps its own money: the combined figures only remove a payment
from the plan that no longer makes it; they never move money between plans.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reliefplan.core.errors import ConfigError
from reliefplan.models import allocation as al

CROSS_RULES = ("highest_once", "pay_all")


@dataclass
class Combined:
    """The plans' allocations, who they share, and the combined totals."""

    names: list
    allocations: list                  # allocation.Allocation per plan (what each pays on its own)
    payments: pd.DataFrame             # per person and plan: paid_fen, kept (after the cross-plan rule)
    table: pd.DataFrame                # per plan: total, gifts, dropped, combined total; a last row 合计


def cross_rule(plans: list) -> str:
    """``pay_all`` only when every plan allows paying people the other plans pay; else ``highest_once``."""
    rules = []
    for plan in plans:
        rule = plan.get("cross_plan_rule") or "highest_once"
        if rule not in CROSS_RULES:
            raise ConfigError(f"字段 cross_plan_rule 须为 {' / '.join(CROSS_RULES)}, 实为 {rule!r}",
                              f"field cross_plan_rule must be one of {', '.join(CROSS_RULES)}, got {rule!r}",
                              file=plan.get("_path"), column="cross_plan_rule")
        rules.append(rule)
    return "pay_all" if all(r == "pay_all" for r in rules) else "highest_once"


def person_paid(alloc: al.Allocation, beneficiaries: pd.DataFrame) -> pd.Series:
    """Gifts (fen) one plan pays each person (``person_key`` -> fen), after its rule and its pools or cap."""
    paid = alloc.paid_fen().reindex(beneficiaries.index).fillna(0).astype("int64")
    return paid.groupby(beneficiaries["person_key"].to_numpy()).sum().astype("int64")


def combine(plans: list, beneficiaries: list, *, names: list | None = None) -> Combined:
    """Cost each plan on its beneficiaries, then pay a person several plans list only once (see module doc)."""
    if len(plans) != len(beneficiaries):
        raise ValueError("one beneficiaries frame per plan")
    names = names or [str(p.get("name", f"plan {i + 1}")) for i, p in enumerate(plans)]
    allocs = [al.allocate(p, b) for p, b in zip(plans, beneficiaries)]
    frames = []
    for i, (a, b) in enumerate(zip(allocs, beneficiaries)):
        if "person_key" not in b:
            raise ConfigError(f"方案 {names[i]} 的对象没有身份信息, 无法跨方案比对",
                              f"plan {names[i]}'s beneficiaries carry no person keys; plans cannot be compared")
        paid = person_paid(a, b)
        frames.append(pd.DataFrame({"person_key": paid.index, "plan_index": i, "paid_fen": paid.to_numpy()}))
    pay = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["person_key", "plan_index",
                                                                                     "paid_fen"])
    pay = pay.loc[pay["paid_fen"] > 0].copy()
    pay["plans"] = pay.groupby("person_key")["plan_index"].transform("size")
    rule = cross_rule(plans)
    if rule == "pay_all":
        pay["kept"] = True
    else:
        ranked = pay.sort_values(["person_key", "paid_fen", "plan_index"], ascending=[True, False, True], kind="stable")
        first = ~ranked["person_key"].duplicated()
        pay["kept"] = first.reindex(pay.index)
    pay["plan"] = [names[i] for i in pay["plan_index"]]
    rows = []
    for i, a in enumerate(allocs):
        mine = pay.loc[pay["plan_index"] == i]
        dropped = int(mine.loc[~mine["kept"], "paid_fen"].sum())
        rows.append({"plan": names[i], "total_fen": int(a.budget.total_fen), "gifts_fen": int(a.budget.totals["gifts_fen"]),
                     "shared_people": int((mine["plans"] > 1).sum()), "dropped_fen": dropped,
                     "combined_total_fen": int(a.budget.total_fen) - dropped})
    table = pd.DataFrame(rows)
    total = {"plan": "合计", **{c: int(table[c].sum()) for c in table.columns if c != "plan"}}
    total["shared_people"] = int(pay.loc[pay["plans"] > 1, "person_key"].nunique())
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    for col in [c for c in table.columns if c != "plan"]:
        table[col] = table[col].astype("int64")
    return Combined(names, allocs, pay.reset_index(drop=True), table)
