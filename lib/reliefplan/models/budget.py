"""The cost model (预算测算): what a plan costs, by unit, category and kind of cost.

Inputs are the plan, the beneficiaries (:mod:`reliefplan.models.beneficiaries`)
and a standards table (:mod:`reliefplan.models.standards`). Costs are integer
fen throughout. Gifts are count x amount per line (unit x category), less
what the plan's per-person rule (:mod:`reliefplan.models.per_person`) does not
pay for people listed by several organizers; overheads
(:mod:`reliefplan.models.overheads`) and the contingency (percent of gifts +
overheads, half-up to the fen) are computed once for the campaign and spread
over the lines by the largest-remainder method, so unit and category totals
add up to the grand total exactly, to the fen. Funding pools and who pays
what are :mod:`reliefplan.models.pools`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.core.areas import area_names
from reliefplan.core.errors import InputError
from reliefplan.core.money import to_fen
from reliefplan.models import per_person, pool_allocation, pools
from reliefplan.models import standards as stds
# Re-exported: callers reach the whole cost model through ``budget``.
from reliefplan.models.beneficiaries import (  # noqa: F401
    BENEFICIARY_COLUMNS, aggregate, beneficiaries_for_plan, beneficiaries_from_counts, beneficiaries_from_registry,
    dibao_by_county, forecast_counts, person_keys)
from reliefplan.models.lines import gift_lines, group_amounts  # noqa: F401
from reliefplan.models.overheads import (  # noqa: F401
    allocate_exact, contingency_fen, overhead_items, spread_overheads, visit_day_count)

LINE_COLUMNS = ("county_code", "category", "households", "persons", "recipients",
                "cash_fen", "goods_fen", "gifts_fen", "overhead_fen", "contingency_fen", "total_fen")
MONEY_PARTS = ("cash_fen", "goods_fen", "gifts_fen", "overhead_fen", "contingency_fen", "total_fen")


KIND_LABELS = {
    "cash_fen": ("慰问金", "Cash"),
    "goods_fen": ("慰问品", "Goods"),
    "overhead_fen": ("工作经费", "Overheads"),
    "contingency_fen": ("不可预见费", "Contingency"),
}


@dataclass
class Budget:
    """A costed plan: lines (unit x category), units, categories, overheads, funding and totals."""

    scenario: str
    standards: pd.DataFrame
    lines: pd.DataFrame
    overheads: pd.DataFrame
    funding: pd.DataFrame
    totals: dict = field(default_factory=dict)
    per_person: dict = field(default_factory=dict)   # per_person.saving() of the plan's rule, when people are known

    @property
    def total_fen(self) -> int:
        return self.totals["total_fen"]

    @property
    def units(self) -> pd.DataFrame:
        """Totals per unit (county): they sum to the grand total exactly."""
        return _sum_by(self.lines, "county_code")

    @property
    def categories(self) -> pd.DataFrame:
        """Totals per category, in the standards' order."""
        out = _sum_by(self.lines, "category")
        order = {c: i for i, c in enumerate(self.standards["category"])}
        return out.sort_values("category", key=lambda s: s.map(order)).reset_index(drop=True)

    def unit(self, code: str) -> dict:
        """One unit's totals (zeros for a unit without beneficiaries)."""
        units = self.units.set_index("county_code")
        cols = ["households", "persons", "recipients", *MONEY_PARTS]
        if code not in units.index:
            return {c: 0 for c in cols}
        return {c: int(units.at[code, c]) for c in cols}


def _sum_by(lines: pd.DataFrame, key: str) -> pd.DataFrame:
    cols = ["households", "persons", "recipients", *MONEY_PARTS]
    out = lines.groupby(key, sort=True)[cols].sum().reset_index()
    for col in cols:
        out[col] = out[col].astype("int64")
    return out


def cap_fen(plan: dict, cap_yuan=None) -> int | None:
    """The budget cap in fen: ``cap_yuan`` when given, else the plan's ``budget_cap`` (None if neither)."""
    value = cap_yuan if cap_yuan is not None else plan.get("budget_cap")
    if value is None:
        return None
    try:
        return to_fen(str(value))
    except ValueError:
        raise InputError(f"预算上限不是有效金额: {value!r}", f"the budget cap is not an amount: {value!r}",
                         column="cap") from None


def funding_table(plan: dict, total_fen: int) -> pd.DataFrame:
    """Funding sources with amounts and what each pays: the cost split in proportion to the amounts."""
    src = plan.get("funding") or []
    amounts = [to_fen(str(s.get("amount", 0))) for s in src]
    used = allocate_exact(min(int(total_fen), sum(amounts)), amounts) if amounts else []
    return pd.DataFrame({
        "source": [s.get("source", "") for s in src],
        "source_en": [s.get("source_en", s.get("source", "")) for s in src],
        "amount_fen": np.array(amounts, dtype=np.int64),
        "used_fen": np.array(used, dtype=np.int64),
    })


