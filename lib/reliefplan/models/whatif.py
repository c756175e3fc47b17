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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.core.errors import ReliefplanError
from reliefplan.core.money import format_yuan, to_fen
from reliefplan.core.areas import county_of
from reliefplan.models import allocation as al
from reliefplan.models import budget as bm
from reliefplan.models import per_person, pools
from reliefplan.models import standards as stds
from reliefplan.models.eligibility import assess

LOOSE_THRESHOLD = 10**9  # an income multiple no income fails: assess() with it tests everything but income
_NA = -1


# ---------------------------------------------------------------- input rows

def income_tested(plan: dict) -> set[str]:
    """Categories whose eligibility has an income rule (the threshold control moves their line)."""
    return {code for code, std in (plan.get("categories") or {}).items()
            if "income_below_dibao" in ((std or {}).get("eligibility") or {})}


def whatif_rows(registry: pd.DataFrame, plan: dict, eligibility: pd.DataFrame,
                loose: pd.DataFrame | None = None) -> pd.DataFrame:
    """The registry reduced to what the what-if needs, indexed like ``registry``.

    ``eligibility`` is :func:`reliefplan.models.eligibility.assess` at the plan's
    thresholds; ``loose`` the same with ``threshold_multiple=LOOSE_THRESHOLD``
    (everything but the income line tested). Columns: county_code, category,
    household_size, income_fen, dibao_fen, eligible, loose, income_tested.
    """
    county = registry["county_code"] if "county_code" in registry else county_of(registry["area_code"])
    tested = income_tested(plan)
    elig = eligibility["eligible"].reindex(registry.index).fillna(False).astype(bool)
    lo = elig if loose is None else loose["eligible"].reindex(registry.index).fillna(False).astype(bool)
    return pd.DataFrame({
        "county_code": county.astype(str).to_numpy(dtype=object),
        "category": registry["category"].to_numpy(dtype=object),
        "household_size": registry["household_size"].astype("Int64").array if "household_size" in registry
        else pd.array([pd.NA] * len(registry), dtype="Int64"),
        "income_fen": registry["income_fen"].astype("Int64").array if "income_fen" in registry
        else pd.array([pd.NA] * len(registry), dtype="Int64"),
        "dibao_fen": eligibility["dibao_fen"].reindex(registry.index).astype("Int64").array,
        "eligible": elig.to_numpy(),
        "loose": (lo | elig).to_numpy(),
        "income_tested": registry["category"].astype(object).isin(tested).to_numpy(),
        **_identity(registry),
    }, index=registry.index)


def _identity(registry: pd.DataFrame) -> dict:
    """person_key and organizer of each row when the registry has them (for the per-person rule and pools)."""
    out = {}
    key = bm.person_keys(registry)
    if key is not None:
        out["person_key"] = key.to_numpy(dtype=object)
    if "organizer" in registry:
        out["organizer"] = registry["organizer"].astype(object).where(registry["organizer"].notna(), "").to_numpy(
            dtype=object)
    return out


def rows_from_assess(registry: pd.DataFrame, plan: dict, dibao: pd.DataFrame, areas: pd.DataFrame,
                     *, on_date=None) -> pd.DataFrame:
    """:func:`whatif_rows` from the registry via two calls of ``eligibility.assess``."""

    base = assess(registry, plan, dibao, areas, on_date=on_date)
    loose = assess(registry, plan, dibao, areas, threshold_multiple=LOOSE_THRESHOLD, on_date=on_date)
    return whatif_rows(registry, plan, base, loose)


def eligible_at(rows: pd.DataFrame, threshold) -> pd.Series:
    """Eligibility at a uniform income threshold (None: the plan's own), as assess() would decide it.

    Exact: ``income x den < num x 低保`` in integers, like assess.
    """
    if threshold is None:
        return rows["eligible"].astype(bool)
    t = Fraction(str(threshold)).limit_denominator(10_000)
    inc = rows["income_fen"].astype("Int64")
    dib = rows["dibao_fen"].astype("Int64")
    ok = (inc * t.denominator < dib * t.numerator).fillna(False).astype(bool)
    return rows["loose"].astype(bool) & (~rows["income_tested"].astype(bool) | ok)


