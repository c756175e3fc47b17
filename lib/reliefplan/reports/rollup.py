"""The roll-up's sections: the units, the city budget and coverage, and the reconciliation to the fen."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reliefplan.core import labels
from reliefplan.core.errors import ConfigError
from reliefplan.core.money import format_yuan
from reliefplan.core.record import record
from reliefplan.models import allocation, budget, pools
from reliefplan.core.areas import unit_of
from reliefplan.models.coverage import in_unit
from reliefplan.reports.context import ReportContext
from reliefplan.reports.display import RECONCILE_FIGURES, Heading, Section, t
from reliefplan.reports.unit_sections import _unit_totals, coverage_section
from reliefplan.views import budget_charts, maps

# ------------------------------------------------------------------ roll-up sections

def units_table(ctx: ReportContext) -> pd.DataFrame:
    """Per unit of the plan, recomputed here: listings, planned, baseline budget parts."""
    reg = ctx.inputs.registry
    ben_idx = ctx.beneficiaries.index
    rows = []

    for u in ctx.units.itertuples(index=False):
        mask = in_unit(reg["area_code"].astype(str), u.code)
        rows.append({"unit_code": u.code, "unit_name": u.name if ctx.lang == "zh" else u.name_en,
                     "registered_rows": int(mask.sum()),
                     "eligible_rows": int(reg.index[mask.to_numpy()].isin(ben_idx).sum()),
                     **_unit_totals(ctx.lines_in(u.code))})
    return pd.DataFrame(rows)


def city_figures(ctx: ReportContext) -> dict:
    """The city-level figures, computed directly over the whole planning area."""
    return {"registered_rows": int(len(ctx.registry)),
            "eligible_rows": int(ctx.beneficiaries.index.isin(ctx.registry.index).sum()),
            **_unit_totals(ctx.unit_lines())}


@dataclass
class Reconciliation:
    figures: pd.DataFrame        # figure, city_value, units_recorded, units_recomputed, difference, match
    units: pd.DataFrame          # unit_code, unit_name, recorded total, recomputed total, difference, match
    missing: list                # unit codes without a current report
    mismatched: list             # figure keys or unit codes that differ
    reconciled: bool             # complete and equal, at this level and every level below
    city_total_fen: int = 0
    sum_of_units_fen: int | None = None   # sum of the recorded unit totals (None: no unit report)
    missing_below: list = None   # codes further down without a current report, as the roll-ups below recorded them


def reconciliation(ctx: ReportContext, unit_records: dict | None) -> Reconciliation:
    """Compare the city totals with the sum of the unit reports' recorded figures, to the fen.

    ``unit_records``: unit code -> the figures its report recorded
    (:func:`unit_figures`), as passed by the runner. Units without a current
    report are listed as missing; a recorded figure that differs from what
    the roll-up recomputes for that unit is a mismatch.
    """
    unit_records = unit_records or {}
    per_unit = units_table(ctx)
    city = city_figures(ctx)
    missing = [c for c in per_unit["unit_code"] if c not in unit_records]
    rows = []
    mismatched = []
    for key in RECONCILE_FIGURES:
        recomputed = int(per_unit[key].sum())
        recorded = sum(int(r.get(key, 0)) for r in unit_records.values()) if unit_records else None
        equal = recomputed == city[key] and (missing or recorded == city[key])
        if not equal:
            mismatched.append(key)
        rows.append({"figure": labels.label(key, ctx.lang), "city_value": _money_or_int(key, city[key]),
                     "units_recorded": "" if recorded is None else _money_or_int(key, recorded),
                     "units_recomputed": _money_or_int(key, recomputed),
                     "difference": "" if recorded is None or missing else _money_or_int(key, city[key] - recorded),
                     "match": bool(equal) and not missing})
    unit_rows = []
    for row in per_unit.itertuples(index=False):
        rec = unit_records.get(row.unit_code)
        recorded = None if rec is None else int(rec.get("total_fen", 0))
        ok = rec is not None and all(int(rec.get(k, 0)) == int(getattr(row, k)) for k in RECONCILE_FIGURES)
        if rec is not None and not ok:
            mismatched.append(row.unit_code)
        unit_rows.append({"unit_code": row.unit_code, "unit_name": row.unit_name,
                          "recorded": "" if recorded is None else format_yuan(recorded),
                          "recomputed": format_yuan(int(row.total_fen)),
                          "difference": "" if recorded is None else format_yuan(int(row.total_fen) - recorded),
                          "match": ok})
    # a roll-up below that was incomplete names its missing units; they are named again here
    below = [str(c) for code in per_unit["unit_code"] for c in (unit_records.get(code) or {}).get("missing_units") or []]
    return Reconciliation(pd.DataFrame(rows), pd.DataFrame(unit_rows), missing, mismatched,
                          reconciled=not missing and not mismatched and not below, city_total_fen=city["total_fen"],
                          sum_of_units_fen=sum(int(r.get("total_fen", 0)) for r in unit_records.values())
                          if unit_records else None, missing_below=below)


def _money_or_int(key: str, value: int) -> str:
    return format_yuan(int(value)) if key.endswith("_fen") else f"{int(value):,}"


def reconciliation_section(ctx: ReportContext, rec: Reconciliation) -> Section:
    """The reconciliation tables and the explicit statement of the result."""
    lang = ctx.lang
    if rec.mismatched:
        verdict = t("reconciled_no", lang, items=", ".join(map(str, rec.mismatched)))
    elif rec.missing:
        verdict = t("reconciled_missing", lang, units=", ".join(rec.missing))
    else:
        verdict = t("reconciled_yes", lang)
    blocks = [verdict]
    if rec.missing_below:
        blocks.append(t("reconciled_below", lang, units=", ".join(_named(ctx, rec.missing_below))))
    return Section("reconcile", t("r_reconcile", lang), [*blocks, rec.figures, Heading(t("rec_units", lang)), rec.units])


def _named(ctx: ReportContext, codes) -> list[str]:
    """``code name`` for each area code (the code alone when the area table does not know it)."""
    names = dict(zip(ctx.areas["code"].astype(str), ctx.areas["name" if ctx.lang == "zh" else "name_en"]))
    return [f"{c} {names[c]}" if c in names and pd.notna(names[c]) else str(c) for c in codes]


def with_total_row(df: pd.DataFrame, label_col: str, lang: str = "zh") -> pd.DataFrame:
    """``df`` with a 合计 (total) row: integer columns summed exactly, text columns blank but ``label_col``."""
    total = {}
    for col in df.columns:
        if col == label_col:
            total[col] = "合计" if lang == "zh" else "Total"
        elif pd.api.types.is_integer_dtype(df[col]) and not col.endswith("_code"):
            total[col] = int(df[col].sum())
        else:
            total[col] = ""
    out = pd.concat([df, pd.DataFrame([total])], ignore_index=True)
    for col in df.columns:
        if pd.api.types.is_integer_dtype(df[col]) and not col.endswith("_code"):
            out[col] = out[col].astype("int64")
    return out


def units_section(ctx: ReportContext) -> Section:
    """Per unit: listings, planned beneficiaries and the baseline budget parts, with a chart."""
    lang = ctx.lang
    units = units_table(ctx)
    names = dict(zip(units["unit_code"], units["unit_name"]))
    return Section("units", t("r_units", lang), [
        with_total_row(units[["unit_code", "unit_name", "registered_rows", "eligible_rows", "recipients", "cash_fen",
                              "goods_fen", "overhead_fen", "contingency_fen", "total_fen"]], "unit_name", lang),
        budget_charts.units_chart(units, "unit_code", names, lang), t("share_note", lang)])


def city_budget_section(ctx: ReportContext) -> Section:
    """Scenarios side by side, funding sources and the gap, overheads (city-wide).

    A roll-up below the top (a city of a province plan) shows its share of each scenario only:
    funding, the cap and overheads belong to the whole plan.
    """
    lang = ctx.lang
    if ctx.rollup_code:
        summary = area_scenario_summary(ctx)
        return Section("budget", t("r_budget_area", lang), [
            summary, budget_charts.scenario_chart(summary, lang), t("area_budget_note", lang)])
    summary = budget.scenario_summary(ctx.budgets)
    tot = ctx.baseline.totals
    gap = tot.get("gap_fen", 0)
    gap_text = t("gap", lang, v=format_yuan(gap)) if gap > 0 else t("surplus", lang, v=format_yuan(-gap))
    cap = tot.get("cap_fen")
    line = t("cap_line", lang, cap=format_yuan(cap) if cap is not None else "-", total=format_yuan(tot["total_fen"]),
             funding=format_yuan(tot.get("funding_fen", 0)), gap=gap_text)
    funding = ctx.baseline.funding.copy()
    if lang == "en" and "source_en" in funding:
        funding["source"] = funding["source_en"].fillna(funding["source"])
    overheads = ctx.baseline.overheads.copy()
    if lang == "en" and "item_en" in overheads:
        overheads["item"] = overheads["item_en"]
    cols = [c for c in ("scenario", "recipients", "persons", "cash_fen", "goods_fen", "overhead_fen",
                        "contingency_fen", "total_fen", "gap_fen", "diff_fen", "diff_pct") if c in summary]
    shown = ("source", "amount_fen", "need_in_pool_fen", "used_fen", "left_fen", "short_fen")
    return Section("budget", t("r_budget", lang), [
        summary[cols], budget_charts.scenario_chart(summary, lang), line,
        Heading(t("funding", lang)), funding[[c for c in shown if c in funding]],
        budget_charts.funding_chart(ctx.baseline, lang),
        Heading(t("overheads", lang)), overheads[[c for c in ("item", "basis", "amount_fen", "teams", "days",
                                                              "total_fen") if c in overheads]],
        *pool_blocks(ctx),
    ])


def pool_blocks(ctx: ReportContext) -> list:
    """With funding pools: each pool's money by unit (baseline), summed across units and reconciled to the fen."""
    if not pools.declared(ctx.plan):
        return []
    lang = ctx.lang
    alloc = allocation.allocate(ctx.plan, ctx.beneficiaries)
    table, ok = rollup_pools(ctx, alloc)
    if lang == "en":
        en = dict(zip(alloc.extra["pools"]["source"], alloc.extra["pools"]["source_en"]))
        table = table.rename(columns=en).replace({"合计": "Total"})
    money = [c for c in table.columns if c not in ("unit_code", "unit_name")]
    table[money] = table[money].map(lambda v: format_yuan(int(v)))
    return [Heading(labels.label("pools_by_unit", lang)), table.drop(columns=["unit_code"]),
            labels.label("pools_reconciled" if ok else "pools_not_reconciled", lang)]


