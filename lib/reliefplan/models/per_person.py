"""One payment per person (同一对象不重复慰问): what each listing of a person is paid.

民政, 工会, 残联, 学校 and 社区 keep their own lists, so one person may be
listed by several organizers (填报单位). The plan says how such a person is
paid (``per_person_rule``):

- ``highest_once`` (就高不重复): one payment, the listing with the highest
  standard; the person's other listings are not paid;
- ``each_up_to_cap`` (分别慰问, 累计不超过上限): each organizer pays its own
  standard, highest first, until the person's total reaches
  ``per_person_cap``; the listing that crosses the cap is paid the rest
  (goods kept whole where the cap allows, cash cut first), later ones nothing;
- ``pay_all`` (各自慰问): every listing is paid in full.

:func:`listing_payments` is the one answer every consumer uses - the budget
(through :func:`apply_rule`), the 登记表 and the roll-up - so they all count
the same money. Rows without a person (counted groups, e.g. a forecast) are
paid in full. Amounts are integer fen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reliefplan.core.errors import ConfigError
from reliefplan.core.money import format_yuan, to_fen
from reliefplan.models import standards as stds

RULES = ("highest_once", "each_up_to_cap", "pay_all")
RULE_LABELS = {
    "highest_once": ("就高慰问一次", "Once, at the highest standard"),
    "each_up_to_cap": ("各单位分别慰问, 每人累计不超过上限", "Each organizer's standard, up to a per-person cap"),
    "pay_all": ("各单位各自慰问(不合并)", "Every listing paid"),
}
CUT_COLUMNS = ("cash_cut_fen", "goods_cut_fen")


def plan_rule(plan: dict) -> tuple[str, int]:
    """(rule, cap in fen) from the plan; ``pay_all`` when the plan names no rule.

    ``each_up_to_cap`` needs a ``per_person_cap`` above 0; an unknown rule is
    an error naming the field.
    """
    rule = plan.get("per_person_rule") or "pay_all"
    if rule not in RULES:
        raise ConfigError(f"字段 per_person_rule 须为 {' / '.join(RULES)}, 实为 {rule!r}",
                          f"field per_person_rule must be one of {', '.join(RULES)}, got {rule!r}",
                          file=plan.get("_path"), column="per_person_rule")
    cap = plan.get("per_person_cap")
    cap_fen = to_fen(str(cap)) if cap not in (None, "") else 0
    if rule == "each_up_to_cap" and cap_fen <= 0:
        raise ConfigError("per_person_rule 为 each_up_to_cap 时须设 per_person_cap (大于 0)",
                          "per_person_rule each_up_to_cap needs a per_person_cap above 0",
                          file=plan.get("_path"), column="per_person_cap")
    return rule, cap_fen


def full_amounts(beneficiaries: pd.DataFrame, standards: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(cash, goods) in fen each row costs when paid in full: count (households or persons) x the standard."""
    pos = stds.category_positions(standards, beneficiaries["category"])
    per_person = (standards["per"].to_numpy() == "person")[pos]
    count = np.where(per_person, beneficiaries["persons"].to_numpy(dtype=np.int64),
                     beneficiaries["households"].to_numpy(dtype=np.int64))
    cash, goods = stds.unit_amounts(standards, pos, beneficiaries["dibao_fen"].to_numpy(dtype=np.int64))
    return count * cash, count * goods


