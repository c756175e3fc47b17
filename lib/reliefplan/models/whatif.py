"""What-if (假如...会怎样): precomputed state and the pure update the widgets call.

Moving a slider must feel instant on a registry of a million people, so
the work is split in two:

- :func:`prepare` (once, when the data loads): every row that could ever be
  eligible is kept as flat numpy arrays, already sorted in serving order
  (category priority, lowest income, largest household); rows are mapped
  to groups (unit x category x 低保 standard) and groups to lines
  (unit x category).
- :func:`update` (every control change): pure and cheap. Eligibility at a
  threshold is one integer comparison per row (cached per threshold),
  group counts are one ``bincount``, the cost model runs on a few hundred
  groups, and a priority cap is one ``cumsum`` + ``searchsorted`` over the
  presorted rows. No groupby, no sort, no call to ``assess``.

Results are exactly those of the library's plain path (eligibility.assess
-> budget.beneficiaries_from_registry -> allocation.allocate), which
:func:`update_naive` runs and the tests and ``bench/whatif.py`` compare.

Controls are a plain dict::

    {"scenario": "维持",                 # None: the baseline
     "amounts": {"dibao": {"cash": 800, "goods": 200}},   # yuan; overrides
     "cap_yuan": 3300000,               # None: the plan's; 0/negative/blank: an error
     "no_cap": False,                   # True: no budget cap at all (whatever the plan says)
     "mode": "priority",                # or "scale"
     "step_yuan": 50,                   # scale mode rounding
     "threshold": 1.2,                  # multiple of 低保 for every income rule; None: the plan's
     "unit": "all",                     # or a county code: what the summary shows
     "pools": {"工会经费": 800000}}     # yuan; replaces funding pools' amounts (plans with pools)

With funding pools (:mod:`reliefplan.models.pools`) or a per-person rule
that merges listings (:mod:`reliefplan.models.per_person`), an update runs
the library's allocation on the eligible rows (exactly the plain path, one
pass over the rows per pool): the cap rule runs inside each pool, and the
result carries the pool table (``pools``) and what is short because of which
pool (``short``). A ``cap_yuan`` is then only compared with the total.

Bad input never raises from :func:`update`: the result carries ``ok=False``
and a bilingual message for the widgets to show.

The parts live in their own modules: the input rows and eligibility at a threshold
(:mod:`~reliefplan.models.whatif_rows`), the state and :func:`prepare`
(:mod:`~reliefplan.models.whatif_state`), the checked controls
(:mod:`~reliefplan.models.whatif_controls`); this module is the update and the
names callers use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.core.errors import ReliefplanError
from reliefplan.core.money import format_yuan
from reliefplan.models import allocation as al
from reliefplan.models import budget as bm
from reliefplan.models import pools
from reliefplan.models import standards as stds
from reliefplan.models.whatif_controls import ControlError, parse_controls, standards_for
from reliefplan.models.whatif_rows import LOOSE_THRESHOLD, eligible_at, income_tested, rows_from_assess, whatif_rows
from reliefplan.models.whatif_state import INCOME_KEY, WhatIfState, prepare, prepare_counts, remember

__all__ = ["ControlError", "LOOSE_THRESHOLD", "WhatIfResult", "WhatIfState", "eligible_at", "eligible_beneficiaries",
           "income_tested", "parse_controls", "prepare", "prepare_counts", "rows_from_assess", "standards_for",
           "update", "update_naive", "whatif_rows", "yuan"]


# ---------------------------------------------------------------- the update

def _group_counts(state: WhatIfState, threshold) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, households, persons) per group eligible at ``threshold`` (None: the plan's thresholds)."""
    if threshold is None:
        return state.base_counts
    key = ("counts", threshold)
    if key not in state.cache:
        rows, h, p = (a.copy() for a in state.all_counts)
        t = np.flatnonzero(state.g_tested)
        d = state.g_dibao[t]
        # income * den < dibao * num  <=>  income < ceil(dibao * num / den)
        limit = -((-d * threshold.numerator) // threshold.denominator)
        limit = np.clip(limit, 0, INCOME_KEY - 1)
        end = np.searchsorted(state.thr_keys, t * INCOME_KEY + limit, side="left")
        end = np.where(d >= 0, end, state.thr_off[t])
        off = state.thr_off[t]
        rows[t] = end - off
        h[t] = state.thr_h[end] - state.thr_h[off]
        p[t] = state.thr_p[end] - state.thr_p[off]
        remember(state, key, (rows, h, p))
    return state.cache[key]


def _row_mask(state: WhatIfState, idx, threshold) -> np.ndarray:
    """Eligibility of the rows ``idx`` (a slice or positions) at ``threshold``."""
    if threshold is None:
        return state.eligible[idx]
    inc, dib = state.income[idx], state.dibao[idx]
    ok = (inc >= 0) & (dib >= 0) & (inc * threshold.denominator < dib * threshold.numerator)
    return ~state.tested[idx] | ok


def _levels(prio_seq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct priorities of a sorted priority sequence and where each starts (plus the end)."""
    values, starts = np.unique(prio_seq, return_index=True)
    return values, np.append(starts, len(prio_seq))


def _order(state: WhatIfState, prio_c: np.ndarray):
    """(permutation or None, level priorities, level bounds) of the serving order for these priorities."""
    key = ("order", tuple(prio_c.tolist()))
    if key not in state.cache:
        seq = prio_c[state.cat_of_row]
        if len(seq) < 2 or bool((seq[1:] >= seq[:-1]).all()):
            perm = None
        else:
            perm = np.argsort(seq, kind="stable")
            seq = seq[perm]
        remember(state, key, (perm, *_levels(seq)))
    return state.cache[key]


def _lines(state: WhatIfState, std: pd.DataFrame, rows, h, p) -> pd.DataFrame:
    """Gift lines (unit x category) from group counts; lines without any row are left out (as gift_lines does)."""
    pos = stds.category_positions(std, state.g_category)
    per_person = (std["per"].to_numpy() == "person")[pos]
    count = np.where(per_person, p, h).astype(np.int64)
    cash, goods = stds.unit_amounts(std, pos, state.g_dibao)
    starts = state.line_start
    if not len(starts):
        return pd.DataFrame(columns=["county_code", "category", "households", "persons", "recipients",
                                     "cash_fen", "goods_fen", "gifts_fen"])

    def per_line(a):
        return np.add.reduceat(np.asarray(a, dtype=np.int64), starts)

    present = per_line(rows) > 0
    lines = pd.DataFrame({
        "county_code": state.line_county, "category": state.line_category,
        "households": per_line(h), "persons": per_line(p), "recipients": per_line(count),
        "cash_fen": per_line(count * cash), "goods_fen": per_line(count * goods),
    })
    lines["gifts_fen"] = lines["cash_fen"] + lines["goods_fen"]
    return lines.loc[present].reset_index(drop=True)


@dataclass
class WhatIfResult:
    """What the widgets show after one control change."""

    ok: bool
    message_zh: str = ""
    message_en: str = ""
    controls: dict = field(default_factory=dict)
    full: bm.Budget | None = None        # uncapped cost at these standards and threshold
    budget: bm.Budget | None = None      # within the cap (== full when it fits)
    coverage: pd.DataFrame | None = None  # unit x category: eligible / covered / uncovered
    fits: bool = True
    factor: Fraction | None = None
    standards: pd.DataFrame | None = None
    unit: str = "all"
    pools: pd.DataFrame | None = None    # per funding pool: amount, need, paid, left, short (plans with pools)
    short: pd.DataFrame | None = None    # what is short because of which pool, by unit x category x part
    allocation: al.Allocation | None = None  # the library's allocation (pools / per-person rule path only)

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def summary(self) -> dict:
        """The headline figures for the selected unit (fen): total, gifts, overheads, coverage; city gap.

        ``total_fen`` is what is allocated within the cap; ``full_total_fen``
        the cost of serving every eligible recipient at these standards;
        ``gap_fen`` the city's full cost minus its funding (negative: surplus).
        """
        if not self.ok:
            return {}
        b = self.budget
        part = b.totals if self.unit == "all" else b.unit(self.unit)
        cov = self.coverage if self.unit == "all" else self.coverage[self.coverage["county_code"] == self.unit]
        eligible = int(cov["eligible_recipients"].sum())
        covered = int(cov["covered_recipients"].sum())
        return {
            "unit": self.unit,
            "total_fen": int(part["total_fen"]), "gifts_fen": int(part["gifts_fen"]),
            "overhead_fen": int(part["overhead_fen"]), "contingency_fen": int(part["contingency_fen"]),
            "full_total_fen": int(self.full.totals["total_fen"] if self.unit == "all"
                                  else self.full.unit(self.unit)["total_fen"]),
            "city_total_fen": b.totals["total_fen"], "funding_fen": b.totals["funding_fen"],
            # the gap to fund everyone at these standards; what is allocated under the cap vs funding
            "gap_fen": self.full.totals["gap_fen"], "allocated_gap_fen": b.totals["gap_fen"],
            "cap_fen": b.totals["cap_fen"],
            "eligible_recipients": eligible, "covered_recipients": covered,
            "uncovered_recipients": eligible - covered,
            "coverage_pct": round(100 * covered / eligible, 1) if eligible else 100.0,
            "fits": self.fits, "factor": None if self.factor is None else float(self.factor),
            "per_person_saving_fen": int((self.full.per_person or {}).get("saving_fen", 0)),
            "pools": [] if self.pools is None else [
                {k: (int(v) if k.endswith("_fen") else v) for k, v in row.items()}
                for row in self.pools[["source", "source_en", "amount_fen", "need_in_pool_fen", "used_fen",
                                       "left_fen", "short_fen"]].to_dict("records")],
        }


def update(state: WhatIfState, controls: dict) -> WhatIfResult:
    """Recompute everything the widgets show for ``controls``; bad input gives ok=False, never raises."""
    try:
        c = parse_controls(state, controls)
        return _update(state, c, controls)
    except ReliefplanError as exc:
        return WhatIfResult(False, exc.zh, exc.en, controls=dict(controls))


def _update(state: WhatIfState, c: dict, controls: dict) -> WhatIfResult:
    if state.library_path or c["pools"]:
        return _update_rows(state, c, controls)
    plan, std, cap = state.plan, c["standards"], c["cap"]
    counts = _group_counts(state, c["threshold"])
    rows, h, p = counts
    lines = _lines(state, std, rows, h, p)
    oh = state.overheads
    full = bm.build_budget(plan, lines, standards=std, scenario=c["scenario"], overheads=oh, cap=cap)
    spent, used, factor, fits, room = full, std, None, True, None
    cov_h, cov_p = h, p
    if cap is not None and full.total_fen > cap:
        fits = False
        room = al.gifts_room(cap, int(oh["total_fen"].sum()), plan.get("contingency_pct", 0))
        if c["mode"] == "priority":
            _, cov_h, cov_p = _cover_priority(state, std, c["threshold"], room, counts)
            spent = bm.build_budget(plan, _lines(state, std, rows, cov_h, cov_p), standards=std,
                                    scenario=c["scenario"], overheads=oh, cap=cap)
        else:
            groups = pd.DataFrame({"county_code": state.g_county, "category": state.g_category,
                                   "dibao_fen": state.g_dibao, "households": h, "persons": p})
            groups = groups.loc[rows > 0]
            factor = al.max_factor(al._components(groups, std), room, c["step"], hi=Fraction(1))
            used = stds.scale_standards(std, factor, step_yuan=f"{c['step'] // 100}.{c['step'] % 100:02d}", down=True)
            spent = bm.build_budget(plan, _lines(state, used, rows, h, p), standards=used, scenario=c["scenario"],
                                    overheads=oh, cap=cap)
            if room < 0:
                cov_h, cov_p = h * 0, p * 0
    coverage = _coverage(state, std, rows, h, p, cov_h, cov_p)
    zh, en = al._messages(c["mode"], fits, full, spent, cap, room)
    return WhatIfResult(True, zh, en, controls=dict(controls), full=full, budget=spent, coverage=coverage,
                        fits=fits, factor=factor, standards=used, unit=c["unit"])


def eligible_beneficiaries(state: WhatIfState, threshold) -> pd.DataFrame:
    """The rows eligible at ``threshold`` as a beneficiaries frame (in serving order), for the library path."""
    mask = _row_mask(state, slice(None), threshold)
    # back to input order, so ties in the serving order break as the plain path breaks them
    mask = np.flatnonzero(mask)[np.argsort(state.position[mask], kind="stable")]
    g = state.grp[mask]
    n = len(mask)
    ben = pd.DataFrame({
        "county_code": state.g_county[g], "category": state.g_category[g], "dibao_fen": state.dibao[mask],
        "households": state.households[mask], "persons": state.persons[mask],
        "income_fen": pd.array(np.where(state.income[mask] < 0, None, state.income[mask]).tolist(), dtype="Int64")
        if n else pd.array([], dtype="Int64"),
        "household_size": pd.array(state.size[mask], dtype="Int64"), "divisible": state.divisible[mask],
    }, index=state.index[mask])
    if state.person_key is not None:
        ben["person_key"] = state.person_key[mask]
    if state.organizer is not None:
        ben["organizer"] = state.organizer[mask]
    return ben


def _update_rows(state: WhatIfState, c: dict, controls: dict) -> WhatIfResult:
    """Pools / per-person rule: the library's allocation on the eligible rows (see the module docstring)."""
    plan, std = state.plan, c["standards"]
    key = ("beneficiaries", c["threshold"])
    if key not in state.cache:  # the eligible rows only change with the income line; the library never edits them
        remember(state, key, eligible_beneficiaries(state, c["threshold"]))
    ben = state.cache[key]
    step_yuan = f"{c['step'] // 100}.{c['step'] % 100:02d}"
    if pools.declared(plan):
        a = al.allocate_pools(plan, ben, std, mode=c["mode"], step_yuan=step_yuan, scenario=c["scenario"],
                              cap=c["cap"], amounts=c["pools"], overheads=state.overheads)
    else:
        cap_yuan = None if c["cap"] is None else f"{c['cap'] // 100}.{c['cap'] % 100:02d}"
        a = al.allocate(plan, ben, scenario=c["scenario"], standards=std, cap_yuan=cap_yuan, mode=c["mode"],
                        step_yuan=step_yuan)
    return WhatIfResult(True, a.message_zh, a.message_en, controls=dict(controls), full=a.full, budget=a.budget,
                        coverage=a.coverage, fits=a.fits, factor=a.factor, standards=a.standards, unit=c["unit"],
                        pools=a.extra.get("pools"), short=a.extra.get("short"), allocation=a)


def _cover_priority(state: WhatIfState, std: pd.DataFrame, threshold, room: int, counts):
    """Covered (rows, households, persons) per group: the strict prefix of the serving order that fits.

    Whole priority levels are settled from group totals; only the rows of
    the level where the money runs out are walked (cumsum + searchsorted).
    """
    rows, h, p = counts
    g = len(state.g_county)
    pos = stds.category_positions(std, state.category_codes)
    prio_c = std["priority"].to_numpy(dtype=np.int64)[pos]
    per_person_g = (std["per"].to_numpy() == "person")[pos][state.g_cat]
    cash, goods = stds.unit_amounts(std, pos[state.g_cat], state.g_dibao)
    amount_g = cash + goods
    gcost = np.where(per_person_g, p, h) * amount_g
    perm, level_prio, bounds = _order(state, prio_c)
    g_level = np.searchsorted(level_prio, prio_c[state.g_cat])
    level_cost = np.zeros(len(level_prio), dtype=np.int64)
    np.add.at(level_cost, g_level, gcost)
    cum_level = np.cumsum(level_cost)
    big = int(np.searchsorted(cum_level, room, side="right"))  # levels covered whole
    cov_rows, cov_h, cov_p = (np.zeros(g, dtype=np.int64) for _ in range(3))
    if room < 0:
        return cov_rows, cov_h, cov_p
    whole_g = g_level < big
    cov_rows[whole_g], cov_h[whole_g], cov_p[whole_g] = rows[whole_g], h[whole_g], p[whole_g]
    if big >= len(level_prio):
        return cov_rows, cov_h, cov_p
    left = room - (int(cum_level[big - 1]) if big else 0)
    s, e = int(bounds[big]), int(bounds[big + 1])
    idx = slice(s, e) if perm is None else perm[s:e]
    mask = _row_mask(state, idx, threshold)
    grp = state.grp[idx]
    hh, pe, div = state.households[idx], state.persons[idx], state.divisible[idx]
    pp = per_person_g[grp]
    count = np.where(pp, pe, hh)
    units = np.where(div, count, 1)
    unit_cost = np.where(div, amount_g[grp], count * amount_g[grp])
    cum = np.cumsum(np.where(mask, units * unit_cost, 0))
    k = int(np.searchsorted(cum, left, side="right"))
    covered = np.zeros(e - s, dtype=np.int64)
    covered[:k] = units[:k]
    if k < e - s and div[k] and mask[k]:
        covered[k] = min(int(units[k]), (left - (int(cum[k - 1]) if k else 0)) // int(unit_cost[k]))
    covered = np.where(mask, covered, 0)
    whole = np.where(div, covered >= count, covered > 0) & mask
    part = div & ~whole & (covered > 0)
    ch = np.where(whole, hh, np.where(part, np.where(pp, covered * hh // np.maximum(pe, 1), covered), 0))
    cp = np.where(whole, pe, np.where(part, np.where(pp, covered, covered * pe // np.maximum(hh, 1)), 0))
    sel = whole | part
    cov_rows += np.bincount(grp[sel], minlength=g).astype(np.int64)
    cov_h += np.bincount(grp[sel], weights=ch[sel], minlength=g).astype(np.int64)
    cov_p += np.bincount(grp[sel], weights=cp[sel], minlength=g).astype(np.int64)
    return cov_rows, cov_h, cov_p


def _coverage(state, std, rows, h, p, cov_h, cov_p) -> pd.DataFrame:
    pos = stds.category_positions(std, state.g_category)
    per_person = (std["per"].to_numpy() == "person")[pos]
    cash, goods = stds.unit_amounts(std, pos, state.g_dibao)
    starts = state.line_start
    cols = ["county_code", "category", "eligible_households", "covered_households", "uncovered_households",
            "eligible_persons", "covered_persons", "uncovered_persons", "eligible_recipients",
            "covered_recipients", "uncovered_recipients", "need_fen", "covered_fen"]
    if not len(starts):
        return pd.DataFrame(columns=cols)

    def per_line(a):
        return np.add.reduceat(np.asarray(a, dtype=np.int64), starts)

    rec = np.where(per_person, p, h)
    cov_rec = np.where(per_person, cov_p, cov_h)
    out = pd.DataFrame({"county_code": state.line_county, "category": state.line_category})
    for name, e, cv in (("households", h, cov_h), ("persons", p, cov_p), ("recipients", rec, cov_rec)):
        out[f"eligible_{name}"] = per_line(e)
        out[f"covered_{name}"] = per_line(cv)
        out[f"uncovered_{name}"] = out[f"eligible_{name}"] - out[f"covered_{name}"]
    out["need_fen"] = per_line(rec * (cash + goods))
    out["covered_fen"] = per_line(cov_rec * (cash + goods))
    return out.loc[per_line(rows) > 0, cols].reset_index(drop=True)


# ---------------------------------------------------------------- the plain way

def update_naive(plan: dict, rows: pd.DataFrame, controls: dict, *, categories: pd.DataFrame | None = None):
    """The same answer the slow, obvious way: filter the rows, groupby, cost, allocate (for tests and bench).

    Returns (Budget spent, Budget full, coverage DataFrame).
    """
    cats = categories if categories is not None else stds.plan_categories(plan)
    state_like = prepare(plan, rows.iloc[:0], categories=cats)
    state_like.counties = sorted(set(rows["county_code"].astype(str)))
    state_like.thresholds_supported = True
    c = parse_controls(state_like, controls)
    elig = eligible_at(rows, c["threshold"])
    registry = rows.assign(dibao_fen=rows["dibao_fen"].astype("Int64"))
    ben = bm.beneficiaries_from_registry(registry, pd.DataFrame({"eligible": elig, "dibao_fen": registry["dibao_fen"]}),
                                         plan=plan, categories=cats)
    cap_yuan = None if c["cap"] is None else f"{c['cap'] // 100}.{c['cap'] % 100:02d}"
    step_yuan = f"{c['step'] // 100}.{c['step'] % 100:02d}"
    if c["pools"]:
        result = al.allocate_pools(plan, ben, c["standards"], mode=c["mode"], step_yuan=step_yuan,
                                   scenario=c["scenario"], cap=c["cap"], amounts=c["pools"])
    else:
        result = al.allocate(plan, ben, scenario=c["scenario"], standards=c["standards"], cap_yuan=cap_yuan,
                             mode=c["mode"], step_yuan=step_yuan)
    return result.budget, result.full, result.coverage


def yuan(fen) -> str:
    """Fen as a yuan string for display ('1,234.50')."""
    return format_yuan(int(fen))