def rollup_pools(ctx: ReportContext, alloc) -> tuple[pd.DataFrame, bool]:
    """Each pool's money by the units directly below this roll-up (cities of a province, counties of a city).

    Pools pay per county; a roll-up shows its own area only, each county
    summed into the unit above it (townships, finer than the pools, show
    their county). Reconciles when the plan-wide table does and this area's
    rows add up to the roll-up's budget total, to the fen.
    """
    by_county, plan_ok = allocation.pools_by_unit(alloc)
    body = by_county.loc[by_county["county_code"] != "合计"].copy()
    units = unit_of(body["county_code"], ctx.units["code"])
    if not (units != "").any():   # units finer than counties: the area's own counties
        units = body["county_code"].where(in_unit(body["county_code"].astype(str), ctx.area_code), "")
    money = [c for c in body.columns if c not in ("county_code", "unit_name")]
    body = body.loc[units != ""].assign(unit_code=units[units != ""])
    out = body.groupby("unit_code", sort=True)[money].sum().astype("int64").reset_index()
    col = "name_en" if ctx.lang == "en" and "name_en" in ctx.areas else "name"
    names = {str(c): str(n) if isinstance(n, str) and n else str(z)
             for c, n, z in zip(ctx.areas["code"], ctx.areas[col], ctx.areas["name"])}
    out.insert(1, "unit_name", out["unit_code"].map(names).fillna(out["unit_code"]))
    total = {"unit_code": "合计", "unit_name": "合计", **{c: int(out[c].sum()) for c in money}}
    ok = plan_ok and total.get("total_fen", 0) == int(ctx.unit_lines()["total_fen"].sum())
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True), ok