def listing_payments(beneficiaries: pd.DataFrame, standards: pd.DataFrame, *, rule: str = "pay_all",
                     cap_fen: int = 0, fundable: np.ndarray | None = None) -> pd.DataFrame:
    """Per listing (indexed like ``beneficiaries``): what paying it in full costs and what the rule pays.

    Columns: person_key, organizer, category, listings (how many of the
    beneficiaries' rows are this person), rank (1 = paid first), paid (any
    money goes to this listing), full_cash_fen, full_goods_fen, cash_fen,
    goods_fen, rule_note (zh) and rule_note_en (why a listing is cut).

    A person's listings are taken highest full amount first, then category
    priority, then organizer name, then registry order, so the result does
    not depend on row order. With ``fundable`` (per row: some funding pool
    may pay it), listings no pool may pay come last: a person is not left
    unpaid for choosing the listing nobody can fund.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, not {rule!r}")
    n = len(beneficiaries)
    cash, goods = full_amounts(beneficiaries, standards) if n else (np.zeros(0, np.int64),) * 2
    amount = cash + goods
    if "person_key" in beneficiaries:
        raw = beneficiaries["person_key"].astype(object)
        key_str = raw.astype(str).to_numpy(dtype=object)
        key = raw.where(raw.notna().to_numpy() & (key_str != ""), None)
    else:
        key = pd.Series([None] * n, index=beneficiaries.index, dtype=object)
        key_str = np.array(["None"] * n, dtype=object)
    organizer = (beneficiaries["organizer"].astype(object).fillna("") if "organizer" in beneficiaries
                 else pd.Series([""] * n, index=beneficiaries.index, dtype=object))
    pos = stds.category_positions(standards, beneficiaries["category"]) if n else np.zeros(0, np.int64)
    prio = standards["priority"].to_numpy(dtype=np.int64)[np.maximum(pos, 0)] if n else np.zeros(0, np.int64)
    # Rows without a person are their own key (never merged with anyone).
    known = key.notna().to_numpy()
    # a person is a number (the order of people does not matter, only the order of each one's listings)
    gkey = np.empty(n, dtype=np.int64)
    gkey[known] = pd.factorize(key_str[known])[0] if known.any() else 0
    gkey[~known] = int(known.sum()) + np.arange(int((~known).sum()))
    unfunded = np.zeros(n, dtype=bool) if fundable is None else ~np.asarray(fundable, dtype=bool)
    # 填报单位 as its rank among the distinct names (factorize sorts as Python compares), then one lexsort
    org_rank = pd.factorize(organizer.astype(str).to_numpy(dtype=object), sort=True)[0] if n else np.zeros(0, np.int64)
    order = np.lexsort((np.arange(n), org_rank, prio, -amount, unfunded, gkey))
    sk = gkey[order]
    first = np.ones(n, dtype=bool)
    if n > 1:
        first[1:] = sk[1:] != sk[:-1]
    group = np.cumsum(first) - 1
    rank = np.arange(n) - np.flatnonzero(first)[group] + 1 if n else np.zeros(0, np.int64)
    sizes = np.bincount(group, minlength=int(group.max()) + 1 if n else 0)
    a_s, g_s = amount[order], goods[order]
    if rule == "pay_all":
        allowed = a_s
    elif rule == "highest_once":
        allowed = np.where(rank == 1, a_s, 0)
    else:
        cum = np.cumsum(a_s)
        start = (cum - a_s)[np.flatnonzero(first)][group]   # total of the earlier groups
        before = cum - a_s - start                            # this person's listings paid before this one
        allowed = np.clip(int(cap_fen) - before, 0, a_s)
    goods_paid = np.minimum(g_s, allowed)
    cash_paid = allowed - goods_paid
    # paid: the listing is one the person is paid under (a person's first listing always is, even at 0 yuan)
    paid_s = (rank == 1) | (allowed > 0) if rule != "pay_all" else np.ones(n, dtype=bool)
    out_cash, out_goods, out_rank, out_n = (np.zeros(n, dtype=np.int64) for _ in range(4))
    out_paid = np.zeros(n, dtype=bool)
    out_cash[order], out_goods[order], out_rank[order], out_n[order] = cash_paid, goods_paid, rank, sizes[group]
    out_paid[order] = paid_s
    note_zh, note_en = _notes(out_n, out_paid, (out_cash != cash) | (out_goods != goods), rule, cap_fen)
    out = pd.DataFrame({
        "person_key": key.to_numpy(dtype=object), "organizer": organizer.to_numpy(dtype=object),
        "category": beneficiaries["category"].to_numpy(dtype=object),
        "listings": out_n, "rank": out_rank, "full_cash_fen": cash, "full_goods_fen": goods,
        "cash_fen": out_cash, "goods_fen": out_goods, "paid": out_paid,
    }, index=beneficiaries.index)
    out["rule_note"], out["rule_note_en"] = note_zh, note_en
    return out


def _notes(listings: np.ndarray, paid_any: np.ndarray, changed: np.ndarray, rule: str,
           cap_fen: int) -> tuple[list[str], list[str]]:
    """Why each listing of a person listed more than once is paid less than in full (zh, en); "" otherwise."""
    zh, en = [""] * len(listings), [""] * len(listings)
    for i in np.flatnonzero((listings > 1) & changed).tolist():  # only listings the rule changed get a note
        n, paid = int(listings[i]), bool(paid_any[i])
        if rule == "highest_once" or not paid:
            zh[i] = f"同一对象由{n}个单位登记, 已按较高标准在他处发放"
            en[i] = f"listed by {n} organizers; paid once elsewhere at a higher standard"
        else:
            zh[i] = f"同一对象由{n}个单位登记, 按每人上限 {format_yuan(cap_fen)} 元减发"
            en[i] = f"listed by {n} organizers; cut to the per-person cap of {format_yuan(cap_fen)}"
    return zh, en


def apply_rule(beneficiaries: pd.DataFrame, standards: pd.DataFrame, *, rule: str, cap_fen: int = 0) -> pd.DataFrame:
    """The beneficiaries the budget pays under ``rule``: unpaid listings left out, cut listings marked.

    Kept rows carry ``cash_cut_fen`` and ``goods_cut_fen``: what the rule
    takes off their full cost (0 for most). With ``pay_all``, or without
    person keys, the frame is returned as it is.
    """
    if rule == "pay_all" or "person_key" not in beneficiaries or not len(beneficiaries):
        return beneficiaries
    return apply_payments(beneficiaries, listing_payments(beneficiaries, standards, rule=rule, cap_fen=cap_fen))


def apply_payments(beneficiaries: pd.DataFrame, pay: pd.DataFrame) -> pd.DataFrame:
    """The beneficiaries cut to what :func:`listing_payments` ``pay`` says is paid (see :func:`apply_rule`)."""
    keep = pay["paid"].reindex(beneficiaries.index).fillna(True).to_numpy(dtype=bool)
    pay = pay.reindex(beneficiaries.index)
    out = beneficiaries.loc[keep].copy()
    out["cash_cut_fen"] = (pay["full_cash_fen"] - pay["cash_fen"]).fillna(0).to_numpy()[keep].astype(np.int64)
    out["goods_cut_fen"] = (pay["full_goods_fen"] - pay["goods_fen"]).fillna(0).to_numpy()[keep].astype(np.int64)
    return out


def apply_plan_rule(plan: dict, beneficiaries: pd.DataFrame, standards: pd.DataFrame) -> pd.DataFrame:
    """:func:`apply_rule` with the plan's ``per_person_rule`` and ``per_person_cap``."""
    rule, cap = plan_rule(plan)
    return apply_rule(beneficiaries, standards, rule=rule, cap_fen=cap)


