"""Funding pools (资金池): each source pays only what it may pay, and money never moves between them.

工会经费 pays union cases, 民政 relief funds pay 民政 cases, a donation may be
rice and oil only. A plan declares its sources under ``funding:``; a source
with ``categories:`` (and/or ``organizers:``) is a pool::

    funding:
      - {source: 民政救助资金, amount: 2000000, categories: [tekun, dibao], overheads: true}
      - {source: 福彩公益金, amount: 300000, categories: [dibao]}      # 低保户: 民政 first, then 福彩
      - {source: 社会捐赠, amount: 80000, categories: [dibao], goods_only: true}
      - {source: 工会经费, amount: 600000, organizers: [总工会]}

- A listing may be paid by a pool when its category is in the pool's
  ``categories`` (when given) and its organizer (填报单位) is one of the
  pool's ``organizers`` or ends with one (``总工会`` matches ``芗城区总工会``).
- A category paid by several pools draws on them in the order they are
  listed: the first pays what it can, what is left goes to the next.
- ``goods_only`` pools pay only the goods (慰问品) part.
- One pool pays the overheads (工作经费): the one marked ``overheads: true``,
  else the first unrestricted pool, else the first that is not goods-only.
  Each pool keeps back the contingency (``contingency_pct``) on what it spends.
- The cap rule runs inside each pool (:func:`run_pools`): by priority (a
  strict prefix of the serving order among the rows the pool may pay) or by
  uniform scale (one factor on what its rows still need, rounded down to the
  step). A part left unpaid is short because of the last pool that could pay
  it, or because no pool may pay it at all (``short_pool`` -1).

Without any ``categories``/``organizers`` the plan has one pot: the budget
cap applies to everything and the sources are shown in proportion
(:func:`reliefplan.models.budget.funding_table`), as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.core.errors import ConfigError
from reliefplan.core.money import to_fen
from reliefplan.models import cap_rules

NO_POOL = -1        # a part no pool may pay
NOT_SHORT = -2      # a part paid in full
CAP = -3            # a part the pools would pay but the overall budget cap does not allow


@dataclass(frozen=True)
class Pool:
    """One funding source as a pool: what it holds and what it may pay for."""

    name: str
    name_en: str
    amount_fen: int
    categories: tuple | None = None     # None: any category
    organizers: tuple | None = None     # None: any organizer
    goods_only: bool = False
    overheads: bool = False             # pays the overheads (and their contingency)


def declared(plan: dict) -> bool:
    """True when the plan's funding sources are pools (any names categories or organizers)."""
    return any(isinstance(f, dict) and (f.get("categories") or f.get("organizers")) for f in plan.get("funding") or [])


def _fail(plan, field, zh, en):
    raise ConfigError(f"字段 {field}: {zh}", f"field {field}: {en}", file=plan.get("_path"), column=field)


