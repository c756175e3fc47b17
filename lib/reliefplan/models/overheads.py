"""Overheads (工作经费) and exact splitting: what meals, fuel, publicity and printing cost, and who carries it.

Overheads are ``per_team_day`` (amount x teams x visit days: 伙食费、车辆燃油费
as in 篇7) or ``fixed`` (one amount for the campaign). They are computed once
for the campaign and spread over the budget lines by the largest-remainder
method (:func:`allocate_exact`), so unit and category totals add up to the
grand total exactly, to the fen.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.core.errors import ConfigError
from reliefplan.core.money import to_fen
from reliefplan.models import standards as stds
from reliefplan.models.timeline import visit_window


def allocate_exact(total: int, weights) -> list[int]:
    """Split integer ``total`` in proportion to ``weights`` so the parts sum to ``total`` exactly.

    Largest-remainder (Hamilton) method: everyone gets the floor of their
    exact share; the fen left over go one each to the largest remainders
    (ties to the earlier position). All-zero weights split evenly.
    """
    w = [int(x) for x in weights]
    if not w:
        return []
    if any(x < 0 for x in w):
        raise ValueError("weights must be >= 0")
    total = int(total)
    wsum = sum(w)
    if wsum == 0:
        w, wsum = [1] * len(w), len(w)
    base = [total * x // wsum for x in w]
    rema = [total * x - b * wsum for x, b in zip(w, base)]
    left = total - sum(base)
    for i in sorted(range(len(w)), key=lambda j: (-rema[j], j))[:left]:
        base[i] += 1
    return base


def contingency_fen(subtotal_fen: int, pct) -> int:
    """``pct`` percent of ``subtotal_fen``, rounded half-up to the fen."""
    p = stds.exact(pct or 0)
    return stds.round_fraction(Fraction(int(subtotal_fen)) * p / 100)


def visit_day_count(plan: dict) -> int:
    """Calendar days of visits, ``visit_days.start`` to ``visit_days.end`` inclusive (lunar dates allowed)."""
    vd = plan.get("visit_days") or {}
    if not vd.get("start") or not vd.get("end"):
        raise ConfigError("按组天计算的经费需要 visit_days.start 和 visit_days.end",
                          "per_team_day overheads need visit_days.start and visit_days.end",
                          file=plan.get("_path"), column="visit_days")
    start, end = visit_window(plan)
    if end < start:
        raise ConfigError(f"visit_days 结束日期 {end} 早于开始日期 {start}",
                          f"visit_days end {end} is before start {start}", file=plan.get("_path"), column="visit_days")
    return (end - start).days + 1


def overhead_items(plan: dict) -> pd.DataFrame:
    """The plan's overheads with their totals: per_team_day = amount x teams x days; fixed = amount.

    An item may set its own ``teams`` and ``days``; otherwise teams are the
    plan's ``teams`` and days the visit days.
    """
    rows = []
    n_teams = days = None
    for i, item in enumerate(plan.get("overheads") or []):
        amount = to_fen(str(item.get("amount", 0)))
        if item.get("basis") == "per_team_day":
            if item.get("teams") is not None:
                teams = int(item["teams"])
            else:
                if n_teams is None:
                    n_teams = len(plan.get("teams") or [])
                    if not n_teams:
                        raise ConfigError("按组天计算的经费需要 teams (慰问组)", "per_team_day overheads need teams",
                                          file=plan.get("_path"), column=f"overheads[{i}]")
                teams = n_teams
            if item.get("days") is not None:
                d = int(item["days"])
            else:
                if days is None:
                    days = visit_day_count(plan)
                d = days
            total = amount * teams * d
        else:
            teams, d, total = 0, 0, amount
        rows.append({"item": item.get("item", ""), "item_en": item.get("item_en", item.get("item", "")),
                     "basis": item.get("basis", "fixed"), "amount_fen": amount, "teams": teams, "days": d,
                     "total_fen": total})
    df = pd.DataFrame(rows, columns=["item", "item_en", "basis", "amount_fen", "teams", "days", "total_fen"])
    for col in ("amount_fen", "teams", "days", "total_fen"):
        df[col] = df[col].astype("int64")
    return df


def spread_overheads(plan: dict, overheads: pd.DataFrame, county: np.ndarray, recipients: np.ndarray) -> np.ndarray:
    """Each line's share of the overheads (int64 fen, summing exactly to the overheads' total).

    A per-team-day item costs each of the plan's teams amount x days; that
    team's cost goes to the lines of the counties it visits (its ``areas``),
    in proportion to recipients. Fixed items, items with their own ``teams``
    count, and teams whose areas have no line are spread over all lines in
    proportion to recipients. Every split is largest-remainder, so nothing
    is lost or invented.
    """
    n = len(county)
    out = np.zeros(n, dtype=np.int64)
    weights = [int(x) for x in recipients]
    pooled = 0
    teams = plan.get("teams") or []
    items = (plan.get("overheads") or [])
    # each team's lines, found once (not once per item): the lines whose county the team visits
    county_str = np.array([str(c) for c in county], dtype=object)
    team_lines = [np.flatnonzero(np.isin(county_str, [str(a)[:6] for a in (team.get("areas") or [])])).tolist()
                  for team in teams]
    for i, row in enumerate(overheads.itertuples(index=False)):
        item = items[i] if i < len(items) else {}
        if row.basis != "per_team_day" or item.get("teams") is not None or not teams:
            pooled += int(row.total_fen)
            continue
        per_team = int(row.amount_fen) * int(row.days)
        for sel in team_lines:
            if not sel:
                pooled += per_team
                continue
            for j, part in zip(sel, allocate_exact(per_team, [weights[j] for j in sel])):
                out[j] += part
    out += np.array(allocate_exact(pooled, weights), dtype=np.int64)
    return out