def build_budget(plan: dict, lines: pd.DataFrame, *, standards: pd.DataFrame, scenario: str = "",
                 overheads: pd.DataFrame | None = None, cap: int | None = None,
                 funding: pd.DataFrame | None = None, contingency: int | None = None,
                 contingency_lines: np.ndarray | None = None) -> Budget:
    """Add overheads, contingency, funding and totals to gift lines (see :func:`gift_lines`).

    Overheads are spread over the lines by :func:`spread_overheads` (each
    team's meals and fuel to the counties it visits), the contingency in
    proportion to each line's gifts + overheads by :func:`allocate_exact`.
    Without any line, one line for the plan's area carries the overheads.
    ``funding`` (a pool table, :mod:`reliefplan.models.pools`) replaces the
    one-pot :func:`funding_table`; ``contingency`` (fen) replaces the
    percentage of the total, for pools that each keep back their own, and
    ``contingency_lines`` says how it falls on the lines (summing to it).
    """
    oh = overheads if overheads is not None else overhead_items(plan)
    if len(lines):
        county = lines["county_code"].to_numpy(dtype=object)
        category = lines["category"].to_numpy(dtype=object)
        cols = {c: lines[c].to_numpy(dtype=np.int64) for c in LINE_COLUMNS[2:8]}
    else:
        county = np.array([str(plan.get("area", ""))], dtype=object)
        category = np.array([""], dtype=object)
        cols = {c: np.zeros(1, dtype=np.int64) for c in LINE_COLUMNS[2:8]}
    overhead_total = int(oh["total_fen"].sum())
    overhead = spread_overheads(plan, oh, county, cols["recipients"])
    gifts = int(cols["gifts_fen"].sum())
    subtotal = gifts + overhead_total
    cont = contingency_fen(subtotal, plan.get("contingency_pct", 0)) if contingency is None else int(contingency)
    if contingency_lines is not None and len(contingency_lines) == len(county):
        spread = np.asarray(contingency_lines, dtype=np.int64)
        if int(spread.sum()) != cont:
            raise AssertionError(f"contingency lines sum to {int(spread.sum())}, not {cont}")
    else:
        spread = np.array(allocate_exact(cont, (cols["gifts_fen"] + overhead).tolist()), dtype=np.int64)
    out = pd.DataFrame({"county_code": county, "category": category, **cols, "overhead_fen": overhead,
                        "contingency_fen": spread,
                        "total_fen": cols["gifts_fen"] + overhead + spread})
    total = subtotal + cont
    funding = funding_table(plan, total) if funding is None else funding
    totals = summarize(out, funding, cap)
    assert totals["total_fen"] == total
    return Budget(scenario=scenario, standards=standards, lines=out, overheads=oh, funding=funding, totals=totals)


def _per(total: int, n: int) -> int:
    return stds.round_fraction(Fraction(int(total), int(n))) if n else 0


def summarize(lines: pd.DataFrame, funding: pd.DataFrame, cap: int | None) -> dict:
    """Grand totals as plain ints: counts, money parts, funding, gap, cap margin, per-head figures."""
    t = {c: int(lines[c].to_numpy().sum()) for c in ("households", "persons", "recipients", *MONEY_PARTS)}
    t["funding_fen"] = int(funding["amount_fen"].to_numpy().sum())
    t["gap_fen"] = t["total_fen"] - t["funding_fen"]  # > 0: shortfall; < 0: surplus
    if "short_fen" in funding:
        # Pools: money left in one pool cannot fill another's gap, so the gap is the sum of the pools' shortfalls.
        short, left = int(funding["short_fen"].sum()), int(funding["left_fen"].sum())
        t["gap_fen"] = short if short > 0 else -left
    t["cap_fen"] = cap
    t["cap_margin_fen"] = None if cap is None else cap - t["total_fen"]
    t["per_person_fen"] = _per(t["total_fen"], t["persons"])
    t["per_recipient_fen"] = _per(t["gifts_fen"], t["recipients"])
    return t


def cost_model(plan: dict, beneficiaries: pd.DataFrame, *, scenario: str | None = None,
               standards: pd.DataFrame | None = None, cap_yuan=None) -> Budget:
    """Cost the plan for these beneficiaries under one scenario (the baseline by default).

    ``standards`` replaces the scenario's standards (e.g. amounts typed in
    the what-if controls). The budget cap is only reported here (margin);
    :mod:`reliefplan.models.allocation` decides who is covered when it bites.
    With funding pools the funding table is per pool (need, paid, left,
    short) and the gap is the sum of the pools' shortfalls.
    """
    sc = stds.scenario(plan, scenario)
    std = standards if standards is not None else stds.scenario_standards(plan, sc["name"])
    ben, saved = paid_beneficiaries(plan, beneficiaries, std)
    funding = None
    if pools.declared(plan):
        step = max(to_fen(str(plan.get("rounding_step") or 1)), 1)
        funding = pool_allocation.allocate_in_pools(plan, ben, std, mode=plan.get("allocation_mode", "priority"),
                                          step_fen=step).table
    result = build_budget(plan, gift_lines(ben, std), standards=std, scenario=sc["name"], cap=cap_fen(plan, cap_yuan),
                          funding=funding)
    result.per_person = saved
    return result


