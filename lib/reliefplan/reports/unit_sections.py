"""The sections of one unit's planning report, in the order the report shows them."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from reliefplan.core import labels
from reliefplan.core.lunar_dates import spring_festival
from reliefplan.core.areas import NO_TOWNSHIP, area_names, county_of, township_of
from reliefplan.core.money import format_yuan
from reliefplan.core.record import record
from reliefplan.models import budget, campaigns, continuity, forecast
from reliefplan.models import dibao as dibao_mod
from reliefplan.models import follow_up as gaplist
from reliefplan.models import multi_listed as duplicates
from reliefplan.models.budget import MONEY_PARTS
from reliefplan.reports.context import ReportContext, history_kind
from reliefplan.reports.display import (
    FOLLOWUP_ROWS_SHOWN,
    Alert,
    Heading,
    Section,
    category_chart,
    t,
)
from reliefplan.models import schedule as schedule_mod
from reliefplan.views import (
    budget_charts,
    campaign_charts,
    coverage_charts,
    schedule_tables,
    timeline_charts,
)

# ------------------------------------------------------------------ unit report sections

def title_block(ctx: ReportContext) -> Section:
    """Title, demo banner, plan and organizer."""
    key = "report_title" if ctx.is_unit else "rollup_title"
    blocks = []
    if ctx.reference_notice:
        blocks.append(Alert(ctx.reference_notice[0 if ctx.lang == "zh" else 1]))
    if ctx.demo:
        blocks.append(t("demo", ctx.lang))
    if ctx.organizer:
        blocks.append(t("org_kind", ctx.lang))
    name = ctx.plan.get("name") if ctx.lang == "zh" else ctx.plan.get("name_en") or ctx.plan.get("name")
    blocks.append(f"{t('plan', ctx.lang)}: {name}")
    if ctx.plan.get("organizer"):
        blocks.append(f"{t('organizer', ctx.lang)}: {ctx.plan['organizer']}")
    return Section("title", t(key, ctx.lang, unit=ctx.unit_name, year=ctx.year), blocks)


def registry_counts(ctx: ReportContext, by: str) -> pd.DataFrame:
    """Listings and planned beneficiaries of the unit, by ``category`` or ``township_code``."""

    reg = ctx.registry
    planned = ctx.beneficiaries.index.intersection(reg.index)
    keys = reg["category"].astype(str) if by == "category" else township_of(reg["area_code"].astype(str))
    df = pd.DataFrame({by: keys, "planned": reg.index.isin(planned)})
    out = df.groupby(by, sort=True).agg(registered_rows=(by, "size"), eligible_rows=("planned", "sum")).reset_index()
    out["registered_rows"] = out["registered_rows"].astype("int64")
    out["eligible_rows"] = out["eligible_rows"].astype("int64")
    if by == "category":
        out["category_label"] = out["category"].map(ctx.category_labels()).fillna(out["category"])
        return out[["category_label", "registered_rows", "eligible_rows", "category"]]
    names = area_names(ctx.areas, ctx.lang)
    out["township_name"] = out[by].map(names).fillna(out[by]).replace("", "(县级)" if ctx.lang == "zh" else "(county level)")
    return out[["township_name", "registered_rows", "eligible_rows", by]]


def profile(ctx: ReportContext) -> Section:
    """The unit: area facts, 低保 standards, registry listings by category and township."""

    lang = ctx.lang
    code = ctx.unit_code or str(ctx.plan.get("area"))
    areas = ctx.areas
    townships = areas[(areas["level"] == "township") & ctx.in_unit(areas["code"])]
    if ctx.organizer:  # the townships and counties where its people live
        townships = township_of(ctx.registry["area_code"])
        townships = townships[townships != NO_TOWNSHIP].drop_duplicates()
    std = dibao_mod.in_force(ctx.inputs.dibao, spring_festival(ctx.year))
    std = std[ctx.in_unit(std["county_code"])]
    facts = {
        "unit_code": code, "unit_name": ctx.unit_name, "townships": len(townships),
        "registered_rows": len(ctx.registry),
        "eligible_rows": int(ctx.beneficiaries.index.isin(ctx.registry.index).sum()),
    }
    if ctx.unit_code and len(std):
        for ur in ("urban", "rural"):
            vals = std.loc[std["urban_rural"] == ur, "monthly_fen"]
            if len(vals):
                facts[f"dibao_{ur}_fen"] = int(vals.iloc[0])
    if ctx.organizer:
        facts.pop("unit_code")
        facts = {"unit_name": facts.pop("unit_name"), "counties_n": int(ctx.registry["county_code"].nunique()), **facts}
    facts_df = pd.DataFrame([facts])
    by_cat = registry_counts(ctx, "category")
    blocks = [facts_df, Heading(t("by_category", lang)), by_cat.drop(columns=["category"]), category_chart(by_cat, lang)]
    if ctx.is_unit:
        by_town = registry_counts(ctx, "township_code")
        blocks += [Heading(t("by_township", lang)), by_town.drop(columns=["township_code"])]
    return Section("profile", t("profile", lang), blocks)


def past_campaigns(ctx: ReportContext) -> Section:
    """The unit's campaign history: totals by year (with change), households by category and year."""
    lang = ctx.lang
    hist = ctx.history
    key = "history" if ctx.is_unit else "r_history"
    note = []
    if ctx.organizer:
        kind = history_kind(ctx.area_history, ctx.organizer)
        if kind is None:
            kinds = ", ".join(sorted(ctx.area_history["organizer"].dropna().astype(str).unique())) or "-"
            return Section("history", t(key, lang), [t("org_no_history", lang, kinds=kinds)])
        names = area_names(ctx.areas, lang)
        counties = "、".join(names.get(c, c) for c in sorted(county_of(hist["area_code"]).unique()))
        note = [t("org_history", lang, kind=kind, counties=counties)]
    if hist.empty:
        return Section("history", t(key, lang), [t("no_history", lang)])
    by_year = campaigns.totals_by_year(hist)
    cols = [c for c in ("year", "households", "persons", "cash_fen", "goods_fen", "overhead_fen", "total_fen",
                        "per_household_fen", "change_fen", "change_pct") if c in by_year]
    by_cat = campaigns.totals(hist, by=("year", "category"))
    blocks = note + [
        by_year[cols],
        campaign_charts.trend_figure(by_year, lang),
        campaign_charts.category_bars_figure(by_cat, lang, value="households", names=ctx.category_labels()),
    ]
    return Section("history", t(key, lang), blocks + forecast_blocks(ctx, hist))