def plan_pools(plan: dict, amounts: dict | None = None) -> list[Pool]:
    """The plan's pools in order; ``amounts`` (source name -> fen) replaces amounts (what-if, goal seek).

    Checks: every category named is in the plan; a pool is not both
    goods-only and the overhead payer; at most one pool is marked
    ``overheads: true``. Which pool pays the overheads when none is marked
    is decided here (see the module docstring).
    """
    amounts = amounts or {}
    known = set(plan.get("categories") or {})
    raw = [f for f in plan.get("funding") or [] if isinstance(f, dict)]
    unknown = set(amounts) - {str(f.get("source", "")) for f in raw}
    if unknown:
        _fail(plan, "funding", f"没有资金来源 {', '.join(sorted(unknown))}", f"no funding source {', '.join(sorted(unknown))}")
    marked = [i for i, f in enumerate(raw) if f.get("overheads")]
    if len(marked) > 1:
        _fail(plan, f"funding[{marked[1]}].overheads", "只能有一个资金来源支付工作经费",
              "only one funding source may pay the overheads")
    pools = []
    for i, f in enumerate(raw):
        cats = f.get("categories")
        if cats is not None:
            cats = tuple(str(c) for c in (cats if isinstance(cats, list) else [cats]))
            bad = [c for c in cats if c not in known]
            if bad:
                _fail(plan, f"funding[{i}].categories", f"类别不在本方案中: {', '.join(bad)}",
                      f"categories not in this plan: {', '.join(bad)}")
        orgs = f.get("organizers")
        if orgs is not None:
            orgs = tuple(str(o) for o in (orgs if isinstance(orgs, list) else [orgs]))
        if f.get("goods_only") and f.get("overheads"):
            _fail(plan, f"funding[{i}].overheads", "仅限慰问品的资金不能支付工作经费",
                  "a goods-only source cannot pay the overheads")
        name = str(f.get("source", ""))
        amount = amounts.get(name)
        pools.append(Pool(name=name, name_en=str(f.get("source_en") or name),
                          amount_fen=int(amount) if amount is not None else to_fen(str(f.get("amount", 0))),
                          categories=cats or None, organizers=orgs or None, goods_only=bool(f.get("goods_only")),
                          overheads=bool(f.get("overheads"))))
    if pools and not marked:
        free = [i for i, p in enumerate(pools) if not p.goods_only and p.categories is None and p.organizers is None]
        cash = [i for i, p in enumerate(pools) if not p.goods_only]
        pick = (free or cash or [None])[0]
        if pick is not None:
            pools[pick] = Pool(**{**pools[pick].__dict__, "overheads": True})
    return pools


def organizer_matches(organizer: str, wanted: tuple) -> bool:
    """The 填报单位 is one of ``wanted`` or ends with one (``总工会`` matches ``芗城区总工会``)."""
    org = str(organizer or "")
    return bool(org) and any(org == w or org.endswith(w) for w in wanted)


def may_pay(pool: Pool, category: np.ndarray, organizer: np.ndarray | None) -> np.ndarray:
    """Per row: the pool may pay this listing (by category and organizer)."""
    ok = np.ones(len(category), dtype=bool)
    if pool.categories is not None:
        ok &= pd.Index(pool.categories).get_indexer(pd.Index(np.asarray(category, dtype=object))) >= 0
    if pool.organizers is not None:
        orgs = organizer if organizer is not None else np.array([""] * len(category), dtype=object)
        # each distinct 填报单位 is matched once; rows take their answer by code (no Python loop over rows)
        codes, uniq = pd.factorize(pd.Series(orgs, dtype=object).fillna(""))
        hit = np.array([organizer_matches(o, pool.organizers) for o in uniq], dtype=bool)
        ok &= hit[codes] if len(uniq) else np.zeros(len(codes), dtype=bool)
    return ok


def may_pay_each(pools: list, category: np.ndarray, organizer: np.ndarray | None) -> list[np.ndarray]:
    """:func:`may_pay` for every pool, the rows' categories and 填报单位 hashed once for all of them."""
    n = len(category)
    cat_codes, cats = pd.factorize(np.asarray(category, dtype=object))
    org_codes, orgs = pd.factorize(np.asarray(organizer, dtype=object) if organizer is not None
                                   else np.array([""] * n, dtype=object))
    # a missing 填报单位 is "" (as may_pay reads it); factorize marks it -1
    org_codes = np.where(org_codes < 0, len(orgs), org_codes)
    orgs = list(orgs) + [""]
    out = []
    for pool in pools:
        ok = np.ones(n, dtype=bool)
        if pool.categories is not None:
            wanted = set(pool.categories)
            hit = np.array([c in wanted for c in cats] + [False], dtype=bool)
            ok &= hit[cat_codes]
        if pool.organizers is not None:
            hit = np.array([organizer_matches(o, pool.organizers) for o in orgs], dtype=bool)
            ok &= hit[org_codes]
        out.append(ok)
    return out