def plan_payments(plan: dict, beneficiaries: pd.DataFrame, standards: pd.DataFrame,
                  fundable: np.ndarray | None = None) -> pd.DataFrame:
    """:func:`listing_payments` under the plan's own rule: per listing, paid or not and how much (fen).

    This is what the 登记表 shows per row (one row per person per 填报单位)
    and what the budget counts. Use :func:`reliefplan.models.budget.listing_payments`
    to have the plan's funding pools decide ``fundable``.
    """
    rule, cap = plan_rule(plan)
    return listing_payments(beneficiaries, standards, rule=rule, cap_fen=cap, fundable=fundable)


def cuts(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(cash cut, goods cut) per row in fen: the ``*_cut_fen`` columns, zeros when absent."""
    n = len(frame)
    return tuple(frame[c].to_numpy(dtype=np.int64) if c in frame else np.zeros(n, dtype=np.int64)
                 for c in CUT_COLUMNS)


def saving(payments: pd.DataFrame) -> dict:
    """What the rule saves against paying every listing (fen), and how many people and listings it touches."""
    full = int(payments["full_cash_fen"].sum() + payments["full_goods_fen"].sum())
    paid = int(payments["cash_fen"].sum() + payments["goods_fen"].sum())
    multi = payments.loc[payments["listings"] > 1]
    return {
        "listings": int(len(payments)),
        "people": int(payments["person_key"].nunique(dropna=True) + payments["person_key"].isna().sum()),
        "multi_listed_people": int(multi["person_key"].nunique()),
        "multi_listings": int(len(multi)),
        "unpaid_listings": int((~payments["paid"]).sum()),
        "cut_listings": int((((payments["cash_fen"] + payments["goods_fen"]) <
                              (payments["full_cash_fen"] + payments["full_goods_fen"])) & payments["paid"]).sum()),
        "full_fen": full, "paid_fen": paid, "saving_fen": full - paid,
    }
