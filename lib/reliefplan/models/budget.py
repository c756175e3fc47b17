"""The cost model (预算测算): what a plan costs, by unit, category and kind of cost.

Inputs are the plan, the beneficiaries and a standards table
(:mod:`reliefplan.models.standards`). Beneficiaries come either from the registry's
eligible people (:func:`beneficiaries_from_registry`) or from counts such
as the campaign-history forecast (:func:`beneficiaries_from_counts`); both
give the same frame, one row per registry household/person or per counted
group:

    county_code, category, dibao_fen, households, persons,
    income_fen, household_size, divisible

A household category's registry row is one household of ``household_size``
persons; any other row is one person. A standard per household counts
households, per person counts persons (a 低保 household of 3 under a
per-person standard is paid 3 times). ``divisible`` marks counted groups
that a budget cap may cover in part; registry rows are covered whole.

Costs are integer fen throughout. Gifts are count x amount per line
(unit x category); overheads (``per_team_day`` = amount x teams x visit
days, ``fixed``) and the contingency (percent of gifts + overheads,
half-up to the fen) are computed once for the campaign and spread over the
lines by the largest-remainder method, so unit and category totals add up
to the grand total exactly, to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.core import labels
from reliefplan.core.errors import ConfigError, InputError
from reliefplan.core.lunar_dates import spring_festival
from reliefplan.core.money import to_fen
from reliefplan.models import standards as stds
from reliefplan.models.eligibility import assess, dibao_in_force
from reliefplan.models.timeline import visit_window

BENEFICIARY_COLUMNS = ("county_code", "category", "dibao_fen", "households", "persons",
                       "income_fen", "household_size", "divisible")
LINE_COLUMNS = ("county_code", "category", "households", "persons", "recipients",
                "cash_fen", "goods_fen", "gifts_fen", "overhead_fen", "contingency_fen", "total_fen")
MONEY_PARTS = ("cash_fen", "goods_fen", "gifts_fen", "overhead_fen", "contingency_fen", "total_fen")

labels.register({
    "households": ("户数", "Households"),
    "persons": ("人数", "Persons"),
    "recipients": ("慰问户(人)次", "Recipients"),
    "gifts_fen": ("慰问金品小计(元)", "Gifts (yuan)"),
    "overhead_fen": ("工作经费(元)", "Overheads (yuan)"),
    "contingency_fen": ("不可预见费(元)", "Contingency (yuan)"),
    "funding_fen": ("资金来源合计(元)", "Total funding (yuan)"),
    "gap_fen": ("资金缺口(元)", "Funding gap (yuan)"),
    "surplus_fen": ("资金结余(元)", "Funding surplus (yuan)"),
    "budget_cap_fen": ("预算上限(元)", "Budget cap (yuan)"),
    "cap_margin_fen": ("距上限(元)", "Room under the cap (yuan)"),
    "per_person_fen": ("人均(元)", "Per person (yuan)"),
    "per_recipient_fen": ("户(人)均慰问金品(元)", "Gifts per recipient (yuan)"),
    "item": ("项目", "Item"),
    "basis": ("计算方式", "Basis"),
    "amount_fen": ("标准(元)", "Amount (yuan)"),
    "teams": ("慰问组数", "Teams"),
    "days": ("天数", "Days"),
    "source": ("资金来源", "Funding source"),
    "used_fen": ("使用(元)", "Used (yuan)"),
    "report_unit": ("单位", "Unit"),
    "kind": ("费用类别", "Cost"),
    "amount": ("金额(元)", "Amount (yuan)"),
})

KIND_LABELS = {
    "cash_fen": ("慰问金", "Cash"),
    "goods_fen": ("慰问品", "Goods"),
    "overhead_fen": ("工作经费", "Overheads"),
    "contingency_fen": ("不可预见费", "Contingency"),
}


# ---------------------------------------------------------------- beneficiaries

def _empty_beneficiaries() -> pd.DataFrame:
    return pd.DataFrame({
        "county_code": pd.Series([], dtype=object), "category": pd.Series([], dtype=object),
        "dibao_fen": pd.Series([], dtype="int64"), "households": pd.Series([], dtype="int64"),
        "persons": pd.Series([], dtype="int64"), "income_fen": pd.Series([], dtype="Int64"),
        "household_size": pd.Series([], dtype="Int64"), "divisible": pd.Series([], dtype=bool),
    })


def _unit_of(plan: dict, categories: pd.DataFrame | None) -> dict[str, str]:
    cats = categories if categories is not None else stds.plan_categories(plan)
    return dict(zip(cats["code"], cats["unit"]))


def beneficiaries_from_registry(registry: pd.DataFrame, eligibility: pd.DataFrame | None = None, *,
                                plan: dict, categories: pd.DataFrame | None = None,
                                only_eligible: bool = True) -> pd.DataFrame:
    """The registry's beneficiaries in the plan's categories, indexed like ``registry``.

    ``eligibility`` is :func:`reliefplan.models.eligibility.assess` output (``eligible``,
    ``dibao_fen``); without it every row in a plan category counts and the
    低保 standard is taken from a ``dibao_fen`` column of the registry if any.
    """
    in_plan = registry["category"].astype(object).isin(list(plan.get("categories") or {}))
    keep = in_plan.to_numpy(dtype=bool).copy()
    if eligibility is not None and only_eligible:
        keep &= eligibility["eligible"].reindex(registry.index).fillna(False).to_numpy(dtype=bool)
    rows = registry.loc[keep]
    if not len(rows):
        return _empty_beneficiaries()
    if "county_code" in rows:
        county = rows["county_code"].astype(str)
    else:
        county = rows["area_code"].astype(str).str[:6]
    if eligibility is not None:
        dibao = eligibility["dibao_fen"].reindex(rows.index)
    elif "dibao_fen" in rows:
        dibao = rows["dibao_fen"]
    else:
        dibao = pd.Series(pd.NA, index=rows.index)
    dibao = pd.to_numeric(dibao, errors="coerce").fillna(-1).astype("int64")
    size = (rows["household_size"].astype("Int64") if "household_size" in rows
            else pd.Series(pd.array([pd.NA] * len(rows), dtype="Int64"), index=rows.index))
    unit = rows["category"].astype(object).map(_unit_of(plan, categories))
    persons = np.where(unit.to_numpy() == "household", size.fillna(1).clip(lower=1).to_numpy(dtype=np.int64), 1)
    income = (rows["income_fen"].astype("Int64") if "income_fen" in rows
              else pd.Series(pd.array([pd.NA] * len(rows), dtype="Int64"), index=rows.index))
    return pd.DataFrame({
        "county_code": county.to_numpy(dtype=object),
        "category": rows["category"].to_numpy(dtype=object),
        "dibao_fen": dibao.to_numpy(),
        "households": np.ones(len(rows), dtype=np.int64),
        "persons": persons.astype(np.int64),
        "income_fen": income.array,
        "household_size": size.array,
        "divisible": np.zeros(len(rows), dtype=bool),
    }, index=rows.index)


def beneficiaries_for_plan(plan: dict, registry: pd.DataFrame, dibao: pd.DataFrame, areas: pd.DataFrame, *,
                           threshold_multiple=None, on_date=None,
                           categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """The plan's eligible beneficiaries from a loaded registry (eligibility.assess, then the rows it admits).

    Use the whole plan area's registry even for one unit's report: a unit's
    budget is its share of the city-wide budget (``Budget.unit(code)``), so
    the unit reports add up to the roll-up to the fen.
    """

    elig = assess(registry, plan, dibao, areas, threshold_multiple=threshold_multiple, on_date=on_date)
    return beneficiaries_from_registry(registry, elig, plan=plan, categories=categories)


def dibao_by_county(dibao: pd.DataFrame, on_date) -> pd.DataFrame:
    """The monthly 低保 standard in force on ``on_date`` per county and urban/rural (monthly_fen)."""

    return dibao_in_force(dibao, on_date)


def beneficiaries_from_counts(counts: pd.DataFrame, *, plan: dict, dibao: pd.DataFrame | None = None,
                              on_date=None) -> pd.DataFrame:
    """Beneficiaries given as counts (county_code, category, households, persons), e.g. a forecast.

    Categories outside the plan are left out. The 低保 standard of a group
    comes from its ``dibao_fen`` column if present, else from the ``dibao``
    table in force on ``on_date`` (春节 of the plan year by default),
    matched on ``urban_rural`` when the counts have it; without that the
    county's higher standard is used, so the budget is not understated.
    """
    missing = [c for c in ("county_code", "category", "households", "persons") if c not in counts]
    if missing:
        raise InputError(f"人数表缺少列: {', '.join(missing)}", f"counts lack columns: {', '.join(missing)}",
                         column=missing[0])
    df = counts.loc[counts["category"].astype(object).isin(list(plan.get("categories") or {}))].copy()
    for col in ("households", "persons"):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() | (values < 0) | (values != values.round())
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            raise InputError(f"{labels.label(col)}须为非负整数, 实为 {df[col].iloc[i]!r}",
                             f"{col} must be a whole number >= 0, got {df[col].iloc[i]!r}", row=int(i) + 1, column=col)
        df[col] = values.astype("int64")
    df["county_code"] = df["county_code"].astype(str)
    if "dibao_fen" in df:
        dib = pd.to_numeric(df["dibao_fen"], errors="coerce").fillna(-1).astype("int64")
    elif dibao is not None:

        when = on_date if on_date is not None else spring_festival(int(plan["year"]))
        current = dibao_by_county(dibao, when)
        current = current.assign(county_code=current["county_code"].astype(str))
        if "urban_rural" in df:
            table = current.set_index(["county_code", "urban_rural"])["monthly_fen"]
            keys = pd.MultiIndex.from_arrays([df["county_code"], df["urban_rural"].astype(str)])
            dib = pd.Series(table.reindex(keys).to_numpy(), index=df.index)
        else:
            table = current.groupby("county_code")["monthly_fen"].max()
            dib = df["county_code"].map(table)
        dib = pd.to_numeric(dib, errors="coerce").fillna(-1).astype("int64")
    else:
        dib = pd.Series(-1, index=df.index, dtype="int64")
    n = len(df)
    return pd.DataFrame({
        "county_code": df["county_code"].to_numpy(dtype=object),
        "category": df["category"].to_numpy(dtype=object),
        "dibao_fen": dib.to_numpy(dtype=np.int64),
        "households": df["households"].to_numpy(dtype=np.int64),
        "persons": df["persons"].to_numpy(dtype=np.int64),
        "income_fen": pd.array([pd.NA] * n, dtype="Int64"),
        "household_size": pd.array([pd.NA] * n, dtype="Int64"),
        "divisible": np.ones(n, dtype=bool),
    }, index=df.index)


def forecast_counts(forecast: pd.DataFrame, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts (county_code, category, households, persons) from :func:`reliefplan.models.forecast.forecast`.

    The forecast gives households; persons are households x the persons per
    household of the series' latest year in ``history`` (half-up), or equal
    to households where the history has none.
    """
    out = forecast[["county_code", "category"]].copy()
    out["county_code"] = out["county_code"].astype(str)
    out["households"] = forecast["forecast"].astype("int64").to_numpy()
    ratio = {}
    if history is not None and len(history):
        h = history.copy()
        if "county_code" not in h:
            h["county_code"] = h["area_code"].astype(str).str[:6]
        h["county_code"] = h["county_code"].astype(str)
        per_year = h.groupby(["county_code", "category", "year"])[["households", "persons"]].sum().reset_index()
        last = per_year.sort_values("year").drop_duplicates(["county_code", "category"], keep="last")
        ratio = {(c, k): (int(p), int(hh)) for c, k, p, hh in
                 zip(last["county_code"], last["category"], last["persons"], last["households"]) if hh > 0}
    persons = []
    for c, k, hh in zip(out["county_code"], out["category"], out["households"]):
        p, base = ratio.get((c, k), (1, 1))
        persons.append(stds.round_fraction(Fraction(int(hh) * p, base)))
    out["persons"] = np.array(persons, dtype=np.int64)
    return out.reset_index(drop=True)