# ---------------------------------------------------------------- state

_KEY = np.int64(1) << 40  # income keys: group * _KEY + income (incomes stay far below 2**40 fen)


@dataclass
class WhatIfState:
    """Everything :func:`update` needs, computed once by :func:`prepare`.

    Rows (registry households/persons that are eligible at some threshold)
    are flat arrays sorted in serving order for the baseline priorities.
    Groups are unit x category x 低保 standard, sorted so that each line
    (unit x category) is a contiguous run of groups. For the threshold
    control, the incomes of income-tested rows are kept sorted per group, so
    the counts at any threshold are one ``searchsorted`` per group.
    """

    plan: dict
    categories: pd.DataFrame
    base_standards: dict            # scenario name -> standards
    scenario_names: list
    overheads: pd.DataFrame
    category_codes: list
    counties: list
    # rows, in serving order
    index: np.ndarray               # registry labels
    grp: np.ndarray                 # group of each row
    households: np.ndarray
    persons: np.ndarray
    income: np.ndarray              # int64, -1 when unknown
    dibao: np.ndarray               # int64, -1 when unknown
    tested: np.ndarray              # the category has an income rule
    eligible: np.ndarray            # eligible at the plan's own thresholds
    divisible: np.ndarray           # counted groups (may be covered in part)
    cat_of_row: np.ndarray          # position in category_codes
    # groups and lines
    g_county: np.ndarray
    g_category: np.ndarray
    g_cat: np.ndarray               # position in category_codes
    g_dibao: np.ndarray
    g_tested: np.ndarray
    line_county: np.ndarray
    line_category: np.ndarray
    line_start: np.ndarray
    # counts per group: every row (rows, households, persons) and at the plan's thresholds
    all_counts: tuple
    base_counts: tuple
    # sorted income keys of income-tested rows, with running households/persons
    thr_keys: np.ndarray
    thr_h: np.ndarray               # cumulative, leading 0
    thr_p: np.ndarray
    thr_off: np.ndarray             # first key of each group
    thresholds_supported: bool = True
    cache: dict = field(default_factory=dict)
    # for the library path (pools, per-person rule): per row, in serving order
    size: np.ndarray | None = None
    position: np.ndarray | None = None   # each row's place in the input rows (the library path keeps input order)
    person_key: np.ndarray | None = None
    organizer: np.ndarray | None = None
    library_path: bool = False      # pools declared or a per-person rule with someone listed twice

    @property
    def n_rows(self) -> int:
        return len(self.grp)


