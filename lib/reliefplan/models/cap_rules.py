"""The cap rules' arithmetic: room left for gifts, serving order, strict-prefix cover, uniform scaling.

Shared by the one-pot allocation (:mod:`reliefplan.models.allocation`), the
funding pools (:mod:`reliefplan.models.pools`), goal seek and the what-if.

- **priority**: beneficiaries are served in a fixed order - category
  priority (1 first), then lowest income per head (unknown income last),
  then largest household - and covered while the money lasts; coverage is a
  strict prefix of that order (:func:`cover_prefix`).
- **scale**: every amount is multiplied by one factor and rounded DOWN to the
  step; :func:`max_factor` finds the largest factor that fits, exactly, by
  searching the breakpoints where a rounded amount changes.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.models import per_person
from reliefplan.models import standards as stds
from reliefplan.models.lines import group_amounts
from reliefplan.models.overheads import contingency_fen


def gifts_room(cap: int, overhead_fen: int, pct) -> int:
    """The largest gifts total that keeps gifts + overheads + contingency within ``cap`` (may be < 0)."""
    p = stds.exact(pct or 0)
    cap = int(cap)

    def total(s):
        return s + contingency_fen(s, p)

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
    count, cash, goods = group_amounts(beneficiaries, standards)
    amount = cash + goods
    cash_cut, goods_cut = per_person.cuts(beneficiaries)  # registry rows the per-person rule cuts
    divisible = beneficiaries["divisible"].to_numpy(dtype=bool)
    units = np.where(divisible, count, 1).astype(np.int64)
    unit_cost = np.where(divisible, amount, count * amount - cash_cut - goods_cut).astype(np.int64)
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


def _components(groups: pd.DataFrame, standards: pd.DataFrame) -> list[tuple[Fraction, int]]:
    """(amount per unit in fen, units paid it) for every distinct cash/goods amount, exact."""
    if not len(groups):
        return []
    pos = stds.category_positions(standards, groups["category"])
    count, _, _ = group_amounts(groups, standards)
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