def area_scenario_summary(ctx: ReportContext) -> pd.DataFrame:
    """Per scenario, this roll-up's share of the plan's budget: the sum of its lines (exact, in fen)."""
    parts = ("recipients", "persons", "cash_fen", "goods_fen", "overhead_fen", "contingency_fen", "total_fen")
    rows = []
    for name, b in ctx.budgets.items():
        lines = ctx.unit_lines(b)
        rows.append({"scenario": name, **{c: int(lines[c].sum()) if c in lines else 0 for c in parts}})
    out = pd.DataFrame(rows)
    base = int(out["total_fen"].iloc[0]) if len(out) else 0
    out["diff_fen"] = out["total_fen"] - base
    out["diff_pct"] = [round((v - base) * 100 / base, 2) if base else 0.0 for v in out["total_fen"]]
    return out


def city_coverage_section(ctx: ReportContext) -> Section:
    """Coverage funnel by county with an offline map."""
    sec = coverage_section(ctx)
    cov = ctx.coverage
    if ctx.inputs.boundaries:
        fig = maps.choropleth(cov.by_county, ctx.inputs.boundaries, value="coverage_rate",
                              code_property=maps.boundary_code_property(ctx.plan),
                              title=t("chart_map", ctx.lang, year=cov.year), lang=ctx.lang)
        sec.blocks.insert(3, fig)
    sec.title = t("r_coverage", ctx.lang)
    return sec