def _levels(prio_seq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct priorities of a sorted priority sequence and where each starts (plus the end)."""
    values, starts = np.unique(prio_seq, return_index=True)
    return values, np.append(starts, len(prio_seq))


def prepare(plan: dict, rows: pd.DataFrame, *, categories: pd.DataFrame | None = None) -> WhatIfState:
    """Precompute the state from :func:`whatif_rows` output (or counts via :func:`prepare_counts`)."""
    cats = categories if categories is not None else stds.plan_categories(plan)
    names = [s["name"] for s in stds.scenarios(plan)]
    base = {n: stds.scenario_standards(plan, n, cats) for n in names}
    std0 = base[names[0]]
    codes = list(std0["category"])
    keep = rows["loose"].to_numpy(dtype=bool) & rows["category"].astype(object).isin(codes).to_numpy()
    r = rows.loc[keep]
    n = len(r)
    unit_of = dict(zip(cats["code"], cats["unit"]))
    if "households" in r and "persons" in r:  # counted groups
        households = r["households"].to_numpy(dtype=np.int64)
        persons = r["persons"].to_numpy(dtype=np.int64)
        divisible = np.ones(n, dtype=bool)
    else:
        households = np.ones(n, dtype=np.int64)
        size = r["household_size"].astype("Int64").fillna(1).clip(lower=1).to_numpy(dtype=np.int64)
        persons = np.where(r["category"].map(unit_of).to_numpy() == "household", size, 1).astype(np.int64)
        divisible = np.zeros(n, dtype=bool)
    income = r["income_fen"].astype("Int64").fillna(_NA).to_numpy(dtype=np.int64)
    dibao = r["dibao_fen"].astype("Int64").fillna(_NA).to_numpy(dtype=np.int64)
    size_key = r["household_size"].astype("Int64").fillna(1).to_numpy(dtype=np.int64)
    tested = r["income_tested"].to_numpy(dtype=bool) if "income_tested" in r else np.zeros(n, dtype=bool)
    eligible = r["eligible"].to_numpy(dtype=bool)
    # serving order: priority, lowest income (unknown last), largest household, as listed
    inc_key = np.where(income < 0, np.iinfo(np.int64).max, income)
    cat_pos = pd.Index(codes).get_indexer(r["category"].astype(object)).astype(np.int64)
    prio = std0["priority"].to_numpy(dtype=np.int64)[cat_pos]
    order = np.lexsort((np.arange(n), -size_key, inc_key, prio))

    county = r["county_code"].astype(str).to_numpy(dtype=object)
    gkey = pd.DataFrame({"county_code": county, "category": r["category"].to_numpy(dtype=object), "dibao_fen": dibao})
    gframe = gkey.drop_duplicates().sort_values(["county_code", "category", "dibao_fen"]).reset_index(drop=True)
    grp = pd.MultiIndex.from_frame(gframe).get_indexer(pd.MultiIndex.from_frame(gkey)).astype(np.int64)
    g = len(gframe)
    new_line = np.ones(g, dtype=bool)
    if g > 1:
        gc, gk = gframe["county_code"].to_numpy(), gframe["category"].to_numpy()
        new_line[1:] = (gc[1:] != gc[:-1]) | (gk[1:] != gk[:-1])
    line_start = np.flatnonzero(new_line)
    g_cat = pd.Index(codes).get_indexer(gframe["category"].astype(object)).astype(np.int64)

    def counts(sel):
        return (np.bincount(grp[sel], minlength=g).astype(np.int64),
                np.bincount(grp[sel], weights=households[sel], minlength=g).astype(np.int64),
                np.bincount(grp[sel], weights=persons[sel], minlength=g).astype(np.int64))

    everyone = np.ones(n, dtype=bool)
    thr = tested & (income >= 0) & (dibao >= 0)
    keys = grp[thr] * _KEY + income[thr]
    ko = np.argsort(keys, kind="stable")
    thr_keys = keys[ko]
    thr_h = np.concatenate([[0], np.cumsum(households[thr][ko])]).astype(np.int64)
    thr_p = np.concatenate([[0], np.cumsum(persons[thr][ko])]).astype(np.int64)
    g_tested = np.zeros(g, dtype=bool)
    g_tested[grp[tested]] = True
    return WhatIfState(
        plan=plan, categories=cats, base_standards=base, scenario_names=names,
        overheads=bm.overhead_items(plan), category_codes=codes, counties=sorted(set(county)),
        index=r.index.to_numpy()[order], grp=grp[order], households=households[order], persons=persons[order],
        income=income[order], dibao=dibao[order], tested=tested[order], eligible=eligible[order],
        divisible=divisible[order], cat_of_row=cat_pos[order],
        g_county=gframe["county_code"].to_numpy(dtype=object), g_category=gframe["category"].to_numpy(dtype=object),
        g_cat=g_cat, g_dibao=gframe["dibao_fen"].to_numpy(dtype=np.int64), g_tested=g_tested,
        line_county=gframe["county_code"].to_numpy(dtype=object)[line_start],
        line_category=gframe["category"].to_numpy(dtype=object)[line_start], line_start=line_start,
        all_counts=counts(everyone), base_counts=counts(eligible),
        thr_keys=thr_keys, thr_h=thr_h, thr_p=thr_p,
        thr_off=np.searchsorted(thr_keys, np.arange(g, dtype=np.int64) * _KEY, side="left"),
        thresholds_supported=bool((~divisible).all()) and "income_fen" in rows,
        size=size_key[order], position=np.arange(n, dtype=np.int64)[order],
        person_key=r["person_key"].to_numpy(dtype=object)[order] if "person_key" in r else None,
        organizer=r["organizer"].to_numpy(dtype=object)[order] if "organizer" in r else None,
        library_path=pools.declared(plan) or (per_person.plan_rule(plan)[0] != "pay_all" and "person_key" in r
                                              and bool(r["person_key"].duplicated().any())),
    )


def prepare_counts(plan: dict, beneficiaries: pd.DataFrame) -> WhatIfState:
    """State from counted beneficiaries (e.g. the forecast); the threshold control does not apply."""
    rows = beneficiaries.assign(eligible=True, loose=True, income_tested=False)
    return prepare(plan, rows)


# ---------------------------------------------------------------- controls

class ControlError(ReliefplanError):
    """A control holds a value the model cannot use (shown, never raised out of update)."""


def _yuan(value, what_zh, what_en, *, positive=False, allow_none=True):
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_none and value is None:
            return None
        raise ControlError(f"{what_zh}不能为空", f"{what_en} must not be empty", column=what_en)
    try:
        fen = to_fen(value if not isinstance(value, float) else repr(value))
    except (ValueError, TypeError):
        raise ControlError(f"{what_zh}不是有效金额: {value!r}", f"{what_en} is not an amount: {value!r}",
                           column=what_en) from None
    if fen < 0 or (positive and fen == 0):
        raise ControlError(f"{what_zh}须大于 0" if positive else f"{what_zh}不能为负数",
                           f"{what_en} must be greater than 0" if positive else f"{what_en} must not be negative",
                           column=what_en)
    return fen


def standards_for(state: WhatIfState, controls: dict) -> pd.DataFrame:
    """The scenario's standards with the amounts typed in the controls (yuan) applied."""
    name = controls.get("scenario") or state.scenario_names[0]
    if name not in state.base_standards:
        raise ControlError(f"没有情景 {name}", f"no scenario {name}", column="scenario")
    std = state.base_standards[name]
    amounts = controls.get("amounts") or {}
    checked = {}
    for code, change in amounts.items():
        if code not in state.category_codes:
            continue
        row = {}
        for key, value in (change or {}).items():
            if key not in ("cash", "goods", "cash_dibao_multiple"):
                continue
            label_zh = f"{_cat_label(state, code)}{'慰问金' if key == 'cash' else '慰问品' if key == 'goods' else '低保倍数'}"
            label_en = f"{key} of {code}"
            if key == "cash_dibao_multiple":
                if value is None or (isinstance(value, str) and not value.strip()):
                    raise ControlError(f"{label_zh}不能为空", f"{label_en} must not be empty", column=label_en)
                try:
                    m = stds.exact(value)
                except (ValueError, TypeError, ArithmeticError):
                    raise ControlError(f"{label_zh}不是数字: {value!r}", f"{label_en} is not a number: {value!r}",
                                       column=label_en) from None
                if m < 0:
                    raise ControlError(f"{label_zh}不能为负数", f"{label_en} must not be negative", column=label_en)
                row[key] = m
            else:
                fen = _yuan(value, label_zh, label_en, allow_none=False)
                row[key] = f"{fen // 100}.{fen % 100:02d}"
        checked[code] = row
    if not checked:
        return std
    # the same amounts come back as other controls move (cap, mode, pools): rebuild the table only when they change
    key = ("standards", name, tuple(sorted((code, tuple(sorted(row.items()))) for code, row in checked.items())))
    hit = state.cache.get(key)
    if hit is None or hit[0] is not std:  # a scenario loaded under the same name replaces its base standards
        hit = (std, stds.apply_overrides(std, checked))
        _remember(state, key, hit)
    return hit[1]


def _cat_label(state, code):
    return dict(zip(state.categories["code"], state.categories["zh"])).get(code, code)


def parse_controls(state: WhatIfState, controls: dict) -> dict:
    """Checked controls: standards, cap (fen or None), mode, step (fen), threshold (Fraction or None), unit."""
    std = standards_for(state, controls)
    plan = state.plan
    if controls.get("no_cap"):
        cap = None
    elif "cap_yuan" in controls and controls["cap_yuan"] is None:
        cap = bm.cap_fen(plan)
    elif "cap_yuan" in controls:
        cap = _yuan(controls["cap_yuan"], "预算上限", "budget cap", positive=True, allow_none=False)
    else:
        cap = bm.cap_fen(plan)
    mode = controls.get("mode") or plan.get("allocation_mode", "priority")
    if mode not in al.MODES:
        raise ControlError(f"分配方式须为 {' / '.join(al.MODES)}", f"mode must be one of {', '.join(al.MODES)}",
                           column="mode")
    step = _yuan(controls.get("step_yuan", plan.get("rounding_step", 1)), "取整步长", "rounding step",
                 positive=True, allow_none=False)
    threshold = controls.get("threshold")
    if threshold is not None:
        try:
            threshold = Fraction(str(threshold)).limit_denominator(10_000)
        except (ValueError, ZeroDivisionError):
            raise ControlError(f"收入门槛不是数字: {threshold!r}", f"threshold is not a number: {threshold!r}",
                               column="threshold") from None
        if threshold <= 0:
            raise ControlError("收入门槛须大于 0", "the income threshold must be greater than 0", column="threshold")
        if not state.thresholds_supported:
            threshold = None
    unit = controls.get("unit") or "all"
    if unit != "all" and unit not in state.counties:
        raise ControlError(f"没有单位 {unit}", f"no unit {unit}", column="unit")
    return {"standards": std, "cap": cap, "mode": mode, "step": step, "threshold": threshold, "unit": unit,
            "scenario": controls.get("scenario") or state.scenario_names[0], "pools": _pool_amounts(plan, controls)}


def _pool_amounts(plan: dict, controls: dict) -> dict:
    """The ``pools`` control checked: source name -> amount in fen."""
    wanted = controls.get("pools") or {}
    if not wanted:
        return {}
    if not pools.declared(plan):
        raise ControlError("方案未设资金池", "the plan has no funding pools", column="pools")
    names = {p.name for p in pools.plan_pools(plan)}
    out = {}
    for name, value in wanted.items():
        if name not in names:
            raise ControlError(f"没有资金来源 {name}", f"no funding source {name}", column="pools")
        out[name] = _yuan(value, f"{name}金额", f"amount of {name}", allow_none=False)
    return out


# ---------------------------------------------------------------- the update

def _remember(state, key, value):
    """Cache ``value``, keeping at most four entries of each kind (thresholds, orders, eligible rows)."""
    same = [k for k in state.cache if k[0] == key[0]]
    if len(same) >= 4:
        del state.cache[same[0]]
    state.cache[key] = value


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
        limit = np.clip(limit, 0, _KEY - 1)
        end = np.searchsorted(state.thr_keys, t * _KEY + limit, side="left")
        end = np.where(d >= 0, end, state.thr_off[t])
        off = state.thr_off[t]
        rows[t] = end - off
        h[t] = state.thr_h[end] - state.thr_h[off]
        p[t] = state.thr_p[end] - state.thr_p[off]
        _remember(state, key, (rows, h, p))
    return state.cache[key]


def _row_mask(state: WhatIfState, idx, threshold) -> np.ndarray:
    """Eligibility of the rows ``idx`` (a slice or positions) at ``threshold``."""
    if threshold is None:
        return state.eligible[idx]
    inc, dib = state.income[idx], state.dibao[idx]
    ok = (inc >= 0) & (dib >= 0) & (inc * threshold.denominator < dib * threshold.numerator)
    return ~state.tested[idx] | ok


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
        _remember(state, key, (perm, *_levels(seq)))
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
        _remember(state, key, eligible_beneficiaries(state, c["threshold"]))
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