def fundable(plan: dict, ben: pd.DataFrame) -> np.ndarray:
    """Per beneficiary row: some pool of the plan may pay its cash (by category and organizer).

    Goods-only pools do not count: a listing only they may pay leaves its cash unfunded.
    """
    category = ben["category"].to_numpy(dtype=object)
    organizer = ben["organizer"].to_numpy(dtype=object) if "organizer" in ben else None
    out = np.zeros(len(ben), dtype=bool)
    cash_pools = [p for p in plan_pools(plan) if not p.goods_only]
    for ok in may_pay_each(cash_pools, category, organizer):
        out |= ok
    return out


@dataclass
class PoolRun:
    """What :func:`run_pools` paid: per row (in fen, over all its units) and per pool."""

    cash_paid: np.ndarray
    goods_paid: np.ndarray
    reached_units: np.ndarray     # units that receive something (or need nothing)
    full_units: np.ndarray        # units paid in full, both parts
    short_cash_pool: np.ndarray   # pool whose shortfall left cash unpaid, NO_POOL, or NOT_SHORT
    short_goods_pool: np.ndarray
    short_cash_units: np.ndarray  # units whose cash is not paid in full
    short_goods_units: np.ndarray
    pool_gifts: np.ndarray        # gifts paid by each pool (fen)
    row_paid: list                # per pool: what it pays each row (fen)
    row_cash: list                # per pool: the cash part of it
    row_goods: list               # per pool: the goods part
    pool_asked: np.ndarray        # what each pool was asked for when its turn came (fen)
    factors: list = field(default_factory=list)   # scale mode: each pool's factor (1 when it paid in full)