def forecast_blocks(ctx: ReportContext, hist: pd.DataFrame, method: str = "trend_floor") -> list:
    """Next year's households per category from the history, with the method and its backtest error."""
    lang = ctx.lang
    years = hist.loc[hist["year"] < ctx.year]
    if years["year"].nunique() < 2:
        return []
    fc = forecast.forecast(years, method=method, target_year=ctx.year, by=("category",))
    fc["category"] = fc["category"].map(ctx.category_labels()).fillna(fc["category"])
    bt = forecast.backtest(years, method=method, by=("category",))
    summary = forecast.backtest_summary(bt) if len(bt) else None
    text = t("forecast_line", lang, year=ctx.year, total=int(fc["forecast"].sum()),
             method=forecast.method_description(method, lang))
    if summary is not None and len(summary):
        text += t("forecast_error", lang, mae=summary["mae"].iloc[0], n=int(summary["n"].iloc[0]))
    table = forecast.display(fc[["category", "last_year", "last_value", "forecast"]], lang)
    return [Heading(t("forecast", lang)), text, table]


def _unit_totals(lines: pd.DataFrame) -> dict:
    cols = ("households", "persons", "recipients", "cash_fen", "goods_fen", "gifts_fen", "overhead_fen",
            "contingency_fen", "total_fen")
    return {c: int(lines[c].sum()) if c in lines else 0 for c in cols}