def record_rollup(ctx: ReportContext, rec: Reconciliation) -> dict:
    """Record the roll-up's headline figures (shown on index.html)."""

    city = city_figures(ctx)
    figures = {
        "unit_code": ctx.area_code, "unit_name": ctx.unit_name, "unit_kind": "rollup",
        **{key: city[key] for key in RECONCILE_FIGURES},   # what the roll-up above reconciles with
        "units_total": len(ctx.units), "units_reconciled": len(ctx.units) - len(rec.missing) - len(
            [m for m in rec.mismatched if m in set(ctx.units["code"])]),
        "registered_rows": city["registered_rows"], "eligible_rows": city["eligible_rows"],
        "households": city["households"], "persons": city["persons"],
        "baseline_total_fen": city["total_fen"], "city_total_fen": rec.city_total_fen,
        "sum_of_units_fen": rec.sum_of_units_fen,
        "reconciled": rec.reconciled, "missing_units": list(rec.missing) + list(rec.missing_below or []),
        "mismatched": rec.mismatched,
        "scenario_totals_fen": {n: int(b.total_fen) for n, b in ctx.budgets.items()},
    }
    for key, value in figures.items():
        record(key, value)
    return figures


def assert_reconciled(rec: Reconciliation) -> None:
    """Fail the roll-up when a unit report disagrees with it (missing reports are shown, not fatal)."""
    if rec.mismatched:
        raise ConfigError(f"汇总与单位报告不一致: {', '.join(map(str, rec.mismatched))}",
                          f"the roll-up does not reconcile with the unit reports: {', '.join(map(str, rec.mismatched))}")