def run_pools(units, unit_cash, unit_goods, order, divisible, payable: list, goods_only: list, rooms: list, *,
              mode: str = "priority", step: int = 100) -> PoolRun:
    """Pay rows from the pools in order; the cap rule runs inside each pool (see the module docstring).

    ``units`` per row (1 for a registry row, the count for a divisible
    group); ``unit_cash``/``unit_goods`` what one unit costs in fen;
    ``order`` the serving order (row positions); ``payable[p]`` which rows
    pool p may pay; ``rooms[p]`` the money pool p has for gifts (fen).

    Priority: a pool pays the parts it may pay of each row it can afford
    whole, in serving order, and stops at the first it cannot (a divisible
    group gets the whole units that fit); unpaid parts go on to the next
    pool. Scale: a pool that cannot pay all it is asked for pays every part
    the same share, rounded down to ``step`` fen per unit; the rest goes on.
    """
    n = len(units)
    u = np.asarray(units, dtype=np.int64)
    uc, ug = np.asarray(unit_cash, dtype=np.int64), np.asarray(unit_goods, dtype=np.int64)
    div = np.asarray(divisible, dtype=bool)
    order = np.asarray(order, dtype=np.int64)
    npools = len(payable)
    asked, gifts = np.zeros(npools, dtype=np.int64), np.zeros(npools, dtype=np.int64)
    last_c = np.full(n, NO_POOL, dtype=np.int64)
    last_g = np.full(n, NO_POOL, dtype=np.int64)
    factors, row_paid, row_cash, row_goods = [], [], [], []
    if mode == "priority":
        rem_c = np.where(uc > 0, u, 0)   # units whose cash is still unpaid
        rem_g = np.where(ug > 0, u, 0)
        for p in range(npools):
            ok = np.asarray(payable[p], dtype=bool)
            pc = ok & (not goods_only[p])
            last_c[pc & (uc > 0)] = p
            last_g[ok & (ug > 0)] = p
            c_units = np.where(pc, rem_c, 0)
            g_units = np.where(ok, rem_g, 0)
            bundle = np.maximum(c_units, g_units)
            unit_cost = np.where(c_units > 0, uc, 0) + np.where(g_units > 0, ug, 0)
            cost = np.where(div, bundle * unit_cost, c_units * uc + g_units * ug)
            asked[p] = int(cost.sum())
            room = int(rooms[p])
            k_units = cap_rules.cover_prefix(np.where(div, bundle, (cost > 0).astype(np.int64)),
                                             np.where(div, unit_cost, cost), order, room, div)
            k = np.where(div, k_units, np.where(k_units > 0, bundle, 0))
            pay_c, pay_g = np.minimum(k, c_units), np.minimum(k, g_units)
            row_cash.append((pay_c * uc).astype(np.int64))
            row_goods.append((pay_g * ug).astype(np.int64))
            row_paid.append(row_cash[-1] + row_goods[-1])
            gifts[p] = int(row_paid[-1].sum())
            rem_c, rem_g = rem_c - pay_c, rem_g - pay_g
        cash_paid = (np.where(uc > 0, u, 0) - rem_c) * uc
        goods_paid = (np.where(ug > 0, u, 0) - rem_g) * ug
        full = u - np.maximum(rem_c, rem_g)
        reached = np.where((uc + ug) == 0, u, np.maximum(np.where(uc > 0, u - rem_c, 0),
                                                          np.where(ug > 0, u - rem_g, 0)))
        left_c, left_g = rem_c > 0, rem_g > 0
        short_c, short_g = rem_c, rem_g
    else:
        rc, rg = uc.copy(), ug.copy()   # still unpaid per unit
        for p in range(npools):
            ok = np.asarray(payable[p], dtype=bool)
            pc = ok & (not goods_only[p])
            last_c[pc & (uc > 0)] = p
            last_g[ok & (ug > 0)] = p
            want_c, want_g = np.where(pc, rc, 0), np.where(ok, rg, 0)
            asked[p] = int((u * (want_c + want_g)).sum())
            room = int(rooms[p])
            if asked[p] <= room:
                f = Fraction(1)
                pay_c, pay_g = want_c, want_g
            else:
                comps = _components(u, want_c, want_g)
                f = cap_rules.max_factor(comps, room, step, hi=Fraction(1)) if room >= 0 else Fraction(0)
                pay_c, pay_g = _scaled(want_c, f, step), _scaled(want_g, f, step)
            factors.append(f)
            row_cash.append((u * pay_c).astype(np.int64))
            row_goods.append((u * pay_g).astype(np.int64))
            row_paid.append(row_cash[-1] + row_goods[-1])
            gifts[p] = int(row_paid[-1].sum())
            rc, rg = rc - pay_c, rg - pay_g
        cash_paid, goods_paid = u * (uc - rc), u * (ug - rg)
        got = (cash_paid + goods_paid) > 0
        reached = np.where(got | ((uc + ug) == 0), u, 0)
        full = np.where((rc == 0) & (rg == 0), u, 0)
        left_c, left_g = rc > 0, rg > 0
        short_c, short_g = np.where(left_c, u, 0), np.where(left_g, u, 0)
    return PoolRun(cash_paid=cash_paid.astype(np.int64), goods_paid=goods_paid.astype(np.int64),
                   reached_units=reached.astype(np.int64), full_units=full.astype(np.int64),
                   short_cash_pool=np.where(left_c, last_c, NOT_SHORT),
                   short_goods_pool=np.where(left_g, last_g, NOT_SHORT),
                   short_cash_units=short_c.astype(np.int64), short_goods_units=short_g.astype(np.int64),
                   pool_gifts=gifts, row_paid=row_paid, row_cash=row_cash, row_goods=row_goods, pool_asked=asked,
                   factors=factors)