def budget_section(ctx: ReportContext) -> Section:
    """The unit's budget under each scenario (its share of each city-wide budget), and its baseline by category."""
    lang = ctx.lang
    summary = organizer_summary(ctx) if ctx.organizer else budget.scenario_summary(ctx.budgets, unit=ctx.unit_code)
    lines = ctx.unit_lines().copy()
    lines["category_label"] = lines["category"].map(ctx.category_labels()).fillna(lines["category"])
    by_cat = lines[["category_label", "households", "persons", "recipients", "cash_fen", "goods_fen",
                    "overhead_fen", "contingency_fen", "total_fen"]]
    by_cat = by_cat.groupby("category_label", sort=False).sum().reset_index()
    return Section("budget", t("budget", lang, year=ctx.year), [
        summary[["scenario", "recipients", "persons", "cash_fen", "goods_fen", "overhead_fen", "contingency_fen",
                 "total_fen", "diff_fen", "diff_pct"]],
        budget_charts.scenario_chart(summary, lang),
        Heading(f"{t('by_category', lang)} ({next(iter(ctx.budgets))})"),
        by_cat,
        t("org_share_note" if ctx.organizer else "share_note", lang),
    ])


def organizer_summary(ctx: ReportContext) -> pd.DataFrame:
    """One row per scenario for an organizer (as :func:`reliefplan.models.budget.scenario_summary`): its share of each
    city-wide budget, the difference to the baseline; ``gap_fen`` stays the city's."""


    rows = []
    base = None
    for name, b in ctx.budgets.items():
        tot = _unit_totals(ctx.unit_lines(b))
        base = tot["total_fen"] if base is None else base
        rows.append({"scenario": name, "recipients": tot["recipients"], "persons": tot["persons"],
                     **{c: tot[c] for c in MONEY_PARTS}, "gap_fen": int(b.totals["gap_fen"]),
                     "diff_fen": tot["total_fen"] - base,
                     "diff_pct": float(Fraction(tot["total_fen"] - base, base) * 100) if base else 0.0})
    df = pd.DataFrame(rows)
    for col in ("recipients", "persons", *MONEY_PARTS, "gap_fen", "diff_fen"):
        df[col] = df[col].astype("int64")
    return df


def coverage_section(ctx: ReportContext) -> Section:
    """Last campaign's funnel, by township (county for the roll-up) and category; duplicates; continuity."""
    lang = ctx.lang
    cov = ctx.coverage
    totals = cov.totals
    funnel_cols = ["registered", "eligible", "planned", "visited", "reached", "exclusion", "inclusion",
                   "coverage_rate", "exclusion_rate"]
    tot_df = pd.DataFrame([{k: totals.get(k) for k in funnel_cols}])
    blocks = [t("coverage_note", lang, year=cov.year)]
    if ctx.organizer:
        blocks.append(t("org_coverage", lang, year=cov.year))
    blocks += [tot_df, coverage_charts.funnel_chart(totals, lang=lang)]
    areas = cov.by_township if ctx.is_unit else cov.by_county
    name_col = ("township_name" if "township_name" in areas else "township_code") if ctx.is_unit else \
        ("county_name" if "county_name" in areas else "county_code")
    blocks += [Heading(t("by_township", lang) if ctx.is_unit else labels.label("county_name", lang)),
               areas[[name_col] + [c for c in funnel_cols if c in areas]],
               coverage_charts.coverage_by_area(areas, name_col=name_col, lang=lang)]
    cat = cov.by_category
    cat_name = "category_label" if "category_label" in cat else "category"
    blocks += [Heading(t("by_category", lang)), cat[[cat_name] + [c for c in funnel_cols if c in cat]]]
    dup = duplicates.summary(cov.duplicates, cov.cap_excess)
    blocks.append(t("dup_line", lang, listed=dup["duplicate_people"],
                    cap=format_yuan(cov.cap_fen, decimals=False), over=dup["over_cap_people"]))
    reasons = continuity.reason_counts(cov.continuity, lang=lang)
    blocks += [Heading(t("continuity", lang)), reasons[["reason_label", "people"]],
               coverage_charts.continuity_chart(reasons, lang=lang)]
    return Section("coverage", t("coverage", lang, year=cov.year), blocks)