def paid_beneficiaries(plan: dict, beneficiaries: pd.DataFrame, standards: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """(the beneficiaries the plan's per-person rule pays, its saving summary or {} when people are unknown)."""
    if "person_key" not in beneficiaries or not len(beneficiaries):
        per_person.plan_rule(plan)  # a bad rule is an error even without people
        return beneficiaries, {}
    pay = listing_payments(plan, beneficiaries, standards)
    return per_person.apply_payments(beneficiaries, pay), {"rule": per_person.plan_rule(plan)[0], **per_person.saving(pay)}


def listing_payments(plan: dict, beneficiaries: pd.DataFrame, standards: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per listing: paid or not under the plan's per-person rule, and how much (fen); the one answer for all.

    The budget, the 登记表 (one row per person per 填报单位) and the roll-up
    all count this money. ``standards`` default to the plan's baseline. With
    funding pools, a listing no pool may pay is the last one chosen.
    See :func:`reliefplan.models.per_person.listing_payments` for the columns.
    """
    std = standards if standards is not None else stds.scenario_standards(plan)
    fundable = pools.fundable(plan, beneficiaries) if pools.declared(plan) else None
    return per_person.plan_payments(plan, beneficiaries, std, fundable=fundable)


# ---------------------------------------------------------------- scenarios

def compare_scenarios(plan: dict, beneficiaries: pd.DataFrame, names=None, *, cap_yuan=None) -> dict[str, Budget]:
    """Each scenario's budget (all of the plan's by default), baseline first."""
    wanted = [s["name"] for s in stds.scenarios(plan)] if names is None else list(names)
    # Registry rows stay rows: the per-person rule needs to know who each is under each scenario's standards.
    # Pools need each row's organizer and serving order too.
    keep_rows = "person_key" in beneficiaries or pools.declared(plan)
    ben = beneficiaries if keep_rows else aggregate(beneficiaries)
    return {n: cost_model(plan, ben, scenario=n, cap_yuan=cap_yuan) for n in wanted}


def scenario_summary(budgets: dict[str, Budget], baseline: str | None = None, unit: str | None = None) -> pd.DataFrame:
    """One row per scenario: money parts, gap, and the difference to the baseline (fen and percent).

    With ``unit`` (a county code) the figures are that unit's share of each
    city-wide budget (so a unit report's scenario table and the roll-up's
    agree to the fen); ``gap_fen`` stays the city's.
    """
    base = baseline or next(iter(budgets))

    def figures(b):
        return b.totals if unit in (None, "all") else {**b.unit(unit), "gap_fen": b.totals["gap_fen"]}

    rows = []
    b0 = figures(budgets[base])["total_fen"]
    for name, b in budgets.items():
        t = figures(b)
        rows.append({"scenario": name, "recipients": t["recipients"], "persons": t["persons"],
                     **{c: t[c] for c in MONEY_PARTS}, "gap_fen": t["gap_fen"],
                     "diff_fen": t["total_fen"] - b0,
                     "diff_pct": float(Fraction(t["total_fen"] - b0, b0) * 100) if b0 else 0.0})
    df = pd.DataFrame(rows)
    for col in ("recipients", "persons", *MONEY_PARTS, "gap_fen", "diff_fen"):
        df[col] = df[col].astype("int64")
    return df


def units_with_total(budget: Budget) -> pd.DataFrame:
    """The per-unit table plus a last row 'total' that equals the city's totals exactly (checked)."""
    units = budget.units
    cols = ["households", "persons", "recipients", *MONEY_PARTS]
    total = {c: int(units[c].sum()) for c in cols}
    for c in ("households", "persons", "recipients", *MONEY_PARTS):
        if total[c] != budget.totals[c]:
            raise AssertionError(f"units do not add up to the total in {c}: {total[c]} != {budget.totals[c]}")
    return pd.concat([units, pd.DataFrame([{"county_code": "total", **total}])], ignore_index=True)


def scenario_category_diff(budgets: dict[str, Budget], baseline: str | None = None) -> pd.DataFrame:
    """Total per category under each scenario and its difference to the baseline (long form)."""
    base = baseline or next(iter(budgets))
    b0 = budgets[base].categories.set_index("category")["total_fen"]
    frames = []
    for name, b in budgets.items():
        cats = b.categories[["category", "total_fen"]].copy()
        cats["scenario"] = name
        cats["diff_fen"] = (cats["total_fen"] - cats["category"].map(b0).fillna(0).astype("int64")).astype("int64")
        frames.append(cats)
    return pd.concat(frames, ignore_index=True)[["scenario", "category", "total_fen", "diff_fen"]]


def unit_names(areas: pd.DataFrame | None, lang: str = "zh") -> dict[str, str]:
    """Area code -> name (English name when ``lang='en'`` and present), for tables and charts."""
    return area_names(areas, lang)