def apply_cap(run: PoolRun, room: int, units, unit_cash, unit_goods, order, *, mode: str = "priority",
              step: int = 100) -> PoolRun:
    """What the pools pay cut to an overall budget cap: ``room`` fen for gifts across all pools.

    Priority: rows keep what their pools pay while the running total in
    serving order fits; the first row that does not fit and every row after
    it get nothing (a strict prefix, as in one pot). Scale: every pool's
    payment to every row is multiplied by one factor, rounded down to
    ``step`` per unit. A part the cap cuts is short because of the cap
    (:data:`CAP`) unless a pool had already left it short.
    """
    u = np.asarray(units, dtype=np.int64)
    uc, ug = np.asarray(unit_cash, dtype=np.int64), np.asarray(unit_goods, dtype=np.int64)
    total = sum((r for r in run.row_paid), np.zeros(len(u), dtype=np.int64))
    if int(total.sum()) <= room:
        return run
    if mode == "priority":
        keep = cap_rules.cover_prefix((total > 0).astype(np.int64), total, np.asarray(order, dtype=np.int64),
                                      max(int(room), -1)) > 0
        keep |= total == 0
        cash = [np.where(keep, c, 0) for c in run.row_cash]
        goods = [np.where(keep, g, 0) for g in run.row_goods]
        factors = run.factors
    else:
        safe = np.maximum(u, 1)
        comps: dict[int, int] = {}
        for arr in (*run.row_cash, *run.row_goods):
            per = arr // safe
            for a, c in zip(per[per > 0].tolist(), u[per > 0].tolist()):
                comps[a] = comps.get(a, 0) + int(c)
        f = cap_rules.max_factor(sorted((Fraction(a), c) for a, c in comps.items()), int(room), step,
                                 hi=Fraction(1)) if room >= 0 else Fraction(0)
        num, den = f.numerator, f.denominator * step

        def scaled(arr):
            return u * np.array([(int(a) * num // den) * step for a in (arr // safe).tolist()], dtype=np.int64)

        cash, goods = [scaled(c) for c in run.row_cash], [scaled(g) for g in run.row_goods]
        factors = [min(x, f) for x in run.factors]
    cash_paid, goods_paid = sum(cash, np.zeros(len(u), np.int64)), sum(goods, np.zeros(len(u), np.int64))
    cut_c, cut_g = cash_paid < run.cash_paid, goods_paid < run.goods_paid
    full = np.where((cash_paid == u * uc) & (goods_paid == u * ug), u, 0)
    got = (cash_paid + goods_paid) > 0
    reached = np.where(got | ((uc + ug) == 0), np.where(mode == "priority", run.reached_units, u), 0)
    short_c = np.where(cut_c & (run.short_cash_pool == NOT_SHORT), CAP, run.short_cash_pool)
    short_g = np.where(cut_g & (run.short_goods_pool == NOT_SHORT), CAP, run.short_goods_pool)
    su_c = np.where(short_c != NOT_SHORT, np.where(uc > 0, np.maximum(run.short_cash_units, np.where(cut_c, u, 0)), 0), 0)
    su_g = np.where(short_g != NOT_SHORT, np.where(ug > 0, np.maximum(run.short_goods_units, np.where(cut_g, u, 0)), 0), 0)
    paid = [c + g for c, g in zip(cash, goods)]
    return PoolRun(cash_paid=cash_paid, goods_paid=goods_paid, reached_units=reached.astype(np.int64),
                   full_units=full.astype(np.int64), short_cash_pool=short_c, short_goods_pool=short_g,
                   short_cash_units=su_c.astype(np.int64), short_goods_units=su_g.astype(np.int64),
                   pool_gifts=np.array([int(x.sum()) for x in paid], dtype=np.int64), row_paid=paid, row_cash=cash,
                   row_goods=goods, pool_asked=run.pool_asked, factors=factors)


def _components(units, want_c, want_g) -> list[tuple[Fraction, int]]:
    """(amount per unit, units asked it) for each distinct amount a pool is asked to pay."""
    amounts = np.concatenate([want_c, want_g])
    counts = np.concatenate([units, units])
    sel = amounts > 0
    values, inverse = np.unique(amounts[sel], return_inverse=True)
    totals = np.bincount(inverse, weights=counts[sel], minlength=len(values)).astype(np.int64)
    return [(Fraction(int(a)), int(c)) for a, c in zip(values, totals)]


def _scaled(amounts: np.ndarray, factor: Fraction, step: int) -> np.ndarray:
    """factor x amount rounded down to ``step`` fen, exactly, per element."""
    num, den = factor.numerator, factor.denominator * step
    return np.array([(int(a) * num // den) * step for a in amounts.tolist()], dtype=np.int64)