def aggregate(beneficiaries: pd.DataFrame) -> pd.DataFrame:
    """Beneficiaries summed by (county_code, category, dibao_fen): the groups the cost model needs."""
    if not len(beneficiaries):
        return _empty_beneficiaries()
    g = (beneficiaries.groupby(["county_code", "category", "dibao_fen"], sort=True, observed=True)
         [["households", "persons"]].sum().reset_index())
    n = len(g)
    g["households"] = g["households"].astype("int64")
    g["persons"] = g["persons"].astype("int64")
    g["income_fen"] = pd.array([pd.NA] * n, dtype="Int64")
    g["household_size"] = pd.array([pd.NA] * n, dtype="Int64")
    g["divisible"] = True
    return g[list(BENEFICIARY_COLUMNS)]


# ---------------------------------------------------------------- exact arithmetic

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


# ---------------------------------------------------------------- overheads

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


# ---------------------------------------------------------------- the model

def group_amounts(groups: pd.DataFrame, standards: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(count, cash per unit, goods per unit) per group row, int64: count is households or persons by ``per``."""
    pos = stds.category_positions(standards, groups["category"])
    if (pos < 0).any():
        bad = groups["category"].to_numpy()[pos < 0][0]
        raise InputError(f"类别 {bad} 不在标准中", f"category {bad} has no standard", column="category")
    per_person = (standards["per"].to_numpy() == "person")[pos]
    count = np.where(per_person, groups["persons"].to_numpy(dtype=np.int64), groups["households"].to_numpy(dtype=np.int64))
    cash, goods = stds.unit_amounts(standards, pos, groups["dibao_fen"].to_numpy(dtype=np.int64))
    return count.astype(np.int64), cash, goods


def gift_lines(beneficiaries: pd.DataFrame, standards: pd.DataFrame) -> pd.DataFrame:
    """Gifts per unit x category: households, persons, recipients, cash_fen, goods_fen, gifts_fen."""
    groups = aggregate(beneficiaries)
    count, cash, goods = group_amounts(groups, standards)
    g = pd.DataFrame({
        "county_code": groups["county_code"].to_numpy(dtype=object),
        "category": groups["category"].to_numpy(dtype=object),
        "households": groups["households"].to_numpy(dtype=np.int64),
        "persons": groups["persons"].to_numpy(dtype=np.int64),
        "recipients": count,
        "cash_fen": count * cash,
        "goods_fen": count * goods,
    })
    lines = g.groupby(["county_code", "category"], sort=True).sum().reset_index()
    lines["gifts_fen"] = lines["cash_fen"] + lines["goods_fen"]
    for col in lines.columns[2:]:
        lines[col] = lines[col].astype("int64")
    return lines


@dataclass
class Budget:
    """A costed plan: lines (unit x category), units, categories, overheads, funding and totals."""

    scenario: str
    standards: pd.DataFrame
    lines: pd.DataFrame
    overheads: pd.DataFrame
    funding: pd.DataFrame
    totals: dict = field(default_factory=dict)

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
    for i, row in enumerate(overheads.itertuples(index=False)):
        item = items[i] if i < len(items) else {}
        if row.basis != "per_team_day" or item.get("teams") is not None or not teams:
            pooled += int(row.total_fen)
            continue
        per_team = int(row.amount_fen) * int(row.days)
        for team in teams:
            codes = {str(a)[:6] for a in (team.get("areas") or [])}
            sel = [j for j in range(n) if str(county[j]) in codes]
            if not sel:
                pooled += per_team
                continue
            for j, part in zip(sel, allocate_exact(per_team, [weights[j] for j in sel])):
                out[j] += part
    out += np.array(allocate_exact(pooled, weights), dtype=np.int64)
    return out


def build_budget(plan: dict, lines: pd.DataFrame, *, standards: pd.DataFrame, scenario: str = "",
                 overheads: pd.DataFrame | None = None, cap: int | None = None) -> Budget:
    """Add overheads, contingency, funding and totals to gift lines (see :func:`gift_lines`).

    Overheads are spread over the lines by :func:`spread_overheads` (each
    team's meals and fuel to the counties it visits), the contingency in
    proportion to each line's gifts + overheads by :func:`allocate_exact`. Without any line, one line for the plan's area
    carries the overheads.
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
    cont = contingency_fen(subtotal, plan.get("contingency_pct", 0))
    contingency = np.array(allocate_exact(cont, (cols["gifts_fen"] + overhead).tolist()), dtype=np.int64)
    out = pd.DataFrame({"county_code": county, "category": category, **cols, "overhead_fen": overhead,
                        "contingency_fen": contingency,
                        "total_fen": cols["gifts_fen"] + overhead + contingency})
    total = subtotal + cont
    funding = funding_table(plan, total)
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
    """
    sc = stds.scenario(plan, scenario)
    std = standards if standards is not None else stds.scenario_standards(plan, sc["name"])
    return build_budget(plan, gift_lines(beneficiaries, std), standards=std, scenario=sc["name"],
                        cap=cap_fen(plan, cap_yuan))


# ---------------------------------------------------------------- scenarios

def compare_scenarios(plan: dict, beneficiaries: pd.DataFrame, names=None, *, cap_yuan=None) -> dict[str, Budget]:
    """Each scenario's budget (all of the plan's by default), baseline first."""
    groups = aggregate(beneficiaries)
    wanted = [s["name"] for s in stds.scenarios(plan)] if names is None else list(names)
    return {n: cost_model(plan, groups, scenario=n, cap_yuan=cap_yuan) for n in wanted}


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
    if areas is None:
        return {}
    col = "name_en" if lang == "en" and "name_en" in areas else "name"
    return dict(zip(areas["code"].astype(str), areas[col].astype(str)))