def timeline_block(ctx: ReportContext) -> Section:
    """Phases with the Gantt chart, deliverables, checks; the unit's visit schedule."""
    lang = ctx.lang
    tl = ctx.timeline
    blocks = [t("org_timeline", lang)] if ctx.organizer else []
    blocks += [Heading(t("phases", lang)), tl["phases"], tl["gantt"], Heading(t("deliverables", lang)),
               tl["deliverables"]]
    if len(tl["findings"]):
        blocks += [Heading(t("findings", lang)), tl["findings"]]
    blocks += list(tl.get("notes") or [])
    if ctx.unit_code and "schedule_summary" in tl:
        blocks += unit_schedule_blocks(ctx, tl)
    if not ctx.is_unit:
        blocks += [Heading(t("responsibilities", lang)), tl["responsibilities"]]
    return Section("timeline", t("timeline" if ctx.is_unit else "r_timeline", lang), blocks)

def unit_teams_mask(summary: pd.DataFrame, unit_code: str) -> pd.Series:
    """Which teams of a schedule summary work in ``unit_code`` (an area of theirs in it) or have its people."""
    def works_in(areas) -> bool:
        codes = [a.strip() for a in str(areas).replace("，", ",").replace("、", ",").split(",") if a.strip()]
        return any(a.startswith(unit_code) or unit_code.startswith(a) for a in codes)

    return summary["areas"].map(works_in) | (summary["people"].astype(int) > 0)


def unit_schedule_blocks(ctx: ReportContext, tl: dict) -> list:
    """The visit schedule of the unit's own teams only (the plan's teams cover every county)."""
    schedule = tl["raw"]["schedule"]
    mine = unit_teams_mask(schedule.summary, ctx.unit_code).to_numpy()
    table = tl["schedule_summary"].loc[mine]
    teams = set(schedule.summary.loc[mine, "team"])
    load = schedule.load.loc[schedule.load["team"].isin(teams)]
    load_chart = timeline_charts.load_figure(load, ctx.lang)
    load_chart.update_layout(meta={"screen_only": True})   # a working view: the printed report keeps the table
    blocks = [Heading(t("schedule", ctx.lang)), table, load_chart]
    part = schedule_mod.restrict(schedule, ctx.unit_code)
    if schedule_tables.needs_delivery_table(part):   # who is visited, who gets a transfer or collects
        blocks += [Heading(t("delivery_modes", ctx.lang)), schedule_tables.delivery_table(part, ctx.lang)]
    return blocks


def followup_list(ctx: ReportContext, limit: int = FOLLOWUP_ROWS_SHOWN) -> Section:
    """The masked follow-up list (eligible, not reached), by township and priority."""
    lang = ctx.lang
    gaps = ctx.coverage.gaps
    if len(gaps):  # analyse() already cut to the unit; this keeps the rule explicit and local
        area = gaps["township_code"].astype(str).where(gaps["township_code"].astype(str) != "",
                                                       gaps["county_code"].astype(str))
        gaps = gaps.loc[ctx.in_unit(area)]
    if gaps.empty:
        return Section("followup", t("followup", lang), [t("no_gaps", lang)])
    counts = gaplist.township_counts(gaps)
    table = gaplist.display_table(gaps.head(limit), lang=lang)
    note = t("gaps_more", lang, n=len(gaps), shown=limit) if len(gaps) > limit else t("gaps_all", lang, n=len(gaps))
    blocks = [counts, note, table]
    return Section("followup", t("followup", lang), blocks)


def unit_figures(ctx: ReportContext) -> dict:
    """The figures a unit report records for the roll-up's reconciliation (plain ints)."""
    lines = ctx.unit_lines()
    figures = {
        "unit_code": ctx.unit_code, "unit_name": ctx.unit_name,
        "unit_kind": "organizer" if ctx.organizer else "area", "organizer": ctx.organizer,
        "registered_rows": int(len(ctx.registry)),
        "eligible_rows": int(ctx.beneficiaries.index.isin(ctx.registry.index).sum()),
        **_unit_totals(lines),
        "scenario_totals_fen": {name: int(ctx.unit_lines(b)["total_fen"].sum()) for name, b in ctx.budgets.items()},
        "followup_people": int(len(ctx.coverage.gaps)),
        "coverage_year": int(ctx.coverage.year),
    }
    return figures


def record_unit(ctx: ReportContext) -> dict:
    """Record the unit's figures in the notebook (read back by the runner and the roll-up)."""

    figures = unit_figures(ctx)
    for key, value in figures.items():
        record(key, value)
    return figures
